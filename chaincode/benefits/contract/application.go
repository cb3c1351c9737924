package contract

import (
	"github.com/govledger/govledger/chaincode/benefits"
	"github.com/govledger/govledger/chaincode/ccerror"
	"github.com/govledger/govledger/chaincode/identity"
	"github.com/govledger/govledger/chaincode/internal/ledger"
	"github.com/govledger/govledger/chaincode/internal/txn"
	"github.com/govledger/govledger/chaincode/internal/validate"
)

// ApplicationInput is the argument of SubmitApplication. The filing agency
// is the caller's; the evidence travels in the transient map.
type ApplicationInput struct {
	ID          string           `json:"id"`
	ProgrammeID string           `json:"programmeId"`
	Subject     identity.Subject `json:"subject"`
}

// ApplicationPage is a page of applications.
type ApplicationPage struct {
	ledger.Page[benefits.Application]
}

// SubmitApplication files an application for a subject under the current
// version of a programme and decides it at once from the evidence in the
// transient map. An eligible applicant who holds no benefit in the
// programme's exclusivity group is granted an entitlement; anyone else is
// refused with the reason and the explanation recorded.
//
//govledger:transient evidence
func (c *Contract) SubmitApplication(ctx *txn.Context, input string) (*benefits.Application, error) {
	app, err := c.submitApplication(ctx, input)
	return app, ccerror.From(err)
}

func (c *Contract) submitApplication(ctx *txn.Context, input string) (*benefits.Application, error) {
	var in ApplicationInput
	if err := validate.DecodeJSON("input", input, &in); err != nil {
		return nil, err
	}
	caller, err := callerAgency(ctx)
	if err != nil {
		return nil, err
	}
	stub := ctx.GetStub()
	p, err := getProgramme(stub, in.ProgrammeID)
	if err != nil {
		return nil, err
	}
	now, err := ctx.Now()
	if err != nil {
		return nil, err
	}
	app, err := benefits.NewApplication(in.ID, p, in.Subject, caller.Agency(), now)
	if err != nil {
		return nil, err
	}
	key, err := ledger.Key(objApplication, app.ID)
	if err != nil {
		return nil, err
	}
	// Refuse a duplicate ID before consulting the identity chaincode, so no
	// access is recorded for an application that cannot be filed.
	exists, err := ledger.Exists(stub, key)
	if err != nil {
		return nil, err
	}
	if exists {
		return nil, &ledger.KeyError{Key: key, Err: ledger.ErrExists}
	}
	if err := applicationsBySubject.Put(stub, string(app.Subject), app.ID); err != nil {
		return nil, err
	}
	return app, c.decide(ctx, app, p)
}

// ReassessApplication decides again an application reopened by an upheld
// appeal, against the programme version it was filed under, with the
// evidence now in the transient map. Only the filing agency may.
//
//govledger:transient evidence
func (c *Contract) ReassessApplication(ctx *txn.Context, id string) (*benefits.Application, error) {
	app, err := c.reassessApplication(ctx, id)
	return app, ccerror.From(err)
}

func (c *Contract) reassessApplication(ctx *txn.Context, id string) (*benefits.Application, error) {
	caller, err := callerAgency(ctx)
	if err != nil {
		return nil, err
	}
	stub := ctx.GetStub()
	app, err := getApplication(stub, id)
	if err != nil {
		return nil, err
	}
	if err := requireAgency(caller, app.Agency, "application "+app.ID); err != nil {
		return nil, err
	}
	if app.Status != benefits.ApplicationSubmitted {
		return nil, ccerror.Precondition("application-status", "application "+app.ID+" is "+string(app.Status)+"; only a reopened application is reassessed")
	}
	p, err := getProgrammeVersion(stub, app.ProgrammeID, app.ProgrammeVersion)
	if err != nil {
		return nil, err
	}
	return app, c.decide(ctx, app, p)
}

// decide assesses the evidence, checks exclusivity, records the decision and
// any entitlement, and emits the decision's event.
func (c *Contract) decide(ctx *txn.Context, app *benefits.Application, p *benefits.Programme) error {
	var items []EvidenceInput
	if err := ctx.Transient(TransientEvidence, &items); err != nil {
		return err
	}
	stub := ctx.GetStub()
	evidence, err := c.gather(stub, p, items)
	if err != nil {
		return err
	}
	now, err := ctx.Now()
	if err != nil {
		return err
	}
	assessment, err := p.Assess(app.Subject, evidence, now)
	if err != nil {
		return err
	}
	held, err := heldInGroup(stub, app.Subject, p.ExclusivityKey())
	if err != nil {
		return err
	}
	dup := benefits.CheckExclusivity(p, app.Subject, held, now)
	entID := "ent-" + app.ID
	if err := app.Decide(assessment, dup, entID, app.Agency, now); err != nil {
		return err
	}
	if err := put(stub, objApplication, app.ID, app); err != nil {
		return err
	}
	if app.Status != benefits.ApplicationApproved {
		return ctx.Emit("application", app.ID, "rejected", "", map[string]any{
			"subject": app.Subject, "programme": app.ProgrammeID, "refusal": app.Decision.Refusal,
			"blockedBy": app.Decision.BlockedBy, "outcome": app.Decision.Explanation.Outcome,
		})
	}
	ent, err := benefits.Grant(entID, app, p, now)
	if err != nil {
		return err
	}
	entKey, err := ledger.Key(objEntitlement, ent.ID)
	if err != nil {
		return err
	}
	if err := ledger.Create(stub, entKey, ent); err != nil {
		return err
	}
	if err := entitlementsBySubject.Put(stub, string(ent.Subject), ent.ID); err != nil {
		return err
	}
	if err := holdGroup(stub, ent); err != nil {
		return err
	}
	return ctx.Emit("entitlement", ent.ID, "granted", "", entitlementEvent(ent))
}

// GetApplication returns an application with its decision and explanation.
func (c *Contract) GetApplication(ctx *txn.Context, id string) (*benefits.Application, error) {
	app, err := getApplication(ctx.GetStub(), id)
	return app, ccerror.From(err)
}

// ListApplications pages through a subject's applications.
func (c *Contract) ListApplications(ctx *txn.Context, subject string, size int32, bookmark string) (*ApplicationPage, error) {
	s, err := identity.ParseSubject(subject)
	if err != nil {
		return nil, ccerror.From(err)
	}
	p, err := ledger.ListIndex[benefits.Application](ctx.GetStub(), applicationsBySubject, []string{string(s)},
		ledger.PageRequest{Size: size, Bookmark: bookmark},
		func(v []string) (string, error) { return ledger.Key(objApplication, v[1]) })
	if err != nil {
		return nil, ccerror.From(err)
	}
	return &ApplicationPage{p}, nil
}
