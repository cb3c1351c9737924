package procurement

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/govledger/govledger/chaincode/ccerror"
	"github.com/govledger/govledger/chaincode/internal/validate"
)

func TestCommitmentFollowsTheDocumentedEncoding(t *testing.T) {
	c := BidContent{
		TenderID: "T-1", SupplierID: "SUP-A", Price: Money{Amount: 12345, Currency: "EUR"},
		TechnicalDigest: digest("proposal"), TechnicalURI: "https://docs.example/a.pdf", Salt: "00112233445566778899aabbccddeeff",
	}
	msg := "govledger/procurement/bid-commitment/v1\nT-1\nSUP-A\n12345\nEUR\n" + digest("proposal") + "\n00112233445566778899aabbccddeeff"
	require.Equal(t, digest(msg), c.Commitment())

	t.Run("does not depend on the technical URI", func(t *testing.T) {
		other := c
		other.TechnicalURI = "ipfs://bafy"
		require.Equal(t, c.Commitment(), other.Commitment())
	})
	t.Run("binds every committed field", func(t *testing.T) {
		for name, mutate := range map[string]func(*BidContent){
			"tender":    func(b *BidContent) { b.TenderID = "T-2" },
			"supplier":  func(b *BidContent) { b.SupplierID = "SUP-B" },
			"amount":    func(b *BidContent) { b.Price.Amount++ },
			"currency":  func(b *BidContent) { b.Price.Currency = "USD" },
			"technical": func(b *BidContent) { b.TechnicalDigest = digest("other") },
			"salt":      func(b *BidContent) { b.Salt = "ffeeddccbbaa99887766554433221100" },
		} {
			other := c
			mutate(&other)
			require.NotEqual(t, c.Commitment(), other.Commitment(), name)
		}
	})
}

func TestCommitBid(t *testing.T) {
	deadline := t0.Add(days(35))
	good := digest("commitment")
	tests := []struct {
		name       string
		supplier   string
		commitment string
		prev       *Bid
		at         time.Time
		field      string
		wantErr    error
		version    int64
	}{
		{name: "records a first commitment", supplier: "SUP-A", commitment: good, at: t0.Add(days(1)), version: 1},
		{name: "records a commitment a nanosecond before the deadline", supplier: "SUP-A", commitment: good,
			at: deadline.Add(-time.Nanosecond), version: 1},
		{name: "replaces an earlier commitment with a new version", supplier: "SUP-A", commitment: good,
			prev: &Bid{Commitment: digest("old"), Version: 2}, at: t0.Add(days(2)), version: 3},
		{name: "rejects a commitment at the deadline", supplier: "SUP-A", commitment: good, at: deadline, wantErr: ErrDeadline},
		{name: "rejects a late commitment", supplier: "SUP-A", commitment: good, at: deadline.Add(time.Hour), wantErr: ErrDeadline},
		{name: "rejects resubmitting the same commitment", supplier: "SUP-A", commitment: good,
			prev: &Bid{Commitment: good, Version: 1}, at: t0.Add(days(2)), wantErr: ErrDuplicate},
		{name: "rejects a commitment that is not a hex SHA-256", supplier: "SUP-A", commitment: "ABC", at: t0, field: "commitment"},
		{name: "rejects an uppercase commitment", supplier: "SUP-A", commitment: "A" + good[1:], at: t0, field: "commitment"},
		{name: "rejects a bad supplier id", supplier: "SUP A", commitment: good, at: t0, field: "supplierId"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tn := published(t, bestValueDraft())
			b, err := CommitBid(tn, tc.prev, tc.supplier, tc.commitment, tc.at)
			switch {
			case tc.wantErr != nil:
				require.ErrorIs(t, err, tc.wantErr)
				return
			case tc.field != "":
				require.ErrorIs(t, err, validate.ErrInvalid)
				var fe *validate.FieldError
				require.ErrorAs(t, err, &fe)
				require.Equal(t, tc.field, fe.Field)
				return
			}
			require.NoError(t, err)
			require.Equal(t, Bid{TenderID: "T-1", SupplierID: tc.supplier, Commitment: tc.commitment, Version: tc.version,
				CommittedAt: tc.at, Status: BidCommitted}, *b)
		})
	}
	t.Run("rejects a commitment on a tender in planning", func(t *testing.T) {
		tn, err := NewTender(DefaultConfig(), bestValueDraft(), t0)
		require.NoError(t, err)
		_, err = CommitBid(tn, nil, "SUP-A", good, t0)
		require.ErrorIs(t, err, ErrTransition)
	})
	t.Run("duplicate commitments are ALREADY_EXISTS", func(t *testing.T) {
		require.ErrorIs(t, ErrDuplicate, ccerror.ErrAlreadyExists)
	})
}

