package api_test

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/govledger/govledger/gateway/internal/auth"
	"github.com/govledger/govledger/gateway/internal/events"
	"github.com/govledger/govledger/gateway/internal/fakeledger"
	"github.com/govledger/govledger/gateway/internal/ledger"
	"github.com/govledger/govledger/gateway/internal/txn"
)

func TestRouting(t *testing.T) {
	g := newGateway(t)

	t.Run("submits a function derived from the metadata and returns the commit", func(t *testing.T) {
		r := g.as(buyerKey, "POST", "/v1/procurement/CreateTender", tender("T1"))
		require.Equal(t, http.StatusOK, r.status, string(r.raw))
		require.Nil(t, r.body["result"])
		require.Equal(t, ledger.CodeValid, r.str("validationCode"))
		require.EqualValues(t, 1, r.body["blockNumber"])
		require.Len(t, r.str("txId"), 64)
		require.Equal(t, "/v1/transactions/"+r.str("txId"), r.header.Get("Location"))
	})

	t.Run("evaluates with GET and query parameters", func(t *testing.T) {
		r := g.as(auditorKey, "GET", "/v1/procurement/GetTender?id=T1", nil)
		require.Equal(t, http.StatusOK, r.status, string(r.raw))
		require.Equal(t, "T1", obj(t, r.body["result"])["id"])
	})

	t.Run("evaluates with POST and a JSON body", func(t *testing.T) {
		r := g.as(auditorKey, "POST", "/v1/procurement/ListTenders", map[string]any{"pageSize": 10, "bookmark": ""})
		require.Equal(t, http.StatusOK, r.status, string(r.raw))
		require.Len(t, r.body["result"], 1)
	})

	t.Run("routes functions of a non-default contract as contract.function", func(t *testing.T) {
		r := g.as(auditorKey, "POST", "/v1/procurement/audit.RecordFinding", map[string]any{"ref": "F-1", "severity": 3})
		require.Equal(t, http.StatusOK, r.status, string(r.raw))
		require.EqualValues(t, 1, r.body["result"])
	})

	t.Run("returns a declared string result as a JSON string", func(t *testing.T) {
		r := g.as(buyerKey, "POST", "/v1/procurement/SubmitBid", map[string]any{
			"tenderId": "T1", "transient": map[string]any{"bid": map[string]any{"amount": 900, "currency": "EUR"}},
		})
		require.Equal(t, http.StatusOK, r.status, string(r.raw))
		require.True(t, strings.HasPrefix(r.str("result"), "BID-"))
	})

	notFound := []struct {
		name, method, path, code string
		status                   int
	}{
		{"answers 404 for an unknown function", "POST", "/v1/procurement/DeleteEverything", "UNKNOWN_FUNCTION", 404},
		{"answers 404 for an unknown chaincode", "POST", "/v1/payroll/Pay", "UNKNOWN_CHAINCODE", 404},
		{"does not route the system contract", "POST", "/v1/procurement/org.hyperledger.fabric.GetMetadata", "UNKNOWN_FUNCTION", 404},
		{"answers 405 for GET on a submit function", "GET", "/v1/procurement/CreateTender", "METHOD_NOT_ALLOWED", 405},
		{"answers 405 for PUT", "PUT", "/v1/procurement/CreateTender", "METHOD_NOT_ALLOWED", 405},
		{"answers 404 for an unknown action", "POST", "/v1/procurement/CreateTender:explode", "UNKNOWN_FUNCTION", 404},
		{"answers 404 for :evaluate of a submit function", "POST", "/v1/procurement/CreateTender:evaluate", "UNKNOWN_FUNCTION", 404},
		{"answers 404 for :endorse of an evaluate function", "POST", "/v1/procurement/GetTender:endorse", "UNKNOWN_FUNCTION", 404},
	}
	for _, tc := range notFound {
		t.Run(tc.name, func(t *testing.T) {
			r := g.as(buyerKey, tc.method, tc.path, map[string]any{})
			require.Equal(t, tc.status, r.status, string(r.raw))
			require.Equal(t, tc.code, r.str("code"))
			require.Equal(t, "application/problem+json", r.header.Get("Content-Type"))
		})
	}

	t.Run("answers unknown routes with a problem document", func(t *testing.T) {
		r := g.call("GET", "/nowhere", nil)
		require.Equal(t, 404, r.status)
		require.Equal(t, "ROUTE_NOT_FOUND", r.str("code"))
	})

	t.Run("serves the OpenAPI document without credentials", func(t *testing.T) {
		r := g.call("GET", "/v1/openapi.json", nil)
		require.Equal(t, 200, r.status)
		require.Equal(t, "3.0.3", r.str("openapi"))
		paths := obj(t, r.body["paths"])
		require.Contains(t, paths, "/v1/procurement/CreateTender")
		require.Contains(t, paths, "/v1/procurement/audit.RecordFinding")
	})

	t.Run("picks up upgraded metadata on an admin refresh only", func(t *testing.T) {
		cc := fakeledger.Procurement()
		cc.Metadata = []byte(strings.Replace(string(cc.Metadata), `"name": "Award",`, `"name": "AwardTender",`, 1))
		cc.Transactions["tender:AwardTender"] = cc.Transactions["tender:Award"]
		g.net.SetChaincode("procurement", cc)
		require.Equal(t, 404, g.as(buyerKey, "POST", "/v1/procurement/AwardTender", map[string]any{}).status)

		r := g.as(buyerKey, "POST", "/v1/admin/refresh", nil)
		require.Equal(t, 403, r.status)
		require.Equal(t, "FORBIDDEN", r.str("code"))

		r = g.as(adminKey, "POST", "/v1/admin/refresh", nil)
		require.Equal(t, 200, r.status, string(r.raw))
		require.EqualValues(t, 6, obj(t, r.body["chaincodes"])["procurement"])
		r = g.as(buyerKey, "POST", "/v1/procurement/AwardTender", map[string]any{"tenderId": "T1", "winner": "SUP-A", "final": true})
		require.Equal(t, 200, r.status, string(r.raw))
	})
}

