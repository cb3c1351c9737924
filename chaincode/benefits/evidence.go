package benefits

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/govledger/govledger/chaincode/identity"
)

// Disclosure opens one claim commitment of an attestation. Disclosures are
// personal data: they reach chaincode in the transient map, are checked
// against the commitment, and are never stored or echoed.
type Disclosure struct {
	Claim string         `json:"claim"`
	Value identity.Value `json:"value"`
	Salt  []byte         `json:"salt"` // base64 in JSON
}

// Evidence is one attestation offered in support of an application, with the
// facts about it the caller read from the identity ledger.
type Evidence struct {
	Attestation *identity.Attestation
	Issuer      *identity.Issuer // nil when the issuer has no accreditation record
	Revoked     bool             // the attestation's bit in its issuer's status list
	Disclosures []Disclosure
}

// EvidenceRef records which attestation an assessment relied on for which
// claims, without values, and whether it was usable.
type EvidenceRef struct {
	Attestation string   `json:"attestation"`
	Kind        string   `json:"kind"`
	Claims      []string `json:"claims"`
	Usable      bool     `json:"usable"`
}

// Assessment is the evaluation of an applicant against a programme version.
type Assessment struct {
	Explanation Explanation   `json:"explanation"`
	Evidence    []EvidenceRef `json:"evidence"`
}

// Eligible reports whether the rule passed.
func (a *Assessment) Eligible() bool { return a.Explanation.Outcome == OutcomePass }

// Assess verifies evidence for subject and evaluates the programme's rule at
// the transaction time at.
//
// Evidence that is malformed or dishonest (another subject's attestation, a
// claim the programme does not read or from the wrong kind of attestation, a
// disclosure that does not open its commitment) is an error: the application
// is refused outright. Evidence that is honest but cannot be relied on now
// (revoked, expired, issuer no longer accredited, assurance too low) is not an
// error: its claims are withheld and the explanation says why, so the
// applicant gets a reasoned refusal.
func (p *Programme) Assess(subject identity.Subject, evidence []Evidence, at time.Time) (*Assessment, error) {
	rule, err := p.ParsedRule()
	if err != nil {
		return nil, err
	}
	if len(evidence) > MaxEvidence {
		return nil, invalid("evidence", "must cite at most %d attestations", MaxEvidence)
	}
	claims := NewClaimSet()
	refs := make([]EvidenceRef, 0, len(evidence))
	seen := map[string]bool{}
	for i, ev := range evidence {
		field := fmt.Sprintf("evidence[%d]", i)
		ref, err := p.admit(field, subject, ev, seen)
		if err != nil {
			return nil, err
		}
		if why := p.unusable(ev, at); why != "" {
			for _, c := range ref.Claims {
				claims.Withhold(c, why)
			}
		} else {
			ref.Usable = true
			for _, d := range ev.Disclosures {
				if err := claims.Set(d.Claim, d.Value); err != nil {
					return nil, err
				}
			}
		}
		refs = append(refs, ref)
	}
	return &Assessment{Explanation: rule.Evaluate(claims), Evidence: refs}, nil
}

// admit checks that ev is honest evidence about subject for this programme.
func (p *Programme) admit(field string, subject identity.Subject, ev Evidence, seen map[string]bool) (EvidenceRef, error) {
	att := ev.Attestation
	if att == nil {
		return EvidenceRef{}, invalid(field+".attestation", "is required")
	}
	if seen[att.ID] {
		return EvidenceRef{}, invalid(field+".attestation", "attestation %s is cited twice", att.ID)
	}
	seen[att.ID] = true
	if att.Subject.ID != subject {
		return EvidenceRef{}, invalid(field+".attestation", "attestation %s is about another subject", att.ID)
	}
	if len(ev.Disclosures) == 0 || len(ev.Disclosures) > identity.MaxClaims {
		return EvidenceRef{}, invalid(field+".disclosures", "must hold 1 to %d disclosures", identity.MaxClaims)
	}
	ref := EvidenceRef{Attestation: att.ID, Kind: att.Kind(), Claims: make([]string, 0, len(ev.Disclosures))}
	for j, d := range ev.Disclosures {
		dfield := fmt.Sprintf("%s.disclosures[%d]", field, j)
		kind, read := p.SourceKind(d.Claim)
		switch {
		case !read:
			return EvidenceRef{}, invalid(dfield+".claim", "claim %q is not read by programme %s", d.Claim, p.ID)
		case kind != att.Kind():
			return EvidenceRef{}, invalid(dfield+".claim", "claim %s must come from a %s attestation", d.Claim, kind)
		case slices.Contains(ref.Claims, d.Claim):
			return EvidenceRef{}, invalid(dfield+".claim", "claim %s is disclosed twice", d.Claim)
		}
		if err := identity.VerifyDisclosure(att, d.Claim, d.Value, d.Salt); err != nil {
			return EvidenceRef{}, fmt.Errorf("%s: %w", dfield, err)
		}
		ref.Claims = append(ref.Claims, d.Claim)
	}
	slices.Sort(ref.Claims)
	return ref, nil
}

// unusable says in words why honest evidence cannot be relied on at at, or
// returns "" when it can. The words go into the stored explanation.
func (p *Programme) unusable(ev Evidence, at time.Time) string {
	att := ev.Attestation
	err := att.Usable(at, ev.Revoked, ev.Issuer)
	switch {
	case errors.Is(err, identity.ErrRevoked):
		return fmt.Sprintf("attestation %s is revoked", att.ID)
	case errors.Is(err, identity.ErrNotAccredited):
		return fmt.Sprintf("issuer %s no longer vouches for %s attestations", att.Issuer, att.Kind())
	case errors.Is(err, identity.ErrNotYetValid):
		return fmt.Sprintf("attestation %s is not valid until %s", att.ID, att.ValidFrom.Format(time.RFC3339))
	case errors.Is(err, identity.ErrExpired):
		return fmt.Sprintf("attestation %s expired at %s", att.ID, att.ValidUntil.Format(time.RFC3339))
	case !att.Assurance.AtLeast(p.MinAssurance):
		return fmt.Sprintf("attestation %s has assurance level %s; the programme needs %s", att.ID, att.Assurance, p.MinAssurance)
	}
	return ""
}
