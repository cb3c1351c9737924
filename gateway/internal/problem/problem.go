// Package problem renders errors as RFC 9457 problem details with a stable,
// machine-readable code. From is the gateway's one mapping from error kinds
// to HTTP status codes; handlers never choose a status for an error
// themselves.
package problem

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/govledger/govledger/chaincode/ccerror"
	"github.com/govledger/govledger/gateway/internal/auth"
	"github.com/govledger/govledger/gateway/internal/catalog"
	"github.com/govledger/govledger/gateway/internal/events"
	"github.com/govledger/govledger/gateway/internal/ledger"
	"github.com/govledger/govledger/gateway/internal/ratelimit"
	"github.com/govledger/govledger/gateway/internal/strictjson"
	"github.com/govledger/govledger/gateway/internal/txn"
	"github.com/govledger/govledger/gateway/internal/wallet"
)

// ContentType is the media type of a problem document.
const ContentType = "application/problem+json"

// TypeBase prefixes every problem type URI; the code follows.
const TypeBase = "urn:govledger:problem:"

// HTTP-level conditions that have no home in a domain package.
var (
	ErrReadOnly         = errors.New("this gateway is read-only: submits are refused")
	ErrMethodNotAllowed = errors.New("method not allowed")
	ErrRouteNotFound    = errors.New("no such route")
	ErrNotReady         = errors.New("gateway is not ready")
)

// Codes are the stable values of Problem.Code.
const (
	CodeMalformedBody       = "MALFORMED_BODY"
	CodeBodyTooLarge        = "BODY_TOO_LARGE"
	CodeInvalidArgument     = "INVALID_ARGUMENT"
	CodeUnknownChaincode    = "UNKNOWN_CHAINCODE"
	CodeUnknownFunction     = "UNKNOWN_FUNCTION"
	CodeNotFound            = "NOT_FOUND"
	CodeAlreadyExists       = "ALREADY_EXISTS"
	CodeFailedPrecondition  = "FAILED_PRECONDITION"
	CodePermissionDenied    = "PERMISSION_DENIED"
	CodeUnauthenticated     = "UNAUTHENTICATED"
	CodeForbidden           = "FORBIDDEN"
	CodeReadOnly            = "READ_ONLY"
	CodeNoIdentity          = "NO_IDENTITY"
	CodeNotCustodial        = "NOT_CUSTODIAL"
	CodeRateLimited         = "RATE_LIMITED"
	CodeIdempotencyKeyReuse = "IDEMPOTENCY_KEY_REUSED"
	CodeResubmitRequired    = "RESUBMIT_REQUIRED"
	CodeTransactionNotFound = "TRANSACTION_NOT_FOUND"
	CodeSubscriptionMissing = "SUBSCRIPTION_NOT_FOUND"
	CodeTooManySubs         = "TOO_MANY_SUBSCRIPTIONS"
	CodeChaincodeError      = "CHAINCODE_ERROR"
	CodeEndorsementFailed   = "ENDORSEMENT_FAILED"
	CodeSubmitFailed        = "SUBMIT_FAILED"
	CodeCommitFailed        = "COMMIT_FAILED"
	CodeTimeout             = "TIMEOUT"
	CodeCommitPending       = "COMMIT_PENDING"
	CodeUnavailable         = "UNAVAILABLE"
	CodeShuttingDown        = "SHUTTING_DOWN"
	CodeMethodNotAllowed    = "METHOD_NOT_ALLOWED"
	CodeRouteNotFound       = "ROUTE_NOT_FOUND"
	CodeNotReady            = "NOT_READY"
	CodeInternal            = "INTERNAL"
)

// Problem is an RFC 9457 problem details document with GovLedger
// extensions.
type Problem struct {
	Type     string `json:"type"`
	Title    string `json:"title"`
	Status   int    `json:"status"`
	Detail   string `json:"detail,omitempty"`
	Instance string `json:"instance,omitempty"`
	// Code is the stable machine-readable error code.
	Code string `json:"code"`
	// Field names the request field at fault, Rule the rule it broke.
	Field  string              `json:"field,omitempty"`
	Rule   string              `json:"rule,omitempty"`
	Errors []catalog.Violation `json:"errors,omitempty"`
	// TxID and ValidationCode identify the transaction concerned.
	TxID           string `json:"txId,omitempty"`
	ValidationCode string `json:"validationCode,omitempty"`
	RequestID      string `json:"requestId,omitempty"`
	// RetryAfter becomes the Retry-After header.
	RetryAfter time.Duration `json:"-"`
}