func TestValidation(t *testing.T) {
	g := newGateway(t, func(s *setup) { s.maxBody = 2048 })
	cases := []struct {
		name   string
		path   string
		body   any
		ctype  string
		status int
		code   string
		field  string
	}{
		{"rejects malformed JSON naming where it broke", "/v1/procurement/Award", `{"tenderId": `, "", 400, "MALFORMED_BODY", "tenderId"},
		{"rejects a body that is not an object", "/v1/procurement/Award", `["T1"]`, "", 400, "MALFORMED_BODY", ""},
		{"rejects a duplicated member naming it", "/v1/procurement/Award", `{"tenderId":"a","tenderId":"b","winner":"w","final":true}`, "", 400, "MALFORMED_BODY", "tenderId"},
		{"rejects trailing data", "/v1/procurement/Award", `{"tenderId":"a","winner":"w","final":true} {}`, "", 400, "MALFORMED_BODY", ""},
		{"rejects an unknown field naming it", "/v1/procurement/Award", map[string]any{"tenderId": "T", "winner": "W", "final": true, "price": 1}, "", 400, "MALFORMED_BODY", "price"},
		{"rejects a missing parameter naming it", "/v1/procurement/Award", map[string]any{"tenderId": "T", "winner": "W"}, "", 422, "INVALID_ARGUMENT", "final"},
		{"rejects a nested schema violation naming the path", "/v1/procurement/CreateTender", map[string]any{"tender": map[string]any{"id": "T", "title": "x", "budget": "lots", "deadline": "2026-01-01T00:00:00Z"}}, "", 422, "INVALID_ARGUMENT", "tender.budget"},
		{"rejects private input for a function that takes none", "/v1/procurement/Award", map[string]any{"tenderId": "T", "winner": "W", "final": true, "transient": map[string]any{"x": 1}}, "", 400, "MALFORMED_BODY", "transient.x"},
		{"rejects a missing private input", "/v1/procurement/SubmitBid", map[string]any{"tenderId": "T"}, "", 422, "INVALID_ARGUMENT", "transient.bid"},
		{"rejects a body over the limit", "/v1/procurement/Award", `{"tenderId":"` + strings.Repeat("x", 4096) + `"}`, "", 413, "BODY_TOO_LARGE", ""},
		{"rejects a non-JSON content type", "/v1/procurement/Award", `tenderId=T`, "application/x-www-form-urlencoded", 400, "MALFORMED_BODY", "Content-Type"},
		{"rejects a private input in the query string", "/v1/procurement/GetTender?id=T&transient=x", nil, "", 400, "MALFORMED_BODY", "transient"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			method := "POST"
			if tc.body == nil {
				method = "GET"
			}
			headers := []string{}
			if tc.ctype != "" {
				headers = append(headers, "Content-Type", tc.ctype)
			}
			r := g.as(buyerKey, method, tc.path, tc.body, headers...)
			require.Equal(t, tc.status, r.status, string(r.raw))
			require.Equal(t, tc.code, r.str("code"))
			require.Equal(t, tc.field, r.str("field"))
			require.NotEmpty(t, r.str("requestId"))
		})
	}

	t.Run("reports every violation in errors", func(t *testing.T) {
		r := g.as(buyerKey, "POST", "/v1/procurement/Award", map[string]any{})
		require.Len(t, r.body["errors"], 3)
	})

	t.Run("sends nothing to the ledger for an invalid request", func(t *testing.T) {
		require.Empty(t, g.net.Transactions())
	})
}

func TestPrivateInputs(t *testing.T) {
	g := newGateway(t)
	require.Equal(t, 200, g.as(buyerKey, "POST", "/v1/procurement/CreateTender", tender("T1")).status)
	secret := `{"amount":123456,"currency":"EUR"}`
	r := g.as(buyerKey, "POST", "/v1/procurement/SubmitBid", map[string]any{
		"tenderId": "T1", "transient": map[string]any{"bid": json.RawMessage(secret)},
	}, "Idempotency-Key", "bid-1")
	require.Equal(t, 200, r.status, string(r.raw))

	txs := g.net.Transactions()
	bid := txs[len(txs)-1]

	t.Run("delivers them to the chaincode as transient data only", func(t *testing.T) {
		sum := sha256.Sum256([]byte(secret))
		stored, ok := g.net.Value("procurement", "bid/T1/"+r.str("result"))
		require.True(t, ok)
		require.Equal(t, hex.EncodeToString(sum[:]), string(stored))
		for _, a := range bid.Args {
			require.NotContains(t, string(a), "123456")
		}
	})

	t.Run("restricts endorsement to the collection's members", func(t *testing.T) {
		require.Equal(t, []string{"AuditOfficeMSP", "ProcurementMSP"}, bid.EndorsingOrgs)
	})

	t.Run("keeps them out of the audit trail", func(t *testing.T) {
		require.NotContains(t, g.audit.String(), "123456")
	})
}

