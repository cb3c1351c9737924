package benefits

import (
	"time"

	"github.com/govledger/govledger/chaincode/identity"
)

// ApplicationStatus is where an application stands.
type ApplicationStatus string

// Application statuses.
const (
	ApplicationSubmitted ApplicationStatus = "submitted"
	ApplicationApproved  ApplicationStatus = "approved"
	ApplicationRejected  ApplicationStatus = "rejected"
)

// ApplicationAction is something done to an application.
type ApplicationAction string

// Application actions. Reopen follows an upheld appeal and sends a refusal
// back for a fresh decision.
const (
	ApplicationApprove ApplicationAction = "approve"
	ApplicationReject  ApplicationAction = "reject"
	ApplicationReopen  ApplicationAction = "reopen"
)

var applicationTransitions = transitions[ApplicationStatus, ApplicationAction]{
	ApplicationSubmitted: {ApplicationApprove: ApplicationApproved, ApplicationReject: ApplicationRejected},
	ApplicationRejected:  {ApplicationReopen: ApplicationSubmitted},
}

// Refusal reasons recorded on a rejected decision.
const (
	RefusalIneligible = "ineligible"        // the rule did not pass
	RefusalDuplicate  = "duplicate-benefit" // the subject already holds a benefit in the group
)

// Decision is the outcome of assessing an application. It keeps the
// explanation and which attestations were relied on, never claim values.
type Decision struct {
	Outcome     ApplicationStatus `json:"outcome"` // approved or rejected
	Refusal     string            `json:"refusal,omitempty" metadata:",optional"`
	Explanation Explanation       `json:"explanation"`
	Evidence    []EvidenceRef     `json:"evidence"`
	DecidedAt   time.Time         `json:"decidedAt"`
	DecidedBy   string            `json:"decidedBy"` // agency
	Entitlement string            `json:"entitlement,omitempty" metadata:",optional"`
	BlockedBy   string            `json:"blockedBy,omitempty" metadata:",optional"` // entitlement that made this a duplicate
}

// Application is a request, filed by an agency for a subject, for a benefit
// under one programme version.
type Application struct {
	ID               string            `json:"id"`
	ProgrammeID      string            `json:"programmeId"`
	ProgrammeVersion uint32            `json:"programmeVersion"`
	Subject          identity.Subject  `json:"subject"`
	Agency           string            `json:"agency"` // filing agency
	FiledAt          time.Time         `json:"filedAt"`
	Status           ApplicationStatus `json:"status"`
	Decision         *Decision         `json:"decision,omitempty" metadata:",optional"`
	PriorDecisions   []Decision        `json:"priorDecisions,omitempty" metadata:",optional"` // set aside on appeal, oldest first
}

// NewApplication files an application under programme p, which must be open.
func NewApplication(id string, p *Programme, subject identity.Subject, agency string, at time.Time) (*Application, error) {
	if err := identity.ValidateID("id", id); err != nil {
		return nil, err
	}
	if err := subject.Validate("subject"); err != nil {
		return nil, err
	}
	if err := identity.ValidateAgency("agency", agency); err != nil {
		return nil, err
	}
	if p.Status != ProgrammeOpen {
		return nil, refused("programme", p.ID, string(p.Status), "apply")
	}
	if at.IsZero() {
		return nil, invalid("at", "is required")
	}
	return &Application{
		ID: id, ProgrammeID: p.ID, ProgrammeVersion: p.Version, Subject: subject, Agency: agency,
		FiledAt: at.UTC(), Status: ApplicationSubmitted,
	}, nil
}

// Decide records the decision on a submitted application from assessment a.
// A passing rule approves it with entitlementID, unless duplicate is non-nil:
// then the subject already holds a benefit in the programme's exclusivity
// group and the application is refused for that reason.
func (app *Application) Decide(a *Assessment, duplicate *DuplicateBenefitError, entitlementID, by string, at time.Time) error {
	if err := identity.ValidateAgency("decidedBy", by); err != nil {
		return err
	}
	d := Decision{Explanation: a.Explanation, Evidence: a.Evidence, DecidedAt: at.UTC(), DecidedBy: by}
	action := ApplicationReject
	switch {
	case !a.Eligible():
		d.Refusal = RefusalIneligible
	case duplicate != nil:
		d.Refusal, d.BlockedBy = RefusalDuplicate, duplicate.Entitlement
	default:
		if err := identity.ValidateID("entitlement", entitlementID); err != nil {
			return err
		}
		action, d.Entitlement = ApplicationApprove, entitlementID
	}
	next, err := applicationTransitions.next("application", app.ID, app.Status, action)
	if err != nil {
		return err
	}
	d.Outcome = next
	app.Status, app.Decision = next, &d
	return nil
}

// Reopen sends a refused application back for a fresh decision after appeal
// upheld it. The refusal is kept in PriorDecisions.
func (app *Application) Reopen(appeal *Appeal) error {
	if appeal.ApplicationID != app.ID || appeal.Status != AppealUpheld {
		return invalid("appeal", "must be an upheld appeal against application %s", app.ID)
	}
	next, err := applicationTransitions.next("application", app.ID, app.Status, ApplicationReopen)
	if err != nil {
		return err
	}
	app.PriorDecisions = append(app.PriorDecisions, *app.Decision)
	app.Status, app.Decision = next, nil
	return nil
}
