package identity

import (
	"encoding/json"
	"testing"

	"github.com/govledger/govledger/chaincode/ccerror"
	"github.com/stretchr/testify/require"
)

func TestErrorsClassifyForClients(t *testing.T) {
	tests := []struct {
		name  string
		err   error
		code  ccerror.Code
		field string
		rule  string
	}{
		{"a field error is an invalid argument naming the field", invalid("validUntil", "must be after validFrom"),
			ccerror.InvalidArgument, "validUntil", "must be after validFrom"},
		{"a refused transition is a failed precondition", &TransitionError{Entity: "issuer", ID: "SSA", From: "revoked", Action: "suspend"},
			ccerror.FailedPrecondition, "", "issuer-status"},
		{"an expired attestation is a failed precondition", ErrExpired, ccerror.FailedPrecondition, "", ""},
		{"a mismatched disclosure is an invalid argument", &DisclosureError{Attestation: "a", Claim: "c", Err: ErrDisclosureMismatch},
			ccerror.InvalidArgument, "", ""},
		{"a denied access is a permission error", &ConsentError{ConsentID: "c", Reason: ErrConsentRevoked},
			ccerror.PermissionDenied, "", ""},
		{"an unaccredited issuer is a failed precondition", ErrNotAccredited, ccerror.FailedPrecondition, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var ce *ccerror.Error
			require.ErrorAs(t, ccerror.From(tt.err), &ce)
			require.Equal(t, tt.code, ce.Code)
			require.Equal(t, tt.field, ce.Field)
			require.Equal(t, tt.rule, ce.Rule)
			require.True(t, json.Valid([]byte(ce.Error())))
		})
	}
}
