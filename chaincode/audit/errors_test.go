package audit_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/govledger/govledger/chaincode/audit"
	"github.com/govledger/govledger/chaincode/ccerror"
)

func TestErrorsClassifyForClients(t *testing.T) {
	_, f := issuedFinding(t)
	_, transition := f.Revise(findingSpec(), t0)
	_, field := audit.OpenEngagement(audit.EngagementSpec{}, auditor1, t0)
	tests := []struct {
		name  string
		err   error
		code  ccerror.Code
		field string
		rule  string
	}{
		{"a field error is an invalid argument naming the field", field, ccerror.InvalidArgument, "id", "required"},
		{"a refused transition is a failed precondition", transition, ccerror.FailedPrecondition, "", "finding-status"},
		{"an unnamed signer is denied", audit.ErrUnnamedSigner, ccerror.PermissionDenied, "", ""},
		{"a duplicate signature is a failed precondition", audit.ErrDuplicateSignature, ccerror.FailedPrecondition, "", ""},
		{"outstanding items are a failed precondition", audit.ErrOutstanding, ccerror.FailedPrecondition, "", ""},
		{"an unknown red flag is an invalid argument", audit.ErrUnknownRedFlag, ccerror.InvalidArgument, "", ""},
		{"an unsupported outcome is a failed precondition", audit.ErrUnsupportedOutcome, ccerror.FailedPrecondition, "", ""},
		{"a record limit is a failed precondition", audit.ErrLimit, ccerror.FailedPrecondition, "", ""},
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
	t.Run("a transition error names entity, status and action", func(t *testing.T) {
		require.EqualError(t, transition, "finding F-1: cannot revise while issued")
	})
}

func TestEngagementLifecycle(t *testing.T) {
	t.Run("closes once every request and finding is settled", func(t *testing.T) {
		e, r, err := audit.IssueRequest(openEngagement(t), requestSpec(), auditor1, t0)
		require.NoError(t, err)
		r, _, err = audit.FileResponse(r, responseSpec(), buyer1, t0.Add(days))
		require.NoError(t, err)
		e, _, err = audit.AcceptResponse(e, r, t0.Add(2*days))
		require.NoError(t, err)
		e, f, err := audit.RaiseFinding(e, findingSpec(), auditor1, t0.Add(3*days))
		require.NoError(t, err)
		for _, s := range []audit.Identity{auditor2, manager1} {
			f, err = f.Sign(s, t0.Add(4*days))
			require.NoError(t, err)
		}
		e = issuedEngagement(t, e)
		_, err = e.Close(t0.Add(5 * days))
		require.ErrorIs(t, err, audit.ErrOutstanding)
		f, err = f.RespondManagement(managementSpec(), buyer1, t0.Add(5*days))
		require.NoError(t, err)
		e, _, err = audit.CloseFinding(e, f, audit.ClosureSpec{Outcome: audit.OutcomeRiskAccepted, Note: "Accepted."}, auditor1, t0.Add(6*days))
		require.NoError(t, err)
		e, err = e.Close(t0.Add(7 * days))
		require.NoError(t, err)
		require.Equal(t, audit.EngagementClosed, e.Status)
	})
}
