//go:build integration

package integration

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/hyperledger/fabric-gateway/pkg/client"
	"github.com/hyperledger/fabric-protos-go-apiv2/common"
	"github.com/hyperledger/fabric-protos-go-apiv2/peer"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/proto"

	"github.com/govledger/govledger/chaincode/procurement"
	"github.com/govledger/govledger/gateway/indexer"
)

// made is a transaction this test submitted, as the SDK reported it.
type made struct {
	txID      string
	chaincode string
	function  string
	block     uint64
	code      peer.TxValidationCode
}

// submitted submits fn and waits for its commit status, valid or not.
func submitted(t *testing.T, c *client.Contract, fn string, opts ...client.ProposalOption) made {
	t.Helper()
	_, commit, err := c.SubmitAsync(fn, opts...)
	require.NoError(t, err, fn)
	st, err := commit.Status()
	require.NoError(t, err, fn)
	return made{txID: commit.TransactionID(), chaincode: c.ChaincodeName(), function: fn, block: st.BlockNumber, code: st.Code}
}

// liveIndexer runs the audit trail indexer in-process against the
// regulator's peer as regulator1, the read-only identity an oversight body
// would use, into the SQLite file at path.
type liveIndexer struct {
	store *indexer.SQLiteStore
	stop  func() error
}

func startIndexer(t *testing.T, path string) *liveIndexer {
	t.Helper()
	ctx := context.Background()
	store, err := indexer.OpenSQLite(ctx, path)
	require.NoError(t, err)
	gw, conn, err := net.Connect("RegulatorMSP", "peer0", "regulator1")
	require.NoError(t, err)
	ix, err := indexer.NewForNetwork(gw.GetNetwork(net.Topology.Channel.Name), store)
	require.NoError(t, err)
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- ix.Run(runCtx) }()
	li := &liveIndexer{store: store}
	li.stop = func() error {
		cancel()
		var err error
		select {
		case err = <-done:
		case <-time.After(10 * time.Second):
			err = fmt.Errorf("indexer did not stop")
		}
		_ = gw.Close()
		_ = conn.Close()
		return err
	}
	t.Cleanup(func() {
		_ = li.stop()
		_ = store.Close()
	})
	return li
}

// indexedThrough waits until the index holds block n.
func (li *liveIndexer) indexedThrough(t *testing.T, n uint64) indexer.Checkpoint {
	t.Helper()
	var cp indexer.Checkpoint
	require.Eventually(t, func() bool {
		var err error
		cp, err = li.store.Checkpoint(context.Background())
		return err == nil && cp.NextBlock > n
	}, 30*time.Second, 100*time.Millisecond, "the index reaches block %d", n)
	return cp
}

// tenderDraft is an open tender of the Ministry of Finance whose ten-day
// period is a third of the legal minimum.
func tenderDraft(t *testing.T, id string) string {
	t.Helper()
	now := time.Now()
	d := procurement.TenderDraft{
		ID: id, Title: "Audit trail probe", Description: "Office chairs",
		Buyer: procurement.Party{Name: "Ministry of Finance"}, Method: procurement.MethodOpen, Category: procurement.CategoryGoods,
		Items:       []procurement.Item{{ID: "chair", Description: "Office chair", Quantity: 50, Unit: "piece"}},
		Budget:      procurement.Money{Amount: 1_000_000, Currency: "EUR"},
		AwardMethod: procurement.AwardLowestPrice,
		Deadlines: procurement.Deadlines{
			EnquiryEnd: now.Add(5 * procurement.Day), SubmissionDeadline: now.Add(10 * procurement.Day),
			RevealEnd: now.Add(12 * procurement.Day),
		},
	}
	raw, err := json.Marshal(d)
	require.NoError(t, err)
	return string(raw)
}

// peerBlock fetches a block through qscc from the peer behind c's network.
func peerBlock(t *testing.T, qscc *client.Contract, n uint64) *common.Block {
	t.Helper()
	raw, err := qscc.EvaluateTransaction("GetBlockByNumber", net.Topology.Channel.Name, strconv.FormatUint(n, 10))
	require.NoError(t, err)
	var b common.Block
	require.NoError(t, proto.Unmarshal(raw, &b))
	return &b
}

