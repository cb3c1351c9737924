package contract_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/govledger/govledger/chaincode/internal/memstub"
	"github.com/govledger/govledger/chaincode/procurement"
	"github.com/govledger/govledger/chaincode/procurement/contract"
	"github.com/govledger/govledger/chaincode/procurement/ocds"
)

func TestTenderFromPublicationToFinalPayment(t *testing.T) {
	f := newFixture(t)
	d := draft("T-1")

	var tn procurement.Tender
	res := f.submit(buyer, "CreateTender", &tn, js(t, d))
	require.Equal(t, procurement.StatusPlanning, tn.Status)
	require.Equal(t, "MOF", tn.Buyer.ID, "buyer.id defaults to the caller's agency")
	e := parseEvent(t, res)
	require.Equal(t, "tender.created", e.Name())
	require.Equal(t, "ProcurementMSP", e.Actor.MSPID)
	require.Equal(t, "MOF", e.Actor.Agency)

	res = f.submit(buyer, "PublishTender", &tn, "T-1")
	require.Equal(t, procurement.StatusActive, tn.Status)
	require.Equal(t, "tender.published", parseEvent(t, res).Name())
	require.Empty(t, dataOf(t, parseEvent(t, res)).RedFlags, "35 days meets the 30-day minimum")

	f.at(t0.Add(2 * day))
	d.Buyer.ID = "MOF"
	d.Description = "Laptops for 45 schools"
	res = f.submit(buyer, "AmendTender", &tn, "T-1", js(t, d), "five more schools")
	require.Len(t, tn.Amendments, 1)
	require.Equal(t, "tender.amended", parseEvent(t, res).Name())

	res = f.submit(buyer, "AssignEvaluators", &tn, "T-1", `["evaluator2","evaluator1"]`)
	require.Equal(t, []string{"evaluator1", "evaluator2"}, tn.Evaluators)
	require.Equal(t, "tender.evaluators-assigned", parseEvent(t, res).Name())

	// Sealed bids: B first commits a price it then replaces.
	type bidder struct {
		who     memstub.Identity
		content procurement.BidContent
	}
	bidders := []bidder{
		{supplierA, bidContent("T-1", "SUP-A", 80_000_000)},
		{supplierB, bidContent("T-1", "SUP-B", 95_000_000)},
		{supplierC, bidContent("T-1", "SUP-C", 99_000_000)},
	}
	early := bidContent("T-1", "SUP-B", 99_500_000)
	f.at(t0.Add(3 * day))
	f.submit(supplierB, "SubmitBidCommitment", nil, "T-1", "SUP-B", early.Commitment())
	f.at(t0.Add(4 * day))
	var b procurement.Bid
	for _, bd := range bidders {
		res = f.submit(bd.who, "SubmitBidCommitment", &b, "T-1", bd.content.SupplierID, bd.content.Commitment())
		require.Equal(t, "bid.committed", parseEvent(t, res).Name())
		want := int64(1)
		if bd.content.SupplierID == "SUP-B" {
			want = 2
		}
		require.Equal(t, want, b.Version, "a replaced commitment gets a new version")
	}
	var page contract.TenderPage
	f.evaluate(supplierB, "ListTendersBySupplier", &page, "SUP-B", "0", "")
	require.Len(t, page.Items, 1, "a replaced commitment is indexed once")

	f.at(d.Deadlines.SubmissionDeadline)
	for _, bd := range bidders {
		res = f.submit(bd.who, "RevealBid", &b, "T-1", js(t, bd.content))
		require.Equal(t, procurement.BidRevealed, b.Status)
		require.Equal(t, "bid.revealed", parseEvent(t, res).Name())
	}

	// The first declaration after the reveal end opens the bids.
	f.at(d.Deadlines.RevealEnd.Add(day))
	var decl procurement.ConflictDeclaration
	res = f.submit(evaluator1, "DeclareConflict", &decl, "T-1", `{"conflictWith":[],"statement":"no links to any bidder"}`)
	require.Equal(t, "evaluator1", decl.EvaluatorID)
	e = parseEvent(t, res)
	require.Equal(t, "declaration.filed", e.Name())
	require.Equal(t, procurement.StatusEvaluation, dataOf(t, e).Status)
	f.submit(evaluator2, "DeclareConflict", nil, "T-1", `{"conflictWith":[]}`)

	points := map[string][2]int64{"SUP-A": {50, 60}, "SUP-B": {95, 90}, "SUP-C": {70, 70}}
	for s, p := range points {
		res = f.submit(evaluator1, "ScoreBid", nil, "T-1", s, js(t, []procurement.CriterionScore{{CriterionID: "quality", Points: p[0]}}))
		require.Equal(t, "bid.scored", parseEvent(t, res).Name())
		f.submit(evaluator2, "ScoreBid", nil, "T-1", s, js(t, []procurement.CriterionScore{{CriterionID: "quality", Points: p[1]}}))
	}

	awardAt := d.Deadlines.RevealEnd.Add(3 * day)
	f.at(awardAt)
	var a procurement.Award
	res = f.submit(buyer, "Award", &a, "T-1", "", "")
	// SUP-B: 40 × 80/95 = 33.684210 + 60 × 92.5% = 55.5 -> 89.184210; SUP-A: 40 + 33 = 73; SUP-C: 32.323232 + 42 = 74.323232.
	require.Equal(t, "SUP-B", a.SupplierID)
	require.Equal(t, []string{"SUP-B", "SUP-C", "SUP-A"}, []string{a.Ranking[0].SupplierID, a.Ranking[1].SupplierID, a.Ranking[2].SupplierID})
	require.Equal(t, int64(33_684_210+55_500_000), a.Ranking[0].TotalScore)
	e = parseEvent(t, res)
	require.Equal(t, "tender.awarded", e.Name())
	require.Equal(t, &procurement.Money{Amount: 95_000_000, Currency: "EUR"}, dataOf(t, e).Amount)

	var ch procurement.Challenge
	f.at(awardAt.Add(day))
	res = f.submit(supplierC, "FileChallenge", &ch, "T-1", "SUP-C", "quality scores are inconsistent")
	require.Equal(t, "challenge.filed", parseEvent(t, res).Name())
	f.at(awardAt.Add(10 * day))
	require.Equal(t, "FAILED_PRECONDITION", string(f.fail(buyer, "SignContract", "T-1", js(t, milestones(awardAt))).Code),
		"an open challenge blocks signing")
	res = f.submit(buyer, "ResolveChallenge", &ch, "T-1", ch.ID, "dismissed", "scores re-checked")
	require.Equal(t, procurement.ChallengeDismissed, ch.Status)
	require.Equal(t, "challenge.resolved", parseEvent(t, res).Name())

	var k procurement.Contract
	res = f.submit(buyer, "SignContract", &k, "T-1", js(t, milestones(awardAt)))
	require.Equal(t, "SUP-B", k.SupplierID)
	require.Equal(t, "contract.signed", parseEvent(t, res).Name())

	// M1 late and rejected once; M2 on time.
	var m procurement.Milestone
	f.at(k.Milestones[0].DueDate.Add(day + 1))
	f.submit(supplierB, "SubmitDeliverable", &m, "T-1", "M1", "SUP-B", digest("note v1"), "https://docs.example/m1-v1")
	res = f.submit(buyer, "RejectDeliverable", &m, "T-1", "M1", "200 laptops missing")
	require.Equal(t, "deliverable.rejected", parseEvent(t, res).Name())
	f.submit(supplierB, "SubmitDeliverable", &m, "T-1", "M1", "SUP-B", digest("note v2"), "https://docs.example/m1-v2")
	res = f.submit(buyer, "AcceptDeliverable", &m, "T-1", "M1")
	require.Equal(t, int64(2), m.DaysLate)
	require.Equal(t, int64(57_000_000-2*100_000), m.PaymentDue)
	require.Equal(t, "deliverable.accepted", parseEvent(t, res).Name())
	res = f.submit(finance, "ReleasePayment", &m, "T-1", "M1", "PAY/2026/0001")
	require.Equal(t, procurement.MilestonePaid, m.Status)
	e = parseEvent(t, res)
	require.Equal(t, "payment.released", e.Name())
	require.Equal(t, int64(56_800_000), dataOf(t, e).Amount.Amount)

	f.at(k.Milestones[1].DueDate.Add(-day))
	f.submit(supplierB, "SubmitDeliverable", nil, "T-1", "M2", "SUP-B", digest("note M2"), "ipfs://bafym2")
	f.submit(buyer, "AcceptDeliverable", nil, "T-1", "M2")
	res = f.submit(finance, "ReleasePayment", nil, "T-1", "M2", "PAY/2026/0002")
	require.Equal(t, procurement.StatusCompleted, dataOf(t, parseEvent(t, res)).Status)

	// What everyone can read afterwards.
	f.evaluate(auditor, "GetTender", &tn, "T-1")
	require.Equal(t, procurement.StatusCompleted, tn.Status)
	var perf procurement.Performance
	f.evaluate(supplierB, "GetSupplierPerformance", &perf, "SUP-B")
	require.Equal(t, procurement.Performance{SupplierID: "SUP-B", Deliveries: 3, OnTime: 1, Rejections: 1,
		Penalties: []procurement.Money{{Amount: 200_000, Currency: "EUR"}}, UpdatedAt: perf.UpdatedAt}, perf)
	f.evaluate(regulator, "ListTendersByStatus", &page, "completed", "10", "")
	require.Len(t, page.Items, 1)
	f.evaluate(regulator, "ListTendersByStatus", &page, "active", "10", "")
	require.Empty(t, page.Items, "the old status index entry is gone")

	var hist contract.HistoryPage
	f.evaluate(auditor, "GetTenderHistory", &hist, "T-1", "100", "")
	require.Len(t, hist.Items, int(tn.Revision), "one history entry per tender revision")
	require.Equal(t, tn.Revision, hist.Items[0].Tender.Revision, "newest first")

	var pkg ocds.ReleasePackage
	res, err := f.net.Evaluate(auditor, "procurement:GetOCDSReleasePackage", "T-1")
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(res.Payload, &pkg))
	require.Len(t, pkg.Releases, int(tn.Revision))
	require.Equal(t, ocds.TagPlanning, pkg.Releases[0].Tag[0])
	require.Equal(t, ocds.TagImplementation, pkg.Releases[len(pkg.Releases)-1].Tag[0])
	require.Contains(t, string(res.Payload), `"amount":950000.00`)

	var rec ocds.RecordPackage
	res, err = f.net.Evaluate(regulator, "procurement:GetOCDSRecord", "T-1")
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(res.Payload, &rec))
	require.Equal(t, "ocds-govldg-T-1", rec.Records[0].OCID)
	require.Equal(t, "terminated", rec.Records[0].CompiledRelease.Contracts[0].Status)
}

func milestones(awardAt time.Time) []procurement.MilestoneInput {
	return []procurement.MilestoneInput{
		{ID: "M1", Title: "First 1000 laptops", DueDate: awardAt.Add(40 * day), AcceptanceCriteria: "imaged and delivered",
			Amount: 57_000_000, PenaltyPerDay: 100_000, PenaltyCap: 2_000_000},
		{ID: "M2", Title: "Second 1000 laptops", DueDate: awardAt.Add(70 * day), AcceptanceCriteria: "imaged and delivered",
			Amount: 38_000_000},
	}
}
