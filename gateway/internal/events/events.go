// Package events delivers chaincode events to clients: as server-sent events
// on a long-lived HTTP response, and as signed webhooks. Both are
// at-least-once and resumable without gaps: an event's id is
// <block>:<txId> (Fabric keeps at most one chaincode event per transaction),
// which is also the position to resume after it.
package events

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"log/slog"
	"time"

	"github.com/govledger/govledger/gateway/internal/ledger"
)

// Source is the port to the ledger's chaincode event service.
type Source interface {
	// ChaincodeEvents streams the events of one chaincode from a position
	// (nil: from the next block) until ctx ends or the stream breaks, which
	// closes the channel.
	ChaincodeEvents(ctx context.Context, chaincode string, from *ledger.Position) (<-chan ledger.Event, error)
	// Height is the current block height, so a stream that starts "now"
	// has a concrete position to resume from.
	Height(ctx context.Context) (uint64, error)
}

// Message is the JSON form of an event, in SSE data and webhook bodies.
type Message struct {
	ID          string `json:"id"`
	Chaincode   string `json:"chaincode"`
	Event       string `json:"event"`
	BlockNumber uint64 `json:"blockNumber"`
	TxID        string `json:"txId"`
	// Payload holds a JSON payload as is; any other payload is in
	// PayloadBase64.
	Payload       json.RawMessage `json:"payload,omitempty"`
	PayloadBase64 string          `json:"payloadBase64,omitempty"`
}

// MessageOf renders an event.
func MessageOf(ev ledger.Event) Message {
	m := Message{ID: ev.ID(), Chaincode: ev.Chaincode, Event: ev.Name, BlockNumber: ev.Block, TxID: ev.TxID}
	if len(ev.Payload) > 0 {
		if json.Valid(ev.Payload) {
			m.Payload = json.RawMessage(ev.Payload)
		} else {
			m.PayloadBase64 = base64.StdEncoding.EncodeToString(ev.Payload)
		}
	}
	return m
}

// Start resolves an optional start position: nil means "from now", pinned
// to the current height so a reconnect cannot skip blocks.
func Start(ctx context.Context, src Source, from *ledger.Position) (ledger.Position, error) {
	if from != nil {
		return *from, nil
	}
	h, err := src.Height(ctx)
	if err != nil {
		return ledger.Position{}, err
	}
	return ledger.Position{Block: h}, nil
}

// Follow streams a chaincode's events from a position and reconnects after
// the underlying stream breaks, resuming just after the last event it
// passed on. The channel closes when ctx ends.
func Follow(ctx context.Context, src Source, chaincode string, from ledger.Position, retry time.Duration, log *slog.Logger) <-chan ledger.Event {
	out := make(chan ledger.Event)
	go func() {
		defer close(out)
		pos := from
		for {
			p := pos
			ch, err := src.ChaincodeEvents(ctx, chaincode, &p)
			if err == nil {
				for ev := range ch {
					select {
					case out <- ev:
						pos = ev.Position()
					case <-ctx.Done():
						return
					}
				}
			}
			if ctx.Err() != nil {
				return
			}
			log.Warn("chaincode event stream broke; reconnecting", "chaincode", chaincode, "block", pos.Block, "error", err)
			select {
			case <-time.After(retry):
			case <-ctx.Done():
				return
			}
		}
	}()
	return out
}
