package scenario

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/govledger/govledger/chaincode/ccerror"
	"github.com/govledger/govledger/chaincode/procurement"
	procurementcc "github.com/govledger/govledger/chaincode/procurement/contract"
	"github.com/govledger/govledger/chaincode/procurement/ocds"
)

func init() {
	register(Suite{Name: "procurement tender to payment", Chaincodes: []string{"procurement"}, Run: tenderToPayment})
}

// tenderToPayment runs a best-value tender with three sealed bids from
// publication to the final payment, each step by the one role allowed to
// take it, and shows that every other role, a late or altered bid and bad
// input are refused with the right code.
//
// Time is compressed to seconds: bids are committed during the first 6 s
// after the start, revealed until 12 s, and the standstill and challenge
// windows last zero days, so the suite waits about 12 s on a live network.
func tenderToPayment(t *testing.T, s *Session) {
	var (
		buyer      = User{"ProcurementMSP", "buyer1"}
		evaluator1 = User{"ProcurementMSP", "evaluator1"}
		evaluator2 = User{"ProcurementMSP", "evaluator2"}
		finance    = User{"ProcurementMSP", "finance1"}
		supplierA  = User{"ProcurementMSP", "supplierA"}
		supplierB  = User{"ProcurementMSP", "supplierB"}
		supplierC  = User{"ProcurementMSP", "supplierC"}
		auditor    = User{"AuditOfficeMSP", "auditor1"}
		regulator  = User{"RegulatorMSP", "regulator1"}
	)
	start := s.Ledger.Now()
	submission, revealEnd := start.Add(6*time.Second), start.Add(12*time.Second)
	id := "TND-" + s.RunID
	draft := laptopTender(id, submission, revealEnd)

	// The buyer drafts and publishes. A notice period of seconds is far
	// below the 30-day minimum for open procedures: publication carries a
	// red flag for the auditors.
	broken := draft
	broken.Budget.Amount = 0
	s.Rejects(t, buyer, procurementCall("CreateTender", argJSON(t, broken)), ccerror.InvalidArgument, "budget.amount")
	var tender procurement.Tender
	s.SubmitJSON(t, buyer, procurementCall("CreateTender", argJSON(t, draft)), &tender)
	require.Equal(t, procurement.StatusPlanning, tender.Status)
	require.Equal(t, "MOF", tender.Buyer.ID, "the buyer is the caller's agency")
	s.SubmitJSON(t, buyer, procurementCall("PublishTender", id), &tender)
	require.Equal(t, procurement.StatusActive, tender.Status)
	require.True(t, carriesFlag(tender, procurement.FlagShortTenderPeriod), "red flags: %+v", tender.RedFlags)

	// Sealed bids: each supplier keeps its bid and salt until the reveal;
	// the ledger holds only the salted commitment.
	bidders := []struct {
		who User
		bid procurement.BidContent
	}{
		{supplierA, sealedBid(t, id, "SUP-A", 80_000_000)},
		{supplierB, sealedBid(t, id, "SUP-B", 95_000_000)},
		{supplierC, sealedBid(t, id, "SUP-C", 99_000_000)},
	}
	s.Rejects(t, supplierA, procurementCall("SubmitBidCommitment", id, "SUP-B", bidders[1].bid.Commitment()), ccerror.PermissionDenied, "")
	for _, b := range bidders {
		var committed procurement.Bid
		s.SubmitJSON(t, b.who, procurementCall("SubmitBidCommitment", id, b.bid.SupplierID, b.bid.Commitment()), &committed)
		require.Equal(t, procurement.BidCommitted, committed.Status)
		require.Zero(t, committed.Price, "the price stays sealed")
	}

	// The submission deadline passes: commitments close, reveals open.
	s.Await(t, submission)
	late := sealedBid(t, id, "SUP-C", 90_000_000)
	s.Rejects(t, supplierC, procurementCall("SubmitBidCommitment", id, "SUP-C", late.Commitment()), ccerror.FailedPrecondition, "")
	altered := bidders[0].bid
	altered.Price.Amount = 70_000_000
	s.Rejects(t, supplierA, procurementCall("RevealBid", id, argJSON(t, altered)), ccerror.FailedPrecondition, "")
	for _, b := range bidders {
		var opened procurement.Bid
		s.SubmitJSON(t, b.who, procurementCall("RevealBid", id, argJSON(t, b.bid)), &opened)
		require.Equal(t, procurement.BidRevealed, opened.Status)
		require.Equal(t, b.bid.Price, opened.Price)
	}

	// After the reveal period the panel is named; the first declaration
	// opens the bids.
	s.Await(t, revealEnd)
	s.SubmitJSON(t, buyer, procurementCall("AssignEvaluators", id, `["evaluator1","evaluator2"]`), &tender)
	require.Equal(t, []string{"evaluator1", "evaluator2"}, tender.Evaluators)
	for _, e := range []User{evaluator1, evaluator2} {
		s.Submit(t, e, procurementCall("DeclareConflict", id, `{"conflictWith":[],"statement":"no links to any bidder"}`))
	}
	s.EvaluateJSON(t, buyer, procurementCall("GetTender", id), &tender)
	require.Equal(t, procurement.StatusEvaluation, tender.Status)
	require.Equal(t, []string{"SUP-A", "SUP-B", "SUP-C"}, tender.Opening.Bidders)

	s.Rejects(t, evaluator1, procurementCall("ScoreBid", id, "SUP-A", qualityPoints(101)), ccerror.InvalidArgument, "scores[0].points")
	points := []struct {
		supplier string
		byE1     int64
		byE2     int64
	}{{"SUP-A", 50, 60}, {"SUP-B", 95, 90}, {"SUP-C", 70, 70}}
	for _, p := range points {
		s.Submit(t, evaluator1, procurementCall("ScoreBid", id, p.supplier, qualityPoints(p.byE1)))
		s.Submit(t, evaluator2, procurementCall("ScoreBid", id, p.supplier, qualityPoints(p.byE2)))
	}

	// Each role acts only in its own part of the procedure; outsiders not
	// at all.
	refusals := []struct {
		name string
		who  User
		call Call
	}{
		{"rejects an evaluator publishing", evaluator1, procurementCall("PublishTender", id)},
		{"rejects a buyer scoring", buyer, procurementCall("ScoreBid", id, "SUP-B", qualityPoints(100))},
		{"rejects a finance officer awarding", finance, procurementCall("Award", id, "", "")},
		{"rejects an auditor awarding", auditor, procurementCall("Award", id, "", "")},
		{"rejects the regulator naming evaluators", regulator, procurementCall("AssignEvaluators", id, `["evaluator1"]`)},
	}
	for _, r := range refusals {
		t.Run(r.name, func(t *testing.T) { s.Rejects(t, r.who, r.call, ccerror.PermissionDenied, "") })
	}

	// The award is computed from the ranking: SUP-B's quality outweighs
	// SUP-A's lower price (40 × 80/95 + 60 × 92.5% = 89.18 points).
	var award procurement.Award
	s.SubmitJSON(t, buyer, procurementCall("Award", id, "", ""), &award)
	require.Equal(t, "SUP-B", award.SupplierID)
	require.Equal(t, "SUP-B", award.TopRankedSupplierID)
	require.Equal(t, []string{"SUP-B", "SUP-C", "SUP-A"}, rankedSuppliers(award))
	require.Equal(t, procurement.Money{Amount: 95_000_000, Currency: "EUR"}, award.Value)

	// Zero-day standstill and challenge windows: a challenge is already
	// too late and the contract can be signed at once.
	s.Rejects(t, supplierC, procurementCall("FileChallenge", id, "SUP-C", "scores are inconsistent"), ccerror.FailedPrecondition, "")
	// The milestones must add up to the awarded value.
	due := start.Add(60 * procurement.Day)
	short := []procurement.MilestoneInput{laptopDelivery(due, 90_000_000)}
	s.Rejects(t, buyer, procurementCall("SignContract", id, argJSON(t, short)), ccerror.InvalidArgument, "milestones")
	var signed procurement.Contract
	s.SubmitJSON(t, buyer, procurementCall("SignContract", id, argJSON(t, []procurement.MilestoneInput{laptopDelivery(due, award.Value.Amount)})), &signed)
	require.Equal(t, "SUP-B", signed.SupplierID)

	// Delivery, acceptance and payment, each by its own role.
	var before procurement.Performance
	s.EvaluateJSON(t, supplierB, procurementCall("GetSupplierPerformance", "SUP-B"), &before)
	note := sha256.Sum256([]byte("delivery note " + id))
	s.Rejects(t, supplierA, procurementCall("SubmitDeliverable", id, "M1", "SUP-B", hex.EncodeToString(note[:]), "https://docs.example/m1"), ccerror.PermissionDenied, "")
	s.Submit(t, supplierB, procurementCall("SubmitDeliverable", id, "M1", "SUP-B", hex.EncodeToString(note[:]), "https://docs.example/"+id+"/m1"))
	s.Rejects(t, auditor, procurementCall("AcceptDeliverable", id, "M1"), ccerror.PermissionDenied, "")
	var m procurement.Milestone
	s.SubmitJSON(t, buyer, procurementCall("AcceptDeliverable", id, "M1"), &m)
	require.Equal(t, procurement.MilestoneAccepted, m.Status)
	require.Zero(t, m.DaysLate)
	require.Equal(t, award.Value.Amount, m.PaymentDue)
	s.Rejects(t, regulator, procurementCall("ReleasePayment", id, "M1", "PAY-"+s.RunID), ccerror.PermissionDenied, "")
	s.Rejects(t, buyer, procurementCall("ReleasePayment", id, "M1", "PAY-"+s.RunID), ccerror.PermissionDenied, "")
	s.SubmitJSON(t, finance, procurementCall("ReleasePayment", id, "M1", "PAY-"+s.RunID), &m)
	require.Equal(t, procurement.MilestonePaid, m.Status)

	// What the public record shows afterwards.
	s.EvaluateJSON(t, buyer, procurementCall("GetTender", id), &tender)
	require.Equal(t, procurement.StatusCompleted, tender.Status)
	require.True(t, listedForBuyer(t, s, buyer, "MOF", id), "ListTendersByBuyer MOF lists %s", id)

	var after procurement.Performance
	s.EvaluateJSON(t, supplierB, procurementCall("GetSupplierPerformance", "SUP-B"), &after)
	require.Equal(t, before.Deliveries+1, after.Deliveries)
	require.Equal(t, before.OnTime+1, after.OnTime)

	s.EvaluateUntil(t, auditor, procurementCall("GetTender", id), resultWhen(func(got procurement.Tender) bool {
		return got.Status == procurement.StatusCompleted
	}))
	var history procurementcc.HistoryPage
	out := s.EvaluateUntil(t, auditor, procurementCall("GetTenderHistory", id, "100", ""), resultWhen(func(h procurementcc.HistoryPage) bool {
		return int64(len(h.Items)) == tender.Revision
	}))
	require.NoError(t, json.Unmarshal(out, &history))
	require.NotEmpty(t, history.Items[0].TxID)
	require.Equal(t, procurement.StatusCompleted, history.Items[0].Tender.Status, "newest first")

	var record ocds.RecordPackage
	out = s.EvaluateUntil(t, regulator, procurementCall("GetOCDSRecord", id), resultWhen(func(p ocds.RecordPackage) bool {
		return len(p.Records) == 1 && int64(len(p.Records[0].Releases)) == tender.Revision
	}))
	require.NoError(t, json.Unmarshal(out, &record))
	require.Equal(t, tender.OCID, record.Records[0].OCID)
	require.Equal(t, "SUP-B", record.Records[0].CompiledRelease.Awards[0].Suppliers[0].ID)
}

