package contract

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/govledger/govledger/chaincode/ccerror"
	"github.com/govledger/govledger/chaincode/health"
	"github.com/govledger/govledger/chaincode/internal/ledger"
	"github.com/govledger/govledger/chaincode/internal/txn"
	"github.com/govledger/govledger/chaincode/internal/validate"
)

// raiseAlerts evaluates the enabled rules of c after one more report landed
// in it and stores the alerts they raise. The report's own delta key is not
// visible to this transaction's reads, so it is added here. A rule that has
// already alerted for this region and week is skipped before any count is
// read, which keeps later reports in an alerting cell free of range reads.
func raiseAlerts(ctx *txn.Context, c cell, k int) ([]health.Alert, error) {
	stub := ctx.GetStub()
	rules, err := rulesFor(stub, c.condition, c.region)
	if err != nil || len(rules) == 0 {
		return nil, err
	}
	now, err := ctx.Now()
	if err != nil {
		return nil, err
	}
	counts := &counter{stub: stub, condition: c.condition, region: c.region, seen: map[health.Week]int64{}}
	var raised []health.Alert
	for _, r := range rules {
		id := health.AlertID(r.ID, c.region, c.week)
		key, err := ledger.Key(objAlert, id)
		if err != nil {
			return nil, err
		}
		exists, err := ledger.Exists(stub, key)
		if err != nil {
			return nil, err
		}
		if exists {
			continue
		}
		current, err := counts.count(c.week)
		if err != nil {
			return nil, err
		}
		current++
		var baseline []int64
		for _, w := range r.Method.Baseline(c.week) {
			n, err := counts.count(w)
			if err != nil {
				return nil, err
			}
			baseline = append(baseline, n)
		}
		v, err := r.Evaluate(current, baseline)
		if err != nil {
			return nil, err
		}
		if !v.Raise {
			continue
		}
		a := health.Raise(r, c.region, c.week, current, k, v, now, stub.GetTxID())
		if err := ledger.Put(stub, key, a); err != nil {
			return nil, err
		}
		if err := alertsByStatus.Put(stub, string(a.Status), a.ID); err != nil {
			return nil, err
		}
		raised = append(raised, a)
	}
	return raised, nil
}

// GetAlert returns an alert.
func (c *Contract) GetAlert(ctx *txn.Context, alertID string) (*health.Alert, error) {
	a, _, err := getAlert(ctx.GetStub(), alertID)
	if err != nil {
		return nil, ccerror.From(err)
	}
	return &a, nil
}

// AlertPage is one page of alerts.
type AlertPage struct {
	ledger.Page[health.Alert]
}

// ListAlerts lists alerts with status ("" for all), by alert ID.
func (c *Contract) ListAlerts(ctx *txn.Context, status string, size int32, bookmark string) (*AlertPage, error) {
	req := ledger.PageRequest{Size: size, Bookmark: bookmark}
	var (
		p   ledger.Page[health.Alert]
		err error
	)
	if status == "" {
		p, err = ledger.List[health.Alert](ctx.GetStub(), objAlert, nil, req)
	} else {
		if err := validate.OneOf("status", status,
			string(health.StatusOpen), string(health.StatusAcknowledged), string(health.StatusClosed)); err != nil {
			return nil, ccerror.From(err)
		}
		p, err = ledger.ListIndex[health.Alert](ctx.GetStub(), alertsByStatus, []string{status}, req,
			func(v []string) (string, error) { return ledger.Key(objAlert, v[1]) })
	}
	if err != nil {
		return nil, ccerror.From(err)
	}
	return &AlertPage{p}, nil
}

// AcknowledgeAlert moves an open alert to acknowledged.
func (c *Contract) AcknowledgeAlert(ctx *txn.Context, alertID string) (*health.Alert, error) {
	a, err := transition(ctx, alertID, health.ActionAcknowledge, "")
	return a, ccerror.From(err)
}

// CloseAlert closes an acknowledged alert with one of health.CloseReasons.
func (c *Contract) CloseAlert(ctx *txn.Context, alertID, reason string) (*health.Alert, error) {
	a, err := transition(ctx, alertID, health.ActionClose, reason)
	return a, ccerror.From(err)
}

// transition applies action to the alert in place, so the alert's key
// history holds every step.
func transition(ctx *txn.Context, alertID string, action health.Action, reason string) (*health.Alert, error) {
	stub := ctx.GetStub()
	caller, err := callerOf(ctx)
	if err != nil {
		return nil, err
	}
	before, key, err := getAlert(stub, alertID)
	if err != nil {
		return nil, err
	}
	now, err := ctx.Now()
	if err != nil {
		return nil, err
	}
	after, err := before.Apply(action, caller.actor(), now, reason)
	if err != nil {
		return nil, err
	}
	if err := ledger.Put(stub, key, after); err != nil {
		return nil, err
	}
	if err := alertsByStatus.Move(stub, []string{string(before.Status), after.ID}, []string{string(after.Status), after.ID}); err != nil {
		return nil, err
	}
	verb := map[health.Action]string{health.ActionAcknowledge: "acknowledged", health.ActionClose: "closed"}[action]
	return &after, ctx.Emit("alert", after.ID, verb, after.RuleID, after)
}

// AlertVersion is one committed state of an alert.
type AlertVersion struct {
	TxID      string       `json:"txId"`
	Timestamp time.Time    `json:"timestamp"`
	Alert     health.Alert `json:"alert"`
}

// AlertHistory is an alert's committed states, newest first.
type AlertHistory struct {
	Items []AlertVersion `json:"items"`
}

// GetAlertHistory returns every committed state of an alert, newest first:
// raised, acknowledged, closed, with who and when.
func (c *Contract) GetAlertHistory(ctx *txn.Context, alertID string) (*AlertHistory, error) {
	h, err := alertHistory(ctx, alertID)
	return h, ccerror.From(err)
}

func alertHistory(ctx *txn.Context, alertID string) (*AlertHistory, error) {
	if err := validate.ID("alertId", alertID); err != nil {
		return nil, err
	}
	key, err := ledger.Key(objAlert, alertID)
	if err != nil {
		return nil, err
	}
	it, err := ctx.GetStub().GetHistoryForKey(key)
	if err != nil {
		return nil, fmt.Errorf("history of alert %s: %w", alertID, err)
	}
	defer it.Close()
	h := &AlertHistory{Items: []AlertVersion{}}
	for len(h.Items) < maxHistory && it.HasNext() {
		m, err := it.Next()
		if err != nil {
			return nil, fmt.Errorf("history of alert %s: %w", alertID, err)
		}
		if m.GetIsDelete() {
			continue
		}
		v := AlertVersion{TxID: m.GetTxId(), Timestamp: m.GetTimestamp().AsTime().UTC()}
		if err := json.Unmarshal(m.GetValue(), &v.Alert); err != nil {
			return nil, &ledger.KeyError{Key: key, Err: fmt.Errorf("decode history of tx %s: %w", v.TxID, err)}
		}
		h.Items = append(h.Items, v)
	}
	if len(h.Items) == 0 {
		return nil, &ledger.KeyError{Key: key, Err: ledger.ErrNotFound}
	}
	return h, nil
}
