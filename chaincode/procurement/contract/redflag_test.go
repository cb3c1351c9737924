package contract_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/govledger/govledger/chaincode/ccerror"
	"github.com/govledger/govledger/chaincode/internal/ledger"
	"github.com/govledger/govledger/chaincode/internal/memstub"
	"github.com/govledger/govledger/chaincode/procurement"
)

func flagEvents(t *testing.T, res *memstub.Result) []string {
	t.Helper()
	var names []string
	for _, f := range dataOf(t, parseEvent(t, res)).RedFlags {
		names = append(names, f.Event)
	}
	return names
}

func TestRedFlagsRideOnTheActionEvent(t *testing.T) {
	t.Run("flags a short tender period on publication", func(t *testing.T) {
		f := newFixture(t)
		d := draft("T-1")
		d.Deadlines.EnquiryEnd, d.Deadlines.SubmissionDeadline, d.Deadlines.RevealEnd = t0.Add(5*day), t0.Add(10*day), t0.Add(11*day)
		f.submit(buyer, "CreateTender", nil, js(t, d))
		res := f.submit(buyer, "PublishTender", nil, "T-1")
		require.Equal(t, "tender.published", parseEvent(t, res).Name())
		require.Equal(t, []string{"redflag.short-tender-period"}, flagEvents(t, res))
		var tn procurement.Tender
		f.evaluate(auditor, "GetTender", &tn, "T-1")
		require.Len(t, tn.RedFlags, 1, "the tender keeps its flags for auditors")
	})
	t.Run("flags a single bid when the buyer opens the bids", func(t *testing.T) {
		f := newFixture(t)
		d := draft("T-1")
		f.published(d)
		f.bid(supplierA, bidContent("T-1", "SUP-A", 1_000), d.Deadlines.SubmissionDeadline)
		f.at(d.Deadlines.RevealEnd)
		res := f.submit(buyer, "OpenBids", nil, "T-1")
		require.Equal(t, "tender.opened", parseEvent(t, res).Name())
		require.Equal(t, []string{"redflag.single-bid"}, flagEvents(t, res))
		require.Equal(t, procurement.StatusEvaluation, dataOf(t, parseEvent(t, res)).Status)
	})
	t.Run("flags a single bid on the declaration that opens the bids", func(t *testing.T) {
		f := newFixture(t)
		d := draft("T-1")
		f.published(d)
		f.submit(buyer, "AssignEvaluators", nil, "T-1", `["evaluator1"]`)
		f.bid(supplierA, bidContent("T-1", "SUP-A", 1_000), d.Deadlines.SubmissionDeadline)
		f.at(d.Deadlines.RevealEnd)
		res := f.submit(evaluator1, "DeclareConflict", nil, "T-1", `{"conflictWith":["SUP-A"],"statement":"my brother"}`)
		require.Equal(t, "declaration.filed", parseEvent(t, res).Name())
		require.Equal(t, []string{"redflag.single-bid"}, flagEvents(t, res))
		res = f.submit(buyer, "AssignEvaluators", nil, "T-1", `["evaluator2"]`)
		require.Empty(t, flagEvents(t, res), "the bids are opened once")
	})
	t.Run("closes a tender without revealed bids as unsuccessful", func(t *testing.T) {
		f := newFixture(t)
		d := draft("T-1")
		f.published(d)
		f.submit(supplierA, "SubmitBidCommitment", nil, "T-1", "SUP-A", digest("never revealed"))
		f.at(d.Deadlines.RevealEnd)
		res := f.submit(buyer, "OpenBids", nil, "T-1")
		require.Equal(t, procurement.StatusUnsuccessful, dataOf(t, parseEvent(t, res)).Status)
		require.Equal(t, ccerror.FailedPrecondition, f.fail(buyer, "Award", "T-1", "", "").Code)
	})
	t.Run("flags an award that passes over the top-ranked bid", func(t *testing.T) {
		f := newFixture(t)
		d := draft("T-1")
		d.AwardMethod, d.Criteria = procurement.AwardLowestPrice, nil
		f.published(d)
		f.bid(supplierA, bidContent("T-1", "SUP-A", 70_000_000), d.Deadlines.SubmissionDeadline)
		f.bid(supplierB, bidContent("T-1", "SUP-B", 80_000_000), d.Deadlines.SubmissionDeadline)
		f.at(d.Deadlines.RevealEnd)
		e := f.fail(buyer, "Award", "T-1", "SUP-B", "")
		require.Equal(t, "justification", e.Field)
		var a procurement.Award
		res := f.submit(buyer, "Award", &a, "T-1", "SUP-B", "SUP-A failed the eligibility check")
		require.Equal(t, "SUP-B", a.SupplierID)
		require.Equal(t, "SUP-A", a.TopRankedSupplierID)
		require.Equal(t, []string{"redflag.award-not-top-ranked"}, flagEvents(t, res))
	})
}

