package indexer

import (
	"context"
	"encoding/base64"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestOpenSQLite(t *testing.T) {
	ctx := context.Background()
	t.Run("uses the WAL journal and records the schema version", func(t *testing.T) {
		s, _ := openStore(t)
		var mode string
		require.NoError(t, s.db.QueryRowContext(ctx, `PRAGMA journal_mode`).Scan(&mode))
		require.Equal(t, "wal", mode)
		v, err := s.schemaVersion(ctx, s.db)
		require.NoError(t, err)
		require.Equal(t, SchemaVersion(), v)
	})
	t.Run("reopens an existing index without migrating it again", func(t *testing.T) {
		s, path := openStore(t)
		indexAll(t, s, newFixture(t).chain.blocks[:2])
		require.NoError(t, s.Close())
		again, err := OpenSQLite(ctx, path)
		require.NoError(t, err)
		defer func() { _ = again.Close() }()
		var applied int
		require.NoError(t, again.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM schema_migrations`).Scan(&applied))
		require.Equal(t, len(migrations), applied)
		cp, err := again.Checkpoint(ctx)
		require.NoError(t, err)
		require.Equal(t, uint64(2), cp.NextBlock)
	})
	t.Run("refuses a database migrated by a newer program", func(t *testing.T) {
		s, path := openStore(t)
		_, err := s.db.ExecContext(ctx, `INSERT INTO schema_migrations (version, description) VALUES (?, 'future')`, SchemaVersion()+1)
		require.NoError(t, err)
		require.NoError(t, s.Close())
		_, err = OpenSQLite(ctx, path)
		require.ErrorIs(t, err, ErrSchemaTooNew)
	})
	for _, tc := range []struct{ name, path string }{
		{"refuses an empty path", ""},
		{"refuses a path the driver would read parameters from", t.TempDir() + "/a?mode=ro"},
		{"reports a folder that does not exist", t.TempDir() + "/missing/audit.db"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := OpenSQLite(ctx, tc.path)
			require.Error(t, err)
		})
	}
}

func TestCommit(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	decoded := func(n int) (BlockRecord, []Action) {
		rec, actions, err := Decode(f.chain.blocks[n])
		require.NoError(t, err)
		return rec, actions
	}
	rec0, actions0 := decoded(0)
	rec1, actions1 := decoded(1)
	rec2, actions2 := decoded(2)

	t.Run("is idempotent for a block already stored", func(t *testing.T) {
		s, _ := openStore(t)
		require.NoError(t, s.Commit(ctx, rec0, actions0))
		require.NoError(t, s.Commit(ctx, rec1, actions1))
		require.NoError(t, s.Commit(ctx, rec1, actions1))
		got, err := s.BlockActions(ctx, 1)
		require.NoError(t, err)
		require.Equal(t, actions1, got)
		cp, err := s.Checkpoint(ctx)
		require.NoError(t, err)
		require.Equal(t, Checkpoint{NextBlock: 2, LastHash: rec1.Hash}, cp)
	})
	t.Run("refuses a different block at a stored height", func(t *testing.T) {
		s, _ := openStore(t)
		require.NoError(t, s.Commit(ctx, rec0, actions0))
		forged := rec0
		forged.Hash = Hash(strings.Repeat("x", 32))
		var conflict *ConflictError
		require.ErrorAs(t, s.Commit(ctx, forged, actions0), &conflict)
		require.Equal(t, rec0.Hash, conflict.Stored)
	})
	t.Run("refuses a block that would leave a gap", func(t *testing.T) {
		s, _ := openStore(t)
		require.NoError(t, s.Commit(ctx, rec0, actions0))
		var gap *GapError
		require.ErrorAs(t, s.Commit(ctx, rec2, actions2), &gap)
		require.Equal(t, GapError{Want: 1, Got: 2}, *gap)
	})
	t.Run("refuses actions that do not belong to the block", func(t *testing.T) {
		s, _ := openStore(t)
		require.ErrorIs(t, s.Commit(ctx, rec0, nil), ErrMalformedBlock)
		require.ErrorIs(t, s.Commit(ctx, rec0, actions1[:1]), ErrMalformedBlock)
	})
	t.Run("refuses a block number beyond the index's range", func(t *testing.T) {
		s, _ := openStore(t)
		rec := rec0
		rec.Number = 1 << 63
		require.ErrorIs(t, s.Commit(ctx, rec, nil), ErrMalformedBlock)
		_, err := s.Block(ctx, 1<<63)
		require.ErrorIs(t, err, ErrNotFound)
		_, err = s.BlockActions(ctx, 1<<63)
		require.ErrorIs(t, err, ErrNotFound)
	})
	t.Run("reports a block it does not hold", func(t *testing.T) {
		s, _ := openStore(t)
		_, err := s.Block(ctx, 0)
		require.ErrorIs(t, err, ErrNotFound)
	})
	t.Run("reports a cancelled context", func(t *testing.T) {
		s, _ := openStore(t)
		cancelled, cancel := context.WithCancel(ctx)
		cancel()
		require.ErrorIs(t, s.Commit(cancelled, rec0, actions0), context.Canceled)
	})
}

func TestQuery(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	s, _ := openStore(t)
	indexAll(t, s, f.chain.blocks)
	txIDs := func(actions []Action) []string {
		out := []string{}
		for _, a := range actions {
			out = append(out, a.TxID)
		}
		return out
	}
	tests := []struct {
		name string
		q    Query
		want []string
	}{
		{"lists every action of an identity", ByIdentity("ProcurementMSP", "supplierA"), []string{"tx-bid", "tx-bid-again", "tx-withdraw"}},
		{"lists every action of an organisation", Query{MSPID: "ProcurementMSP"}, []string{"tx-tender", "tx-bid", "tx-bid-again", "tx-award", "tx-withdraw"}},
		{"does not confuse a subject of another MSP", ByIdentity("HospitalMSP", "supplierA"), []string{}},
		{"lists the actions on an entity", OnEntity("procurement", "tender\x00T-1\x00"), []string{"tx-tender", "tx-award"}},
		{"finds private data writes to an entity by its key hash", OnEntity("publichealth", "C-9"), []string{"tx-case"}},
		{"finds public and private writes of one key", OnEntity("procurement", "bid\x00T-1\x00SUP-A\x00"), []string{"tx-bid", "tx-bid-again", "tx-withdraw"}},
		{"lists actions in a half-open time range", InTimeRange(f.t0.Add(20*time.Minute), f.t0.Add(40*time.Minute)), []string{"tx-bid", "tx-bid-again", "tx-case"}},
		{"lists actions from a time on", Query{From: f.t0.Add(45 * time.Minute)}, []string{"tx-withdraw"}},
		{"lists actions before a time", Query{To: f.t0.Add(time.Minute)}, []string{""}},
		{"lists the actions of a contract", OfContract("publichealth"), []string{"tx-case"}},
		{"counts a chaincode-to-chaincode write as an action of the called contract", OfContract("audit"), []string{"tx-award"}},
		{"combines criteria", Query{MSPID: "ProcurementMSP", Subject: "buyer1", Chaincode: "procurement", From: f.t0.Add(30 * time.Minute)}, []string{"tx-award"}},
		{"stops before a pinned block", Query{MSPID: "ProcurementMSP", BeforeBlock: 2}, []string{"tx-tender", "tx-bid"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			page, err := s.Query(ctx, tc.q)
			require.NoError(t, err)
			require.Equal(t, tc.want, txIDs(page.Actions))
			require.Empty(t, page.Next)
		})
	}
	t.Run("returns each row with its block number, block hash and writes", func(t *testing.T) {
		page, err := s.Query(ctx, OnEntity("publichealth", "C-9"))
		require.NoError(t, err)
		require.Len(t, page.Actions, 1)
		want, err := s.BlockActions(ctx, 2)
		require.NoError(t, err)
		require.Equal(t, want[1], page.Actions[0])
		rec, err := s.Block(ctx, 2)
		require.NoError(t, err)
		require.Equal(t, rec.Hash, page.Actions[0].BlockHash)
		require.Len(t, page.Actions[0].Writes, 2)
	})
}

func TestQueryPaging(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	s, _ := openStore(t)
	indexAll(t, s, f.chain.blocks)

	t.Run("walks every page once in ledger order", func(t *testing.T) {
		q := Query{MSPID: "ProcurementMSP", Limit: 2}
		var got []string
		pages := 0
		for {
			page, err := s.Query(ctx, q)
			require.NoError(t, err)
			require.LessOrEqual(t, len(page.Actions), 2)
			pages++
			for _, a := range page.Actions {
				got = append(got, fmt.Sprintf("%d/%d", a.BlockNumber, a.TxIndex))
			}
			if page.Next == "" {
				break
			}
			q.Cursor = page.Next
		}
		require.Equal(t, 3, pages)
		require.Equal(t, []string{"1/0", "1/1", "2/0", "3/0", "4/0"}, got)
	})
	t.Run("ends with an empty cursor when the last page is full", func(t *testing.T) {
		page, err := s.Query(ctx, Query{Limit: 7})
		require.NoError(t, err)
		require.Len(t, page.Actions, 7)
		require.Empty(t, page.Next)
	})
	t.Run("uses the default page size when no limit is given", func(t *testing.T) {
		require.Equal(t, DefaultPageSize, Query{}.PageSize())
	})

	first, err := s.Query(ctx, Query{MSPID: "ProcurementMSP", Limit: 1})
	require.NoError(t, err)
	require.NotEmpty(t, first.Next)
	raw, err := base64.RawURLEncoding.DecodeString(first.Next)
	require.NoError(t, err)
	raw[0] = 9
	wrongVersion := base64.RawURLEncoding.EncodeToString(raw)
	invalid := []struct {
		name  string
		q     Query
		field string
	}{
		{"rejects a subject without an MSP", Query{Subject: "buyer1"}, "subject"},
		{"rejects a key without a chaincode", Query{Key: "k"}, "key"},
		{"rejects a time range that ends before it starts", InTimeRange(f.t0, f.t0), "to"},
		{"rejects a negative limit", Query{Limit: -1}, "limit"},
		{"rejects a page larger than the maximum", Query{Limit: MaxPageSize + 1}, "limit"},
		{"rejects a cursor that is not base64", Query{Cursor: "!!!"}, "cursor"},
		{"rejects a cursor of the wrong length", Query{Cursor: "AAAA"}, "cursor"},
		{"rejects a cursor of an unknown version", Query{MSPID: "ProcurementMSP", Limit: 1, Cursor: wrongVersion}, "cursor"},
		{"rejects a cursor issued for another query", Query{MSPID: "HospitalMSP", Cursor: first.Next}, "cursor"},
		{"rejects an oversized filter", Query{MSPID: strings.Repeat("M", maxFilterBytes+1)}, "mspId"},
		{"rejects a filter that is not UTF-8", OnEntity("procurement", "\xff"), "key"},
	}
	for _, tc := range invalid {
		t.Run(tc.name, func(t *testing.T) {
			_, err := s.Query(ctx, tc.q)
			var qe *QueryError
			require.ErrorAs(t, err, &qe)
			require.ErrorIs(t, err, ErrInvalidQuery)
			require.Equal(t, tc.field, qe.Field)
			require.Contains(t, err.Error(), tc.field)
		})
	}
}

func TestQueryWhileIndexing(t *testing.T) {
	t.Run("serves readers while the writer commits", func(t *testing.T) {
		f := newFixture(t)
		s, _ := openStore(t)
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		ix, err := New(&fakeSource{blocks: f.chain.blocks, live: true}, s, testChannel)
		require.NoError(t, err)
		done := make(chan error, 1)
		go func() { done <- ix.Run(ctx) }()
		require.Eventually(t, func() bool {
			page, err := s.Query(context.Background(), Query{})
			require.NoError(t, err)
			return len(page.Actions) == 7
		}, 10*time.Second, time.Millisecond)
		cancel()
		require.ErrorIs(t, <-done, context.Canceled)
	})
}
