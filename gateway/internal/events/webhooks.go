package events

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/big"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/govledger/govledger/gateway/internal/ledger"
)

// Webhook delivery headers.
const (
	// SignatureHeader is "t=<unix seconds>,sha256=<hex>", the HMAC-SHA256
	// with the subscription secret of "<t>.<body>". Receivers recompute it
	// and refuse stale t to stop replays.
	SignatureHeader    = "X-GovLedger-Signature"
	EventIDHeader      = "X-GovLedger-Event-Id"
	SubscriptionHeader = "X-GovLedger-Subscription"
	AttemptHeader      = "X-GovLedger-Delivery-Attempt"
)

var (
	bucketSubs        = []byte("events.subscriptions")
	bucketCheckpoints = []byte("events.checkpoints")
	bucketOwners      = []byte("events.owners")
)

// Sentinel errors.
var (
	ErrNoSubscription = errors.New("no such subscription")
	ErrInvalid        = errors.New("invalid subscription")
	ErrTooMany        = errors.New("too many subscriptions")
)

// InvalidError names the subscription field that breaks a rule.
type InvalidError struct {
	Field  string
	Reason string
}

func (e *InvalidError) Error() string {
	return fmt.Sprintf("subscription field %q: %s", e.Field, e.Reason)
}

func (e *InvalidError) Unwrap() error { return ErrInvalid }

// Subscription is a webhook registration.
type Subscription struct {
	ID         string    `json:"id"`
	Owner      string    `json:"owner"`
	Chaincode  string    `json:"chaincode"`
	URL        string    `json:"url"`
	EventNames []string  `json:"eventNames,omitempty"`
	Secret     string    `json:"secret,omitempty"`
	Created    time.Time `json:"created"`
}

// Status is a subscription with its delivery state.
type Status struct {
	Subscription
	// Checkpoint is the position deliveries resume from.
	Checkpoint ledger.Position
	// Failures counts consecutive failed attempts at the current event.
	Failures  int
	LastError string
}

// NewSubscription is what a client asks for.
type NewSubscription struct {
	Chaincode  string
	URL        string
	EventNames []string
	// FromBlock starts deliveries at a block (nil: from now).
	FromBlock *uint64
	// Secret is the HMAC key; one is generated when empty.
	Secret string
}

// Webhooks delivers events to subscriptions. Create it with NewWebhooks.
type Webhooks struct {
	db          *bolt.DB
	src         Source
	client      *http.Client
	log         *slog.Logger
	initial     time.Duration
	max         time.Duration
	reconnect   time.Duration
	allowed     []string
	chaincodes  func(string) bool
	perOwner    int
	delivered   func(ok bool)
	now         func() time.Time
	ctx         context.Context
	cancel      context.CancelFunc
	wg          sync.WaitGroup
	mu          sync.Mutex
	running     map[string]*worker
	startedOnce bool
}

type worker struct {
	cancel    context.CancelFunc
	done      chan struct{}
	failures  int
	lastError string
}

// WebhookOption configures Webhooks.
type WebhookOption func(*Webhooks)

// WithBackoff sets the first retry delay and its cap (1s and 5m by default).
func WithBackoff(initial, max time.Duration) WebhookOption {
	return func(w *Webhooks) { w.initial, w.max = initial, max }
}

// WithHTTPClient sets the delivery client (10s timeout, no redirects by
// default).
func WithHTTPClient(c *http.Client) WebhookOption { return func(w *Webhooks) { w.client = c } }

// WithAllowedHosts restricts webhook URLs to these host names (any host when
// empty), so callers cannot aim the gateway at internal services.
func WithAllowedHosts(hosts []string) WebhookOption {
	return func(w *Webhooks) { w.allowed = hosts }
}

// WithChaincodes restricts subscriptions to chaincodes the gateway serves.
func WithChaincodes(known func(string) bool) WebhookOption {
	return func(w *Webhooks) { w.chaincodes = known }
}

// WithDeliveryObserver reports each delivery attempt's outcome.
func WithDeliveryObserver(f func(ok bool)) WebhookOption {
	return func(w *Webhooks) { w.delivered = f }
}

// WithWebhookLogger sets the logger.
func WithWebhookLogger(l *slog.Logger) WebhookOption { return func(w *Webhooks) { w.log = l } }

// WithReconnectDelay sets the pause before re-opening a broken event stream.
func WithReconnectDelay(d time.Duration) WebhookOption { return func(w *Webhooks) { w.reconnect = d } }

