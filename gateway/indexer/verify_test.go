package indexer

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"github.com/hyperledger/fabric-protos-go-apiv2/common"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/proto"
)

func TestVerify(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	indexed := func(t *testing.T) *SQLiteStore {
		s, _ := openStore(t)
		indexAll(t, s, f.chain.blocks)
		return s
	}

	t.Run("proves an index built from the chain matches it", func(t *testing.T) {
		s := indexed(t)
		rep, err := Verify(ctx, &fakeSource{blocks: f.chain.blocks, live: true}, s)
		require.NoError(t, err)
		last, err := HeaderHash(f.chain.blocks[4].Header)
		require.NoError(t, err)
		require.Equal(t, Report{Blocks: 5, Transactions: 7, LastBlockHash: last}, rep)
	})
	t.Run("has nothing to prove for an empty index", func(t *testing.T) {
		s, _ := openStore(t)
		rep, err := Verify(ctx, &fakeSource{openErr: errors.New("unused")}, s)
		require.NoError(t, err)
		require.Equal(t, Report{}, rep)
	})
	t.Run("verifies only up to the checkpoint of a peer that is ahead", func(t *testing.T) {
		s, _ := openStore(t)
		indexAll(t, s, f.chain.blocks[:3])
		rep, err := Verify(ctx, &fakeSource{blocks: f.chain.blocks}, s)
		require.NoError(t, err)
		require.Equal(t, uint64(3), rep.Blocks)
	})

	// Each case edits the index behind the indexer's back, as an attacker
	// with write access to the database would.
	tampered := []struct {
		name    string
		sql     string
		block   uint64
		tx      int
		field   string
		indexed string
	}{
		{"detects a rewritten subject", `UPDATE actions SET subject = 'mallory' WHERE tx_id = 'tx-award'`, 3, 0, "subject", "mallory"},
		{"detects a rewritten function", `UPDATE actions SET function = 'Procurement:Cancel' WHERE tx_id = 'tx-tender'`, 1, 0, "function", "Procurement:Cancel"},
		{"detects a hidden validation failure", `UPDATE actions SET validation_code = 0, validation = 'VALID' WHERE tx_id = 'tx-bid-again'`, 2, 0, "validation_code", "0"},
		{"detects altered attributes", `UPDATE actions SET attributes = '{"role":"auditor"}' WHERE tx_id = 'tx-case'`, 2, 1, "attributes", `{"role":"auditor"}`},
		{"detects a moved timestamp", `UPDATE actions SET ts_seconds = ts_seconds + 3600 WHERE tx_id = 'tx-bid'`, 1, 1, "timestamp", "2026-03-01T10:20:00Z"},
		{"detects a deleted write", `DELETE FROM writes WHERE block_number = 3 AND seq = 2`, 3, 0, "writes.count", "2"},
		{"detects a changed key", `UPDATE writes SET key = 'tender' || char(0) || 'T-2' || char(0) WHERE block_number = 1 AND tx_index = 0`, 1, 0, "writes[0]", ""},
		{"detects a removed transaction", `DELETE FROM writes WHERE block_number = 2 AND tx_index = 1; DELETE FROM actions WHERE block_number = 2 AND tx_index = 1`, 2, 1, "transaction", "missing"},
		{"detects a rewritten block hash", `UPDATE blocks SET hash = zeroblob(32) WHERE number = 2`, 2, -1, "hash", "0000000000000000000000000000000000000000000000000000000000000000"},
	}
	for _, tc := range tampered {
		t.Run(tc.name, func(t *testing.T) {
			s := indexed(t)
			for _, stmt := range bytes.Split([]byte(tc.sql), []byte("; ")) {
				_, err := s.db.ExecContext(ctx, string(stmt))
				require.NoError(t, err)
			}

			_, err := Verify(ctx, &fakeSource{blocks: f.chain.blocks}, s)

			var mm *MismatchError
			require.ErrorAs(t, err, &mm)
			require.ErrorIs(t, err, ErrMismatch)
			require.Equal(t, tc.block, mm.Block)
			require.Equal(t, tc.tx, mm.TxIndex)
			require.Equal(t, tc.field, mm.Field)
			if tc.indexed != "" {
				require.Equal(t, tc.indexed, mm.Indexed)
			}
			require.NotEqual(t, mm.Indexed, mm.Chain)
			require.Contains(t, err.Error(), tc.field)
		})
	}
	t.Run("detects a transaction the chain does not have", func(t *testing.T) {
		s := indexed(t)
		_, err := s.db.ExecContext(ctx, `INSERT INTO actions SELECT block_number, 5, 'tx-ghost', channel, type, ts_seconds, ts_nanos,
			creator_msp, subject, attributes, chaincode, function, validation_code, validation, malformed
			FROM actions WHERE block_number = 4 AND tx_index = 0`)
		require.NoError(t, err)
		_, err = Verify(ctx, &fakeSource{blocks: f.chain.blocks}, s)
		var mm *MismatchError
		require.ErrorAs(t, err, &mm)
		require.Equal(t, MismatchError{Block: 4, TxIndex: 5, TxID: "tx-ghost", Field: "transaction", Indexed: "tx-ghost", Chain: "missing"}, *mm)
	})
	t.Run("detects a block missing from the index", func(t *testing.T) {
		s := indexed(t)
		// foreign_keys is per connection, so both statements share one.
		conn, err := s.db.Conn(ctx)
		require.NoError(t, err)
		_, err = conn.ExecContext(ctx, `PRAGMA foreign_keys = OFF`)
		require.NoError(t, err)
		_, err = conn.ExecContext(ctx, `DELETE FROM blocks WHERE number = 1`)
		require.NoError(t, err)
		require.NoError(t, conn.Close())
		_, err = Verify(ctx, &fakeSource{blocks: f.chain.blocks}, s)
		var mm *MismatchError
		require.ErrorAs(t, err, &mm)
		require.Equal(t, "block", mm.Field)
		require.Equal(t, uint64(1), mm.Block)
	})
	t.Run("detects a checkpoint that does not point at the last block", func(t *testing.T) {
		s := indexed(t)
		_, err := s.db.ExecContext(ctx, `UPDATE checkpoint SET last_hash = zeroblob(32)`)
		require.NoError(t, err)
		_, err = Verify(ctx, &fakeSource{blocks: f.chain.blocks}, s)
		var mm *MismatchError
		require.ErrorAs(t, err, &mm)
		require.Equal(t, "checkpoint.last_hash", mm.Field)
	})
	t.Run("rejects a peer serving a tampered chain", func(t *testing.T) {
		s := indexed(t)
		blocks := make([]*common.Block, len(f.chain.blocks))
		for i, b := range f.chain.blocks {
			blocks[i] = proto.CloneOf(b)
		}
		blocks[2].Data.Data[0] = []byte("rewritten history")
		_, err := Verify(ctx, &fakeSource{blocks: blocks}, s)
		var ce *ChainError
		require.ErrorAs(t, err, &ce)
		require.Equal(t, uint64(2), ce.Block)
	})
	t.Run("detects validation codes that differ on another peer", func(t *testing.T) {
		s := indexed(t)
		blocks := make([]*common.Block, len(f.chain.blocks))
		for i, b := range f.chain.blocks {
			blocks[i] = proto.CloneOf(b)
		}
		blocks[1].Metadata.Metadata[common.BlockMetadataIndex_TRANSACTIONS_FILTER][0] = 10
		_, err := Verify(ctx, &fakeSource{blocks: blocks}, s)
		var mm *MismatchError
		require.ErrorAs(t, err, &mm)
		require.Equal(t, MismatchError{Block: 1, TxIndex: 0, TxID: "tx-tender", Field: "validation_code", Indexed: "0", Chain: "10"}, *mm)
	})
	t.Run("reports a source that ends before the checkpoint", func(t *testing.T) {
		s := indexed(t)
		_, err := Verify(ctx, &fakeSource{blocks: f.chain.blocks[:2]}, s)
		require.ErrorIs(t, err, ErrSourceUnavailable)
	})
	t.Run("reports a source that cannot open", func(t *testing.T) {
		s := indexed(t)
		_, err := Verify(ctx, &fakeSource{openErr: errors.New("refused")}, s)
		require.ErrorIs(t, err, ErrSourceUnavailable)
	})
	t.Run("reports a source that skips a block", func(t *testing.T) {
		s := indexed(t)
		_, err := Verify(ctx, &fakeSource{blocks: append([]*common.Block{f.chain.blocks[0]}, f.chain.blocks[2:]...)}, s)
		require.ErrorIs(t, err, ErrGap)
	})
	t.Run("stops when its context ends while a lagging peer waits", func(t *testing.T) {
		s := indexed(t)
		short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
		defer cancel()
		_, err := Verify(short, &fakeSource{blocks: f.chain.blocks[:2], live: true}, s)
		require.ErrorIs(t, err, context.DeadlineExceeded)
	})
}
