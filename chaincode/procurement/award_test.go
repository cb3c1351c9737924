package procurement

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/govledger/govledger/chaincode/internal/validate"
)

var awardAt = t0.Add(days(40))

// awarded returns a best-value tender awarded to the top-ranked SUP-B.
func awarded(t *testing.T) *Tender {
	t.Helper()
	tn, bids, decls, scores := scored(t)
	_, _, err := MakeAward(DefaultConfig(), tn, AwardInput{Bids: bids, Declarations: decls, Scores: scores}, awardAt)
	require.NoError(t, err)
	return tn
}

func TestMakeAward(t *testing.T) {
	tests := []struct {
		name          string
		supplier      string
		justification string
		field         string
		rule          string
		want          string
		wantFlags     []FlagKind
	}{
		{name: "awards the top-ranked bid by default", want: "SUP-B"},
		{name: "awards the top-ranked bid when named", supplier: "SUP-B", want: "SUP-B"},
		{name: "awards another ranked bid with a justification and a red flag", supplier: "SUP-A",
			justification: "SUP-B failed the site visit", want: "SUP-A", wantFlags: []FlagKind{FlagAwardNotTopRanked}},
		{name: "rejects another ranked bid without a justification", supplier: "SUP-A",
			field: "justification", rule: validate.RuleRequired},
		{name: "rejects a supplier that is not ranked", supplier: "SUP-Z", field: "supplierId", rule: RuleNotBidder},
		{name: "rejects a malformed justification for the top bid", justification: "\x01",
			field: "justification", rule: RuleControlCharacters},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tn, bids, decls, scores := scored(t)
			in := AwardInput{Bids: bids, Declarations: decls, Scores: scores, SupplierID: tc.supplier, Justification: tc.justification}
			a, flags, err := MakeAward(DefaultConfig(), tn, in, awardAt)
			if tc.field != "" {
				requireField(t, err, tc.field, tc.rule)
				require.Equal(t, StatusEvaluation, tn.Status)
				return
			}
			require.NoError(t, err)
			require.Equal(t, StatusAwarded, tn.Status)
			require.Equal(t, tc.want, a.SupplierID)
			require.Equal(t, "SUP-B", a.TopRankedSupplierID)
			require.Equal(t, "T-1-award-1", a.ID)
			require.Equal(t, AwardActive, a.Status)
			require.Len(t, a.Ranking, 2)
			require.Equal(t, awardAt.Add(days(10)), a.StandstillEnd)
			require.Equal(t, awardAt.Add(days(7)), a.ChallengeEnd)
			require.Equal(t, a, tn.CurrentAward())
			var kinds []FlagKind
			for _, f := range flags {
				kinds = append(kinds, f.Kind)
			}
			require.Equal(t, tc.wantFlags, kinds)
			_, direct := tn.DirectAwardRecord()
			require.False(t, direct, "an open tender keeps no direct-award record")
		})
	}
	t.Run("rejects an award before bid opening", func(t *testing.T) {
		_, _, err := MakeAward(DefaultConfig(), published(t, bestValueDraft()), AwardInput{}, awardAt)
		require.ErrorIs(t, err, ErrTransition)
	})
	t.Run("rejects an award with an incomplete evaluation", func(t *testing.T) {
		tn, bids := panel(t)
		_, _, err := MakeAward(DefaultConfig(), tn, AwardInput{Bids: bids}, awardAt)
		require.ErrorIs(t, err, ErrEvaluationIncomplete)
	})
}

func TestMakeDirectAward(t *testing.T) {
	cfg := DefaultConfig()
	prior := []DirectAward{
		{TenderID: "D-0", BuyerID: "MOF", SupplierID: "SUP-A", Value: Money{4_800_000, "EUR"}, Date: t0.Add(-days(30))},
	}
	tests := []struct {
		name      string
		price     int64
		prior     []DirectAward
		wantErr   error
		wantFlags []FlagKind
	}{
		{name: "awards below the threshold", price: 4_000_000, prior: prior},
		{name: "flags splitting when just-below awards add up past the threshold", price: 4_700_000, prior: prior,
			wantFlags: []FlagKind{FlagContractSplitting}},
		{name: "rejects a bid at the threshold", price: 5_000_000, wantErr: ErrThreshold},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tn, bids := opened(t, directDraft("D-1"), map[string]int64{"SUP-A": tc.price})
			a, flags, err := MakeAward(cfg, tn, AwardInput{Bids: bids, PriorDirectAwards: tc.prior}, awardAt)
			if tc.wantErr != nil {
				require.ErrorIs(t, err, tc.wantErr)
				require.Equal(t, StatusEvaluation, tn.Status)
				return
			}
			require.NoError(t, err)
			var kinds []FlagKind
			for _, f := range flags {
				kinds = append(kinds, f.Kind)
			}
			require.Equal(t, tc.wantFlags, kinds)
			rec, ok := tn.DirectAwardRecord()
			require.True(t, ok)
			require.Equal(t, DirectAward{TenderID: "D-1", BuyerID: "MOF", SupplierID: "SUP-A", Value: a.Value, Date: awardAt}, rec)
		})
	}
}

