package events_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	bolt "go.etcd.io/bbolt"

	"github.com/govledger/govledger/gateway/internal/events"
	"github.com/govledger/govledger/gateway/internal/fakeledger"
	"github.com/govledger/govledger/gateway/internal/ledger"
	"github.com/govledger/govledger/gateway/internal/testpki"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

type network struct {
	*fakeledger.Ledger
	t     *testing.T
	buyer testpki.Identity
}

func newNetwork(t *testing.T) *network {
	return &network{
		Ledger: fakeledger.New(map[string]fakeledger.Chaincode{"procurement": fakeledger.Procurement()}),
		t:      t,
		buyer:  testpki.New(t, "buyer1"),
	}
}

// tender commits a CreateTender, which emits TenderCreated, and returns its
// transaction id.
func (n *network) tender(id string) string {
	n.t.Helper()
	return n.invoke("tender:CreateTender", `{"id":"`+id+`","title":"t","budget":1,"deadline":"2026-01-01T00:00:00Z"}`)
}

func (n *network) award(id string) string {
	n.t.Helper()
	return n.invoke("tender:Award", id, "SUP-A", "true")
}

func (n *network) invoke(fn string, args ...string) string {
	n.t.Helper()
	var raw [][]byte
	for _, a := range args {
		raw = append(raw, []byte(a))
	}
	prop, err := n.NewProposal(ledger.ProposalSpec{Chaincode: "procurement", Transaction: fn, Args: raw,
		Creator: ledger.Creator{MSPID: "ProcurementMSP", Certificate: n.buyer.CertPEM}})
	require.NoError(n.t, err)
	sig, err := n.buyer.Sign(prop.Digest)
	require.NoError(n.t, err)
	tx, err := n.Endorse(context.Background(), ledger.Signed{Bytes: prop.Bytes, Signature: sig})
	require.NoError(n.t, err)
	sig, err = n.buyer.Sign(tx.Digest)
	require.NoError(n.t, err)
	require.NoError(n.t, n.Submit(context.Background(), ledger.Signed{Bytes: tx.Bytes, Signature: sig}))
	return tx.TxID
}

type sseEvent struct {
	id, name string
	msg      events.Message
}

// openSSE serves one stream and returns a channel of its parsed events.
func openSSE(t *testing.T, s *events.Streamer, from *ledger.Position) <-chan sseEvent {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := s.Serve(w, r, "procurement", from); err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
		}
	}))
	t.Cleanup(srv.Close)
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL, nil)
	require.NoError(t, err)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	t.Cleanup(func() { _ = resp.Body.Close() })
	require.Equal(t, "text/event-stream", resp.Header.Get("Content-Type"))
	out := make(chan sseEvent, 16)
	go func() {
		defer close(out)
		sc := bufio.NewScanner(resp.Body)
		var ev sseEvent
		for sc.Scan() {
			line := sc.Text()
			switch {
			case strings.HasPrefix(line, "id: "):
				ev.id = strings.TrimPrefix(line, "id: ")
			case strings.HasPrefix(line, "event: "):
				ev.name = strings.TrimPrefix(line, "event: ")
			case strings.HasPrefix(line, "data: "):
				_ = json.Unmarshal([]byte(strings.TrimPrefix(line, "data: ")), &ev.msg)
			case line == "" && ev.id != "":
				out <- ev
				ev = sseEvent{}
			}
		}
	}()
	return out
}

func next(t *testing.T, ch <-chan sseEvent) sseEvent {
	t.Helper()
	select {
	case ev, ok := <-ch:
		require.True(t, ok, "stream ended")
		return ev
	case <-time.After(5 * time.Second):
		t.Fatal("no event")
		return sseEvent{}
	}
}

