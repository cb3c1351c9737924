package contract

import (
	"github.com/govledger/govledger/chaincode/benefits"
	"github.com/govledger/govledger/chaincode/ccerror"
	"github.com/govledger/govledger/chaincode/identity"
	"github.com/govledger/govledger/chaincode/internal/ledger"
	"github.com/govledger/govledger/chaincode/internal/txn"
	"github.com/govledger/govledger/chaincode/internal/validate"
)

// ProgrammePage is a page of programmes.
type ProgrammePage struct {
	ledger.Page[benefits.Programme]
}

// CreateProgramme defines version 1 of a programme owned by the caller's agency.
func (c *Contract) CreateProgramme(ctx *txn.Context, input string) (*benefits.Programme, error) {
	p, err := createProgramme(ctx, input)
	return p, ccerror.From(err)
}

func createProgramme(ctx *txn.Context, input string) (*benefits.Programme, error) {
	var spec benefits.ProgrammeSpec
	if err := validate.DecodeJSON("input", input, &spec); err != nil {
		return nil, err
	}
	caller, err := callerAgency(ctx)
	if err != nil {
		return nil, err
	}
	now, err := ctx.Now()
	if err != nil {
		return nil, err
	}
	p, err := benefits.NewProgramme(spec, caller.Agency(), now)
	if err != nil {
		return nil, err
	}
	stub := ctx.GetStub()
	key, err := ledger.Key(objProgramme, p.ID)
	if err != nil {
		return nil, err
	}
	if err := ledger.Create(stub, key, p); err != nil {
		return nil, err
	}
	ver, err := ledger.Key(objProgrammeVer, p.ID, versionAttr(p.Version))
	if err != nil {
		return nil, err
	}
	if err := ledger.Put(stub, ver, p); err != nil {
		return nil, err
	}
	return p, ctx.Emit("programme", p.ID, "created", "", programmeEvent(p))
}

// ReviseProgramme publishes the next version of an open programme. Pending
// and decided applications keep the version they were filed under.
func (c *Contract) ReviseProgramme(ctx *txn.Context, input string) (*benefits.Programme, error) {
	p, err := reviseProgramme(ctx, input)
	return p, ccerror.From(err)
}

func reviseProgramme(ctx *txn.Context, input string) (*benefits.Programme, error) {
	var spec benefits.ProgrammeSpec
	if err := validate.DecodeJSON("input", input, &spec); err != nil {
		return nil, err
	}
	caller, err := callerAgency(ctx)
	if err != nil {
		return nil, err
	}
	cur, err := getProgramme(ctx.GetStub(), spec.ID)
	if err != nil {
		return nil, err
	}
	if err := requireAgency(caller, cur.Agency, "programme "+cur.ID); err != nil {
		return nil, err
	}
	now, err := ctx.Now()
	if err != nil {
		return nil, err
	}
	next, err := cur.Revise(spec, now)
	if err != nil {
		return nil, err
	}
	if err := putProgramme(ctx.GetStub(), next); err != nil {
		return nil, err
	}
	return next, ctx.Emit("programme", next.ID, "revised", "", programmeEvent(next))
}

// CloseProgramme stops a programme taking applications; entitlements run on.
func (c *Contract) CloseProgramme(ctx *txn.Context, id string) (*benefits.Programme, error) {
	p, err := closeProgramme(ctx, id)
	return p, ccerror.From(err)
}

func closeProgramme(ctx *txn.Context, id string) (*benefits.Programme, error) {
	caller, err := callerAgency(ctx)
	if err != nil {
		return nil, err
	}
	p, err := getProgramme(ctx.GetStub(), id)
	if err != nil {
		return nil, err
	}
	if err := requireAgency(caller, p.Agency, "programme "+p.ID); err != nil {
		return nil, err
	}
	now, err := ctx.Now()
	if err != nil {
		return nil, err
	}
	if err := p.Close(now); err != nil {
		return nil, err
	}
	if err := putProgramme(ctx.GetStub(), p); err != nil {
		return nil, err
	}
	return p, ctx.Emit("programme", p.ID, "closed", "", programmeEvent(p))
}

func programmeEvent(p *benefits.Programme) map[string]any {
	return map[string]any{"version": p.Version, "status": p.Status, "group": p.ExclusivityKey()}
}

// GetProgramme returns the current version of a programme.
func (c *Contract) GetProgramme(ctx *txn.Context, id string) (*benefits.Programme, error) {
	p, err := getProgramme(ctx.GetStub(), id)
	return p, ccerror.From(err)
}

// GetProgrammeVersion returns one version of a programme.
func (c *Contract) GetProgrammeVersion(ctx *txn.Context, id string, version uint32) (*benefits.Programme, error) {
	p, err := getProgrammeVersion(ctx.GetStub(), id, version)
	return p, ccerror.From(err)
}

// ListProgrammes pages through the current versions of all programmes.
func (c *Contract) ListProgrammes(ctx *txn.Context, size int32, bookmark string) (*ProgrammePage, error) {
	p, err := ledger.List[benefits.Programme](ctx.GetStub(), objProgramme, nil, ledger.PageRequest{Size: size, Bookmark: bookmark})
	if err != nil {
		return nil, ccerror.From(err)
	}
	return &ProgrammePage{p}, nil
}

// ListProgrammeVersions pages through a programme's versions, oldest first.
func (c *Contract) ListProgrammeVersions(ctx *txn.Context, id string, size int32, bookmark string) (*ProgrammePage, error) {
	if err := identity.ValidateID("programmeId", id); err != nil {
		return nil, ccerror.From(err)
	}
	p, err := ledger.List[benefits.Programme](ctx.GetStub(), objProgrammeVer, []string{id}, ledger.PageRequest{Size: size, Bookmark: bookmark})
	if err != nil {
		return nil, ccerror.From(err)
	}
	return &ProgrammePage{p}, nil
}