// procurementCall calls fn of the procurement contract.
func procurementCall(fn string, args ...string) Call {
	return Call{Chaincode: "procurement", Function: "procurement:" + fn, Args: args}
}

// laptopTender is an open best-value tender of the Ministry of Finance for
// EUR 1,000,000.00, weighing price 40% and quality 60%, with enquiries open
// until the submission deadline and zero-day standstill and challenge
// windows.
func laptopTender(id string, submission, revealEnd time.Time) procurement.TenderDraft {
	return procurement.TenderDraft{
		ID: id, Title: "School laptops", Description: "Laptops for 40 schools",
		Buyer: procurement.Party{Name: "Ministry of Finance"}, Method: procurement.MethodOpen, Category: procurement.CategoryGoods,
		Items:       []procurement.Item{{ID: "laptop", Description: "14-inch laptop", Quantity: 2000, Unit: "piece"}},
		Budget:      procurement.Money{Amount: 100_000_000, Currency: "EUR"},
		AwardMethod: procurement.AwardBestValue,
		Criteria: []procurement.Criterion{
			{ID: "price", Kind: procurement.CriterionPrice, Name: "Price", WeightBps: 4000},
			{ID: "quality", Kind: procurement.CriterionTechnical, Name: "Quality", WeightBps: 6000},
		},
		Deadlines: procurement.Deadlines{
			EnquiryEnd: submission, SubmissionDeadline: submission, RevealEnd: revealEnd,
			StandstillDays: 0, ChallengeDays: 0,
		},
	}
}

