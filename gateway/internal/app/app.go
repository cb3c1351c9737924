// Package app assembles a running gateway from its configuration, a ledger
// adapter and a wallet, and runs it until its context ends, then shuts down
// gracefully: the listener closes, event streams end, in-flight requests
// finish, in-flight submits (asynchronous ones included) are drained, and
// only then is the journal closed.
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/govledger/govledger/gateway/internal/api"
	"github.com/govledger/govledger/gateway/internal/audit"
	"github.com/govledger/govledger/gateway/internal/auditwatch"
	"github.com/govledger/govledger/gateway/internal/auth"
	"github.com/govledger/govledger/gateway/internal/catalog"
	"github.com/govledger/govledger/gateway/internal/config"
	"github.com/govledger/govledger/gateway/internal/events"
	"github.com/govledger/govledger/gateway/internal/fhiringest"
	"github.com/govledger/govledger/gateway/internal/metrics"
	"github.com/govledger/govledger/gateway/internal/ratelimit"
	"github.com/govledger/govledger/gateway/internal/txn"
	"github.com/govledger/govledger/gateway/internal/wallet"
)

// Ledger is everything the gateway needs from the network.
type Ledger interface {
	txn.Ledger
	events.Source
	catalog.MetadataSource
	api.Probe
}

// Version is reported in the OpenAPI document.
const Version = "1.0.0"

// App is an assembled gateway. Create it with New, run it with Run.
type App struct {
	cfg      *config.Config
	log      *slog.Logger
	db       *bolt.DB
	svc      *txn.Service
	hooks    *events.Webhooks
	registry *catalog.Registry
	auditLog *audit.Log
	watch    *auditwatch.Watcher
	handler  http.Handler
	stop     context.CancelFunc
	stopCtx  context.Context
	refresh  time.Duration
}

// Option configures an App.
type Option func(*App)

// WithLogger sets the logger.
func WithLogger(l *slog.Logger) Option { return func(a *App) { a.log = l } }

// WithCatalogRetry sets the first pause between attempts to load chaincode
// metadata while some chaincodes are missing (doubling up to a minute).
func WithCatalogRetry(d time.Duration) Option { return func(a *App) { a.refresh = d } }

// Setup is what New needs besides the configuration.
type Setup struct {
	Ledger Ledger
	Wallet *wallet.Wallet
	// Chaincodes are the chaincodes to serve.
	Chaincodes []string
	// Members resolves private data collection members.
	Members catalog.CollectionMembers
	// ReadOnly refuses every submit.
	ReadOnly bool
}

// New opens the journal and audit log and builds the HTTP handler.
func New(cfg *config.Config, s Setup, opts ...Option) (*App, error) {
	a := &App{cfg: cfg, log: slog.Default(), refresh: time.Second}
	for _, o := range opts {
		o(a)
	}
	for _, p := range []string{cfg.StateFile, cfg.AuditLog} {
		if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
			return nil, fmt.Errorf("create state folder: %w", err)
		}
	}
	db, err := bolt.Open(cfg.StateFile, 0o600, &bolt.Options{Timeout: 5 * time.Second})
	if err != nil {
		return nil, fmt.Errorf("open journal %s (is another gateway using it?): %w", cfg.StateFile, err)
	}
	// Journal writes are group-committed (bbolt Batch) so concurrent submits
	// share an fsync; bbolt's default 10 ms wait for company added ~24 ms to a
	// lone submit (two journal writes each). 1 ms keeps the grouping under load.
	db.MaxBatchDelay = time.Millisecond
	a.db = db
	ok := false
	defer func() {
		if !ok {
			a.close()
		}
	}()

	m := metrics.New()
	a.svc, err = txn.New(s.Ledger, db,
		txn.WithTimeouts(txn.Timeouts{
			Evaluate: cfg.Timeouts.Evaluate.D(), Endorse: cfg.Timeouts.Endorse.D(),
			Submit: cfg.Timeouts.Submit.D(), CommitStatus: cfg.Timeouts.CommitStatus.D(),
		}),
		txn.WithMaxAttempts(cfg.Retry.MaxAttempts),
		txn.WithRetention(cfg.Retention.D()),
		txn.WithObserver(m),
		txn.WithLogger(a.log),
		txn.WithSigners(func(user string) (txn.Signer, bool) {
			id, err := s.Wallet.Identity(user)
			return id, err == nil
		}),
	)
	if err != nil {
		return nil, err
	}
	a.registry = catalog.NewRegistry(s.Ledger, s.Chaincodes, s.Members, catalog.APIInfo{
		Title:       "GovLedger gateway (" + s.Wallet.MSPID() + ")",
		Version:     Version,
		Description: "Chaincode functions of the GovLedger network, derived from their contract metadata.",
		ReadOnly:    s.ReadOnly,
	})
	authn, err := authenticator(cfg)
	if err != nil {
		return nil, err
	}
	if a.auditLog, err = audit.Open(cfg.AuditLog); err != nil {
		return nil, err
	}
	limiter, err := ratelimit.New(cfg.Limits.RatePerSecond, cfg.Limits.Burst, nil)
	if err != nil {
		return nil, err
	}
	a.stopCtx, a.stop = context.WithCancel(context.Background())
	a.hooks, err = events.NewWebhooks(db, s.Ledger,
		events.WithBackoff(cfg.Webhooks.InitialBackoff.D(), cfg.Webhooks.MaxBackoff.D()),
		events.WithAllowedHosts(cfg.Webhooks.AllowedHosts),
		events.WithChaincodes(a.registry.Serves),
		events.WithDeliveryObserver(m.Delivery),
		events.WithWebhookLogger(a.log),
	)
	if err != nil {
		return nil, err
	}
	fhir, err := fhirIngestion(cfg, s, a.svc)
	if err != nil {
		return nil, err
	}
	if a.watch, err = auditWatch(cfg, s, a.svc, a.log); err != nil {
		return nil, err
	}
	a.handler = api.New(a.svc, s.Wallet, authn, a.registry,
		api.WithStreamer(events.NewStreamer(a.stopCtx, s.Ledger, events.WithStreamLogger(a.log))),
		api.WithSubscriptions(a.hooks),
		api.WithLimiter(limiter),
		api.WithProbe(s.Ledger),
		api.WithObserver(m),
		api.WithMetricsHandler(m.Handler()),
		api.WithAuditor(a.auditLog),
		api.WithLogger(a.log),
		api.WithReadOnly(s.ReadOnly),
		api.WithMaxBody(cfg.Limits.MaxBodyBytes),
		api.WithSyncWait(cfg.Timeouts.SyncWait.D()),
		fhir,
	)
	ok = true
	return a, nil
}

