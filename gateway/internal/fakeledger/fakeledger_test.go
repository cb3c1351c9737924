package fakeledger_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/govledger/govledger/gateway/internal/fakeledger"
	"github.com/govledger/govledger/gateway/internal/ledger"
	"github.com/govledger/govledger/gateway/internal/testpki"
)

type client struct {
	t   *testing.T
	net *fakeledger.Ledger
	id  testpki.Identity
}

func newClient(t *testing.T) *client {
	return &client{t: t, net: fakeledger.New(map[string]fakeledger.Chaincode{"procurement": fakeledger.Procurement()}), id: testpki.New(t, "buyer1")}
}

func (c *client) endorse(fn string, args ...string) ledger.Signed {
	c.t.Helper()
	var raw [][]byte
	for _, a := range args {
		raw = append(raw, []byte(a))
	}
	prop, err := c.net.NewProposal(ledger.ProposalSpec{Chaincode: "procurement", Transaction: fn, Args: raw,
		Creator: ledger.Creator{MSPID: "ProcurementMSP", Certificate: c.id.CertPEM}})
	require.NoError(c.t, err)
	sig, err := c.id.Sign(prop.Digest)
	require.NoError(c.t, err)
	tx, err := c.net.Endorse(context.Background(), ledger.Signed{Bytes: prop.Bytes, Signature: sig})
	require.NoError(c.t, err)
	sig, err = c.id.Sign(tx.Digest)
	require.NoError(c.t, err)
	return ledger.Signed{Bytes: tx.Bytes, Signature: sig}
}

func (c *client) commit(tx ledger.Signed) ledger.Status {
	c.t.Helper()
	require.NoError(c.t, c.net.Submit(context.Background(), tx))
	parsed, err := c.net.ParseTransaction(tx.Bytes)
	require.NoError(c.t, err)
	st, err := c.net.CommitStatus(context.Background(), parsed.TxID)
	require.NoError(c.t, err)
	return st
}

func TestLedger(t *testing.T) {
	t.Run("invalidates the second of two transactions that read the same version", func(t *testing.T) {
		c := newClient(t)
		a := c.endorse("audit:RecordFinding", "F1", "1")
		b := c.endorse("audit:RecordFinding", "F2", "1")
		require.True(t, c.commit(a).Valid())
		require.Equal(t, ledger.CodeMVCCReadConflict, c.commit(b).Code)
		v, _ := c.net.Value("procurement", "findings")
		require.Equal(t, "1", string(v))
	})

	t.Run("orders a resent transaction as a duplicate and keeps the first status", func(t *testing.T) {
		c := newClient(t)
		tx := c.endorse("audit:RecordFinding", "F1", "1")
		first := c.commit(tx)
		second := c.commit(tx)
		require.Equal(t, first, second)
		txs := c.net.Transactions()
		require.Len(t, txs, 2)
		require.Equal(t, "DUPLICATE_TXID", txs[1].Code)
	})

	t.Run("replays events after a checkpoint", func(t *testing.T) {
		c := newClient(t)
		c.commit(c.endorse("tender:CreateTender", `{"id":"A"}`))
		second := c.commit(c.endorse("tender:CreateTender", `{"id":"B"}`))
		third := c.commit(c.endorse("tender:CreateTender", `{"id":"C"}`))
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		ch, err := c.net.ChaincodeEvents(ctx, "procurement", &ledger.Position{Block: second.Block, AfterTxID: second.TxID})
		require.NoError(t, err)
		ev := <-ch
		require.Equal(t, third.TxID, ev.TxID)
		require.Equal(t, "TenderCreated", ev.Name)
	})

	t.Run("refuses a transaction signed by someone else", func(t *testing.T) {
		c := newClient(t)
		tx := c.endorse("audit:RecordFinding", "F1", "1")
		other := testpki.New(t, "mallory")
		sig, err := other.Sign(tx.Bytes)
		require.NoError(t, err)
		require.ErrorIs(t, c.net.Submit(context.Background(), ledger.Signed{Bytes: tx.Bytes, Signature: sig}), ledger.ErrRejected)
	})

	t.Run("holds commits until released", func(t *testing.T) {
		c := newClient(t)
		c.net.HoldCommits()
		tx := c.endorse("audit:RecordFinding", "F1", "1")
		require.NoError(t, c.net.Submit(context.Background(), tx))
		parsed, err := c.net.ParseTransaction(tx.Bytes)
		require.NoError(t, err)
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
		defer cancel()
		_, err = c.net.CommitStatus(ctx, parsed.TxID)
		require.ErrorIs(t, err, context.DeadlineExceeded)
		c.net.ReleaseCommits()
		st, err := c.net.CommitStatus(context.Background(), parsed.TxID)
		require.NoError(t, err)
		require.True(t, st.Valid())
	})

	t.Run("fails every call while down", func(t *testing.T) {
		c := newClient(t)
		c.net.SetDown(true)
		require.ErrorIs(t, c.net.Ready(context.Background()), ledger.ErrUnavailable)
		_, err := c.net.Metadata(context.Background(), "procurement")
		require.ErrorIs(t, err, ledger.ErrUnavailable)
		_, err = c.net.Height(context.Background())
		require.ErrorIs(t, err, ledger.ErrUnavailable)
		c.net.SetDown(false)
		require.NoError(t, c.net.Ready(context.Background()))
	})

	t.Run("applies a fault the given number of times", func(t *testing.T) {
		c := newClient(t)
		boom := errors.New("boom")
		c.net.Inject(fakeledger.Fault{Phase: ledger.PhaseEvents, Err: boom, Times: 2})
		for range 2 {
			_, err := c.net.Height(context.Background())
			require.ErrorIs(t, err, boom)
		}
		_, err := c.net.Height(context.Background())
		require.NoError(t, err)
	})

	t.Run("reports unknown chaincodes and functions", func(t *testing.T) {
		c := newClient(t)
		_, err := c.net.Metadata(context.Background(), "payroll")
		require.ErrorIs(t, err, ledger.ErrNotFound)
		prop, err := c.net.NewProposal(ledger.ProposalSpec{Chaincode: "procurement", Transaction: "tender:Nope",
			Creator: ledger.Creator{MSPID: "M", Certificate: c.id.CertPEM}})
		require.NoError(t, err)
		sig, _ := c.id.Sign(prop.Digest)
		_, err = c.net.Evaluate(context.Background(), ledger.Signed{Bytes: prop.Bytes, Signature: sig})
		require.ErrorAs(t, err, new(*ledger.ChaincodeError))
		_, err = c.net.NewProposal(ledger.ProposalSpec{Chaincode: "procurement"})
		require.Error(t, err)
	})
}
