package identity

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/govledger/govledger/chaincode/ccerror"
)

// W3C Verifiable Credentials Data Model 2.0 vocabulary used on attestations.
const (
	CredentialsContext      = "https://www.w3.org/ns/credentials/v2" //nolint:gosec // G101: a JSON-LD context URL, not a credential
	CredentialType          = "VerifiableCredential"                 //nolint:gosec // G101: a W3C type name, not a credential
	StatusEntryType         = "BitstringStatusListEntry"
	StatusPurposeRevocation = "revocation"
)

// Bounds on attestations. Ten years covers any legitimate credential and stops
// an issuer from minting one that never needs renewing.
const (
	MaxClaims   = 16
	MaxValidity = 10 * 366 * 24 * time.Hour
)

// Sentinels for attestations that exist but must not be relied on.
var (
	ErrNotYetValid = fmt.Errorf("attestation not yet valid: %w", ccerror.ErrPrecondition)
	ErrExpired     = fmt.Errorf("attestation expired: %w", ccerror.ErrPrecondition)
	ErrRevoked     = fmt.Errorf("attestation revoked: %w", ccerror.ErrPrecondition)
)

// Sentinels for disclosures that do not open a commitment.
var (
	ErrNotCommitted       = fmt.Errorf("claim not committed in attestation: %w", ccerror.ErrInvalidArgument)
	ErrDisclosureMismatch = fmt.Errorf("disclosure does not match commitment: %w", ccerror.ErrInvalidArgument)
)

// Attestation is a verifiable credential about a subject whose claims are
// commitments only. The JSON shape follows the W3C VC data model, with two
// deliberate differences: credentialSubject carries claimCommitments instead of
// claim values, and statusListIndex is a number, not a numeric string.
// Signatures are unnecessary: the record's presence on the ledger, written by
// an accredited issuer under the endorsement policy, is the proof.
type Attestation struct {
	Context          []string          `json:"@context"`
	ID               string            `json:"id"`
	Type             []string          `json:"type"` // [VerifiableCredential, <kind>]
	Issuer           string            `json:"issuer"`
	ValidFrom        time.Time         `json:"validFrom"`
	ValidUntil       time.Time         `json:"validUntil"`
	Assurance        AssuranceLevel    `json:"assuranceLevel"`
	Subject          CredentialSubject `json:"credentialSubject"`
	CredentialStatus StatusEntry       `json:"credentialStatus"`
}

// CredentialSubject names the subject and commits to its claims.
type CredentialSubject struct {
	ID     Subject           `json:"id"`
	Claims []ClaimCommitment `json:"claimCommitments"` // sorted by name, distinct
}

// ClaimCommitment is the commitment to one claim.
type ClaimCommitment struct {
	Name   string     `json:"name"`
	Digest Commitment `json:"digest"`
}

// StatusEntry points at the attestation's bit in its issuer's revocation list.
type StatusEntry struct {
	Type    string `json:"type"`
	Purpose string `json:"statusPurpose"`
	Index   uint32 `json:"statusListIndex"`
	List    string `json:"statusListCredential"`
}

// AttestationSpec is what an issuer supplies to attest.
type AttestationSpec struct {
	ID          string
	Kind        string
	Issuer      string
	Subject     Subject
	ValidFrom   time.Time
	ValidUntil  time.Time
	Assurance   AssuranceLevel
	StatusIndex uint32
	Claims      []ClaimCommitment
}

// StatusListID names an issuer's revocation list.
func StatusListID(issuer string) string { return "urn:govledger:status:" + issuer }

// NewAttestation builds and validates an attestation from spec. Claims are
// sorted by name so the stored JSON does not depend on input order.
func NewAttestation(spec AttestationSpec) (*Attestation, error) {
	claims := slices.Clone(spec.Claims)
	slices.SortFunc(claims, func(a, b ClaimCommitment) int { return strings.Compare(a.Name, b.Name) })
	a := &Attestation{
		Context:    []string{CredentialsContext},
		ID:         spec.ID,
		Type:       []string{CredentialType, spec.Kind},
		Issuer:     spec.Issuer,
		ValidFrom:  spec.ValidFrom.UTC(),
		ValidUntil: spec.ValidUntil.UTC(),
		Assurance:  spec.Assurance,
		Subject:    CredentialSubject{ID: spec.Subject, Claims: claims},
		CredentialStatus: StatusEntry{
			Type: StatusEntryType, Purpose: StatusPurposeRevocation,
			Index: spec.StatusIndex, List: StatusListID(spec.Issuer),
		},
	}
	if err := a.Validate(); err != nil {
		return nil, err
	}
	return a, nil
}

// Kind is the attestation's kind, the second entry of its type.
func (a *Attestation) Kind() string {
	if len(a.Type) != 2 {
		return ""
	}
	return a.Type[1]
}

