package problem_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/govledger/govledger/chaincode/ccerror"
	"github.com/govledger/govledger/gateway/internal/auth"
	"github.com/govledger/govledger/gateway/internal/catalog"
	"github.com/govledger/govledger/gateway/internal/events"
	"github.com/govledger/govledger/gateway/internal/ledger"
	"github.com/govledger/govledger/gateway/internal/problem"
	"github.com/govledger/govledger/gateway/internal/ratelimit"
	"github.com/govledger/govledger/gateway/internal/strictjson"
	"github.com/govledger/govledger/gateway/internal/txn"
	"github.com/govledger/govledger/gateway/internal/wallet"
)

func chaincodeErr(e *ccerror.Error) error {
	// As Fabric delivers it: wrapped in the peer's own text.
	return &ledger.PhaseError{Phase: ledger.PhaseEndorse, TxID: "tx1", Err: &ledger.ChaincodeError{Status: 500, Message: "chaincode response 500, " + e.Error()}}
}

func TestFrom(t *testing.T) {
	tests := []struct {
		name   string
		err    error
		status int
		code   string
		field  string
		txID   string
		vcode  string
	}{
		{"malformed JSON is 400 naming the field", &strictjson.Error{Field: "tenderId", Rule: strictjson.RuleDuplicate, Detail: "appears more than once"}, 400, problem.CodeMalformedBody, "tenderId", "", ""},
		{"an oversized body is 413", &strictjson.Error{Rule: strictjson.RuleTooLarge}, 413, problem.CodeBodyTooLarge, "", "", ""},
		{"an unknown parameter is 400 naming it", &catalog.InputError{Err: catalog.ErrMalformedInput, Violations: []catalog.Violation{{Field: "extra", Rule: "unknown_field"}}}, 400, problem.CodeMalformedBody, "extra", "", ""},
		{"a schema violation is 422 naming the field", &catalog.InputError{Err: catalog.ErrInvalidValue, Violations: []catalog.Violation{{Field: "tender.budget", Rule: "invalid_type"}}}, 422, problem.CodeInvalidArgument, "tender.budget", "", ""},
		{"an unknown chaincode is 404", &catalog.NotFoundError{Chaincode: "x", Err: catalog.ErrUnknownChaincode}, 404, problem.CodeUnknownChaincode, "", "", ""},
		{"an unknown function is 404", &catalog.NotFoundError{Chaincode: "x", Function: "F", Err: catalog.ErrUnknownFunction}, 404, problem.CodeUnknownFunction, "", "", ""},
		{"chaincode INVALID_ARGUMENT is 422 with its field", chaincodeErr(&ccerror.Error{Code: ccerror.InvalidArgument, Field: "budget", Message: "must be positive"}), 422, problem.CodeInvalidArgument, "budget", "tx1", ""},
		{"chaincode NOT_FOUND is 404", chaincodeErr(ccerror.New(ccerror.NotFound, "no tender")), 404, problem.CodeNotFound, "", "tx1", ""},
		{"chaincode ALREADY_EXISTS is 409", chaincodeErr(ccerror.New(ccerror.AlreadyExists, "dup")), 409, problem.CodeAlreadyExists, "", "tx1", ""},
		{"chaincode FAILED_PRECONDITION is 409", chaincodeErr(ccerror.Precondition("deadline", "closed")), 409, problem.CodeFailedPrecondition, "", "tx1", ""},
		{"chaincode PERMISSION_DENIED is 403", chaincodeErr(ccerror.New(ccerror.PermissionDenied, "buyers only")), 403, problem.CodePermissionDenied, "", "tx1", ""},
		{"chaincode INTERNAL is 502", chaincodeErr(ccerror.New(ccerror.Internal, "bug")), 502, problem.CodeChaincodeError, "", "tx1", ""},
		{"a chaincode error without a body is 502", &ledger.ChaincodeError{Status: 500, Message: "panic"}, 502, problem.CodeChaincodeError, "", "", ""},
		{"a commit failure is 502 with the validation code", &ledger.CommitError{Status: ledger.Status{TxID: "tx9", Block: 7, Code: ledger.CodeMVCCReadConflict}}, 502, problem.CodeCommitFailed, "", "tx9", ledger.CodeMVCCReadConflict},
		{"an endorsement failure is 502", &ledger.PhaseError{Phase: ledger.PhaseEndorse, TxID: "tx2", Err: ledger.ErrRejected}, 502, problem.CodeEndorsementFailed, "", "tx2", ""},
		{"a submit failure is 502", &ledger.PhaseError{Phase: ledger.PhaseSubmit, TxID: "tx3", Err: ledger.ErrRejected}, 502, problem.CodeSubmitFailed, "", "tx3", ""},
		{"a phase timeout is 504", &ledger.PhaseError{Phase: ledger.PhaseEndorse, TxID: "tx4", Err: context.DeadlineExceeded}, 504, problem.CodeTimeout, "", "tx4", ""},
		{"a sent transaction of unknown outcome is 504 with its id", &txn.PendingError{TxID: "tx5", Err: context.DeadlineExceeded}, 504, problem.CodeCommitPending, "", "tx5", ""},
		{"an unreachable network is 503", &ledger.PhaseError{Phase: ledger.PhaseEndorse, Err: ledger.ErrUnavailable}, 503, problem.CodeUnavailable, "", "", ""},
		{"a network ACL refusal is 403", &ledger.PhaseError{Phase: ledger.PhaseEvaluate, Err: ledger.ErrPermissionDenied}, 403, problem.CodePermissionDenied, "", "", ""},
		{"read-only mode is 403", problem.ErrReadOnly, 403, problem.CodeReadOnly, "", "", ""},
		{"a bad credential is 401", &auth.CredentialError{Scheme: auth.SchemeJWT, Reason: "token expired"}, 401, problem.CodeUnauthenticated, "", "", ""},
		{"a bare unauthenticated error is 401", auth.ErrUnauthenticated, 401, problem.CodeUnauthenticated, "", "", ""},
		{"a forbidden caller is 403", fmt.Errorf("%w: admins only", auth.ErrForbidden), 403, problem.CodeForbidden, "", "", ""},
		{"a caller without wallet identity is 403", &wallet.UserError{User: "ghost", Err: wallet.ErrUnknownUser}, 403, problem.CodeNoIdentity, "", "", ""},
		{"a caller without custodial key is 403", txn.ErrNotCustodial, 403, problem.CodeNotCustodial, "", "", ""},
		{"a rate-limited caller is 429", &ratelimit.LimitedError{RetryAfter: time.Second}, 429, problem.CodeRateLimited, "", "", ""},
		{"a reused idempotency key is 422", &txn.KeyReusedError{Key: "k"}, 422, problem.CodeIdempotencyKeyReuse, "", "", ""},
		{"an operation awaiting its client is 409", txn.ErrNeedsResubmit, 409, problem.CodeResubmitRequired, "", "", ""},
		{"an unknown receipt is 404", fmt.Errorf("%w: tx", txn.ErrNoReceipt), 404, problem.CodeTransactionNotFound, "", "", ""},
		{"an unknown subscription is 404", events.ErrNoSubscription, 404, problem.CodeSubscriptionMissing, "", "", ""},
		{"an invalid subscription is 422 naming the field", &events.InvalidError{Field: "url", Reason: "bad"}, 422, problem.CodeInvalidArgument, "url", "", ""},
		{"too many subscriptions is 409", events.ErrTooMany, 409, problem.CodeTooManySubs, "", "", ""},
		{"a malformed Last-Event-ID is 400", fmt.Errorf("%w x", ledger.ErrBadEventID), 400, problem.CodeMalformedBody, "Last-Event-ID", "", ""},
		{"shutting down is 503", txn.ErrShuttingDown, 503, problem.CodeShuttingDown, "", "", ""},
		{"not ready is 503", problem.ErrNotReady, 503, problem.CodeNotReady, "", "", ""},
		{"a wrong method is 405", problem.ErrMethodNotAllowed, 405, problem.CodeMethodNotAllowed, "", "", ""},
		{"an unknown route is 404", problem.ErrRouteNotFound, 404, problem.CodeRouteNotFound, "", "", ""},
		{"anything else is 500 without details", errors.New("disk on fire at /secret/path"), 500, problem.CodeInternal, "", "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := problem.From(tc.err)
			require.Equal(t, tc.status, p.Status)
			require.Equal(t, tc.code, p.Code)
			require.Equal(t, tc.field, p.Field)
			require.Equal(t, tc.txID, p.TxID)
			require.Equal(t, tc.vcode, p.ValidationCode)
			require.Equal(t, http.StatusText(tc.status), p.Title)
			require.NotContains(t, p.Detail, "/secret/path")
		})
	}

	t.Run("passes a problem through unchanged", func(t *testing.T) {
		p := problem.New(http.StatusTeapot, "TEAPOT", "short and stout")
		require.Same(t, p, problem.From(fmt.Errorf("wrapped: %w", p)))
		require.Equal(t, "TEAPOT: short and stout", p.Error())
	})
}

