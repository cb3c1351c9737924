package health_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/govledger/govledger/chaincode/ccerror"
	"github.com/govledger/govledger/chaincode/deid"
	"github.com/govledger/govledger/chaincode/health"
	"github.com/govledger/govledger/chaincode/internal/validate"
)

func TestConfigValidate(t *testing.T) {
	t.Run("accepts the defaults", func(t *testing.T) {
		require.NoError(t, health.DefaultConfig().Validate())
	})
	t.Run("accepts an empty suppression list", func(t *testing.T) {
		c := health.DefaultConfig()
		c.SmallPopulationPrefixes = []string{}
		require.NoError(t, c.Validate())
	})
	tests := []struct {
		name  string
		edit  func(c *health.Config)
		field string
		rule  string
	}{
		{"refuses to switch suppression off", func(c *health.Config) { c.MinCellSize = 1 }, "minCellSize", validate.RuleRange},
		{"refuses a k above the bound", func(c *health.Config) { c.MinCellSize = 101 }, "minCellSize", validate.RuleRange},
		{"refuses a zero duplicate window", func(c *health.Config) { c.DuplicateWindowWeeks = 0 }, "duplicateWindowWeeks", validate.RuleRange},
		{"refuses retention shorter than the duplicate window", func(c *health.Config) {
			c.DuplicateWindowWeeks, c.RetentionWeeks = 8, 4
		}, "retentionWeeks", validate.RuleRange},
		{"refuses retention beyond ten years", func(c *health.Config) { c.RetentionWeeks = 521 }, "retentionWeeks", validate.RuleRange},
		{"refuses a malformed prefix", func(c *health.Config) {
			c.SmallPopulationPrefixes = []string{"036", "59"}
		}, "smallPopulationPrefixes[1]", health.RuleRegion},
		{"refuses 000 as a prefix", func(c *health.Config) {
			c.SmallPopulationPrefixes = []string{"000"}
		}, "smallPopulationPrefixes[0]", health.RuleRegion},
		{"refuses a repeated prefix", func(c *health.Config) {
			c.SmallPopulationPrefixes = []string{"036", "059", "036"}
		}, "smallPopulationPrefixes[2]", validate.RuleDuplicate},
		{"refuses an oversized list", func(c *health.Config) {
			c.SmallPopulationPrefixes = make([]string, deid.MaxSmallPopulationPrefixes+1)
		}, "smallPopulationPrefixes", validate.RuleRange},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := health.DefaultConfig()
			tt.edit(&c)
			requireField(t, c.Validate(), tt.field, tt.rule)
		})
	}
}

func TestSettingsUpdate(t *testing.T) {
	admin := health.Actor{MSPID: "PublicHealthMSP", ID: "healthadmin1"}
	t.Run("starts at revision 0 with the defaults", func(t *testing.T) {
		s := health.DefaultSettings()
		require.Zero(t, s.Revision)
		require.Equal(t, health.DefaultConfig(), s.Config)
	})
	t.Run("moves to the next revision recording who and when", func(t *testing.T) {
		c := health.DefaultConfig()
		c.MinCellSize = 11
		s, err := health.DefaultSettings().Update(c, admin, t0)
		require.NoError(t, err)
		require.Equal(t, health.Settings{Config: c, Revision: 1, UpdatedAt: t0, UpdatedBy: &admin}, s)
	})
	t.Run("refuses an invalid config", func(t *testing.T) {
		c := health.DefaultConfig()
		c.MinCellSize = 0
		_, err := health.DefaultSettings().Update(c, admin, t0)
		requireField(t, err, "minCellSize", validate.RuleRange)
	})
	t.Run("expires records older than the retention period", func(t *testing.T) {
		c := health.DefaultConfig()
		c.RetentionWeeks = 2
		require.Equal(t, t0.Add(-14*24*time.Hour), c.Retention(t0))
	})
}

func encode(t *testing.T, r deid.Report) []byte {
	t.Helper()
	b, err := json.Marshal(r)
	require.NoError(t, err)
	return b
}