func TestSplittingFlag(t *testing.T) {
	cfg := DefaultConfig() // EUR threshold 5,000,000; band 10% -> just below is 4,500,000..4,999,999
	now := t0.Add(days(100))
	current := DirectAward{TenderID: "D-9", BuyerID: "MOF", SupplierID: "SUP-A", Value: Money{4_600_000, "EUR"}, Date: now}
	prev := func(id string, amount int64, ago time.Duration) DirectAward {
		return DirectAward{TenderID: id, BuyerID: "MOF", SupplierID: "SUP-A", Value: Money{amount, "EUR"}, Date: now.Add(-ago)}
	}
	tests := []struct {
		name    string
		current DirectAward
		prior   []DirectAward
		want    bool
	}{
		{"flags two just-below awards within the window", current, []DirectAward{prev("D-1", 4_500_000, days(10))}, true},
		{"flags at the very start of the window", current, []DirectAward{prev("D-1", 4_500_000, days(90))}, true},
		{"ignores awards older than the window", current, []DirectAward{prev("D-1", 4_500_000, days(90)+time.Second)}, false},
		{"ignores awards dated after the current one", current, []DirectAward{prev("D-1", 4_500_000, -time.Hour)}, false},
		{"ignores awards well below the threshold", current, []DirectAward{prev("D-1", 4_499_999, days(1))}, false},
		{"ignores a current award well below the threshold", DirectAward{TenderID: "D-9", BuyerID: "MOF", SupplierID: "SUP-A",
			Value: Money{100, "EUR"}, Date: now}, []DirectAward{prev("D-1", 4_900_000, days(1))}, false},
		{"ignores other buyers", current, []DirectAward{{TenderID: "D-1", BuyerID: "HEALTH", SupplierID: "SUP-A",
			Value: Money{4_900_000, "EUR"}, Date: now}}, false},
		{"ignores other suppliers", current, []DirectAward{{TenderID: "D-1", BuyerID: "MOF", SupplierID: "SUP-B",
			Value: Money{4_900_000, "EUR"}, Date: now}}, false},
		{"ignores other currencies", current, []DirectAward{{TenderID: "D-1", BuyerID: "MOF", SupplierID: "SUP-A",
			Value: Money{4_900_000, "USD"}, Date: now}}, false},
		{"ignores the current award listed among prior ones", current, []DirectAward{current}, false},
		{"does not flag without a threshold for the currency", DirectAward{TenderID: "D-9", BuyerID: "MOF", SupplierID: "SUP-A",
			Value: Money{4_600_000, "GBP"}, Date: now}, nil, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := SplittingFlag(cfg, tc.current, tc.prior)
			require.Equal(t, tc.want, f != nil)
			if f != nil {
				require.Equal(t, FlagContractSplitting, f.Kind)
				require.Equal(t, "D-9", f.TenderID)
				require.Contains(t, f.Detail, "D-1, D-9")
			}
		})
	}
	t.Run("computes the band exactly for thresholds that are not multiples of 10000", func(t *testing.T) {
		c := cfg
		c.DirectAwardThresholds = []Money{{Amount: 12_345, Currency: "EUR"}}
		c.SplittingBandBps = 3333 // floor = 12345 - floor(12345×3333/10000) = 12345 - 4114 = 8231
		at := func(v int64) DirectAward {
			return DirectAward{TenderID: "X", BuyerID: "B", SupplierID: "S", Value: Money{v, "EUR"}, Date: now}
		}
		other := DirectAward{TenderID: "Y", BuyerID: "B", SupplierID: "S", Value: Money{8231, "EUR"}, Date: now}
		require.NotNil(t, SplittingFlag(c, at(8231), []DirectAward{other}))
		require.Nil(t, SplittingFlag(c, at(8230), []DirectAward{other}))
	})
}