func TestSSE(t *testing.T) {
	t.Run("streams events with stable ids from a block", func(t *testing.T) {
		net := newNetwork(t)
		tx1 := net.tender("T1")
		tx2 := net.award("T1")
		s := events.NewStreamer(context.Background(), net, events.WithStreamLogger(quiet))
		ch := openSSE(t, s, &ledger.Position{Block: 0})
		first := next(t, ch)
		require.Equal(t, "1:"+tx1, first.id)
		require.Equal(t, "TenderCreated", first.name)
		require.Equal(t, tx1, first.msg.TxID)
		require.Equal(t, uint64(1), first.msg.BlockNumber)
		require.JSONEq(t, `{"id":"T1"}`, string(first.msg.Payload))
		second := next(t, ch)
		require.Equal(t, "2:"+tx2, second.id)
		require.Equal(t, "TenderAwarded", second.name)
	})

	t.Run("resumes after the last event id without repeating it", func(t *testing.T) {
		net := newNetwork(t)
		tx1 := net.tender("T1")
		tx2 := net.tender("T2")
		pos, err := ledger.ParseEventID("1:" + tx1)
		require.NoError(t, err)
		s := events.NewStreamer(context.Background(), net, events.WithStreamLogger(quiet))
		ch := openSSE(t, s, &pos)
		require.Equal(t, "2:"+tx2, next(t, ch).id)
	})

	t.Run("starts from now when no position is given", func(t *testing.T) {
		net := newNetwork(t)
		net.tender("OLD")
		s := events.NewStreamer(context.Background(), net, events.WithStreamLogger(quiet))
		ch := openSSE(t, s, nil)
		time.Sleep(50 * time.Millisecond)
		tx := net.tender("NEW")
		ev := next(t, ch)
		require.Equal(t, tx, ev.msg.TxID)
	})

	t.Run("reconnects a broken ledger stream without gaps", func(t *testing.T) {
		net := newNetwork(t)
		flaky := &breaking{Source: net, after: 1}
		var ids []string
		for i := range 4 {
			ids = append(ids, net.tender(fmt.Sprintf("T%d", i)))
		}
		s := events.NewStreamer(context.Background(), flaky, events.WithStreamLogger(quiet), events.WithReconnect(10*time.Millisecond))
		ch := openSSE(t, s, &ledger.Position{})
		for _, id := range ids {
			require.Equal(t, id, next(t, ch).msg.TxID)
		}
		require.GreaterOrEqual(t, flaky.opened.Load(), int32(4))
	})

	t.Run("ends streams when the server stops", func(t *testing.T) {
		net := newNetwork(t)
		stop, cancel := context.WithCancel(context.Background())
		s := events.NewStreamer(stop, net, events.WithStreamLogger(quiet), events.WithHeartbeat(10*time.Millisecond))
		ch := openSSE(t, s, nil)
		cancel()
		select {
		case _, ok := <-ch:
			require.False(t, ok)
		case <-time.After(5 * time.Second):
			t.Fatal("stream still open")
		}
	})

	t.Run("refuses a writer that cannot stream", func(t *testing.T) {
		s := events.NewStreamer(context.Background(), newNetwork(t))
		err := s.Serve(noFlush{httptest.NewRecorder()}, httptest.NewRequest("GET", "/", nil), "procurement", nil)
		require.ErrorIs(t, err, events.ErrStreamingUnsupported)
	})
}

type noFlush struct{ w http.ResponseWriter }

func (n noFlush) Header() http.Header         { return n.w.Header() }
func (n noFlush) Write(b []byte) (int, error) { return n.w.Write(b) }
func (n noFlush) WriteHeader(code int)        { n.w.WriteHeader(code) }

// breaking ends every ledger stream after a number of events, as a peer
// restart or network blip would.
type breaking struct {
	events.Source
	after  int
	opened atomic.Int32
}

func (b *breaking) ChaincodeEvents(ctx context.Context, cc string, from *ledger.Position) (<-chan ledger.Event, error) {
	b.opened.Add(1)
	inner, cancel := context.WithCancel(ctx)
	ch, err := b.Source.ChaincodeEvents(inner, cc, from)
	if err != nil {
		cancel()
		return nil, err
	}
	out := make(chan ledger.Event)
	go func() {
		defer close(out)
		defer cancel()
		n := 0
		for ev := range ch {
			out <- ev
			if n++; n == b.after {
				return
			}
		}
	}()
	return out, nil
}

func TestMessageOf(t *testing.T) {
	m := events.MessageOf(ledger.Event{Block: 3, TxID: "tx", Chaincode: "cc", Name: "E", Payload: []byte{0xff, 0x00}})
	require.Equal(t, "3:tx", m.ID)
	require.Empty(t, m.Payload)
	require.Equal(t, "/wA=", m.PayloadBase64)
}

// receiver is a webhook endpoint that verifies signatures and can fail.
type receiver struct {
	srv    *httptest.Server
	secret atomic.Value
	fail   atomic.Int32 // respond 500 this many more times
	mu     sync.Mutex
	got    []events.Message
	tries  []string
}

