package contract

import (
	"errors"
	"time"

	"github.com/hyperledger/fabric-chaincode-go/v2/shim"

	"github.com/govledger/govledger/chaincode/ccerror"
	"github.com/govledger/govledger/chaincode/identity"
	"github.com/govledger/govledger/chaincode/internal/ledger"
	"github.com/govledger/govledger/chaincode/internal/txn"
	"github.com/govledger/govledger/chaincode/internal/validate"
)

// ConsentInput is the argument of GrantConsent. The agency recording the
// consent is the caller's.
type ConsentInput struct {
	ID         string           `json:"id"`
	Subject    identity.Subject `json:"subject"`
	Grantee    string           `json:"grantee"`
	Kind       string           `json:"kind"`
	Purpose    string           `json:"purpose"`
	ValidUntil time.Time        `json:"validUntil"`
}

// AttestationAccess is what AccessAttestation returns: the attestation,
// everything a verifier needs to decide whether to rely on it, and the
// access record just written. The benefits chaincode decodes it.
type AttestationAccess struct {
	Attestation identity.Attestation  `json:"attestation"`
	Issuer      identity.Issuer       `json:"issuer"`
	Revoked     bool                  `json:"revoked"`
	Access      identity.AccessRecord `json:"access"`
}

// ConsentPage is a page of consents.
type ConsentPage struct{ ledger.Page[identity.Consent] }

// AccessRecordPage is a page of access records.
type AccessRecordPage struct {
	ledger.Page[identity.AccessRecord]
}

// GrantConsent records, on a subject's behalf, that the grantee agency may
// use the subject's attestations of one kind for one purpose until a date.
// One consent per subject, grantee, kind and purpose is in force at a time.
func (c *Contract) GrantConsent(ctx *txn.Context, input string) (*identity.Consent, error) {
	cs, err := grantConsent(ctx, input)
	return cs, ccerror.From(err)
}

func grantConsent(ctx *txn.Context, input string) (*identity.Consent, error) {
	var in ConsentInput
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
	cs, err := identity.GrantConsent(identity.ConsentSpec{
		ID: in.ID, Subject: in.Subject, RecordedBy: caller.Agency(), Grantee: in.Grantee,
		Kind: in.Kind, Purpose: in.Purpose, ValidUntil: in.ValidUntil,
	}, now)
	if err != nil {
		return nil, err
	}
	stub := ctx.GetStub()
	scope, err := ledger.Key(objConsentScope, string(cs.Subject), cs.Grantee, cs.Kind, cs.Purpose)
	if err != nil {
		return nil, err
	}
	current, err := consentInForce(stub, scope)
	if err != nil {
		return nil, err
	}
	if current != nil && current.Active(now) {
		return nil, ccerror.Precondition("consent-in-force", "consent "+current.ID+" already covers this grantee, kind and purpose")
	}
	key, err := ledger.Key(objConsent, cs.ID)
	if err != nil {
		return nil, err
	}
	if err := ledger.Create(stub, key, cs); err != nil {
		return nil, err
	}
	if err := ledger.Put(stub, scope, scopePointer{Consent: cs.ID}); err != nil {
		return nil, err
	}
	if err := consentsBySubject.Put(stub, string(cs.Subject), cs.ID); err != nil {
		return nil, err
	}
	return cs, ctx.Emit("consent", cs.ID, "granted", "", consentEvent(cs))
}

// RevokeConsent withdraws a consent on the subject's behalf. Any caseworker
// may record it, since a subject may withdraw at whichever office they visit.
func (c *Contract) RevokeConsent(ctx *txn.Context, id string) (*identity.Consent, error) {
	cs, err := revokeConsent(ctx, id)
	return cs, ccerror.From(err)
}

func revokeConsent(ctx *txn.Context, id string) (*identity.Consent, error) {
	caller, err := callerAgency(ctx)
	if err != nil {
		return nil, err
	}
	stub := ctx.GetStub()
	cs, err := getConsent(stub, id)
	if err != nil {
		return nil, err
	}
	now, err := ctx.Now()
	if err != nil {
		return nil, err
	}
	if err := cs.Revoke(caller.Agency(), now); err != nil {
		return nil, err
	}
	key, err := ledger.Key(objConsent, cs.ID)
	if err != nil {
		return nil, err
	}
	if err := ledger.Put(stub, key, cs); err != nil {
		return nil, err
	}
	return cs, ctx.Emit("consent", cs.ID, "revoked", "", consentEvent(cs))
}

func consentEvent(cs *identity.Consent) map[string]any {
	return map[string]any{"subject": cs.Subject, "grantee": cs.Grantee, "kind": cs.Kind, "purpose": cs.Purpose}
}

