package procurement

import (
	"fmt"
	"time"

	"github.com/govledger/govledger/chaincode/internal/validate"
)

// AwardStatus says whether an award stands.
type AwardStatus string

// Award statuses. An upheld challenge cancels the award.
const (
	AwardActive    AwardStatus = "active"
	AwardCancelled AwardStatus = "cancelled"
)

// Award is the contract's decision: it always comes from the computed
// ranking, never from a free-form winner.
type Award struct {
	ID                  string      `json:"id"`
	Status              AwardStatus `json:"status"`
	Date                time.Time   `json:"date"`
	SupplierID          string      `json:"supplierId"`
	Value               Money       `json:"value"`
	TopRankedSupplierID string      `json:"topRankedSupplierId"`
	Justification       string      `json:"justification,omitempty" metadata:",optional"`
	Ranking             []RankedBid `json:"ranking"`
	StandstillEnd       time.Time   `json:"standstillEnd"` // signing waits until then
	ChallengeEnd        time.Time   `json:"challengeEnd"`  // challenges are accepted until then
}

// AwardInput is everything an award decision needs: the tender's bids,
// declarations and scores, the buyer's choice, and the buyer's earlier
// direct awards to the same supplier (for contract-splitting detection).
type AwardInput struct {
	Bids              []Bid
	Declarations      []ConflictDeclaration
	Scores            []Score
	SupplierID        string // "" awards to the top-ranked bid
	Justification     string // required when SupplierID is not the top-ranked bid
	PriorDirectAwards []DirectAward
}

// MakeAward ranks the opened bids and awards the tender, by default to the
// top-ranked bid. Choosing another ranked bid needs a justification and
// raises an awardNotTopRanked red flag. A direct award must stay below the
// threshold and may raise a contractSplitting red flag. The standstill and
// challenge windows start at now.
func MakeAward(cfg Config, t *Tender, in AwardInput, now time.Time) (*Award, []RedFlag, error) {
	next, err := NextStatus(t.Status, ActionAward)
	if err != nil {
		return nil, nil, err
	}
	ranking, err := Rank(t, in.Bids, in.Declarations, in.Scores)
	if err != nil {
		return nil, nil, err
	}
	top := ranking[0]
	chosen := top
	if in.SupplierID != "" {
		found := false
		for _, r := range ranking {
			if r.SupplierID == in.SupplierID {
				chosen, found = r, true
			}
		}
		if !found {
			return nil, nil, fieldErr("supplierId", RuleNotBidder, "%q is not a ranked bidder", in.SupplierID)
		}
	}
	var flags []RedFlag
	if chosen.SupplierID != top.SupplierID {
		if err := checkText("justification", in.Justification, maxText, true); err != nil {
			return nil, nil, fieldErr("justification", validate.RuleRequired, "is required when the award does not go to the top-ranked bid")
		}
		flags = append(flags, RedFlag{
			Kind: FlagAwardNotTopRanked, TenderID: t.ID, RaisedAt: now.UTC(),
			Detail: fmt.Sprintf("awarded to %s (rank %d) instead of %s (rank 1)", chosen.SupplierID, chosen.Rank, top.SupplierID),
		})
	} else if err := checkText("justification", in.Justification, maxText, false); err != nil {
		return nil, nil, err
	}
	if t.Method == MethodDirect {
		// validateDraft guarantees a threshold exists for a direct tender.
		limit, _ := cfg.directThreshold(chosen.Price.Currency)
		if chosen.Price.Amount >= limit {
			return nil, nil, fmt.Errorf("%w: a direct award of %d %s must stay below %d", ErrThreshold, chosen.Price.Amount, chosen.Price.Currency, limit)
		}
		current := DirectAward{TenderID: t.ID, BuyerID: t.Buyer.ID, SupplierID: chosen.SupplierID, Value: chosen.Price, Date: now.UTC()}
		if f := SplittingFlag(cfg, current, in.PriorDirectAwards); f != nil {
			flags = append(flags, *f)
		}
	}
	a := Award{
		ID: fmt.Sprintf("%s-award-%d", t.ID, len(t.Awards)+1), Status: AwardActive, Date: now.UTC(),
		SupplierID: chosen.SupplierID, Value: chosen.Price, TopRankedSupplierID: top.SupplierID,
		Justification: in.Justification, Ranking: ranking,
		StandstillEnd: now.Add(time.Duration(t.Deadlines.StandstillDays) * Day).UTC(),
		ChallengeEnd:  now.Add(time.Duration(t.Deadlines.ChallengeDays) * Day).UTC(),
	}
	t.Status = next
	t.Awards = append(t.Awards, a)
	t.RedFlags = append(t.RedFlags, flags...)
	t.touch(now)
	return &a, flags, nil
}

// CurrentAward returns the award in force, or nil.
func (t *Tender) CurrentAward() *Award {
	if n := len(t.Awards); n > 0 && t.Awards[n-1].Status == AwardActive {
		return &t.Awards[n-1]
	}
	return nil
}

// DirectAwardRecord returns the record contract-splitting detection keeps
// for the tender's award in force, when the tender is a direct award.
func (t *Tender) DirectAwardRecord() (DirectAward, bool) {
	a := t.CurrentAward()
	if t.Method != MethodDirect || a == nil {
		return DirectAward{}, false
	}
	return DirectAward{TenderID: t.ID, BuyerID: t.Buyer.ID, SupplierID: a.SupplierID, Value: a.Value, Date: a.Date}, true
}
