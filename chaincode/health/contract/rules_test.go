package contract_test

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/govledger/govledger/chaincode/ccerror"
	"github.com/govledger/govledger/chaincode/health"
	"github.com/govledger/govledger/chaincode/health/contract"
	"github.com/govledger/govledger/chaincode/internal/validate"
)

func ruleJSON(t testing.TB, in health.RuleInput) string {
	t.Helper()
	b, err := json.Marshal(in)
	require.NoError(t, err)
	return string(b)
}

func TestAlertRules(t *testing.T) {
	f := newFixture(t)
	in := health.RuleInput{ID: "flu-c2", Condition: "icd-10:J10", Region: "021", Method: health.MethodEARSC2}

	t.Run("creates a rule with EARS defaults", func(t *testing.T) {
		res, err := f.net.Submit(admin, "health:CreateAlertRule", ruleJSON(t, in))
		require.NoError(t, err)
		require.Equal(t, "alertrule.created", res.Event.GetEventName())
		var r health.Rule
		f.must(false, regulator, "GetAlertRule", &r, "flu-c2")
		require.Equal(t, int64(health.DefaultEARSThreshold), r.Threshold)
		require.Equal(t, 1, r.Revision)
	})
	t.Run("refuses the same ID twice", func(t *testing.T) {
		requireCode(t, f.call(true, epi, "CreateAlertRule", nil, ruleJSON(t, in)), ccerror.AlreadyExists)
	})
	t.Run("refuses unknown fields", func(t *testing.T) {
		requireCode(t, f.call(true, epi, "CreateAlertRule", nil, `{"id":"x","note":"free text"}`), ccerror.InvalidArgument, "input")
	})
	t.Run("updates the threshold", func(t *testing.T) {
		up := in
		up.Threshold = 2000
		var r health.Rule
		f.must(true, epi, "UpdateAlertRule", &r, ruleJSON(t, up))
		require.Equal(t, int64(2000), r.Threshold)
		require.Equal(t, 2, r.Revision)
	})
	t.Run("refuses to change what a rule watches", func(t *testing.T) {
		up := in
		up.Region = "022"
		requireCode(t, f.call(true, epi, "UpdateAlertRule", nil, ruleJSON(t, up)), ccerror.InvalidArgument, "region", health.RuleImmutable)
	})
	t.Run("refuses to update an unknown rule", func(t *testing.T) {
		up := in
		up.ID = "nope"
		requireCode(t, f.call(true, epi, "UpdateAlertRule", nil, ruleJSON(t, up)), ccerror.NotFound)
		requireCode(t, f.call(true, epi, "UpdateAlertRule", nil, "{"), ccerror.InvalidArgument, "input")
	})
	t.Run("lists rules by condition and in all", func(t *testing.T) {
		f.createRule(health.RuleInput{ID: "measles", Condition: "icd-10:B05", Region: "*", Method: health.MethodThreshold, Threshold: 1})
		var page contract.RulePage
		f.must(false, buyer, "ListAlertRules", &page, "icd-10:J10", "0", "")
		require.Len(t, page.Items, 1)
		require.Equal(t, "flu-c2", page.Items[0].ID)
		f.must(false, buyer, "ListAlertRules", &page, "", "0", "")
		require.Len(t, page.Items, 2)
		requireCode(t, f.call(false, buyer, "ListAlertRules", nil, "J10", "0", ""), ccerror.InvalidArgument, "condition")
		requireCode(t, f.call(false, buyer, "ListAlertRules", nil, "", "0", "forged"), ccerror.InvalidArgument, "page.bookmark")
	})
	t.Run("deletes a rule, which then raises nothing", func(t *testing.T) {
		res, err := f.net.Submit(epi, "health:DeleteAlertRule", "measles")
		require.NoError(t, err)
		require.Equal(t, "alertrule.deleted", res.Event.GetEventName())
		requireCode(t, f.call(false, epi, "GetAlertRule", nil, "measles"), ccerror.NotFound)
		require.Empty(t, f.mustSubmit(reporter1, caseReport(1, "2026-W10")).Alerts)
		requireCode(t, f.call(true, epi, "DeleteAlertRule", nil, "measles"), ccerror.NotFound)
		requireCode(t, f.call(true, epi, "DeleteAlertRule", nil, "bad id"), ccerror.InvalidArgument, "ruleId")
	})
	t.Run("caps the rules on one cell", func(t *testing.T) {
		for i := range contract.MaxRulesPerCell {
			f.createRule(health.RuleInput{ID: fmt.Sprintf("cap-%d", i), Condition: "icd-10:A09", Region: "021",
				Method: health.MethodThreshold, Threshold: 100})
		}
		extra := health.RuleInput{ID: "cap-extra", Condition: "icd-10:A09", Region: "021", Method: health.MethodThreshold, Threshold: 100}
		requireCode(t, f.call(true, epi, "CreateAlertRule", nil, ruleJSON(t, extra)), ccerror.FailedPrecondition, "", "rule-limit")
		extra.Region = "022"
		require.NoError(t, f.call(true, epi, "CreateAlertRule", nil, ruleJSON(t, extra)))
	})
}

func TestSettings(t *testing.T) {
	f := newFixture(t)
	t.Run("reads the defaults before anyone set them", func(t *testing.T) {
		var s health.Settings
		f.must(false, buyer, "GetSettings", &s)
		require.Equal(t, health.DefaultSettings(), s)
	})
	t.Run("the health-admin sets a new revision", func(t *testing.T) {
		c := health.DefaultConfig()
		c.SmallPopulationPrefixes = []string{"021"}
		b, err := json.Marshal(c)
		require.NoError(t, err)
		res, err := f.net.Submit(admin, "health:UpdateSettings", string(b))
		require.NoError(t, err)
		require.Equal(t, "settings.updated", res.Event.GetEventName())
		var s health.Settings
		f.must(false, regulator, "GetSettings", &s)
		require.Equal(t, 1, s.Revision)
		require.Equal(t, []string{"021"}, s.Config.SmallPopulationPrefixes)
	})
	t.Run("the gate follows the new suppression list", func(t *testing.T) {
		_, err := f.submit(reporter1, caseReport(1, "2026-W10"))
		requireCode(t, err, ccerror.InvalidArgument, "report.region", "safe-harbor-b-small-population")
	})
	t.Run("refuses to clear the suppression list by omission", func(t *testing.T) {
		requireCode(t, f.call(true, admin, "UpdateSettings", nil,
			`{"minCellSize":5,"duplicateWindowWeeks":4,"retentionWeeks":156}`),
			ccerror.InvalidArgument, "smallPopulationPrefixes", validate.RuleRequired)
	})
	t.Run("refuses an invalid policy", func(t *testing.T) {
		requireCode(t, f.call(true, admin, "UpdateSettings", nil,
			`{"minCellSize":1,"duplicateWindowWeeks":4,"retentionWeeks":156,"smallPopulationPrefixes":[]}`),
			ccerror.InvalidArgument, "minCellSize", validate.RuleRange)
		requireCode(t, f.call(true, admin, "UpdateSettings", nil, `not json`), ccerror.InvalidArgument, "input")
	})
}