func TestWrite(t *testing.T) {
	t.Run("renders RFC 9457 JSON with headers", func(t *testing.T) {
		rec := httptest.NewRecorder()
		r := httptest.NewRequest(http.MethodPost, "/v1/procurement/Award", nil)
		problem.Write(rec, r, "rid-1", problem.From(&ratelimit.LimitedError{RetryAfter: 1500 * time.Millisecond}))
		require.Equal(t, 429, rec.Code)
		require.Equal(t, problem.ContentType, rec.Header().Get("Content-Type"))
		require.Equal(t, "2", rec.Header().Get("Retry-After"))
		var body map[string]any
		require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &body))
		require.Equal(t, "urn:govledger:problem:rate_limited", body["type"])
		require.Equal(t, "Too Many Requests", body["title"])
		require.EqualValues(t, 429, body["status"])
		require.Equal(t, "RATE_LIMITED", body["code"])
		require.Equal(t, "/v1/procurement/Award", body["instance"])
		require.Equal(t, "rid-1", body["requestId"])
	})

	t.Run("challenges an unauthenticated caller", func(t *testing.T) {
		rec := httptest.NewRecorder()
		problem.Write(rec, nil, "", problem.From(auth.ErrUnauthenticated))
		require.Contains(t, rec.Header().Get("WWW-Authenticate"), "Bearer")
	})
}
