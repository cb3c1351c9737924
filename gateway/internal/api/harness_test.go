package api_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	bolt "go.etcd.io/bbolt"

	"github.com/govledger/govledger/gateway/internal/api"
	"github.com/govledger/govledger/gateway/internal/audit"
	"github.com/govledger/govledger/gateway/internal/auth"
	"github.com/govledger/govledger/gateway/internal/catalog"
	"github.com/govledger/govledger/gateway/internal/events"
	"github.com/govledger/govledger/gateway/internal/fakeledger"
	"github.com/govledger/govledger/gateway/internal/metrics"
	"github.com/govledger/govledger/gateway/internal/ratelimit"
	"github.com/govledger/govledger/gateway/internal/testpki"
	"github.com/govledger/govledger/gateway/internal/txn"
	"github.com/govledger/govledger/gateway/internal/wallet"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// API keys of the test gateway, by wallet user.
const (
	buyerKey    = "key-buyer-0123456789"
	auditorKey  = "key-auditor-0123456789"
	externalKey = "key-external-0123456789"
	adminKey    = "key-admin-0123456789"
	ghostKey    = "key-ghost-0123456789"
	issuer      = "https://idp.agency.example"
	audience    = "govledger-gateway"
)

// syncBuffer is a goroutine-safe audit sink.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) entries(t *testing.T) []audit.Entry {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []audit.Entry
	for _, line := range strings.Split(strings.TrimSpace(b.buf.String()), "\n") {
		if line == "" {
			continue
		}
		var e audit.Entry
		require.NoError(t, json.Unmarshal([]byte(line), &e))
		out = append(out, e)
	}
	return out
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

type setup struct {
	readOnly bool
	rate     float64
	burst    int
	maxBody  int64
	timeouts txn.Timeouts
	syncWait time.Duration
}

// gateway is a whole gateway over a fake network, served by httptest.
type gateway struct {
	t        *testing.T
	cfg      setup
	net      *fakeledger.Ledger
	wallet   *wallet.Wallet
	external testpki.Identity
	jwtKey   *ecdsa.PrivateKey
	path     string
	db       *bolt.DB
	svc      *txn.Service
	hooks    *events.Webhooks
	stop     context.CancelFunc
	srv      *httptest.Server
	audit    *syncBuffer
	metrics  *metrics.Metrics
	registry *catalog.Registry
}

func newGateway(t *testing.T, mods ...func(*setup)) *gateway {
	t.Helper()
	cfg := setup{rate: 1000, burst: 1000, maxBody: 1 << 20, syncWait: 5 * time.Second,
		timeouts: txn.Timeouts{Evaluate: time.Second, Endorse: time.Second, Submit: time.Second, CommitStatus: 2 * time.Second}}
	for _, m := range mods {
		m(&cfg)
	}
	creds := map[string]wallet.Credential{}
	for _, name := range []string{"buyer1", "auditor1", "Admin"} {
		id := testpki.New(t, name)
		creds[name] = wallet.Credential{Certificate: id.CertPEM, Sign: id.Sign}
	}
	ext := testpki.New(t, "external1")
	creds["external1"] = wallet.Credential{Certificate: ext.CertPEM}
	jwtKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	g := &gateway{
		t:        t,
		cfg:      cfg,
		net:      fakeledger.New(map[string]fakeledger.Chaincode{"procurement": fakeledger.Procurement()}),
		wallet:   wallet.FromCredentials("ProcurementMSP", creds),
		external: ext,
		jwtKey:   jwtKey,
		path:     filepath.Join(t.TempDir(), "gateway.db"),
		audit:    &syncBuffer{},
	}
	g.start()
	t.Cleanup(g.shutdown)
	return g
}

