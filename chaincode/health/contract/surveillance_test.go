package contract_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/govledger/govledger/chaincode/ccerror"
	"github.com/govledger/govledger/chaincode/deid"
	"github.com/govledger/govledger/chaincode/health"
	"github.com/govledger/govledger/chaincode/health/contract"
	"github.com/govledger/govledger/chaincode/internal/memstub"
)

func TestTwoHospitalsRaiseAnOutbreakAlert(t *testing.T) {
	f := newFixture(t)
	rule := f.createRule(health.RuleInput{ID: "measles-any", Condition: "icd-10:B05", Region: "*",
		Method: health.MethodThreshold, Threshold: 3})

	var events []string
	for i, rep := range []struct {
		by  memstub.Identity
		pat int
	}{{reporter1, 1}, {reporter2, 2}} {
		res, err := f.submit(rep.by, caseReport(rep.pat, "2026-W10"))
		require.NoError(t, err, "report %d", i)
		e := decodeEvent(t, res)
		events = append(events, res.Event.GetEventName())
		var data contract.RecordEvent
		require.NoError(t, json.Unmarshal(e.Data, &data))
		require.Equal(t, e.ID, data.RecordID)
	}
	require.Equal(t, []string{"caserecord.submitted", "caserecord.submitted"}, events)

	t.Run("the third case raises one alert as the transaction's event", func(t *testing.T) {
		res, err := f.submit(reporter1, caseReport(3, "2026-W10"))
		require.NoError(t, err)
		e := decodeEvent(t, res)
		require.Equal(t, "alert.raised", res.Event.GetEventName())
		require.Equal(t, rule.ID, e.Rule)
		var alert contract.OutbreakAlert
		require.NoError(t, json.Unmarshal(e.Data, &alert))
		w, err := health.ParseWeek("week", "2026-W10")
		require.NoError(t, err)
		require.Equal(t, contract.OutbreakAlert{AlertID: health.AlertID(rule.ID, "021", w), Condition: "icd-10:B05",
			Region: "021", Week: "2026-W10", CountBand: "<5", RuleID: rule.ID, Method: health.MethodThreshold}, alert)
		var out contract.SubmitResult
		require.NoError(t, res.JSON(&out))
		require.Equal(t, []string{alert.AlertID}, out.Alerts)
		requireNoPrivateData(t, res.Event.GetPayload(), caseReport(3, "2026-W10"))
		requireNoPrivateData(t, res.Payload, caseReport(3, "2026-W10"))
	})
	t.Run("a fourth case in the cell raises nothing new", func(t *testing.T) {
		res, err := f.submit(reporter2, caseReport(4, "2026-W10"))
		require.NoError(t, err)
		require.Equal(t, "caserecord.submitted", res.Event.GetEventName())
		var page contract.AlertPage
		f.must(false, regulator, "ListAlerts", &page, "open", "0", "")
		require.Len(t, page.Items, 1)
		require.Equal(t, health.StatusOpen, page.Items[0].Status)
	})
	t.Run("members see the exact count", func(t *testing.T) {
		for _, id := range []memstub.Identity{epi, admin, clinician1, reporter2} {
			a := f.aggregate(id, "icd-10:B05", "021", "2026-W10")
			require.Equal(t, contract.Aggregate{Condition: "icd-10:B05", Region: "021", Week: "2026-W10", Display: "4",
				Exact: true, Count: 4, Complete: true}, a)
		}
	})
	t.Run("outsiders and the regulator see a suppressed cell", func(t *testing.T) {
		for _, id := range []memstub.Identity{regulator, buyer, regulatorAsEpi} {
			a := f.aggregate(id, "icd-10:B05", "021", "2026-W10")
			require.Equal(t, contract.Aggregate{Condition: "icd-10:B05", Region: "021", Week: "2026-W10", Display: "<5",
				Suppressed: true, Complete: true}, a)
		}
	})
	t.Run("other cells are untouched", func(t *testing.T) {
		require.Equal(t, int64(0), f.aggregate(epi, "icd-10:B05", "022", "2026-W10").Count)
		require.Equal(t, int64(0), f.aggregate(epi, "icd-10:B05", "021", "2026-W09").Count)
		require.Equal(t, int64(0), f.aggregate(epi, "icd-10:J10", "021", "2026-W10").Count)
	})
}

func TestEARSAlert(t *testing.T) {
	for _, tt := range []struct {
		name   string
		method health.Method
		// baseline weeks hold one case each; the current week is W10
		baseline []string
	}{
		{"C1 compares with the seven weeks before", health.MethodEARSC1,
			[]string{"2026-W03", "2026-W04", "2026-W05", "2026-W06", "2026-W07", "2026-W08", "2026-W09"}},
		{"C2 compares with the seven weeks before a two-week gap", health.MethodEARSC2,
			[]string{"2026-W01", "2026-W02", "2026-W03", "2026-W04", "2026-W05", "2026-W06", "2026-W07"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			f.createRule(health.RuleInput{ID: "flu", Condition: "icd-10:J10", Region: "021", Method: tt.method})
			p := 0
			flu := func(onset string) deid.Report {
				p++
				r := caseReport(p, onset)
				r.Condition.Code = "J10.1"
				return r
			}
			for _, w := range tt.baseline {
				f.mustSubmit(reporter1, flu(w))
			}
			// Flat baseline of 1: sd 0, floor 1 case, so C = x - 1 > 3 needs x = 5.
			for range 4 {
				require.Empty(t, f.mustSubmit(reporter2, flu("2026-W10")).Alerts)
			}
			res, err := f.submit(reporter2, flu("2026-W10"))
			require.NoError(t, err)
			var alert contract.OutbreakAlert
			require.NoError(t, json.Unmarshal(decodeEvent(t, res).Data, &alert))
			require.Equal(t, tt.method, alert.Method)
			require.Equal(t, int64(4000), alert.Statistic)
			require.Equal(t, "5-9", alert.CountBand)
		})
	}
}

