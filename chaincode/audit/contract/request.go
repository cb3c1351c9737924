package contract

import (
	"fmt"
	"time"

	"github.com/hyperledger/fabric-chaincode-go/v2/shim"

	"github.com/govledger/govledger/chaincode/audit"
	"github.com/govledger/govledger/chaincode/internal/ledger"
	"github.com/govledger/govledger/chaincode/internal/txn"
	"github.com/govledger/govledger/chaincode/internal/validate"
)

// requestInput is what an auditor supplies to issue a request by hand. It has
// no origin: only OpenRequestFromRedFlag records one.
type requestInput struct {
	ID      string    `json:"id"`
	Subject string    `json:"subject"`
	Detail  string    `json:"detail"`
	DueAt   time.Time `json:"dueAt"`
}

// requestEvent is the data of request and response events. Escalated says the
// transaction also escalated the request because it was past due.
type requestEvent struct {
	EngagementID string              `json:"engagementId"`
	RequestID    string              `json:"requestId"`
	Status       audit.RequestStatus `json:"status"`
	DueAt        time.Time           `json:"dueAt"`
	Escalated    bool                `json:"escalated,omitempty"`
	Seq          int                 `json:"seq,omitempty"` // the response filed
	Late         bool                `json:"late,omitempty"`
	Origin       *audit.RedFlag      `json:"origin,omitempty"`
}

func requestRef(engagementID, id string) string { return engagementID + "/" + id }

func emitRequest(ctx *txn.Context, action, rule string, r audit.Request, ev requestEvent) error {
	ev.EngagementID, ev.RequestID, ev.Status, ev.DueAt = r.EngagementID, r.ID, r.Status, r.DueAt
	return ctx.Emit("request", requestRef(r.EngagementID, r.ID), action, rule, ev)
}

// IssueRequest addresses a request for information to the engagement's
// agency. spec is JSON with id, subject, detail and dueAt (RFC 3339).
func (c *Contract) IssueRequest(ctx *txn.Context, engagementID, spec string) (*audit.Request, error) {
	return done(issueRequest(ctx, engagementID, spec))
}

func issueRequest(ctx *txn.Context, engagementID, raw string) (audit.Request, error) {
	var in requestInput
	if err := validate.DecodeJSON("spec", raw, &in); err != nil {
		return audit.Request{}, err
	}
	spec := audit.RequestSpec{ID: in.ID, Subject: in.Subject, Detail: in.Detail, DueAt: in.DueAt}
	r, err := createRequest(ctx, engagementID, func(audit.Engagement, time.Time) (audit.RequestSpec, error) { return spec, nil })
	if err != nil {
		return audit.Request{}, err
	}
	return r, emitRequest(ctx, "issued", "", r, requestEvent{})
}

// createRequest issues the request prepare derives from the engagement and
// stores it with the engagement's new count of open requests.
func createRequest(ctx *txn.Context, engagementID string, prepare func(audit.Engagement, time.Time) (audit.RequestSpec, error)) (audit.Request, error) {
	a, now, err := begin(ctx)
	if err != nil {
		return audit.Request{}, err
	}
	stub := ctx.GetStub()
	before, err := getEngagement(stub, engagementID)
	if err != nil {
		return audit.Request{}, err
	}
	spec, err := prepare(before, now)
	if err != nil {
		return audit.Request{}, err
	}
	after, r, err := audit.IssueRequest(before, spec, a.id, now)
	if err != nil {
		return audit.Request{}, err
	}
	if err := requests.create(stub, r); err != nil {
		return audit.Request{}, err
	}
	return r, engagements.update(stub, before, after)
}

// touchRequest loads a request as of now: one past its due date is escalated
// first, whatever the transaction goes on to do, so every transaction sees
// deadlines the same way. It returns the stored version too, which the
// update needs to keep indexes in step.
func touchRequest(stub shim.ChaincodeStubInterface, engagementID, id string, now time.Time) (stored, current audit.Request, escalated bool, err error) {
	stored, err = getRequest(stub, engagementID, id)
	if err != nil {
		return audit.Request{}, audit.Request{}, false, err
	}
	current, escalated = audit.Escalate(stored, now)
	return stored, current, escalated, nil
}

// changeRequest applies an auditor's change to a request that does not touch
// its engagement.
func changeRequest(ctx *txn.Context, engagementID, id, action string,
	change func(audit.Request, time.Time) (audit.Request, error)) (audit.Request, error) {
	_, now, err := begin(ctx)
	if err != nil {
		return audit.Request{}, err
	}
	stub := ctx.GetStub()
	stored, current, escalated, err := touchRequest(stub, engagementID, id, now)
	if err != nil {
		return audit.Request{}, err
	}
	after, err := change(current, now)
	if err != nil {
		return audit.Request{}, err
	}
	if err := requests.update(stub, stored, after); err != nil {
		return audit.Request{}, err
	}
	return after, emitRequest(ctx, action, "", after, requestEvent{Escalated: escalated})
}

