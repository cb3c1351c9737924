package audit

import (
	"fmt"
	"slices"
	"time"

	"github.com/govledger/govledger/chaincode/internal/validate"
)

// Severity grades a finding.
type Severity string

// Severities, from least to most serious.
const (
	SeverityLow      Severity = "low"
	SeverityMedium   Severity = "medium"
	SeverityHigh     Severity = "high"
	SeverityCritical Severity = "critical"
)

var severities = []string{string(SeverityLow), string(SeverityMedium), string(SeverityHigh), string(SeverityCritical)}

// FindingStatus is where a finding is in its life cycle.
type FindingStatus string

// Finding statuses.
const (
	// FindingDraft is editable and collects its sign-off.
	FindingDraft FindingStatus = "draft"
	// FindingIssued is signed off and awaits the agency's management response.
	FindingIssued FindingStatus = "issued"
	// FindingResponded has the agency's management response.
	FindingResponded FindingStatus = "responded"
	// FindingFollowUp is being followed up by the auditors.
	FindingFollowUp FindingStatus = "follow-up"
	// FindingClosed is final: follow-up concluded.
	FindingClosed FindingStatus = "closed"
	// FindingWithdrawn is final: the draft was dropped before sign-off.
	FindingWithdrawn FindingStatus = "withdrawn"
)

// Follow-up may start without a management response (an agency cannot stall a
// finding by staying silent); once it starts, the response window is over.
var findingMachine = transitions[FindingStatus]{
	FindingDraft: {
		ActionRevise:   FindingDraft,
		ActionSign:     FindingDraft,
		ActionIssue:    FindingIssued,
		ActionWithdraw: FindingWithdrawn,
	},
	FindingIssued: {
		ActionRespond:  FindingResponded,
		ActionFollowUp: FindingFollowUp,
	},
	FindingResponded: {
		ActionFollowUp: FindingFollowUp,
		ActionClose:    FindingClosed,
	},
	FindingFollowUp: {
		ActionFollowUp: FindingFollowUp,
		ActionClose:    FindingClosed,
	},
}

// Finding is an audit finding with the standard elements. Once its sign-off
// is complete it is issued and its content can no longer change.
type Finding struct {
	ID                 string              `json:"id"`
	EngagementID       string              `json:"engagementId"`
	Agency             Agency              `json:"agency"`
	Title              string              `json:"title"`
	Severity           Severity            `json:"severity"`
	Criteria           string              `json:"criteria"`
	Condition          string              `json:"condition"`
	Cause              string              `json:"cause"`
	Effect             string              `json:"effect"`
	Recommendation     string              `json:"recommendation"`
	Requests           []string            `json:"requests"` // IDs of the engagement's requests the finding rests on
	Status             FindingStatus       `json:"status"`
	SignOff            SignOff             `json:"signOff"`
	ManagementResponse *ManagementResponse `json:"managementResponse,omitempty" metadata:",optional"`
	FollowUps          []FollowUp          `json:"followUps"`
	Closure            *Closure            `json:"closure,omitempty" metadata:",optional"`
	Reason             string              `json:"reason,omitempty" metadata:",optional"` // why it was withdrawn
	RaisedBy           Identity            `json:"raisedBy"`
	RaisedAt           time.Time           `json:"raisedAt"`
	IssuedAt           time.Time           `json:"issuedAt,omitzero" metadata:",optional"`
	UpdatedAt          time.Time           `json:"updatedAt"`
}

// FindingSpec is what an auditor supplies to raise or revise a finding.
type FindingSpec struct {
	ID             string   `json:"id"`
	Title          string   `json:"title"`
	Severity       Severity `json:"severity"`
	Criteria       string   `json:"criteria"`
	Condition      string   `json:"condition"`
	Cause          string   `json:"cause"`
	Effect         string   `json:"effect"`
	Recommendation string   `json:"recommendation"`
	Requests       []string `json:"requests"`
	Quorum         Quorum   `json:"quorum"`
}

