package benefits

import (
	"fmt"
	"time"

	"github.com/govledger/govledger/chaincode/identity"
)

// EntitlementStatus is where an entitlement stands. An active or suspended
// entitlement still counts for duplicate-benefit checks until it ends or its
// last month has passed.
type EntitlementStatus string

// Entitlement statuses.
const (
	EntitlementActive    EntitlementStatus = "active"
	EntitlementSuspended EntitlementStatus = "suspended"
	EntitlementEnded     EntitlementStatus = "ended"
)

// EntitlementAction is something done to an entitlement.
type EntitlementAction string

// Entitlement actions.
const (
	EntitlementSuspend EntitlementAction = "suspend"
	EntitlementResume  EntitlementAction = "resume"
	EntitlementEnd     EntitlementAction = "end"
)

var entitlementTransitions = transitions[EntitlementStatus, EntitlementAction]{
	EntitlementActive:    {EntitlementSuspend: EntitlementSuspended, EntitlementEnd: EntitlementEnded},
	EntitlementSuspended: {EntitlementResume: EntitlementActive, EntitlementEnd: EntitlementEnded},
}

// Reasons an entitlement ends or is suspended. Codes, not free text, so no
// personal circumstances reach the ledger.
const (
	ReasonPaid          = "paid"            // a one-off benefit was disbursed
	ReasonCircumstances = "circumstances"   // the subject's circumstances changed
	ReasonReview        = "review"          // under review, e.g. after a fraud flag
	ReasonAppeal        = "appeal"          // an appeal decided so
	ReasonRequest       = "subject-request" // the subject asked to stop
)

var entitlementReasons = map[string]bool{
	ReasonCircumstances: true, ReasonReview: true, ReasonAppeal: true, ReasonRequest: true,
}

// OneOffWindow is how long a one-off entitlement stays payable.
const OneOffWindow = 90 * 24 * time.Hour

// Entitlement is an approved benefit: what a subject is owed, from when
// until when.
type Entitlement struct {
	ID               string            `json:"id"`
	Application      string            `json:"application"`
	ProgrammeID      string            `json:"programmeId"`
	ProgrammeVersion uint32            `json:"programmeVersion"`
	Subject          identity.Subject  `json:"subject"`
	Agency           string            `json:"agency"` // agency that filed the application
	Group            string            `json:"group"`  // exclusivity key of the programme
	Benefit          Benefit           `json:"benefit"`
	Start            time.Time         `json:"start"` // first instant covered
	End              time.Time         `json:"end"`   // first instant no longer covered
	Status           EntitlementStatus `json:"status"`
	Reason           string            `json:"reason,omitempty" metadata:",optional"` // of the last status change
	UpdatedAt        time.Time         `json:"updatedAt"`
}

// Grant creates the entitlement of an approved application under programme p
// at the transaction time at. A monthly benefit covers whole calendar months
// (UTC) starting with the month of the decision.
func Grant(id string, app *Application, p *Programme, at time.Time) (*Entitlement, error) {
	if err := identity.ValidateID("id", id); err != nil {
		return nil, err
	}
	if app.ProgrammeID != p.ID || app.ProgrammeVersion != p.Version {
		return nil, invalid("programme", "must be version %d of %s, the version applied for", app.ProgrammeVersion, app.ProgrammeID)
	}
	at = at.UTC()
	start, end := at, at.Add(OneOffWindow)
	if p.Benefit.Schedule == ScheduleMonthly {
		start = time.Date(at.Year(), at.Month(), 1, 0, 0, 0, 0, time.UTC)
		end = start.AddDate(0, p.Benefit.Months, 0)
	}
	return &Entitlement{
		ID: id, Application: app.ID, ProgrammeID: p.ID, ProgrammeVersion: p.Version,
		Subject: app.Subject, Agency: app.Agency, Group: p.ExclusivityKey(), Benefit: p.Benefit,
		Start: start, End: end, Status: EntitlementActive, UpdatedAt: at,
	}, nil
}

// Holds reports whether the entitlement still counts as held at at.
func (e *Entitlement) Holds(at time.Time) bool {
	return e.Status != EntitlementEnded && at.Before(e.End)
}

// Apply suspends, resumes or ends the entitlement for reason, one of the
// Reason codes other than ReasonPaid.
func (e *Entitlement) Apply(action EntitlementAction, reason string, at time.Time) error {
	if !entitlementReasons[reason] {
		return invalid("reason", "must be one of circumstances, review, appeal, subject-request")
	}
	next, err := entitlementTransitions.next("entitlement", e.ID, e.Status, action)
	if err != nil {
		return err
	}
	e.Status, e.Reason, e.UpdatedAt = next, reason, at.UTC()
	return nil
}

// DuplicateBenefitError reports that a subject already holds an entitlement
// in an exclusivity group.
type DuplicateBenefitError struct {
	Subject     identity.Subject
	Group       string
	Entitlement string // the entitlement already held
	Agency      string // the agency that filed for it
}

func (e *DuplicateBenefitError) Error() string {
	return fmt.Sprintf("subject already holds entitlement %s (filed by %s) in group %s", e.Entitlement, e.Agency, e.Group)
}

// Unwrap lets callers test errors.Is(err, ErrDuplicateBenefit).
func (e *DuplicateBenefitError) Unwrap() error { return ErrDuplicateBenefit }

// ErrorRule names the broken rule for ccerror.From.
func (e *DuplicateBenefitError) ErrorRule() string { return "exclusivity" }

// CheckExclusivity returns a *DuplicateBenefitError when held, the
// entitlement recorded for the subject in the programme's exclusivity group
// (nil when none), still holds at at. The agency that filed it does not matter.
func CheckExclusivity(p *Programme, subject identity.Subject, held *Entitlement, at time.Time) *DuplicateBenefitError {
	if held == nil || held.Subject != subject || held.Group != p.ExclusivityKey() || !held.Holds(at) {
		return nil
	}
	return &DuplicateBenefitError{Subject: subject, Group: held.Group, Entitlement: held.ID, Agency: held.Agency}
}