// NewWebhooks opens the subscription store in db.
func NewWebhooks(db *bolt.DB, src Source, opts ...WebhookOption) (*Webhooks, error) {
	w := &Webhooks{
		db:  db,
		src: src,
		client: &http.Client{
			Timeout:       10 * time.Second,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
		log:        slog.Default(),
		initial:    time.Second,
		max:        5 * time.Minute,
		reconnect:  time.Second,
		chaincodes: func(string) bool { return true },
		perOwner:   100,
		delivered:  func(bool) {},
		now:        time.Now,
		running:    map[string]*worker{},
	}
	for _, o := range opts {
		o(w)
	}
	w.ctx, w.cancel = context.WithCancel(context.Background())
	err := db.Update(func(tx *bolt.Tx) error {
		for _, b := range [][]byte{bucketSubs, bucketCheckpoints, bucketOwners} {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("open subscription store: %w", err)
	}
	return w, nil
}

// Start launches a delivery worker for every stored subscription; each
// resumes from its checkpoint.
func (w *Webhooks) Start() error {
	var subs []Subscription
	err := w.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketSubs).ForEach(func(_, v []byte) error {
			var s Subscription
			if err := json.Unmarshal(v, &s); err != nil {
				return err
			}
			subs = append(subs, s)
			return nil
		})
	})
	if err != nil {
		return fmt.Errorf("load subscriptions: %w", err)
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	w.startedOnce = true
	for _, s := range subs {
		w.launchLocked(s)
	}
	return nil
}

// Close stops every worker; checkpoints are already durable.
func (w *Webhooks) Close() {
	w.cancel()
	w.wg.Wait()
}

var namePattern = regexp.MustCompile(`^[A-Za-z0-9_.:+-]{1,128}$`)

// Create registers a subscription for owner. The returned subscription
// holds the secret; later reads never do.
func (w *Webhooks) Create(ctx context.Context, owner string, req NewSubscription) (Subscription, error) {
	if !namePattern.MatchString(req.Chaincode) || !w.chaincodes(req.Chaincode) {
		return Subscription{}, &InvalidError{Field: "chaincode", Reason: "is not a chaincode this gateway serves"}
	}
	if err := w.checkURL(req.URL); err != nil {
		return Subscription{}, err
	}
	if len(req.EventNames) > 50 {
		return Subscription{}, &InvalidError{Field: "eventNames", Reason: "lists more than 50 names"}
	}
	for _, n := range req.EventNames {
		if n == "" || len(n) > 256 {
			return Subscription{}, &InvalidError{Field: "eventNames", Reason: "names must be 1..256 characters"}
		}
	}
	secret := req.Secret
	if secret == "" {
		secret = randomString(32)
	} else if len(secret) < 16 || len(secret) > 256 {
		return Subscription{}, &InvalidError{Field: "secret", Reason: "must be 16..256 characters"}
	}
	start, err := Start(ctx, w.src, positionFrom(req.FromBlock))
	if err != nil {
		return Subscription{}, fmt.Errorf("resolve start block: %w", err)
	}
	sub := Subscription{
		ID: "sub_" + randomString(16), Owner: owner, Chaincode: req.Chaincode, URL: req.URL,
		EventNames: slices.Clone(req.EventNames), Secret: secret, Created: w.now().UTC(),
	}
	err = w.db.Update(func(tx *bolt.Tx) error {
		n := 0
		c := tx.Bucket(bucketSubs).Cursor()
		prefix := []byte(owner + "\x00")
		for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
			n++
		}
		if n >= w.perOwner {
			return fmt.Errorf("%w: at most %d per caller", ErrTooMany, w.perOwner)
		}
		// The secret is stored: deliveries are signed with it. The journal
		// is the gateway's own 0600 file and the secret is never logged.
		raw, err := json.Marshal(sub) //nolint:gosec // G117: the HMAC secret must be kept to sign deliveries
		if err != nil {
			return err
		}
		if err := tx.Bucket(bucketSubs).Put(subKey(owner, sub.ID), raw); err != nil {
			return err
		}
		if err := tx.Bucket(bucketOwners).Put([]byte(sub.ID), []byte(owner)); err != nil {
			return err
		}
		return putCheckpoint(tx, sub.ID, start)
	})
	if err != nil {
		return Subscription{}, err
	}
	w.mu.Lock()
	if w.startedOnce {
		w.launchLocked(sub)
	}
	w.mu.Unlock()
	return sub, nil
}