// fhirIngestion mounts FHIR ingestion (package fhiringest) when a pseudonym
// secret is configured. Only a HospitalMSP gateway serving the health
// chaincode may have one: a secret configured anywhere else is a mistake
// worth refusing to start for.
func fhirIngestion(cfg *config.Config, s Setup, svc *txn.Service) (api.Option, error) {
	const setting = "health.pseudonymSecretFile"
	path := cfg.Health.PseudonymSecretFile
	switch {
	case path == "":
		return func(*api.Server) {}, nil
	case s.Wallet.MSPID() != fhiringest.HospitalMSP:
		return nil, &config.FieldError{Field: setting, Rule: "FHIR ingestion runs only on a " + fhiringest.HospitalMSP + " gateway"}
	case !slices.Contains(s.Chaincodes, fhiringest.Chaincode):
		return nil, &config.FieldError{Field: setting, Rule: "FHIR ingestion needs the " + fhiringest.Chaincode + " chaincode served"}
	}
	secret, err := fhiringest.LoadSecret(path)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %w", config.ErrInvalid, setting, err)
	}
	var orgs []string
	if s.Members != nil {
		orgs, _ = s.Members(fhiringest.Chaincode, fhiringest.Collection)
	}
	h, err := fhiringest.New(svc, s.Wallet, secret, fhiringest.Options{EndorsingOrgs: orgs, SyncWait: cfg.Timeouts.SyncWait.D()})
	if err != nil {
		return nil, err
	}
	return api.WithRoute(api.Route{
		Pattern: fhiringest.Path, Methods: []string{http.MethodPost}, Submits: true,
		Chaincode: fhiringest.Chaincode, Function: fhiringest.SubmitFunction, Handle: h.Serve,
	}), nil
}

// auditWatch builds the red-flag listener (package auditwatch) when enabled.
// Only an AuditOfficeMSP gateway that may submit can run it, as a wallet user
// whose key it holds; anything else is refused at start-up.
func auditWatch(cfg *config.Config, s Setup, svc *txn.Service, log *slog.Logger) (*auditwatch.Watcher, error) {
	w := cfg.AuditWatch
	if !w.Enabled {
		return nil, nil
	}
	switch {
	case s.Wallet.MSPID() != auditwatch.AuditOfficeMSP:
		return nil, &config.FieldError{Field: "auditWatch.enabled", Rule: "the audit watch runs only on an " + auditwatch.AuditOfficeMSP + " gateway"}
	case s.ReadOnly:
		return nil, &config.FieldError{Field: "auditWatch.enabled", Rule: "a read-only gateway cannot open audit requests"}
	}
	user, err := s.Wallet.Identity(w.User)
	if err != nil {
		return nil, fmt.Errorf("%w: auditWatch.user: %w", config.ErrInvalid, err)
	}
	for _, p := range []string{w.CheckpointFile, w.ParkedFile} {
		if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
			return nil, fmt.Errorf("create audit watch folder: %w", err)
		}
	}
	watcher, err := auditwatch.New(s.Ledger, svc, user, auditwatch.Settings{
		Engagements: w.Engagements, Standing: w.StandingEngagements, AgencyMSP: w.AgencyMSP, StartBlock: w.StartBlock,
		CheckpointFile: w.CheckpointFile, ParkedFile: w.ParkedFile, RefusalAttempts: w.RefusalAttempts,
		InitialBackoff: w.InitialBackoff.D(), MaxBackoff: w.MaxBackoff.D(),
	}, auditwatch.WithLogger(log.With("component", "auditwatch")))
	if err != nil {
		return nil, fmt.Errorf("%w: auditWatch: %w", config.ErrInvalid, err)
	}
	return watcher, nil
}

