package txn_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	bolt "go.etcd.io/bbolt"

	"github.com/govledger/govledger/chaincode/ccerror"
	"github.com/govledger/govledger/gateway/internal/fakeledger"
	"github.com/govledger/govledger/gateway/internal/ledger"
	"github.com/govledger/govledger/gateway/internal/testpki"
	"github.com/govledger/govledger/gateway/internal/txn"
	"github.com/govledger/govledger/gateway/internal/wallet"
)

type fixture struct {
	t       *testing.T
	net     *fakeledger.Ledger
	path    string
	db      *bolt.DB
	svc     *txn.Service
	wallet  *wallet.Wallet
	buyer   *wallet.Identity
	keyless *wallet.Identity
	ext     testpki.Identity
	opts    []txn.Option
}

var fast = txn.Timeouts{Evaluate: time.Second, Endorse: time.Second, Submit: time.Second, CommitStatus: 300 * time.Millisecond}

func newFixture(t *testing.T, opts ...txn.Option) *fixture {
	t.Helper()
	buyer := testpki.New(t, "buyer1")
	ext := testpki.New(t, "external1")
	w := wallet.FromCredentials("ProcurementMSP", map[string]wallet.Credential{
		"buyer1":    {Certificate: buyer.CertPEM, Sign: buyer.Sign},
		"external1": {Certificate: ext.CertPEM},
	})
	f := &fixture{
		t:      t,
		net:    fakeledger.New(map[string]fakeledger.Chaincode{"procurement": fakeledger.Procurement()}),
		path:   filepath.Join(t.TempDir(), "gateway.db"),
		wallet: w,
		ext:    ext,
		opts:   opts,
	}
	f.buyer, _ = w.Identity("buyer1")
	f.keyless, _ = w.Identity("external1")
	f.open()
	t.Cleanup(f.close)
	return f
}

func (f *fixture) open() {
	f.t.Helper()
	db, err := bolt.Open(f.path, 0o600, &bolt.Options{Timeout: time.Second})
	require.NoError(f.t, err)
	opts := append([]txn.Option{
		txn.WithTimeouts(fast),
		txn.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))),
		txn.WithSigners(func(user string) (txn.Signer, bool) {
			id, err := f.wallet.Identity(user)
			return id, err == nil
		}),
	}, f.opts...)
	svc, err := txn.New(f.net, db, opts...)
	require.NoError(f.t, err)
	f.db, f.svc = db, svc
}

func (f *fixture) close() {
	if f.svc != nil {
		f.svc.Close()
		require.NoError(f.t, f.db.Close())
		f.svc = nil
	}
}

// restart simulates a gateway process restart on the same journal file.
func (f *fixture) restart() {
	f.close()
	f.open()
}

func createTender(id string) txn.Call {
	return txn.Call{
		Caller: "key:buyer-app", Chaincode: "procurement", Function: "CreateTender", Transaction: "tender:CreateTender",
		Args: [][]byte{[]byte(`{"id":"` + id + `","title":"Roads","budget":10,"deadline":"2026-01-01T00:00:00Z"}`)},
	}
}

func finding() txn.Call {
	return txn.Call{Caller: "key:auditor-app", Chaincode: "procurement", Function: "audit.RecordFinding", Transaction: "audit:RecordFinding", Args: [][]byte{[]byte("F1"), []byte("2")}}
}

func valid(net *fakeledger.Ledger) []fakeledger.TxRecord {
	var out []fakeledger.TxRecord
	for _, tx := range net.Transactions() {
		if tx.Code == ledger.CodeValid {
			out = append(out, tx)
		}
	}
	return out
}

func eventually(t *testing.T, cond func() bool) {
	t.Helper()
	require.Eventually(t, cond, 5*time.Second, 10*time.Millisecond)
}

