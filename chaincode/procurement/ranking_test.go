package procurement

import (
	"errors"
	"math"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestRankLowestPrice(t *testing.T) {
	tn := published(t, lowestPriceDraft())
	bids := []Bid{
		bidAt(t, tn, "SUP-C", 90_000_000, t0.Add(days(3))),
		bidAt(t, tn, "SUP-B", 70_000_000, t0.Add(days(2))), // tie on price, committed later
		bidAt(t, tn, "SUP-A", 70_000_000, t0.Add(days(1))),
		bidAt(t, tn, "SUP-D", 90_000_000, t0.Add(days(3))), // tie on price and time: supplier id decides
	}
	_, err := OpenBids(tn, bids, tn.Deadlines.RevealEnd)
	require.NoError(t, err)
	ranked, err := Rank(tn, bids, nil, nil)
	require.NoError(t, err)
	var order []string
	for i, r := range ranked {
		order = append(order, r.SupplierID)
		require.Equal(t, int64(i+1), r.Rank)
		require.Zero(t, r.TotalScore, "lowest price does not score")
	}
	require.Equal(t, []string{"SUP-A", "SUP-B", "SUP-C", "SUP-D"}, order)
}

// scored builds a best-value panel where e1 and e2 scored both bids.
func scored(t *testing.T) (*Tender, []Bid, []ConflictDeclaration, []Score) {
	t.Helper()
	tn, bids := panel(t)
	at := t0.Add(days(38))
	var decls []ConflictDeclaration
	var scores []Score
	points := map[string][2]int64{ // evaluator/supplier -> quality, delivery
		"e1/SUP-A": {60, 50}, "e2/SUP-A": {70, 61},
		"e1/SUP-B": {90, 90}, "e2/SUP-B": {95, 85},
	}
	for _, e := range []string{"e1", "e2"} {
		d, err := DeclareConflict(tn, nil, e, DeclarationInput{}, at)
		require.NoError(t, err)
		decls = append(decls, *d)
		for _, s := range []string{"SUP-A", "SUP-B"} {
			p := points[e+"/"+s]
			sc, err := ScoreBid(tn, d, nil, e, s, []CriterionScore{{"quality", p[0]}, {"delivery", p[1]}}, at)
			require.NoError(t, err)
			scores = append(scores, *sc)
		}
	}
	return tn, bids, decls, scores
}

func TestRankBestValue(t *testing.T) {
	tn, bids, decls, scores := scored(t)
	ranked, err := Rank(tn, bids, decls, scores)
	require.NoError(t, err)
	// SUP-A: price 80M (lowest) -> 100 points × 40% = 40; quality mean 65 × 35% = 22.75;
	//        delivery mean 55.5 × 25% = 13.875; technical 36.625; total 76.625.
	// SUP-B: price 100M -> 80 points × 40% = 32; quality 92.5 × 35% = 32.375;
	//        delivery 87.5 × 25% = 21.875; technical 54.25; total 86.25.
	require.Equal(t, []RankedBid{
		{Rank: 1, SupplierID: "SUP-B", Price: Money{100_000_000, "EUR"}, CommittedAt: t0.Add(days(2)),
			PriceScore: 32_000_000, TechnicalScore: 54_250_000, TotalScore: 86_250_000},
		{Rank: 2, SupplierID: "SUP-A", Price: Money{80_000_000, "EUR"}, CommittedAt: t0.Add(days(1)),
			PriceScore: 40_000_000, TechnicalScore: 36_625_000, TotalScore: 76_625_000},
	}, ranked)

	t.Run("uses the latest version of each score", func(t *testing.T) {
		newer := scores[0] // e1/SUP-A
		newer.Version = 2
		newer.Scores = []CriterionScore{{"delivery", 100}, {"quality", 100}}
		ranked, err := Rank(tn, bids, decls, append([]Score{newer}, scores...))
		require.NoError(t, err)
		require.Equal(t, "SUP-A", ranked[0].SupplierID)
	})
	t.Run("ignores evaluators who declared a conflict", func(t *testing.T) {
		conflicted := decls[1]
		conflicted.Conflict, conflicted.ConflictWith, conflicted.Version = true, []string{"SUP-B"}, 2
		ranked, err := Rank(tn, bids, append(decls, conflicted), scores)
		require.NoError(t, err)
		require.Equal(t, int64(90*PointScale*3500/10000+90*PointScale*2500/10000), ranked[0].TechnicalScore, "only e1's points count")
	})
	t.Run("ignores records of other tenders and former panel members", func(t *testing.T) {
		stray := scores[0]
		stray.TenderID = "T-9"
		stray.Scores = []CriterionScore{{"delivery", 0}, {"quality", 0}}
		stray.Version = 9
		former := Score{TenderID: "T-1", EvaluatorID: "e7", SupplierID: "SUP-A", Version: 1}
		bidOther := Bid{TenderID: "T-9", SupplierID: "SUP-A", Status: BidRevealed, Price: Money{1, "EUR"}}
		again, err := Rank(tn, append([]Bid{bidOther}, bids...), decls, append(scores, stray, former))
		require.NoError(t, err)
		require.Equal(t, ranked, again)
	})
}

func TestRankRefusesAnIncompleteEvaluation(t *testing.T) {
	tn, bids, decls, scores := scored(t)
	tests := []struct {
		name    string
		decls   []ConflictDeclaration
		scores  []Score
		wantErr error
	}{
		{"without a declaration from every panel member", decls[:1], scores, ErrEvaluationIncomplete},
		{"when every panel member is conflicted", []ConflictDeclaration{
			{TenderID: "T-1", EvaluatorID: "e1", Conflict: true, Version: 1},
			{TenderID: "T-1", EvaluatorID: "e2", Conflict: true, Version: 1},
		}, scores, ErrEvaluationIncomplete},
		{"when an evaluator has not scored a bid", decls, scores[1:], ErrEvaluationIncomplete},
		{"when a score misses a criterion", decls, append([]Score{{TenderID: "T-1", EvaluatorID: "e1", SupplierID: "SUP-A",
			Version: 7, Scores: []CriterionScore{{"quality", 1}}}}, scores...), ErrEvaluationIncomplete},
		{"when an opened bid is missing", decls, scores, ErrNotFound},
	}
	for _, tc := range tests {
		t.Run("fails "+tc.name, func(t *testing.T) {
			b := bids
			if errors.Is(tc.wantErr, ErrNotFound) {
				b = bids[:1]
			}
			_, err := Rank(tn, b, tc.decls, tc.scores)
			require.ErrorIs(t, err, tc.wantErr)
		})
	}
	t.Run("fails before bid opening", func(t *testing.T) {
		_, err := Rank(published(t, bestValueDraft()), nil, nil, nil)
		require.ErrorIs(t, err, ErrPrecondition)
	})
	t.Run("fails without an opened bid", func(t *testing.T) {
		empty := *tn
		empty.Opening = &Opening{}
		_, err := Rank(&empty, bids, decls, scores)
		require.ErrorIs(t, err, ErrPrecondition)
	})
}

func TestPriceMicroPoints(t *testing.T) {
	tests := []struct {
		name          string
		lowest, price int64
		want          int64
	}{
		{"gives the lowest price full points", 500, 500, 100 * PointScale},
		{"scales linearly", 500, 1000, 50 * PointScale},
		{"rounds down", 1, 3, 33_333_333},
		{"does not overflow on the largest amounts", math.MaxInt64 - 1, math.MaxInt64, 99_999_999},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.want, priceMicroPoints(tc.lowest, tc.price))
		})
	}
}
