package contract

import (
	"github.com/govledger/govledger/chaincode/benefits"
	"github.com/govledger/govledger/chaincode/ccerror"
	"github.com/govledger/govledger/chaincode/identity"
	"github.com/govledger/govledger/chaincode/internal/ledger"
	"github.com/govledger/govledger/chaincode/internal/txn"
)

// EntitlementPage is a page of entitlements.
type EntitlementPage struct {
	ledger.Page[benefits.Entitlement]
}

// SuspendEntitlement pauses payments, e.g. while a fraud flag is reviewed.
// The subject still holds the benefit for duplicate checks.
func (c *Contract) SuspendEntitlement(ctx *txn.Context, id, reason string) (*benefits.Entitlement, error) {
	e, err := changeEntitlement(ctx, id, reason, benefits.EntitlementSuspend, "suspended")
	return e, ccerror.From(err)
}

// ResumeEntitlement lifts a suspension.
func (c *Contract) ResumeEntitlement(ctx *txn.Context, id, reason string) (*benefits.Entitlement, error) {
	e, err := changeEntitlement(ctx, id, reason, benefits.EntitlementResume, "resumed")
	return e, ccerror.From(err)
}

// EndEntitlement stops an entitlement for good and frees the subject's
// exclusivity group.
func (c *Contract) EndEntitlement(ctx *txn.Context, id, reason string) (*benefits.Entitlement, error) {
	e, err := changeEntitlement(ctx, id, reason, benefits.EntitlementEnd, "ended")
	return e, ccerror.From(err)
}

func changeEntitlement(ctx *txn.Context, id, reason string, action benefits.EntitlementAction, event string) (*benefits.Entitlement, error) {
	caller, err := callerAgency(ctx)
	if err != nil {
		return nil, err
	}
	stub := ctx.GetStub()
	e, err := getEntitlement(stub, id)
	if err != nil {
		return nil, err
	}
	if err := requireAgency(caller, e.Agency, "entitlement "+e.ID); err != nil {
		return nil, err
	}
	now, err := ctx.Now()
	if err != nil {
		return nil, err
	}
	if err := e.Apply(action, reason, now); err != nil {
		return nil, err
	}
	if err := put(stub, objEntitlement, e.ID, e); err != nil {
		return nil, err
	}
	if err := releaseGroup(stub, e); err != nil {
		return nil, err
	}
	return e, ctx.Emit("entitlement", e.ID, event, "", entitlementEvent(e))
}

// entitlementEvent is what subscribers need to notify the subject: whose
// entitlement, under which programme, and its status.
func entitlementEvent(e *benefits.Entitlement) map[string]any {
	return map[string]any{
		"subject": e.Subject, "programme": e.ProgrammeID, "agency": e.Agency,
		"status": e.Status, "reason": e.Reason, "start": e.Start, "end": e.End,
	}
}

// GetEntitlement returns an entitlement.
func (c *Contract) GetEntitlement(ctx *txn.Context, id string) (*benefits.Entitlement, error) {
	e, err := getEntitlement(ctx.GetStub(), id)
	return e, ccerror.From(err)
}

// ListEntitlements pages through a subject's entitlements.
func (c *Contract) ListEntitlements(ctx *txn.Context, subject string, size int32, bookmark string) (*EntitlementPage, error) {
	s, err := identity.ParseSubject(subject)
	if err != nil {
		return nil, ccerror.From(err)
	}
	p, err := ledger.ListIndex[benefits.Entitlement](ctx.GetStub(), entitlementsBySubject, []string{string(s)},
		ledger.PageRequest{Size: size, Bookmark: bookmark},
		func(v []string) (string, error) { return ledger.Key(objEntitlement, v[1]) })
	if err != nil {
		return nil, ccerror.From(err)
	}
	return &EntitlementPage{p}, nil
}
