package procurement

import (
	"crypto/sha256"
	"encoding/hex"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/govledger/govledger/chaincode/internal/validate"
)

// t0 is the transaction time tenders are created and published at.
var t0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

func days(n int) time.Duration { return time.Duration(n) * Day }

func digest(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// bestValueDraft is a valid open, best-value tender for EUR 1,000,000.00.
func bestValueDraft() TenderDraft {
	return TenderDraft{
		ID: "T-1", Title: "School laptops", Description: "Laptops for 40 schools",
		Buyer: Party{ID: "MOF", Name: "Ministry of Finance"}, Method: MethodOpen, Category: CategoryGoods,
		Items: []Item{
			{ID: "laptop", Description: "14-inch laptop", Quantity: 2000, Unit: "piece"},
			{ID: "support", Description: "3-year support", Quantity: 1, Unit: "lot"},
		},
		Budget:      Money{Amount: 100_000_000, Currency: "EUR"},
		AwardMethod: AwardBestValue,
		Criteria: []Criterion{
			{ID: "quality", Kind: CriterionTechnical, Name: "Quality", WeightBps: 3500},
			{ID: "price", Kind: CriterionPrice, Name: "Price", WeightBps: 4000},
			{ID: "delivery", Kind: CriterionTechnical, Name: "Delivery plan", WeightBps: 2500},
		},
		Deadlines: Deadlines{
			EnquiryEnd: t0.Add(days(20)), SubmissionDeadline: t0.Add(days(35)), RevealEnd: t0.Add(days(37)),
			StandstillDays: 10, ChallengeDays: 7,
		},
	}
}

func lowestPriceDraft() TenderDraft {
	d := bestValueDraft()
	d.ID, d.AwardMethod, d.Criteria = "T-2", AwardLowestPrice, nil
	return d
}

func directDraft(id string) TenderDraft {
	d := lowestPriceDraft()
	d.ID, d.Method = id, MethodDirect
	d.Budget = Money{Amount: 4_900_000, Currency: "EUR"}
	return d
}

// published creates and publishes d at t0.
func published(t *testing.T, d TenderDraft) *Tender {
	t.Helper()
	tn, err := NewTender(DefaultConfig(), d, t0)
	require.NoError(t, err)
	_, err = Publish(DefaultConfig(), tn, t0)
	require.NoError(t, err)
	return tn
}

func content(tn *Tender, supplier string, price int64) BidContent {
	return BidContent{
		TenderID: tn.ID, SupplierID: supplier, Price: Money{Amount: price, Currency: tn.Budget.Currency},
		TechnicalDigest: digest("proposal of " + supplier), TechnicalURI: "https://docs.example/" + supplier + ".pdf",
		Salt: digest("salt of " + supplier)[:32],
	}
}

// bidAt commits and reveals supplier's bid at price, committing at commitAt.
func bidAt(t *testing.T, tn *Tender, supplier string, price int64, commitAt time.Time) Bid {
	t.Helper()
	c := content(tn, supplier, price)
	b, err := CommitBid(tn, nil, supplier, c.Commitment(), commitAt)
	require.NoError(t, err)
	require.NoError(t, RevealBid(tn, b, c, tn.Deadlines.SubmissionDeadline))
	return *b
}

// opened publishes d, takes the given bids (supplier -> price) and opens them.
func opened(t *testing.T, d TenderDraft, prices map[string]int64) (*Tender, []Bid) {
	t.Helper()
	tn := published(t, d)
	var bids []Bid
	offset := 0
	for _, s := range []string{"SUP-A", "SUP-B", "SUP-C", "SUP-D"} {
		if p, ok := prices[s]; ok {
			offset++
			bids = append(bids, bidAt(t, tn, s, p, t0.Add(days(offset))))
		}
	}
	_, err := OpenBids(tn, bids, tn.Deadlines.RevealEnd)
	require.NoError(t, err)
	return tn, bids
}

// requireField asserts err is an input error on field with rule.
func requireField(t *testing.T, err error, field, rule string) {
	t.Helper()
	var fe *validate.FieldError
	require.ErrorAs(t, err, &fe, "want a field error on %s, got %v", field, err)
	require.Equal(t, field, fe.Field, "field of %v", err)
	require.Equal(t, rule, fe.Rule, "rule of %v", err)
}