func TestSubmit(t *testing.T) {
	t.Run("returns the result, block and validation code once committed", func(t *testing.T) {
		f := newFixture(t)
		r, err := f.svc.Submit(context.Background(), f.buyer, finding(), txn.SubmitOptions{})
		require.NoError(t, err)
		require.Equal(t, txn.StateCommitted, r.State)
		require.Equal(t, ledger.CodeValid, r.Code)
		require.Equal(t, []byte("1"), r.Result)
		require.Equal(t, uint64(1), r.Block)
		require.Equal(t, r.ID, r.TxID)
		v, ok := f.net.Value("procurement", "findings")
		require.True(t, ok)
		require.Equal(t, "1", string(v))
	})

	t.Run("reports a chaincode error with its ccerror body", func(t *testing.T) {
		f := newFixture(t)
		_, err := f.svc.Submit(context.Background(), f.buyer, createTender("T1"), txn.SubmitOptions{})
		require.NoError(t, err)
		_, err = f.svc.Submit(context.Background(), f.buyer, createTender("T1"), txn.SubmitOptions{})
		var ce *ledger.ChaincodeError
		require.ErrorAs(t, err, &ce)
		parsed, ok := ccerror.Parse(ce.Message)
		require.True(t, ok)
		require.Equal(t, ccerror.AlreadyExists, parsed.Code)
	})

	t.Run("refuses a caller whose key the gateway does not hold", func(t *testing.T) {
		f := newFixture(t)
		_, err := f.svc.Submit(context.Background(), f.keyless, finding(), txn.SubmitOptions{})
		require.ErrorIs(t, err, txn.ErrNotCustodial)
		_, err = f.svc.Evaluate(context.Background(), f.keyless, finding())
		require.ErrorIs(t, err, txn.ErrNotCustodial)
	})

	t.Run("settles a submit whose reply was lost by its commit status", func(t *testing.T) {
		f := newFixture(t)
		f.net.Inject(fakeledger.Fault{Phase: ledger.PhaseSubmit, Err: errors.New("connection reset"), AfterSend: true})
		r, err := f.svc.Submit(context.Background(), f.buyer, finding(), txn.SubmitOptions{Key: "k1"})
		require.NoError(t, err)
		require.Equal(t, txn.StateCommitted, r.State)
		require.Len(t, f.net.Transactions(), 1)
	})

	t.Run("re-endorses a read conflict as a new transaction", func(t *testing.T) {
		f := newFixture(t)
		f.net.InvalidateNext(ledger.CodeMVCCReadConflict, ledger.CodePhantomReadConflict)
		r, err := f.svc.Submit(context.Background(), f.buyer, finding(), txn.SubmitOptions{})
		require.NoError(t, err)
		require.Len(t, r.Attempts, 3)
		require.Equal(t, r.Attempts[0], r.ID)
		require.Equal(t, r.Attempts[2], r.TxID)
		require.Equal(t, ledger.CodeValid, r.Code)
		require.Len(t, valid(f.net), 1)
	})

	t.Run("gives up on read conflicts after the attempt budget", func(t *testing.T) {
		f := newFixture(t, txn.WithMaxAttempts(2))
		f.net.InvalidateNext(ledger.CodeMVCCReadConflict, ledger.CodeMVCCReadConflict, ledger.CodeMVCCReadConflict)
		_, err := f.svc.Submit(context.Background(), f.buyer, finding(), txn.SubmitOptions{Key: "k"})
		var ce *ledger.CommitError
		require.ErrorAs(t, err, &ce)
		require.Equal(t, ledger.CodeMVCCReadConflict, ce.Status.Code)
		require.Len(t, f.net.Transactions(), 2)

		_, again := f.svc.Submit(context.Background(), f.buyer, finding(), txn.SubmitOptions{Key: "k"})
		require.ErrorAs(t, again, &ce)
		require.Len(t, f.net.Transactions(), 2, "a replay sends nothing")
	})

	t.Run("does not retry a commit failure that is not a read conflict", func(t *testing.T) {
		f := newFixture(t)
		f.net.InvalidateNext("ENDORSEMENT_POLICY_FAILURE")
		_, err := f.svc.Submit(context.Background(), f.buyer, finding(), txn.SubmitOptions{})
		var ce *ledger.CommitError
		require.ErrorAs(t, err, &ce)
		require.Equal(t, "ENDORSEMENT_POLICY_FAILURE", ce.Status.Code)
		require.Len(t, f.net.Transactions(), 1)
	})

	t.Run("returns a pending error with the tx id when the caller stops waiting", func(t *testing.T) {
		f := newFixture(t, txn.WithTimeouts(txn.Timeouts{CommitStatus: 5 * time.Second}))
		f.net.HoldCommits()
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		_, err := f.svc.Submit(ctx, f.buyer, finding(), txn.SubmitOptions{})
		var pe *txn.PendingError
		require.ErrorAs(t, err, &pe)
		require.ErrorIs(t, err, context.DeadlineExceeded)
		require.NotEmpty(t, pe.TxID)
		f.net.ReleaseCommits()
		eventually(t, func() bool {
			r, err := f.svc.Receipt("key:auditor-app", pe.TxID)
			return err == nil && r.State == txn.StateCommitted
		})
	})

	t.Run("reports a lost commit status as pending and finishes on retry", func(t *testing.T) {
		f := newFixture(t)
		f.net.HoldCommits()
		_, err := f.svc.Submit(context.Background(), f.buyer, finding(), txn.SubmitOptions{Key: "slow"})
		var pe *txn.PendingError
		require.ErrorAs(t, err, &pe)
		f.net.ReleaseCommits()
		r, err := f.svc.Submit(context.Background(), f.buyer, finding(), txn.SubmitOptions{Key: "slow"})
		require.NoError(t, err)
		require.Equal(t, pe.TxID, r.TxID)
		require.Len(t, valid(f.net), 1)
	})

	t.Run("keeps the signed transaction when ordering is unreachable and resends it", func(t *testing.T) {
		f := newFixture(t)
		f.net.Inject(fakeledger.Fault{Phase: ledger.PhaseSubmit, Err: ledger.ErrUnavailable})
		_, err := f.svc.Submit(context.Background(), f.buyer, finding(), txn.SubmitOptions{Key: "k"})
		require.ErrorIs(t, err, ledger.ErrUnavailable)
		require.Empty(t, f.net.Transactions())
		r, err := f.svc.Submit(context.Background(), f.buyer, finding(), txn.SubmitOptions{Key: "k"})
		require.NoError(t, err)
		require.Len(t, r.Attempts, 1, "the resend is the same transaction")
	})

	t.Run("fails for good when ordering rejects the transaction", func(t *testing.T) {
		f := newFixture(t)
		f.net.Inject(fakeledger.Fault{Phase: ledger.PhaseSubmit, Err: ledger.ErrRejected})
		_, err := f.svc.Submit(context.Background(), f.buyer, finding(), txn.SubmitOptions{Key: "k"})
		require.ErrorIs(t, err, ledger.ErrRejected)
		_, err = f.svc.Submit(context.Background(), f.buyer, finding(), txn.SubmitOptions{Key: "k"})
		require.ErrorIs(t, err, ledger.ErrRejected)
		require.Empty(t, f.net.Transactions())
	})

	t.Run("does not journal an endorsement that timed out", func(t *testing.T) {
		f := newFixture(t, txn.WithTimeouts(txn.Timeouts{Endorse: 20 * time.Millisecond}))
		f.net.Inject(fakeledger.Fault{Phase: ledger.PhaseEndorse, Err: context.DeadlineExceeded})
		_, err := f.svc.Submit(context.Background(), f.buyer, finding(), txn.SubmitOptions{Key: "k"})
		require.ErrorIs(t, err, context.DeadlineExceeded)
		r, err := f.svc.Submit(context.Background(), f.buyer, finding(), txn.SubmitOptions{Key: "k"})
		require.NoError(t, err, "the retry endorses afresh")
		require.Equal(t, txn.StateCommitted, r.State)
	})
}

