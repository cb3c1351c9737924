package health_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/govledger/govledger/chaincode/health"
	"github.com/govledger/govledger/chaincode/internal/validate"
)

var (
	epi = health.Actor{MSPID: "PublicHealthMSP", ID: "epidemiologist1"}
	t0  = time.Date(2026, 2, 20, 9, 0, 0, 0, time.UTC)
)

func weeks(ws []health.Week) []string {
	out := make([]string, len(ws))
	for i, w := range ws {
		out[i] = w.String()
	}
	return out
}

func TestBaseline(t *testing.T) {
	w := week(t, "2026-W10")
	t.Run("C1 uses the seven weeks immediately before", func(t *testing.T) {
		require.Equal(t, []string{"2026-W03", "2026-W04", "2026-W05", "2026-W06", "2026-W07", "2026-W08", "2026-W09"},
			weeks(health.MethodEARSC1.Baseline(w)))
	})
	t.Run("C2 leaves a two-week guard band", func(t *testing.T) {
		require.Equal(t, []string{"2026-W01", "2026-W02", "2026-W03", "2026-W04", "2026-W05", "2026-W06", "2026-W07"},
			weeks(health.MethodEARSC2.Baseline(w)))
	})
	t.Run("a fixed threshold has none", func(t *testing.T) {
		require.Nil(t, health.MethodThreshold.Baseline(w))
	})
}

func ptr[T any](v T) *T { return &v }

func TestNewRule(t *testing.T) {
	valid := health.RuleInput{ID: "measles-any", Condition: "icd-10:B05", Region: "*", Method: health.MethodThreshold, Threshold: 1}
	t.Run("creates revision 1, enabled by default", func(t *testing.T) {
		r, err := health.NewRule(valid, epi, t0)
		require.NoError(t, err)
		require.Equal(t, health.Rule{ID: "measles-any", Condition: "icd-10:B05", Region: "*", Method: health.MethodThreshold,
			Threshold: 1, Enabled: true, Revision: 1, UpdatedAt: t0, UpdatedBy: epi}, r)
	})
	t.Run("fills EARS defaults", func(t *testing.T) {
		r, err := health.NewRule(health.RuleInput{ID: "flu-c1", Condition: "icd-10:J10", Region: "021", Method: health.MethodEARSC1,
			Enabled: ptr(false)}, epi, t0)
		require.NoError(t, err)
		require.Equal(t, int64(health.DefaultEARSThreshold), r.Threshold)
		require.Equal(t, int64(health.DefaultSDFloor), r.SDFloor)
		require.False(t, r.Enabled)
	})
	tests := []struct {
		name  string
		edit  func(in *health.RuleInput)
		field string
		rule  string
	}{
		{"rejects a bad ID", func(in *health.RuleInput) { in.ID = "no spaces" }, "id", validate.RuleID},
		{"rejects an ICD-10 subcode as condition", func(in *health.RuleInput) { in.Condition = "icd-10:B05.9" }, "condition", health.RuleCondition},
		{"rejects a full ZIP code as region", func(in *health.RuleInput) { in.Region = "02139" }, "region", health.RuleRegion},
		{"rejects an unknown method", func(in *health.RuleInput) { in.Method = "ears-c3" }, "method", validate.RuleOneOf},
		{"rejects a threshold rule without a threshold", func(in *health.RuleInput) { in.Threshold = 0 }, "threshold", validate.RuleRange},
		{"rejects an absurd count threshold", func(in *health.RuleInput) { in.Threshold = health.MaxCountThreshold + 1 }, "threshold", validate.RuleRange},
		{"rejects an sd floor on a threshold rule", func(in *health.RuleInput) { in.SDFloor = 500 }, "sdFloor", validate.RuleRange},
		{"rejects a negative EARS threshold", func(in *health.RuleInput) {
			in.Method, in.Threshold = health.MethodEARSC2, -1
		}, "threshold", validate.RuleRange},
		{"rejects a negative sd floor", func(in *health.RuleInput) {
			in.Method, in.Threshold, in.SDFloor = health.MethodEARSC1, 0, -5
		}, "sdFloor", validate.RuleRange},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := valid
			tt.edit(&in)
			_, err := health.NewRule(in, epi, t0)
			requireField(t, err, tt.field, tt.rule)
		})
	}
}

