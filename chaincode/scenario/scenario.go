// Package scenario holds GovLedger's end-to-end stories — a tender from
// publication to payment, a case report to an outbreak alert — written once
// against the Ledger interface, so the same suite runs against the in-memory
// stub (unit tests in this package) and, under the integration build tag,
// against the live local network through the Fabric Gateway SDK
// (test-network/integration).
package scenario

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/govledger/govledger/chaincode/ccerror"
)

// User names an identity enrolled from network/topology.yaml.
type User struct {
	MSPID string
	Name  string
}

// Call is one chaincode function invocation.
type Call struct {
	Chaincode string
	// Function is "Contract:Function".
	Function string
	Args     []string
	// Transient data goes to the endorsing peers only, never into the
	// transaction.
	Transient map[string][]byte
}

// Ledger is where a scenario runs. A chaincode rejection must come back as
// an error chain holding the chaincode's *ccerror.Error, so scenarios assert
// on codes (errors.Is(err, ccerror.ErrPermissionDenied)), not on text.
type Ledger interface {
	// Submit endorses, orders and commits; it returns the function's result
	// once the transaction is valid.
	Submit(ctx context.Context, u User, c Call) ([]byte, error)
	// Evaluate queries one peer and commits nothing.
	Evaluate(ctx context.Context, u User, c Call) ([]byte, error)
	// Now is the ledger's current time: what a transaction submitted now
	// gets as its timestamp.
	Now() time.Time
	// Await returns once transactions submitted afterwards are timestamped
	// after t: the stub moves its clock, the live network sleeps. Deadlines
	// in scenarios are therefore short offsets from Now.
	Await(ctx context.Context, t time.Time) error
}

// Suite is one story. Each suite must be safe to run on a ledger other
// suites (and earlier runs) have written to: it makes its own ids unique.
type Suite struct {
	Name string
	// Chaincodes are those the suite calls; a runner skips a suite whose
	// chaincodes it cannot serve.
	Chaincodes []string
	Run        func(t *testing.T, s *Session)
}

// Session runs calls of one suite on a Ledger with test assertions.
type Session struct {
	Ledger Ledger
	Ctx    context.Context
	// RunID makes the suite's entity ids unique on a shared ledger.
	RunID string
}

// Submit calls Submit and fails the test on error.
func (s *Session) Submit(t *testing.T, u User, c Call) []byte {
	t.Helper()
	out, err := s.Ledger.Submit(s.Ctx, u, c)
	require.NoError(t, err, "%s/%s %s", u.MSPID, u.Name, c.Function)
	return out
}

// SubmitJSON submits and decodes the result into v.
func (s *Session) SubmitJSON(t *testing.T, u User, c Call, v any) {
	t.Helper()
	require.NoError(t, json.Unmarshal(s.Submit(t, u, c), v), "%s result", c.Function)
}

// EvaluateJSON evaluates, fails the test on error, and decodes into v.
func (s *Session) EvaluateJSON(t *testing.T, u User, c Call, v any) {
	t.Helper()
	out, err := s.Ledger.Evaluate(s.Ctx, u, c)
	require.NoError(t, err, "%s/%s %s", u.MSPID, u.Name, c.Function)
	require.NoError(t, json.Unmarshal(out, v), "%s result", c.Function)
}

// EvaluateUntil evaluates c as u until want accepts the result: a read
// through another organisation's peer sees a commit only once that peer has
// the block too.
func (s *Session) EvaluateUntil(t *testing.T, u User, c Call, want func([]byte) bool) []byte {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		out, err := s.Ledger.Evaluate(s.Ctx, u, c)
		if err == nil && want(out) {
			return out
		}
		if time.Now().After(deadline) {
			require.FailNow(t, "result never as expected", "%s/%s %s: last result %q, error %v", u.MSPID, u.Name, c.Function, out, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// Rejects submits c and requires the chaincode to refuse it with code (and,
// when field is not empty, naming field).
func (s *Session) Rejects(t *testing.T, u User, c Call, code ccerror.Code, field string) {
	t.Helper()
	_, err := s.Ledger.Submit(s.Ctx, u, c)
	RequireCode(t, err, code, field)
}

// Await waits until after t (see Ledger.Await).
func (s *Session) Await(t *testing.T, until time.Time) {
	t.Helper()
	require.NoError(t, s.Ledger.Await(s.Ctx, until))
}

// RequireCode asserts that err carries a chaincode error with code (and
// field, when not empty).
func RequireCode(t *testing.T, err error, code ccerror.Code, field string) {
	t.Helper()
	require.Error(t, err)
	var ce *ccerror.Error
	require.ErrorAs(t, err, &ce, "want a chaincode %s error, got %v", code, err)
	require.Equal(t, code, ce.Code, "error: %v", err)
	if field != "" {
		require.Equal(t, field, ce.Field, "error: %v", err)
	}
}

// All lists every suite; domain files add theirs in init.
var All []Suite

func register(s Suite) { All = append(All, s) }
