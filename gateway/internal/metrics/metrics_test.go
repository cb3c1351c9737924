package metrics_test

import (
	"context"
	"errors"
	"io"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/govledger/govledger/gateway/internal/ledger"
	"github.com/govledger/govledger/gateway/internal/metrics"
)

func scrape(t *testing.T, m *metrics.Metrics) string {
	t.Helper()
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	body, err := io.ReadAll(rec.Body)
	require.NoError(t, err)
	return string(body)
}

func TestMetrics(t *testing.T) {
	m := metrics.New()
	m.Request("/v1/{chaincode}/{function}", "POST", 200, 20*time.Millisecond)
	m.InFlight(1)
	m.Stage(ledger.PhaseEndorse, 10*time.Millisecond, nil)
	m.Stage(ledger.PhaseCommitStatus, time.Second, &ledger.PhaseError{Phase: ledger.PhaseCommitStatus, Err: context.DeadlineExceeded})
	m.Stage(ledger.PhaseEndorse, time.Millisecond, &ledger.PhaseError{Phase: ledger.PhaseEndorse, Err: &ledger.ChaincodeError{Status: 500}})
	m.Stage(ledger.PhaseSubmit, time.Millisecond, errors.New("boom"))
	m.Retry(ledger.CodeMVCCReadConflict)
	m.Submits(2)
	m.Delivery(true)
	m.Delivery(false)
	m.Limited()
	out := scrape(t, m)

	for _, want := range []string{
		`govledger_gateway_http_request_duration_seconds_count{code="200",method="POST",route="/v1/{chaincode}/{function}"} 1`,
		`govledger_gateway_http_requests_in_flight 1`,
		`govledger_gateway_fabric_stage_duration_seconds_count{outcome="ok",stage="endorse"} 1`,
		`govledger_gateway_fabric_stage_duration_seconds_count{outcome="timeout",stage="commit"} 1`,
		`govledger_gateway_fabric_stage_duration_seconds_count{outcome="chaincode_error",stage="endorse"} 1`,
		`govledger_gateway_fabric_stage_duration_seconds_count{outcome="error",stage="submit"} 1`,
		`govledger_gateway_transaction_retries_total{code="MVCC_READ_CONFLICT"} 1`,
		`govledger_gateway_submits_in_flight 2`,
		`govledger_gateway_webhook_deliveries_total{outcome="failed"} 1`,
		`govledger_gateway_rate_limited_total 1`,
		`go_goroutines`,
	} {
		t.Run("exposes "+want, func(t *testing.T) {
			require.Contains(t, out, want)
		})
	}
}
