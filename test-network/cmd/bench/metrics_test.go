package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/require"
)

const exposition = `# HELP govledger_gateway_http_request_duration_seconds HTTP request latency.
# TYPE govledger_gateway_http_request_duration_seconds histogram
govledger_gateway_http_request_duration_seconds_bucket{code="200",method="POST",route="/v1/{chaincode}/{function}",le="0.005"} 0
govledger_gateway_http_request_duration_seconds_sum{code="200",method="POST",route="/v1/{chaincode}/{function}"} 1.5
govledger_gateway_http_request_duration_seconds_count{code="200",method="POST",route="/v1/{chaincode}/{function}"} 10
govledger_gateway_http_request_duration_seconds_sum{code="500",method="POST",route="/v1/{chaincode}/{function}"} 0.5
govledger_gateway_http_request_duration_seconds_count{code="500",method="POST",route="/v1/{chaincode}/{function}"} 2
govledger_gateway_http_request_duration_seconds_sum{code="200",method="GET",route="/readyz"} 9
govledger_gateway_http_request_duration_seconds_count{code="200",method="GET",route="/readyz"} 3
govledger_gateway_fabric_stage_duration_seconds_sum{outcome="ok",stage="endorse"} 0.12
govledger_gateway_fabric_stage_duration_seconds_count{outcome="ok",stage="endorse"} 12
govledger_gateway_fabric_stage_duration_seconds_sum{outcome="ok",stage="commit"} 1.2
govledger_gateway_fabric_stage_duration_seconds_count{outcome="ok",stage="commit"} 12
govledger_gateway_fabric_stage_duration_seconds_sum{outcome="error",stage="weird\"label"} 1
govledger_gateway_fabric_stage_duration_seconds_count{outcome="error",stage="weird\"label"} 1
not a metric line
govledger_gateway_fabric_stage_duration_seconds_sum{stage="broken"} NaNx
`

func TestHistogramTotals(t *testing.T) {
	t.Run("adds up series by the label asked for", func(t *testing.T) {
		got := histogramTotals(exposition, metricRequest, "route")
		require.InDelta(t, 2.0, got[callRoute].sum, 1e-9)
		require.InDelta(t, 12.0, got[callRoute].count, 1e-9)
		require.InDelta(t, 3.0, got["/readyz"].count, 1e-9)
	})
	t.Run("reads escaped label values and skips unparsable values", func(t *testing.T) {
		got := histogramTotals(exposition, metricStage, "stage")
		require.Contains(t, got, `weird"label`)
		require.NotContains(t, got, "broken")
		require.InDelta(t, 0.12, got["endorse"].sum, 1e-9)
	})
	t.Run("ignores series without the label", func(t *testing.T) {
		require.Empty(t, histogramTotals(exposition, metricStage, "code"))
	})
}

func TestLabelValue(t *testing.T) {
	for _, tc := range []struct {
		name, labels, label, want string
		ok                        bool
	}{
		{"finds the first label", `a="1",b="2"`, "a", "1", true},
		{"finds a later label", `a="1",b="2"`, "b", "2", true},
		{"reads braces inside a value", `route="/v1/{x}",code="200"`, "code", "200", true},
		{"reports a missing label", `a="1"`, "b", "", false},
		{"stops at an unterminated value", `a="1`, "b", "", false},
		{"stops at a malformed set", `garbage`, "a", "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := labelValue(tc.labels, tc.label)
			require.Equal(t, tc.ok, ok)
			require.Equal(t, tc.want, got)
		})
	}
}

func TestBreakdown(t *testing.T) {
	before := gatewaySnapshot{
		requests: totals{callRoute: {sum: 1, count: 10}},
		stages:   totals{"endorse": {sum: 0.02, count: 10}, "commit": {sum: 1, count: 10}, "evaluate": {sum: 5, count: 3}},
	}
	after := gatewaySnapshot{
		requests: totals{callRoute: {sum: 3, count: 20}},
		stages: totals{"endorse": {sum: 0.04, count: 10 + 11}, "commit": {sum: 2.5, count: 20}, "evaluate": {sum: 5, count: 3},
			"events": {sum: 100, count: 1}},
	}
	t.Run("splits the mean request into stages and the gateway's own time", func(t *testing.T) {
		got := breakdown(before, after)
		require.InDelta(t, 200.0, got["request"], 0.01)
		require.InDelta(t, 2.0, got["endorse"], 0.01, "per request, though endorsed 11 times")
		require.InDelta(t, 150.0, got["commit"], 0.01)
		require.NotContains(t, got, "evaluate", "no evaluations between the snapshots")
		require.NotContains(t, got, "events", "no request waits on the event stream")
		require.InDelta(t, 48.0, got[ownKey], 0.01)
	})
	t.Run("has nothing to say without requests", func(t *testing.T) {
		require.Nil(t, breakdown(after, after))
	})
}

func TestScrapeGateways(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/metrics" {
			http.NotFound(w, r)
			return
		}
		_, _ = w.Write([]byte(exposition))
	}))
	defer srv.Close()
	t.Run("adds up every gateway", func(t *testing.T) {
		snap, err := scrapeGateways(context.Background(), map[string]string{"A": srv.URL, "B": srv.URL})
		require.NoError(t, err)
		require.InDelta(t, 24.0, snap.requests[callRoute].count, 1e-9)
		require.InDelta(t, 24.0, snap.stages["commit"].count, 1e-9)
	})
	t.Run("fails on a gateway without metrics", func(t *testing.T) {
		_, err := scrapeGateways(context.Background(), map[string]string{"A": srv.URL + "/nothing"})
		require.Error(t, err)
	})
}