func newReceiver(t *testing.T) *receiver {
	r := &receiver{}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		sig := req.Header.Get(events.SignatureHeader)
		ts, mac, ok := strings.Cut(sig, ",sha256=")
		secret, _ := r.secret.Load().(string)
		if !ok || mac != events.Sign(secret, strings.TrimPrefix(ts, "t="), body) {
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		r.mu.Lock()
		r.tries = append(r.tries, req.Header.Get(events.AttemptHeader))
		r.mu.Unlock()
		if r.fail.Load() > 0 {
			r.fail.Add(-1)
			http.Error(w, "try later", http.StatusInternalServerError)
			return
		}
		var m events.Message
		_ = json.Unmarshal(body, &m)
		if m.ID != req.Header.Get(events.EventIDHeader) {
			http.Error(w, "event id header does not match the body", http.StatusBadRequest)
			return
		}
		r.mu.Lock()
		r.got = append(r.got, m)
		r.mu.Unlock()
	}))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *receiver) received() []events.Message {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]events.Message(nil), r.got...)
}

type hooks struct {
	t    *testing.T
	net  *network
	path string
	db   *bolt.DB
	w    *events.Webhooks
	opts []events.WebhookOption
}

func newHooks(t *testing.T, net *network, opts ...events.WebhookOption) *hooks {
	h := &hooks{t: t, net: net, path: filepath.Join(t.TempDir(), "gw.db"), opts: opts}
	h.open()
	t.Cleanup(h.close)
	return h
}

func (h *hooks) open() {
	db, err := bolt.Open(h.path, 0o600, &bolt.Options{Timeout: time.Second})
	require.NoError(h.t, err)
	opts := append([]events.WebhookOption{
		events.WithBackoff(5*time.Millisecond, 20*time.Millisecond),
		events.WithReconnectDelay(5 * time.Millisecond),
		events.WithWebhookLogger(quiet),
	}, h.opts...)
	w, err := events.NewWebhooks(db, h.net, opts...)
	require.NoError(h.t, err)
	require.NoError(h.t, w.Start())
	h.db, h.w = db, w
}

func (h *hooks) close() {
	if h.w != nil {
		h.w.Close()
		require.NoError(h.t, h.db.Close())
		h.w = nil
	}
}

func zero() *uint64 { var z uint64; return &z }