func positionFrom(block *uint64) *ledger.Position {
	if block == nil {
		return nil
	}
	return &ledger.Position{Block: *block}
}

func (w *Webhooks) checkURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil || len(raw) > 2048 {
		return &InvalidError{Field: "url", Reason: "must be an absolute http(s) URL without credentials"}
	}
	if len(w.allowed) > 0 && !slices.Contains(w.allowed, u.Hostname()) {
		return &InvalidError{Field: "url", Reason: "host is not in the gateway's webhook allow-list"}
	}
	return nil
}

// Get returns one of owner's subscriptions without its secret.
func (w *Webhooks) Get(owner, id string) (Status, error) {
	var st Status
	err := w.db.View(func(tx *bolt.Tx) error {
		raw := tx.Bucket(bucketSubs).Get(subKey(owner, id))
		if raw == nil {
			return fmt.Errorf("%w: %s", ErrNoSubscription, id)
		}
		if err := json.Unmarshal(raw, &st.Subscription); err != nil {
			return err
		}
		cp, err := getCheckpoint(tx, id)
		st.Checkpoint = cp
		return err
	})
	if err != nil {
		return Status{}, err
	}
	st.Secret = ""
	w.mu.Lock()
	if wk := w.running[id]; wk != nil {
		st.Failures, st.LastError = wk.failures, wk.lastError
	}
	w.mu.Unlock()
	return st, nil
}

// List pages through owner's subscriptions in id order; bookmark is the
// last id of the previous page.
func (w *Webhooks) List(owner string, pageSize int, bookmark string) ([]Status, string, error) {
	if pageSize < 1 || pageSize > 100 {
		return nil, "", &InvalidError{Field: "pageSize", Reason: "must be within 1..100"}
	}
	var ids []string
	err := w.db.View(func(tx *bolt.Tx) error {
		prefix := []byte(owner + "\x00")
		c := tx.Bucket(bucketSubs).Cursor()
		k, _ := c.Seek(subKey(owner, bookmark))
		if bookmark != "" && k != nil && bytes.Equal(k, subKey(owner, bookmark)) {
			k, _ = c.Next()
		}
		for ; k != nil && bytes.HasPrefix(k, prefix) && len(ids) <= pageSize; k, _ = c.Next() {
			ids = append(ids, string(k[len(prefix):]))
		}
		return nil
	})
	if err != nil {
		return nil, "", err
	}
	next := ""
	if len(ids) > pageSize {
		ids = ids[:pageSize]
		next = ids[len(ids)-1]
	}
	out := make([]Status, 0, len(ids))
	for _, id := range ids {
		st, err := w.Get(owner, id)
		if err != nil {
			return nil, "", err
		}
		out = append(out, st)
	}
	return out, next, nil
}

// Delete removes one of owner's subscriptions and stops its deliveries.
func (w *Webhooks) Delete(owner, id string) error {
	err := w.db.Update(func(tx *bolt.Tx) error {
		if tx.Bucket(bucketSubs).Get(subKey(owner, id)) == nil {
			return fmt.Errorf("%w: %s", ErrNoSubscription, id)
		}
		if err := tx.Bucket(bucketSubs).Delete(subKey(owner, id)); err != nil {
			return err
		}
		if err := tx.Bucket(bucketOwners).Delete([]byte(id)); err != nil {
			return err
		}
		return tx.Bucket(bucketCheckpoints).Delete([]byte(id))
	})
	if err != nil {
		return err
	}
	w.mu.Lock()
	wk := w.running[id]
	delete(w.running, id)
	w.mu.Unlock()
	if wk != nil {
		wk.cancel()
		<-wk.done
	}
	return nil
}

func subKey(owner, id string) []byte { return []byte(owner + "\x00" + id) }

func putCheckpoint(tx *bolt.Tx, id string, p ledger.Position) error {
	raw, err := json.Marshal(p)
	if err != nil {
		return err
	}
	return tx.Bucket(bucketCheckpoints).Put([]byte(id), raw)
}

func getCheckpoint(tx *bolt.Tx, id string) (ledger.Position, error) {
	var p ledger.Position
	raw := tx.Bucket(bucketCheckpoints).Get([]byte(id))
	if raw == nil {
		return p, fmt.Errorf("%w: %s has no checkpoint", ErrNoSubscription, id)
	}
	return p, json.Unmarshal(raw, &p)
}

