package contract_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/govledger/govledger/chaincode/ccerror"
	"github.com/govledger/govledger/chaincode/health"
	"github.com/govledger/govledger/chaincode/health/contract"
	"github.com/govledger/govledger/chaincode/internal/ledger"
	"github.com/govledger/govledger/chaincode/internal/memstub"
)

// seedDeltas writes n aggregate delta keys into a cell directly, as n
// counted reports would have.
func seedDeltas(t testing.TB, f *fixture, condition, region, week string, n int) {
	t.Helper()
	stub := f.net.Ledger.Begin(memstub.TxOptions{Creator: reporter1})
	for i := range n {
		k, err := ledger.Key("agg", condition, region, week, fmt.Sprintf("%064x", i))
		require.NoError(t, err)
		require.NoError(t, ledger.Put(stub, k, map[string]int64{"count": 1}))
	}
	require.NoError(t, stub.Commit())
}

func TestCompactAggregate(t *testing.T) {
	f := newFixture(t)
	for p := 1; p <= 3; p++ {
		f.mustSubmit(reporter1, caseReport(p, "2026-W09"))
	}
	t.Run("folds a cell's deltas without changing its count", func(t *testing.T) {
		var c contract.Compaction
		res, err := f.net.Submit(epi, "health:CompactAggregate", "icd-10:B05", "021", "2026-W09")
		require.NoError(t, err)
		require.NoError(t, res.JSON(&c))
		require.Equal(t, contract.Compaction{Condition: "icd-10:B05", Region: "021", Week: "2026-W09", Folded: 3, Complete: true}, c)
		require.Equal(t, "aggregate.compacted", res.Event.GetEventName())
		require.Equal(t, int64(3), f.aggregate(epi, "icd-10:B05", "021", "2026-W09").Count)
	})
	t.Run("adds later reports to the rollup", func(t *testing.T) {
		f.mustSubmit(reporter2, caseReport(4, "2026-W09"))
		require.Equal(t, int64(4), f.aggregate(epi, "icd-10:B05", "021", "2026-W09").Count)
		var c contract.Compaction
		f.must(true, admin, "CompactAggregate", &c, "icd-10:B05", "021", "2026-W09")
		require.Equal(t, 1, c.Folded)
		require.Equal(t, int64(4), f.aggregate(epi, "icd-10:B05", "021", "2026-W09").Count)
	})
	t.Run("has nothing to do on a compacted or empty cell", func(t *testing.T) {
		var c contract.Compaction
		res, err := f.net.Submit(epi, "health:CompactAggregate", "icd-10:B05", "021", "2026-W09")
		require.NoError(t, err)
		require.NoError(t, res.JSON(&c))
		require.Zero(t, c.Folded)
		require.Nil(t, res.Event)
		requireCode(t, f.call(true, epi, "CompactAggregate", nil, "icd-10:B05", "021", "W09"), ccerror.InvalidArgument, "week")
	})
}

func TestBusyCell(t *testing.T) {
	f := newFixture(t)
	seedDeltas(t, f, "icd-10:J10", "021", "2026-W08", contract.MaxCellKeys+1)

	t.Run("reads as a lower bound past the scan limit", func(t *testing.T) {
		a := f.aggregate(epi, "icd-10:J10", "021", "2026-W08")
		require.False(t, a.Complete)
		require.Equal(t, int64(contract.MaxCellKeys), a.Count)
		require.Equal(t, fmt.Sprintf("%d+", contract.MaxCellKeys), a.Display)
		require.Equal(t, fmt.Sprintf("%d+", contract.MaxCellKeys), f.aggregate(regulator, "icd-10:J10", "021", "2026-W08").Display)
	})
	t.Run("compacts in bounded steps until exact", func(t *testing.T) {
		var c contract.Compaction
		f.must(true, epi, "CompactAggregate", &c, "icd-10:J10", "021", "2026-W08")
		require.Equal(t, contract.MaxCellKeys, c.Folded)
		require.False(t, c.Complete)
		f.must(true, epi, "CompactAggregate", &c, "icd-10:J10", "021", "2026-W08")
		require.Equal(t, 1, c.Folded)
		require.True(t, c.Complete)
		a := f.aggregate(epi, "icd-10:J10", "021", "2026-W08")
		require.True(t, a.Complete)
		require.Equal(t, int64(contract.MaxCellKeys+1), a.Count)
	})
	t.Run("baselines count a compacted week", func(t *testing.T) {
		f.createRule(health.RuleInput{ID: "flu", Condition: "icd-10:J10", Region: "021", Method: health.MethodEARSC1})
		r := caseReport(1, "2026-W09")
		r.Condition.Code = "J10"
		// One case against a baseline holding a thousand: no alert.
		require.Empty(t, f.mustSubmit(reporter1, r).Alerts)
	})
}
