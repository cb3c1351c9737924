package contract

import (
	"fmt"
	"time"

	"github.com/govledger/govledger/chaincode/audit"
	"github.com/govledger/govledger/chaincode/ccerror"
	"github.com/govledger/govledger/chaincode/internal/access"
	"github.com/govledger/govledger/chaincode/internal/txn"
	"github.com/govledger/govledger/chaincode/internal/validate"
)

// done ends every contract function: errors leave in the wire format.
func done[T any](v T, err error) (*T, error) {
	if err != nil {
		return nil, ccerror.From(err)
	}
	return &v, nil
}

// begin reads who is calling and the transaction time.
func begin(ctx *txn.Context) (actor, time.Time, error) {
	a, err := callerOf(ctx)
	if err != nil {
		return actor{}, time.Time{}, err
	}
	now, err := ctx.Now()
	if err != nil {
		return actor{}, time.Time{}, err
	}
	return a, now, nil
}

// checkSigners requires every named signer to be an audit office identity:
// sign-off is the audit office's own quality control.
func checkSigners(field string, q audit.Quorum) error {
	for i, s := range q.Signers {
		if s.MSPID != AuditOfficeMSP {
			return validate.Fail(fmt.Sprintf("%s.signers[%d].mspId", field, i), validate.RuleOneOf, "must be "+AuditOfficeMSP)
		}
	}
	return nil
}

// engagementEvent is the data of engagement and report events.
type engagementEvent struct {
	Agency audit.Agency           `json:"agency"`
	Status audit.EngagementStatus `json:"status"`
}

func emitEngagement(ctx *txn.Context, entity, action string, e audit.Engagement) error {
	return ctx.Emit(entity, e.ID, action, "", engagementEvent{Agency: e.Agency, Status: e.Status})
}

// OpenEngagement opens an engagement on an agency. spec is an
// audit.EngagementSpec as JSON. The audit office cannot audit itself, and the
// regulator, which never writes, could never answer.
func (c *Contract) OpenEngagement(ctx *txn.Context, spec string) (*audit.Engagement, error) {
	return done(openEngagement(ctx, spec))
}

func openEngagement(ctx *txn.Context, raw string) (audit.Engagement, error) {
	a, now, err := begin(ctx)
	if err != nil {
		return audit.Engagement{}, err
	}
	var spec audit.EngagementSpec
	if err := validate.DecodeJSON("spec", raw, &spec); err != nil {
		return audit.Engagement{}, err
	}
	if m := spec.Agency.MSPID; m == AuditOfficeMSP || m == access.RegulatorMSP {
		return audit.Engagement{}, validate.Fail("agency.mspId", validate.RuleOneOf, "must be an audited agency's MSP, not "+m)
	}
	e, err := audit.OpenEngagement(spec, a.id, now)
	if err != nil {
		return audit.Engagement{}, err
	}
	if err := engagements.create(ctx.GetStub(), e); err != nil {
		return audit.Engagement{}, err
	}
	return e, emitEngagement(ctx, "engagement", "opened", e)
}

// changeEngagement loads an engagement, applies change and stores the result.
func changeEngagement(ctx *txn.Context, id string, change func(actor, audit.Engagement, time.Time) (audit.Engagement, error)) (audit.Engagement, error) {
	a, now, err := begin(ctx)
	if err != nil {
		return audit.Engagement{}, err
	}
	before, err := getEngagement(ctx.GetStub(), id)
	if err != nil {
		return audit.Engagement{}, err
	}
	after, err := change(a, before, now)
	if err != nil {
		return audit.Engagement{}, err
	}
	return after, engagements.update(ctx.GetStub(), before, after)
}

// WithdrawEngagement abandons an engagement before its report is issued.
func (c *Contract) WithdrawEngagement(ctx *txn.Context, engagementID, reason string) (*audit.Engagement, error) {
	e, err := changeEngagement(ctx, engagementID, func(_ actor, e audit.Engagement, now time.Time) (audit.Engagement, error) {
		return e.Withdraw(reason, now)
	})
	if err == nil {
		err = emitEngagement(ctx, "engagement", "withdrawn", e)
	}
	return done(e, err)
}

// CloseEngagement closes an issued engagement once every request and finding
// on it is settled.
func (c *Contract) CloseEngagement(ctx *txn.Context, engagementID string) (*audit.Engagement, error) {
	e, err := changeEngagement(ctx, engagementID, func(_ actor, e audit.Engagement, now time.Time) (audit.Engagement, error) {
		return e.Close(now)
	})
	if err == nil {
		err = emitEngagement(ctx, "engagement", "closed", e)
	}
	return done(e, err)
}

// DraftReport attaches the draft report to an engagement in fieldwork. spec is
// an audit.ReportSpec as JSON; its signers must be audit office identities.
func (c *Contract) DraftReport(ctx *txn.Context, engagementID, spec string) (*audit.Engagement, error) {
	return done(putReport(ctx, engagementID, spec, "drafted", audit.Engagement.DraftReport))
}

// ReviseReport replaces the draft report; signatures collected so far lapse.
func (c *Contract) ReviseReport(ctx *txn.Context, engagementID, spec string) (*audit.Engagement, error) {
	return done(putReport(ctx, engagementID, spec, "revised", audit.Engagement.ReviseReport))
}

func putReport(ctx *txn.Context, engagementID, raw, action string,
	apply func(audit.Engagement, audit.ReportSpec, audit.Identity, time.Time) (audit.Engagement, error)) (audit.Engagement, error) {
	var spec audit.ReportSpec
	if err := validate.DecodeJSON("spec", raw, &spec); err != nil {
		return audit.Engagement{}, err
	}
	if err := checkSigners("quorum", spec.Quorum); err != nil {
		return audit.Engagement{}, err
	}
	e, err := changeEngagement(ctx, engagementID, func(a actor, e audit.Engagement, now time.Time) (audit.Engagement, error) {
		return apply(e, spec, a.id, now)
	})
	if err != nil {
		return audit.Engagement{}, err
	}
	return e, emitEngagement(ctx, "report", action, e)
}

// SignReport signs the draft report as the caller, who must be one of its
// named signers. The signature that completes the quorum issues the report
// and puts the engagement under the audit office's endorsement.
func (c *Contract) SignReport(ctx *txn.Context, engagementID string) (*audit.Engagement, error) {
	e, err := changeEngagement(ctx, engagementID, func(a actor, e audit.Engagement, now time.Time) (audit.Engagement, error) {
		return e.SignReport(a.id, now)
	})
	if err == nil {
		action := "signed"
		if e.Status == audit.EngagementIssued {
			action = "issued"
		}
		err = emitEngagement(ctx, "report", action, e)
	}
	return done(e, err)
}