func TestRevealBid(t *testing.T) {
	deadline, revealEnd := t0.Add(days(35)), t0.Add(days(37))
	tests := []struct {
		name    string
		mutate  func(*BidContent)
		at      time.Time
		already bool
		field   string
		rule    string
		wantErr error
	}{
		{name: "opens a matching bid at the deadline", at: deadline},
		{name: "opens a matching bid just before the reveal end", at: revealEnd.Add(-time.Nanosecond)},
		{name: "rejects a reveal before the deadline", at: deadline.Add(-time.Nanosecond), wantErr: ErrDeadline},
		{name: "rejects a reveal at the reveal end", at: revealEnd, wantErr: ErrDeadline},
		{name: "rejects a second reveal", at: deadline, already: true, wantErr: ErrDuplicate},
		{name: "rejects a different price", mutate: func(c *BidContent) { c.Price.Amount-- }, at: deadline, wantErr: ErrCommitmentMismatch},
		{name: "rejects a different salt", mutate: func(c *BidContent) { c.Salt = "ffffffffffffffffffffffffffffffff" }, at: deadline,
			wantErr: ErrCommitmentMismatch},
		{name: "rejects content for another tender", mutate: func(c *BidContent) { c.TenderID = "T-9" }, at: deadline,
			field: "tenderId", rule: RuleMatch},
		{name: "rejects content for another supplier", mutate: func(c *BidContent) { c.SupplierID = "SUP-B" }, at: deadline,
			field: "supplierId", rule: RuleMatch},
		{name: "rejects a zero price", mutate: func(c *BidContent) { c.Price.Amount = 0 }, at: deadline,
			field: "price.amount", rule: validate.RulePositive},
		{name: "rejects a price outside the budget currency", mutate: func(c *BidContent) { c.Price.Currency = "USD" }, at: deadline,
			field: "price.currency", rule: RuleBudgetCurrency},
		{name: "rejects a bad technical digest", mutate: func(c *BidContent) { c.TechnicalDigest = "xyz" }, at: deadline,
			field: "technicalDigest", rule: validate.RuleSHA256},
		{name: "rejects a missing technical URI", mutate: func(c *BidContent) { c.TechnicalURI = "" }, at: deadline,
			field: "technicalUri", rule: validate.RuleRequired},
		{name: "rejects a plain-http technical URI", mutate: func(c *BidContent) { c.TechnicalURI = "http://docs.example/a" }, at: deadline,
			field: "technicalUri", rule: validate.RulePattern},
		{name: "rejects an overlong technical URI", mutate: func(c *BidContent) { c.TechnicalURI = "https://x/" + string(make([]byte, 2048)) },
			at: deadline, field: "technicalUri", rule: validate.RuleMaxLen},
		{name: "rejects a short salt", mutate: func(c *BidContent) { c.Salt = "abcd" }, at: deadline,
			field: "salt", rule: validate.RulePattern},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tn := published(t, bestValueDraft())
			c := content(tn, "SUP-A", 90_000_000)
			b, err := CommitBid(tn, nil, "SUP-A", c.Commitment(), t0.Add(days(1)))
			require.NoError(t, err)
			if tc.already {
				require.NoError(t, RevealBid(tn, b, c, tc.at))
			}
			if tc.mutate != nil {
				tc.mutate(&c)
			}
			err = RevealBid(tn, b, c, tc.at)
			switch {
			case tc.wantErr != nil:
				require.ErrorIs(t, err, tc.wantErr)
				return
			case tc.field != "":
				requireField(t, err, tc.field, tc.rule)
				require.Equal(t, BidCommitted, b.Status)
				return
			}
			require.NoError(t, err)
			require.Equal(t, BidRevealed, b.Status)
			require.Equal(t, tc.at, b.RevealedAt)
			require.Equal(t, c.Price, b.Price)
			require.Equal(t, c.Salt, b.Salt, "the salt is published so anyone can re-check the commitment")
			require.Equal(t, b.Commitment, BidContent{TenderID: b.TenderID, SupplierID: b.SupplierID, Price: b.Price,
				TechnicalDigest: b.TechnicalDigest, Salt: b.Salt}.Commitment())
		})
	}
}

