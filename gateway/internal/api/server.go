// Package api is the gateway's HTTP/JSON interface. Routes to chaincode
// functions are derived from contract metadata (package catalog), never
// written by hand; every error leaves as RFC 9457 problem details through
// package problem's single mapping.
//
// A request passes, in order: request id, panic guard, metrics, audit and
// access log; authentication; the per-caller rate limit; the body-size limit
// and strict JSON decoding; schema validation; the read-only guard; and only
// then the transaction service.
package api

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"runtime/debug"
	"time"

	"github.com/govledger/govledger/gateway/internal/audit"
	"github.com/govledger/govledger/gateway/internal/auth"
	"github.com/govledger/govledger/gateway/internal/catalog"
	"github.com/govledger/govledger/gateway/internal/events"
	"github.com/govledger/govledger/gateway/internal/ledger"
	"github.com/govledger/govledger/gateway/internal/problem"
	"github.com/govledger/govledger/gateway/internal/requestid"
	"github.com/govledger/govledger/gateway/internal/txn"
	"github.com/govledger/govledger/gateway/internal/wallet"
)

// Transactions is the transaction service the handlers drive.
type Transactions interface {
	Evaluate(ctx context.Context, signer txn.Signer, call txn.Call) ([]byte, error)
	Submit(ctx context.Context, signer txn.Signer, call txn.Call, opts txn.SubmitOptions) (*txn.Receipt, error)
	Prepare(creator ledger.Creator, call txn.Call) (ledger.Unsigned, error)
	EvaluateSigned(ctx context.Context, proposal ledger.Signed) ([]byte, error)
	EndorseSigned(ctx context.Context, proposal ledger.Signed) (ledger.Endorsed, error)
	SubmitSigned(ctx context.Context, call txn.Call, tx ledger.Signed, async bool) (*txn.Receipt, error)
	Receipt(caller, txID string) (*txn.Receipt, error)
}

// Wallet resolves a caller's wallet user.
type Wallet interface {
	Identity(name string) (*wallet.Identity, error)
}

// Authenticator identifies callers.
type Authenticator interface {
	Authenticate(r *http.Request) (auth.Caller, error)
}

// Catalogs provides the current routes.
type Catalogs interface {
	Catalog() *catalog.Catalog
	OpenAPI() []byte
	Complete() error
	Serves(chaincode string) bool
	Refresh(ctx context.Context) map[string]error
}

// Streamer serves server-sent event streams.
type Streamer interface {
	Serve(w http.ResponseWriter, r *http.Request, chaincode string, from *ledger.Position) error
}

// Subscriptions manages webhook subscriptions.
type Subscriptions interface {
	Create(ctx context.Context, owner string, req events.NewSubscription) (events.Subscription, error)
	Get(owner, id string) (events.Status, error)
	List(owner string, pageSize int, bookmark string) ([]events.Status, string, error)
	Delete(owner, id string) error
}

// Limiter is the per-caller rate limit.
type Limiter interface {
	Take(key string) error
}

// Probe reports whether the ledger is reachable.
type Probe interface {
	Ready(ctx context.Context) error
}

// Observer receives request measurements.
type Observer interface {
	Request(route, method string, status int, d time.Duration)
	InFlight(delta int)
	Limited()
}

// Auditor records the audit trail.
type Auditor interface {
	Record(e audit.Entry) error
}

// Server is the HTTP handler. Create it with New.
type Server struct {
	txns     Transactions
	wallet   Wallet
	authn    Authenticator
	catalogs Catalogs
	streamer Streamer
	subs     Subscriptions
	limiter  Limiter
	probe    Probe
	obs      Observer
	auditor  Auditor
	metrics  http.Handler
	log      *slog.Logger
	readOnly bool
	maxBody  int64
	syncWait time.Duration
	extra    []Route
	mux      *http.ServeMux
}

// Route is a handler outside the contract catalog, such as FHIR ingestion,
// served behind the same authentication, rate limit, audit trail and
// problem rendering as the chaincode routes.
type Route struct {
	// Pattern is a ServeMux path without a method ("/v1/health/fhir"); it
	// takes precedence over /v1/{chaincode}/{function}.
	Pattern string
	Methods []string
	// Submits marks a route that submits transactions: a read-only gateway
	// refuses it.
	Submits bool
	// Chaincode and Function name the route in the audit trail.
	Chaincode, Function string
	Handle              func(w http.ResponseWriter, r *http.Request, caller auth.Caller) error
}

// Option configures a Server.
type Option func(*Server)

// WithStreamer enables GET /v1/events.
func WithStreamer(s Streamer) Option { return func(srv *Server) { srv.streamer = s } }

// WithSubscriptions enables /v1/subscriptions.
func WithSubscriptions(s Subscriptions) Option { return func(srv *Server) { srv.subs = s } }

// WithLimiter applies a per-caller rate limit.
func WithLimiter(l Limiter) Option { return func(srv *Server) { srv.limiter = l } }