func (g *gateway) start() {
	t := g.t
	t.Helper()
	db, err := bolt.Open(g.path, 0o600, &bolt.Options{Timeout: time.Second})
	require.NoError(t, err)
	g.db = db
	g.metrics = metrics.New()
	g.svc, err = txn.New(g.net, db, txn.WithTimeouts(g.cfg.timeouts), txn.WithObserver(g.metrics), txn.WithLogger(quiet),
		txn.WithSigners(func(user string) (txn.Signer, bool) {
			id, err := g.wallet.Identity(user)
			return id, err == nil
		}))
	require.NoError(t, err)
	_, err = g.svc.Recover()
	require.NoError(t, err)

	members := func(cc, coll string) ([]string, bool) {
		if cc == "procurement" && coll == "sealedBids" {
			return []string{"AuditOfficeMSP", "ProcurementMSP"}, true
		}
		return nil, false
	}
	g.registry = catalog.NewRegistry(g.net, []string{"procurement"}, members, catalog.APIInfo{Title: "GovLedger", Version: "test", ReadOnly: g.cfg.readOnly})
	require.Empty(t, g.registry.Refresh(context.Background()))

	der, err := x509.MarshalPKIXPublicKey(&g.jwtKey.PublicKey)
	require.NoError(t, err)
	authn, err := auth.New(
		auth.WithAPIKey(auth.APIKey{Name: "buyer-app", SHA256: auth.HashKey(buyerKey), User: "buyer1"}),
		auth.WithAPIKey(auth.APIKey{Name: "auditor-app", SHA256: auth.HashKey(auditorKey), User: "auditor1"}),
		auth.WithAPIKey(auth.APIKey{Name: "external-app", SHA256: auth.HashKey(externalKey), User: "external1"}),
		auth.WithAPIKey(auth.APIKey{Name: "ops", SHA256: auth.HashKey(adminKey), User: "Admin", Admin: true}),
		auth.WithAPIKey(auth.APIKey{Name: "ghost-app", SHA256: auth.HashKey(ghostKey), User: "nobody"}),
		auth.WithIssuer(auth.Issuer{Issuer: issuer, Audience: audience,
			StaticKeys: [][]byte{pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})}}),
	)
	require.NoError(t, err)

	stop, cancel := context.WithCancel(context.Background())
	g.stop = cancel
	g.hooks, err = events.NewWebhooks(db, g.net, events.WithBackoff(5*time.Millisecond, 20*time.Millisecond),
		events.WithReconnectDelay(5*time.Millisecond), events.WithWebhookLogger(quiet), events.WithChaincodes(g.registry.Serves),
		events.WithDeliveryObserver(g.metrics.Delivery))
	require.NoError(t, err)
	require.NoError(t, g.hooks.Start())
	limiter, err := ratelimit.New(g.cfg.rate, g.cfg.burst, nil)
	require.NoError(t, err)

	handler := api.New(g.svc, g.wallet, authn, g.registry,
		api.WithStreamer(events.NewStreamer(stop, g.net, events.WithStreamLogger(quiet), events.WithReconnect(5*time.Millisecond))),
		api.WithSubscriptions(g.hooks),
		api.WithLimiter(limiter),
		api.WithProbe(g.net),
		api.WithObserver(g.metrics),
		api.WithMetricsHandler(g.metrics.Handler()),
		api.WithAuditor(audit.New(g.audit)),
		api.WithLogger(quiet),
		api.WithReadOnly(g.cfg.readOnly),
		api.WithMaxBody(g.cfg.maxBody),
		api.WithSyncWait(g.cfg.syncWait),
	)
	g.srv = httptest.NewServer(handler)
}

func (g *gateway) shutdown() {
	if g.srv == nil {
		return
	}
	g.stop()
	g.srv.Close()
	g.hooks.Close()
	g.svc.Close()
	require.NoError(g.t, g.db.Close())
	g.srv = nil
}

// restart simulates a process restart on the same state file and network.
func (g *gateway) restart() {
	g.shutdown()
	g.start()
}

type response struct {
	status int
	header http.Header
	body   map[string]any
	raw    []byte
}

func (r response) str(key string) string {
	s, _ := r.body[key].(string)
	return s
}

// call sends a request; body may be a string (sent as is), nil, or a value
// encoded as JSON. headers alternate name, value.
func (g *gateway) call(method, path string, body any, headers ...string) response {
	g.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		require.NoError(g.t, err)
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, g.srv.URL+path, rd)
	require.NoError(g.t, err)
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(g.t, err)
	defer func() { _ = resp.Body.Close() }()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(g.t, err)
	out := response{status: resp.StatusCode, header: resp.Header, raw: raw}
	_ = json.Unmarshal(raw, &out.body)
	return out
}

// as is a shorthand for an API-key call.
func (g *gateway) as(key, method, path string, body any, headers ...string) response {
	g.t.Helper()
	return g.call(method, path, body, append([]string{auth.APIKeyHeader, key}, headers...)...)
}

func tender(id string) map[string]any {
	return map[string]any{"tender": map[string]any{"id": id, "title": "Road works", "budget": 1000, "deadline": "2026-06-30T00:00:00Z"}}
}

// token mints an ES256 JWT for the test issuer.
func (g *gateway) token(mod func(map[string]any)) string {
	claims := map[string]any{
		"iss": issuer, "sub": "alice", "aud": audience, "govledger_user": "buyer1",
		"exp": time.Now().Add(time.Hour).Unix(), "nbf": time.Now().Add(-time.Minute).Unix(),
	}
	if mod != nil {
		mod(claims)
	}
	enc := base64.RawURLEncoding.EncodeToString
	hdr, _ := json.Marshal(map[string]string{"alg": "ES256", "typ": "JWT"})
	body, _ := json.Marshal(claims)
	input := enc(hdr) + "." + enc(body)
	digest := sha256.Sum256([]byte(input))
	r, s, err := ecdsa.Sign(rand.Reader, g.jwtKey, digest[:])
	require.NoError(g.t, err)
	sig := make([]byte, 64)
	r.FillBytes(sig[:32])
	s.FillBytes(sig[32:])
	return input + "." + enc(sig)
}

func eventually(t *testing.T, cond func() bool) {
	t.Helper()
	require.Eventually(t, cond, 5*time.Second, 10*time.Millisecond)
}