// sealedBid is a supplier's bid as it keeps it before the reveal, with a
// fresh 128-bit salt so the price cannot be guessed from the commitment.
func sealedBid(t *testing.T, tenderID, supplierID string, price int64) procurement.BidContent {
	t.Helper()
	salt := make([]byte, 16)
	_, err := rand.Read(salt)
	require.NoError(t, err)
	proposal := sha256.Sum256([]byte("technical proposal of " + supplierID + " for " + tenderID))
	return procurement.BidContent{
		TenderID: tenderID, SupplierID: supplierID, Price: procurement.Money{Amount: price, Currency: "EUR"},
		TechnicalDigest: hex.EncodeToString(proposal[:]), TechnicalURI: "https://suppliers.example/" + supplierID + "/" + tenderID,
		Salt: hex.EncodeToString(salt),
	}
}

// qualityPoints is an evaluator's score on the one technical criterion of
// laptopTender.
func qualityPoints(points int64) string {
	return `[{"criterionId":"quality","points":` + strconv.FormatInt(points, 10) + `}]`
}

// laptopDelivery is a single milestone paying amount on delivery by due.
func laptopDelivery(due time.Time, amount int64) procurement.MilestoneInput {
	return procurement.MilestoneInput{
		ID: "M1", Title: "2000 laptops", DueDate: due, AcceptanceCriteria: "imaged and delivered to every school",
		Amount: amount, PenaltyPerDay: 100_000, PenaltyCap: 2_000_000,
	}
}

