package contract

import (
	"fmt"
	"time"

	"github.com/govledger/govledger/chaincode/audit"
	"github.com/govledger/govledger/chaincode/internal/ledger"
	"github.com/govledger/govledger/chaincode/internal/txn"
	"github.com/govledger/govledger/chaincode/internal/validate"
)

// findingEvent is the data of finding events; never the finding's text.
type findingEvent struct {
	EngagementID string              `json:"engagementId"`
	FindingID    string              `json:"findingId"`
	Severity     audit.Severity      `json:"severity"`
	Status       audit.FindingStatus `json:"status"`
	Signatures   int                 `json:"signatures"`
	Required     int                 `json:"required"`
}

func emitFinding(ctx *txn.Context, action string, f audit.Finding) error {
	return ctx.Emit("finding", f.EngagementID+"/"+f.ID, action, "", findingEvent{
		EngagementID: f.EngagementID, FindingID: f.ID, Severity: f.Severity, Status: f.Status,
		Signatures: len(f.SignOff.Signatures), Required: f.SignOff.Required,
	})
}

// ruleExists is the rule of a reference to something that does not exist.
const ruleExists = "exists"

// checkRequests requires the requests a finding cites to exist on its
// engagement.
func checkRequests(ctx *txn.Context, engagementID string, ids []string) error {
	for i, id := range ids {
		key, err := ledger.Key(objRequest, engagementID, id)
		if err != nil {
			return err
		}
		ok, err := ledger.Exists(ctx.GetStub(), key)
		if err != nil {
			return err
		}
		if !ok {
			return validate.Fail(fmt.Sprintf("requests[%d]", i), ruleExists, "must name a request of engagement "+engagementID)
		}
	}
	return nil
}

func decodeFinding(raw string) (audit.FindingSpec, error) {
	var spec audit.FindingSpec
	if err := validate.DecodeJSON("spec", raw, &spec); err != nil {
		return spec, err
	}
	if err := checkSigners("quorum", spec.Quorum); err != nil {
		return spec, err
	}
	return spec, nil
}

// RaiseFinding drafts a finding on an engagement in fieldwork or reporting.
// spec is an audit.FindingSpec as JSON: the standard elements, the requests
// it rests on (which must exist on the engagement) and the quorum of audit
// office signers that will make it final.
func (c *Contract) RaiseFinding(ctx *txn.Context, engagementID, spec string) (*audit.Finding, error) {
	return done(raiseFinding(ctx, engagementID, spec))
}

func raiseFinding(ctx *txn.Context, engagementID, raw string) (audit.Finding, error) {
	a, now, err := begin(ctx)
	if err != nil {
		return audit.Finding{}, err
	}
	spec, err := decodeFinding(raw)
	if err != nil {
		return audit.Finding{}, err
	}
	stub := ctx.GetStub()
	before, err := getEngagement(stub, engagementID)
	if err != nil {
		return audit.Finding{}, err
	}
	after, f, err := audit.RaiseFinding(before, spec, a.id, now)
	if err != nil {
		return audit.Finding{}, err
	}
	if err := checkRequests(ctx, engagementID, spec.Requests); err != nil {
		return audit.Finding{}, err
	}
	if err := findings.create(stub, f); err != nil {
		return audit.Finding{}, err
	}
	if err := engagements.update(stub, before, after); err != nil {
		return audit.Finding{}, err
	}
	return f, emitFinding(ctx, "raised", f)
}

// changeFinding applies a change that does not touch the engagement.
func changeFinding(ctx *txn.Context, engagementID, id string, change func(actor, audit.Finding, time.Time) (audit.Finding, error)) (audit.Finding, error) {
	a, now, err := begin(ctx)
	if err != nil {
		return audit.Finding{}, err
	}
	stub := ctx.GetStub()
	before, err := getFinding(stub, engagementID, id)
	if err != nil {
		return audit.Finding{}, err
	}
	after, err := change(a, before, now)
	if err != nil {
		return audit.Finding{}, err
	}
	return after, findings.update(stub, before, after)
}

// settleFinding applies a change that settles the finding and so changes the
// engagement's count of open findings.
func settleFinding(ctx *txn.Context, engagementID, id string,
	settle func(actor, audit.Engagement, audit.Finding, time.Time) (audit.Engagement, audit.Finding, error)) (audit.Finding, error) {
	a, now, err := begin(ctx)
	if err != nil {
		return audit.Finding{}, err
	}
	stub := ctx.GetStub()
	before, err := getFinding(stub, engagementID, id)
	if err != nil {
		return audit.Finding{}, err
	}
	eng, err := getEngagement(stub, engagementID)
	if err != nil {
		return audit.Finding{}, err
	}
	engAfter, after, err := settle(a, eng, before, now)
	if err != nil {
		return audit.Finding{}, err
	}
	if err := findings.update(stub, before, after); err != nil {
		return audit.Finding{}, err
	}
	return after, engagements.update(stub, eng, engAfter)
}

