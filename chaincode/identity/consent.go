package identity

import (
	"errors"
	"fmt"
	"time"

	"github.com/govledger/govledger/chaincode/ccerror"
)

// MaxConsentPeriod bounds how far ahead consent may run, so a forgotten grant
// lapses rather than lasting for ever.
const MaxConsentPeriod = 5 * 366 * 24 * time.Hour

// ErrConsentDenied is the umbrella sentinel for every access that consent does
// not cover; a *ConsentError also unwraps to the specific reason below.
var ErrConsentDenied = fmt.Errorf("access not covered by consent: %w", ccerror.ErrPermissionDenied)

// Reasons an access is not covered by a consent.
var (
	ErrConsentRevoked = errors.New("consent revoked")
	ErrConsentExpired = errors.New("consent expired")
	ErrConsentScope   = errors.New("access outside consent scope")
	ErrNoConsent      = errors.New("no consent given")
)

// ConsentError reports why consent does not cover an access.
type ConsentError struct {
	ConsentID string // empty with ErrNoConsent
	Reason    error  // ErrConsentRevoked, ErrConsentExpired, ErrConsentScope or ErrNoConsent
	Detail    string
}

func (e *ConsentError) Error() string {
	if e.ConsentID == "" {
		return fmt.Sprintf("%v: %s", e.Reason, e.Detail)
	}
	if e.Detail == "" {
		return fmt.Sprintf("consent %s: %v", e.ConsentID, e.Reason)
	}
	return fmt.Sprintf("consent %s: %v: %s", e.ConsentID, e.Reason, e.Detail)
}

// Unwrap matches both ErrConsentDenied and the specific reason.
func (e *ConsentError) Unwrap() []error { return []error{ErrConsentDenied, e.Reason} }

// Consent is a subject's permission, recorded by an agency acting for the
// subject, for one grantee agency to use the subject's attestations of one
// kind for one purpose until a date.
type Consent struct {
	ID         string     `json:"id"`
	Subject    Subject    `json:"subject"`
	RecordedBy string     `json:"recordedBy"` // agency that acted for the subject
	Grantee    string     `json:"grantee"`
	Kind       string     `json:"kind"`
	Purpose    string     `json:"purpose"`
	GrantedAt  time.Time  `json:"grantedAt"`
	ValidUntil time.Time  `json:"validUntil"`
	RevokedAt  *time.Time `json:"revokedAt,omitempty" metadata:",optional"`
	RevokedBy  string     `json:"revokedBy,omitempty" metadata:",optional"`
}

// ConsentSpec is what the acting agency supplies to record consent.
type ConsentSpec struct {
	ID         string
	Subject    Subject
	RecordedBy string
	Grantee    string
	Kind       string
	Purpose    string
	ValidUntil time.Time
}

// GrantConsent records consent as of the transaction time at.
func GrantConsent(spec ConsentSpec, at time.Time) (*Consent, error) {
	if err := ValidateID("id", spec.ID); err != nil {
		return nil, err
	}
	if err := spec.Subject.Validate("subject"); err != nil {
		return nil, err
	}
	if err := ValidateAgency("recordedBy", spec.RecordedBy); err != nil {
		return nil, err
	}
	if err := ValidateAgency("grantee", spec.Grantee); err != nil {
		return nil, err
	}
	if err := ValidateKind("kind", spec.Kind); err != nil {
		return nil, err
	}
	if err := ValidatePurpose("purpose", spec.Purpose); err != nil {
		return nil, err
	}
	if at.IsZero() {
		return nil, invalid("at", "is required")
	}
	if !spec.ValidUntil.After(at) {
		return nil, invalid("validUntil", "must be in the future")
	}
	if spec.ValidUntil.Sub(at) > MaxConsentPeriod {
		return nil, invalid("validUntil", "must be at most five years ahead")
	}
	return &Consent{
		ID: spec.ID, Subject: spec.Subject, RecordedBy: spec.RecordedBy, Grantee: spec.Grantee,
		Kind: spec.Kind, Purpose: spec.Purpose, GrantedAt: at.UTC(), ValidUntil: spec.ValidUntil.UTC(),
	}, nil
}

// Revoke withdraws the consent at the transaction time at, recorded as done
// by agency by. Accesses already made stay on record; later ones are refused.
func (c *Consent) Revoke(by string, at time.Time) error {
	if c.RevokedAt != nil {
		return &TransitionError{Entity: "consent", ID: c.ID, From: "revoked", Action: "revoke"}
	}
	if err := ValidateAgency("revokedBy", by); err != nil {
		return err
	}
	if at.IsZero() {
		return invalid("at", "is required")
	}
	at = at.UTC()
	c.RevokedAt, c.RevokedBy = &at, by
	return nil
}

// Active reports whether the consent is neither revoked nor expired at at.
func (c *Consent) Active(at time.Time) bool {
	return c.RevokedAt == nil && !at.Before(c.GrantedAt) && at.Before(c.ValidUntil)
}

// AccessRequest is one agency's attempt to use a subject's attestation.
type AccessRequest struct {
	ID          string // the access record's identifier, normally the transaction ID
	Agency      string
	Subject     Subject
	Kind        string
	Purpose     string
	Attestation string
	At          time.Time
}

// AccessRecord is the trace left by every access consent allowed, so the
// subject and auditors can see who used what, when and why.
type AccessRecord struct {
	ID          string    `json:"id"`
	ConsentID   string    `json:"consentId"`
	Agency      string    `json:"agency"`
	Subject     Subject   `json:"subject"`
	Kind        string    `json:"kind"`
	Purpose     string    `json:"purpose"`
	Attestation string    `json:"attestation"`
	At          time.Time `json:"at"`
}

// Authorize checks that the consent covers req and returns the access record
// to store. Every access goes through here; there is no path around it.
func (c *Consent) Authorize(req AccessRequest) (*AccessRecord, error) {
	if err := ValidateID("id", req.ID); err != nil {
		return nil, err
	}
	if err := ValidateID("attestation", req.Attestation); err != nil {
		return nil, err
	}
	deny := func(reason error, detail string) error {
		return &ConsentError{ConsentID: c.ID, Reason: reason, Detail: detail}
	}
	switch {
	case c.RevokedAt != nil:
		return nil, deny(ErrConsentRevoked, "")
	case req.At.Before(c.GrantedAt) || !req.At.Before(c.ValidUntil):
		return nil, deny(ErrConsentExpired, "")
	case req.Agency != c.Grantee:
		return nil, deny(ErrConsentScope, "agency is not the grantee")
	case req.Subject != c.Subject:
		return nil, deny(ErrConsentScope, "subject differs")
	case req.Kind != c.Kind:
		return nil, deny(ErrConsentScope, "attestation kind differs")
	case req.Purpose != c.Purpose:
		return nil, deny(ErrConsentScope, "purpose differs")
	}
	return &AccessRecord{
		ID: req.ID, ConsentID: c.ID, Agency: req.Agency, Subject: req.Subject, Kind: req.Kind,
		Purpose: req.Purpose, Attestation: req.Attestation, At: req.At.UTC(),
	}, nil
}
