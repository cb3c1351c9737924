package contract_test

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/govledger/govledger/chaincode/ccerror"
	"github.com/govledger/govledger/chaincode/internal/event"
	"github.com/govledger/govledger/chaincode/internal/memstub"
	"github.com/govledger/govledger/chaincode/procurement"
	"github.com/govledger/govledger/chaincode/procurement/contract"
)

const day = 24 * time.Hour

// People of network/topology.yaml, plus outsiders for the rejections.
var (
	buyer      = memstub.NewIdentity("ProcurementMSP", "buyer1", map[string]string{"role": "buyer", "agency": "MOF"})
	evaluator1 = memstub.NewIdentity("ProcurementMSP", "evaluator1", map[string]string{"role": "evaluator", "agency": "MOF"})
	evaluator2 = memstub.NewIdentity("ProcurementMSP", "evaluator2", map[string]string{"role": "evaluator", "agency": "MOF"})
	finance    = memstub.NewIdentity("ProcurementMSP", "finance1", map[string]string{"role": "finance", "agency": "MOF"})
	supplierA  = memstub.NewIdentity("ProcurementMSP", "supplierA", map[string]string{"role": "supplier", "agency": "MOF", "supplierId": "SUP-A"})
	supplierB  = memstub.NewIdentity("ProcurementMSP", "supplierB", map[string]string{"role": "supplier", "agency": "MOF", "supplierId": "SUP-B"})
	supplierC  = memstub.NewIdentity("ProcurementMSP", "supplierC", map[string]string{"role": "supplier", "agency": "MOF", "supplierId": "SUP-C"})
	auditor    = memstub.NewIdentity("AuditOfficeMSP", "auditor1", map[string]string{"role": "auditor", "agency": "SAI"})
	regulator  = memstub.NewIdentity("RegulatorMSP", "regulator1", map[string]string{"role": "regulator", "agency": "REG"})

	otherBuyer   = memstub.NewIdentity("ProcurementMSP", "buyer9", map[string]string{"role": "buyer", "agency": "MOH"})
	otherFinance = memstub.NewIdentity("ProcurementMSP", "finance9", map[string]string{"role": "finance", "agency": "MOH"})
	healthBuyer  = memstub.NewIdentity("PublicHealthMSP", "healthadmin1", map[string]string{"role": "buyer", "agency": "MOF"})
	noRole       = memstub.NewIdentity("ProcurementMSP", "clerk", nil)
	regAuditor   = memstub.NewIdentity("RegulatorMSP", "regaudit", map[string]string{"role": "auditor", "agency": "REG"})
)

// t0 is when the test ledger starts; tenders are created then.
var t0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

type fixture struct {
	t   testing.TB
	net *memstub.Network
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	cc, err := contract.Chaincode()
	require.NoError(t, err)
	net := memstub.New(cc)
	net.Ledger.SetTime(t0)
	return &fixture{t: t, net: net}
}

func (f *fixture) at(t time.Time) { f.net.Ledger.SetTime(t) }

// submit commits fn and decodes its result into out (when not nil).
func (f *fixture) submit(id memstub.Identity, fn string, out any, args ...string) *memstub.Result {
	f.t.Helper()
	res, err := f.net.Submit(id, "procurement:"+fn, args...)
	require.NoError(f.t, err, "%s", fn)
	if out != nil {
		require.NoError(f.t, res.JSON(out))
	}
	return res
}

func (f *fixture) evaluate(id memstub.Identity, fn string, out any, args ...string) {
	f.t.Helper()
	res, err := f.net.Evaluate(id, "procurement:"+fn, args...)
	require.NoError(f.t, err, "%s", fn)
	require.NoError(f.t, res.JSON(out))
}

// fail runs fn expecting a chaincode error and returns it.
func (f *fixture) fail(id memstub.Identity, fn string, args ...string) *ccerror.Error {
	f.t.Helper()
	_, err := f.net.Submit(id, "procurement:"+fn, args...)
	require.Error(f.t, err, "%s should fail", fn)
	var ce *ccerror.Error
	require.ErrorAs(f.t, err, &ce, "%s: not a chaincode error: %v", fn, err)
	return ce
}

func js(t testing.TB, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return string(b)
}

func parseEvent(t testing.TB, res *memstub.Result) event.Event {
	t.Helper()
	require.NotNil(t, res.Event)
	e, err := event.Parse(res.Event.Payload)
	require.NoError(t, err)
	require.Equal(t, res.Event.EventName, e.Name())
	return e
}

// eventData is the part of an event's Data the tests look at.
type eventData struct {
	TenderID string             `json:"tenderId"`
	Status   procurement.Status `json:"status"`
	Amount   *procurement.Money `json:"amount"`
	RedFlags []struct {
		Event string `json:"event"`
		Kind  string `json:"kind"`
	} `json:"redFlags"`
}

func dataOf(t testing.TB, e event.Event) eventData {
	t.Helper()
	var d eventData
	require.NoError(t, json.Unmarshal(e.Data, &d))
	return d
}

func digest(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// draft is a best-value open tender of MOF for EUR 1,000,000.00.
func draft(id string) procurement.TenderDraft {
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
			EnquiryEnd: t0.Add(20 * day), SubmissionDeadline: t0.Add(35 * day), RevealEnd: t0.Add(37 * day),
			StandstillDays: 10, ChallengeDays: 7,
		},
	}
}

// directDraft is a lowest-price direct award of MOF just below the EUR
// direct-award threshold.
func directDraft(id string, deadline time.Time) procurement.TenderDraft {
	d := draft(id)
	d.Method, d.AwardMethod, d.Criteria = procurement.MethodDirect, procurement.AwardLowestPrice, nil
	d.Budget.Amount = 4_990_000
	d.Deadlines.EnquiryEnd = deadline.Add(-day)
	d.Deadlines.SubmissionDeadline, d.Deadlines.RevealEnd = deadline, deadline.Add(day)
	return d
}

func bidContent(tenderID, supplier string, price int64) procurement.BidContent {
	return procurement.BidContent{
		TenderID: tenderID, SupplierID: supplier, Price: procurement.Money{Amount: price, Currency: "EUR"},
		TechnicalDigest: digest("proposal " + supplier), TechnicalURI: "https://docs.example/" + supplier,
		Salt: digest("salt " + supplier)[:32],
	}
}

// published creates and publishes draft d as the buyer.
func (f *fixture) published(d procurement.TenderDraft) {
	f.t.Helper()
	f.submit(buyer, "CreateTender", nil, js(f.t, d))
	f.submit(buyer, "PublishTender", nil, d.ID)
}

// bid commits and, at the submission deadline, reveals a bid. The ledger
// clock is left at the deadline.
func (f *fixture) bid(who memstub.Identity, c procurement.BidContent, deadline time.Time) {
	f.t.Helper()
	f.submit(who, "SubmitBidCommitment", nil, c.TenderID, c.SupplierID, c.Commitment())
	now := f.net.Ledger.Now()
	f.at(deadline)
	f.submit(who, "RevealBid", nil, c.TenderID, js(f.t, c))
	f.at(now)
}
