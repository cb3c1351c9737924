package contract

import (
	"fmt"
	"time"

	"github.com/govledger/govledger/chaincode/audit"
	"github.com/govledger/govledger/chaincode/internal/ledger"
	"github.com/govledger/govledger/chaincode/internal/txn"
	"github.com/govledger/govledger/chaincode/internal/validate"
)

// MaxSweep bounds the requests one SweepDeadlines transaction escalates, so
// its read and write sets stay small whatever the backlog.
const MaxSweep = 100

// RequestRef names a request.
type RequestRef struct {
	EngagementID string `json:"engagementId"`
	ID           string `json:"id"`
}

// SweepResult is what a deadline sweep escalated, oldest due date first.
// More is set when the sweep stopped at its limit with requests left to look
// at; sweep again.
type SweepResult struct {
	Escalated []RequestRef `json:"escalated"`
	More      bool         `json:"more"`
}

// SweepDeadlines escalates up to limit (1 to MaxSweep) open requests past
// their due date, oldest first, and emits one deadline.swept event listing
// them. It complements escalation on touch for requests no transaction
// touches.
func (c *Contract) SweepDeadlines(ctx *txn.Context, limit int) (*SweepResult, error) {
	return done(sweepDeadlines(ctx, limit))
}

func sweepDeadlines(ctx *txn.Context, limit int) (SweepResult, error) {
	if err := validate.InRange("limit", limit, 1, MaxSweep); err != nil {
		return SweepResult{}, err
	}
	_, now, err := begin(ctx)
	if err != nil {
		return SweepResult{}, err
	}
	due, more, err := overdueOpen(ctx, now, limit)
	if err != nil {
		return SweepResult{}, err
	}
	stub := ctx.GetStub()
	res := SweepResult{Escalated: make([]RequestRef, 0, len(due)), More: more}
	for _, ref := range due {
		stored, err := getRequest(stub, ref.EngagementID, ref.ID)
		if err != nil {
			return SweepResult{}, fmt.Errorf("open-request index entry %s: %w", requestRef(ref.EngagementID, ref.ID), err)
		}
		after, escalated := audit.Escalate(stored, now)
		if !escalated {
			continue
		}
		if err := requests.update(stub, stored, after); err != nil {
			return SweepResult{}, err
		}
		res.Escalated = append(res.Escalated, ref)
	}
	return res, ctx.Emit("deadline", "requests", "swept", "", res)
}

// overdueOpen reads the open-request index in due order and returns up to
// limit requests due before now. Paginated queries are refused in a
// transaction that writes, so this is a plain range scan that stops early.
func overdueOpen(ctx *txn.Context, now time.Time, limit int) (refs []RequestRef, more bool, err error) {
	it, err := ctx.GetStub().GetStateByPartialCompositeKey(openRequests.Name, nil)
	if err != nil {
		return nil, false, fmt.Errorf("scan %s: %w", openRequests.Name, err)
	}
	defer it.Close()
	cutoff := dueValue(now)
	for it.HasNext() {
		kv, err := it.Next()
		if err != nil {
			return nil, false, fmt.Errorf("scan %s: %w", openRequests.Name, err)
		}
		_, values, err := ledger.SplitKey(kv.GetKey())
		if err != nil || len(values) != len(openRequests.Attrs) {
			return nil, false, fmt.Errorf("scan %s: malformed entry %s", openRequests.Name, ledger.DisplayKey(kv.GetKey()))
		}
		if values[0] >= cutoff {
			// Entries are in due order: nothing further is overdue.
			return refs, false, nil
		}
		if len(refs) == limit {
			return refs, true, nil
		}
		refs = append(refs, RequestRef{EngagementID: values[1], ID: values[2]})
	}
	return refs, false, nil
}