func TestIdempotency(t *testing.T) {
	t.Run("returns the same outcome for the same key and never a second transaction", func(t *testing.T) {
		f := newFixture(t)
		first, err := f.svc.Submit(context.Background(), f.buyer, finding(), txn.SubmitOptions{Key: "abc"})
		require.NoError(t, err)
		second, err := f.svc.Submit(context.Background(), f.buyer, finding(), txn.SubmitOptions{Key: "abc"})
		require.NoError(t, err)
		require.Equal(t, first.TxID, second.TxID)
		require.Equal(t, first.Result, second.Result)
		require.Len(t, f.net.Transactions(), 1)
	})

	t.Run("scopes keys to the caller", func(t *testing.T) {
		f := newFixture(t)
		a := finding()
		b := finding()
		b.Caller = "key:other-app"
		ra, err := f.svc.Submit(context.Background(), f.buyer, a, txn.SubmitOptions{Key: "same"})
		require.NoError(t, err)
		rb, err := f.svc.Submit(context.Background(), f.buyer, b, txn.SubmitOptions{Key: "same"})
		require.NoError(t, err)
		require.NotEqual(t, ra.TxID, rb.TxID)
	})

	t.Run("refuses a key reused for a different request", func(t *testing.T) {
		f := newFixture(t)
		_, err := f.svc.Submit(context.Background(), f.buyer, createTender("T1"), txn.SubmitOptions{Key: "k"})
		require.NoError(t, err)
		_, err = f.svc.Submit(context.Background(), f.buyer, createTender("T2"), txn.SubmitOptions{Key: "k"})
		require.ErrorIs(t, err, txn.ErrKeyReused)
		var kr *txn.KeyReusedError
		require.ErrorAs(t, err, &kr)
		require.Equal(t, "k", kr.Key)
	})

	t.Run("treats different private inputs as a different request", func(t *testing.T) {
		f := newFixture(t)
		_, err := f.svc.Submit(context.Background(), f.buyer, createTender("T1"), txn.SubmitOptions{})
		require.NoError(t, err)
		bid := func(amount string) txn.Call {
			return txn.Call{Caller: "key:supplier", Chaincode: "procurement", Function: "SubmitBid", Transaction: "tender:SubmitBid",
				Args: [][]byte{[]byte("T1")}, Transient: map[string][]byte{"bid": []byte(amount)}}
		}
		_, err = f.svc.Submit(context.Background(), f.buyer, bid("100"), txn.SubmitOptions{Key: "bid"})
		require.NoError(t, err)
		_, err = f.svc.Submit(context.Background(), f.buyer, bid("90"), txn.SubmitOptions{Key: "bid"})
		require.ErrorIs(t, err, txn.ErrKeyReused)
	})

	t.Run("replays a chaincode error without endorsing again", func(t *testing.T) {
		f := newFixture(t)
		award := txn.Call{Caller: "key:buyer-app", Chaincode: "procurement", Function: "Award", Transaction: "tender:Award",
			Args: [][]byte{[]byte("T1"), []byte("SUP-A"), []byte("true")}}
		_, err := f.svc.Submit(context.Background(), f.buyer, award, txn.SubmitOptions{Key: "award"})
		var ce *ledger.ChaincodeError
		require.ErrorAs(t, err, &ce)
		_, err = f.svc.Submit(context.Background(), f.buyer, createTender("T1"), txn.SubmitOptions{})
		require.NoError(t, err)
		_, err = f.svc.Submit(context.Background(), f.buyer, award, txn.SubmitOptions{Key: "award"})
		require.ErrorAs(t, err, &ce, "the stored outcome wins although the award would now succeed")
		parsed, ok := ccerror.Parse(ce.Message)
		require.True(t, ok)
		require.Equal(t, ccerror.NotFound, parsed.Code)
	})

	t.Run("joins a concurrent request with the same key", func(t *testing.T) {
		f := newFixture(t)
		f.net.HoldCommits()
		results := make(chan *txn.Receipt, 2)
		for range 2 {
			go func() {
				r, err := f.svc.Submit(context.Background(), f.buyer, finding(), txn.SubmitOptions{Key: "together"})
				if err != nil {
					results <- nil
					return
				}
				results <- r
			}()
		}
		eventually(t, func() bool { return len(f.net.Transactions()) == 0 && heldOne(f) })
		f.net.ReleaseCommits()
		a, b := <-results, <-results
		require.NotNil(t, a)
		require.NotNil(t, b)
		require.Equal(t, a.TxID, b.TxID)
		require.Len(t, f.net.Transactions(), 1)
	})

	t.Run("survives a restart: same key, same outcome, no new transaction", func(t *testing.T) {
		f := newFixture(t)
		first, err := f.svc.Submit(context.Background(), f.buyer, finding(), txn.SubmitOptions{Key: "durable"})
		require.NoError(t, err)
		f.restart()
		again, err := f.svc.Submit(context.Background(), f.buyer, finding(), txn.SubmitOptions{Key: "durable"})
		require.NoError(t, err)
		require.Equal(t, first.TxID, again.TxID)
		require.Equal(t, first.Block, again.Block)
		require.Len(t, f.net.Transactions(), 1)
	})

	t.Run("settles after a restart by resending the same signed transaction", func(t *testing.T) {
		f := newFixture(t)
		f.net.HoldCommits()
		_, err := f.svc.Submit(context.Background(), f.buyer, finding(), txn.SubmitOptions{Key: "crash"})
		var pe *txn.PendingError
		require.ErrorAs(t, err, &pe)
		f.restart()
		n, err := f.svc.Recover()
		require.NoError(t, err)
		require.Equal(t, 1, n)
		f.net.ReleaseCommits()
		eventually(t, func() bool {
			r, err := f.svc.Receipt("key:auditor-app", pe.TxID)
			return err == nil && r.State == txn.StateCommitted
		})
		txs := f.net.Transactions()
		require.Len(t, txs, 2, "the original and its resend")
		require.Equal(t, txs[0].TxID, txs[1].TxID, "the resend is the same transaction")
		require.Equal(t, "DUPLICATE_TXID", txs[1].Code)
		r, err := f.svc.Submit(context.Background(), f.buyer, finding(), txn.SubmitOptions{Key: "crash"})
		require.NoError(t, err)
		require.Equal(t, pe.TxID, r.TxID)
	})

	t.Run("never writes private inputs to the journal", func(t *testing.T) {
		f := newFixture(t)
		_, err := f.svc.Submit(context.Background(), f.buyer, createTender("T1"), txn.SubmitOptions{})
		require.NoError(t, err)
		bid := txn.Call{Caller: "key:supplier", Chaincode: "procurement", Function: "SubmitBid", Transaction: "tender:SubmitBid",
			Args: [][]byte{[]byte("T1")}, Transient: map[string][]byte{"bid": []byte("SECRET-PRICE-4242")}}
		_, err = f.svc.Submit(context.Background(), f.buyer, bid, txn.SubmitOptions{Key: "bid"})
		require.NoError(t, err)
		f.close()
		raw, err := os.ReadFile(f.path)
		require.NoError(t, err)
		require.False(t, bytes.Contains(raw, []byte("SECRET-PRICE-4242")))
	})

	t.Run("leaves an operation needing private inputs for its client to resume", func(t *testing.T) {
		f := newFixture(t)
		_, err := f.svc.Submit(context.Background(), f.buyer, createTender("T1"), txn.SubmitOptions{})
		require.NoError(t, err)
		bid := txn.Call{Caller: "key:supplier", Chaincode: "procurement", Function: "SubmitBid", Transaction: "tender:SubmitBid",
			Args: [][]byte{[]byte("T1")}, Transient: map[string][]byte{"bid": []byte("100")}}
		f.net.HoldCommits()
		_, err = f.svc.Submit(context.Background(), f.buyer, bid, txn.SubmitOptions{Key: "bid"})
		require.ErrorAs(t, err, new(*txn.PendingError))
		f.net.InvalidateNext(ledger.CodeMVCCReadConflict)
		f.restart()
		_, err = f.svc.Recover()
		require.NoError(t, err)
		f.net.ReleaseCommits()
		eventually(t, func() bool { return len(f.net.Transactions()) >= 2 })
		r, err := f.svc.Submit(context.Background(), f.buyer, bid, txn.SubmitOptions{Key: "bid"})
		require.NoError(t, err)
		require.Equal(t, txn.StateCommitted, r.State)
		require.Len(t, r.Attempts, 2)
	})
}

