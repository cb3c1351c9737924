package ledger_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/govledger/govledger/gateway/internal/ledger"
)

func TestEventID(t *testing.T) {
	t.Run("round-trips through the position just after the event", func(t *testing.T) {
		ev := ledger.Event{Block: 12, TxID: "abc"}
		require.Equal(t, "12:abc", ev.ID())
		pos, err := ledger.ParseEventID(ev.ID())
		require.NoError(t, err)
		require.Equal(t, ev.Position(), pos)
	})

	for _, bad := range []string{"", "12", "x:abc", "12:", "-1:abc"} {
		t.Run("refuses "+bad, func(t *testing.T) {
			_, err := ledger.ParseEventID(bad)
			require.ErrorIs(t, err, ledger.ErrBadEventID)
		})
	}
}

func TestStatus(t *testing.T) {
	require.True(t, ledger.Status{Code: ledger.CodeValid}.Valid())
	require.True(t, ledger.Status{Code: ledger.CodePhantomReadConflict}.Retryable())
	require.False(t, ledger.Status{Code: "ENDORSEMENT_POLICY_FAILURE"}.Retryable())
}

func TestErrors(t *testing.T) {
	t.Run("a phase error says which transaction failed and whether it timed out", func(t *testing.T) {
		err := &ledger.PhaseError{Phase: ledger.PhaseCommitStatus, TxID: "tx1", Err: context.DeadlineExceeded}
		require.True(t, err.Timeout())
		require.ErrorIs(t, err, context.DeadlineExceeded)
		require.Contains(t, err.Error(), "tx1")
		require.Contains(t, (&ledger.PhaseError{Phase: ledger.PhaseEvaluate, Err: ledger.ErrUnavailable}).Error(), "evaluate")
	})

	t.Run("chaincode and commit errors carry their details", func(t *testing.T) {
		require.Contains(t, (&ledger.ChaincodeError{Status: 500, Message: "boom"}).Error(), "boom")
		require.Contains(t, (&ledger.CommitError{Status: ledger.Status{TxID: "t", Block: 3, Code: ledger.CodeMVCCReadConflict}}).Error(), "MVCC_READ_CONFLICT")
	})
}
