package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/govledger/govledger/test-network/harness"
)

// openAPI is the part of a gateway's OpenAPI document tryIt reads.
func openAPI(putParams, getParams string) string {
	return `{"paths": {
		"/v1/noop/Put": {"post": {"requestBody": {"content": {"application/json": {"schema": {"required": [` + putParams + `]}}}}}},
		"/v1/noop/Get": {"post": {"requestBody": {"content": {"application/json": {"schema": {"required": [` + getParams + `]}}}}}}
	}}`
}

func gatewayServing(t *testing.T, status int, doc string) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/v1/openapi.json" {
			http.NotFound(w, r)
			return
		}
		w.WriteHeader(status)
		_, _ = w.Write([]byte(doc))
	}))
	t.Cleanup(srv.Close)
	return strings.TrimPrefix(srv.URL, "http://")
}

func TestTryIt(t *testing.T) {
	cases := []struct {
		name   string
		status int
		doc    string
		want   []string
	}{
		{
			"uses the metadata's parameter names", http.StatusOK, openAPI(`"key", "value"`, `"key"`),
			[]string{
				`-H 'X-API-Key: dev-buyer1' -H 'Content-Type: application/json' -d '{"key": "hello", "value": "world"}' http://ADDR/v1/noop/Put`,
				`-H 'X-API-Key: dev-regulator1' 'http://REG/v1/noop/Get?key=hello'`,
			},
		},
		{
			"uses reflected names until the chaincode ships metadata", http.StatusOK, openAPI(`"param0", "param1"`, `"param0"`),
			[]string{`-d '{"param0": "hello", "param1": "world"}'`, `/v1/noop/Get?param0=hello'`},
		},
		{"says why there is no example when noop is not served", http.StatusOK, `{"paths": {}}`, []string{"(no noop example: /v1/noop/Put takes 0 parameters, not 2)"}},
		{"says why there is no example when the gateway fails", http.StatusServiceUnavailable, `{}`, []string{"(no noop example: GET http://ADDR/v1/openapi.json: 503 Service Unavailable)"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			addr := gatewayServing(t, tc.status, tc.doc)
			gws := []harness.Gateway{
				{MSPID: "ProcurementMSP", Address: addr, Users: []string{"buyer1", "supplierA"}},
				{MSPID: "RegulatorMSP", Address: "127.0.0.1:8085", Users: []string{"regulator1"}, ReadOnly: true},
			}
			var out strings.Builder
			require.NoError(t, tryIt(context.Background(), &out, gws))
			text := out.String()
			require.Contains(t, text, "header X-API-Key: dev-<user>")
			require.Regexp(t, `ProcurementMSP +http://`+addr+` +buyer1 supplierA\n`, text)
			require.Regexp(t, `RegulatorMSP +http://127.0.0.1:8085 +regulator1  \(read-only\)\n`, text)
			require.Contains(t, text, "curl -s http://"+addr+"/v1/openapi.json")
			for _, w := range tc.want {
				w = strings.ReplaceAll(strings.ReplaceAll(w, "ADDR", addr), "REG", "127.0.0.1:8085")
				require.Contains(t, text, w)
			}
		})
	}

	t.Run("refuses a topology without organisations", func(t *testing.T) {
		require.Error(t, tryIt(context.Background(), &strings.Builder{}, nil))
	})
}