func TestErrorMapping(t *testing.T) {
	g := newGateway(t, func(s *setup) {
		s.timeouts.Endorse = 50 * time.Millisecond
	})
	require.Equal(t, 200, g.as(buyerKey, "POST", "/v1/procurement/CreateTender", tender("T1")).status)

	cases := []struct {
		name   string
		setup  func()
		key    string
		path   string
		body   any
		status int
		code   string
		check  func(t *testing.T, r response)
	}{
		{"maps chaincode NOT_FOUND to 404", nil, auditorKey, "/v1/procurement/GetTender?id=T9", nil, 404, "NOT_FOUND", nil},
		{"maps chaincode ALREADY_EXISTS to 409", nil, buyerKey, "/v1/procurement/CreateTender", tender("T1"), 409, "ALREADY_EXISTS", func(t *testing.T, r response) {
			require.NotEmpty(t, r.str("txId"))
		}},
		{"maps chaincode PERMISSION_DENIED to 403", nil, auditorKey, "/v1/procurement/Award", map[string]any{"tenderId": "T1", "winner": "W", "final": true}, 403, "PERMISSION_DENIED", nil},
		{"maps chaincode INVALID_ARGUMENT to 422 with its field", nil, buyerKey, "/v1/procurement/CreateTender", tender(""), 422, "INVALID_ARGUMENT", func(t *testing.T, r response) {
			require.Equal(t, "tender", r.str("field"))
		}},
		{"maps chaincode FAILED_PRECONDITION to 409 with its rule", func() {
			require.Equal(t, 200, g.as(buyerKey, "POST", "/v1/procurement/Award", map[string]any{"tenderId": "T1", "winner": "W", "final": true}).status)
		}, buyerKey, "/v1/procurement/Award", map[string]any{"tenderId": "T1", "winner": "X", "final": true}, 409, "FAILED_PRECONDITION", func(t *testing.T, r response) {
			require.Equal(t, "awarded", r.str("rule"))
		}},
		{"maps an invalidated transaction to 502 with its validation code", func() { g.net.InvalidateNext("ENDORSEMENT_POLICY_FAILURE") },
			buyerKey, "/v1/procurement/CreateTender", tender("T2"), 502, "COMMIT_FAILED", func(t *testing.T, r response) {
				require.Equal(t, "ENDORSEMENT_POLICY_FAILURE", r.str("validationCode"))
				require.NotEmpty(t, r.str("txId"))
			}},
		{"maps an endorsement timeout to 504", func() {
			g.net.Inject(fakeledger.Fault{Phase: ledger.PhaseEndorse, Err: context.DeadlineExceeded})
		}, buyerKey, "/v1/procurement/CreateTender", tender("T3"), 504, "TIMEOUT", nil},
		{"maps a refused endorsement to 502", func() {
			g.net.Inject(fakeledger.Fault{Phase: ledger.PhaseEndorse, Err: ledger.ErrRejected})
		}, buyerKey, "/v1/procurement/CreateTender", tender("T4"), 502, "ENDORSEMENT_FAILED", nil},
		{"maps an unreachable network to 503", func() {
			g.net.Inject(fakeledger.Fault{Phase: ledger.PhaseEvaluate, Err: ledger.ErrUnavailable})
		}, auditorKey, "/v1/procurement/GetTender?id=T1", nil, 503, "UNAVAILABLE", func(t *testing.T, r response) {
			require.NotEmpty(t, r.header.Get("Retry-After"))
		}},
		{"refuses a caller with no wallet identity", nil, ghostKey, "/v1/procurement/GetTender?id=T1", nil, 403, "NO_IDENTITY", nil},
		{"refuses custodial submits for a non-custodial caller", nil, externalKey, "/v1/procurement/CreateTender", tender("T5"), 403, "NOT_CUSTODIAL", nil},
		{"rejects a malformed idempotency key", nil, buyerKey, "/v1/procurement/CreateTender", tender("T6"), 400, "MALFORMED_BODY", nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if tc.setup != nil {
				tc.setup()
			}
			method := "POST"
			if tc.body == nil {
				method = "GET"
			}
			var headers []string
			if tc.code == "MALFORMED_BODY" {
				headers = []string{"Idempotency-Key", "has space"}
			}
			r := g.as(tc.key, method, tc.path, tc.body, headers...)
			require.Equal(t, tc.status, r.status, string(r.raw))
			require.Equal(t, tc.code, r.str("code"))
			require.Equal(t, "urn:govledger:problem:"+strings.ToLower(tc.code), r.str("type"))
			if tc.check != nil {
				tc.check(t, r)
			}
		})
	}
}

