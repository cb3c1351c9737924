package health

import (
	"errors"
	"fmt"

	"github.com/govledger/govledger/chaincode/ccerror"
	"github.com/govledger/govledger/chaincode/deid"
)

// Rule names this package adds to validate's. They travel to clients in the
// rule of an INVALID_ARGUMENT or FAILED_PRECONDITION error.
const (
	RuleWeek      = "iso-week"     // YYYY-Www naming a week that exists
	RuleCondition = "condition"    // a condition key ConditionOf could produce
	RuleRegion    = "region"       // a three-digit region, or "*" where allowed
	RuleNotFuture = "not-future"   // an onset week after the transaction's week
	RuleImmutable = "immutable"    // a rule's condition, region and method never change
	RuleStatus    = "alert-status" // the alert's status forbids the action
)

// Sentinel errors.
var (
	// ErrTransition marks an action an alert's status does not allow (see
	// TransitionError).
	ErrTransition = fmt.Errorf("alert transition not allowed: %w", ccerror.ErrPrecondition)
	// ErrBaseline reports EARS called with a baseline of the wrong length or a
	// floor that is not positive: a bug in the caller, so INTERNAL.
	ErrBaseline = errors.New("health: EARS needs 7 weekly baseline counts and a positive sd floor")
	// ErrStored reports a stored value this package cannot read back, which
	// is corruption or a bug, never the caller's fault: INTERNAL.
	ErrStored = errors.New("health: stored value unreadable")
)

// TransitionError reports an action refused by the alert transition table.
type TransitionError struct {
	AlertID string
	From    Status
	Action  Action
}

// Error names the alert, the action and the status that forbids it.
func (e *TransitionError) Error() string {
	return fmt.Sprintf("alert %s: cannot %s while %s", e.AlertID, e.Action, e.From)
}

// Unwrap lets errors.Is(err, ErrTransition) match every refused transition.
func (e *TransitionError) Unwrap() error { return ErrTransition }

// ErrorRule implements ccerror.RuleReporter.
func (e *TransitionError) ErrorRule() string { return RuleStatus }

// RejectionError is a case report refused by the de-identification gate or
// its strict decoder. Like the deid errors it wraps, it never quotes the
// rejected value, which may be the very identifier being refused.
type RejectionError struct {
	Field string // input path, e.g. "report.patientKey"
	Rule  string // the deid rule, e.g. "safe-harbor-g-national-id", or validate's "json"/"maxSize"
	Err   error  // *deid.Violation or *deid.PathError
}

// Error names the field and the rule.
func (e *RejectionError) Error() string {
	return fmt.Sprintf("case report rejected: field %q: rule %q: %v", e.Field, e.Rule, e.Err)
}

// Unwrap exposes the deid error (so errors.Is(err, deid.ErrIdentifier) tells
// an attempted disclosure from a typo) and ccerror.ErrInvalidArgument, which
// is how clients see every rejection.
func (e *RejectionError) Unwrap() []error { return []error{e.Err, ccerror.ErrInvalidArgument} }

// ErrorField implements ccerror.FieldReporter.
func (e *RejectionError) ErrorField() string { return e.Field }

// ErrorRule implements ccerror.RuleReporter.
func (e *RejectionError) ErrorRule() string { return e.Rule }

// Identifier reports whether the rejection was a suspected identifier (a
// Safe Harbor rule) rather than a malformed field: for a chaincode that is a
// privacy incident worth counting, not a typo.
func (e *RejectionError) Identifier() bool { return errors.Is(e.Err, deid.ErrIdentifier) }