// Validate checks every field.
func (s FindingSpec) Validate() error {
	if err := validate.ID("id", s.ID); err != nil {
		return err
	}
	if err := checkText("title", s.Title, MaxTitleLen); err != nil {
		return err
	}
	if err := validate.OneOf("severity", string(s.Severity), severities...); err != nil {
		return err
	}
	for _, f := range []struct{ name, v string }{
		{"criteria", s.Criteria}, {"condition", s.Condition}, {"cause", s.Cause},
		{"effect", s.Effect}, {"recommendation", s.Recommendation},
	} {
		if err := checkText(f.name, f.v, MaxTextLen); err != nil {
			return err
		}
	}
	if err := checkCount("requests", len(s.Requests), MaxRelatedItems); err != nil {
		return err
	}
	for i, id := range s.Requests {
		if err := validate.ID(indexed("requests", i), id); err != nil {
			return err
		}
		if slices.Contains(s.Requests[:i], id) {
			return fieldErr(indexed("requests", i), RuleUnique, "must not repeat a request")
		}
	}
	if err := s.Quorum.Validate(); err != nil {
		return within("quorum", err)
	}
	return nil
}

func (f Finding) withContent(s FindingSpec) Finding {
	f.Title, f.Severity = s.Title, s.Severity
	f.Criteria, f.Condition, f.Cause, f.Effect, f.Recommendation = s.Criteria, s.Condition, s.Cause, s.Effect, s.Recommendation
	f.Requests = slices.Clone(s.Requests)
	if f.Requests == nil {
		f.Requests = []string{}
	}
	f.SignOff = s.Quorum.unsigned()
	return f
}

// RaiseFinding drafts a finding on the engagement and counts it as open.
func RaiseFinding(e Engagement, spec FindingSpec, by Identity, now time.Time) (Engagement, Finding, error) {
	if err := spec.Validate(); err != nil {
		return e, Finding{}, err
	}
	out, err := e.apply(ActionRaiseFinding, now)
	if err != nil {
		return e, Finding{}, err
	}
	out.OpenFindings++
	now = now.UTC()
	f := Finding{
		ID:           spec.ID,
		EngagementID: e.ID,
		Agency:       e.Agency,
		Status:       FindingDraft,
		FollowUps:    []FollowUp{},
		RaisedBy:     by,
		RaisedAt:     now,
		UpdatedAt:    now,
	}.withContent(spec)
	return out, f, nil
}

func (f Finding) apply(a Action, now time.Time) (Finding, error) {
	to, err := findingMachine.next("finding", f.ID, f.Status, a)
	if err != nil {
		return f, err
	}
	out := f
	out.Status = to
	out.UpdatedAt = now.UTC()
	return out, nil
}

// Final reports whether the finding can no longer change.
func (f Finding) Final() bool { return f.Status == FindingClosed || f.Status == FindingWithdrawn }

// Revise replaces a draft finding's content and quorum. Signatures collected
// so far are dropped because they were given to the old content.
func (f Finding) Revise(spec FindingSpec, now time.Time) (Finding, error) {
	if err := spec.Validate(); err != nil {
		return f, err
	}
	if spec.ID != f.ID {
		return f, fieldErr("id", RuleMatch, "must be the ID of the finding being revised")
	}
	out, err := f.apply(ActionRevise, now)
	if err != nil {
		return f, err
	}
	return out.withContent(spec), nil
}

// Sign adds signer's signature to a draft finding; the signature that
// completes the quorum issues it.
func (f Finding) Sign(signer Identity, now time.Time) (Finding, error) {
	out, err := f.apply(ActionSign, now)
	if err != nil {
		return f, err
	}
	if out.SignOff, err = f.SignOff.Sign(signer, now); err != nil {
		return f, err
	}
	if !out.SignOff.Complete() {
		return out, nil
	}
	if out, err = out.apply(ActionIssue, now); err != nil {
		return f, err
	}
	out.IssuedAt = now.UTC()
	return out, nil
}

// SignedOff reports whether the finding's sign-off is complete, which is when
// its content must be protected from change.
func (f Finding) SignedOff() bool { return f.SignOff.Complete() }

