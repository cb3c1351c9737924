package health_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/govledger/govledger/chaincode/ccerror"
	"github.com/govledger/govledger/chaincode/health"
	"github.com/govledger/govledger/chaincode/internal/validate"
)

func TestAlertID(t *testing.T) {
	w := week(t, "2026-W07")
	id := health.AlertID("flu-c1", "021", w)
	t.Run("is the same on every call", func(t *testing.T) {
		require.Equal(t, id, health.AlertID("flu-c1", "021", w))
	})
	t.Run("differs by rule, region and week", func(t *testing.T) {
		require.NotEqual(t, id, health.AlertID("flu-c2", "021", w))
		require.NotEqual(t, id, health.AlertID("flu-c1", "022", w))
		require.NotEqual(t, id, health.AlertID("flu-c1", "021", w.Add(1)))
	})
	t.Run("is a valid identifier", func(t *testing.T) {
		require.NoError(t, validate.ID("alertId", id))
	})
}

func TestRaise(t *testing.T) {
	w := week(t, "2026-W07")
	t.Run("bands the count and keeps the EARS statistic", func(t *testing.T) {
		r := health.Rule{ID: "flu-c1", Condition: "icd-10:J10", Region: "*", Method: health.MethodEARSC1}
		a := health.Raise(r, "021", w, 12, 5, health.Verdict{Raise: true, Statistic: 3703, HasStatistic: true}, t0, "tx1")
		require.Equal(t, health.Alert{ID: health.AlertID("flu-c1", "021", w), RuleID: "flu-c1", Method: health.MethodEARSC1,
			Condition: "icd-10:J10", Region: "021", Week: "2026-W07", CountBand: "10-19", Statistic: 3703,
			Status: health.StatusOpen, RaisedAt: t0, RaisedTx: "tx1"}, a)
	})
	t.Run("suppresses a small count and has no statistic for a threshold", func(t *testing.T) {
		r := health.Rule{ID: "measles", Condition: "icd-10:B05", Region: "021", Method: health.MethodThreshold, Threshold: 1}
		a := health.Raise(r, "021", w, 1, 5, health.Verdict{Raise: true}, t0, "tx2")
		require.Equal(t, "<5", a.CountBand)
		require.Zero(t, a.Statistic)
	})
}

func TestAlertApply(t *testing.T) {
	open := health.Alert{ID: "AL-1", Status: health.StatusOpen}
	acked := health.Alert{ID: "AL-1", Status: health.StatusAcknowledged}
	closed := health.Alert{ID: "AL-1", Status: health.StatusClosed}
	later := t0.Add(2 * time.Hour)

	t.Run("acknowledges an open alert, recording who and when", func(t *testing.T) {
		a, err := open.Apply(health.ActionAcknowledge, epi, later, "")
		require.NoError(t, err)
		require.Equal(t, health.StatusAcknowledged, a.Status)
		require.Equal(t, later, a.AcknowledgedAt)
		require.Equal(t, &epi, a.AcknowledgedBy)
	})
	t.Run("closes an acknowledged alert with a reason", func(t *testing.T) {
		a, err := acked.Apply(health.ActionClose, epi, later, health.CloseFalsePositive)
		require.NoError(t, err)
		require.Equal(t, health.StatusClosed, a.Status)
		require.Equal(t, health.CloseFalsePositive, a.CloseReason)
		require.Equal(t, later, a.ClosedAt)
		require.Equal(t, &epi, a.ClosedBy)
	})
	refused := []struct {
		name   string
		alert  health.Alert
		action health.Action
	}{
		{"refuses to close an alert nobody acknowledged", open, health.ActionClose},
		{"refuses to acknowledge twice", acked, health.ActionAcknowledge},
		{"refuses to acknowledge a closed alert", closed, health.ActionAcknowledge},
		{"refuses to close twice", closed, health.ActionClose},
		{"refuses an unknown action", open, health.Action("escalate")},
	}
	for _, tt := range refused {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.alert.Apply(tt.action, epi, later, health.CloseResolved)
			var te *health.TransitionError
			require.ErrorAs(t, err, &te)
			require.Equal(t, tt.alert.Status, te.From)
			require.ErrorIs(t, err, health.ErrTransition)
			var ce *ccerror.Error
			require.ErrorAs(t, ccerror.From(err), &ce)
			require.Equal(t, ccerror.FailedPrecondition, ce.Code)
			require.Equal(t, health.RuleStatus, ce.Rule)
		})
	}
	t.Run("refuses a free-text close reason", func(t *testing.T) {
		_, err := acked.Apply(health.ActionClose, epi, later, "patient J. Smith recovered")
		requireField(t, err, "reason", validate.RuleOneOf)
	})
	t.Run("refuses a reason when acknowledging", func(t *testing.T) {
		_, err := open.Apply(health.ActionAcknowledge, epi, later, health.CloseResolved)
		requireField(t, err, "reason", validate.RuleOneOf)
	})
}
