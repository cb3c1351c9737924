package procurement

import (
	"fmt"
	"math/bits"
	"slices"
	"strings"
	"time"
)

// PointScale is the fixed-point scale of scores: one point is PointScale
// micro-points, and a total score runs from 0 to 100 points. Integer
// arithmetic keeps the ranking identical on every endorsing peer.
const PointScale int64 = 1_000_000

// RankedBid is one opened bid's place in the ranking. Scores are in
// micro-points (see PointScale) and are zero under lowest-price awards.
type RankedBid struct {
	Rank           int64     `json:"rank"`
	SupplierID     string    `json:"supplierId"`
	Price          Money     `json:"price"`
	CommittedAt    time.Time `json:"committedAt"`
	PriceScore     int64     `json:"priceScore"`
	TechnicalScore int64     `json:"technicalScore"`
	TotalScore     int64     `json:"totalScore"`
}

// Rank orders the opened bids. Lowest price: price ascending. Best value:
// total score descending, where
//
//	priceScore     = floor(weight(price) × 100·PointScale × lowest / price / 10000)
//	technicalScore = floor(Σ_c weight(c) × mean_c / 10000), mean_c = floor(Σ_e points·PointScale / evaluators)
//	totalScore     = priceScore + technicalScore
//
// over the evaluators on the panel who declared no conflict. Ties go to the
// earlier commitment time, then to the lower supplier id. Best value needs a
// declaration from every panel member, at least one without conflict, and a
// score from each of those for every opened bid; otherwise it fails with
// ErrEvaluationIncomplete. bids, declarations and scores may hold extra
// records (other tenders, old panel members); they are ignored.
func Rank(t *Tender, bids []Bid, decls []ConflictDeclaration, scores []Score) ([]RankedBid, error) {
	if t.Opening == nil {
		return nil, fmt.Errorf("%w: the bids of tender %s have not been opened", ErrPrecondition, t.ID)
	}
	byBidder := make(map[string]Bid, len(bids))
	for _, b := range bids {
		if b.TenderID == t.ID && b.Status == BidRevealed {
			byBidder[b.SupplierID] = b
		}
	}
	ranked := make([]RankedBid, 0, len(t.Opening.Bidders))
	for _, s := range t.Opening.Bidders {
		b, ok := byBidder[s]
		if !ok {
			return nil, fmt.Errorf("%w: the opened bid of %s", ErrNotFound, s)
		}
		ranked = append(ranked, RankedBid{SupplierID: s, Price: b.Price, CommittedAt: b.CommittedAt})
	}
	if len(ranked) == 0 {
		return nil, fmt.Errorf("%w: tender %s has no opened bid", ErrPrecondition, t.ID)
	}
	if t.AwardMethod == AwardBestValue {
		if err := scoreRanking(t, ranked, decls, scores); err != nil {
			return nil, err
		}
	}
	slices.SortFunc(ranked, func(a, b RankedBid) int {
		if t.AwardMethod == AwardBestValue && a.TotalScore != b.TotalScore {
			return compare(b.TotalScore, a.TotalScore)
		}
		if a.Price.Amount != b.Price.Amount {
			return compare(a.Price.Amount, b.Price.Amount)
		}
		if c := a.CommittedAt.Compare(b.CommittedAt); c != 0 {
			return c
		}
		return strings.Compare(a.SupplierID, b.SupplierID)
	})
	for i := range ranked {
		ranked[i].Rank = int64(i + 1)
	}
	return ranked, nil
}

func compare(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func scoreRanking(t *Tender, ranked []RankedBid, decls []ConflictDeclaration, scores []Score) error {
	declared := make(map[string]ConflictDeclaration, len(decls))
	for _, d := range decls {
		if d.TenderID == t.ID && d.Version >= declared[d.EvaluatorID].Version {
			declared[d.EvaluatorID] = d
		}
	}
	var panel []string
	for _, e := range t.Evaluators {
		d, ok := declared[e]
		if !ok {
			return fmt.Errorf("%w: evaluator %s has not declared conflicts of interest", ErrEvaluationIncomplete, e)
		}
		if !d.Conflict {
			panel = append(panel, e)
		}
	}
	if len(panel) == 0 {
		return fmt.Errorf("%w: no evaluator without a conflict of interest", ErrEvaluationIncomplete)
	}
	type pair struct{ evaluator, supplier string }
	latest := make(map[pair]Score, len(scores))
	for _, s := range scores {
		k := pair{s.EvaluatorID, s.SupplierID}
		if s.TenderID == t.ID && s.Version >= latest[k].Version {
			latest[k] = s
		}
	}
	var priceWeight int64
	lowest := ranked[0].Price.Amount
	for _, r := range ranked {
		lowest = min(lowest, r.Price.Amount)
	}
	for _, c := range t.Criteria {
		if c.Kind == CriterionPrice {
			priceWeight = c.WeightBps
		}
	}
	n := int64(len(panel))
	for i := range ranked {
		r := &ranked[i]
		r.PriceScore = priceWeight * priceMicroPoints(lowest, r.Price.Amount) / 10000
		var weighted int64
		for _, c := range t.Criteria {
			if c.Kind != CriterionTechnical {
				continue
			}
			var sum int64
			for _, e := range panel {
				s, ok := latest[pair{e, r.SupplierID}]
				if !ok {
					return fmt.Errorf("%w: evaluator %s has not scored the bid of %s", ErrEvaluationIncomplete, e, r.SupplierID)
				}
				pts, ok := pointsFor(s, c.ID)
				if !ok {
					return fmt.Errorf("%w: evaluator %s has not scored criterion %s for %s", ErrEvaluationIncomplete, e, c.ID, r.SupplierID)
				}
				sum += pts
			}
			weighted += c.WeightBps * (sum * PointScale / n)
		}
		r.TechnicalScore = weighted / 10000
		r.TotalScore = r.PriceScore + r.TechnicalScore
	}
	return nil
}

func pointsFor(s Score, criterionID string) (int64, bool) {
	for _, cs := range s.Scores {
		if cs.CriterionID == criterionID {
			return cs.Points, true
		}
	}
	return 0, false
}

// priceMicroPoints is floor(100·PointScale × lowest / price) with a 128-bit
// intermediate, so large amounts cannot overflow. 0 < lowest <= price, so
// the conversions to uint64 keep the values, and the quotient, at most
// 100·PointScale, fits an int64.
func priceMicroPoints(lowest, price int64) int64 {
	hi, lo := bits.Mul64(uint64(lowest), uint64(100*PointScale)) //nolint:gosec // G115: 0 < lowest, see above
	q, _ := bits.Div64(hi, lo, uint64(price))                    //nolint:gosec // G115: 0 < lowest <= price, see above
	return int64(q)                                              //nolint:gosec // G115: q <= 100·PointScale, see above
}