// WithProbe makes /readyz check the ledger.
func WithProbe(p Probe) Option { return func(srv *Server) { srv.probe = p } }

// WithObserver records request metrics.
func WithObserver(o Observer) Option { return func(srv *Server) { srv.obs = o } }

// WithMetricsHandler serves /metrics.
func WithMetricsHandler(h http.Handler) Option { return func(srv *Server) { srv.metrics = h } }

// WithAuditor records every /v1 request.
func WithAuditor(a Auditor) Option { return func(srv *Server) { srv.auditor = a } }

// WithLogger sets the logger.
func WithLogger(l *slog.Logger) Option { return func(srv *Server) { srv.log = l } }

// WithReadOnly refuses every submit with 403 before it reaches a peer.
func WithReadOnly(readOnly bool) Option { return func(srv *Server) { srv.readOnly = readOnly } }

// WithMaxBody limits request bodies (1 MiB by default).
func WithMaxBody(n int64) Option { return func(srv *Server) { srv.maxBody = n } }

// WithSyncWait bounds how long a synchronous submit waits for its commit
// before answering 504 with the transaction id (70s by default).
func WithSyncWait(d time.Duration) Option { return func(srv *Server) { srv.syncWait = d } }

// WithRoute mounts an extra authenticated route.
func WithRoute(rt Route) Option { return func(srv *Server) { srv.extra = append(srv.extra, rt) } }

// New builds the handler.
func New(txns Transactions, w Wallet, authn Authenticator, catalogs Catalogs, opts ...Option) *Server {
	s := &Server{
		txns: txns, wallet: w, authn: authn, catalogs: catalogs,
		log: slog.Default(), maxBody: 1 << 20, syncWait: 70 * time.Second,
		obs: nopObserver{}, auditor: nopAuditor{},
	}
	for _, o := range opts {
		o(s)
	}
	s.mux = http.NewServeMux()
	s.routes()
	return s
}

type nopObserver struct{}

func (nopObserver) Request(string, string, int, time.Duration) {}
func (nopObserver) InFlight(int)                               {}
func (nopObserver) Limited()                                   {}

type nopAuditor struct{}

func (nopAuditor) Record(audit.Entry) error { return nil }

// route registers a handler. Patterns carry no method so that a wrong
// method gets a 405 problem document instead of the mux's plain text.
func (s *Server) route(pattern string, authenticated, audited bool, methods []string, h func(w http.ResponseWriter, r *http.Request) error) {
	s.mux.Handle(pattern, s.observe(pattern, audited, func(w http.ResponseWriter, r *http.Request) error {
		allowed := false
		for _, m := range methods {
			allowed = allowed || r.Method == m
		}
		if !allowed {
			w.Header().Set("Allow", joinMethods(methods))
			return problem.ErrMethodNotAllowed
		}
		if authenticated {
			if err := s.authenticate(r); err != nil {
				return err
			}
		}
		return h(w, r)
	}))
}

func joinMethods(m []string) string {
	out := ""
	for i, v := range m {
		if i > 0 {
			out += ", "
		}
		out += v
	}
	return out
}

func (s *Server) routes() {
	get, post := []string{http.MethodGet}, []string{http.MethodPost}
	s.route("/healthz", false, false, get, s.healthz)
	s.route("/readyz", false, false, get, s.readyz)
	if s.metrics != nil {
		s.mux.Handle("/metrics", s.metrics)
	}
	s.route("/v1/openapi.json", false, false, get, s.openapi)
	s.route("/v1/admin/refresh", true, true, post, s.refresh)
	s.route("/v1/transactions/{txId}", true, true, get, s.receipt)
	s.route("/v1/events", true, true, get, s.events)
	s.route("/v1/subscriptions", true, true, []string{http.MethodGet, http.MethodPost}, s.subscriptions)
	s.route("/v1/subscriptions/{id}", true, true, []string{http.MethodGet, http.MethodDelete}, s.subscription)
	s.route("/v1/{chaincode}/{function}", true, true, []string{http.MethodGet, http.MethodPost}, s.call)
	for _, rt := range s.extra {
		s.route(rt.Pattern, true, true, rt.Methods, func(w http.ResponseWriter, r *http.Request) error {
			in := infoFrom(r.Context())
			in.chaincode, in.function = rt.Chaincode, rt.Function
			if rt.Submits && s.readOnly {
				return problem.ErrReadOnly
			}
			return rt.Handle(w, r, in.caller)
		})
	}
	s.route("/", false, false, []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodDelete, http.MethodPatch, http.MethodHead, http.MethodOptions},
		func(http.ResponseWriter, *http.Request) error { return problem.ErrRouteNotFound })
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

// info collects what the audit entry and access log say about a request;
// handlers fill it in as they learn it.
type info struct {
	caller    auth.Caller
	chaincode string
	function  string
	txID      string
	code      string
}

type infoKey struct{}

func infoFrom(ctx context.Context) *info {
	if i, ok := ctx.Value(infoKey{}).(*info); ok {
		return i
	}
	return &info{}
}