func txIDAt(t *testing.T, b *common.Block, i int) string {
	t.Helper()
	require.Less(t, i, len(b.GetData().GetData()))
	var env common.Envelope
	require.NoError(t, proto.Unmarshal(b.GetData().GetData()[i], &env))
	var payload common.Payload
	require.NoError(t, proto.Unmarshal(env.GetPayload(), &payload))
	var ch common.ChannelHeader
	require.NoError(t, proto.Unmarshal(payload.GetHeader().GetChannelHeader(), &ch))
	return ch.GetTxId()
}

func TestIndexerKeepsTheAuditTrailOfTheLiveLedger(t *testing.T) {
	const (
		buyerMSP = "ProcurementMSP"
		buyer    = "buyer1"
	)
	db := filepath.Join(t.TempDir(), "audit.db")
	procurementCC := contract(t, buyerMSP, "peer0", buyer, "procurement")
	noop := contract(t, buyerMSP, "peer0", buyer, "noop")
	tenderID := "IX-" + strconv.FormatInt(time.Now().UnixNano(), 36)

	// First run: the indexer follows while the buyer works.
	li := startIndexer(t, db)
	mine := []made{
		submitted(t, procurementCC, "procurement:CreateTender", client.WithArguments(tenderDraft(t, tenderID))),
		submitted(t, procurementCC, "procurement:PublishTender", client.WithArguments(tenderID)),
		submitted(t, noop, "Noop:Put", client.WithArguments("ix-"+tenderID, "first run")),
	}
	li.indexedThrough(t, mine[len(mine)-1].block)
	require.ErrorIs(t, li.stop(), context.Canceled)
	stoppedAt, err := li.store.Checkpoint(context.Background())
	require.NoError(t, err)
	require.NoError(t, li.store.Close())

	// While it is down: more work, one of it invalid (endorsed by the
	// regulator's peer alone, which the policy does not accept).
	mine = append(mine,
		submitted(t, noop, "Noop:Put", client.WithArguments("ix-"+tenderID, "while stopped")),
		submitted(t, noop, "Noop:Put", client.WithArguments("ix-"+tenderID+"-rejected", "x"), client.WithEndorsingOrganizations("RegulatorMSP")),
	)
	last := mine[len(mine)-1]
	require.GreaterOrEqual(t, mine[3].block, stoppedAt.NextBlock, "these transactions come after where the first run stopped")
	require.Equal(t, peer.TxValidationCode_ENDORSEMENT_POLICY_FAILURE, last.code)

	// Restart on the same database file.
	li = startIndexer(t, db)
	cp := li.indexedThrough(t, last.block)
	require.ErrorIs(t, li.stop(), context.Canceled)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	store := li.store

	t.Run("holds every block once, with no gap", func(t *testing.T) {
		seen := map[string]uint64{}
		for n := range cp.NextBlock {
			rec, err := store.Block(ctx, n)
			require.NoError(t, err, "block %d", n)
			require.Equal(t, n, rec.Number)
			actions, err := store.BlockActions(ctx, n)
			require.NoError(t, err)
			require.Len(t, actions, rec.TxCount, "block %d", n)
			for i, a := range actions {
				require.Equal(t, i, a.TxIndex)
				if a.TxID == "" {
					continue // the genesis and config blocks' envelopes may carry none
				}
				prev, dup := seen[a.TxID]
				require.False(t, dup, "tx %s in blocks %d and %d", a.TxID, prev, n)
				seen[a.TxID] = n
			}
		}
	})

	t.Run("answers what buyer1 did exactly as the ledger has it", func(t *testing.T) {
		type row struct {
			TxID, Chaincode, Function, Validation string
			Block                                 uint64
			Code                                  int32
		}
		var want []row
		for _, m := range mine {
			want = append(want, row{m.txID, m.chaincode, m.function, m.code.String(), m.block, int32(m.code)})
		}
		var got []row
		q := indexer.ByIdentity(buyerMSP, buyer)
		q.Limit = 50
		for {
			page, err := store.Query(ctx, q)
			require.NoError(t, err)
			for _, a := range page.Actions {
				require.Equal(t, buyerMSP, a.CreatorMSPID)
				require.Equal(t, buyer, a.Subject)
				if a.BlockNumber < mine[0].block || a.BlockNumber > last.block {
					continue // other tests' work as buyer1
				}
				require.Equal(t, "buyer", a.Attributes["role"])
				got = append(got, row{a.TxID, a.Chaincode, a.Function, a.Validation, a.BlockNumber, a.ValidationCode})
			}
			if page.Next == "" {
				break
			}
			q.Cursor = page.Next
		}
		require.Equal(t, want, got)
	})

	auditor, auditorConn, err := net.Connect("AuditOfficeMSP", "peer0", "auditor1")
	require.NoError(t, err)
	defer func() {
		_ = auditor.Close()
		_ = auditorConn.Close()
	}()
	auditNet := auditor.GetNetwork(net.Topology.Channel.Name)

	t.Run("verifies against another organisation's peer", func(t *testing.T) {
		rep, err := indexer.Verify(ctx, indexer.NewNetworkSource(auditNet), store)
		require.NoError(t, err)
		require.Equal(t, cp.NextBlock, rep.Blocks)
		require.Equal(t, cp.LastHash, rep.LastBlockHash)
	})

	t.Run("exports reports whose block numbers and hashes the peer confirms", func(t *testing.T) {
		// The peer's own word on block n's hash is block n+1's previous
		// hash: make sure the last transaction's block has a successor.
		_, err := auditNet.GetContract("noop").SubmitTransaction("Noop:Put", "ix-"+tenderID+"-seal", "x")
		require.NoError(t, err)
		qscc := auditNet.GetContract("qscc")

		var js, sheet bytes.Buffer
		q := indexer.ByIdentity(buyerMSP, buyer)
		jsonSum, err := indexer.Export(ctx, store, q, indexer.FormatJSON, &js)
		require.NoError(t, err)
		csvSum, err := indexer.Export(ctx, store, q, indexer.FormatCSV, &sheet)
		require.NoError(t, err)
		require.Equal(t, jsonSum, csvSum)
		require.Equal(t, cp.NextBlock, jsonSum.IndexedBlocks)

		var report struct {
			IndexedBlocks uint64           `json:"indexedBlocks"`
			Actions       []indexer.Action `json:"actions"`
			Count         int              `json:"count"`
		}
		require.NoError(t, json.Unmarshal(js.Bytes(), &report))
		require.Equal(t, jsonSum.Actions, report.Count)
		byTx := map[string]indexer.Action{}
		for _, a := range report.Actions {
			byTx[a.TxID] = a
		}
		records, err := csv.NewReader(&sheet).ReadAll()
		require.NoError(t, err)
		require.Equal(t, indexer.CSVHeader, records[0])
		require.Len(t, records, report.Count+1)
		csvByTx := map[string][]string{}
		for _, r := range records[1:] {
			csvByTx[r[3]] = r
		}

		for _, m := range mine {
			a, ok := byTx[m.txID]
			require.True(t, ok, "JSON report lists %s", m.txID)
			r, ok := csvByTx[m.txID]
			require.True(t, ok, "CSV report lists %s", m.txID)
			require.Equal(t, m.block, a.BlockNumber)
			require.Equal(t, strconv.FormatUint(m.block, 10), r[0])
			require.Equal(t, a.BlockHash.String(), r[1])
			require.Equal(t, strconv.Itoa(a.TxIndex), r[2])

			held := peerBlock(t, qscc, m.block)
			require.Equal(t, m.txID, txIDAt(t, held, a.TxIndex), "the peer's block %d holds the transaction at the reported index", m.block)
			next := peerBlock(t, qscc, m.block+1)
			require.Equal(t, indexer.Hash(next.GetHeader().GetPreviousHash()).String(), r[1],
				"block %d's hash as the peer chained it", m.block)
		}
	})
}
