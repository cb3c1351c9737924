package auditwatch

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/govledger/govledger/chaincode/audit"
	"github.com/govledger/govledger/chaincode/ccerror"
	"github.com/govledger/govledger/gateway/internal/ledger"
	"github.com/govledger/govledger/gateway/internal/txn"
)

// Steps of settling a flag, as RefusalError and Parked name them.
const (
	StepEvent      = "event"      // reading the procurement event
	StepTender     = "tender"     // procurement GetTender: the buying agency
	StepEngagement = "engagement" // choosing the agency's engagement
	StepRequest    = "request"    // audit OpenRequestFromRedFlag
)

// Codes of refusals that are not a chaincode's ccerror code or a Fabric
// validation code.
const (
	// CodeMalformed: an event or an answer that does not parse.
	CodeMalformed = "MALFORMED"
	// CodeNoEngagement: no engagement is configured or standing for the
	// tender's agency.
	CodeNoEngagement = "NO_ENGAGEMENT"
	// CodeNetworkRefused: the network refused the proposal or transaction
	// (ACL, signature, endorsement policy).
	CodeNetworkRefused = "NETWORK_REFUSED"
)

// ErrRefused is wrapped by every *RefusalError.
var ErrRefused = errors.New("red flag refused")

// ErrNoEngagement is wrapped when an agency has no engagement to take a flag.
var ErrNoEngagement = errors.New("no engagement takes requests")

// RefusalError is a flag the network or the configuration will not take as it
// stands; retrying soon is unlikely to help. Anything else that fails is
// transient.
type RefusalError struct {
	Step string
	// Code is the chaincode's ccerror code, the transaction's validation
	// code, or one of the Code constants above.
	Code string
	Err  error
}

func (e *RefusalError) Error() string {
	return fmt.Sprintf("%v at step %s (%s): %v", ErrRefused, e.Step, e.Code, e.Err)
}

// Unwrap makes every RefusalError match ErrRefused and its cause.
func (e *RefusalError) Unwrap() []error { return []error{ErrRefused, e.Err} }

// outcome is how far settling a flag got.
type outcome struct {
	agency, engagement string
	requestID, txID    string
	// existed: the audit contract already held the request.
	existed bool
}

// open resolves the flag's agency and engagement and submits the request.
func (w *Watcher) open(ctx context.Context, flag audit.RedFlag) (outcome, error) {
	var o outcome
	var err error
	if o.agency, err = w.agencyOf(ctx, flag.ID); err != nil {
		return o, err
	}
	if o.engagement, err = w.engagementFor(ctx, o.agency); err != nil {
		return o, err
	}
	arg, err := json.Marshal(flag)
	if err != nil {
		return o, fmt.Errorf("encode red flag: %w", err)
	}
	o.requestID = audit.RedFlagRequestID(flag)
	rec, err := w.txns.Submit(ctx, w.signer, w.call(AuditChaincode, openFunction, o.engagement, string(arg)), txn.SubmitOptions{})
	if err == nil && rec == nil {
		err = fmt.Errorf("%s:%s: no receipt", AuditChaincode, openFunction)
	}
	if err == nil && rec.Err != nil {
		err = rec.Err
	}
	if err != nil {
		if code, ok := chaincodeCode(err); ok && code == ccerror.AlreadyExists {
			o.existed = true
			return o, nil
		}
		return o, classify(StepRequest, err)
	}
	o.txID = rec.TxID
	var r struct {
		ID string `json:"id"`
	}
	if json.Unmarshal(rec.Result, &r) == nil && r.ID != "" {
		o.requestID = r.ID
	}
	return o, nil
}

func (w *Watcher) call(chaincode, function string, args ...string) txn.Call {
	c := txn.Call{Caller: Caller, Chaincode: chaincode, Function: function, Transaction: chaincode + ":" + function}
	for _, a := range args {
		c.Args = append(c.Args, []byte(a))
	}
	return c
}

// tenderView is the part of a procurement tender the watcher reads.
type tenderView struct {
	ID    string `json:"id"`
	Buyer struct {
		ID string `json:"id"` // the buying agency's code
	} `json:"buyer"`
}

