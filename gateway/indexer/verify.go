package indexer

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/hyperledger/fabric-protos-go-apiv2/common"
)

// ErrMismatch is wrapped by every *MismatchError.
var ErrMismatch = errors.New("index does not match the chain")

// MismatchError is the first difference between the index and the chain.
type MismatchError struct {
	Block uint64
	// TxIndex is the transaction, or -1 for the block itself.
	TxIndex int
	TxID    string
	// Field names what differs (hash, tx_count, subject, writes[2], ...).
	Field string
	// Indexed is the value in the index, Chain the value the peer served.
	Indexed, Chain string
}

func (e *MismatchError) Error() string {
	where := fmt.Sprintf("block %d", e.Block)
	if e.TxIndex >= 0 {
		where += fmt.Sprintf(" tx %d (%s)", e.TxIndex, e.TxID)
	}
	return fmt.Sprintf("%v: %s %s: index has %q, chain has %q", ErrMismatch, where, e.Field, e.Indexed, e.Chain)
}

// Unwrap makes every MismatchError match ErrMismatch.
func (e *MismatchError) Unwrap() error { return ErrMismatch }

// Report summarises a successful verification.
type Report struct {
	// Blocks is how many blocks were compared (0 through Blocks-1).
	Blocks       uint64 `json:"blocks"`
	Transactions int    `json:"transactions"`
	// LastBlockHash is the header hash of the last compared block.
	LastBlockHash Hash `json:"lastBlockHash,omitempty"`
}

// Verify re-reads the chain from source, from the genesis block up to the
// store's checkpoint, checks its hash links, and proves the index holds
// every block and transaction with identical fields. It returns the first
// difference as a *MismatchError, a broken chain as a *ChainError, and
// ErrSourceUnavailable if the stream ends early. A live source waits for
// blocks it does not have yet, so bound ctx when the peer may lag the index.
func Verify(ctx context.Context, source BlockSource, store Store) (Report, error) {
	cp, err := store.Checkpoint(ctx)
	if err != nil {
		return Report{}, err
	}
	if cp.NextBlock == 0 {
		return Report{}, nil
	}
	streamCtx, cancel := context.WithCancel(ctx)
	blocks, err := source.Blocks(streamCtx, 0)
	if err != nil {
		cancel()
		return Report{}, fmt.Errorf("%w: open at block 0: %w", ErrSourceUnavailable, err)
	}
	defer func() {
		cancel()
		go drain(blocks)
	}()
	var rep Report
	for rep.Blocks < cp.NextBlock {
		var (
			b  *common.Block
			ok bool
		)
		select {
		case <-ctx.Done():
			return rep, ctx.Err()
		case b, ok = <-blocks:
		}
		if !ok {
			if err := ctx.Err(); err != nil {
				return rep, err
			}
			return rep, fmt.Errorf("%w: stream ended before block %d", ErrSourceUnavailable, rep.Blocks)
		}
		if n := b.GetHeader().GetNumber(); b.GetHeader() == nil || n != rep.Blocks {
			return rep, &GapError{Want: rep.Blocks, Got: n}
		}
		hash, err := checkLink(b, rep.LastBlockHash)
		if err != nil {
			return rep, err
		}
		chainRec, chainActions, err := Decode(b)
		if err != nil {
			return rep, err
		}
		if err := compareBlock(ctx, store, chainRec, chainActions); err != nil {
			return rep, err
		}
		rep.Blocks++
		rep.Transactions += len(chainActions)
		rep.LastBlockHash = hash
	}
	if !bytes.Equal(cp.LastHash, rep.LastBlockHash) {
		return rep, &MismatchError{Block: cp.NextBlock - 1, TxIndex: -1, Field: "checkpoint.last_hash",
			Indexed: cp.LastHash.String(), Chain: rep.LastBlockHash.String()}
	}
	return rep, nil
}

func compareBlock(ctx context.Context, store Store, chain BlockRecord, chainActions []Action) error {
	n := chain.Number
	indexed, err := store.Block(ctx, n)
	if errors.Is(err, ErrNotFound) {
		return &MismatchError{Block: n, TxIndex: -1, Field: "block", Indexed: "missing", Chain: chain.Hash.String()}
	}
	if err != nil {
		return err
	}
	for _, f := range []struct {
		name           string
		indexed, chain string
	}{
		{"hash", indexed.Hash.String(), chain.Hash.String()},
		{"previous_hash", indexed.PreviousHash.String(), chain.PreviousHash.String()},
		{"data_hash", indexed.DataHash.String(), chain.DataHash.String()},
		{"tx_count", strconv.Itoa(indexed.TxCount), strconv.Itoa(chain.TxCount)},
	} {
		if f.indexed != f.chain {
			return &MismatchError{Block: n, TxIndex: -1, Field: f.name, Indexed: f.indexed, Chain: f.chain}
		}
	}
	actions, err := store.BlockActions(ctx, n)
	if err != nil {
		return err
	}
	for i, want := range chainActions {
		if i >= len(actions) {
			return &MismatchError{Block: n, TxIndex: i, TxID: want.TxID, Field: "transaction", Indexed: "missing", Chain: want.TxID}
		}
		if err := compareAction(actions[i], want); err != nil {
			return err
		}
	}
	if len(actions) > len(chainActions) {
		extra := actions[len(chainActions)]
		return &MismatchError{Block: n, TxIndex: extra.TxIndex, TxID: extra.TxID, Field: "transaction", Indexed: extra.TxID, Chain: "missing"}
	}
	return nil
}

// compareAction returns the first field in which the indexed action differs
// from the one decoded from the chain.
func compareAction(indexed, chain Action) error {
	fields := []struct {
		name           string
		indexed, chain string
	}{
		{"tx_index", strconv.Itoa(indexed.TxIndex), strconv.Itoa(chain.TxIndex)},
		{"block_hash", indexed.BlockHash.String(), chain.BlockHash.String()},
		{"tx_id", indexed.TxID, chain.TxID},
		{"channel", indexed.Channel, chain.Channel},
		{"type", indexed.Type, chain.Type},
		{"timestamp", timeText(indexed.Timestamp), timeText(chain.Timestamp)},
		{"creator_msp", indexed.CreatorMSPID, chain.CreatorMSPID},
		{"subject", indexed.Subject, chain.Subject},
		{"attributes", jsonText(indexed.Attributes), jsonText(chain.Attributes)},
		{"chaincode", indexed.Chaincode, chain.Chaincode},
		{"function", indexed.Function, chain.Function},
		{"validation_code", strconv.Itoa(int(indexed.ValidationCode)), strconv.Itoa(int(chain.ValidationCode))},
		{"validation", indexed.Validation, chain.Validation},
		{"malformed", indexed.Malformed, chain.Malformed},
		{"writes.count", strconv.Itoa(len(indexed.Writes)), strconv.Itoa(len(chain.Writes))},
	}
	for i := range min(len(indexed.Writes), len(chain.Writes)) {
		fields = append(fields, struct {
			name           string
			indexed, chain string
		}{fmt.Sprintf("writes[%d]", i), jsonText(indexed.Writes[i]), jsonText(chain.Writes[i])})
	}
	for _, f := range fields {
		if f.indexed != f.chain {
			return &MismatchError{Block: chain.BlockNumber, TxIndex: chain.TxIndex, TxID: chain.TxID,
				Field: f.name, Indexed: f.indexed, Chain: f.chain}
		}
	}
	return nil
}

func timeText(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339Nano)
}

// jsonText renders maps (keys sorted) and writes canonically for comparison.
func jsonText(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprintf("unencodable: %v", err)
	}
	return string(b)
}