func TestIdempotency(t *testing.T) {
	g := newGateway(t)
	first := g.as(buyerKey, "POST", "/v1/procurement/CreateTender", tender("T1"), "Idempotency-Key", "create-T1")
	require.Equal(t, 200, first.status, string(first.raw))

	t.Run("returns the same outcome for the same key", func(t *testing.T) {
		again := g.as(buyerKey, "POST", "/v1/procurement/CreateTender", tender("T1"), "Idempotency-Key", "create-T1")
		require.Equal(t, 200, again.status, string(again.raw))
		require.Equal(t, first.str("txId"), again.str("txId"))
		require.Len(t, g.net.Transactions(), 1)
	})

	t.Run("returns the same outcome after a restart", func(t *testing.T) {
		g.restart()
		again := g.as(buyerKey, "POST", "/v1/procurement/CreateTender", tender("T1"), "Idempotency-Key", "create-T1")
		require.Equal(t, 200, again.status, string(again.raw))
		require.Equal(t, first.str("txId"), again.str("txId"))
		require.Equal(t, first.body["blockNumber"], again.body["blockNumber"])
		require.Len(t, g.net.Transactions(), 1)
	})

	t.Run("refuses the key for a different request", func(t *testing.T) {
		r := g.as(buyerKey, "POST", "/v1/procurement/CreateTender", tender("T2"), "Idempotency-Key", "create-T1")
		require.Equal(t, 422, r.status)
		require.Equal(t, "IDEMPOTENCY_KEY_REUSED", r.str("code"))
	})

	t.Run("replays a stored failure with the same status", func(t *testing.T) {
		r1 := g.as(buyerKey, "POST", "/v1/procurement/CreateTender", tender("T1"), "Idempotency-Key", "dup")
		require.Equal(t, 409, r1.status)
		r2 := g.as(buyerKey, "POST", "/v1/procurement/CreateTender", tender("T1"), "Idempotency-Key", "dup")
		require.Equal(t, 409, r2.status)
		require.Equal(t, r1.str("txId"), r2.str("txId"))
	})

	t.Run("finishes an operation interrupted by a restart", func(t *testing.T) {
		g.net.HoldCommits()
		ctxKey := "interrupted"
		done := make(chan response, 1)
		go func() {
			done <- g.as(buyerKey, "POST", "/v1/procurement/CreateTender", tender("T9"), "Idempotency-Key", ctxKey, "Prefer", "respond-async")
		}()
		accepted := <-done
		require.Equal(t, 202, accepted.status, string(accepted.raw))
		g.restart()
		g.net.ReleaseCommits()
		eventually(t, func() bool {
			r := g.as(buyerKey, "GET", "/v1/transactions/"+accepted.str("txId"), nil)
			return r.status == 200 && r.str("status") == "committed"
		})
		r := g.as(buyerKey, "POST", "/v1/procurement/CreateTender", tender("T9"), "Idempotency-Key", ctxKey)
		require.Equal(t, 200, r.status, string(r.raw))
		require.Equal(t, accepted.str("txId"), r.str("txId"))
	})
}

func TestAsync(t *testing.T) {
	g := newGateway(t)
	g.net.HoldCommits()

	for _, tc := range []struct{ name, query, header string }{
		{"accepts ?async=true with a receipt to poll", "?async=true", ""},
		{"accepts Prefer: respond-async", "", "respond-async"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var headers []string
			if tc.header != "" {
				headers = []string{"Prefer", tc.header}
			}
			id := "A" + tc.query + tc.header
			r := g.as(auditorKey, "POST", "/v1/procurement/audit.RecordFinding"+tc.query, map[string]any{"ref": id, "severity": 1}, headers...)
			require.Equal(t, 202, r.status, string(r.raw))
			require.Equal(t, "pending", r.str("status"))
			loc := r.header.Get("Location")
			require.Equal(t, "/v1/transactions/"+r.str("txId"), loc)

			poll := g.as(auditorKey, "GET", loc, nil)
			require.Equal(t, 200, poll.status)
			require.Equal(t, "pending", poll.str("status"))
			require.Equal(t, "audit.RecordFinding", poll.str("function"))

			require.Equal(t, 404, g.as(buyerKey, "GET", loc, nil).status, "receipts are private to their caller")
		})
	}

	t.Run("reports committed receipts with their result", func(t *testing.T) {
		g.net.ReleaseCommits()
		txs := g.net.Transactions()
		require.NotEmpty(t, txs)
		eventually(t, func() bool {
			r := g.as(auditorKey, "GET", "/v1/transactions/"+txs[0].TxID, nil)
			return r.str("status") == "committed" && r.body["result"] != nil && r.body["blockNumber"] != nil
		})
	})

	t.Run("rejects a malformed async flag", func(t *testing.T) {
		r := g.as(auditorKey, "POST", "/v1/procurement/audit.RecordFinding?async=maybe", map[string]any{"ref": "x", "severity": 1})
		require.Equal(t, 400, r.status)
		require.Equal(t, "async", r.str("field"))
	})

	t.Run("answers 504 with the tx id when a sync submit outlasts its wait", func(t *testing.T) {
		h := newGateway(t, func(s *setup) { s.syncWait = 50 * time.Millisecond })
		h.net.HoldCommits()
		r := h.as(auditorKey, "POST", "/v1/procurement/audit.RecordFinding", map[string]any{"ref": "slow", "severity": 1})
		require.Equal(t, 504, r.status)
		require.Equal(t, "COMMIT_PENDING", r.str("code"))
		require.NotEmpty(t, r.str("txId"))
		h.net.ReleaseCommits()
		eventually(t, func() bool {
			return h.as(auditorKey, "GET", "/v1/transactions/"+r.str("txId"), nil).str("status") == "committed"
		})
	})
}

