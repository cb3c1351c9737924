package benefits

import (
	"fmt"
	"time"

	"github.com/govledger/govledger/chaincode/identity"
)

// AppealWindow is how long after a refusal an appeal may be filed.
const AppealWindow = 90 * 24 * time.Hour

// AppealStatus is where an appeal stands.
type AppealStatus string

// Appeal statuses. Upheld, dismissed and withdrawn are final.
const (
	AppealFiled       AppealStatus = "filed"
	AppealUnderReview AppealStatus = "under-review"
	AppealUpheld      AppealStatus = "upheld"
	AppealDismissed   AppealStatus = "dismissed"
	AppealWithdrawn   AppealStatus = "withdrawn"
)

// AppealAction is something done to an appeal.
type AppealAction string

// Appeal actions.
const (
	AppealReview   AppealAction = "review"
	AppealUphold   AppealAction = "uphold"
	AppealDismiss  AppealAction = "dismiss"
	AppealWithdraw AppealAction = "withdraw"
)

// appealTransitions is the appeal state machine: review before a ruling, and
// withdrawal at any point before one.
var appealTransitions = transitions[AppealStatus, AppealAction]{
	AppealFiled:       {AppealReview: AppealUnderReview, AppealWithdraw: AppealWithdrawn},
	AppealUnderReview: {AppealUphold: AppealUpheld, AppealDismiss: AppealDismissed, AppealWithdraw: AppealWithdrawn},
}

// AppealGround is why a refusal is challenged. Grounds are codes, not free
// text, so no personal circumstances reach the ledger.
type AppealGround string

// Appeal grounds.
const (
	GroundEligibilityError      AppealGround = "eligibility-error"       // the rule was misapplied
	GroundEvidenceNotConsidered AppealGround = "evidence-not-considered" // valid evidence was left out
	GroundProceduralError       AppealGround = "procedural-error"
	GroundDuplicateError        AppealGround = "duplicate-error" // the blocking entitlement had ended
)

func (g AppealGround) valid() bool {
	switch g {
	case GroundEligibilityError, GroundEvidenceNotConsidered, GroundProceduralError, GroundDuplicateError:
		return true
	}
	return false
}

// Appeal challenges the refusal of an application.
type Appeal struct {
	ID            string           `json:"id"`
	ApplicationID string           `json:"applicationId"`
	Subject       identity.Subject `json:"subject"`
	Agency        string           `json:"agency"` // agency that filed it for the subject
	Ground        AppealGround     `json:"ground"`
	Status        AppealStatus     `json:"status"`
	FiledAt       time.Time        `json:"filedAt"`
	UpdatedAt     time.Time        `json:"updatedAt"`
	DecidedBy     string           `json:"decidedBy,omitempty" metadata:",optional"` // agency of the last action
}

// FileAppeal appeals the refusal of app within AppealWindow of the decision.
func FileAppeal(id string, app *Application, ground AppealGround, agency string, at time.Time) (*Appeal, error) {
	if err := identity.ValidateID("id", id); err != nil {
		return nil, err
	}
	if !ground.valid() {
		return nil, invalid("ground", "must be one of eligibility-error, evidence-not-considered, procedural-error, duplicate-error")
	}
	if err := identity.ValidateAgency("agency", agency); err != nil {
		return nil, err
	}
	if app.Status != ApplicationRejected || app.Decision == nil {
		return nil, refused("application", app.ID, string(app.Status), "appeal")
	}
	at = at.UTC()
	if deadline := app.Decision.DecidedAt.Add(AppealWindow); at.After(deadline) {
		return nil, fmt.Errorf("application %s: appeals closed at %s: %w", app.ID, deadline.Format(time.RFC3339), ErrAppealWindow)
	}
	return &Appeal{
		ID: id, ApplicationID: app.ID, Subject: app.Subject, Agency: agency, Ground: ground,
		Status: AppealFiled, FiledAt: at, UpdatedAt: at,
	}, nil
}

// Apply moves the appeal on by action, taken by agency by.
func (a *Appeal) Apply(action AppealAction, by string, at time.Time) error {
	if err := identity.ValidateAgency("by", by); err != nil {
		return err
	}
	next, err := appealTransitions.next("appeal", a.ID, a.Status, action)
	if err != nil {
		return err
	}
	a.Status, a.DecidedBy, a.UpdatedAt = next, by, at.UTC()
	return nil
}