// WithdrawFinding drops a draft finding and its count on the engagement.
func WithdrawFinding(e Engagement, f Finding, reason string, now time.Time) (Engagement, Finding, error) {
	if err := checkText("reason", reason, MaxTextLen); err != nil {
		return e, f, err
	}
	eng, out, err := settleFinding(e, f, ActionWithdraw, now)
	if err != nil {
		return e, f, err
	}
	out.Reason = reason
	return eng, out, nil
}

func settleFinding(e Engagement, f Finding, a Action, now time.Time) (Engagement, Finding, error) {
	if f.EngagementID != e.ID {
		return e, f, fieldErr("engagementId", RuleMatch, fmt.Sprintf("finding %s belongs to engagement %s, not %s", f.ID, f.EngagementID, e.ID))
	}
	out, err := f.apply(a, now)
	if err != nil {
		return e, f, err
	}
	eng := e
	eng.OpenFindings--
	eng.UpdatedAt = now.UTC()
	return eng, out, nil
}

// Position is the agency management's stance on a finding.
type Position string

// Positions.
const (
	PositionAgree          Position = "agree"
	PositionPartiallyAgree Position = "partially-agree"
	PositionDisagree       Position = "disagree"
)

var positions = []string{string(PositionAgree), string(PositionPartiallyAgree), string(PositionDisagree)}

// ManagementResponse is the audited agency's answer to an issued finding.
type ManagementResponse struct {
	Position   Position  `json:"position"`
	Comment    string    `json:"comment"`
	ActionPlan string    `json:"actionPlan,omitempty" metadata:",optional"`
	TargetDate time.Time `json:"targetDate,omitzero" metadata:",optional"`
	FiledBy    Identity  `json:"filedBy"`
	FiledAt    time.Time `json:"filedAt"`
}

// ManagementResponseSpec is what the agency supplies.
type ManagementResponseSpec struct {
	Position   Position  `json:"position"`
	Comment    string    `json:"comment"`
	ActionPlan string    `json:"actionPlan,omitempty" metadata:",optional"`
	TargetDate time.Time `json:"targetDate,omitzero" metadata:",optional"`
}

// Validate checks every field against the transaction time now. An agency that
// agrees, even partially, commits to an action plan and a target date.
func (s ManagementResponseSpec) Validate(now time.Time) error {
	if err := validate.OneOf("position", string(s.Position), positions...); err != nil {
		return err
	}
	if err := checkText("comment", s.Comment, MaxTextLen); err != nil {
		return err
	}
	if s.Position == PositionDisagree {
		if err := checkOptionalText("actionPlan", s.ActionPlan, MaxTextLen); err != nil {
			return err
		}
		if !s.TargetDate.IsZero() {
			return checkDue("targetDate", s.TargetDate, now)
		}
		return nil
	}
	if err := checkText("actionPlan", s.ActionPlan, MaxTextLen); err != nil {
		return err
	}
	return checkDue("targetDate", s.TargetDate, now)
}

// RespondManagement records the agency's management response to an issued
// finding.
func (f Finding) RespondManagement(spec ManagementResponseSpec, by Identity, now time.Time) (Finding, error) {
	if err := spec.Validate(now); err != nil {
		return f, err
	}
	out, err := f.apply(ActionRespond, now)
	if err != nil {
		return f, err
	}
	out.ManagementResponse = &ManagementResponse{
		Position:   spec.Position,
		Comment:    spec.Comment,
		ActionPlan: spec.ActionPlan,
		TargetDate: spec.TargetDate.UTC(),
		FiledBy:    by,
		FiledAt:    now.UTC(),
	}
	return out, nil
}

// Assessment is the auditors' view of how far a recommendation is implemented.
type Assessment string

// Assessments.
const (
	AssessmentNotStarted     Assessment = "not-started"
	AssessmentInProgress     Assessment = "in-progress"
	AssessmentImplemented    Assessment = "implemented"
	AssessmentNotImplemented Assessment = "not-implemented"
)

var assessments = []string{string(AssessmentNotStarted), string(AssessmentInProgress), string(AssessmentImplemented), string(AssessmentNotImplemented)}

// FollowUp is one follow-up review of a finding.
type FollowUp struct {
	Assessment Assessment `json:"assessment"`
	Note       string     `json:"note"`
	Evidence   []Evidence `json:"evidence"`
	RecordedBy Identity   `json:"recordedBy"`
	RecordedAt time.Time  `json:"recordedAt"`
}