func emitted(ctx *txn.Context, action string, f audit.Finding, err error) (*audit.Finding, error) {
	if err == nil {
		err = emitFinding(ctx, action, f)
	}
	return done(f, err)
}

// ReviseFinding replaces a draft finding's content and quorum; signatures
// collected so far lapse. spec is an audit.FindingSpec as JSON whose id is the
// finding's.
func (c *Contract) ReviseFinding(ctx *txn.Context, engagementID, spec string) (*audit.Finding, error) {
	in, err := decodeFinding(spec)
	if err == nil {
		err = checkRequests(ctx, engagementID, in.Requests)
	}
	if err != nil {
		return done(audit.Finding{}, err)
	}
	f, err := changeFinding(ctx, engagementID, in.ID, func(_ actor, f audit.Finding, now time.Time) (audit.Finding, error) {
		return f.Revise(in, now)
	})
	return emitted(ctx, "revised", f, err)
}

// SignFinding signs a draft finding as the caller, who must be one of its
// named signers. The signature that completes the quorum issues the finding
// and puts its key under the audit office's endorsement.
func (c *Contract) SignFinding(ctx *txn.Context, engagementID, findingID string) (*audit.Finding, error) {
	f, err := changeFinding(ctx, engagementID, findingID, func(a actor, f audit.Finding, now time.Time) (audit.Finding, error) {
		return f.Sign(a.id, now)
	})
	action := "signed"
	if f.Status == audit.FindingIssued {
		action = "issued"
	}
	return emitted(ctx, action, f, err)
}

// WithdrawFinding drops a draft finding.
func (c *Contract) WithdrawFinding(ctx *txn.Context, engagementID, findingID, reason string) (*audit.Finding, error) {
	f, err := settleFinding(ctx, engagementID, findingID, func(_ actor, e audit.Engagement, f audit.Finding, now time.Time) (audit.Engagement, audit.Finding, error) {
		return audit.WithdrawFinding(e, f, reason, now)
	})
	return emitted(ctx, "withdrawn", f, err)
}

// RespondToFinding records the audited agency's management response to an
// issued finding. Only the agency's own users may file it. spec is an
// audit.ManagementResponseSpec as JSON.
func (c *Contract) RespondToFinding(ctx *txn.Context, engagementID, findingID, spec string) (*audit.Finding, error) {
	f, err := changeFinding(ctx, engagementID, findingID, func(a actor, f audit.Finding, now time.Time) (audit.Finding, error) {
		if err := a.mayAnswer("RespondToFinding", f.Agency); err != nil {
			return f, err
		}
		var in audit.ManagementResponseSpec
		if err := validate.DecodeJSON("spec", spec, &in); err != nil {
			return f, err
		}
		return f.RespondManagement(in, a.id, now)
	})
	return emitted(ctx, "responded", f, err)
}

// RecordFollowUp records an auditor's follow-up review of an issued finding.
// spec is an audit.FollowUpSpec as JSON.
func (c *Contract) RecordFollowUp(ctx *txn.Context, engagementID, findingID, spec string) (*audit.Finding, error) {
	f, err := changeFinding(ctx, engagementID, findingID, func(a actor, f audit.Finding, now time.Time) (audit.Finding, error) {
		var in audit.FollowUpSpec
		if err := validate.DecodeJSON("spec", spec, &in); err != nil {
			return f, err
		}
		return f.RecordFollowUp(in, a.id, now)
	})
	return emitted(ctx, "followed-up", f, err)
}

// CloseFinding ends a finding's follow-up. spec is an audit.ClosureSpec as
// JSON; its outcome must be backed by the record (see audit.CloseFinding).
func (c *Contract) CloseFinding(ctx *txn.Context, engagementID, findingID, spec string) (*audit.Finding, error) {
	f, err := settleFinding(ctx, engagementID, findingID, func(a actor, e audit.Engagement, f audit.Finding, now time.Time) (audit.Engagement, audit.Finding, error) {
		var in audit.ClosureSpec
		if err := validate.DecodeJSON("spec", spec, &in); err != nil {
			return e, f, err
		}
		return audit.CloseFinding(e, f, in, a.id, now)
	})
	return emitted(ctx, "closed", f, err)
}
