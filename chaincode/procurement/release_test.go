package procurement

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/govledger/govledger/chaincode/procurement/ocds"
)

// lifecycle runs a lowest-price tender from planning to the last payment,
// with an amendment and an upheld challenge, and returns every stored state.
func lifecycle(t *testing.T) []Tender {
	t.Helper()
	cfg := DefaultConfig()
	var history []Tender
	snap := func(tn *Tender) { history = append(history, cloneTender(t, tn)) }

	d := lowestPriceDraft()
	tn, err := NewTender(cfg, d, t0)
	require.NoError(t, err)
	snap(tn)
	_, err = Publish(cfg, tn, t0.Add(days(1)))
	require.NoError(t, err)
	snap(tn)
	d.Description = "amended"
	_, err = Amend(cfg, tn, d, "typo", t0.Add(days(2)))
	require.NoError(t, err)
	snap(tn)
	require.NoError(t, AssignEvaluators(cfg, tn, []string{"e1"}, t0.Add(days(3))))
	snap(tn)
	bids := []Bid{
		bidAt(t, tn, "SUP-A", 70_000_000, t0.Add(days(4))),
		bidAt(t, tn, "SUP-B", 80_000_000, t0.Add(days(5))),
	}
	_, err = OpenBids(tn, bids, tn.Deadlines.RevealEnd)
	require.NoError(t, err)
	snap(tn)
	_, _, err = MakeAward(cfg, tn, AwardInput{Bids: bids}, awardAt)
	require.NoError(t, err)
	snap(tn)
	_, err = FileChallenge(tn, "SUP-B", "SUP-A is not registered", awardAt.Add(days(1)))
	require.NoError(t, err)
	snap(tn)
	_, err = ResolveChallenge(tn, "T-2-challenge-1", OutcomeUpheld, "registration lapsed", awardAt.Add(days(2)))
	require.NoError(t, err)
	snap(tn)
	_, _, err = MakeAward(cfg, tn, AwardInput{Bids: bids, SupplierID: "SUP-B", Justification: "SUP-A ineligible"}, awardAt.Add(days(3)))
	require.NoError(t, err)
	snap(tn)
	_, err = SignContract(cfg, tn, []MilestoneInput{{ID: "M1", Title: "All laptops", DueDate: awardAt.Add(days(60)),
		AcceptanceCriteria: "2000 laptops", Amount: 80_000_000, PenaltyPerDay: 10_000, PenaltyCap: 100_000}}, awardAt.Add(days(13)))
	require.NoError(t, err)
	snap(tn)
	_, err = SubmitDeliverable(tn, "SUP-B", "M1", digest("note"), "https://docs.example/note", awardAt.Add(days(61)))
	require.NoError(t, err)
	snap(tn)
	_, err = AcceptDeliverable(tn, "M1", awardAt.Add(days(62)))
	require.NoError(t, err)
	snap(tn)
	_, err = ReleasePayment(tn, "M1", "PAY-7", awardAt.Add(days(63)))
	require.NoError(t, err)
	snap(tn)
	require.Equal(t, StatusCompleted, tn.Status)
	return history
}

// cloneTender deep-copies a tender through JSON, as storing it would.
func cloneTender(t *testing.T, tn *Tender) Tender {
	t.Helper()
	b, err := json.Marshal(tn)
	require.NoError(t, err)
	var c Tender
	require.NoError(t, json.Unmarshal(b, &c))
	return c
}