func TestAuthentication(t *testing.T) {
	g := newGateway(t)
	cases := []struct {
		name    string
		headers []string
		status  int
		code    string
	}{
		{"refuses a request without credentials", nil, 401, "UNAUTHENTICATED"},
		{"refuses an unknown API key", []string{auth.APIKeyHeader, "guess"}, 401, "UNAUTHENTICATED"},
		{"accepts a valid API key", []string{auth.APIKeyHeader, auditorKey}, 200, ""},
		{"accepts a valid JWT", []string{"Authorization", "Bearer " + g.token(nil)}, 200, ""},
		{"refuses an expired JWT", []string{"Authorization", "Bearer " + g.token(func(c map[string]any) { c["exp"] = time.Now().Add(-time.Hour).Unix() })}, 401, "UNAUTHENTICATED"},
		{"refuses a JWT for another audience", []string{"Authorization", "Bearer " + g.token(func(c map[string]any) { c["aud"] = "another-gateway" })}, 401, "UNAUTHENTICATED"},
		{"refuses a JWT naming an unknown wallet user", []string{"Authorization", "Bearer " + g.token(func(c map[string]any) { c["govledger_user"] = "mallory" })}, 403, "NO_IDENTITY"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := g.call("POST", "/v1/procurement/ListTenders", map[string]any{"pageSize": 1, "bookmark": ""}, tc.headers...)
			require.Equal(t, tc.status, r.status, string(r.raw))
			require.Equal(t, tc.code, r.str("code"))
			if tc.status == 401 {
				require.NotEmpty(t, r.header.Get("WWW-Authenticate"))
			}
		})
	}

	t.Run("signs JWT callers' transactions as their wallet user", func(t *testing.T) {
		r := g.call("POST", "/v1/procurement/CreateTender", tender("JWT-1"), "Authorization", "Bearer "+g.token(nil))
		require.Equal(t, 200, r.status, string(r.raw))
		txs := g.net.Transactions()
		buyer, err := g.wallet.Identity("buyer1")
		require.NoError(t, err)
		require.Equal(t, buyer.Creator(), txs[len(txs)-1].Creator)
	})

	t.Run("audits who called what", func(t *testing.T) {
		var found bool
		for _, e := range g.audit.entries(t) {
			if e.Caller == "jwt:"+issuer+"#alice" && e.Function == "CreateTender" {
				found = true
				require.Equal(t, 200, e.Status)
				require.NotEmpty(t, e.TxID)
				require.Equal(t, "buyer1", e.User)
				require.Equal(t, "/v1/{chaincode}/{function}", e.Route)
			}
		}
		require.True(t, found)
	})
}

func TestRateLimit(t *testing.T) {
	g := newGateway(t, func(s *setup) { s.rate, s.burst = 0.001, 2 })
	for range 2 {
		require.Equal(t, 200, g.as(auditorKey, "GET", "/v1/procurement/ListTenders?pageSize=1&bookmark=", nil).status)
	}
	r := g.as(auditorKey, "GET", "/v1/procurement/ListTenders?pageSize=1&bookmark=", nil)
	require.Equal(t, 429, r.status)
	require.Equal(t, "RATE_LIMITED", r.str("code"))
	require.NotEmpty(t, r.header.Get("Retry-After"))

	t.Run("limits each caller separately", func(t *testing.T) {
		require.Equal(t, 200, g.as(buyerKey, "GET", "/v1/procurement/ListTenders?pageSize=1&bookmark=", nil).status)
	})

	t.Run("limits failed authentication by address", func(t *testing.T) {
		var last response
		for range 3 {
			last = g.as("wrong", "GET", "/v1/procurement/ListTenders", nil)
		}
		require.Equal(t, 429, last.status)
	})
}

func TestReadOnly(t *testing.T) {
	g := newGateway(t, func(s *setup) { s.readOnly = true })
	refused := []struct{ name, path string }{
		{"refuses a submit", "/v1/procurement/CreateTender"},
		{"refuses preparing a submit", "/v1/procurement/CreateTender:prepare"},
		{"refuses endorsing", "/v1/procurement/CreateTender:endorse"},
		{"refuses submitting a signed transaction", "/v1/procurement/CreateTender:submit"},
	}
	for _, tc := range refused {
		t.Run(tc.name+" before it reaches a peer", func(t *testing.T) {
			r := g.as(buyerKey, "POST", tc.path, tender("T1"))
			require.Equal(t, 403, r.status, string(r.raw))
			require.Equal(t, "READ_ONLY", r.str("code"))
			require.Empty(t, g.net.Transactions())
		})
	}

	t.Run("still evaluates", func(t *testing.T) {
		r := g.as(auditorKey, "GET", "/v1/procurement/ListTenders?pageSize=5&bookmark=", nil)
		require.Equal(t, 200, r.status, string(r.raw))
	})

	t.Run("says so in the OpenAPI document", func(t *testing.T) {
		r := g.call("GET", "/v1/openapi.json", nil)
		require.Contains(t, obj(t, r.body["info"])["description"], "read-only")
	})
}

