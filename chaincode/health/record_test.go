package health_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/govledger/govledger/chaincode/ccerror"
	"github.com/govledger/govledger/chaincode/health"
	"github.com/govledger/govledger/chaincode/internal/validate"
)

func TestDerivedIDs(t *testing.T) {
	t.Run("derive the same record ID from the same transaction", func(t *testing.T) {
		first, again := health.RecordID("tx1"), health.RecordID("tx1")
		require.Equal(t, first, again)
	})
	t.Run("derive distinct IDs for distinct transactions and kinds", func(t *testing.T) {
		require.NotEqual(t, health.RecordID("tx1"), health.RecordID("tx2"))
		require.NotEqual(t, health.RecordID("tx1")[3:], health.ReceiptID("tx1")[3:])
	})
	t.Run("are valid identifiers", func(t *testing.T) {
		require.NoError(t, validate.ID("recordId", health.RecordID("tx1")))
		require.NoError(t, validate.ID("receiptId", health.ReceiptID("tx1")))
	})
}

func TestReceipt(t *testing.T) {
	clinician := health.Reader{MSPID: "HospitalMSP", ID: "clinician1", Role: "clinician", Agency: "HOSP1"}
	rc, err := health.NewReceipt("CR-1", health.PurposeCaseFollowUp, clinician, t0, "tx9")
	require.NoError(t, err)

	t.Run("records who, when, why and which record", func(t *testing.T) {
		require.Equal(t, health.AccessReceipt{ID: health.ReceiptID("tx9"), RecordID: "CR-1", Purpose: health.PurposeCaseFollowUp,
			Reader: clinician, At: t0, ValidUntil: t0.Add(health.ReceiptValidity), TxID: "tx9"}, rc)
	})
	t.Run("refuses a free-text purpose", func(t *testing.T) {
		_, err := health.NewReceipt("CR-1", "checking on J. Smith", clinician, t0, "tx9")
		requireField(t, err, "purpose", validate.RuleOneOf)
	})
	t.Run("admits its reader within the window", func(t *testing.T) {
		require.NoError(t, rc.Admits(clinician, t0.Add(time.Minute)))
		require.NoError(t, rc.Admits(clinician, rc.ValidUntil))
	})
	t.Run("refuses another reader", func(t *testing.T) {
		other := clinician
		other.ID = "clinician2"
		err := rc.Admits(other, t0)
		require.ErrorIs(t, err, health.ErrReceiptHolder)
		require.ErrorIs(t, err, ccerror.ErrPermissionDenied)
	})
	expired := map[string]time.Time{"before it was issued": t0.Add(-time.Second), "after the window": rc.ValidUntil.Add(time.Second)}
	for name, at := range expired {
		t.Run("refuses a read "+name, func(t *testing.T) {
			var ce *ccerror.Error
			require.ErrorAs(t, rc.Admits(clinician, at), &ce)
			require.Equal(t, ccerror.FailedPrecondition, ce.Code)
			require.Equal(t, "receipt-expired", ce.Rule)
		})
	}
}
