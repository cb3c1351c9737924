package indexer

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"regexp"

	"github.com/hyperledger/fabric-gateway/pkg/client"
	"github.com/hyperledger/fabric-protos-go-apiv2/common"
)

// BlockSource delivers a channel's blocks in order, starting at a given
// block number. The channel it returns closes when the stream ends.
type BlockSource interface {
	Blocks(ctx context.Context, start uint64) (<-chan *common.Block, error)
}

// NetworkSource reads full blocks from a peer through the Fabric Gateway
// SDK's block events.
type NetworkSource struct {
	network *client.Network
}

// NewNetworkSource wraps a Gateway network (one channel).
func NewNetworkSource(network *client.Network) *NetworkSource {
	return &NetworkSource{network: network}
}

// Blocks implements BlockSource. The SDK reports no error when a stream
// breaks: it closes the channel, which Run turns into ErrSourceUnavailable.
func (s *NetworkSource) Blocks(ctx context.Context, start uint64) (<-chan *common.Block, error) {
	return s.network.BlockEvents(ctx, client.WithStartBlock(start))
}

// ErrSourceUnavailable means the block stream could not be opened or ended;
// the index is consistent and Run can be called again.
var ErrSourceUnavailable = errors.New("block source unavailable")

// Indexer follows one channel into a Store.
type Indexer struct {
	source  BlockSource
	store   Store
	channel string
	log     *slog.Logger
}

// Option configures an Indexer.
type Option func(*Indexer)

// WithLogger sets where progress is logged (block numbers and counts,
// never transaction contents). The default discards it.
func WithLogger(l *slog.Logger) Option {
	return func(ix *Indexer) {
		if l != nil {
			ix.log = l
		}
	}
}

// channelName is Fabric's rule for channel names.
var channelName = regexp.MustCompile(`^[a-z][a-z0-9.-]{0,248}$`)

// New builds an indexer of channel that reads blocks from source into store.
func New(source BlockSource, store Store, channel string, opts ...Option) (*Indexer, error) {
	switch {
	case source == nil:
		return nil, errors.New("indexer: source is required")
	case store == nil:
		return nil, errors.New("indexer: store is required")
	case !channelName.MatchString(channel):
		return nil, fmt.Errorf("indexer: channel %q: must match %s", channel, channelName)
	}
	ix := &Indexer{source: source, store: store, channel: channel, log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	for _, o := range opts {
		o(ix)
	}
	return ix, nil
}

// NewForNetwork builds an indexer that follows network's channel through
// the Gateway SDK.
func NewForNetwork(network *client.Network, store Store, opts ...Option) (*Indexer, error) {
	if network == nil {
		return nil, errors.New("indexer: network is required")
	}
	return New(NewNetworkSource(network), store, network.Name(), opts...)
}

// Run indexes blocks from the checkpoint on until ctx ends (returning its
// error), the source fails or ends (ErrSourceUnavailable: call Run again to
// resume), or a block cannot be indexed (*ChainError, *GapError,
// *ConflictError, *BlockError: stop and investigate).
func (ix *Indexer) Run(ctx context.Context) error {
	cp, err := ix.store.Checkpoint(ctx)
	if err != nil {
		return err
	}
	streamCtx, cancel := context.WithCancel(ctx)
	blocks, err := ix.source.Blocks(streamCtx, cp.NextBlock)
	if err != nil {
		cancel()
		return fmt.Errorf("%w: open at block %d: %w", ErrSourceUnavailable, cp.NextBlock, err)
	}
	defer func() {
		cancel()
		// The SDK's delivery goroutine blocks sending to the channel until
		// someone reads, so drain it or it outlives Run.
		go drain(blocks)
	}()
	ix.log.Info("indexing", "channel", ix.channel, "from_block", cp.NextBlock)
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case b, ok := <-blocks:
			if !ok {
				if err := ctx.Err(); err != nil {
					return err
				}
				return fmt.Errorf("%w: stream ended before block %d", ErrSourceUnavailable, cp.NextBlock)
			}
			if err := ix.apply(ctx, &cp, b); err != nil {
				return err
			}
		}
	}
}

// drain reads a block channel until its sender closes it.
func drain(blocks <-chan *common.Block) {
	for range blocks {
	}
}

// apply verifies and stores one delivered block, advancing cp.
func (ix *Indexer) apply(ctx context.Context, cp *Checkpoint, b *common.Block) error {
	if b.GetHeader() == nil {
		return &BlockError{Block: cp.NextBlock, Field: "header", Rule: "is required"}
	}
	n := b.GetHeader().GetNumber()
	switch {
	case n < cp.NextBlock:
		return ix.redelivered(ctx, b)
	case n > cp.NextBlock:
		return &GapError{Want: cp.NextBlock, Got: n}
	}
	hash, err := checkLink(b, cp.LastHash)
	if err != nil {
		return err
	}
	rec, actions, err := Decode(b)
	if err != nil {
		return err
	}
	for _, a := range actions {
		if a.Channel != "" && a.Channel != ix.channel {
			return &BlockError{Block: n, Field: fmt.Sprintf("data[%d].channel_header.channel_id", a.TxIndex),
				Rule: fmt.Sprintf("is %q, the indexer follows %q", a.Channel, ix.channel)}
		}
	}
	if err := ix.store.Commit(ctx, rec, actions); err != nil {
		return err
	}
	cp.NextBlock, cp.LastHash = n+1, hash
	ix.log.Debug("indexed block", "block", n, "transactions", len(actions))
	return nil
}

// redelivered accepts a block the index already holds only if it is the
// same block.
func (ix *Indexer) redelivered(ctx context.Context, b *common.Block) error {
	n := b.GetHeader().GetNumber()
	hash, err := HeaderHash(b.GetHeader())
	if err != nil {
		return &BlockError{Block: n, Field: "header", Rule: err.Error()}
	}
	stored, err := ix.store.Block(ctx, n)
	if err != nil {
		return err
	}
	if !bytes.Equal(stored.Hash, hash) {
		return &ConflictError{Block: n, Stored: stored.Hash, Got: hash}
	}
	ix.log.Debug("skipped re-delivered block", "block", n)
	return nil
}