// FollowUpSpec is what an auditor supplies for a follow-up review.
type FollowUpSpec struct {
	Assessment Assessment `json:"assessment"`
	Note       string     `json:"note"`
	Evidence   []Evidence `json:"evidence"`
}

// Validate checks every field.
func (s FollowUpSpec) Validate() error {
	if err := validate.OneOf("assessment", string(s.Assessment), assessments...); err != nil {
		return err
	}
	if err := checkText("note", s.Note, MaxTextLen); err != nil {
		return err
	}
	return checkEvidence(s.Evidence)
}

// RecordFollowUp appends a follow-up review, at most MaxFollowUps per finding.
func (f Finding) RecordFollowUp(spec FollowUpSpec, by Identity, now time.Time) (Finding, error) {
	if err := spec.Validate(); err != nil {
		return f, err
	}
	out, err := f.apply(ActionFollowUp, now)
	if err != nil {
		return f, err
	}
	if len(f.FollowUps) >= MaxFollowUps {
		return f, fmt.Errorf("%w: finding %s already has the maximum of %d follow-ups", ErrLimit, f.ID, MaxFollowUps)
	}
	out.FollowUps = append(slices.Clone(f.FollowUps), FollowUp{
		Assessment: spec.Assessment,
		Note:       spec.Note,
		Evidence:   cloneEvidence(spec.Evidence),
		RecordedBy: by,
		RecordedAt: now.UTC(),
	})
	return out, nil
}

// Outcome is how a finding was closed.
type Outcome string

// Outcomes.
const (
	// OutcomeImplemented: the latest follow-up found the recommendation implemented.
	OutcomeImplemented Outcome = "implemented"
	// OutcomeRiskAccepted: management, having responded, accepts the risk of
	// not acting.
	OutcomeRiskAccepted Outcome = "risk-accepted"
	// OutcomeSuperseded: a later finding or event made this one moot.
	OutcomeSuperseded Outcome = "superseded"
)

var outcomes = []string{string(OutcomeImplemented), string(OutcomeRiskAccepted), string(OutcomeSuperseded)}

// Closure records how and when a finding was closed.
type Closure struct {
	Outcome  Outcome   `json:"outcome"`
	Note     string    `json:"note"`
	ClosedBy Identity  `json:"closedBy"`
	ClosedAt time.Time `json:"closedAt"`
}

// ClosureSpec is what an auditor supplies to close a finding.
type ClosureSpec struct {
	Outcome Outcome `json:"outcome"`
	Note    string  `json:"note"`
}

// Validate checks every field.
func (s ClosureSpec) Validate() error {
	if err := validate.OneOf("outcome", string(s.Outcome), outcomes...); err != nil {
		return err
	}
	return checkText("note", s.Note, MaxTextLen)
}

// CloseFinding ends follow-up of a finding and settles its count on the
// engagement. The outcome must be backed by the record: "implemented" needs the
// latest follow-up to say so, "risk-accepted" needs a management response.
func CloseFinding(e Engagement, f Finding, spec ClosureSpec, by Identity, now time.Time) (Engagement, Finding, error) {
	if err := spec.Validate(); err != nil {
		return e, f, err
	}
	eng, out, err := settleFinding(e, f, ActionClose, now)
	if err != nil {
		return e, f, err
	}
	switch spec.Outcome {
	case OutcomeImplemented:
		if n := len(f.FollowUps); n == 0 || f.FollowUps[n-1].Assessment != AssessmentImplemented {
			return e, f, fmt.Errorf("%w: implemented needs the latest follow-up of finding %s to assess it implemented", ErrUnsupportedOutcome, f.ID)
		}
	case OutcomeRiskAccepted:
		if f.ManagementResponse == nil {
			return e, f, fmt.Errorf("%w: risk-accepted needs a management response on finding %s", ErrUnsupportedOutcome, f.ID)
		}
	}
	out.Closure = &Closure{Outcome: spec.Outcome, Note: spec.Note, ClosedBy: by, ClosedAt: now.UTC()}
	return eng, out, nil
}