func carriesFlag(t procurement.Tender, kind procurement.FlagKind) bool {
	for _, f := range t.RedFlags {
		if f.Kind == kind {
			return true
		}
	}
	return false
}

func rankedSuppliers(a procurement.Award) []string {
	out := make([]string, len(a.Ranking))
	for i, r := range a.Ranking {
		out[i] = r.SupplierID
	}
	return out
}

// maxListingPages bounds how far listedForBuyer pages: the live ledger
// keeps the tenders of every earlier run.
const maxListingPages = 50

// listedForBuyer pages through ListTendersByBuyer until it finds tenderID.
func listedForBuyer(t *testing.T, s *Session, u User, buyerID, tenderID string) bool {
	t.Helper()
	bookmark := ""
	for range maxListingPages {
		var page procurementcc.TenderPage
		s.EvaluateJSON(t, u, procurementCall("ListTendersByBuyer", buyerID, "100", bookmark), &page)
		for _, tn := range page.Items {
			if tn.ID == tenderID {
				return true
			}
		}
		if page.Bookmark == "" {
			return false
		}
		bookmark = page.Bookmark
	}
	return false
}

// argJSON encodes v as a JSON argument.
func argJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return string(b)
}

// resultWhen adapts a check on a decoded result for EvaluateUntil; a result
// that does not decode as T is not accepted.
func resultWhen[T any](ok func(T) bool) func([]byte) bool {
	return func(out []byte) bool {
		var v T
		return json.Unmarshal(out, &v) == nil && ok(v)
	}
}
