package txn

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"hash"
	"log/slog"
	"sort"
	"strconv"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/govledger/govledger/gateway/internal/ledger"
)

// Service runs transactions. Create it with New; it is safe for concurrent
// use.
type Service struct {
	ledger      Ledger
	store       *store
	salt        []byte
	obs         Observer
	log         *slog.Logger
	timeouts    Timeouts
	maxAttempts int
	retention   time.Duration
	now         func() time.Time
	signers     func(user string) (Signer, bool)

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu       sync.Mutex
	byID     map[string]*flight
	byKey    map[string]*flight
	draining bool
}

// Option configures a Service.
type Option func(*Service) error

// WithTimeouts sets the per-phase timeouts (DefaultTimeouts otherwise).
func WithTimeouts(t Timeouts) Option {
	return func(s *Service) error {
		s.timeouts = t
		return nil
	}
}

// WithMaxAttempts bounds how many transactions one submit may use when
// commits fail with read conflicts (3 by default, at least 1).
func WithMaxAttempts(n int) Option {
	return func(s *Service) error {
		if n < 1 || n > 20 {
			return fmt.Errorf("txn: max attempts must be within 1..20, got %d", n)
		}
		s.maxAttempts = n
		return nil
	}
}

// WithObserver reports measurements to o.
func WithObserver(o Observer) Option {
	return func(s *Service) error {
		s.obs = o
		return nil
	}
}

// WithLogger sets the logger (slog.Default otherwise).
func WithLogger(l *slog.Logger) Option {
	return func(s *Service) error {
		s.log = l
		return nil
	}
}

// WithRetention keeps finished operations, and so idempotency keys and
// receipts, for d (24h by default).
func WithRetention(d time.Duration) Option {
	return func(s *Service) error {
		if d <= 0 {
			return fmt.Errorf("txn: retention must be positive, got %v", d)
		}
		s.retention = d
		return nil
	}
}

// WithClock replaces time.Now for record timestamps and pruning.
func WithClock(now func() time.Time) Option {
	return func(s *Service) error {
		s.now = now
		return nil
	}
}

// WithSigners lets Recover find the signer of an operation left unfinished by
// a previous run, so it can re-endorse after a read conflict.
func WithSigners(lookup func(user string) (Signer, bool)) Option {
	return func(s *Service) error {
		s.signers = lookup
		return nil
	}
}

// New creates a service journalling into db (which the caller opens and
// closes).
func New(l Ledger, db *bolt.DB, opts ...Option) (*Service, error) {
	st, salt, err := openStore(db)
	if err != nil {
		return nil, err
	}
	s := &Service{
		ledger:      l,
		store:       st,
		salt:        salt,
		obs:         nopObserver{},
		log:         slog.Default(),
		timeouts:    DefaultTimeouts,
		maxAttempts: 3,
		retention:   24 * time.Hour,
		now:         time.Now,
		byID:        map[string]*flight{},
		byKey:       map[string]*flight{},
	}
	for _, o := range opts {
		if err := o(s); err != nil {
			return nil, err
		}
	}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	return s, nil
}

type nopObserver struct{}

func (nopObserver) Stage(ledger.Phase, time.Duration, error) {}
func (nopObserver) Retry(string)                             {}
func (nopObserver) Submits(int)                              {}

// Evaluate runs a query with the signer's identity.
func (s *Service) Evaluate(ctx context.Context, signer Signer, call Call) ([]byte, error) {
	if !signer.Custodial() {
		return nil, ErrNotCustodial
	}
	prop, err := s.ledger.NewProposal(call.spec(signer.Creator()))
	if err != nil {
		return nil, fmt.Errorf("build proposal: %w", err)
	}
	sig, err := signer.Sign(prop.Digest)
	if err != nil {
		return nil, err
	}
	return s.EvaluateSigned(ctx, ledger.Signed{Bytes: prop.Bytes, Signature: sig})
}

// EvaluateSigned evaluates a proposal the caller signed.
func (s *Service) EvaluateSigned(ctx context.Context, proposal ledger.Signed) ([]byte, error) {
	ctx, cancel := bound(ctx, s.timeouts.Evaluate)
	defer cancel()
	start := time.Now()
	out, err := s.ledger.Evaluate(ctx, proposal)
	s.obs.Stage(ledger.PhaseEvaluate, time.Since(start), err)
	return out, err
}

// Prepare builds a proposal for a non-custodial caller to sign.
func (s *Service) Prepare(creator ledger.Creator, call Call) (ledger.Unsigned, error) {
	return s.ledger.NewProposal(call.spec(creator))
}

