package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/govledger/govledger/gateway/internal/app"
	"github.com/govledger/govledger/gateway/internal/auth"
	"github.com/govledger/govledger/gateway/internal/config"
	"github.com/govledger/govledger/gateway/internal/fakeledger"
	"github.com/govledger/govledger/gateway/internal/testpki"
	"github.com/govledger/govledger/gateway/internal/wallet"
)

const key = "app-test-key-0123456789"

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

type running struct {
	url  string
	net  *fakeledger.Ledger
	stop context.CancelFunc
	done chan error
	cfg  *config.Config
}

func start(t *testing.T, net *fakeledger.Ledger, mod func(*config.Config)) *running {
	t.Helper()
	dir := t.TempDir()
	cfg, err := config.Load("", func(k string) (string, bool) {
		v, ok := map[string]string{
			"GOVLEDGER_STATE_FILE":       filepath.Join(dir, "state", "gateway.db"),
			"GOVLEDGER_AUDIT_LOG":        filepath.Join(dir, "state", "audit.jsonl"),
			"GOVLEDGER_API_KEYS":         "app:" + auth.HashKey(key) + ":buyer1",
			"GOVLEDGER_TIMEOUT_SHUTDOWN": "5s",
		}[k]
		return v, ok
	})
	require.NoError(t, err)
	if mod != nil {
		mod(cfg)
	}
	buyer := testpki.New(t, "buyer1")
	admin := testpki.New(t, "Admin")
	w := wallet.FromCredentials("ProcurementMSP", map[string]wallet.Credential{
		"buyer1": {Certificate: buyer.CertPEM, Sign: buyer.Sign},
		"Admin":  {Certificate: admin.CertPEM, Sign: admin.Sign},
	})
	a, err := app.New(cfg, app.Setup{
		Ledger: net, Wallet: w, Chaincodes: []string{"procurement"},
		Members: func(cc, coll string) ([]string, bool) { return []string{"ProcurementMSP"}, coll == "sealedBids" },
	}, app.WithLogger(quiet), app.WithCatalogRetry(10*time.Millisecond))
	require.NoError(t, err)
	require.NotNil(t, a.Handler())
	ln, err := listen(t)
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	r := &running{url: "http://" + ln.Addr().String(), net: net, stop: cancel, done: make(chan error, 1), cfg: cfg}
	go func() { r.done <- a.Run(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-r.done:
			if err != nil {
				t.Errorf("gateway stopped with %v", err)
			}
		case <-time.After(10 * time.Second):
			t.Error("gateway did not stop")
		}
	})
	return r
}

func listen(t *testing.T) (net.Listener, error) {
	t.Helper()
	return net.Listen("tcp", "127.0.0.1:0")
}