func TestReleases(t *testing.T) {
	history := lifecycle(t)
	rels, err := Releases(history)
	require.NoError(t, err)

	var tags []string
	for i, r := range rels {
		require.Len(t, r.Tag, 1)
		tags = append(tags, r.Tag[0])
		require.Equal(t, "ocds-govldg-T-2", r.OCID)
		require.Equal(t, history[i].UpdatedAt, r.Date, "the release date is the change's transaction time")
		require.Equal(t, "tender", r.InitiationType)
	}
	require.Equal(t, []string{
		ocds.TagPlanning, ocds.TagTender, ocds.TagTenderAmendment, ocds.TagTenderUpdate, ocds.TagTenderUpdate,
		ocds.TagAward, ocds.TagAwardUpdate, ocds.TagAwardCancellation, ocds.TagAward,
		ocds.TagContract, ocds.TagImplementation, ocds.TagImplementation, ocds.TagImplementation,
	}, tags)

	t.Run("derives stable ids from the revision", func(t *testing.T) {
		require.Equal(t, "ocds-govldg-T-2-r1", rels[0].ID)
		require.Equal(t, "ocds-govldg-T-2-r13", rels[12].ID)
	})
	t.Run("yields the same releases from any order and with repeats", func(t *testing.T) {
		shuffled := slices.Clone(history)
		slices.Reverse(shuffled)
		shuffled = append(shuffled, history[3])
		again, err := Releases(shuffled)
		require.NoError(t, err)
		require.Equal(t, rels, again)
	})
	t.Run("writes amounts exactly in major units", func(t *testing.T) {
		last := rels[len(rels)-1]
		b, err := json.Marshal(last)
		require.NoError(t, err)
		require.Contains(t, string(b), `"budget":{"amount":{"amount":1000000.00,"currency":"EUR"}}`)
		c := last.Contracts[0]
		require.Equal(t, "terminated", c.Status)
		require.Equal(t, "met", c.Milestones[0].Status)
		require.Equal(t, json.Number("799900.00"), c.Implementation.Transactions[0].Value.Amount, "one day late: 80,000,000 minus 10,000")
		require.Equal(t, "T-2-contract-1-M1-payment", c.Implementation.Transactions[0].ID)
	})
	t.Run("lists the parties with their roles", func(t *testing.T) {
		last := rels[len(rels)-1]
		require.Equal(t, []ocds.Party{
			{ID: "MOF", Name: "Ministry of Finance", Roles: []string{"buyer", "procuringEntity"}},
			{ID: "SUP-A", Name: "SUP-A", Roles: []string{"tenderer", "supplier"}},
			{ID: "SUP-B", Name: "SUP-B", Roles: []string{"tenderer", "supplier"}},
		}, last.Parties)
		require.Equal(t, []string{"cancelled", "active"}, []string{last.Awards[0].Status, last.Awards[1].Status})
		require.Equal(t, int64(2), *last.Tender.NumberOfTenderers)
		require.Equal(t, "complete", last.Tender.Status)
		require.Equal(t, "priceOnly", last.Tender.AwardCriteria)
		require.Equal(t, "changed: description", last.Tender.Amendments[0].Description)
	})
	t.Run("describes best-value criteria", func(t *testing.T) {
		tn := published(t, bestValueDraft())
		rels, err := Releases([]Tender{*tn})
		require.NoError(t, err)
		require.Equal(t, ocds.TagTender, rels[0].Tag[0], "a first known state that is active is a tender release")
		require.Equal(t, "ratedCriteria", rels[0].Tender.AwardCriteria)
		require.Contains(t, rels[0].Tender.AwardCriteriaDetails, "Price (price): 4000 bps")
		require.Contains(t, rels[0].Tender.AwardCriteriaDetails, tn.CriteriaHash)
	})
	t.Run("tags an unsuccessful tender as a tender update", func(t *testing.T) {
		tn := published(t, bestValueDraft())
		before := cloneTender(t, tn)
		_, err := OpenBids(tn, nil, tn.Deadlines.RevealEnd)
		require.NoError(t, err)
		rels, err := Releases([]Tender{before, *tn})
		require.NoError(t, err)
		require.Equal(t, ocds.TagTenderUpdate, rels[1].Tag[0])
		require.Equal(t, "unsuccessful", rels[1].Tender.Status)
	})
	t.Run("tags a first known state by its stage", func(t *testing.T) {
		for i, want := range map[int]string{5: ocds.TagAward, 9: ocds.TagContract} {
			rels, err := Releases([]Tender{history[i]})
			require.NoError(t, err)
			require.Equal(t, want, rels[0].Tag[0])
		}
	})
	t.Run("refuses an empty history", func(t *testing.T) {
		_, err := Releases(nil)
		require.ErrorIs(t, err, ErrNotFound)
	})
	t.Run("refuses a history mixing tenders", func(t *testing.T) {
		other := history[0]
		other.ID = "T-9"
		_, err := Releases([]Tender{history[0], other})
		requireField(t, err, "history[1].id", RuleMatch)
	})
}

func TestPackages(t *testing.T) {
	cfg := DefaultConfig()
	history := lifecycle(t)
	last := history[len(history)-1]

	rp, err := ReleasePackage(cfg, history)
	require.NoError(t, err)
	require.Equal(t, "https://govledger.example/ocds/releases/ocds-govldg-T-2", rp.URI)
	require.Equal(t, "1.1", rp.Version)
	require.Equal(t, last.UpdatedAt, rp.PublishedDate)
	require.Equal(t, "GovLedger", rp.Publisher.Name)
	require.Len(t, rp.Releases, len(history))

	rec, err := RecordPackage(cfg, history)
	require.NoError(t, err)
	require.Equal(t, "https://govledger.example/ocds/records/ocds-govldg-T-2", rec.URI)
	require.Len(t, rec.Records, 1)
	compiled := rec.Records[0].CompiledRelease
	require.Equal(t, "ocds-govldg-T-2-compiled", compiled.ID)
	require.Equal(t, []string{ocds.TagCompiled}, compiled.Tag)
	require.Equal(t, rp.Releases, rec.Records[0].Releases)
	require.Equal(t, rp.Releases[len(history)-1].Contracts, compiled.Contracts)

	t.Run("is byte-for-byte deterministic", func(t *testing.T) {
		a, err := json.Marshal(rec)
		require.NoError(t, err)
		again, err := RecordPackage(cfg, history)
		require.NoError(t, err)
		b, err := json.Marshal(again)
		require.NoError(t, err)
		require.Equal(t, string(a), string(b))
	})
	t.Run("refuses an empty history", func(t *testing.T) {
		_, err := ReleasePackage(cfg, nil)
		require.ErrorIs(t, err, ErrNotFound)
		_, err = RecordPackage(cfg, nil)
		require.ErrorIs(t, err, ErrNotFound)
	})
}