// EndorseSigned endorses a proposal the caller signed and returns the
// transaction for the caller to sign.
func (s *Service) EndorseSigned(ctx context.Context, proposal ledger.Signed) (ledger.Endorsed, error) {
	ctx, cancel := bound(ctx, s.timeouts.Endorse)
	defer cancel()
	start := time.Now()
	out, err := s.ledger.Endorse(ctx, proposal)
	s.obs.Stage(ledger.PhaseEndorse, time.Since(start), err)
	return out, err
}

// SubmitOptions tune one submit.
type SubmitOptions struct {
	// Key is the client's Idempotency-Key ("" for none).
	Key string
	// Async returns once the transaction is ordered, not committed.
	Async bool
}

// Submit endorses, orders and (unless async) waits for the commit of a call
// signed with the signer's wallet key. A sync submit returns the committed
// receipt or an error; when ctx ends first it returns a *PendingError and the
// operation carries on in the background.
func (s *Service) Submit(ctx context.Context, signer Signer, call Call, opts SubmitOptions) (*Receipt, error) {
	if !signer.Custodial() {
		return nil, ErrNotCustodial
	}
	fp := s.fingerprint(call)
	for joined := 0; ; joined++ {
		f, done, err := s.begin(signer, call, opts.Key, fp)
		if err != nil {
			return nil, err
		}
		if done != nil {
			return receiptOf(done), errorOf(done)
		}
		r, err := s.await(ctx, f, opts.Async)
		// A resumed flight may have stopped for want of what this request
		// brings (signer, private inputs) just before it joined; go again.
		if errors.Is(err, ErrNeedsResubmit) && joined == 0 {
			continue
		}
		return r, err
	}
}

// SubmitSigned sends a transaction the caller endorsed and signed through
// the non-custodial flow. The transaction id makes it idempotent: sending the
// same signed transaction again returns the first outcome.
func (s *Service) SubmitSigned(ctx context.Context, call Call, tx ledger.Signed, async bool) (*Receipt, error) {
	parsed, err := s.ledger.ParseTransaction(tx.Bytes)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	if s.draining {
		s.mu.Unlock()
		return nil, ErrShuttingDown
	}
	f := s.byID[parsed.TxID]
	if f == nil {
		rec, err := s.store.get(parsed.TxID)
		switch {
		case err == nil && rec.final():
			s.mu.Unlock()
			return receiptOf(rec), errorOf(rec)
		case err == nil:
			f = s.launch(rec, nil, call)
		case errors.Is(err, errNoRecord):
			now := s.now()
			rec = &record{
				ID: parsed.TxID, Caller: call.Caller, Chaincode: call.Chaincode, Function: call.Function,
				Transaction: call.Transaction, State: StatePending, TxID: parsed.TxID,
				Attempts: []string{parsed.TxID}, SignedTx: tx.Bytes, TxSignature: tx.Signature,
				Result: parsed.Result, Offline: true, Created: now, Updated: now,
			}
			if err := s.store.put(rec); err != nil {
				s.mu.Unlock()
				return nil, err
			}
			f = s.launch(rec, nil, call)
		default:
			s.mu.Unlock()
			return nil, err
		}
	}
	s.mu.Unlock()
	return s.await(ctx, f, async)
}

// Receipt returns the state of the operation that used txID, if the caller
// started it.
func (s *Service) Receipt(caller, txID string) (*Receipt, error) {
	rec, err := s.store.byTxID(txID)
	if errors.Is(err, errNoRecord) || (err == nil && rec.Caller != caller) {
		return nil, fmt.Errorf("%w: %s", ErrNoReceipt, txID)
	}
	if err != nil {
		return nil, err
	}
	return receiptOf(rec), nil
}