func heldOne(f *fixture) bool {
	// Both requests are waiting on one flight once the first has been
	// ordered; the fake holds it without a block.
	h, err := f.net.Height(context.Background())
	return err == nil && h == 1
}

func TestAsync(t *testing.T) {
	t.Run("returns a pending receipt once ordered and commits in the background", func(t *testing.T) {
		f := newFixture(t, txn.WithTimeouts(txn.Timeouts{CommitStatus: 5 * time.Second}))
		f.net.HoldCommits()
		r, err := f.svc.Submit(context.Background(), f.buyer, finding(), txn.SubmitOptions{Async: true})
		require.NoError(t, err)
		require.Equal(t, txn.StatePending, r.State)
		got, err := f.svc.Receipt("key:auditor-app", r.TxID)
		require.NoError(t, err)
		require.Equal(t, txn.StatePending, got.State)
		f.net.ReleaseCommits()
		eventually(t, func() bool {
			got, err := f.svc.Receipt("key:auditor-app", r.TxID)
			return err == nil && got.State == txn.StateCommitted && string(got.Result) == "1"
		})
	})

	t.Run("reports an endorsement failure immediately", func(t *testing.T) {
		f := newFixture(t)
		call := txn.Call{Caller: "c", Chaincode: "procurement", Function: "GetTender", Transaction: "tender:GetTender", Args: [][]byte{[]byte("nope")}}
		_, err := f.svc.Submit(context.Background(), f.buyer, call, txn.SubmitOptions{Async: true})
		require.ErrorAs(t, err, new(*ledger.ChaincodeError))
	})

	t.Run("hides receipts from other callers", func(t *testing.T) {
		f := newFixture(t)
		r, err := f.svc.Submit(context.Background(), f.buyer, finding(), txn.SubmitOptions{})
		require.NoError(t, err)
		_, err = f.svc.Receipt("key:someone-else", r.TxID)
		require.ErrorIs(t, err, txn.ErrNoReceipt)
		_, err = f.svc.Receipt("key:auditor-app", "unknown")
		require.ErrorIs(t, err, txn.ErrNoReceipt)
	})
}

