package audit

import (
	"errors"
	"fmt"

	"github.com/govledger/govledger/chaincode/ccerror"
	"github.com/govledger/govledger/chaincode/internal/validate"
)

// Input that breaks a rule is reported as a *validate.FieldError, the
// platform's one field error, so clients see the same field/rule wire format
// from every contract. These are the rule names this package adds to
// validate's.
const (
	RulePrintable = "printable" // text must not contain control characters
	RuleUnique    = "unique"    // a list must not repeat an item
	RuleMaxItems  = "maxItems"  // a list is longer than its bound
	RuleAfter     = "after"     // a time must be later than a reference time
	RuleURI       = "uri"       // not an acceptable evidence URI
	RuleMatch     = "match"     // refers to another entity than the one acted on
	RuleEvidence  = "evidence"  // an evidence item has neither document nor ledger references
)

// Sentinel errors. Each wraps the ccerror sentinel of its class, so a contract
// can hand any of them to ccerror.From unchanged; callers test for the exact
// rule with errors.Is.
var (
	// ErrTransition marks an action the entity's current status does not allow
	// (see TransitionError).
	ErrTransition = fmt.Errorf("transition not allowed: %w", ccerror.ErrPrecondition)
	// ErrUnnamedSigner rejects a signature from someone not named on the sign-off.
	ErrUnnamedSigner = fmt.Errorf("signer is not named on the sign-off: %w", ccerror.ErrPermissionDenied)
	// ErrDuplicateSignature rejects a second signature by the same signer.
	ErrDuplicateSignature = fmt.Errorf("signer has already signed: %w", ccerror.ErrPrecondition)
	// ErrOutstanding refuses to close or withdraw an engagement while requests
	// or findings on it are still open.
	ErrOutstanding = fmt.Errorf("outstanding requests or findings: %w", ccerror.ErrPrecondition)
	// ErrUnsupportedOutcome refuses a closure outcome the finding's record
	// does not back (see CloseFinding).
	ErrUnsupportedOutcome = fmt.Errorf("closure outcome not supported by the record: %w", ccerror.ErrPrecondition)
	// ErrLimit refuses to grow a record past its bound (e.g. MaxFollowUps).
	ErrLimit = fmt.Errorf("record limit reached: %w", ccerror.ErrPrecondition)
	// ErrUnknownRedFlag rejects a red flag whose kind has no mapping rule.
	ErrUnknownRedFlag = fmt.Errorf("unknown red-flag kind: %w", ccerror.ErrInvalidArgument)
)

func fieldErr(field, rule, detail string) error { return validate.Fail(field, rule, detail) }

// within prefixes the field path of a nested field error, leaving other errors
// untouched.
func within(prefix string, err error) error {
	var fe *validate.FieldError
	if errors.As(err, &fe) {
		return &validate.FieldError{Field: prefix + "." + fe.Field, Rule: fe.Rule, Detail: fe.Detail}
	}
	return err
}

// TransitionError reports an action refused by an entity's transition table.
type TransitionError struct {
	Entity string // "engagement", "request" or "finding"
	ID     string
	From   string // the status the entity is in
	Action Action
}

func (e *TransitionError) Error() string {
	return fmt.Sprintf("%s %s: cannot %s while %s", e.Entity, e.ID, e.Action, e.From)
}

// Unwrap lets errors.Is(err, ErrTransition) match every refused transition.
func (e *TransitionError) Unwrap() error { return ErrTransition }

// ErrorRule implements ccerror.RuleReporter: the broken rule is the entity's
// status, e.g. "finding-status".
func (e *TransitionError) ErrorRule() string { return e.Entity + "-status" }
