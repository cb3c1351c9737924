package contract

import (
	"errors"
	"time"

	"github.com/govledger/govledger/chaincode/ccerror"
	"github.com/govledger/govledger/chaincode/identity"
	"github.com/govledger/govledger/chaincode/internal/ledger"
	"github.com/govledger/govledger/chaincode/internal/txn"
	"github.com/govledger/govledger/chaincode/internal/validate"
)

// AttestInput is the argument of Attest. The issuer is the caller's agency.
type AttestInput struct {
	ID          string                     `json:"id"`
	Kind        string                     `json:"kind"`
	Subject     identity.Subject           `json:"subject"`
	ValidFrom   time.Time                  `json:"validFrom"`
	ValidUntil  time.Time                  `json:"validUntil"`
	Assurance   identity.AssuranceLevel    `json:"assuranceLevel"`
	StatusIndex uint32                     `json:"statusListIndex"`
	Claims      []identity.ClaimCommitment `json:"claimCommitments"`
}

// AttestationStatus is whether an attestation may be relied on as far as
// its revocation bit goes.
type AttestationStatus struct {
	ID      string `json:"id"`
	Issuer  string `json:"issuer"`
	Revoked bool   `json:"revoked"`
}

// AttestationPage is a page of attestations.
type AttestationPage struct {
	ledger.Page[identity.Attestation]
}

// errNotOwnIssuer refuses an issuer acting on another agency's attestation.
var errNotOwnIssuer = ccerror.New(ccerror.PermissionDenied, "issuers act only on their own agency's attestations")

// Attest records an attestation by the caller's agency, which must be an
// active issuer accredited for the kind. The status-list index must be
// unused in the issuer's list.
func (c *Contract) Attest(ctx *txn.Context, input string) (*identity.Attestation, error) {
	a, err := attest(ctx, input)
	return a, ccerror.From(err)
}

func attest(ctx *txn.Context, input string) (*identity.Attestation, error) {
	var in AttestInput
	if err := validate.DecodeJSON("input", input, &in); err != nil {
		return nil, err
	}
	caller, err := callerAgency(ctx)
	if err != nil {
		return nil, err
	}
	a, err := identity.NewAttestation(identity.AttestationSpec{
		ID: in.ID, Kind: in.Kind, Issuer: caller.Agency(), Subject: in.Subject,
		ValidFrom: in.ValidFrom, ValidUntil: in.ValidUntil, Assurance: in.Assurance,
		StatusIndex: in.StatusIndex, Claims: in.Claims,
	})
	if err != nil {
		return nil, err
	}
	stub := ctx.GetStub()
	iss, err := getIssuer(stub, caller.Agency())
	if errors.Is(err, ledger.ErrNotFound) {
		return nil, ccerror.Precondition("accreditation", "agency "+caller.Agency()+" is not an accredited issuer")
	}
	if err != nil {
		return nil, err
	}
	if err := iss.CanIssue(a.Kind()); err != nil {
		return nil, err
	}
	slot, err := ledger.Key(objStatusIndex, a.Issuer, numberAttr(a.CredentialStatus.Index))
	if err != nil {
		return nil, err
	}
	if err := ledger.Create(stub, slot, statusSlot{Attestation: a.ID}); err != nil {
		return nil, err
	}
	key, err := ledger.Key(objAttestation, a.ID)
	if err != nil {
		return nil, err
	}
	if err := ledger.Create(stub, key, a); err != nil {
		return nil, err
	}
	if err := attestationsByIssuer.Put(stub, a.Issuer, a.ID); err != nil {
		return nil, err
	}
	return a, ctx.Emit("attestation", a.ID, "issued", "", map[string]any{
		"kind": a.Kind(), "issuer": a.Issuer, "subject": a.Subject.ID,
	})
}

// RevokeAttestation sets the attestation's bit in its issuer's status list.
// Only the issuing agency may, and only once.
func (c *Contract) RevokeAttestation(ctx *txn.Context, id string) (*AttestationStatus, error) {
	s, err := revokeAttestation(ctx, id)
	return s, ccerror.From(err)
}

func revokeAttestation(ctx *txn.Context, id string) (*AttestationStatus, error) {
	caller, err := callerAgency(ctx)
	if err != nil {
		return nil, err
	}
	stub := ctx.GetStub()
	a, err := getAttestation(stub, id)
	if err != nil {
		return nil, err
	}
	if a.Issuer != caller.Agency() {
		return nil, errNotOwnIssuer
	}
	chunk, key, err := statusChunk(stub, a.Issuer, a.CredentialStatus.Index)
	if err != nil {
		return nil, err
	}
	if err := chunk.Revoke(a.CredentialStatus.Index); err != nil {
		return nil, err
	}
	if err := ledger.Put(stub, key, chunk); err != nil {
		return nil, err
	}
	return &AttestationStatus{ID: a.ID, Issuer: a.Issuer, Revoked: true},
		ctx.Emit("attestation", a.ID, "revoked", "", map[string]any{"kind": a.Kind(), "issuer": a.Issuer, "subject": a.Subject.ID})
}

// GetAttestation returns an attestation to its issuer or to oversight.
func (c *Contract) GetAttestation(ctx *txn.Context, id string) (*identity.Attestation, error) {
	a, err := getOwnAttestation(ctx, id)
	return a, ccerror.From(err)
}

func getOwnAttestation(ctx *txn.Context, id string) (*identity.Attestation, error) {
	caller, err := ctx.Caller()
	if err != nil {
		return nil, err
	}
	a, err := getAttestation(ctx.GetStub(), id)
	if err != nil {
		return nil, err
	}
	if caller.Role() == RoleIssuer && caller.Agency() != a.Issuer {
		return nil, errNotOwnIssuer
	}
	return a, nil
}

// GetAttestationStatus reports whether an attestation is revoked. It reveals
// no subject or claim, so every registry reader may ask.
func (c *Contract) GetAttestationStatus(ctx *txn.Context, id string) (*AttestationStatus, error) {
	stub := ctx.GetStub()
	a, err := getAttestation(stub, id)
	if err != nil {
		return nil, ccerror.From(err)
	}
	r, err := revoked(stub, a)
	if err != nil {
		return nil, ccerror.From(err)
	}
	return &AttestationStatus{ID: a.ID, Issuer: a.Issuer, Revoked: r}, nil
}

// ListAttestations pages through one issuer's attestations. An issuer may
// list only its own agency's.
func (c *Contract) ListAttestations(ctx *txn.Context, issuer string, size int32, bookmark string) (*AttestationPage, error) {
	p, err := listAttestations(ctx, issuer, size, bookmark)
	return p, ccerror.From(err)
}

func listAttestations(ctx *txn.Context, issuer string, size int32, bookmark string) (*AttestationPage, error) {
	caller, err := ctx.Caller()
	if err != nil {
		return nil, err
	}
	if err := identity.ValidateAgency("issuer", issuer); err != nil {
		return nil, err
	}
	if caller.Role() == RoleIssuer && caller.Agency() != issuer {
		return nil, errNotOwnIssuer
	}
	p, err := ledger.ListIndex[identity.Attestation](ctx.GetStub(), attestationsByIssuer, []string{issuer},
		ledger.PageRequest{Size: size, Bookmark: bookmark},
		func(v []string) (string, error) { return ledger.Key(objAttestation, v[1]) })
	if err != nil {
		return nil, err
	}
	return &AttestationPage{p}, nil
}