// launchLocked starts a worker; w.mu must be held.
func (w *Webhooks) launchLocked(sub Subscription) {
	if _, ok := w.running[sub.ID]; ok {
		return
	}
	ctx, cancel := context.WithCancel(w.ctx)
	wk := &worker{cancel: cancel, done: make(chan struct{})}
	w.running[sub.ID] = wk
	w.wg.Add(1)
	go func() {
		defer w.wg.Done()
		defer close(wk.done)
		w.deliverAll(ctx, sub, wk)
	}()
}

func (w *Webhooks) deliverAll(ctx context.Context, sub Subscription, wk *worker) {
	var start ledger.Position
	err := w.db.View(func(tx *bolt.Tx) error {
		var err error
		start, err = getCheckpoint(tx, sub.ID)
		return err
	})
	if err != nil {
		w.log.Error("webhook worker cannot start", "subscription", sub.ID, "error", err)
		return
	}
	skipped := 0
	for ev := range Follow(ctx, w.src, sub.Chaincode, start, w.reconnect, w.log) {
		if len(sub.EventNames) == 0 || slices.Contains(sub.EventNames, ev.Name) {
			if !w.deliver(ctx, sub, wk, ev) {
				return
			}
		} else if skipped++; skipped < 100 {
			// Filtered events are cheap to see again after a restart; save
			// the fsync of a checkpoint for each of them.
			continue
		}
		skipped = 0
		err := w.db.Update(func(tx *bolt.Tx) error {
			if tx.Bucket(bucketOwners).Get([]byte(sub.ID)) == nil {
				return ErrNoSubscription
			}
			return putCheckpoint(tx, sub.ID, ev.Position())
		})
		if err != nil {
			if !errors.Is(err, ErrNoSubscription) {
				w.log.Error("webhook checkpoint not saved", "subscription", sub.ID, "error", err)
			}
			return
		}
	}
}

// deliver posts one event until the receiver accepts it or ctx ends, with
// exponential backoff between attempts.
func (w *Webhooks) deliver(ctx context.Context, sub Subscription, wk *worker, ev ledger.Event) bool {
	body, err := json.Marshal(struct {
		Subscription string `json:"subscription"`
		Message
	}{sub.ID, MessageOf(ev)})
	if err != nil {
		w.log.Error("webhook body not encodable", "subscription", sub.ID, "error", err)
		return false
	}
	delay := w.initial
	for attempt := 1; ; attempt++ {
		err := w.post(ctx, sub, ev, body, attempt)
		w.delivered(err == nil)
		w.mu.Lock()
		if err == nil {
			wk.failures, wk.lastError = 0, ""
		} else {
			wk.failures, wk.lastError = wk.failures+1, err.Error()
		}
		w.mu.Unlock()
		if err == nil {
			return true
		}
		w.log.Warn("webhook delivery failed", "subscription", sub.ID, "event_id", ev.ID(), "attempt", attempt, "retry_in", delay, "error", err)
		select {
		case <-time.After(jitter(delay)):
		case <-ctx.Done():
			return false
		}
		delay = min(delay*2, w.max)
	}
}

// jitter spreads retries over [d/2, d) so failing receivers are not hit in
// lockstep.
func jitter(d time.Duration) time.Duration {
	if d < 2 {
		return d
	}
	n, err := rand.Int(rand.Reader, big.NewInt(int64(d/2)))
	if err != nil {
		return d
	}
	return d/2 + time.Duration(n.Int64())
}

func (w *Webhooks) post(ctx context.Context, sub Subscription, ev ledger.Event, body []byte, attempt int) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, sub.URL, bytes.NewReader(body))
	if err != nil {
		return err
	}
	ts := strconv.FormatInt(w.now().Unix(), 10)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "govledger-gateway")
	req.Header.Set(EventIDHeader, ev.ID())
	req.Header.Set(SubscriptionHeader, sub.ID)
	req.Header.Set(AttemptHeader, strconv.Itoa(attempt))
	req.Header.Set(SignatureHeader, "t="+ts+",sha256="+Sign(sub.Secret, ts, body))
	resp, err := w.client.Do(req)
	if err != nil {
		return err
	}
	defer func() { _ = resp.Body.Close() }() // the body was drained; only the status matters
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("receiver answered %d", resp.StatusCode)
	}
	return nil
}

// Sign computes the hex HMAC-SHA256 of "<timestamp>.<body>" with secret, the
// sha256 part of SignatureHeader.
func Sign(secret, timestamp string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(timestamp))
	m.Write([]byte("."))
	m.Write(body)
	return hex.EncodeToString(m.Sum(nil))
}

func randomString(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