func TestGate(t *testing.T) {
	cfg := health.DefaultConfig()
	t.Run("passes a de-identified report", func(t *testing.T) {
		got, err := cfg.Gate(encode(t, report()))
		require.NoError(t, err)
		require.Equal(t, report(), got)
	})
	identifiers := []struct {
		name  string
		edit  func(r *deid.Report)
		field string
		rule  deid.Rule
	}{
		{"an SSN in the region", func(r *deid.Report) { r.Region = "123-45-6789" }, "report.region", deid.RuleNationalID},
		{"a name in the patient key", func(r *deid.Report) { r.PatientKey = "Dr. Jane Smith" }, "report.patientKey", deid.RuleName},
		{"a full date as onset", func(r *deid.Report) { r.OnsetWeek = "2026-02-14" }, "report.onsetWeek", deid.RuleDate},
		{"a phone number as lab code", func(r *deid.Report) { r.Lab.Code = "+1 617 555 0100" }, "report.lab.code", deid.RulePhone},
		{"an exact age over 89", func(r *deid.Report) { r.AgeBand = "92" }, "report.ageBand", deid.RuleAge},
	}
	for _, tt := range identifiers {
		t.Run("refuses "+tt.name+" as a suspected identifier", func(t *testing.T) {
			r := report()
			tt.edit(&r)
			_, err := cfg.Gate(encode(t, r))
			requireField(t, err, tt.field, string(tt.rule))
			var re *health.RejectionError
			require.ErrorAs(t, err, &re)
			require.True(t, re.Identifier())
			require.ErrorIs(t, err, deid.ErrIdentifier)
		})
	}
	t.Run("refuses a small-population region under the configured list", func(t *testing.T) {
		r := report()
		r.Region = "036"
		_, err := cfg.Gate(encode(t, r))
		requireField(t, err, "report.region", string(deid.RuleSmallPopulation))
	})
	t.Run("lets the health-admin's list decide what is small", func(t *testing.T) {
		c := cfg
		c.SmallPopulationPrefixes = []string{"021"}
		_, err := c.Gate(encode(t, report()))
		requireField(t, err, "report.region", string(deid.RuleSmallPopulation))
	})
	t.Run("refuses a malformed field as a format error", func(t *testing.T) {
		r := report()
		r.Sex = "f"
		_, err := cfg.Gate(encode(t, r))
		requireField(t, err, "report.sex", string(deid.RuleSex))
		var re *health.RejectionError
		require.ErrorAs(t, err, &re)
		require.False(t, re.Identifier())
	})
	t.Run("refuses a report with neither condition nor lab", func(t *testing.T) {
		r := report()
		r.Condition, r.Lab = nil, nil
		_, err := cfg.Gate(encode(t, r))
		requireField(t, err, "report.condition", string(deid.RuleRequired))
	})
	structural := []struct {
		name  string
		raw   string
		field string
		rule  string
	}{
		{"an unknown field", `{"name":"x"}`, "report", validate.RuleJSON},
		{"a nested unknown field", `{"condition":{"system":"icd-10","code":"A00","note":"x"}}`, "report.condition", validate.RuleJSON},
		{"a number where text belongs", `{"sex":1}`, "report.sex", validate.RuleJSON},
		{"trailing data", `{}{}`, "report", validate.RuleJSON},
		{"an oversized report", `{"sex":"` + strings.Repeat("a", deid.MaxReportBytes) + `"}`, "report", validate.RuleMaxSize},
	}
	for _, tt := range structural {
		t.Run("refuses "+tt.name, func(t *testing.T) {
			_, err := cfg.Gate([]byte(tt.raw))
			requireField(t, err, tt.field, tt.rule)
			require.True(t, errors.Is(err, deid.ErrMalformed) || errors.Is(err, deid.ErrLimit))
		})
	}
	t.Run("never quotes the rejected value", func(t *testing.T) {
		r := report()
		r.Region = "123-45-6789"
		_, err := cfg.Gate(encode(t, r))
		require.NotContains(t, err.Error(), "6789")
		require.NotContains(t, ccerror.From(err).Error(), "6789")
	})
	t.Run("reports a broken configuration as internal", func(t *testing.T) {
		c := cfg
		c.SmallPopulationPrefixes = []string{"x"}
		_, err := c.Gate(encode(t, report()))
		require.ErrorIs(t, err, deid.ErrConfig)
		require.NotErrorIs(t, err, ccerror.ErrInvalidArgument)
	})
}