func TestNonCustodial(t *testing.T) {
	g := newGateway(t)
	sign := func(digest string) string {
		raw, err := base64.StdEncoding.DecodeString(digest)
		require.NoError(t, err)
		sig, err := g.external.Sign(raw)
		require.NoError(t, err)
		return base64.StdEncoding.EncodeToString(sig)
	}

	t.Run("prepares, endorses and submits with the client's signatures", func(t *testing.T) {
		p := g.as(externalKey, "POST", "/v1/procurement/CreateTender:prepare", tender("EXT-1"))
		require.Equal(t, 200, p.status, string(p.raw))
		require.NotEmpty(t, p.str("digest"))

		e := g.as(externalKey, "POST", "/v1/procurement/CreateTender:endorse", map[string]any{"proposal": p.str("proposal"), "signature": sign(p.str("digest"))})
		require.Equal(t, 200, e.status, string(e.raw))
		require.Equal(t, p.str("txId"), e.str("txId"))

		body := map[string]any{"transaction": e.str("transaction"), "signature": sign(e.str("digest"))}
		s := g.as(externalKey, "POST", "/v1/procurement/CreateTender:submit", body)
		require.Equal(t, 200, s.status, string(s.raw))
		require.Equal(t, p.str("txId"), s.str("txId"))
		require.Equal(t, ledger.CodeValid, s.str("validationCode"))

		again := g.as(externalKey, "POST", "/v1/procurement/CreateTender:submit", body)
		require.Equal(t, 200, again.status)
		require.Len(t, g.net.Transactions(), 1, "resubmitting the same signed transaction sends nothing new")
	})

	t.Run("evaluates a proposal the client signed", func(t *testing.T) {
		p := g.as(externalKey, "POST", "/v1/procurement/GetTender:prepare", map[string]any{"id": "EXT-1"})
		require.Equal(t, 200, p.status, string(p.raw))
		r := g.as(externalKey, "POST", "/v1/procurement/GetTender:evaluate", map[string]any{"proposal": p.str("proposal"), "signature": sign(p.str("digest"))})
		require.Equal(t, 200, r.status, string(r.raw))
		require.Equal(t, "EXT-1", obj(t, r.body["result"])["id"])
	})

	t.Run("rejects a forged signature", func(t *testing.T) {
		p := g.as(externalKey, "POST", "/v1/procurement/CreateTender:prepare", tender("EXT-2"))
		forged := base64.StdEncoding.EncodeToString([]byte("not a signature"))
		r := g.as(externalKey, "POST", "/v1/procurement/CreateTender:endorse", map[string]any{"proposal": p.str("proposal"), "signature": forged})
		require.Equal(t, 502, r.status)
		require.Equal(t, "ENDORSEMENT_FAILED", r.str("code"))
	})

	t.Run("names a missing signature", func(t *testing.T) {
		r := g.as(externalKey, "POST", "/v1/procurement/CreateTender:endorse", map[string]any{"proposal": "AAAA"})
		require.Equal(t, 400, r.status)
		require.Equal(t, "signature", r.str("field"))
	})

	t.Run("rejects an unknown member of the signed body", func(t *testing.T) {
		r := g.as(externalKey, "POST", "/v1/procurement/CreateTender:submit", map[string]any{"transaction": "AAAA", "signature": "AAAA", "extra": 1})
		require.Equal(t, 400, r.status)
		require.Equal(t, "extra", r.str("field"))
	})

	t.Run("refuses prepare by GET", func(t *testing.T) {
		require.Equal(t, 405, g.as(externalKey, "GET", "/v1/procurement/CreateTender:prepare", nil).status)
	})
}

type sse struct {
	id   string
	name string
	data string
}

// stream opens an event stream; the body is closed when the test ends.
func (g *gateway) stream(t *testing.T, query string, headers ...string) (<-chan sse, int, http.Header) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	req, err := http.NewRequestWithContext(ctx, "GET", g.srv.URL+"/v1/events"+query, nil)
	require.NoError(t, err)
	req.Header.Set(auth.APIKeyHeader, auditorKey)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	t.Cleanup(func() { _ = resp.Body.Close() })
	out := make(chan sse, 16)
	if resp.StatusCode != 200 {
		close(out)
		return out, resp.StatusCode, resp.Header
	}
	go func() {
		defer close(out)
		sc := bufio.NewScanner(resp.Body)
		var ev sse
		for sc.Scan() {
			line := sc.Text()
			switch {
			case strings.HasPrefix(line, "id: "):
				ev.id = line[4:]
			case strings.HasPrefix(line, "event: "):
				ev.name = line[7:]
			case strings.HasPrefix(line, "data: "):
				ev.data = line[6:]
			case line == "" && ev.id != "":
				out <- ev
				ev = sse{}
			}
		}
	}()
	return out, resp.StatusCode, resp.Header
}

func recv(t *testing.T, ch <-chan sse) sse {
	t.Helper()
	select {
	case ev := <-ch:
		return ev
	case <-time.After(5 * time.Second):
		t.Fatal("no event")
	}
	return sse{}
}

