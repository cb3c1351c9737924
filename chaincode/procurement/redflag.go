package procurement

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// FlagKind names a red flag: a pattern auditors should look at. Flags never
// block an action; the domain returns them and the caller publishes them.
type FlagKind string

// Red-flag kinds.
const (
	// FlagSingleBid: a competitive tender had one revealed bid at opening.
	FlagSingleBid FlagKind = "singleBid"
	// FlagShortTenderPeriod: published with less than the legal minimum
	// period before the submission deadline.
	FlagShortTenderPeriod FlagKind = "shortTenderPeriod"
	// FlagAwardNotTopRanked: awarded to a bid other than the top-ranked one.
	FlagAwardNotTopRanked FlagKind = "awardNotTopRanked"
	// FlagContractSplitting: repeated direct awards by one buyer to one
	// supplier, each just below the threshold, together exceed it.
	FlagContractSplitting FlagKind = "contractSplitting"
)

// RedFlag is one raised red flag. The tender keeps every flag it raised.
type RedFlag struct {
	Kind     FlagKind  `json:"kind"`
	TenderID string    `json:"tenderId"`
	Detail   string    `json:"detail"`
	RaisedAt time.Time `json:"raisedAt"`
}

// DirectAward is the record of one direct award that contract-splitting
// detection looks back over.
type DirectAward struct {
	TenderID   string    `json:"tenderId"`
	BuyerID    string    `json:"buyerId"`
	SupplierID string    `json:"supplierId"`
	Value      Money     `json:"value"`
	Date       time.Time `json:"date"`
}

// SplittingFlag looks for contract splitting around the direct award
// current: counting current and the prior awards with the same buyer,
// supplier and currency dated within cfg.SplittingWindowDays before it,
// each within cfg.SplittingBandBps below the threshold, a flag is raised
// when there are at least two and their sum exceeds the threshold. prior
// may hold unrelated awards; they are ignored.
func SplittingFlag(cfg Config, current DirectAward, prior []DirectAward) *RedFlag {
	limit, ok := cfg.directThreshold(current.Value.Currency)
	if !ok {
		return nil
	}
	floor := limit - limit/10000*cfg.SplittingBandBps - limit%10000*cfg.SplittingBandBps/10000
	justBelow := func(a DirectAward) bool {
		return a.Value.Currency == current.Value.Currency && a.Value.Amount >= floor && a.Value.Amount < limit
	}
	if !justBelow(current) {
		return nil
	}
	windowStart := current.Date.Add(-time.Duration(cfg.SplittingWindowDays) * Day)
	ids := []string{current.TenderID}
	sum := current.Value.Amount
	for _, a := range prior {
		if a.TenderID == current.TenderID || a.BuyerID != current.BuyerID || a.SupplierID != current.SupplierID ||
			!justBelow(a) || a.Date.Before(windowStart) || a.Date.After(current.Date) {
			continue
		}
		ids = append(ids, a.TenderID)
		sum += a.Value.Amount
	}
	if len(ids) < 2 || sum <= limit {
		return nil
	}
	slices.Sort(ids)
	return &RedFlag{
		Kind: FlagContractSplitting, TenderID: current.TenderID, RaisedAt: current.Date.UTC(),
		Detail: fmt.Sprintf("%d direct awards by %s to %s within %d days, each just below the %d %s threshold, total %d %s: %s",
			len(ids), current.BuyerID, current.SupplierID, cfg.SplittingWindowDays, limit, current.Value.Currency,
			sum, current.Value.Currency, strings.Join(ids, ", ")),
	}
}
