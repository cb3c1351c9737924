package audit

import (
	"fmt"
	"time"

	"github.com/govledger/govledger/chaincode/internal/validate"
)

// RequestStatus is where a request for information is in its life cycle.
type RequestStatus string

// Request statuses.
const (
	// RequestOpen awaits the agency's response before its due date.
	RequestOpen RequestStatus = "open"
	// RequestEscalated is past its due date without a response.
	RequestEscalated RequestStatus = "escalated"
	// RequestResponded has a response awaiting the auditor's review.
	RequestResponded RequestStatus = "responded"
	// RequestAccepted is final: the auditor accepted the response.
	RequestAccepted RequestStatus = "accepted"
	// RequestWithdrawn is final: the auditor no longer needs the information.
	RequestWithdrawn RequestStatus = "withdrawn"
)

var requestMachine = transitions[RequestStatus]{
	RequestOpen: {
		ActionRespond:  RequestResponded,
		ActionEscalate: RequestEscalated,
		ActionExtend:   RequestOpen,
		ActionWithdraw: RequestWithdrawn,
	},
	RequestEscalated: {
		ActionRespond:  RequestResponded,
		ActionExtend:   RequestOpen,
		ActionWithdraw: RequestWithdrawn,
	},
	RequestResponded: {
		ActionAccept:   RequestAccepted,
		ActionReopen:   RequestOpen,
		ActionWithdraw: RequestWithdrawn,
	},
}

// Request asks the audited agency for information by a due date. Origin is set
// when a procurement red flag raised it.
type Request struct {
	ID           string        `json:"id"`
	EngagementID string        `json:"engagementId"`
	Agency       Agency        `json:"agency"`
	Subject      string        `json:"subject"`
	Detail       string        `json:"detail"`
	Status       RequestStatus `json:"status"`
	DueAt        time.Time     `json:"dueAt"`
	EscalatedAt  time.Time     `json:"escalatedAt,omitzero" metadata:",optional"`
	Responses    int           `json:"responses"` // how many responses were filed
	Origin       *RedFlag      `json:"origin,omitempty" metadata:",optional"`
	Note         string        `json:"note,omitempty" metadata:",optional"` // the auditor's latest reason for reopening, extending or withdrawing
	IssuedBy     Identity      `json:"issuedBy"`
	IssuedAt     time.Time     `json:"issuedAt"`
	UpdatedAt    time.Time     `json:"updatedAt"`
}

// RequestSpec is what an auditor supplies to issue a request (or what
// RequestFromRedFlag derives from a red flag).
type RequestSpec struct {
	ID      string    `json:"id"`
	Subject string    `json:"subject"`
	Detail  string    `json:"detail"`
	DueAt   time.Time `json:"dueAt"`
	Origin  *RedFlag  `json:"origin,omitempty" metadata:",optional"`
}

// Validate checks every field against the transaction time now.
func (s RequestSpec) Validate(now time.Time) error {
	if err := validate.ID("id", s.ID); err != nil {
		return err
	}
	if err := checkText("subject", s.Subject, MaxTitleLen); err != nil {
		return err
	}
	if err := checkText("detail", s.Detail, MaxTextLen); err != nil {
		return err
	}
	if err := checkDue("dueAt", s.DueAt, now); err != nil {
		return err
	}
	if s.Origin != nil {
		if err := s.Origin.Validate(); err != nil {
			return within("origin", err)
		}
	}
	return nil
}

// IssueRequest addresses a request to the engagement's agency and counts it as
// open on the engagement.
func IssueRequest(e Engagement, spec RequestSpec, by Identity, now time.Time) (Engagement, Request, error) {
	if err := spec.Validate(now); err != nil {
		return e, Request{}, err
	}
	out, err := e.apply(ActionIssueRequest, now)
	if err != nil {
		return e, Request{}, err
	}
	out.OpenRequests++
	now = now.UTC()
	var origin *RedFlag
	if spec.Origin != nil {
		o := *spec.Origin
		origin = &o
	}
	return out, Request{
		ID:           spec.ID,
		EngagementID: e.ID,
		Agency:       e.Agency,
		Subject:      spec.Subject,
		Detail:       spec.Detail,
		Status:       RequestOpen,
		DueAt:        spec.DueAt.UTC(),
		Origin:       origin,
		IssuedBy:     by,
		IssuedAt:     now,
		UpdatedAt:    now,
	}, nil
}

// Final reports whether the request can no longer change.
func (r Request) Final() bool { return r.Status == RequestAccepted || r.Status == RequestWithdrawn }

// Overdue reports whether the request still awaits a response after its due
// date.
func (r Request) Overdue(now time.Time) bool {
	return (r.Status == RequestOpen || r.Status == RequestEscalated) && now.After(r.DueAt)
}

