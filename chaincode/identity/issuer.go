package identity

import (
	"fmt"
	"slices"
	"time"

	"github.com/govledger/govledger/chaincode/ccerror"
)

// MaxIssuerKinds bounds how many attestation kinds one accreditation lists.
const MaxIssuerKinds = 32

// MaxReasonLen bounds the free-text reason for an accreditation change. The
// reason is about an agency, never a person.
const MaxReasonLen = 256

// IssuerStatus is where an issuer's accreditation stands.
type IssuerStatus string

// Issuer statuses. Revoked is terminal: an agency that lost accreditation is
// accredited again only under review of a new record, never silently restored.
const (
	IssuerActive    IssuerStatus = "active"
	IssuerSuspended IssuerStatus = "suspended"
	IssuerRevoked   IssuerStatus = "revoked"
)

// IssuerAction is something the accreditation authority does to an issuer.
type IssuerAction string

// Issuer actions. Amend replaces the accredited kinds without changing status.
const (
	IssuerAmend     IssuerAction = "amend"
	IssuerSuspend   IssuerAction = "suspend"
	IssuerReinstate IssuerAction = "reinstate"
	IssuerRevoke    IssuerAction = "revoke"
)

// issuerTransitions is the whole accreditation state machine: an action not
// listed for a status is refused.
var issuerTransitions = map[IssuerStatus]map[IssuerAction]IssuerStatus{
	IssuerActive: {
		IssuerAmend:   IssuerActive,
		IssuerSuspend: IssuerSuspended,
		IssuerRevoke:  IssuerRevoked,
	},
	IssuerSuspended: {
		IssuerAmend:     IssuerSuspended,
		IssuerReinstate: IssuerActive,
		IssuerRevoke:    IssuerRevoked,
	},
}

// ErrNotAccredited reports an issuer that may not attest the kind asked for.
var ErrNotAccredited = fmt.Errorf("issuer not accredited: %w", ccerror.ErrPrecondition)

// Issuer is an agency the accreditation authority trusts to attest some kinds
// of claims about subjects.
type Issuer struct {
	Agency       string       `json:"agency"`
	Kinds        []string     `json:"kinds"` // sorted, distinct
	Status       IssuerStatus `json:"status"`
	AccreditedBy string       `json:"accreditedBy"` // agency of the accreditor who last acted
	AccreditedAt time.Time    `json:"accreditedAt"`
	UpdatedAt    time.Time    `json:"updatedAt"`
	Reason       string       `json:"reason,omitempty" metadata:",optional"` // why the last action was taken
}

// Accredit creates the accreditation of agency for kinds, granted by the
// accreditor agency by at the transaction time at.
func Accredit(agency string, kinds []string, by string, at time.Time) (*Issuer, error) {
	if err := ValidateAgency("agency", agency); err != nil {
		return nil, err
	}
	if err := ValidateAgency("accreditedBy", by); err != nil {
		return nil, err
	}
	ks, err := normaliseKinds(kinds)
	if err != nil {
		return nil, err
	}
	if at.IsZero() {
		return nil, invalid("at", "is required")
	}
	at = at.UTC()
	return &Issuer{
		Agency: agency, Kinds: ks, Status: IssuerActive,
		AccreditedBy: by, AccreditedAt: at, UpdatedAt: at,
	}, nil
}

// Apply performs action on the issuer on behalf of the accreditor agency by.
// kinds is read only for IssuerAmend; reason is kept as the latest reason.
func (i *Issuer) Apply(action IssuerAction, kinds []string, by, reason string, at time.Time) error {
	next, ok := issuerTransitions[i.Status][action]
	if !ok {
		return &TransitionError{Entity: "issuer", ID: i.Agency, From: string(i.Status), Action: string(action)}
	}
	if err := ValidateAgency("accreditedBy", by); err != nil {
		return err
	}
	if err := ValidateText("reason", reason, MaxReasonLen); err != nil {
		return err
	}
	if at.IsZero() {
		return invalid("at", "is required")
	}
	if action == IssuerAmend {
		ks, err := normaliseKinds(kinds)
		if err != nil {
			return err
		}
		i.Kinds = ks
	}
	i.Status, i.AccreditedBy, i.Reason, i.UpdatedAt = next, by, reason, at.UTC()
	return nil
}

// CanIssue reports whether the issuer may issue a new attestation of kind now.
// Only an active issuer may; suspension stops new attestations at once.
func (i *Issuer) CanIssue(kind string) error {
	if i.Status != IssuerActive {
		return fmt.Errorf("%w: %s is %s", ErrNotAccredited, i.Agency, i.Status)
	}
	if !i.Accredits(kind) {
		return fmt.Errorf("%w: %s may not attest %s", ErrNotAccredited, i.Agency, kind)
	}
	return nil
}

// Vouches reports whether attestations of kind the issuer already made are
// still to be trusted. Suspension is a pause pending review, so existing
// attestations stand; revocation withdraws trust in all of them.
func (i *Issuer) Vouches(kind string) bool {
	return i.Status != IssuerRevoked && i.Accredits(kind)
}

// Accredits reports whether kind is among the issuer's accredited kinds.
func (i *Issuer) Accredits(kind string) bool {
	_, found := slices.BinarySearch(i.Kinds, kind)
	return found
}

// normaliseKinds validates kinds and returns them sorted and distinct, so the
// stored record does not depend on the order a client sent them in.
func normaliseKinds(kinds []string) ([]string, error) {
	if len(kinds) == 0 || len(kinds) > MaxIssuerKinds {
		return nil, invalid("kinds", "must list 1 to %d attestation kinds", MaxIssuerKinds)
	}
	for n, k := range kinds {
		if err := ValidateKind(fmt.Sprintf("kinds[%d]", n), k); err != nil {
			return nil, err
		}
	}
	ks := slices.Clone(kinds)
	slices.Sort(ks)
	return slices.Compact(ks), nil
}