func TestDuplicatesCountOnce(t *testing.T) {
	f := newFixture(t)
	count := func() int64 { return f.aggregate(epi, "icd-10:B05", "021", "2026-W10").Count }

	f.mustSubmit(reporter1, caseReport(1, "2026-W10"))
	require.Equal(t, int64(1), count())

	t.Run("the same patient and condition in the same week", func(t *testing.T) {
		f.mustSubmit(reporter1, caseReport(1, "2026-W10"))
		require.Equal(t, int64(1), count())
	})
	t.Run("the same patient reported by the other hospital", func(t *testing.T) {
		f.mustSubmit(reporter2, caseReport(1, "2026-W10"))
		require.Equal(t, int64(1), count())
	})
	t.Run("a subcode of the same category", func(t *testing.T) {
		r := caseReport(1, "2026-W10")
		r.Condition.Code = "B05.2"
		f.mustSubmit(reporter2, r)
		require.Equal(t, int64(1), count())
	})
	t.Run("an earlier onset inside the window, arriving late", func(t *testing.T) {
		f.mustSubmit(reporter1, caseReport(1, "2026-W08"))
		require.Equal(t, int64(0), f.aggregate(epi, "icd-10:B05", "021", "2026-W08").Count)
	})
	t.Run("counts the same patient with another condition", func(t *testing.T) {
		r := caseReport(1, "2026-W10")
		r.Condition.Code = "A09"
		f.mustSubmit(reporter1, r)
		require.Equal(t, int64(1), f.aggregate(epi, "icd-10:A09", "021", "2026-W10").Count)
	})
	t.Run("counts a new episode outside the window", func(t *testing.T) {
		f.mustSubmit(reporter1, caseReport(1, "2026-W05"))
		require.Equal(t, int64(1), f.aggregate(epi, "icd-10:B05", "021", "2026-W05").Count)
	})
	t.Run("counts another patient", func(t *testing.T) {
		f.mustSubmit(reporter1, caseReport(2, "2026-W10"))
		require.Equal(t, int64(2), count())
	})
	t.Run("follows the configured window", func(t *testing.T) {
		f.updateSettings(func(c *health.Config) { c.DuplicateWindowWeeks = 1 })
		f.mustSubmit(reporter1, caseReport(2, "2026-W09"))
		require.Equal(t, int64(1), f.aggregate(epi, "icd-10:B05", "021", "2026-W09").Count)
	})
	t.Run("stores a duplicate as a record all the same", func(t *testing.T) {
		out := f.mustSubmit(reporter1, caseReport(2, "2026-W09"))
		var ref health.CaseRef
		f.must(false, regulator, "GetCaseRef", &ref, out.RecordID)
		require.Equal(t, health.RecordHeld, ref.Status)
	})
	t.Run("leaves no patient key on public state", func(t *testing.T) {
		requirePublicStateFree(t, f, patient(1), patient(2))
	})
}

func TestLabOnlyReports(t *testing.T) {
	f := newFixture(t)
	lab := func(p int, interp string) deid.Report {
		r := caseReport(p, "2026-W10")
		r.Condition = nil
		r.Lab = &deid.LabResult{Code: "94500-6", Interpretation: interp}
		return r
	}
	f.mustSubmit(reporter1, lab(1, deid.Positive))
	f.mustSubmit(reporter1, lab(2, deid.Negative))
	f.mustSubmit(reporter1, lab(3, deid.Indeterminate))
	t.Run("count only when positive, under the test's LOINC code", func(t *testing.T) {
		require.Equal(t, int64(1), f.aggregate(epi, "loinc:94500-6", "021", "2026-W10").Count)
	})
}

func TestSmallCellSuppression(t *testing.T) {
	f := newFixture(t)
	shown := func() string { return f.aggregate(regulator, "icd-10:B05", "021", "2026-W10").Display }
	t.Run("an empty cell reads as below k", func(t *testing.T) {
		require.Equal(t, "<5", shown())
	})
	for p := 1; p <= 4; p++ {
		f.mustSubmit(reporter1, caseReport(p, "2026-W10"))
		require.Equal(t, "<5", shown(), "after %d cases", p)
	}
	t.Run("the count shows once it reaches k", func(t *testing.T) {
		f.mustSubmit(reporter1, caseReport(5, "2026-W10"))
		a := f.aggregate(buyer, "icd-10:B05", "021", "2026-W10")
		require.Equal(t, "5", a.Display)
		require.False(t, a.Suppressed)
		require.False(t, a.Exact)
		require.Zero(t, a.Count)
	})
	t.Run("a larger k set by the health-admin suppresses again", func(t *testing.T) {
		f.updateSettings(func(c *health.Config) { c.MinCellSize = 11 })
		require.Equal(t, "<11", shown())
		require.Equal(t, "5", f.aggregate(epi, "icd-10:B05", "021", "2026-W10").Display)
	})
	t.Run("refuses a malformed cell", func(t *testing.T) {
		requireCode(t, f.call(false, regulator, "GetAggregate", nil, "icd-10:B05.9", "021", "2026-W10"),
			ccerror.InvalidArgument, "condition", health.RuleCondition)
		requireCode(t, f.call(false, regulator, "GetAggregate", nil, "icd-10:B05", "*", "2026-W10"),
			ccerror.InvalidArgument, "region", health.RuleRegion)
		requireCode(t, f.call(false, regulator, "GetAggregate", nil, "icd-10:B05", "021", "2026-02-14"),
			ccerror.InvalidArgument, "week", health.RuleWeek)
	})
}
