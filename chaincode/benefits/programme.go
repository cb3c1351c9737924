package benefits

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/govledger/govledger/chaincode/identity"
)

// Bounds on programme definitions.
const (
	MaxNameLen  = 200
	MaxGroupLen = 64
	MaxMonths   = 120 // ten years of monthly payments
	MaxEvidence = 16  // attestations one application may cite
	MaxVersion  = 1 << 20
)

// implicitGroupPrefix names the exclusivity group of a programme without one.
const implicitGroupPrefix = "programme:"

// Schedule is how an entitlement pays out.
type Schedule string

// Schedules.
const (
	ScheduleMonthly Schedule = "monthly" // one payment per calendar month for Months months
	ScheduleOneOff  Schedule = "one-off" // a single payment
)

// Benefit is what an eligible applicant is entitled to.
type Benefit struct {
	Amount   Money    `json:"amount"` // per payment
	Schedule Schedule `json:"schedule"`
	Months   int      `json:"months,omitempty" metadata:",optional"` // monthly only: number of monthly payments
}

// Validate checks the amount and that Months fits the schedule.
func (b Benefit) Validate(field string) error {
	if err := b.Amount.Validate(field + ".amount"); err != nil {
		return err
	}
	switch b.Schedule {
	case ScheduleMonthly:
		if b.Months < 1 || b.Months > MaxMonths {
			return invalid(field+".months", "must be between 1 and %d for a monthly benefit", MaxMonths)
		}
	case ScheduleOneOff:
		if b.Months != 0 {
			return invalid(field+".months", "must be omitted for a one-off benefit")
		}
	default:
		return invalid(field+".schedule", "must be monthly or one-off")
	}
	return nil
}

// ClaimSource says which kind of attestation may supply a claim the rule
// reads, so an applicant cannot satisfy "residency" with, say, a
// self-declaration credential that happens to commit a residency claim.
type ClaimSource struct {
	Claim string `json:"claim"`
	Kind  string `json:"kind"`
}

// ProgrammeStatus says whether a programme takes applications.
type ProgrammeStatus string

// Programme statuses.
const (
	ProgrammeOpen   ProgrammeStatus = "open"
	ProgrammeClosed ProgrammeStatus = "closed"
)

// Programme is one version of a benefit programme. Versions are immutable
// once superseded: an application is decided, and can be re-decided on
// appeal, against the version it was filed under.
type Programme struct {
	ID               string                  `json:"id"`
	Version          uint32                  `json:"version"`
	Name             string                  `json:"name"`
	Agency           string                  `json:"agency"`       // owning agency
	Rule             string                  `json:"rule"`         // canonical eligibility rule
	Sources          []ClaimSource           `json:"sources"`      // one per rule claim, sorted by claim
	MinAssurance     identity.AssuranceLevel `json:"minAssurance"` // every attestation used must meet it
	Purpose          string                  `json:"purpose"`      // consent purpose for reading attestations
	Benefit          Benefit                 `json:"benefit"`
	ExclusivityGroup string                  `json:"exclusivityGroup"` // programmes no subject may hold together
	Status           ProgrammeStatus         `json:"status"`
	UpdatedAt        time.Time               `json:"updatedAt"`
	Supersedes       uint32                  `json:"supersedes,omitempty" metadata:",optional"` // previous version, 0 for the first
}

// ProgrammeSpec is what the owning agency supplies to define a programme or
// a new version of one. An empty ExclusivityGroup puts the programme in a
// group of its own, so nobody holds it twice at once.
type ProgrammeSpec struct {
	ID               string                  `json:"id"`
	Name             string                  `json:"name"`
	Rule             string                  `json:"rule"`
	Sources          []ClaimSource           `json:"sources"`
	MinAssurance     identity.AssuranceLevel `json:"minAssurance"`
	Purpose          string                  `json:"purpose"`
	Benefit          Benefit                 `json:"benefit"`
	ExclusivityGroup string                  `json:"exclusivityGroup,omitempty" metadata:",optional"`
}

// NewProgramme defines version 1 of a programme owned by agency at the
// transaction time at.
func NewProgramme(spec ProgrammeSpec, agency string, at time.Time) (*Programme, error) {
	if err := identity.ValidateAgency("agency", agency); err != nil {
		return nil, err
	}
	p, err := build(spec, at)
	if err != nil {
		return nil, err
	}
	p.Version, p.Agency = 1, agency
	return p, nil
}

// Revise returns the next version of an open programme. The ID and owning
// agency carry over; everything else comes from spec.
func (p *Programme) Revise(spec ProgrammeSpec, at time.Time) (*Programme, error) {
	if p.Status != ProgrammeOpen {
		return nil, refused("programme", p.ID, string(p.Status), "revise")
	}
	if spec.ID != p.ID {
		return nil, invalid("id", "must be the programme's id %s", p.ID)
	}
	if p.Version >= MaxVersion {
		return nil, invalid("version", "programme has reached %d versions", MaxVersion)
	}
	next, err := build(spec, at)
	if err != nil {
		return nil, err
	}
	next.Version, next.Agency, next.Supersedes = p.Version+1, p.Agency, p.Version
	return next, nil
}