func TestEvents(t *testing.T) {
	g := newGateway(t)
	var txIDs []string
	for _, id := range []string{"E1", "E2", "E3"} {
		r := g.as(buyerKey, "POST", "/v1/procurement/CreateTender", tender(id))
		require.Equal(t, 200, r.status)
		txIDs = append(txIDs, r.str("txId"))
	}

	t.Run("streams from a block with stable ids", func(t *testing.T) {
		ch, _, header := g.stream(t, "?chaincode=procurement&fromBlock=0")
		require.Equal(t, "text/event-stream", header.Get("Content-Type"))
		for i, tx := range txIDs {
			ev := recv(t, ch)
			require.Equal(t, "TenderCreated", ev.name)
			require.Equal(t, tx, strings.SplitN(ev.id, ":", 2)[1])
			var m events.Message
			require.NoError(t, json.Unmarshal([]byte(ev.data), &m))
			require.EqualValues(t, i+1, m.BlockNumber)
		}
	})

	t.Run("resumes after Last-Event-ID without repeating it", func(t *testing.T) {
		first, _, _ := g.stream(t, "?chaincode=procurement&fromBlock=0")
		id := recv(t, first).id
		resumed, _, _ := g.stream(t, "?chaincode=procurement&fromBlock=0", "Last-Event-ID", id)
		require.Equal(t, txIDs[1], strings.SplitN(recv(t, resumed).id, ":", 2)[1])
	})

	t.Run("streams new events when started without a position", func(t *testing.T) {
		ch, _, _ := g.stream(t, "?chaincode=procurement")
		time.Sleep(50 * time.Millisecond)
		r := g.as(buyerKey, "POST", "/v1/procurement/CreateTender", tender("E4"))
		require.Equal(t, r.str("txId"), strings.SplitN(recv(t, ch).id, ":", 2)[1])
	})

	refused := []struct {
		name, query string
		headers     []string
		status      int
		field       string
	}{
		{"requires a chaincode", "", nil, 400, "chaincode"},
		{"refuses an unknown chaincode", "?chaincode=payroll", nil, 404, ""},
		{"refuses a malformed fromBlock", "?chaincode=procurement&fromBlock=-1", nil, 400, "fromBlock"},
		{"refuses a malformed Last-Event-ID", "?chaincode=procurement", []string{"Last-Event-ID", "yesterday"}, 400, "Last-Event-ID"},
	}
	for _, tc := range refused {
		t.Run(tc.name, func(t *testing.T) {
			_, status, _ := g.stream(t, tc.query, tc.headers...)
			require.Equal(t, tc.status, status)
		})
	}
}

// hookReceiver verifies signatures and fails the first attempts.
type hookReceiver struct {
	srv     *httptest.Server
	secret  atomic.Value
	failing atomic.Int32
	mu      sync.Mutex
	got     []events.Message
	badSigs atomic.Int32
}

func newHookReceiver(t *testing.T) *hookReceiver {
	h := &hookReceiver{}
	h.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		ts, mac, _ := strings.Cut(r.Header.Get(events.SignatureHeader), ",sha256=")
		secret, _ := h.secret.Load().(string)
		if mac != events.Sign(secret, strings.TrimPrefix(ts, "t="), body) {
			h.badSigs.Add(1)
			w.WriteHeader(401)
			return
		}
		if h.failing.Load() > 0 {
			h.failing.Add(-1)
			w.WriteHeader(503)
			return
		}
		var m events.Message
		_ = json.Unmarshal(body, &m)
		h.mu.Lock()
		h.got = append(h.got, m)
		h.mu.Unlock()
	}))
	t.Cleanup(h.srv.Close)
	return h
}

func (h *hookReceiver) received() []events.Message {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]events.Message(nil), h.got...)
}

func TestWebhooks(t *testing.T) {
	g := newGateway(t)
	rcv := newHookReceiver(t)
	rcv.failing.Store(2)

	created := g.as(auditorKey, "POST", "/v1/subscriptions", map[string]any{"chaincode": "procurement", "url": rcv.srv.URL, "eventNames": []string{"TenderCreated"}})
	require.Equal(t, 201, created.status, string(created.raw))
	id := created.str("id")
	require.NotEmpty(t, created.str("secret"))
	require.Equal(t, "/v1/subscriptions/"+id, created.header.Get("Location"))
	rcv.secret.Store(created.str("secret"))

	t.Run("delivers signed events, retrying until accepted", func(t *testing.T) {
		tx := g.as(buyerKey, "POST", "/v1/procurement/CreateTender", tender("W1")).str("txId")
		eventually(t, func() bool { return len(rcv.received()) == 1 })
		require.Equal(t, tx, rcv.received()[0].TxID)
		require.Zero(t, rcv.badSigs.Load())
		require.Contains(t, scrape(t, g), `govledger_gateway_webhook_deliveries_total{outcome="failed"} 2`)
	})

	t.Run("resumes after a restart without losing events", func(t *testing.T) {
		g.restart()
		tx := g.as(buyerKey, "POST", "/v1/procurement/CreateTender", tender("W2")).str("txId")
		eventually(t, func() bool {
			got := rcv.received()
			return len(got) >= 2 && got[len(got)-1].TxID == tx
		})
	})

	t.Run("shows a subscription without its secret", func(t *testing.T) {
		r := g.as(auditorKey, "GET", "/v1/subscriptions/"+id, nil)
		require.Equal(t, 200, r.status)
		require.Empty(t, r.str("secret"))
		require.NotEmpty(t, r.str("checkpoint"))
		require.Equal(t, 404, g.as(buyerKey, "GET", "/v1/subscriptions/"+id, nil).status, "subscriptions are private to their caller")
	})

	t.Run("lists the caller's subscriptions", func(t *testing.T) {
		r := g.as(auditorKey, "GET", "/v1/subscriptions?pageSize=10", nil)
		require.Equal(t, 200, r.status)
		require.Len(t, r.body["items"], 1)
		require.Equal(t, 422, g.as(auditorKey, "GET", "/v1/subscriptions?pageSize=1000", nil).status)
	})

	t.Run("validates a new subscription naming the field", func(t *testing.T) {
		r := g.as(auditorKey, "POST", "/v1/subscriptions", map[string]any{"chaincode": "procurement", "url": "ftp://x"})
		require.Equal(t, 422, r.status)
		require.Equal(t, "url", r.str("field"))
		r = g.as(auditorKey, "POST", "/v1/subscriptions", map[string]any{"chaincode": "procurement", "url": rcv.srv.URL, "color": "red"})
		require.Equal(t, 400, r.status)
		require.Equal(t, "color", r.str("field"))
	})

	t.Run("deletes a subscription", func(t *testing.T) {
		require.Equal(t, 204, g.as(auditorKey, "DELETE", "/v1/subscriptions/"+id, nil).status)
		require.Equal(t, 404, g.as(auditorKey, "DELETE", "/v1/subscriptions/"+id, nil).status)
	})
}