// recorder captures the status for metrics and the audit trail and keeps
// Flush reachable for event streams.
type recorder struct {
	http.ResponseWriter
	status int
}

func (r *recorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.ResponseWriter.Write(b)
}

func (r *recorder) Flush() {
	if f, ok := r.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// observe wraps a handler with request id, panic guard, problem rendering,
// metrics, audit and access log.
func (s *Server) observe(pattern string, audited bool, h func(w http.ResponseWriter, r *http.Request) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := requestid.FromClient(r.Header.Get(requestid.Header))
		w.Header().Set(requestid.Header, id)
		in := &info{}
		ctx := context.WithValue(requestid.With(r.Context(), id), infoKey{}, in)
		r = r.WithContext(ctx)
		rec := &recorder{ResponseWriter: w}
		s.obs.InFlight(1)
		defer func() {
			if v := recover(); v != nil {
				s.log.ErrorContext(ctx, "handler panicked", "panic", v, "stack", string(debug.Stack()))
				if rec.status == 0 {
					s.fail(rec, r, errors.New("panic"))
				}
			}
			s.obs.InFlight(-1)
			status := rec.status
			if status == 0 {
				status = http.StatusOK
			}
			d := time.Since(start)
			s.obs.Request(pattern, r.Method, status, d)
			level := slog.LevelInfo
			if status >= 500 {
				level = slog.LevelWarn
			}
			s.log.Log(ctx, level, "request", "method", r.Method, "route", pattern, "status", status,
				"duration_ms", float64(d.Microseconds())/1000, "caller", in.caller.ID, "tx_id", in.txID, "code", in.code)
			if audited {
				if err := s.auditor.Record(audit.Entry{
					Time: start.UTC(), RequestID: id, Caller: in.caller.ID, User: in.caller.User,
					Method: r.Method, Route: pattern, Chaincode: in.chaincode, Function: in.function,
					Status: status, Code: in.code, TxID: in.txID, Duration: float64(d.Microseconds()) / 1000,
					Remote: remoteIP(r),
				}); err != nil {
					s.log.ErrorContext(ctx, "audit entry not written", "error", err)
				}
			}
		}()
		if err := h(rec, r); err != nil {
			s.fail(rec, r, err)
		}
	})
}

// fail renders an error through the one mapping.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	p := problem.From(err)
	in := infoFrom(r.Context())
	in.code = p.Code
	if in.txID == "" {
		in.txID = p.TxID
	}
	if p.Status >= 500 {
		s.log.WarnContext(r.Context(), "request failed", "code", p.Code, "tx_id", p.TxID, "error", err)
	}
	problem.Write(w, r, requestid.From(r.Context()), p)
}

func remoteIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// authenticate identifies the caller and spends a rate-limit token. Failed
// attempts are limited per client address, so guessing keys is slow too.
func (s *Server) authenticate(r *http.Request) error {
	caller, err := s.authn.Authenticate(r)
	if err != nil {
		if s.limiter != nil {
			if lerr := s.limiter.Take("anonymous:" + remoteIP(r)); lerr != nil {
				s.obs.Limited()
				return lerr
			}
		}
		return err
	}
	infoFrom(r.Context()).caller = caller
	if s.limiter != nil {
		if err := s.limiter.Take(caller.ID); err != nil {
			s.obs.Limited()
			return err
		}
	}
	return nil
}

func callerOf(r *http.Request) auth.Caller { return infoFrom(r.Context()).caller }

func (s *Server) healthz(w http.ResponseWriter, _ *http.Request) error {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	return nil
}

func (s *Server) readyz(w http.ResponseWriter, r *http.Request) error {
	if s.probe != nil {
		ctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)
		defer cancel()
		if err := s.probe.Ready(ctx); err != nil {
			return errors.Join(problem.ErrNotReady, err)
		}
	}
	if err := s.catalogs.Complete(); err != nil {
		return errors.Join(problem.ErrNotReady, err)
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
	return nil
}

func (s *Server) openapi(w http.ResponseWriter, _ *http.Request) error {
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(s.catalogs.OpenAPI())
	return nil
}

func (s *Server) refresh(w http.ResponseWriter, r *http.Request) error {
	if !callerOf(r).Admin {
		return errors.Join(auth.ErrForbidden, errors.New("only administrators may refresh the catalog"))
	}
	failed := s.catalogs.Refresh(r.Context())
	out := struct {
		Chaincodes map[string]int    `json:"chaincodes"`
		Failed     map[string]string `json:"failed,omitempty"`
	}{Chaincodes: map[string]int{}, Failed: map[string]string{}}
	for _, cc := range s.catalogs.Catalog().Chaincodes() {
		out.Chaincodes[cc.Name] = len(cc.Functions())
	}
	for cc, err := range failed {
		out.Failed[cc] = err.Error()
	}
	s.log.InfoContext(r.Context(), "catalog refreshed", "chaincodes", len(out.Chaincodes), "failed", len(out.Failed))
	writeJSON(w, http.StatusOK, out)
	return nil
}