// ExtendRequest moves an open or escalated request's due date later (dueAt,
// RFC 3339); an escalated request returns to open.
func (c *Contract) ExtendRequest(ctx *txn.Context, engagementID, requestID, reason, dueAt string) (*audit.Request, error) {
	due, err := validate.Time("dueAt", dueAt)
	if err != nil {
		return done(audit.Request{}, err)
	}
	return done(changeRequest(ctx, engagementID, requestID, "extended", func(r audit.Request, now time.Time) (audit.Request, error) {
		return r.Extend(reason, due, now)
	}))
}

// ReopenRequest sends a responded request back to the agency for more, due
// at dueAt (RFC 3339).
func (c *Contract) ReopenRequest(ctx *txn.Context, engagementID, requestID, reason, dueAt string) (*audit.Request, error) {
	due, err := validate.Time("dueAt", dueAt)
	if err != nil {
		return done(audit.Request{}, err)
	}
	return done(changeRequest(ctx, engagementID, requestID, "reopened", func(r audit.Request, now time.Time) (audit.Request, error) {
		return r.Reopen(reason, due, now)
	}))
}

// settleRequest applies an auditor's decision that settles a request and so
// changes its engagement's count of open requests.
func settleRequest(ctx *txn.Context, engagementID, id, action string,
	settle func(audit.Engagement, audit.Request, time.Time) (audit.Engagement, audit.Request, error)) (audit.Request, error) {
	_, now, err := begin(ctx)
	if err != nil {
		return audit.Request{}, err
	}
	stub := ctx.GetStub()
	stored, current, escalated, err := touchRequest(stub, engagementID, id, now)
	if err != nil {
		return audit.Request{}, err
	}
	eng, err := getEngagement(stub, engagementID)
	if err != nil {
		return audit.Request{}, err
	}
	engAfter, after, err := settle(eng, current, now)
	if err != nil {
		return audit.Request{}, err
	}
	if err := requests.update(stub, stored, after); err != nil {
		return audit.Request{}, err
	}
	if err := engagements.update(stub, eng, engAfter); err != nil {
		return audit.Request{}, err
	}
	return after, emitRequest(ctx, action, "", after, requestEvent{Escalated: escalated})
}

// AcceptResponse accepts the agency's response and settles the request.
func (c *Contract) AcceptResponse(ctx *txn.Context, engagementID, requestID string) (*audit.Request, error) {
	return done(settleRequest(ctx, engagementID, requestID, "accepted", audit.AcceptResponse))
}

// WithdrawRequest withdraws a request the audit office no longer needs.
func (c *Contract) WithdrawRequest(ctx *txn.Context, engagementID, requestID, reason string) (*audit.Request, error) {
	return done(settleRequest(ctx, engagementID, requestID, "withdrawn", func(e audit.Engagement, r audit.Request, now time.Time) (audit.Engagement, audit.Request, error) {
		return audit.WithdrawRequest(e, r, reason, now)
	}))
}

// FileResponse records the audited agency's response to a request. Only the
// agency's own users may file it. spec is an audit.ResponseSpec as JSON.
func (c *Contract) FileResponse(ctx *txn.Context, engagementID, requestID, spec string) (*audit.Response, error) {
	return done(fileResponse(ctx, engagementID, requestID, spec))
}

func fileResponse(ctx *txn.Context, engagementID, requestID, raw string) (audit.Response, error) {
	a, now, err := begin(ctx)
	if err != nil {
		return audit.Response{}, err
	}
	stub := ctx.GetStub()
	stored, current, escalated, err := touchRequest(stub, engagementID, requestID, now)
	if err != nil {
		return audit.Response{}, err
	}
	if err := a.mayAnswer("FileResponse", current.Agency); err != nil {
		return audit.Response{}, err
	}
	var spec audit.ResponseSpec
	if err := validate.DecodeJSON("spec", raw, &spec); err != nil {
		return audit.Response{}, err
	}
	after, resp, err := audit.FileResponse(current, spec, a.id, now)
	if err != nil {
		return audit.Response{}, err
	}
	key, err := responseKey(resp.EngagementID, resp.RequestID, resp.Seq)
	if err != nil {
		return audit.Response{}, err
	}
	if err := ledger.Create(stub, key, resp); err != nil {
		return audit.Response{}, err
	}
	if err := requests.update(stub, stored, after); err != nil {
		return audit.Response{}, err
	}
	ref := fmt.Sprintf("%s/%d", requestRef(resp.EngagementID, resp.RequestID), resp.Seq)
	return resp, ctx.Emit("response", ref, "filed", "",
		requestEvent{EngagementID: after.EngagementID, RequestID: after.ID, Status: after.Status, DueAt: after.DueAt,
			Escalated: escalated, Seq: resp.Seq, Late: resp.Late})
}
