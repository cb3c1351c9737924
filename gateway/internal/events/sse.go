package events

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/govledger/govledger/gateway/internal/ledger"
)

// ErrStreamingUnsupported: the response writer cannot flush.
var ErrStreamingUnsupported = errors.New("response writer cannot stream")

// Streamer serves server-sent event streams. Create it with NewStreamer.
type Streamer struct {
	src       Source
	heartbeat time.Duration
	retry     time.Duration
	log       *slog.Logger
	stop      context.Context
}

// StreamerOption configures a Streamer.
type StreamerOption func(*Streamer)

// WithHeartbeat sets how often an idle stream sends a comment so proxies
// keep it open (15s by default).
func WithHeartbeat(d time.Duration) StreamerOption { return func(s *Streamer) { s.heartbeat = d } }

// WithReconnect sets the pause before re-opening a broken ledger stream.
func WithReconnect(d time.Duration) StreamerOption { return func(s *Streamer) { s.retry = d } }

// WithStreamLogger sets the logger.
func WithStreamLogger(l *slog.Logger) StreamerOption { return func(s *Streamer) { s.log = l } }

// NewStreamer serves streams from src until stop ends (server shutdown;
// http.Server.Shutdown does not end long-lived responses by itself).
func NewStreamer(stop context.Context, src Source, opts ...StreamerOption) *Streamer {
	s := &Streamer{src: src, heartbeat: 15 * time.Second, retry: time.Second, log: slog.Default(), stop: stop}
	for _, o := range opts {
		o(s)
	}
	return s
}

// Serve streams a chaincode's events to w from a position (nil: from now)
// until the client goes away or the server stops. Each event's SSE id is its
// stable id, so a browser's automatic Last-Event-ID resumes without gaps.
func (s *Streamer) Serve(w http.ResponseWriter, r *http.Request, chaincode string, from *ledger.Position) error {
	flusher, ok := w.(http.Flusher)
	if !ok {
		return ErrStreamingUnsupported
	}
	ctx, cancel := context.WithCancel(r.Context())
	defer cancel()
	stopAfter := context.AfterFunc(s.stop, cancel)
	defer stopAfter()

	start, err := Start(ctx, s.src, from)
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	if _, err := fmt.Fprintf(w, "retry: %d\n: streaming %s from block %d\n\n", s.retry.Milliseconds(), chaincode, start.Block); err != nil {
		return nil
	}
	flusher.Flush()

	evs := Follow(ctx, s.src, chaincode, start, s.retry, s.log)
	beat := time.NewTicker(s.heartbeat)
	defer beat.Stop()
	for {
		select {
		case ev, ok := <-evs:
			if !ok {
				return nil
			}
			data, err := json.Marshal(MessageOf(ev))
			if err != nil {
				return err
			}
			if _, err := fmt.Fprintf(w, "id: %s\nevent: %s\ndata: %s\n\n", ev.ID(), sseField(ev.Name), data); err != nil {
				return nil
			}
			flusher.Flush()
		case <-beat.C:
			if _, err := fmt.Fprint(w, ": keep-alive\n\n"); err != nil {
				return nil
			}
			flusher.Flush()
		case <-ctx.Done():
			return nil
		}
	}
}

// sseField keeps a chaincode-chosen event name from breaking the framing.
func sseField(s string) string {
	if s == "" {
		return "message"
	}
	return strings.Map(func(r rune) rune {
		if r == '\n' || r == '\r' {
			return ' '
		}
		return r
	}, s)
}