// agencyOf asks procurement which agency bought the tender.
func (w *Watcher) agencyOf(ctx context.Context, tenderID string) (string, error) {
	out, err := w.txns.Evaluate(ctx, w.signer, w.call(ProcurementChaincode, tenderFunction, tenderID))
	if err != nil {
		return "", classify(StepTender, err)
	}
	var t tenderView
	if err := json.Unmarshal(out, &t); err != nil || t.ID != tenderID || !idPattern.MatchString(t.Buyer.ID) {
		return "", &RefusalError{Step: StepTender, Code: CodeMalformed,
			Err: fmt.Errorf("%s:%s(%s) did not return the tender with a buyer id", ProcurementChaincode, tenderFunction, tenderID)}
	}
	return t.Buyer.ID, nil
}

// engagementView is the part of an audit engagement the standing policy
// reads.
type engagementView struct {
	ID       string                 `json:"id"`
	Status   audit.EngagementStatus `json:"status"`
	OpenedAt time.Time              `json:"openedAt"`
}

// takesRequests mirrors the audit domain's engagement machine: requests are
// issued while open or reporting.
func (e engagementView) takesRequests() bool {
	return e.Status == audit.EngagementOpen || e.Status == audit.EngagementReporting
}

// newer orders engagements by opening time, then id, so the choice does not
// depend on listing order.
func (e engagementView) newer(than engagementView) bool {
	if !e.OpenedAt.Equal(than.OpenedAt) {
		return e.OpenedAt.After(than.OpenedAt)
	}
	return e.ID > than.ID
}

// engagementFor picks the engagement that takes the agency's flags.
func (w *Watcher) engagementFor(ctx context.Context, agency string) (string, error) {
	if id, ok := w.set.Engagements[agency]; ok {
		return id, nil
	}
	if !w.set.Standing {
		return "", &RefusalError{Step: StepEngagement, Code: CodeNoEngagement,
			Err: fmt.Errorf("%w: agency %s is not in the configured engagements", ErrNoEngagement, agency)}
	}
	var (
		best     engagementView
		found    bool
		bookmark string
	)
	for range maxEngagementPgs {
		out, err := w.txns.Evaluate(ctx, w.signer,
			w.call(AuditChaincode, listFunction, w.set.AgencyMSP, agency, strconv.Itoa(engagementsPage), bookmark))
		if err != nil {
			return "", classify(StepEngagement, err)
		}
		var page struct {
			Items    []engagementView `json:"items"`
			Bookmark string           `json:"bookmark"`
		}
		if err := json.Unmarshal(out, &page); err != nil {
			return "", &RefusalError{Step: StepEngagement, Code: CodeMalformed,
				Err: fmt.Errorf("%s:%s: %w", AuditChaincode, listFunction, err)}
		}
		for _, e := range page.Items {
			if e.takesRequests() && idPattern.MatchString(e.ID) && (!found || e.newer(best)) {
				best, found = e, true
			}
		}
		if page.Bookmark == "" || page.Bookmark == bookmark || len(page.Items) < engagementsPage {
			break
		}
		bookmark = page.Bookmark
	}
	if !found {
		return "", &RefusalError{Step: StepEngagement, Code: CodeNoEngagement,
			Err: fmt.Errorf("%w: agency %s/%s has no open or reporting engagement", ErrNoEngagement, w.set.AgencyMSP, agency)}
	}
	return best.ID, nil
}

// chaincodeCode is the ccerror code of a chaincode's own error in err's
// chain.
func chaincodeCode(err error) (ccerror.Code, bool) {
	var ce *ledger.ChaincodeError
	if !errors.As(err, &ce) {
		return "", false
	}
	if parsed, ok := ccerror.Parse(ce.Message); ok {
		return parsed.Code, true
	}
	return ccerror.Internal, true
}

// classify turns a failure of step into a *RefusalError when waiting will
// not change the answer, and leaves every other error (unavailable peers,
// timeouts, outcomes not known yet, read conflicts) transient.
func classify(step string, err error) error {
	if code, ok := chaincodeCode(err); ok {
		return &RefusalError{Step: step, Code: string(code), Err: err}
	}
	var commit *ledger.CommitError
	if errors.As(err, &commit) {
		if commit.Status.Retryable() {
			return err
		}
		return &RefusalError{Step: step, Code: commit.Status.Code, Err: err}
	}
	if errors.Is(err, ledger.ErrPermissionDenied) || errors.Is(err, ledger.ErrRejected) || errors.Is(err, txn.ErrNotCustodial) {
		return &RefusalError{Step: step, Code: CodeNetworkRefused, Err: err}
	}
	return err
}