// New builds a problem with the standard title of its status.
func New(status int, code, detail string) *Problem {
	return &Problem{Type: TypeBase + strings.ToLower(code), Title: http.StatusText(status), Status: status, Code: code, Detail: detail}
}

// Error lets a Problem travel as an error.
func (p *Problem) Error() string { return p.Code + ": " + p.Detail }

// From maps any error to its problem. The order of the cases matters: the
// first match wins.
func From(err error) *Problem {
	var p *Problem
	if errors.As(err, &p) {
		return p
	}
	p = classify(err)
	var pe *ledger.PhaseError
	if p.TxID == "" && errors.As(err, &pe) {
		p.TxID = pe.TxID
	}
	return p
}

func classify(err error) *Problem {
	var (
		sj  *strictjson.Error
		in  *catalog.InputError
		nf  *catalog.NotFoundError
		cc  *ledger.ChaincodeError
		ce  *ledger.CommitError
		pe  *ledger.PhaseError
		pnd *txn.PendingError
		rl  *ratelimit.LimitedError
		cr  *auth.CredentialError
		inv *events.InvalidError
	)
	switch {
	case errors.As(err, &sj):
		if sj.Rule == strictjson.RuleTooLarge {
			return New(http.StatusRequestEntityTooLarge, CodeBodyTooLarge, sj.Error())
		}
		p := New(http.StatusBadRequest, CodeMalformedBody, sj.Error())
		p.Field, p.Rule = sj.Field, sj.Rule
		return p
	case errors.As(err, &in):
		status, code := http.StatusUnprocessableEntity, CodeInvalidArgument
		if errors.Is(err, catalog.ErrMalformedInput) {
			status, code = http.StatusBadRequest, CodeMalformedBody
		}
		p := New(status, code, in.Error())
		p.Field, p.Rule, p.Errors = in.Field(), in.Violations[0].Rule, in.Violations
		return p
	case errors.As(err, &nf):
		if errors.Is(err, catalog.ErrUnknownChaincode) {
			return New(http.StatusNotFound, CodeUnknownChaincode, nf.Error())
		}
		return New(http.StatusNotFound, CodeUnknownFunction, nf.Error())
	case errors.As(err, &inv):
		p := New(http.StatusUnprocessableEntity, CodeInvalidArgument, inv.Error())
		p.Field = inv.Field
		return p
	case errors.Is(err, ErrReadOnly):
		return New(http.StatusForbidden, CodeReadOnly, ErrReadOnly.Error())
	case errors.As(err, &cr):
		return New(http.StatusUnauthorized, CodeUnauthenticated, cr.Error())
	case errors.Is(err, auth.ErrUnauthenticated):
		return New(http.StatusUnauthorized, CodeUnauthenticated, "unauthenticated")
	case errors.Is(err, auth.ErrForbidden):
		return New(http.StatusForbidden, CodeForbidden, err.Error())
	case errors.Is(err, wallet.ErrUnknownUser):
		return New(http.StatusForbidden, CodeNoIdentity, "the caller maps to no identity in this organisation's wallet")
	case errors.Is(err, txn.ErrNotCustodial), errors.Is(err, wallet.ErrNotCustodial):
		return New(http.StatusForbidden, CodeNotCustodial, "the gateway holds no key for this caller: sign through :prepare, :endorse and :submit")
	case errors.As(err, &rl):
		p := New(http.StatusTooManyRequests, CodeRateLimited, rl.Error())
		p.RetryAfter = rl.RetryAfter
		return p
	case errors.Is(err, txn.ErrKeyReused):
		return New(http.StatusUnprocessableEntity, CodeIdempotencyKeyReuse, err.Error())
	case errors.Is(err, txn.ErrNeedsResubmit):
		return New(http.StatusConflict, CodeResubmitRequired, err.Error())
	case errors.Is(err, txn.ErrNoReceipt):
		return New(http.StatusNotFound, CodeTransactionNotFound, err.Error())
	case errors.Is(err, events.ErrNoSubscription):
		return New(http.StatusNotFound, CodeSubscriptionMissing, err.Error())
	case errors.Is(err, events.ErrTooMany):
		return New(http.StatusConflict, CodeTooManySubs, err.Error())
	case errors.Is(err, ledger.ErrBadEventID):
		p := New(http.StatusBadRequest, CodeMalformedBody, err.Error())
		p.Field = "Last-Event-ID"
		return p
	case errors.As(err, &cc):
		return chaincode(cc)
	case errors.As(err, &ce):
		p := New(http.StatusBadGateway, CodeCommitFailed, ce.Error())
		p.TxID, p.ValidationCode = ce.Status.TxID, ce.Status.Code
		return p
	case errors.As(err, &pnd):
		p := New(http.StatusGatewayTimeout, CodeCommitPending, "the transaction was sent but its commit is not known yet; poll /v1/transactions/"+pnd.TxID)
		p.TxID = pnd.TxID
		return p
	case errors.Is(err, txn.ErrShuttingDown):
		p := New(http.StatusServiceUnavailable, CodeShuttingDown, err.Error())
		p.RetryAfter = 5 * time.Second
		return p
	case errors.Is(err, ErrNotReady):
		p := New(http.StatusServiceUnavailable, CodeNotReady, err.Error())
		p.RetryAfter = 5 * time.Second
		return p
	case errors.As(err, &pe) && pe.Timeout():
		return New(http.StatusGatewayTimeout, CodeTimeout, pe.Error())
	case errors.Is(err, ledger.ErrPermissionDenied):
		return New(http.StatusForbidden, CodePermissionDenied, err.Error())
	case errors.Is(err, ledger.ErrUnavailable):
		p := New(http.StatusServiceUnavailable, CodeUnavailable, err.Error())
		p.RetryAfter = 5 * time.Second
		return p
	case errors.As(err, &pe):
		code := CodeEndorsementFailed
		if pe.Phase == ledger.PhaseSubmit {
			code = CodeSubmitFailed
		}
		return New(http.StatusBadGateway, code, pe.Error())
	case errors.Is(err, ErrMethodNotAllowed):
		return New(http.StatusMethodNotAllowed, CodeMethodNotAllowed, err.Error())
	case errors.Is(err, ErrRouteNotFound):
		return New(http.StatusNotFound, CodeRouteNotFound, err.Error())
	}
	return New(http.StatusInternalServerError, CodeInternal, "internal error")
}

