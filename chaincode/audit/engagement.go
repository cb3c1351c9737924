package audit

import (
	"fmt"
	"time"

	"github.com/govledger/govledger/chaincode/internal/validate"
)

// EngagementStatus is where an engagement is in its life cycle.
type EngagementStatus string

// Engagement statuses.
const (
	// EngagementOpen is fieldwork: requests are issued and findings raised.
	EngagementOpen EngagementStatus = "open"
	// EngagementReporting has a draft report collecting its sign-off; requests
	// and findings may still be added.
	EngagementReporting EngagementStatus = "reporting"
	// EngagementIssued has a signed-off report; findings are followed up.
	EngagementIssued EngagementStatus = "issued"
	// EngagementClosed is final: every request and finding is settled.
	EngagementClosed EngagementStatus = "closed"
	// EngagementWithdrawn is final: the engagement was abandoned before its
	// report was issued.
	EngagementWithdrawn EngagementStatus = "withdrawn"
)

var engagementMachine = transitions[EngagementStatus]{
	EngagementOpen: {
		ActionIssueRequest: EngagementOpen,
		ActionRaiseFinding: EngagementOpen,
		ActionDraftReport:  EngagementReporting,
		ActionWithdraw:     EngagementWithdrawn,
	},
	EngagementReporting: {
		ActionIssueRequest: EngagementReporting,
		ActionRaiseFinding: EngagementReporting,
		ActionReviseReport: EngagementReporting,
		ActionSign:         EngagementReporting,
		ActionIssue:        EngagementIssued,
		ActionWithdraw:     EngagementWithdrawn,
	},
	EngagementIssued: {
		ActionClose: EngagementClosed,
	},
}

// Engagement is one audit of one agency. OpenRequests and OpenFindings count
// the items not yet settled, so closing needs no scan of the ledger.
type Engagement struct {
	ID           string           `json:"id"`
	Agency       Agency           `json:"agency"`
	Title        string           `json:"title"`
	Scope        string           `json:"scope"`
	Status       EngagementStatus `json:"status"`
	Report       *Report          `json:"report,omitempty" metadata:",optional"`
	OpenRequests int              `json:"openRequests"`
	OpenFindings int              `json:"openFindings"`
	OpenedBy     Identity         `json:"openedBy"`
	OpenedAt     time.Time        `json:"openedAt"`
	UpdatedAt    time.Time        `json:"updatedAt"`
	Reason       string           `json:"reason,omitempty" metadata:",optional"` // why it was withdrawn
}

// EngagementSpec is what an auditor supplies to open an engagement.
type EngagementSpec struct {
	ID     string `json:"id"`
	Agency Agency `json:"agency"`
	Title  string `json:"title"`
	Scope  string `json:"scope"`
}

// Validate checks every field.
func (s EngagementSpec) Validate() error {
	if err := validate.ID("id", s.ID); err != nil {
		return err
	}
	if err := s.Agency.Validate(); err != nil {
		return within("agency", err)
	}
	if err := checkText("title", s.Title, MaxTitleLen); err != nil {
		return err
	}
	return checkText("scope", s.Scope, MaxTextLen)
}

// OpenEngagement starts an engagement in fieldwork.
func OpenEngagement(spec EngagementSpec, by Identity, now time.Time) (Engagement, error) {
	if err := spec.Validate(); err != nil {
		return Engagement{}, err
	}
	now = now.UTC()
	return Engagement{
		ID:        spec.ID,
		Agency:    spec.Agency,
		Title:     spec.Title,
		Scope:     spec.Scope,
		Status:    EngagementOpen,
		OpenedBy:  by,
		OpenedAt:  now,
		UpdatedAt: now,
	}, nil
}

// Final reports whether the engagement can no longer change.
func (e Engagement) Final() bool {
	return e.Status == EngagementClosed || e.Status == EngagementWithdrawn
}

// Report is the engagement's report: a summary and the signed document.
type Report struct {
	Summary        string    `json:"summary"`
	DocumentSHA256 string    `json:"documentSha256"`
	URI            string    `json:"uri"`
	SignOff        SignOff   `json:"signOff"`
	DraftedBy      Identity  `json:"draftedBy"`
	DraftedAt      time.Time `json:"draftedAt"`
	IssuedAt       time.Time `json:"issuedAt,omitzero" metadata:",optional"`
}