func TestEvaluate(t *testing.T) {
	f := newFixture(t)
	_, err := f.svc.Submit(context.Background(), f.buyer, createTender("T1"), txn.SubmitOptions{})
	require.NoError(t, err)
	get := func(id string) txn.Call {
		return txn.Call{Caller: "c", Chaincode: "procurement", Function: "GetTender", Transaction: "tender:GetTender", Args: [][]byte{[]byte(id)}}
	}

	t.Run("reads committed state", func(t *testing.T) {
		out, err := f.svc.Evaluate(context.Background(), f.buyer, get("T1"))
		require.NoError(t, err)
		require.Contains(t, string(out), `"id":"T1"`)
	})

	t.Run("reports a chaincode error", func(t *testing.T) {
		_, err := f.svc.Evaluate(context.Background(), f.buyer, get("T9"))
		var ce *ledger.ChaincodeError
		require.ErrorAs(t, err, &ce)
	})

	t.Run("times out on its own deadline", func(t *testing.T) {
		g := newFixture(t, txn.WithTimeouts(txn.Timeouts{Evaluate: 20 * time.Millisecond}))
		g.net.Inject(fakeledger.Fault{Phase: ledger.PhaseEvaluate, Err: context.DeadlineExceeded})
		_, err := g.svc.Evaluate(context.Background(), g.buyer, get("T1"))
		var pe *ledger.PhaseError
		require.ErrorAs(t, err, &pe)
		require.True(t, pe.Timeout())
	})
}