// chaincode maps a GovLedger chaincode error body; a chaincode error without
// one is an upstream failure.
func chaincode(cc *ledger.ChaincodeError) *Problem {
	parsed, ok := ccerror.Parse(cc.Message)
	if !ok {
		return New(http.StatusBadGateway, CodeChaincodeError, cc.Message)
	}
	var p *Problem
	switch parsed.Code {
	case ccerror.InvalidArgument:
		p = New(http.StatusUnprocessableEntity, CodeInvalidArgument, parsed.Message)
	case ccerror.NotFound:
		p = New(http.StatusNotFound, CodeNotFound, parsed.Message)
	case ccerror.AlreadyExists:
		p = New(http.StatusConflict, CodeAlreadyExists, parsed.Message)
	case ccerror.FailedPrecondition:
		p = New(http.StatusConflict, CodeFailedPrecondition, parsed.Message)
	case ccerror.PermissionDenied:
		p = New(http.StatusForbidden, CodePermissionDenied, parsed.Message)
	default:
		p = New(http.StatusBadGateway, CodeChaincodeError, parsed.Message)
	}
	p.Field, p.Rule = parsed.Field, parsed.Rule
	return p
}

// Write sends p, filling requestId and instance from the request.
func Write(w http.ResponseWriter, r *http.Request, requestID string, p *Problem) {
	p.RequestID = requestID
	if p.Instance == "" && r != nil {
		p.Instance = r.URL.Path
	}
	h := w.Header()
	h.Set("Content-Type", ContentType)
	h.Set("X-Content-Type-Options", "nosniff")
	if p.RetryAfter > 0 {
		secs := int((p.RetryAfter + time.Second - 1) / time.Second)
		h.Set("Retry-After", strconv.Itoa(secs))
	}
	if p.Status == http.StatusUnauthorized {
		h.Set("WWW-Authenticate", `Bearer realm="govledger", ApiKey header="X-API-Key"`)
	}
	w.WriteHeader(p.Status)
	_ = json.NewEncoder(w).Encode(p)
}
