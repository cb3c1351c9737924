package procurement

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/govledger/govledger/chaincode/ccerror"
)

func TestErrorsReachTheClientClassified(t *testing.T) {
	tests := []struct {
		name  string
		err   error
		code  ccerror.Code
		field string
		rule  string
	}{
		{"a deadline is a failed precondition named deadline", fmt.Errorf("%w: closed", ErrDeadline), ccerror.FailedPrecondition, "", "deadline"},
		{"a transition is a failed precondition named transition", &TransitionError{Entity: "tender", Status: "active", Action: ActionAward},
			ccerror.FailedPrecondition, "", "transition"},
		{"a commitment mismatch names its rule", ErrCommitmentMismatch, ccerror.FailedPrecondition, "", "commitment"},
		{"a duplicate already exists", ErrDuplicate, ccerror.AlreadyExists, "", "duplicate"},
		{"a non-participant is denied", ErrNotParticipant, ccerror.PermissionDenied, "", "participant"},
		{"a missing milestone is not found", ErrNotFound, ccerror.NotFound, "", "notFound"},
		{"an input error names field and rule", fieldErr("budget.amount", "positive", "must be > 0"), ccerror.InvalidArgument,
			"budget.amount", "positive"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var ce *ccerror.Error
			require.ErrorAs(t, ccerror.From(tc.err), &ce)
			require.Equal(t, tc.code, ce.Code)
			require.Equal(t, tc.field, ce.Field)
			require.Equal(t, tc.rule, ce.Rule)
		})
	}
}
