package procurement

import (
	"fmt"

	"github.com/govledger/govledger/chaincode/ccerror"
	"github.com/govledger/govledger/chaincode/internal/validate"
)

// sentinel is an error value that names the rule it enforces and belongs to
// a broader class, so a caller can test for the exact rule
// (errors.Is(err, ErrDeadline)) or the class (errors.Is(err,
// ccerror.ErrPrecondition)) without comparing strings, and ccerror.From
// carries the rule to the client.
type sentinel struct {
	msg    string
	rule   string
	parent error
}

// Error is the rule's own message; the class shows in errors.Is, not in text.
func (s *sentinel) Error() string { return s.msg }

// Unwrap returns the broader class.
func (s *sentinel) Unwrap() error { return s.parent }

// ErrorRule implements ccerror.RuleReporter.
func (s *sentinel) ErrorRule() string { return s.rule }

// Error classes. Input errors are *validate.FieldError values (they unwrap to
// validate.ErrInvalid and ccerror.ErrInvalidArgument) naming the field and
// the rule.
var (
	// ErrPrecondition marks a well-formed request that the tender's state
	// or the transaction time forbids. Most precondition errors wrap one of
	// the more specific rules below.
	ErrPrecondition error = &sentinel{msg: "precondition failed", rule: "precondition", parent: ccerror.ErrPrecondition}
	// ErrNotFound marks a reference to something the tender does not hold
	// (a milestone, a challenge, an opened bid).
	ErrNotFound error = &sentinel{msg: "not found", rule: "notFound", parent: ccerror.ErrNotFound}
	// ErrNotParticipant: the actor has no part in this tender in the needed
	// capacity (not its buyer, not an assigned evaluator, not an
	// unsuccessful bidder, not the contracted supplier). It is a
	// PERMISSION_DENIED: the role may act, but not on this tender.
	ErrNotParticipant error = &sentinel{msg: "not a participant in this capacity", rule: "participant", parent: ccerror.ErrPermissionDenied}
	// ErrDuplicate: the same thing was already recorded (an identical
	// commitment, a second reveal, a second challenge, a second decision).
	ErrDuplicate error = &sentinel{msg: "already recorded", rule: "duplicate", parent: ccerror.ErrAlreadyExists}
)

// Precondition rules. Each wraps ErrPrecondition.
var (
	// ErrTransition: the transition table does not allow the action in the
	// current status; the concrete error is a *TransitionError.
	ErrTransition error = &sentinel{msg: "action not allowed in the current status", rule: "transition", parent: ErrPrecondition}
	// ErrDeadline: the action falls outside its time window.
	ErrDeadline error = &sentinel{msg: "outside the permitted time window", rule: "deadline", parent: ErrPrecondition}
	// ErrCommitmentMismatch: a revealed bid does not hash to its commitment.
	ErrCommitmentMismatch error = &sentinel{msg: "revealed bid does not match its commitment", rule: "commitment", parent: ErrPrecondition}
	// ErrCriteriaLocked: an amendment tried to change the award method or
	// criteria, which are fixed by hash at publication.
	ErrCriteriaLocked error = &sentinel{msg: "award criteria are locked after publication", rule: "criteriaLocked", parent: ErrPrecondition}
	// ErrConflictOfInterest: the evaluator declared a conflict and is
	// excluded from the evaluation.
	ErrConflictOfInterest error = &sentinel{msg: "evaluator declared a conflict of interest", rule: "conflictOfInterest", parent: ErrPrecondition}
	// ErrDeclarationMissing: the evaluator has not filed a conflict-of-interest
	// declaration.
	ErrDeclarationMissing error = &sentinel{msg: "conflict-of-interest declaration missing", rule: "declaration", parent: ErrPrecondition}
	// ErrOpenChallenge: an unresolved challenge blocks contract signing.
	ErrOpenChallenge error = &sentinel{msg: "an open challenge blocks this action", rule: "openChallenge", parent: ErrPrecondition}
	// ErrEvaluationIncomplete: the award needs declarations and scores that
	// are still missing.
	ErrEvaluationIncomplete error = &sentinel{msg: "evaluation incomplete", rule: "evaluationIncomplete", parent: ErrPrecondition}
	// ErrThreshold: a direct award would reach the direct-award threshold.
	ErrThreshold error = &sentinel{msg: "direct-award threshold reached", rule: "directThreshold", parent: ErrPrecondition}
)

// Input rules of the procurement domain, carried in validate.FieldError.Rule
// next to the generic validate.Rule* names. Clients may switch on them.
const (
	RuleMatch             = "match"             // must equal another value (the tender id, the bid's supplier)
	RuleImmutable         = "immutable"         // cannot change after publication
	RuleUnchanged         = "unchanged"         // an amendment that changes nothing
	RuleNotBidder         = "notBidder"         // names a supplier that is not an opened/ranked bidder
	RuleBudgetCurrency    = "budgetCurrency"    // money not in the tender's budget currency
	RuleCriteria          = "criteria"          // award criteria break the award-method rules
	RuleCoverage          = "coverage"          // scores must cover every technical criterion once
	RuleFuture            = "future"            // must be after the transaction time
	RuleDeadlineOrder     = "deadlineOrder"     // enquiry end <= submission deadline < reveal end
	RuleDirectThreshold   = "directThreshold"   // direct awards must stay below the threshold
	RuleTotal             = "total"             // milestones must add up to the awarded value
	RuleControlCharacters = "controlCharacters" // free text with control characters
)

func fieldErr(field, rule, format string, args ...any) error {
	return validate.Fail(field, rule, fmt.Sprintf(format, args...))
}

// TransitionError reports an action the transition table does not allow
// from the current status.
type TransitionError struct {
	Entity string // "tender" or "milestone"
	Status string
	Action Action
}

// Error says which action the status forbids.
func (e *TransitionError) Error() string {
	return fmt.Sprintf("cannot %s: %s is %s", e.Action, e.Entity, e.Status)
}

// Unwrap makes every TransitionError match ErrTransition (and so
// ccerror.ErrPrecondition).
func (e *TransitionError) Unwrap() error { return ErrTransition }