// ReportSpec is what an auditor supplies to draft or revise a report: its
// content and who must sign it.
type ReportSpec struct {
	Summary        string `json:"summary"`
	DocumentSHA256 string `json:"documentSha256"`
	URI            string `json:"uri"`
	Quorum         Quorum `json:"quorum"`
}

// Validate checks every field.
func (s ReportSpec) Validate() error {
	if err := checkText("summary", s.Summary, MaxTextLen); err != nil {
		return err
	}
	if err := validate.SHA256Hex("documentSha256", s.DocumentSHA256); err != nil {
		return err
	}
	if err := checkURI("uri", s.URI); err != nil {
		return err
	}
	if err := s.Quorum.Validate(); err != nil {
		return within("quorum", err)
	}
	return nil
}

func (s ReportSpec) draft(by Identity, now time.Time) *Report {
	return &Report{
		Summary:        s.Summary,
		DocumentSHA256: s.DocumentSHA256,
		URI:            s.URI,
		SignOff:        s.Quorum.unsigned(),
		DraftedBy:      by,
		DraftedAt:      now.UTC(),
	}
}

func (e Engagement) apply(a Action, now time.Time) (Engagement, error) {
	to, err := engagementMachine.next("engagement", e.ID, e.Status, a)
	if err != nil {
		return e, err
	}
	out := e
	out.Status = to
	out.UpdatedAt = now.UTC()
	return out, nil
}

// Accepts returns a *TransitionError unless the engagement's status allows
// action a; callers use it to refuse work on an engagement up front.
func (e Engagement) Accepts(a Action) error {
	_, err := engagementMachine.next("engagement", e.ID, e.Status, a)
	return err
}

// DraftReport moves the engagement to reporting with a report awaiting the
// sign-off of its named signers.
func (e Engagement) DraftReport(spec ReportSpec, by Identity, now time.Time) (Engagement, error) {
	return e.putReport(ActionDraftReport, spec, by, now)
}

// ReviseReport replaces the draft report. Signatures collected so far are
// dropped because they were given to the old content.
func (e Engagement) ReviseReport(spec ReportSpec, by Identity, now time.Time) (Engagement, error) {
	return e.putReport(ActionReviseReport, spec, by, now)
}

func (e Engagement) putReport(a Action, spec ReportSpec, by Identity, now time.Time) (Engagement, error) {
	if err := spec.Validate(); err != nil {
		return e, err
	}
	out, err := e.apply(a, now)
	if err != nil {
		return e, err
	}
	out.Report = spec.draft(by, now)
	return out, nil
}

// SignReport adds signer's signature to the draft report; the signature that
// completes the quorum issues the report.
func (e Engagement) SignReport(signer Identity, now time.Time) (Engagement, error) {
	out, err := e.apply(ActionSign, now)
	if err != nil {
		return e, err
	}
	r := *e.Report
	if r.SignOff, err = r.SignOff.Sign(signer, now); err != nil {
		return e, err
	}
	if r.SignOff.Complete() {
		if out, err = out.apply(ActionIssue, now); err != nil {
			return e, err
		}
		r.IssuedAt = now.UTC()
	}
	out.Report = &r
	return out, nil
}

// Close ends an issued engagement once every request and finding is settled.
func (e Engagement) Close(now time.Time) (Engagement, error) {
	out, err := e.apply(ActionClose, now)
	if err != nil {
		return e, err
	}
	if err := e.settled(); err != nil {
		return e, err
	}
	return out, nil
}

// Withdraw abandons an engagement before its report is issued. Its requests
// and findings must be settled or withdrawn first.
func (e Engagement) Withdraw(reason string, now time.Time) (Engagement, error) {
	if err := checkText("reason", reason, MaxTextLen); err != nil {
		return e, err
	}
	out, err := e.apply(ActionWithdraw, now)
	if err != nil {
		return e, err
	}
	if err := e.settled(); err != nil {
		return e, err
	}
	out.Reason = reason
	return out, nil
}

func (e Engagement) settled() error {
	if e.OpenRequests > 0 || e.OpenFindings > 0 {
		return fmt.Errorf("%w: engagement %s has %d open requests and %d open findings",
			ErrOutstanding, e.ID, e.OpenRequests, e.OpenFindings)
	}
	return nil
}
