package contract

import (
	"github.com/govledger/govledger/chaincode/benefits"
	"github.com/govledger/govledger/chaincode/ccerror"
	"github.com/govledger/govledger/chaincode/identity"
	"github.com/govledger/govledger/chaincode/internal/ledger"
	"github.com/govledger/govledger/chaincode/internal/txn"
	"github.com/govledger/govledger/chaincode/internal/validate"
)

// AppealInput is the argument of FileAppeal. The agency filing it for the
// subject is the caller's.
type AppealInput struct {
	ID          string                `json:"id"`
	Application string                `json:"application"`
	Ground      benefits.AppealGround `json:"ground"`
}

// AppealPage is a page of appeals.
type AppealPage struct{ ledger.Page[benefits.Appeal] }

// FileAppeal appeals a refusal on the subject's behalf. Any caseworker may
// file it, since a subject may appeal at whichever office they visit.
func (c *Contract) FileAppeal(ctx *txn.Context, input string) (*benefits.Appeal, error) {
	a, err := fileAppeal(ctx, input)
	return a, ccerror.From(err)
}

func fileAppeal(ctx *txn.Context, input string) (*benefits.Appeal, error) {
	var in AppealInput
	if err := validate.DecodeJSON("input", input, &in); err != nil {
		return nil, err
	}
	caller, err := callerAgency(ctx)
	if err != nil {
		return nil, err
	}
	stub := ctx.GetStub()
	app, err := getApplication(stub, in.Application)
	if err != nil {
		return nil, err
	}
	now, err := ctx.Now()
	if err != nil {
		return nil, err
	}
	a, err := benefits.FileAppeal(in.ID, app, in.Ground, caller.Agency(), now)
	if err != nil {
		return nil, err
	}
	key, err := ledger.Key(objAppeal, a.ID)
	if err != nil {
		return nil, err
	}
	if err := ledger.Create(stub, key, a); err != nil {
		return nil, err
	}
	if err := appealsByApplication.Put(stub, a.ApplicationID, a.ID); err != nil {
		return nil, err
	}
	return a, ctx.Emit("appeal", a.ID, "filed", "", appealEvent(a))
}

// ReviewAppeal takes a filed appeal under review.
func (c *Contract) ReviewAppeal(ctx *txn.Context, id string) (*benefits.Appeal, error) {
	a, err := moveAppeal(ctx, id, benefits.AppealReview, "reviewed")
	return a, ccerror.From(err)
}

// UpholdAppeal rules for the subject: the refused application is reopened
// for the filing agency to reassess with fresh evidence.
func (c *Contract) UpholdAppeal(ctx *txn.Context, id string) (*benefits.Appeal, error) {
	a, err := moveAppeal(ctx, id, benefits.AppealUphold, "upheld")
	return a, ccerror.From(err)
}

// DismissAppeal rules against the subject; the refusal stands.
func (c *Contract) DismissAppeal(ctx *txn.Context, id string) (*benefits.Appeal, error) {
	a, err := moveAppeal(ctx, id, benefits.AppealDismiss, "dismissed")
	return a, ccerror.From(err)
}

// WithdrawAppeal records that the subject dropped the appeal.
func (c *Contract) WithdrawAppeal(ctx *txn.Context, id string) (*benefits.Appeal, error) {
	a, err := moveAppeal(ctx, id, benefits.AppealWithdraw, "withdrawn")
	return a, ccerror.From(err)
}

func moveAppeal(ctx *txn.Context, id string, action benefits.AppealAction, event string) (*benefits.Appeal, error) {
	caller, err := callerAgency(ctx)
	if err != nil {
		return nil, err
	}
	stub := ctx.GetStub()
	a, err := getAppeal(stub, id)
	if err != nil {
		return nil, err
	}
	now, err := ctx.Now()
	if err != nil {
		return nil, err
	}
	if err := a.Apply(action, caller.Agency(), now); err != nil {
		return nil, err
	}
	if a.Status == benefits.AppealUpheld {
		app, err := getApplication(stub, a.ApplicationID)
		if err != nil {
			return nil, err
		}
		if err := app.Reopen(a); err != nil {
			return nil, err
		}
		if err := put(stub, objApplication, app.ID, app); err != nil {
			return nil, err
		}
	}
	if err := put(stub, objAppeal, a.ID, a); err != nil {
		return nil, err
	}
	return a, ctx.Emit("appeal", a.ID, event, "", appealEvent(a))
}

func appealEvent(a *benefits.Appeal) map[string]any {
	return map[string]any{"application": a.ApplicationID, "subject": a.Subject, "ground": a.Ground, "status": a.Status}
}

// GetAppeal returns an appeal.
func (c *Contract) GetAppeal(ctx *txn.Context, id string) (*benefits.Appeal, error) {
	a, err := getAppeal(ctx.GetStub(), id)
	return a, ccerror.From(err)
}

// ListAppeals pages through the appeals against an application.
func (c *Contract) ListAppeals(ctx *txn.Context, applicationID string, size int32, bookmark string) (*AppealPage, error) {
	if err := identity.ValidateID("applicationId", applicationID); err != nil {
		return nil, ccerror.From(err)
	}
	p, err := ledger.ListIndex[benefits.Appeal](ctx.GetStub(), appealsByApplication, []string{applicationID},
		ledger.PageRequest{Size: size, Bookmark: bookmark},
		func(v []string) (string, error) { return ledger.Key(objAppeal, v[1]) })
	if err != nil {
		return nil, ccerror.From(err)
	}
	return &AppealPage{p}, nil
}
