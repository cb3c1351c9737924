package contract_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/govledger/govledger/chaincode/ccerror"
	"github.com/govledger/govledger/chaincode/health"
	"github.com/govledger/govledger/chaincode/health/contract"
	"github.com/govledger/govledger/chaincode/internal/validate"
)

// raise creates a one-case threshold rule and submits the case that raises it.
func (f *fixture) raise(ruleID, region string) string {
	f.t.Helper()
	f.createRule(health.RuleInput{ID: ruleID, Condition: "icd-10:B05", Region: region, Method: health.MethodThreshold, Threshold: 1})
	r := caseReport(len(ruleID)*100+len(region), "2026-W10")
	r.Region = "021"
	out := f.mustSubmit(reporter1, r)
	require.NotEmpty(f.t, out.Alerts)
	return out.Alerts[0]
}

func TestAlertLifecycle(t *testing.T) {
	f := newFixture(t)
	id := f.raise("measles-021", "021")

	t.Run("refuses to close an alert nobody acknowledged", func(t *testing.T) {
		requireCode(t, f.call(true, epi, "CloseAlert", nil, id, health.CloseResolved),
			ccerror.FailedPrecondition, "", health.RuleStatus)
	})
	t.Run("acknowledges it", func(t *testing.T) {
		f.net.Ledger.Advance(time.Hour)
		res, err := f.net.Submit(epi, "health:AcknowledgeAlert", id)
		require.NoError(t, err)
		require.Equal(t, "alert.acknowledged", res.Event.GetEventName())
		var a health.Alert
		require.NoError(t, res.JSON(&a))
		require.Equal(t, health.StatusAcknowledged, a.Status)
		require.Equal(t, f.net.Ledger.Now(), a.AcknowledgedAt)
	})
	t.Run("refuses a free-text close reason", func(t *testing.T) {
		requireCode(t, f.call(true, epi, "CloseAlert", nil, id, "it was J. Smith"),
			ccerror.InvalidArgument, "reason", validate.RuleOneOf)
	})
	t.Run("closes it", func(t *testing.T) {
		f.net.Ledger.Advance(time.Hour)
		var a health.Alert
		f.must(true, epi, "CloseAlert", &a, id, health.CloseExpectedSeasonal)
		require.Equal(t, health.StatusClosed, a.Status)
		require.Equal(t, health.CloseExpectedSeasonal, a.CloseReason)
	})
	t.Run("refuses to acknowledge a closed alert", func(t *testing.T) {
		requireCode(t, f.call(true, epi, "AcknowledgeAlert", nil, id), ccerror.FailedPrecondition, "", health.RuleStatus)
	})
	t.Run("keeps every step in the key's history", func(t *testing.T) {
		var h contract.AlertHistory
		f.must(false, regulator, "GetAlertHistory", &h, id)
		var steps []health.Status
		for _, v := range h.Items {
			steps = append(steps, v.Alert.Status)
		}
		require.Equal(t, []health.Status{health.StatusClosed, health.StatusAcknowledged, health.StatusOpen}, steps)
		require.Equal(t, start.Add(2*time.Hour), h.Items[0].Timestamp)
	})
	t.Run("moves the alert between status listings", func(t *testing.T) {
		var page contract.AlertPage
		f.must(false, buyer, "ListAlerts", &page, "open", "0", "")
		require.Empty(t, page.Items)
		f.must(false, buyer, "ListAlerts", &page, "closed", "0", "")
		require.Len(t, page.Items, 1)
		f.must(false, buyer, "ListAlerts", &page, "", "0", "")
		require.Len(t, page.Items, 1)
		requireCode(t, f.call(false, buyer, "ListAlerts", nil, "pending", "0", ""), ccerror.InvalidArgument, "status")
	})
	t.Run("reads one alert", func(t *testing.T) {
		var a health.Alert
		f.must(false, regulator, "GetAlert", &a, id)
		require.Equal(t, id, a.ID)
		requireCode(t, f.call(false, regulator, "GetAlert", nil, "AL-none"), ccerror.NotFound)
		requireCode(t, f.call(false, regulator, "GetAlertHistory", nil, "AL-none"), ccerror.NotFound)
		requireCode(t, f.call(false, regulator, "GetAlertHistory", nil, "bad id"), ccerror.InvalidArgument, "alertId")
	})
}

func TestSeveralRulesRaiseInOneTransaction(t *testing.T) {
	f := newFixture(t)
	f.createRule(health.RuleInput{ID: "b-region", Condition: "icd-10:B05", Region: "021", Method: health.MethodThreshold, Threshold: 1})
	f.createRule(health.RuleInput{ID: "a-anywhere", Condition: "icd-10:B05", Region: "*", Method: health.MethodThreshold, Threshold: 1})
	f.createRule(health.RuleInput{ID: "c-off", Condition: "icd-10:B05", Region: "021", Method: health.MethodThreshold, Threshold: 1,
		Enabled: new(bool)})
	res, err := f.submit(reporter1, caseReport(1, "2026-W10"))
	require.NoError(t, err)
	var out contract.SubmitResult
	require.NoError(t, res.JSON(&out))
	w, err := health.ParseWeek("week", "2026-W10")
	require.NoError(t, err)
	regional, anywhere := health.AlertID("b-region", "021", w), health.AlertID("a-anywhere", "021", w)
	t.Run("regional rules first, disabled rules never", func(t *testing.T) {
		require.Equal(t, []string{regional, anywhere}, out.Alerts)
	})
	t.Run("the event names the first and lists the rest", func(t *testing.T) {
		var ev contract.OutbreakAlert
		require.NoError(t, json.Unmarshal(decodeEvent(t, res).Data, &ev))
		require.Equal(t, regional, ev.AlertID)
		require.Equal(t, []string{anywhere}, ev.AlsoRaised)
	})
}