// Validate checks every field, including the fixed W3C vocabulary, so a
// decoded attestation can be trusted as far as its shape goes.
func (a *Attestation) Validate() error {
	if len(a.Context) != 1 || a.Context[0] != CredentialsContext {
		return invalid("@context", "must be [%q]", CredentialsContext)
	}
	if err := ValidateID("id", a.ID); err != nil {
		return err
	}
	if len(a.Type) != 2 || a.Type[0] != CredentialType {
		return invalid("type", "must be [%q, <kind>]", CredentialType)
	}
	if err := ValidateKind("type[1]", a.Type[1]); err != nil {
		return err
	}
	if err := ValidateAgency("issuer", a.Issuer); err != nil {
		return err
	}
	if err := a.validateWindow(); err != nil {
		return err
	}
	if err := a.Assurance.Validate("assuranceLevel"); err != nil {
		return err
	}
	if err := a.Subject.ID.Validate("credentialSubject.id"); err != nil {
		return err
	}
	if err := validateClaims(a.Subject.Claims); err != nil {
		return err
	}
	st := a.CredentialStatus
	if st.Type != StatusEntryType || st.Purpose != StatusPurposeRevocation || st.List != StatusListID(a.Issuer) {
		return invalid("credentialStatus", "must be a %s for %s in %s", StatusEntryType, StatusPurposeRevocation, StatusListID(a.Issuer))
	}
	return nil
}

func (a *Attestation) validateWindow() error {
	if a.ValidFrom.IsZero() {
		return invalid("validFrom", "is required")
	}
	if !a.ValidUntil.After(a.ValidFrom) {
		return invalid("validUntil", "must be after validFrom")
	}
	if a.ValidUntil.Sub(a.ValidFrom) > MaxValidity {
		return invalid("validUntil", "must be at most ten years after validFrom")
	}
	return nil
}

func validateClaims(claims []ClaimCommitment) error {
	if len(claims) == 0 || len(claims) > MaxClaims {
		return invalid("credentialSubject.claimCommitments", "must hold 1 to %d claims", MaxClaims)
	}
	for n, c := range claims {
		field := fmt.Sprintf("credentialSubject.claimCommitments[%d]", n)
		if err := ValidateClaimName(field+".name", c.Name); err != nil {
			return err
		}
		if err := c.Digest.Validate(field + ".digest"); err != nil {
			return err
		}
		if n > 0 && claims[n-1].Name >= c.Name {
			return invalid(field+".name", "must be distinct and sorted by name")
		}
	}
	return nil
}

// Usable reports whether the attestation may be relied on at the transaction
// time at, given whether its status bit is set and the issuer's current
// accreditation. The errors wrap ErrNotYetValid, ErrExpired, ErrRevoked or
// ErrNotAccredited.
func (a *Attestation) Usable(at time.Time, revoked bool, issuer *Issuer) error {
	switch {
	case revoked:
		return fmt.Errorf("attestation %s: %w", a.ID, ErrRevoked)
	case issuer == nil || issuer.Agency != a.Issuer || !issuer.Vouches(a.Kind()):
		return fmt.Errorf("attestation %s: %w: %s no longer vouches for %s", a.ID, ErrNotAccredited, a.Issuer, a.Kind())
	case at.Before(a.ValidFrom):
		return fmt.Errorf("attestation %s: %w", a.ID, ErrNotYetValid)
	case !at.Before(a.ValidUntil):
		return fmt.Errorf("attestation %s: %w", a.ID, ErrExpired)
	}
	return nil
}

// DisclosureError reports a disclosure that does not open the attestation's
// commitment; it names the claim so the caller can say which one.
type DisclosureError struct {
	Attestation string
	Claim       string
	Err         error // ErrNotCommitted, ErrDisclosureMismatch or a *FieldError
}

func (e *DisclosureError) Error() string {
	return fmt.Sprintf("attestation %s claim %s: %v", e.Attestation, e.Claim, e.Err)
}

// Unwrap exposes the cause for errors.Is and errors.As.
func (e *DisclosureError) Unwrap() error { return e.Err }

// VerifyDisclosure checks that (claimName, value, salt) opens the commitment
// att makes to claimName. It is the only way a claim value is ever checked:
// the value itself is never stored.
func VerifyDisclosure(att *Attestation, claimName string, value Value, salt []byte) error {
	fail := func(err error) error {
		return &DisclosureError{Attestation: att.ID, Claim: claimName, Err: err}
	}
	i, found := slices.BinarySearchFunc(att.Subject.Claims, claimName,
		func(c ClaimCommitment, name string) int { return strings.Compare(c.Name, name) })
	if !found {
		return fail(ErrNotCommitted)
	}
	got, err := Commit(claimName, value, salt)
	if err != nil {
		return fail(err)
	}
	if !got.matches(att.Subject.Claims[i].Digest) {
		return fail(ErrDisclosureMismatch)
	}
	return nil
}