type offer struct {
	who      memstub.Identity
	supplier string
	price    int64
}

// directAward runs a direct tender from publication at start to the award
// and returns the award transaction.
func (f *fixture) directAward(id string, start time.Time, offers ...offer) *memstub.Result {
	f.t.Helper()
	f.at(start)
	d := directDraft(id, start.Add(2*day))
	f.published(d)
	for _, o := range offers {
		f.bid(o.who, bidContent(id, o.supplier, o.price), d.Deadlines.SubmissionDeadline)
	}
	f.at(d.Deadlines.RevealEnd)
	return f.submit(buyer, "Award", nil, id, "", "")
}

func TestDirectAwardsAreCheckedForSplitting(t *testing.T) {
	f := newFixture(t)
	res := f.directAward("D-1", t0, offer{supplierA, "SUP-A", 4_800_000})
	require.Empty(t, flagEvents(t, res), "one award just below the threshold is not splitting")
	require.Empty(t, dataOf(t, parseEvent(t, res)).RedFlags)

	res = f.directAward("D-2", t0.Add(40*day), offer{supplierA, "SUP-A", 4_700_000})
	require.Equal(t, []string{"redflag.contract-splitting"}, flagEvents(t, res), "two just-below awards within 90 days exceed the threshold")

	res = f.directAward("D-3", t0.Add(200*day), offer{supplierA, "SUP-A", 4_700_000})
	require.Empty(t, flagEvents(t, res), "earlier awards fell out of the window")

	t.Run("forgets a direct award cancelled by an upheld challenge", func(t *testing.T) {
		start := t0.Add(210 * day)
		res := f.directAward("D-4", start, offer{supplierA, "SUP-A", 4_600_000}, offer{supplierB, "SUP-B", 4_650_000})
		require.Equal(t, []string{"redflag.contract-splitting"}, flagEvents(t, res), "D-3 is ten days earlier")
		f.at(start.Add(4 * day))
		var ch procurement.Challenge
		f.submit(supplierB, "FileChallenge", &ch, "D-4", "SUP-B", "SUP-A is a related party")
		rec := procurement.DirectAward{BuyerID: "MOF", SupplierID: "SUP-A", TenderID: "D-4"}
		var tn procurement.Tender
		f.evaluate(auditor, "GetTender", &tn, "D-4")
		rec.Date = tn.CurrentAward().Date
		key, err := ledger.Key("directaward", "MOF", "SUP-A", rec.Date.Format("2006-01"), rec.Date.Format(time.RFC3339Nano), "D-4")
		require.NoError(t, err)
		require.NotNil(t, f.net.Ledger.State(key))
		f.submit(buyer, "ResolveChallenge", &ch, "D-4", ch.ID, "upheld", "related party confirmed")
		require.Nil(t, f.net.Ledger.State(key))
		var a procurement.Award
		res = f.submit(buyer, "Award", &a, "D-4", "SUP-B", "SUP-A excluded by the upheld challenge")
		require.Equal(t, "SUP-B", a.SupplierID)
		require.Equal(t, []string{"redflag.award-not-top-ranked"}, flagEvents(t, res))
	})
}