func TestWebhooks(t *testing.T) {
	t.Run("delivers signed events and retries with backoff until accepted", func(t *testing.T) {
		net := newNetwork(t)
		rcv := newReceiver(t)
		rcv.fail.Store(2)
		h := newHooks(t, net)
		sub, err := h.w.Create(context.Background(), "key:app", events.NewSubscription{Chaincode: "procurement", URL: rcv.srv.URL, FromBlock: zero()})
		require.NoError(t, err)
		require.NotEmpty(t, sub.Secret)
		rcv.secret.Store(sub.Secret)
		tx := net.tender("T1")
		require.Eventually(t, func() bool { return len(rcv.received()) == 1 }, 5*time.Second, 5*time.Millisecond)
		require.Equal(t, tx, rcv.received()[0].TxID)
		rcv.mu.Lock()
		require.Equal(t, []string{"1", "2", "3"}, rcv.tries)
		rcv.mu.Unlock()
	})

	t.Run("resumes from its checkpoint after a restart without gaps", func(t *testing.T) {
		net := newNetwork(t)
		rcv := newReceiver(t)
		h := newHooks(t, net)
		sub, err := h.w.Create(context.Background(), "key:app", events.NewSubscription{Chaincode: "procurement", URL: rcv.srv.URL, Secret: "0123456789abcdef"})
		require.NoError(t, err)
		rcv.secret.Store(sub.Secret)
		want := []string{net.tender("A"), net.tender("B")}
		require.Eventually(t, func() bool { return len(rcv.received()) == 2 }, 5*time.Second, 5*time.Millisecond)
		h.close()
		want = append(want, net.tender("C"), net.tender("D"))
		h.open()
		want = append(want, net.tender("E"))
		require.Eventually(t, func() bool { return len(rcv.received()) >= 5 }, 5*time.Second, 5*time.Millisecond)
		var got []string
		seen := map[string]bool{}
		for _, m := range rcv.received() {
			if !seen[m.TxID] {
				got = append(got, m.TxID)
				seen[m.TxID] = true
			}
		}
		require.Equal(t, want, got)
		st, err := h.w.Get("key:app", sub.ID)
		require.NoError(t, err)
		require.Empty(t, st.Secret, "the secret is shown only at creation")
		require.Equal(t, want[4], st.Checkpoint.AfterTxID)
	})

	t.Run("delivers only the named events", func(t *testing.T) {
		net := newNetwork(t)
		rcv := newReceiver(t)
		h := newHooks(t, net)
		sub, err := h.w.Create(context.Background(), "key:app", events.NewSubscription{Chaincode: "procurement", URL: rcv.srv.URL, EventNames: []string{"TenderAwarded"}})
		require.NoError(t, err)
		rcv.secret.Store(sub.Secret)
		net.tender("T1")
		award := net.award("T1")
		require.Eventually(t, func() bool { return len(rcv.received()) == 1 }, 5*time.Second, 5*time.Millisecond)
		require.Equal(t, award, rcv.received()[0].TxID)
	})

	t.Run("stops delivering once deleted", func(t *testing.T) {
		net := newNetwork(t)
		rcv := newReceiver(t)
		h := newHooks(t, net)
		sub, err := h.w.Create(context.Background(), "key:app", events.NewSubscription{Chaincode: "procurement", URL: rcv.srv.URL})
		require.NoError(t, err)
		rcv.secret.Store(sub.Secret)
		require.ErrorIs(t, h.w.Delete("key:other", sub.ID), events.ErrNoSubscription)
		require.NoError(t, h.w.Delete("key:app", sub.ID))
		net.tender("T1")
		time.Sleep(50 * time.Millisecond)
		require.Empty(t, rcv.received())
		_, err = h.w.Get("key:app", sub.ID)
		require.ErrorIs(t, err, events.ErrNoSubscription)
	})

	t.Run("pages through a caller's subscriptions only", func(t *testing.T) {
		net := newNetwork(t)
		h := newHooks(t, net)
		for range 5 {
			_, err := h.w.Create(context.Background(), "key:app", events.NewSubscription{Chaincode: "procurement", URL: "https://hooks.example/x"})
			require.NoError(t, err)
		}
		_, err := h.w.Create(context.Background(), "key:other", events.NewSubscription{Chaincode: "procurement", URL: "https://hooks.example/y"})
		require.NoError(t, err)
		var all []string
		bookmark := ""
		for {
			page, next, err := h.w.List("key:app", 2, bookmark)
			require.NoError(t, err)
			for _, s := range page {
				require.Equal(t, "key:app", s.Owner)
				require.Empty(t, s.Secret)
				all = append(all, s.ID)
			}
			if next == "" {
				break
			}
			bookmark = next
		}
		require.Len(t, all, 5)
		_, _, err = h.w.List("key:app", 0, "")
		require.ErrorIs(t, err, events.ErrInvalid)
	})

	invalid := []struct {
		name  string
		req   events.NewSubscription
		field string
	}{
		{"refuses a relative URL", events.NewSubscription{Chaincode: "procurement", URL: "/hook"}, "url"},
		{"refuses a URL with credentials", events.NewSubscription{Chaincode: "procurement", URL: "https://user:" + "pw@hooks.example/"}, "url"},
		{"refuses a host outside the allow-list", events.NewSubscription{Chaincode: "procurement", URL: "https://169.254.169.254/latest"}, "url"},
		{"refuses an unknown chaincode", events.NewSubscription{Chaincode: "payroll", URL: "https://hooks.example/"}, "chaincode"},
		{"refuses a short secret", events.NewSubscription{Chaincode: "procurement", URL: "https://hooks.example/", Secret: "short"}, "secret"},
		{"refuses an empty event name", events.NewSubscription{Chaincode: "procurement", URL: "https://hooks.example/", EventNames: []string{""}}, "eventNames"},
	}
	for _, tc := range invalid {
		t.Run(tc.name, func(t *testing.T) {
			h := newHooks(t, newNetwork(t), events.WithAllowedHosts([]string{"hooks.example"}),
				events.WithChaincodes(func(cc string) bool { return cc == "procurement" }))
			_, err := h.w.Create(context.Background(), "key:app", tc.req)
			require.ErrorIs(t, err, events.ErrInvalid)
			var ie *events.InvalidError
			require.ErrorAs(t, err, &ie)
			require.Equal(t, tc.field, ie.Field)
		})
	}

	t.Run("caps subscriptions per caller", func(t *testing.T) {
		h := newHooks(t, newNetwork(t))
		var err error
		for range 101 {
			_, err = h.w.Create(context.Background(), "key:app", events.NewSubscription{Chaincode: "procurement", URL: "https://hooks.example/"})
			if err != nil {
				break
			}
		}
		require.ErrorIs(t, err, events.ErrTooMany)
	})
}