func TestOffline(t *testing.T) {
	t.Run("endorses and commits a transaction the client signed itself", func(t *testing.T) {
		f := newFixture(t)
		call := finding()
		prop, err := f.svc.Prepare(f.keyless.Creator(), call)
		require.NoError(t, err)
		sig, err := f.ext.Sign(prop.Digest)
		require.NoError(t, err)
		endorsed, err := f.svc.EndorseSigned(context.Background(), ledger.Signed{Bytes: prop.Bytes, Signature: sig})
		require.NoError(t, err)
		require.Equal(t, prop.TxID, endorsed.TxID)
		txSig, err := f.ext.Sign(endorsed.Digest)
		require.NoError(t, err)
		signed := ledger.Signed{Bytes: endorsed.Bytes, Signature: txSig}
		r, err := f.svc.SubmitSigned(context.Background(), call, signed, false)
		require.NoError(t, err)
		require.Equal(t, txn.StateCommitted, r.State)
		require.Equal(t, []byte("1"), r.Result)

		again, err := f.svc.SubmitSigned(context.Background(), call, signed, false)
		require.NoError(t, err)
		require.Equal(t, r.TxID, again.TxID)
		require.Len(t, f.net.Transactions(), 1)
	})

	t.Run("evaluates a proposal the client signed", func(t *testing.T) {
		f := newFixture(t)
		prop, err := f.svc.Prepare(f.keyless.Creator(), finding())
		require.NoError(t, err)
		sig, err := f.ext.Sign(prop.Digest)
		require.NoError(t, err)
		out, err := f.svc.EvaluateSigned(context.Background(), ledger.Signed{Bytes: prop.Bytes, Signature: sig})
		require.NoError(t, err)
		require.Equal(t, []byte("1"), out)
	})

	t.Run("rejects a signature by another key", func(t *testing.T) {
		f := newFixture(t)
		prop, err := f.svc.Prepare(f.keyless.Creator(), finding())
		require.NoError(t, err)
		sig, err := f.buyer.Sign(prop.Digest)
		require.NoError(t, err)
		_, err = f.svc.EndorseSigned(context.Background(), ledger.Signed{Bytes: prop.Bytes, Signature: sig})
		require.ErrorIs(t, err, ledger.ErrRejected)
	})

	t.Run("does not retry a read conflict it cannot sign for", func(t *testing.T) {
		f := newFixture(t)
		call := finding()
		prop, _ := f.svc.Prepare(f.keyless.Creator(), call)
		sig, _ := f.ext.Sign(prop.Digest)
		endorsed, err := f.svc.EndorseSigned(context.Background(), ledger.Signed{Bytes: prop.Bytes, Signature: sig})
		require.NoError(t, err)
		txSig, _ := f.ext.Sign(endorsed.Digest)
		f.net.InvalidateNext(ledger.CodeMVCCReadConflict)
		_, err = f.svc.SubmitSigned(context.Background(), call, ledger.Signed{Bytes: endorsed.Bytes, Signature: txSig}, false)
		var ce *ledger.CommitError
		require.ErrorAs(t, err, &ce)
	})

	t.Run("refuses bytes that are not a transaction", func(t *testing.T) {
		f := newFixture(t)
		_, err := f.svc.SubmitSigned(context.Background(), finding(), ledger.Signed{Bytes: []byte("junk"), Signature: []byte("x")}, false)
		require.ErrorIs(t, err, ledger.ErrRejected)
	})
}