// Escalate marks an open request escalated once now is past its due date, and
// reports whether it did; requests in any other status are returned as they
// are. It is applied whenever a transaction touches a
// request and by the deadline sweep, so both agree on what is overdue.
func Escalate(r Request, now time.Time) (Request, bool) {
	if !now.After(r.DueAt) {
		return r, false
	}
	out, err := r.apply(ActionEscalate, now)
	if err != nil {
		return r, false
	}
	out.EscalatedAt = now.UTC()
	return out, true
}

func (r Request) apply(a Action, now time.Time) (Request, error) {
	to, err := requestMachine.next("request", r.ID, r.Status, a)
	if err != nil {
		return r, err
	}
	out := r
	out.Status = to
	out.UpdatedAt = now.UTC()
	return out, nil
}

// Response is the agency's answer to a request. Seq numbers a request's
// responses from 1; a response after the due date is marked Late.
type Response struct {
	EngagementID string     `json:"engagementId"`
	RequestID    string     `json:"requestId"`
	Seq          int        `json:"seq"`
	Statement    string     `json:"statement"`
	Evidence     []Evidence `json:"evidence"`
	Late         bool       `json:"late"`
	FiledBy      Identity   `json:"filedBy"`
	FiledAt      time.Time  `json:"filedAt"`
}

// ResponseSpec is what the agency supplies to respond.
type ResponseSpec struct {
	Statement string     `json:"statement"`
	Evidence  []Evidence `json:"evidence"`
}

// Validate checks every field.
func (s ResponseSpec) Validate() error {
	if err := checkText("statement", s.Statement, MaxTextLen); err != nil {
		return err
	}
	return checkEvidence(s.Evidence)
}

// FileResponse records the agency's response to an open or escalated request,
// at most MaxResponses per request.
func FileResponse(r Request, spec ResponseSpec, by Identity, now time.Time) (Request, Response, error) {
	if err := spec.Validate(); err != nil {
		return r, Response{}, err
	}
	out, err := r.apply(ActionRespond, now)
	if err != nil {
		return r, Response{}, err
	}
	if r.Responses >= MaxResponses {
		return r, Response{}, fmt.Errorf("%w: request %s already has the maximum of %d responses", ErrLimit, r.ID, MaxResponses)
	}
	out.Responses++
	return out, Response{
		EngagementID: r.EngagementID,
		RequestID:    r.ID,
		Seq:          out.Responses,
		Statement:    spec.Statement,
		Evidence:     cloneEvidence(spec.Evidence),
		Late:         now.After(r.DueAt),
		FiledBy:      by,
		FiledAt:      now.UTC(),
	}, nil
}

// Reopen sends a responded request back to the agency for more information,
// with a new due date.
func (r Request) Reopen(reason string, due, now time.Time) (Request, error) {
	return r.reschedule(ActionReopen, reason, due, now)
}

// Extend gives the agency more time on an open or escalated request; an
// escalated request returns to open.
func (r Request) Extend(reason string, due, now time.Time) (Request, error) {
	if !due.After(r.DueAt) {
		return r, fieldErr("dueAt", RuleAfter, "must be later than the current due date")
	}
	return r.reschedule(ActionExtend, reason, due, now)
}

func (r Request) reschedule(a Action, reason string, due, now time.Time) (Request, error) {
	if err := checkText("reason", reason, MaxTextLen); err != nil {
		return r, err
	}
	if err := checkDue("dueAt", due, now); err != nil {
		return r, err
	}
	out, err := r.apply(a, now)
	if err != nil {
		return r, err
	}
	out.DueAt = due.UTC()
	out.EscalatedAt = time.Time{}
	out.Note = reason
	return out, nil
}

// AcceptResponse settles a responded request and its count on the engagement.
func AcceptResponse(e Engagement, r Request, now time.Time) (Engagement, Request, error) {
	return settleRequest(e, r, ActionAccept, "", now)
}

// WithdrawRequest settles a request the auditor no longer needs.
func WithdrawRequest(e Engagement, r Request, reason string, now time.Time) (Engagement, Request, error) {
	if err := checkText("reason", reason, MaxTextLen); err != nil {
		return e, r, err
	}
	return settleRequest(e, r, ActionWithdraw, reason, now)
}

func settleRequest(e Engagement, r Request, a Action, note string, now time.Time) (Engagement, Request, error) {
	if r.EngagementID != e.ID {
		return e, r, fieldErr("engagementId", RuleMatch, fmt.Sprintf("request %s belongs to engagement %s, not %s", r.ID, r.EngagementID, e.ID))
	}
	out, err := r.apply(a, now)
	if err != nil {
		return e, r, err
	}
	if note != "" {
		out.Note = note
	}
	eng := e
	eng.OpenRequests--
	eng.UpdatedAt = now.UTC()
	return eng, out, nil
}
