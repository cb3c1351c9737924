package health

import (
	"crypto/sha256"
	"encoding/hex"
	"time"

	"github.com/govledger/govledger/chaincode/internal/validate"
)

// Status is where an alert is in its life cycle.
type Status string

// Alert statuses.
const (
	StatusOpen         Status = "open"
	StatusAcknowledged Status = "acknowledged"
	StatusClosed       Status = "closed"
)

// Action is something an epidemiologist does to an alert.
type Action string

// Alert actions.
const (
	ActionAcknowledge Action = "acknowledge"
	ActionClose       Action = "close"
)

// transitions is the alert life cycle as a table: per status, the actions
// allowed and the status each leads to. Anything absent is refused.
var transitions = map[Status]map[Action]Status{
	StatusOpen:         {ActionAcknowledge: StatusAcknowledged},
	StatusAcknowledged: {ActionClose: StatusClosed},
}

// Reasons an alert may be closed with. A closed vocabulary, because alerts
// are public and free text is where case details leak.
const (
	CloseResolved          = "resolved"           // investigated, outbreak over or contained
	CloseFalsePositive     = "false-positive"     // no outbreak behind the signal
	CloseExpectedSeasonal  = "expected-seasonal"  // a known seasonal rise
	CloseReportingArtifact = "reporting-artifact" // a backlog, batch upload or coding change
)

// CloseReasons lists the accepted close reasons.
func CloseReasons() []string {
	return []string{CloseResolved, CloseFalsePositive, CloseExpectedSeasonal, CloseReportingArtifact}
}

// Alert is an outbreak signal raised by a rule for one region and week. It
// holds no private data: the count appears only as a Band.
type Alert struct {
	ID        string `json:"id"`
	RuleID    string `json:"ruleId"`
	Method    Method `json:"method"`
	Condition string `json:"condition"`
	Region    string `json:"region"`
	Week      string `json:"week"`
	CountBand string `json:"countBand"`
	// Statistic is EARS's C in thousandths; absent for threshold rules.
	Statistic      int64     `json:"statistic,omitempty" metadata:",optional"`
	Status         Status    `json:"status"`
	RaisedAt       time.Time `json:"raisedAt"`
	RaisedTx       string    `json:"raisedTx"`
	AcknowledgedAt time.Time `json:"acknowledgedAt,omitzero" metadata:",optional"`
	AcknowledgedBy *Actor    `json:"acknowledgedBy,omitempty" metadata:",optional"`
	ClosedAt       time.Time `json:"closedAt,omitzero" metadata:",optional"`
	ClosedBy       *Actor    `json:"closedBy,omitempty" metadata:",optional"`
	CloseReason    string    `json:"closeReason,omitempty" metadata:",optional"`
}

// AlertID is the identifier of the alert rule ruleID raises for region and
// week. Deterministic, so every endorser derives the same one and a second
// report in the same cell finds the alert instead of raising another.
func AlertID(ruleID, region string, week Week) string {
	sum := sha256.Sum256([]byte(ruleID + "\x00" + region + "\x00" + week.String()))
	return "AL-" + hex.EncodeToString(sum[:12])
}

// Raise returns the open alert for a verdict that raised, with count shown
// as Band(count, k).
func Raise(r Rule, region string, week Week, count int64, k int, v Verdict, at time.Time, txID string) Alert {
	a := Alert{
		ID: AlertID(r.ID, region, week), RuleID: r.ID, Method: r.Method, Condition: r.Condition,
		Region: region, Week: week.String(), CountBand: Band(count, k),
		Status: StatusOpen, RaisedAt: at.UTC(), RaisedTx: txID,
	}
	if v.HasStatistic {
		a.Statistic = v.Statistic
	}
	return a
}

// Apply performs action on a, by whom and when. Closing needs one of
// CloseReasons; acknowledging takes no reason.
func (a Alert) Apply(action Action, by Actor, at time.Time, reason string) (Alert, error) {
	to, ok := transitions[a.Status][action]
	if !ok {
		return a, &TransitionError{AlertID: a.ID, From: a.Status, Action: action}
	}
	at = at.UTC()
	switch action {
	case ActionAcknowledge:
		if reason != "" {
			return a, validate.Fail("reason", validate.RuleOneOf, "acknowledging takes no reason")
		}
		a.AcknowledgedAt, a.AcknowledgedBy = at, &by
	case ActionClose:
		if err := validate.OneOf("reason", reason, CloseReasons()...); err != nil {
			return a, err
		}
		a.ClosedAt, a.ClosedBy, a.CloseReason = at, &by, reason
	}
	a.Status = to
	return a, nil
}