func authenticator(cfg *config.Config) (*auth.Authenticator, error) {
	var opts []auth.Option
	for _, k := range cfg.Auth.APIKeys {
		opts = append(opts, auth.WithAPIKey(auth.APIKey{Name: k.Name, SHA256: k.SHA256, User: k.User, Admin: k.Admin}))
	}
	for _, iss := range cfg.Auth.Issuers {
		var keys [][]byte
		for _, path := range iss.StaticKeys {
			raw, err := os.ReadFile(filepath.Clean(path))
			if err != nil {
				return nil, fmt.Errorf("issuer %s static key: %w", iss.Issuer, err)
			}
			keys = append(keys, raw)
		}
		opts = append(opts, auth.WithIssuer(auth.Issuer{
			Issuer: iss.Issuer, Audience: iss.Audience, JWKSURL: iss.JWKSURL, StaticKeys: keys,
			UserClaim: iss.UserClaim, Users: iss.Users, AdminRole: iss.AdminRole, Leeway: iss.Leeway.D(),
		}))
	}
	return auth.New(opts...)
}

// Handler is the HTTP handler (for tests and embedding).
func (a *App) Handler() http.Handler { return a.handler }

// Run serves on ln until ctx ends, then shuts down gracefully within the
// configured shutdown timeout. It resumes unfinished submits and webhook
// deliveries first, and keeps loading chaincode metadata until every
// configured chaincode is served.
func (a *App) Run(ctx context.Context, ln net.Listener) error {
	defer a.close()
	if n, err := a.svc.Recover(); err != nil {
		return fmt.Errorf("resume unfinished submits: %w", err)
	} else if n > 0 {
		a.log.Info("resuming unfinished submits", "count", n)
	}
	if err := a.hooks.Start(); err != nil {
		return err
	}
	var wg sync.WaitGroup
	bg, cancelBG := context.WithCancel(context.Background())
	defer func() {
		cancelBG()
		wg.Wait()
	}()
	wg.Go(func() { a.loadCatalog(bg) })
	wg.Go(func() { a.prune(bg) })
	if a.watch != nil {
		// Stops with shutdown; a submit in flight is drained with the rest.
		watchCtx, stopWatch := context.WithCancel(ctx)
		defer stopWatch()
		wg.Go(func() {
			if err := a.watch.Run(watchCtx); err != nil {
				a.log.Error("audit watch stopped: red flags no longer open audit requests", "error", err)
			}
		})
	}

	srv := &http.Server{
		Handler:           a.handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       time.Minute,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(a.log.Handler(), slog.LevelWarn),
	}
	srv.RegisterOnShutdown(a.stop)
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	a.log.Info("gateway listening", "address", ln.Addr().String())

	select {
	case err := <-served:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	a.log.Info("shutting down: draining requests and submits", "timeout", a.cfg.Timeouts.Shutdown.D())
	shutdownCtx, cancel := context.WithTimeout(context.Background(), a.cfg.Timeouts.Shutdown.D())
	defer cancel()
	var errs []error
	if err := srv.Shutdown(shutdownCtx); err != nil {
		errs = append(errs, fmt.Errorf("close HTTP server: %w", err))
	}
	if err := a.svc.Drain(shutdownCtx); err != nil {
		errs = append(errs, err)
	}
	if err := <-served; err != nil && !errors.Is(err, http.ErrServerClosed) {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// loadCatalog refreshes until every chaincode's metadata is loaded, so a
// gateway started before its network comes up serves once it does.
func (a *App) loadCatalog(ctx context.Context) {
	delay := a.refresh
	for {
		failed := a.registry.Refresh(ctx)
		if len(failed) == 0 {
			a.log.Info("catalog loaded")
			return
		}
		for cc, err := range failed {
			a.log.Warn("chaincode metadata not loaded; retrying", "chaincode", cc, "retry_in", delay, "error", err)
		}
		select {
		case <-time.After(delay):
		case <-ctx.Done():
			return
		}
		delay = min(delay*2, time.Minute)
	}
}

// prune forgets finished operations past their retention, hourly.
func (a *App) prune(ctx context.Context) {
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		if n, err := a.svc.Prune(); err != nil {
			a.log.Error("prune journal", "error", err)
		} else if n > 0 {
			a.log.Info("pruned finished operations", "count", n)
		}
		select {
		case <-t.C:
		case <-ctx.Done():
			return
		}
	}
}

// close releases everything New opened, in dependency order.
func (a *App) close() {
	if a.stop != nil {
		a.stop()
	}
	if a.hooks != nil {
		a.hooks.Close()
	}
	if a.svc != nil {
		a.svc.Close()
	}
	if a.auditLog != nil {
		if err := a.auditLog.Close(); err != nil {
			a.log.Error("close audit log", "error", err)
		}
	}
	if a.db != nil {
		if err := a.db.Close(); err != nil {
			a.log.Error("close journal", "error", err)
		}
	}
}
