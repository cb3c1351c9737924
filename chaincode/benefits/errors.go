package benefits

import (
	"fmt"

	"github.com/govledger/govledger/chaincode/ccerror"
	"github.com/govledger/govledger/chaincode/identity"
)

// Sentinel errors. Each wraps the ccerror class it belongs to, so a contract
// hands domain errors to ccerror.From unchanged. Validation and state-machine
// failures share identity's types, since benefits validates identity's
// values too and callers should not have to test for two of each.
var (
	// ErrInvalid marks input that breaks a validation rule; such errors are
	// *identity.FieldError values naming the field.
	ErrInvalid = identity.ErrInvalid
	// ErrTransition marks an action the record's status does not allow; such
	// errors are *identity.TransitionError values.
	ErrTransition = identity.ErrTransition
	// ErrSyntax marks an eligibility rule that does not parse (see
	// ParseError); it is a kind of ErrInvalid.
	ErrSyntax = fmt.Errorf("rule syntax error: %w", identity.ErrInvalid)
	// ErrDuplicateBenefit refuses a second active entitlement in one
	// exclusivity group (see DuplicateBenefitError).
	ErrDuplicateBenefit = fmt.Errorf("duplicate benefit: %w", ccerror.ErrPrecondition)
	// ErrConflictingClaims refuses evidence that discloses one claim twice
	// with different values.
	ErrConflictingClaims = fmt.Errorf("conflicting claim values: %w", ccerror.ErrInvalidArgument)
	// ErrNotDue refuses a disbursement for a period the entitlement does not
	// cover or that has not started.
	ErrNotDue = fmt.Errorf("disbursement not due: %w", ccerror.ErrPrecondition)
	// ErrAppealWindow refuses an appeal filed after the appeal window closed.
	ErrAppealWindow = fmt.Errorf("appeal window closed: %w", ccerror.ErrPrecondition)
)

func invalid(field, format string, args ...any) *identity.FieldError {
	return &identity.FieldError{Field: field, Rule: fmt.Sprintf(format, args...)}
}

func refused(entity, id, from, action string) *identity.TransitionError {
	return &identity.TransitionError{Entity: entity, ID: id, From: from, Action: action}
}

// transitions is a state machine as an explicit table: for each status, the
// actions allowed and the status each leads to. An action not listed is refused.
type transitions[S ~string, A ~string] map[S]map[A]S

func (t transitions[S, A]) next(entity, id string, from S, action A) (S, error) {
	if to, ok := t[from][action]; ok {
		return to, nil
	}
	return from, refused(entity, id, string(from), string(action))
}
