package main

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestParseFlags(t *testing.T) {
	t.Run("defaults measure 1, 16, 64 and 256 clients", func(t *testing.T) {
		o, err := parseFlags(nil, io.Discard)
		require.NoError(t, err)
		require.Equal(t, []int{1, 16, 64, 256}, o.levels)
		require.Equal(t, 64, o.domainClients)
		require.Equal(t, 100_000, o.bigRecords)
		require.True(t, o.gateway)
	})
	t.Run("accepts a shorter run", func(t *testing.T) {
		o, err := parseFlags([]string{"-clients", "1, 4", "-duration", "2s", "-big", "2000", "-gateway=false"}, io.Discard)
		require.NoError(t, err)
		require.Equal(t, []int{1, 4}, o.levels)
		require.Equal(t, 2*time.Second, o.duration)
		require.False(t, o.gateway)
	})
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"rejects a client count that is not a number", []string{"-clients", "1,x"}, "-clients"},
		{"rejects zero clients", []string{"-clients", "0"}, "-clients"},
		{"rejects more clients than the bound", []string{"-clients", "5000"}, "-clients"},
		{"rejects zero domain clients", []string{"-domain-clients", "0"}, "-domain-clients"},
		{"rejects a run shorter than a second", []string{"-duration", "10ms"}, "-duration"},
		{"rejects an hour-long run", []string{"-eval-duration", "1h"}, "-eval-duration"},
		{"rejects a negative warm-up", []string{"-warmup", "-1s"}, "-warmup"},
		{"rejects a ledger size that is not a multiple of the seed batch", []string{"-big", "1500"}, "-big"},
		{"rejects a ledger larger than the bound", []string{"-small", "2000000"}, "-small"},
		{"rejects an unknown flag", []string{"-fast"}, "fast"},
		{"rejects a stray argument", []string{"now"}, "now"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := parseFlags(tc.args, io.Discard)
			require.ErrorIs(t, err, errFlag)
			require.ErrorContains(t, err, tc.want)
		})
	}
}

func TestPool(t *testing.T) {
	t.Run("hands out every item once, in order", func(t *testing.T) {
		p := &pool[string]{}
		p.add("a")
		p.add("b")
		require.Equal(t, 2, p.size())
		for _, want := range []string{"a", "b"} {
			got, ok := p.take()
			require.True(t, ok)
			require.Equal(t, want, got)
		}
		_, ok := p.take()
		require.False(t, ok)
	})
	t.Run("a pool run stops early enough for the operations in flight", func(t *testing.T) {
		s, ok := poolRun(spec{clients: 64, warmup: time.Second}, 500)
		require.True(t, ok)
		require.Equal(t, 436, s.maxOps)
		require.Zero(t, s.warmup, "a warm-up would draw uncounted items")
	})
	t.Run("a pool smaller than the clients cannot run", func(t *testing.T) {
		_, ok := poolRun(spec{clients: 64}, 64)
		require.False(t, ok)
	})
}

func TestSetup(t *testing.T) {
	t.Run("runs every call, at most parallel at a time", func(t *testing.T) {
		var running, peak, done atomic.Int32
		var calls []func(context.Context) error
		for range 20 {
			calls = append(calls, func(context.Context) error {
				n := running.Add(1)
				for {
					p := peak.Load()
					if n <= p || peak.CompareAndSwap(p, n) {
						break
					}
				}
				time.Sleep(5 * time.Millisecond)
				running.Add(-1)
				done.Add(1)
				return nil
			})
		}
		require.NoError(t, setup(context.Background(), 3, calls))
		require.Equal(t, int32(20), done.Load())
		require.LessOrEqual(t, peak.Load(), int32(3))
	})
	t.Run("returns the first error and starts nothing after it", func(t *testing.T) {
		boom := errors.New("boom")
		var started atomic.Int32
		calls := []func(context.Context) error{func(context.Context) error { started.Add(1); return boom }}
		for range 10 {
			calls = append(calls, func(ctx context.Context) error {
				started.Add(1)
				<-ctx.Done()
				return ctx.Err()
			})
		}
		require.ErrorIs(t, setup(context.Background(), 1, calls), boom)
		require.Equal(t, int32(1), started.Load())
	})
}

