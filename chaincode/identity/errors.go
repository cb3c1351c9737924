package identity

import (
	"fmt"

	"github.com/govledger/govledger/chaincode/ccerror"
)

// ErrInvalid is the sentinel behind every input that breaks a validation
// rule. It wraps ccerror.ErrInvalidArgument, as every sentinel here wraps the
// ccerror class it belongs to, so a contract hands domain errors to
// ccerror.From unchanged.
var ErrInvalid = fmt.Errorf("invalid input: %w", ccerror.ErrInvalidArgument)

// FieldError names the input field that broke a rule, so a caller can point
// the user at it without parsing the message.
type FieldError struct {
	Field string // JSON path of the offending field, e.g. "validUntil"
	Rule  string // what the field must satisfy, e.g. "must be after validFrom"
}

func (e *FieldError) Error() string { return fmt.Sprintf("%s: %s", e.Field, e.Rule) }

// Unwrap lets callers test errors.Is(err, ErrInvalid).
func (e *FieldError) Unwrap() error { return ErrInvalid }

// ErrorField names the field for ccerror.From.
func (e *FieldError) ErrorField() string { return e.Field }

// ErrorRule names the rule for ccerror.From.
func (e *FieldError) ErrorRule() string { return e.Rule }

func invalid(field, format string, args ...any) *FieldError {
	return &FieldError{Field: field, Rule: fmt.Sprintf(format, args...)}
}

// ErrTransition is the sentinel behind every action a record's current state
// does not allow.
var ErrTransition = fmt.Errorf("transition not allowed: %w", ccerror.ErrPrecondition)

// TransitionError reports an action attempted from a state that does not allow it.
type TransitionError struct {
	Entity string // "issuer", "consent", ...
	ID     string
	From   string
	Action string
}

func (e *TransitionError) Error() string {
	return fmt.Sprintf("%s %s: cannot %s when %s", e.Entity, e.ID, e.Action, e.From)
}

// Unwrap lets callers test errors.Is(err, ErrTransition).
func (e *TransitionError) Unwrap() error { return ErrTransition }

// ErrorRule names the broken rule for ccerror.From.
func (e *TransitionError) ErrorRule() string { return e.Entity + "-status" }