// Recover resumes every operation a previous run left unfinished: signed
// transactions are resent (the same bytes) and settled by their commit
// status. It returns how many it resumed.
func (s *Service) Recover() (int, error) {
	recs, err := s.store.pending()
	if err != nil {
		return 0, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, rec := range recs {
		if s.byID[rec.ID] != nil {
			continue
		}
		var signer Signer
		if s.signers != nil && rec.User != "" {
			signer, _ = s.signers(rec.User)
		}
		s.launch(rec, signer, Call{
			Caller: rec.Caller, Chaincode: rec.Chaincode, Function: rec.Function, Transaction: rec.Transaction,
			Args: rec.Args, EndorsingOrgs: rec.EndorsingOrgs,
		})
		n++
	}
	return n, nil
}

// Prune forgets finished operations older than the retention period.
func (s *Service) Prune() (int, error) {
	total := 0
	cutoff := s.now().Add(-s.retention)
	for {
		n, err := s.store.prune(cutoff, 500)
		total += n
		if err != nil || n < 500 {
			return total, err
		}
	}
}

// Drain stops taking submits and waits for those in flight, until ctx ends.
func (s *Service) Drain(ctx context.Context) error {
	s.mu.Lock()
	s.draining = true
	s.mu.Unlock()
	done := make(chan struct{})
	go func() {
		s.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("drain submits: %w", ctx.Err())
	}
}

// Close abandons whatever is still in flight (its journal entries let the
// next run settle it) and waits for the workers to stop.
func (s *Service) Close() {
	s.mu.Lock()
	s.draining = true
	s.mu.Unlock()
	s.cancel()
	s.wg.Wait()
}

// fingerprint is a salted MAC of everything that defines a call, private
// inputs included, so a reused key is detected without storing those inputs.
func (s *Service) fingerprint(c Call) []byte {
	m := hmac.New(sha256.New, s.salt)
	field := func(h hash.Hash, b []byte) {
		var n [8]byte
		binary.BigEndian.PutUint64(n[:], uint64(len(b)))
		h.Write(n[:])
		h.Write(b)
	}
	field(m, []byte(c.Chaincode))
	field(m, []byte(c.Transaction))
	field(m, []byte(strconv.Itoa(len(c.Args))))
	for _, a := range c.Args {
		field(m, a)
	}
	keys := make([]string, 0, len(c.Transient))
	for k := range c.Transient {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		field(m, []byte(k))
		field(m, c.Transient[k])
	}
	for _, o := range c.EndorsingOrgs {
		field(m, []byte(o))
	}
	return m.Sum(nil)
}

func bound(ctx context.Context, d time.Duration) (context.Context, context.CancelFunc) {
	if d <= 0 {
		return context.WithCancel(ctx)
	}
	return context.WithTimeout(ctx, d)
}

func receiptOf(r *record) *Receipt {
	return &Receipt{
		ID: r.ID, TxID: r.TxID, Attempts: append([]string(nil), r.Attempts...), Caller: r.Caller,
		Chaincode: r.Chaincode, Function: r.Function, State: r.State, Result: r.Result,
		Block: r.Block, Code: r.Code, Err: errorOf(r), Created: r.Created, Updated: r.Updated,
	}
}

// errorOf rebuilds the typed error of a failed record.
func errorOf(r *record) error {
	if r.State != StateFailed || r.Failure == nil {
		return nil
	}
	f := r.Failure
	switch f.Kind {
	case failCommit:
		return &ledger.CommitError{Status: ledger.Status{TxID: r.TxID, Block: r.Block, Code: r.Code}}
	case failChaincode:
		return &ledger.PhaseError{Phase: ledger.Phase(f.Phase), TxID: r.TxID, Err: &ledger.ChaincodeError{Status: f.Status, Message: f.Message}}
	case failPermission:
		return &ledger.PhaseError{Phase: ledger.Phase(f.Phase), TxID: r.TxID, Err: &replayed{kind: ledger.ErrPermissionDenied, msg: f.Message}}
	default:
		return &ledger.PhaseError{Phase: ledger.Phase(f.Phase), TxID: r.TxID, Err: &replayed{kind: ledger.ErrRejected, msg: f.Message}}
	}
}

// replayed is a stored error's message with its original classification.
type replayed struct {
	kind error
	msg  string
}

func (e *replayed) Error() string { return e.msg }

func (e *replayed) Unwrap() error { return e.kind }

// failureOf classifies an error as final (stored and replayed) or not.
func failureOf(err error) (*Failure, bool) {
	var pe *ledger.PhaseError
	phase, msg := "", err.Error()
	if errors.As(err, &pe) {
		phase, msg = string(pe.Phase), pe.Err.Error()
	}
	var ce *ledger.ChaincodeError
	switch {
	case errors.As(err, &ce):
		return &Failure{Kind: failChaincode, Message: ce.Message, Status: ce.Status, Phase: phase}, true
	case errors.Is(err, ledger.ErrPermissionDenied):
		return &Failure{Kind: failPermission, Message: msg, Phase: phase}, true
	case errors.Is(err, ledger.ErrRejected):
		return &Failure{Kind: failRejected, Message: msg, Phase: phase}, true
	}
	return nil, false
}