func TestLifecycle(t *testing.T) {
	t.Run("drains submits in flight and then refuses new ones", func(t *testing.T) {
		f := newFixture(t, txn.WithTimeouts(txn.Timeouts{CommitStatus: 5 * time.Second}))
		f.net.HoldCommits()
		r, err := f.svc.Submit(context.Background(), f.buyer, finding(), txn.SubmitOptions{Async: true})
		require.NoError(t, err)
		drained := make(chan error, 1)
		go func() { drained <- f.svc.Drain(context.Background()) }()
		eventually(t, func() bool {
			_, err := f.svc.Submit(context.Background(), f.buyer, finding(), txn.SubmitOptions{Async: true})
			return errors.Is(err, txn.ErrShuttingDown)
		})
		select {
		case err := <-drained:
			t.Fatalf("drain returned (%v) while a submit was in flight", err)
		case <-time.After(50 * time.Millisecond):
		}
		f.net.ReleaseCommits()
		require.NoError(t, <-drained)
		got, err := f.svc.Receipt("key:auditor-app", r.TxID)
		require.NoError(t, err)
		require.Equal(t, txn.StateCommitted, got.State)
	})

	t.Run("gives up draining when its context ends", func(t *testing.T) {
		f := newFixture(t, txn.WithTimeouts(txn.Timeouts{CommitStatus: 5 * time.Second}))
		f.net.HoldCommits()
		_, err := f.svc.Submit(context.Background(), f.buyer, finding(), txn.SubmitOptions{Async: true})
		require.NoError(t, err)
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
		defer cancel()
		require.ErrorIs(t, f.svc.Drain(ctx), context.DeadlineExceeded)
	})

	t.Run("prunes finished operations after the retention period", func(t *testing.T) {
		now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		f := newFixture(t, txn.WithClock(func() time.Time { return now }), txn.WithRetention(time.Hour))
		r, err := f.svc.Submit(context.Background(), f.buyer, finding(), txn.SubmitOptions{Key: "old"})
		require.NoError(t, err)
		n, err := f.svc.Prune()
		require.NoError(t, err)
		require.Zero(t, n)
		now = now.Add(2 * time.Hour)
		n, err = f.svc.Prune()
		require.NoError(t, err)
		require.Equal(t, 1, n)
		_, err = f.svc.Receipt("key:auditor-app", r.TxID)
		require.ErrorIs(t, err, txn.ErrNoReceipt)
	})

	t.Run("validates its options", func(t *testing.T) {
		db, err := bolt.Open(filepath.Join(t.TempDir(), "x.db"), 0o600, nil)
		require.NoError(t, err)
		defer func() { _ = db.Close() }()
		_, err = txn.New(nil, db, txn.WithMaxAttempts(0))
		require.Error(t, err)
		_, err = txn.New(nil, db, txn.WithRetention(0))
		require.Error(t, err)
	})
}