func scrape(t *testing.T, g *gateway) string {
	t.Helper()
	r := g.call("GET", "/metrics", nil)
	require.Equal(t, 200, r.status)
	return string(r.raw)
}

func TestOperations(t *testing.T) {
	g := newGateway(t)

	t.Run("reports liveness", func(t *testing.T) {
		require.Equal(t, 200, g.call("GET", "/healthz", nil).status)
	})

	t.Run("reports readiness from the ledger", func(t *testing.T) {
		require.Equal(t, 200, g.call("GET", "/readyz", nil).status)
		g.net.SetDown(true)
		r := g.call("GET", "/readyz", nil)
		require.Equal(t, 503, r.status)
		require.Equal(t, "NOT_READY", r.str("code"))
		g.net.SetDown(false)
	})

	t.Run("echoes a safe request id and mints one otherwise", func(t *testing.T) {
		r := g.call("GET", "/healthz", nil, "X-Request-ID", "trace-42")
		require.Equal(t, "trace-42", r.header.Get("X-Request-ID"))
		r = g.call("GET", "/healthz", nil, "X-Request-ID", "bad id with spaces")
		require.Len(t, r.header.Get("X-Request-ID"), 24)
	})

	t.Run("exposes route and stage metrics", func(t *testing.T) {
		require.Equal(t, 200, g.as(buyerKey, "POST", "/v1/procurement/CreateTender", tender("M1")).status)
		out := scrape(t, g)
		require.Contains(t, out, `govledger_gateway_http_request_duration_seconds_count{code="200",method="POST",route="/v1/{chaincode}/{function}"}`)
		for _, stage := range []string{"endorse", "submit", "commit"} {
			require.Contains(t, out, `govledger_gateway_fabric_stage_duration_seconds_count{outcome="ok",stage="`+stage+`"}`)
		}
		require.Contains(t, out, "govledger_gateway_http_requests_in_flight")
	})

	t.Run("counts retries after read conflicts", func(t *testing.T) {
		g.net.InvalidateNext(ledger.CodeMVCCReadConflict)
		r := g.as(auditorKey, "POST", "/v1/procurement/audit.RecordFinding", map[string]any{"ref": "R", "severity": 1})
		require.Equal(t, 200, r.status, string(r.raw))
		require.Contains(t, scrape(t, g), `govledger_gateway_transaction_retries_total{code="MVCC_READ_CONFLICT"} 1`)
	})

	t.Run("keeps keys out of the audit trail", func(t *testing.T) {
		require.NotContains(t, g.audit.String(), buyerKey)
		require.NotEmpty(t, g.audit.entries(t))
	})
}

func TestDrain(t *testing.T) {
	g := newGateway(t)
	g.net.HoldCommits()
	r := g.as(auditorKey, "POST", "/v1/procurement/audit.RecordFinding?async=true", map[string]any{"ref": "D", "severity": 1})
	require.Equal(t, 202, r.status)
	drained := make(chan error, 1)
	go func() { drained <- g.svc.Drain(context.Background()) }()
	eventually(t, func() bool {
		return g.as(auditorKey, "POST", "/v1/procurement/audit.RecordFinding?async=true", map[string]any{"ref": "late", "severity": 1}).str("code") == "SHUTTING_DOWN"
	})
	g.net.ReleaseCommits()
	select {
	case err := <-drained:
		require.NoError(t, err)
	case <-time.After(5 * time.Second):
		t.Fatal("drain did not finish")
	}
	rec, err := g.svc.Receipt("key:auditor-app", r.str("txId"))
	require.NoError(t, err)
	require.Equal(t, txn.StateCommitted, rec.State)
	require.NotErrorIs(t, rec.Err, txn.ErrShuttingDown)
}

func obj(t *testing.T, v any) map[string]any {
	t.Helper()
	m, ok := v.(map[string]any)
	require.True(t, ok, "want a JSON object, got %T", v)
	return m
}