func TestRuleUpdate(t *testing.T) {
	in := health.RuleInput{ID: "flu-c2", Condition: "icd-10:J10", Region: "021", Method: health.MethodEARSC2}
	r, err := health.NewRule(in, epi, t0)
	require.NoError(t, err)
	admin := health.Actor{MSPID: "PublicHealthMSP", ID: "healthadmin1"}
	t.Run("changes threshold, floor and enabled as a new revision", func(t *testing.T) {
		up := in
		up.Threshold, up.SDFloor, up.Enabled = 2500, 2000, ptr(false)
		got, err := r.Update(up, admin, t0.Add(time.Hour))
		require.NoError(t, err)
		require.Equal(t, 2, got.Revision)
		require.Equal(t, int64(2500), got.Threshold)
		require.Equal(t, int64(2000), got.SDFloor)
		require.False(t, got.Enabled)
		require.Equal(t, admin, got.UpdatedBy)
		require.Equal(t, t0.Add(time.Hour), got.UpdatedAt)
	})
	for field, edit := range map[string]func(in *health.RuleInput){
		"condition": func(in *health.RuleInput) { in.Condition = "icd-10:J11" },
		"region":    func(in *health.RuleInput) { in.Region = "*" },
		"method":    func(in *health.RuleInput) { in.Method = health.MethodEARSC1 },
	} {
		t.Run("refuses to change the "+field, func(t *testing.T) {
			up := in
			edit(&up)
			_, err := r.Update(up, admin, t0)
			requireField(t, err, field, health.RuleImmutable)
		})
	}
	t.Run("validates the new values", func(t *testing.T) {
		up := in
		up.SDFloor = health.MaxSDFloor + 1
		_, err := r.Update(up, admin, t0)
		requireField(t, err, "sdFloor", validate.RuleRange)
	})
}

func TestEvaluate(t *testing.T) {
	threshold := health.Rule{Method: health.MethodThreshold, Threshold: 3}
	c1 := health.Rule{Method: health.MethodEARSC1, Threshold: health.DefaultEARSThreshold, SDFloor: health.DefaultSDFloor}
	flat := []int64{0, 0, 0, 0, 0, 0, 0}
	tests := []struct {
		name     string
		rule     health.Rule
		current  int64
		baseline []int64
		want     health.Verdict
	}{
		{"threshold stays quiet below its count", threshold, 2, nil, health.Verdict{}},
		{"threshold raises at its count", threshold, 3, nil, health.Verdict{Raise: true}},
		{"EARS on a zero baseline uses the floor and stays quiet at C = 3", c1, 3, flat,
			health.Verdict{Statistic: 3000, HasStatistic: true}},
		{"EARS on a zero baseline raises at C = 4", c1, 4, flat,
			health.Verdict{Raise: true, Statistic: 4000, HasStatistic: true}},
		{"EARS uses the sample sd when above the floor", c1, 12, []int64{1, 2, 3, 4, 5, 6, 7},
			health.Verdict{Raise: true, Statistic: 3703, HasStatistic: true}},
		{"EARS stays quiet for a count within three sd", c1, 10, []int64{1, 2, 3, 4, 5, 6, 7},
			health.Verdict{Statistic: 2777, HasStatistic: true}},
		{"EARS reports a drop as a negative statistic", c1, 0, []int64{1, 2, 3, 4, 5, 6, 7},
			health.Verdict{Statistic: -1851, HasStatistic: true}},
		{"EARS reports a drop below a flat baseline with the floor", c1, 0, []int64{2, 2, 2, 2, 2, 2, 2},
			health.Verdict{Statistic: -2000, HasStatistic: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.rule.Evaluate(tt.current, tt.baseline)
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
		})
	}
	t.Run("EARS refuses a baseline of the wrong length", func(t *testing.T) {
		_, err := c1.Evaluate(5, []int64{1, 2, 3})
		require.ErrorIs(t, err, health.ErrBaseline)
	})
}

func TestEARSExactness(t *testing.T) {
	// Baseline 1..7: mean 4, sample variance 14/3, so C > 3 exactly when
	// x - 4 > 3·sqrt(14/3) ≈ 6.4807; x = 10.48 is the boundary. The floor
	// branch boundary with a flat baseline of 5 and floor 1 is x = 8.
	tests := []struct {
		name     string
		x        int64
		baseline []int64
		thresh   int64
		raise    bool
	}{
		{"raises just above the sd boundary", 11, []int64{1, 2, 3, 4, 5, 6, 7}, 3000, true},
		{"stays quiet just below the sd boundary", 10, []int64{1, 2, 3, 4, 5, 6, 7}, 3000, false},
		{"is strict at the floor boundary", 8, []int64{5, 5, 5, 5, 5, 5, 5}, 3000, false},
		{"raises one case past the floor boundary", 9, []int64{5, 5, 5, 5, 5, 5, 5}, 3000, true},
		{"decides exactly where truncation would round up", 11, []int64{1, 2, 3, 4, 5, 6, 7}, 3240, true},
		{"decides exactly where truncation would round down", 11, []int64{1, 2, 3, 4, 5, 6, 7}, 3241, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raise, _, err := health.EARS(tt.x, tt.baseline, tt.thresh, health.DefaultSDFloor)
			require.NoError(t, err)
			require.Equal(t, tt.raise, raise)
		})
	}
	t.Run("refuses a zero floor", func(t *testing.T) {
		_, _, err := health.EARS(1, make([]int64, 7), 3000, 0)
		require.ErrorIs(t, err, health.ErrBaseline)
	})
}
