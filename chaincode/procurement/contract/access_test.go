package contract_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/govledger/govledger/chaincode/ccerror"
	"github.com/govledger/govledger/chaincode/internal/memstub"
	"github.com/govledger/govledger/chaincode/procurement"
)

func TestAccessRejections(t *testing.T) {
	f := newFixture(t)
	f.published(draft("T-1"))
	commit := bidContent("T-1", "SUP-B", 90_000_000).Commitment()
	f.submit(supplierB, "SubmitBidCommitment", nil, "T-1", "SUP-B", commit)

	tests := []struct {
		name string
		who  memstub.Identity
		fn   string
		args []string
	}{
		{"rejects an evaluator creating a tender", evaluator1, "CreateTender", []string{js(t, draft("T-2"))}},
		{"rejects a supplier awarding", supplierA, "Award", []string{"T-1", "", ""}},
		{"rejects a buyer bidding", buyer, "SubmitBidCommitment", []string{"T-1", "SUP-A", commit}},
		{"rejects finance accepting a deliverable", finance, "AcceptDeliverable", []string{"T-1", "M1"}},
		{"rejects a buyer releasing a payment", buyer, "ReleasePayment", []string{"T-1", "M1", "PAY-1"}},
		{"rejects a user without a role", noRole, "GetTender", []string{"T-1"}},
		{"rejects a buyer role from another organisation", healthBuyer, "CreateTender", []string{js(t, draft("T-2"))}},
		{"rejects the regulator writing", regulator, "PublishTender", []string{"T-1"}},
		{"rejects the regulator's auditor writing", regAuditor, "AmendTender", []string{"T-1", js(t, draft("T-1")), "r"}},
		{"rejects an auditor writing", auditor, "AssignEvaluators", []string{"T-1", `["evaluator1"]`}},
		{"rejects a supplier committing for another supplier", supplierA, "SubmitBidCommitment", []string{"T-1", "SUP-B", commit}},
		{"rejects a supplier revealing another supplier's bid", supplierA, "RevealBid",
			[]string{"T-1", js(t, bidContent("T-1", "SUP-B", 90_000_000))}},
		{"rejects a supplier challenging for another supplier", supplierA, "FileChallenge", []string{"T-1", "SUP-C", "g"}},
		{"rejects a supplier delivering for another supplier", supplierA, "SubmitDeliverable",
			[]string{"T-1", "M1", "SUP-B", digest("x"), "https://d/x"}},
		{"rejects a supplier listing another supplier's tenders", supplierA, "ListTendersBySupplier", []string{"SUP-B", "0", ""}},
		{"rejects a supplier reading another supplier's performance", supplierA, "GetSupplierPerformance", []string{"SUP-B"}},
		{"rejects a buyer of another agency publishing", otherBuyer, "PublishTender", []string{"T-1"}},
		{"rejects a buyer of another agency awarding", otherBuyer, "Award", []string{"T-1", "", ""}},
		{"rejects a finance officer of another agency", otherFinance, "ReleasePayment", []string{"T-1", "M1", "PAY-1"}},
		{"rejects a buyer creating a tender for another agency", buyer, "CreateTender", []string{js(t, func() procurement.TenderDraft {
			d := draft("T-2")
			d.Buyer.ID = "MOH"
			return d
		}())}},
		{"rejects a function that does not exist", buyer, "DeleteTender", []string{"T-1"}},
		{"rejects a transaction without an identity", memstub.Identity{}, "GetTender", []string{"T-1"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := f.fail(tc.who, tc.fn, tc.args...)
			require.Equal(t, ccerror.PermissionDenied, e.Code, e.Message)
		})
	}

	reads := []struct {
		name string
		who  memstub.Identity
		fn   string
		args []string
	}{
		{"lets an auditor read a tender", auditor, "GetTender", []string{"T-1"}},
		{"lets the regulator read a tender", regulator, "GetTender", []string{"T-1"}},
		{"lets the regulator list by supplier", regulator, "ListTendersBySupplier", []string{"SUP-B", "0", ""}},
		{"lets an auditor read any performance", auditor, "GetSupplierPerformance", []string{"SUP-B"}},
		{"lets a supplier list its own tenders", supplierB, "ListTendersBySupplier", []string{"SUP-B", "0", ""}},
		{"lets an evaluator read the OCDS record", evaluator2, "GetOCDSRecord", []string{"T-1"}},
	}
	for _, tc := range reads {
		t.Run(tc.name, func(t *testing.T) {
			_, err := f.net.Evaluate(tc.who, "procurement:"+tc.fn, tc.args...)
			require.NoError(t, err)
		})
	}
}
