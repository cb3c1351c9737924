package procurement

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*Config)
		field  string
	}{
		{"accepts the default regime", func(*Config) {}, ""},
		{"rejects an ocid prefix not registered-shaped", func(c *Config) { c.OCIDPrefix = "ocds-x" }, "OCIDPrefix"},
		{"rejects a threshold in an unknown currency", func(c *Config) { c.DirectAwardThresholds[0].Currency = "XXX" }, "DirectAwardThresholds[0].currency"},
		{"rejects a zero threshold", func(c *Config) { c.DirectAwardThresholds[1].Amount = 0 }, "DirectAwardThresholds[1].amount"},
		{"rejects two thresholds for one currency", func(c *Config) { c.DirectAwardThresholds[1].Currency = "EUR" }, "DirectAwardThresholds[1]"},
		{"rejects a period rule with an unknown method", func(c *Config) { c.MinTenderDays[0].Method = "auction" }, "MinTenderDays[0].Method"},
		{"rejects a period rule with an unknown currency", func(c *Config) { c.MinTenderDays[1].Currency = "EURO" }, "MinTenderDays[1].Currency"},
		{"rejects a negative period threshold", func(c *Config) { c.MinTenderDays[0].FromAmount = -1 }, "MinTenderDays[0].FromAmount"},
		{"rejects a period over a year", func(c *Config) { c.MinTenderDays[0].Days = 366 }, "MinTenderDays[0].Days"},
		{"rejects a negative amendment period", func(c *Config) { c.MinAmendmentDays = -1 }, "MinAmendmentDays"},
		{"rejects an empty splitting window", func(c *Config) { c.SplittingWindowDays = 0 }, "SplittingWindowDays"},
		{"rejects a splitting band over 100%", func(c *Config) { c.SplittingBandBps = 10001 }, "SplittingBandBps"},
		{"rejects a single allowed criterion", func(c *Config) { c.MaxCriteria = 1 }, "MaxItems/MaxCriteria/MaxEvaluators/MaxMilestones"},
		{"rejects no allowed milestones", func(c *Config) { c.MaxMilestones = 0 }, "MaxItems/MaxCriteria/MaxEvaluators/MaxMilestones"},
		{"rejects a missing publisher", func(c *Config) { c.OCDSPublisher = "" }, "OCDSPublisher"},
		{"rejects a relative base uri", func(c *Config) { c.OCDSBaseURI = "/ocds" }, "OCDSBaseURI"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := DefaultConfig()
			tc.mutate(&cfg)
			err := cfg.Validate()
			if tc.field == "" {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, ErrConfig)
			require.Contains(t, err.Error(), tc.field)
		})
	}
}

func TestMinTenderDaysPicksTheMostSpecificRule(t *testing.T) {
	cfg := DefaultConfig()
	cfg.MinTenderDays = append(cfg.MinTenderDays,
		TenderPeriodRule{Method: MethodSelective, FromAmount: 1000, Days: 27},
		TenderPeriodRule{Method: MethodSelective, Currency: "USD", FromAmount: 1000, Days: 29},
	)
	tests := []struct {
		name   string
		method Method
		budget Money
		want   int64
	}{
		{"uses the generic open rule below the high-value amount", MethodOpen, Money{538_199_999, "EUR"}, 30},
		{"uses the high-value rule from its amount", MethodOpen, Money{538_200_000, "EUR"}, 35},
		{"ignores a rule in another currency", MethodOpen, Money{900_000_000, "USD"}, 30},
		{"prefers a currency-specific rule at the same amount", MethodSelective, Money{5000, "USD"}, 29},
		{"uses the generic rule at that amount in other currencies", MethodSelective, Money{5000, "GBP"}, 27},
		{"falls back to the lower rule below its amount", MethodSelective, Money{999, "USD"}, 25},
		{"has no minimum for direct awards", MethodDirect, Money{1, "EUR"}, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.want, cfg.minTenderDays(tc.method, tc.budget))
		})
	}
	t.Run("has no minimum without any rule for the method", func(t *testing.T) {
		require.Equal(t, int64(0), Config{}.minTenderDays(MethodOpen, Money{1, "EUR"}))
	})
}