func (r *running) post(t *testing.T, path string, body any) (int, map[string]any) {
	t.Helper()
	raw, _ := json.Marshal(body)
	req, err := http.NewRequest("POST", r.url+path, bytes.NewReader(raw))
	require.NoError(t, err)
	req.Header.Set(auth.APIKeyHeader, key)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer func() { _ = resp.Body.Close() }()
	var out map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

func (r *running) ready() bool {
	resp, err := http.Get(r.url + "/readyz")
	if err != nil {
		return false
	}
	_ = resp.Body.Close()
	return resp.StatusCode == 200
}

func tender(id string) map[string]any {
	return map[string]any{"tender": map[string]any{"id": id, "title": "t", "budget": 1, "deadline": "2026-01-01T00:00:00Z"}}
}

func TestRun(t *testing.T) {
	t.Run("serves once the catalog is loaded and writes the audit trail", func(t *testing.T) {
		r := start(t, fakeledger.New(map[string]fakeledger.Chaincode{"procurement": fakeledger.Procurement()}), nil)
		require.Eventually(t, r.ready, 5*time.Second, 10*time.Millisecond)
		status, body := r.post(t, "/v1/procurement/CreateTender", tender("T1"))
		require.Equal(t, 200, status, body)
		raw, err := os.ReadFile(r.cfg.AuditLog)
		require.NoError(t, err)
		require.Contains(t, string(raw), `"caller":"key:app"`)
	})

	t.Run("keeps loading metadata until the chaincode is deployed", func(t *testing.T) {
		net := fakeledger.New(nil)
		r := start(t, net, nil)
		time.Sleep(50 * time.Millisecond)
		require.False(t, r.ready())
		net.SetChaincode("procurement", fakeledger.Procurement())
		require.Eventually(t, r.ready, 5*time.Second, 10*time.Millisecond)
	})

	t.Run("drains an in-flight submit before stopping", func(t *testing.T) {
		net := fakeledger.New(map[string]fakeledger.Chaincode{"procurement": fakeledger.Procurement()})
		r := start(t, net, nil)
		require.Eventually(t, r.ready, 5*time.Second, 10*time.Millisecond)
		net.HoldCommits()
		result := make(chan int, 1)
		go func() {
			// No assertions off the test goroutine: report the status only.
			raw, _ := json.Marshal(tender("T2"))
			req, _ := http.NewRequest("POST", r.url+"/v1/procurement/CreateTender", bytes.NewReader(raw))
			req.Header.Set(auth.APIKeyHeader, key)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				result <- 0
				return
			}
			_ = resp.Body.Close()
			result <- resp.StatusCode
		}()
		time.Sleep(100 * time.Millisecond)
		r.stop()
		time.Sleep(100 * time.Millisecond)
		select {
		case err := <-r.done:
			t.Fatalf("stopped with a submit in flight (%v)", err)
		default:
		}
		net.ReleaseCommits()
		require.Equal(t, 200, <-result)
		select {
		case err := <-r.done:
			require.NoError(t, err)
			r.done <- err
		case <-time.After(5 * time.Second):
			t.Fatal("did not stop after draining")
		}
	})

	t.Run("fails fast on an unusable state folder", func(t *testing.T) {
		dir := t.TempDir()
		blocker := filepath.Join(dir, "file")
		require.NoError(t, os.WriteFile(blocker, nil, 0o600))
		cfg := config.Defaults()
		cfg.StateFile = filepath.Join(blocker, "gateway.db")
		cfg.AuditLog = filepath.Join(dir, "audit.jsonl")
		_, err := app.New(&cfg, app.Setup{Ledger: fakeledger.New(nil), Wallet: wallet.FromCredentials("M", nil)})
		require.Error(t, err)
		require.NotContains(t, err.Error(), "panic")
	})
}

func TestAuthenticatorConfig(t *testing.T) {
	base := func(t *testing.T) *config.Config {
		dir := t.TempDir()
		cfg := config.Defaults()
		cfg.StateFile = filepath.Join(dir, "gateway.db")
		cfg.AuditLog = filepath.Join(dir, "audit.jsonl")
		return &cfg
	}
	setup := app.Setup{Ledger: fakeledger.New(nil), Wallet: wallet.FromCredentials("M", nil)}

	t.Run("reads issuer static keys from files", func(t *testing.T) {
		cfg := base(t)
		keyFile := filepath.Join(t.TempDir(), "idp.pem")
		require.NoError(t, os.WriteFile(keyFile, testpki.New(t, "idp").CertPEM, 0o644))
		cfg.Auth.Issuers = []config.Issuer{{Issuer: "https://idp", Audience: "gw", StaticKeys: []string{keyFile}}}
		a, err := app.New(cfg, setup, app.WithLogger(quiet))
		require.NoError(t, err)
		ln, err := listen(t)
		require.NoError(t, err)
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		require.NoError(t, a.Run(ctx, ln))
	})

	t.Run("fails on a missing static key file", func(t *testing.T) {
		cfg := base(t)
		cfg.Auth.Issuers = []config.Issuer{{Issuer: "https://idp", Audience: "gw", StaticKeys: []string{filepath.Join(t.TempDir(), "nope.pem")}}}
		_, err := app.New(cfg, setup, app.WithLogger(quiet))
		require.Error(t, err)
	})

	t.Run("fails on an invalid API key", func(t *testing.T) {
		cfg := base(t)
		cfg.Auth.APIKeys = []config.APIKey{{Name: "a", SHA256: "00", User: "u"}}
		_, err := app.New(cfg, setup, app.WithLogger(quiet))
		require.Error(t, err)
	})
}