func TestGatewayClient(t *testing.T) {
	var gotKey, gotBody, gotQuery string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gotKey, gotQuery = r.Header.Get("X-API-Key"), r.URL.RawQuery
		b, _ := io.ReadAll(r.Body)
		gotBody = string(b)
		switch r.URL.Path {
		case "/v1/noop/Put":
			_, _ = w.Write([]byte(`{"result":null,"txId":"t1"}`))
		case "/v1/noop/Get":
			_, _ = w.Write([]byte(`{"result":"v"}`))
		default:
			w.Header().Set("Content-Type", "application/problem+json")
			w.WriteHeader(http.StatusConflict)
			_, _ = w.Write([]byte(`{"code":"COMMIT_FAILED","detail":"MVCC_READ_CONFLICT"}`))
		}
	}))
	defer srv.Close()
	g := newGatewayClient(map[string]string{"ProcurementMSP": srv.URL}, 4)
	u := user{"ProcurementMSP", "buyer1"}
	ctx := context.Background()

	t.Run("submits with the user's development key", func(t *testing.T) {
		out, kind, err := g.submit(ctx, u, "noop", "Put", map[string]string{"key": "k", "value": "v"})
		require.NoError(t, err)
		require.Empty(t, kind)
		require.JSONEq(t, `{"result":null,"txId":"t1"}`, string(out))
		require.Equal(t, "dev-buyer1", gotKey)
		require.JSONEq(t, `{"key":"k","value":"v"}`, gotBody)
	})
	t.Run("evaluates with query parameters", func(t *testing.T) {
		out, _, err := g.evaluate(ctx, u, "noop", "Get", url.Values{"key": {"a b"}})
		require.NoError(t, err)
		require.JSONEq(t, `{"result":"v"}`, string(out))
		require.Equal(t, "key=a+b", gotQuery)
	})
	t.Run("groups a problem by status and code", func(t *testing.T) {
		_, kind, err := g.submit(ctx, u, "procurement", "CreateTender", map[string]string{})
		require.Equal(t, "http_409:COMMIT_FAILED", kind)
		require.ErrorIs(t, err, errGateway)
		var p *problemError
		require.ErrorAs(t, err, &p)
		require.Equal(t, "MVCC_READ_CONFLICT", p.Detail)
	})
	t.Run("refuses an organisation without a gateway", func(t *testing.T) {
		_, kind, err := g.submit(ctx, user{"HospitalMSP", "reporter1"}, "noop", "Put", nil)
		require.Error(t, err)
		require.Equal(t, "connect", kind)
	})
	t.Run("reports a cancelled request as a timeout", func(t *testing.T) {
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		_, kind, err := g.evaluate(cctx, u, "noop", "Get", nil)
		require.Error(t, err)
		require.Equal(t, "timeout", kind)
	})
}

func TestWaitForFreePort(t *testing.T) {
	t.Run("returns at once when nothing listens", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
		addr := ln.Addr().String()
		require.NoError(t, ln.Close())
		require.NoError(t, waitForFreePort(context.Background(), addr, time.Second, io.Discard))
	})
	t.Run("gives up on a port that stays taken", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
		defer func() { _ = ln.Close() }()
		var log strings.Builder
		err = waitForFreePort(context.Background(), ln.Addr().String(), 0, &log)
		require.ErrorContains(t, err, "another network is running")
	})
}

func TestMonitor(t *testing.T) {
	m := newMonitor([]watched{
		{Name: "self", Kind: "bench", PID: selfPID},
		{Name: "gone", Kind: "peer", PID: func() (int, error) { return 0, errors.New("not running") }},
	})
	t.Run("samples the peak RSS of live processes", func(t *testing.T) {
		peaks, kinds := m.peaks()
		require.Positive(t, peaks["self"])
		require.NotContains(t, peaks, "gone")
		require.Equal(t, "bench", kinds["self"])
	})
	t.Run("keeps a window's peak apart", func(t *testing.T) {
		m.startWindow()
		require.Positive(t, m.windowPeaks()["self"])
	})
	t.Run("sums CPU time by kind", func(t *testing.T) {
		// Burn some CPU so that the process has used a measurable amount.
		spins, deadline := 0, time.Now().Add(50*time.Millisecond)
		for time.Now().Before(deadline) {
			spins++
		}
		require.Positive(t, spins)
		require.Positive(t, m.cpu()["bench"])
	})
	t.Run("watches processes added later", func(t *testing.T) {
		m.add(watched{Name: "late", Kind: "gateway", PID: selfPID})
		peaks, kinds := m.peaks()
		require.Positive(t, peaks["late"])
		require.Equal(t, "gateway", kinds["late"])
	})
	t.Run("stops sampling when its context ends", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { m.run(ctx, time.Millisecond); close(done) }()
		cancel()
		select {
		case <-done:
		case <-time.After(time.Second):
			t.Fatal("monitor did not stop")
		}
	})
}

func TestParseStatCPU(t *testing.T) {
	for _, tc := range []struct {
		name string
		stat string
		want time.Duration
		err  bool
	}{
		{"adds user and system time", "42 (orderer) S 1 42 42 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 12 0 100 0 0", 3 * time.Second, false},
		{"reads past a command name with spaces and parentheses", "7 (my (odd) cmd) R 1 7 7 0 -1 0 0 0 0 0 1 2 0 0 20 0 1 0 1 0 0", 30 * time.Millisecond, false},
		{"rejects a line without a command name", "7 R 1", 0, true},
		{"rejects a truncated line", "7 (x) R 1 2", 0, true},
		{"rejects a non-numeric time", "7 (x) R 1 7 7 0 -1 0 0 0 0 0 a 2 0", 0, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseStatCPU([]byte(tc.stat))
			if tc.err {
				require.ErrorIs(t, err, errStat)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
		})
	}
	t.Run("reads this process", func(t *testing.T) {
		_, err := readCPU(os.Getpid())
		require.NoError(t, err)
	})
}

func TestTruncate(t *testing.T) {
	require.Equal(t, "abc", truncate("abc", 3))
	require.Equal(t, "ab…", truncate("abc", 2))
}