func TestOpenBids(t *testing.T) {
	revealEnd := t0.Add(days(37))
	tests := []struct {
		name       string
		draft      TenderDraft
		revealed   []string
		unrevealed []string
		at         time.Time
		wantStatus Status
		wantFlags  []FlagKind
		wantErr    error
	}{
		{name: "moves several revealed bids to evaluation", draft: bestValueDraft(), revealed: []string{"SUP-B", "SUP-A"},
			unrevealed: []string{"SUP-C"}, at: revealEnd, wantStatus: StatusEvaluation},
		{name: "flags a single bid in open procurement", draft: bestValueDraft(), revealed: []string{"SUP-A"},
			unrevealed: []string{"SUP-B"}, at: revealEnd, wantStatus: StatusEvaluation, wantFlags: []FlagKind{FlagSingleBid}},
		{name: "does not flag a single bid in direct procurement", draft: directDraft("D-1"), revealed: []string{"SUP-A"},
			at: revealEnd, wantStatus: StatusEvaluation},
		{name: "closes a tender without revealed bids as unsuccessful", draft: bestValueDraft(), unrevealed: []string{"SUP-A"},
			at: revealEnd, wantStatus: StatusUnsuccessful},
		{name: "closes a tender without any bid as unsuccessful", draft: bestValueDraft(), at: revealEnd.Add(days(3)),
			wantStatus: StatusUnsuccessful},
		{name: "rejects opening before the reveal end", draft: bestValueDraft(), revealed: []string{"SUP-A"},
			at: revealEnd.Add(-time.Second), wantErr: ErrDeadline},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tn := published(t, tc.draft)
			var bids []Bid
			for _, s := range tc.revealed {
				bids = append(bids, bidAt(t, tn, s, 1_000_000, t0.Add(days(1))))
			}
			for _, s := range tc.unrevealed {
				b, err := CommitBid(tn, nil, s, digest(s), t0.Add(days(1)))
				require.NoError(t, err)
				bids = append(bids, *b)
			}
			require.Equal(t, !tc.at.Before(revealEnd), NeedsOpening(tn, tc.at))
			flags, err := OpenBids(tn, bids, tc.at)
			if tc.wantErr != nil {
				require.ErrorIs(t, err, tc.wantErr)
				require.Equal(t, StatusActive, tn.Status)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.wantStatus, tn.Status)
			require.False(t, NeedsOpening(tn, tc.at), "opened bids are not opened again")
			require.Equal(t, tc.at, tn.Opening.OpenedAt)
			require.True(t, sortedStrings(tn.Opening.Bidders))
			require.Len(t, tn.Opening.Bidders, len(tc.revealed))
			require.Len(t, tn.Opening.Unrevealed, len(tc.unrevealed))
			var kinds []FlagKind
			for _, f := range flags {
				kinds = append(kinds, f.Kind)
			}
			require.Equal(t, tc.wantFlags, kinds)
		})
	}
	t.Run("rejects a bid of another tender", func(t *testing.T) {
		tn := published(t, bestValueDraft())
		_, err := OpenBids(tn, []Bid{{TenderID: "T-9", SupplierID: "SUP-A"}}, revealEnd)
		requireField(t, err, "bids[0].tenderId", RuleMatch)
	})
	t.Run("rejects opening twice", func(t *testing.T) {
		tn, bids := opened(t, bestValueDraft(), map[string]int64{"SUP-A": 1, "SUP-B": 2})
		_, err := OpenBids(tn, bids, revealEnd)
		require.ErrorIs(t, err, ErrTransition)
	})
}

func sortedStrings(s []string) bool {
	for i := 1; i < len(s); i++ {
		if s[i-1] > s[i] {
			return false
		}
	}
	return true
}