// Close stops the programme taking applications. Existing entitlements run on.
func (p *Programme) Close(at time.Time) error {
	if p.Status != ProgrammeOpen {
		return refused("programme", p.ID, string(p.Status), "close")
	}
	p.Status, p.UpdatedAt = ProgrammeClosed, at.UTC()
	return nil
}

// ParsedRule parses the stored rule. The stored text was produced by
// Rule.String, so an error means the record was tampered with.
func (p *Programme) ParsedRule() (*Rule, error) {
	r, err := ParseRule(p.Rule)
	if err != nil {
		return nil, fmt.Errorf("programme %s v%d: stored rule: %w", p.ID, p.Version, err)
	}
	return r, nil
}

// SourceKind is the attestation kind that may supply claim, if the rule reads it.
func (p *Programme) SourceKind(claim string) (string, bool) {
	i, found := slices.BinarySearchFunc(p.Sources, claim, func(s ClaimSource, c string) int { return strings.Compare(s.Claim, c) })
	if !found {
		return "", false
	}
	return p.Sources[i].Kind, true
}

// Kinds lists the distinct attestation kinds the programme reads, sorted.
func (p *Programme) Kinds() []string {
	out := make([]string, 0, len(p.Sources))
	for _, s := range p.Sources {
		out = append(out, s.Kind)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// ExclusivityKey is the group used for duplicate-benefit checks: the named
// group, or a group of the programme alone.
func (p *Programme) ExclusivityKey() string {
	if p.ExclusivityGroup != "" {
		return p.ExclusivityGroup
	}
	return implicitGroupPrefix + p.ID
}

func build(spec ProgrammeSpec, at time.Time) (*Programme, error) {
	if err := identity.ValidateID("id", spec.ID); err != nil {
		return nil, err
	}
	if strings.TrimSpace(spec.Name) == "" {
		return nil, invalid("name", "is required")
	}
	if err := identity.ValidateText("name", spec.Name, MaxNameLen); err != nil {
		return nil, err
	}
	rule, err := ParseRule(spec.Rule)
	if err != nil {
		return nil, err
	}
	sources, err := normaliseSources(spec.Sources, rule.Claims())
	if err != nil {
		return nil, err
	}
	if err := spec.MinAssurance.Validate("minAssurance"); err != nil {
		return nil, err
	}
	if err := identity.ValidatePurpose("purpose", spec.Purpose); err != nil {
		return nil, err
	}
	if err := spec.Benefit.Validate("benefit"); err != nil {
		return nil, err
	}
	if spec.ExclusivityGroup != "" {
		// Same syntax as a purpose: lower-case words and hyphens. It has no
		// ':' so it never collides with an implicit programme group.
		if err := identity.ValidatePurpose("exclusivityGroup", spec.ExclusivityGroup); err != nil {
			return nil, err
		}
	}
	if at.IsZero() {
		return nil, invalid("at", "is required")
	}
	return &Programme{
		ID: spec.ID, Name: spec.Name, Rule: rule.String(), Sources: sources,
		MinAssurance: spec.MinAssurance, Purpose: spec.Purpose, Benefit: spec.Benefit,
		ExclusivityGroup: spec.ExclusivityGroup, Status: ProgrammeOpen, UpdatedAt: at.UTC(),
	}, nil
}

// normaliseSources requires exactly one source per claim the rule reads and
// returns them sorted by claim.
func normaliseSources(in []ClaimSource, claims []string) ([]ClaimSource, error) {
	out := slices.Clone(in)
	slices.SortFunc(out, func(a, b ClaimSource) int { return strings.Compare(a.Claim, b.Claim) })
	for i, s := range out {
		field := fmt.Sprintf("sources[%d]", i)
		if err := identity.ValidateClaimName(field+".claim", s.Claim); err != nil {
			return nil, err
		}
		if err := identity.ValidateKind(field+".kind", s.Kind); err != nil {
			return nil, err
		}
		if i > 0 && out[i-1].Claim == s.Claim {
			return nil, invalid("sources", "claim %s is listed twice", s.Claim)
		}
		if _, read := slices.BinarySearch(claims, s.Claim); !read {
			return nil, invalid("sources", "claim %s is not read by the rule", s.Claim)
		}
	}
	if len(out) != len(claims) {
		for _, c := range claims {
			if _, found := slices.BinarySearchFunc(out, c, func(s ClaimSource, c string) int { return strings.Compare(s.Claim, c) }); !found {
				return nil, invalid("sources", "claim %s read by the rule needs a source attestation kind", c)
			}
		}
	}
	return out, nil
}