// consentInForce follows a scope pointer; nil when no consent was ever given.
func consentInForce(stub shim.ChaincodeStubInterface, scope string) (*identity.Consent, error) {
	p, err := ledger.Get[scopePointer](stub, scope)
	if errors.Is(err, ledger.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return getConsent(stub, p.Consent)
}

// GetConsent returns a consent.
func (c *Contract) GetConsent(ctx *txn.Context, id string) (*identity.Consent, error) {
	cs, err := getConsent(ctx.GetStub(), id)
	return cs, ccerror.From(err)
}

// ListConsents pages through a subject's consents.
func (c *Contract) ListConsents(ctx *txn.Context, subject string, size int32, bookmark string) (*ConsentPage, error) {
	s, err := identity.ParseSubject(subject)
	if err != nil {
		return nil, ccerror.From(err)
	}
	p, err := ledger.ListIndex[identity.Consent](ctx.GetStub(), consentsBySubject, []string{string(s)},
		ledger.PageRequest{Size: size, Bookmark: bookmark},
		func(v []string) (string, error) { return ledger.Key(objConsent, v[1]) })
	if err != nil {
		return nil, ccerror.From(err)
	}
	return &ConsentPage{p}, nil
}

// AccessAttestation is how an agency reads a subject's attestation: it
// checks that consent covers the caller's agency, the attestation's kind and
// purpose, records the access, and returns the attestation with its issuer's
// accreditation and its revocation status. Revoked or expired attestations
// are returned too, so the caller can explain why it will not rely on them.
func (c *Contract) AccessAttestation(ctx *txn.Context, attestationID, purpose string) (*AttestationAccess, error) {
	a, err := accessAttestation(ctx, attestationID, purpose)
	return a, ccerror.From(err)
}

func accessAttestation(ctx *txn.Context, attestationID, purpose string) (*AttestationAccess, error) {
	if err := identity.ValidatePurpose("purpose", purpose); err != nil {
		return nil, err
	}
	caller, err := callerAgency(ctx)
	if err != nil {
		return nil, err
	}
	stub := ctx.GetStub()
	att, err := getAttestation(stub, attestationID)
	if err != nil {
		return nil, err
	}
	now, err := ctx.Now()
	if err != nil {
		return nil, err
	}
	scope, err := ledger.Key(objConsentScope, string(att.Subject.ID), caller.Agency(), att.Kind(), purpose)
	if err != nil {
		return nil, err
	}
	cs, err := consentInForce(stub, scope)
	if err != nil {
		return nil, err
	}
	if cs == nil {
		return nil, &identity.ConsentError{Reason: identity.ErrNoConsent,
			Detail: "the subject has given agency " + caller.Agency() + " no consent to use " + att.Kind() + " for " + purpose}
	}
	rec, err := cs.Authorize(identity.AccessRequest{
		ID: stub.GetTxID(), Agency: caller.Agency(), Subject: att.Subject.ID, Kind: att.Kind(),
		Purpose: purpose, Attestation: att.ID, At: now,
	})
	if err != nil {
		return nil, err
	}
	recKey, err := ledger.Key(objAccess, string(rec.Subject), timeAttr(rec.At), rec.ID, rec.Attestation)
	if err != nil {
		return nil, err
	}
	if err := ledger.Create(stub, recKey, rec); err != nil {
		return nil, err
	}
	out := &AttestationAccess{Attestation: *att, Access: *rec}
	if out.Revoked, err = revoked(stub, att); err != nil {
		return nil, err
	}
	// Issuer records are never deleted, so an attestation's issuer exists.
	iss, err := getIssuer(stub, att.Issuer)
	if err != nil {
		return nil, err
	}
	out.Issuer = *iss
	return out, ctx.Emit("access", rec.ID, "recorded", "consent:"+cs.ID, map[string]any{
		"subject": rec.Subject, "agency": rec.Agency, "attestation": rec.Attestation, "kind": rec.Kind, "purpose": rec.Purpose,
	})
}

// ListAccessRecords pages through who accessed a subject's attestations,
// oldest first.
func (c *Contract) ListAccessRecords(ctx *txn.Context, subject string, size int32, bookmark string) (*AccessRecordPage, error) {
	s, err := identity.ParseSubject(subject)
	if err != nil {
		return nil, ccerror.From(err)
	}
	p, err := ledger.List[identity.AccessRecord](ctx.GetStub(), objAccess, []string{string(s)},
		ledger.PageRequest{Size: size, Bookmark: bookmark})
	if err != nil {
		return nil, ccerror.From(err)
	}
	return &AccessRecordPage{p}, nil
}
