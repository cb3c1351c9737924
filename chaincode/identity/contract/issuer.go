package contract

import (
	"github.com/govledger/govledger/chaincode/ccerror"
	"github.com/govledger/govledger/chaincode/identity"
	"github.com/govledger/govledger/chaincode/internal/ledger"
	"github.com/govledger/govledger/chaincode/internal/txn"
	"github.com/govledger/govledger/chaincode/internal/validate"
)

// AccreditInput is the argument of AccreditIssuer.
type AccreditInput struct {
	Agency string   `json:"agency"`
	Kinds  []string `json:"kinds"`
}

// IssuerChange is the argument of the functions that change an accreditation.
// Kinds is read by AmendIssuer only.
type IssuerChange struct {
	Kinds  []string `json:"kinds,omitempty" metadata:",optional"`
	Reason string   `json:"reason"`
}

// IssuerPage is a page of issuers.
type IssuerPage struct{ ledger.Page[identity.Issuer] }

// AccreditIssuer accredits an agency to attest the listed kinds.
func (c *Contract) AccreditIssuer(ctx *txn.Context, input string) (*identity.Issuer, error) {
	iss, err := accredit(ctx, input)
	return iss, ccerror.From(err)
}

func accredit(ctx *txn.Context, input string) (*identity.Issuer, error) {
	var in AccreditInput
	if err := validate.DecodeJSON("input", input, &in); err != nil {
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
	iss, err := identity.Accredit(in.Agency, in.Kinds, caller.Agency(), now)
	if err != nil {
		return nil, err
	}
	key, err := issuerKey(iss.Agency)
	if err != nil {
		return nil, err
	}
	if err := ledger.Create(ctx.GetStub(), key, iss); err != nil {
		return nil, err
	}
	return iss, ctx.Emit("issuer", iss.Agency, "accredited", "", map[string]any{"kinds": iss.Kinds})
}

// AmendIssuer replaces the kinds an issuer is accredited for.
func (c *Contract) AmendIssuer(ctx *txn.Context, agency, input string) (*identity.Issuer, error) {
	iss, err := changeIssuer(ctx, agency, input, identity.IssuerAmend, "amended")
	return iss, ccerror.From(err)
}

// SuspendIssuer stops an issuer attesting until reinstated; its existing
// attestations stand.
func (c *Contract) SuspendIssuer(ctx *txn.Context, agency, input string) (*identity.Issuer, error) {
	iss, err := changeIssuer(ctx, agency, input, identity.IssuerSuspend, "suspended")
	return iss, ccerror.From(err)
}

// ReinstateIssuer lifts a suspension.
func (c *Contract) ReinstateIssuer(ctx *txn.Context, agency, input string) (*identity.Issuer, error) {
	iss, err := changeIssuer(ctx, agency, input, identity.IssuerReinstate, "reinstated")
	return iss, ccerror.From(err)
}

// RevokeIssuer withdraws an accreditation for good; none of the issuer's
// attestations is relied on afterwards.
func (c *Contract) RevokeIssuer(ctx *txn.Context, agency, input string) (*identity.Issuer, error) {
	iss, err := changeIssuer(ctx, agency, input, identity.IssuerRevoke, "revoked")
	return iss, ccerror.From(err)
}

func changeIssuer(ctx *txn.Context, agency, input string, action identity.IssuerAction, event string) (*identity.Issuer, error) {
	var in IssuerChange
	if err := validate.DecodeJSON("input", input, &in); err != nil {
		return nil, err
	}
	caller, err := callerAgency(ctx)
	if err != nil {
		return nil, err
	}
	iss, err := getIssuer(ctx.GetStub(), agency)
	if err != nil {
		return nil, err
	}
	now, err := ctx.Now()
	if err != nil {
		return nil, err
	}
	if err := iss.Apply(action, in.Kinds, caller.Agency(), in.Reason, now); err != nil {
		return nil, err
	}
	key, err := issuerKey(iss.Agency)
	if err != nil {
		return nil, err
	}
	if err := ledger.Put(ctx.GetStub(), key, iss); err != nil {
		return nil, err
	}
	return iss, ctx.Emit("issuer", iss.Agency, event, "", map[string]any{"status": iss.Status, "kinds": iss.Kinds})
}

// GetIssuer returns an issuer's accreditation.
func (c *Contract) GetIssuer(ctx *txn.Context, agency string) (*identity.Issuer, error) {
	iss, err := getIssuer(ctx.GetStub(), agency)
	return iss, ccerror.From(err)
}

// ListIssuers pages through the registry in agency order.
func (c *Contract) ListIssuers(ctx *txn.Context, size int32, bookmark string) (*IssuerPage, error) {
	p, err := ledger.List[identity.Issuer](ctx.GetStub(), objIssuer, nil, ledger.PageRequest{Size: size, Bookmark: bookmark})
	if err != nil {
		return nil, ccerror.From(err)
	}
	return &IssuerPage{p}, nil
}
