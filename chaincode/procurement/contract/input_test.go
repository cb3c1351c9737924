package contract_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/govledger/govledger/chaincode/ccerror"
	"github.com/govledger/govledger/chaincode/internal/memstub"
	"github.com/govledger/govledger/chaincode/procurement"
)

func TestBadInputsNameTheField(t *testing.T) {
	f := newFixture(t)
	f.published(draft("T-1"))
	withBudget := func(amount int64) string {
		d := draft("T-2")
		d.Budget.Amount = amount
		return js(t, d)
	}
	tests := []struct {
		name  string
		who   memstub.Identity
		fn    string
		args  []string
		code  ccerror.Code
		field string
	}{
		{"rejects a draft that is not JSON", buyer, "CreateTender", []string{"{"}, ccerror.InvalidArgument, "draft"},
		{"rejects a draft with an unknown field", buyer, "CreateTender", []string{`{"id":"T-2","winner":"SUP-A"}`}, ccerror.InvalidArgument, "draft"},
		{"rejects an empty draft", buyer, "CreateTender", []string{""}, ccerror.InvalidArgument, "draft"},
		{"rejects a negative budget", buyer, "CreateTender", []string{withBudget(-1)}, ccerror.InvalidArgument, "budget.amount"},
		{"rejects a second tender with the same id", buyer, "CreateTender", []string{js(t, draft("T-1"))}, ccerror.AlreadyExists, ""},
		{"rejects an unknown tender", buyer, "PublishTender", []string{"T-404"}, ccerror.NotFound, ""},
		{"rejects a malformed tender id", buyer, "PublishTender", []string{"T 1"}, ccerror.InvalidArgument, "tenderId"},
		{"rejects publishing twice", buyer, "PublishTender", []string{"T-1"}, ccerror.FailedPrecondition, ""},
		{"rejects an amendment draft that is not JSON", buyer, "AmendTender", []string{"T-1", "[]", "r"}, ccerror.InvalidArgument, "draft"},
		{"rejects evaluators that are not a JSON array", buyer, "AssignEvaluators", []string{"T-1", `"evaluator1"`}, ccerror.InvalidArgument, "evaluatorIds"},
		{"rejects a commitment that is not a digest", supplierA, "SubmitBidCommitment", []string{"T-1", "SUP-A", "abc"}, ccerror.InvalidArgument, "commitment"},
		{"rejects a malformed supplier id", supplierA, "SubmitBidCommitment", []string{"T-1", "SUP A", digest("x")}, ccerror.InvalidArgument, "supplierId"},
		{"rejects a reveal that is not JSON", supplierA, "RevealBid", []string{"T-1", "nope"}, ccerror.InvalidArgument, "content"},
		{"rejects revealing a bid never committed", supplierA, "RevealBid", []string{"T-1", js(t, bidContent("T-1", "SUP-A", 1))}, ccerror.NotFound, ""},
		{"rejects a declaration that is not JSON", evaluator1, "DeclareConflict", []string{"T-1", "x"}, ccerror.InvalidArgument, "declaration"},
		{"rejects scores that are not JSON", evaluator1, "ScoreBid", []string{"T-1", "SUP-A", "{"}, ccerror.InvalidArgument, "scores"},
		{"rejects a score for a malformed supplier id", evaluator1, "ScoreBid", []string{"T-1", "", "[]"}, ccerror.InvalidArgument, "supplierId"},
		{"rejects an award to a malformed supplier id", buyer, "Award", []string{"T-1", "SUP/A", ""}, ccerror.InvalidArgument, "supplierId"},
		{"rejects milestones that are not JSON", buyer, "SignContract", []string{"T-1", "{}"}, ccerror.InvalidArgument, "milestones"},
		{"rejects a malformed milestone id", buyer, "AcceptDeliverable", []string{"T-1", "M 1"}, ccerror.InvalidArgument, "milestoneId"},
		{"rejects a deliverable with a malformed milestone id", supplierA, "SubmitDeliverable",
			[]string{"T-1", "", "SUP-A", digest("x"), "https://d/x"}, ccerror.InvalidArgument, "milestoneId"},
		{"rejects an unknown status", auditor, "ListTendersByStatus", []string{"open", "0", ""}, ccerror.InvalidArgument, "status"},
		{"rejects a malformed buyer id", auditor, "ListTendersByBuyer", []string{"", "0", ""}, ccerror.InvalidArgument, "buyerId"},
		{"rejects a malformed supplier id in listings", auditor, "ListTendersBySupplier", []string{"S S", "0", ""}, ccerror.InvalidArgument, "supplierId"},
		{"rejects a malformed supplier id for performance", auditor, "GetSupplierPerformance", []string{""}, ccerror.InvalidArgument, "supplierId"},
		{"rejects a page over the maximum", auditor, "ListTendersByBuyer", []string{"MOF", "101", ""}, ccerror.InvalidArgument, "page.size"},
		{"rejects a forged bookmark", auditor, "ListTendersByBuyer", []string{"MOF", "5", "Zm9yZ2Vk"}, ccerror.InvalidArgument, "page.bookmark"},
		{"rejects a history page over the maximum", auditor, "GetTenderHistory", []string{"T-1", "101", ""}, ccerror.InvalidArgument, "page.size"},
		{"rejects a history bookmark that is not an offset", auditor, "GetTenderHistory", []string{"T-1", "5", "-1"}, ccerror.InvalidArgument, "page.bookmark"},
		{"rejects a history of an unknown tender", auditor, "GetTenderHistory", []string{"T-404", "5", ""}, ccerror.NotFound, ""},
		{"rejects a history of a malformed id", auditor, "GetTenderHistory", []string{strings.Repeat("x", 65), "5", ""}, ccerror.InvalidArgument, "tenderId"},
		{"rejects OCDS for an unknown tender", auditor, "GetOCDSReleasePackage", []string{"T-404"}, ccerror.NotFound, ""},
		{"rejects an OCDS record for an unknown tender", auditor, "GetOCDSRecord", []string{"T-404"}, ccerror.NotFound, ""},
		{"rejects an unknown tender lookup", auditor, "GetTender", []string{"T-404"}, ccerror.NotFound, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := f.fail(tc.who, tc.fn, tc.args...)
			require.Equal(t, tc.code, e.Code, e.Message)
			require.Equal(t, tc.field, e.Field, e.Message)
		})
	}
}

func TestDomainRulesReachTheClient(t *testing.T) {
	f := newFixture(t)
	d := draft("T-1")
	f.published(d)
	c := bidContent("T-1", "SUP-A", 90_000_000)
	f.submit(supplierA, "SubmitBidCommitment", nil, "T-1", "SUP-A", c.Commitment())

	tests := []struct {
		name string
		at   func()
		who  memstub.Identity
		fn   string
		args []string
		code ccerror.Code
		rule string
	}{
		{"rejects the same commitment twice", func() {}, supplierA, "SubmitBidCommitment", []string{"T-1", "SUP-A", c.Commitment()},
			ccerror.AlreadyExists, "duplicate"},
		{"rejects a reveal before the deadline", func() {}, supplierA, "RevealBid", []string{"T-1", js(t, c)},
			ccerror.FailedPrecondition, "deadline"},
		{"rejects a late commitment", func() { f.at(d.Deadlines.SubmissionDeadline) }, supplierB, "SubmitBidCommitment",
			[]string{"T-1", "SUP-B", digest("late")}, ccerror.FailedPrecondition, "deadline"},
		{"rejects a reveal that does not match", func() {}, supplierA, "RevealBid",
			[]string{"T-1", js(t, bidContent("T-1", "SUP-A", 89_000_000))}, ccerror.FailedPrecondition, "commitment"},
		{"rejects an award before the bids are opened", func() {}, buyer, "Award", []string{"T-1", "", ""},
			ccerror.FailedPrecondition, "transition"},
		{"rejects opening before the reveal end", func() {}, buyer, "OpenBids", []string{"T-1"},
			ccerror.FailedPrecondition, "deadline"},
		{"rejects scoring by an evaluator not on the panel", func() {
			f.submit(supplierA, "RevealBid", nil, "T-1", js(t, c))
			f.at(d.Deadlines.RevealEnd)
		}, evaluator1, "ScoreBid",
			[]string{"T-1", "SUP-A", `[{"criterionId":"quality","points":50}]`}, ccerror.PermissionDenied, "participant"},
		{"rejects amending after the deadline", func() {}, buyer, "AmendTender", []string{"T-1", js(t, d), "r"},
			ccerror.FailedPrecondition, "deadline"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.at()
			e := f.fail(tc.who, tc.fn, tc.args...)
			require.Equal(t, tc.code, e.Code, e.Message)
			require.Equal(t, tc.rule, e.Rule, e.Message)
		})
	}
	t.Run("keeps nothing of a failed transaction", func(t *testing.T) {
		var tn procurement.Tender
		f.evaluate(auditor, "GetTender", &tn, "T-1")
		require.Equal(t, procurement.StatusActive, tn.Status, "the opening done by a failed score was not committed")
	})
}

func TestDomainErrorsPassThrough(t *testing.T) {
	f := newFixture(t)
	f.published(draft("T-1"))
	f.submit(buyer, "CreateTender", nil, js(t, draft("P-1"))) // stays in planning
	tests := []struct {
		name string
		who  memstub.Identity
		fn   string
		args []string
		code ccerror.Code
	}{
		{"rejects a commitment on an unknown tender", supplierA, "SubmitBidCommitment", []string{"T-404", "SUP-A", digest("x")}, ccerror.NotFound},
		{"rejects a commitment on a tender in planning", supplierA, "SubmitBidCommitment", []string{"P-1", "SUP-A", digest("x")}, ccerror.FailedPrecondition},
		{"rejects a reveal on an unknown tender", supplierA, "RevealBid", []string{"T-404", js(t, bidContent("T-404", "SUP-A", 1))}, ccerror.NotFound},
		{"rejects a declaration on an unknown tender", evaluator1, "DeclareConflict", []string{"T-404", "{}"}, ccerror.NotFound},
		{"rejects a declaration before opening", evaluator1, "DeclareConflict", []string{"T-1", "{}"}, ccerror.FailedPrecondition},
		{"rejects a score before opening", evaluator1, "ScoreBid", []string{"T-1", "SUP-A", "[]"}, ccerror.FailedPrecondition},
		{"rejects a challenge on an unknown tender", supplierA, "FileChallenge", []string{"T-404", "SUP-A", "g"}, ccerror.NotFound},
		{"rejects a challenge before any award", supplierA, "FileChallenge", []string{"T-1", "SUP-A", "g"}, ccerror.FailedPrecondition},
		{"rejects resolving on a tender without award", buyer, "ResolveChallenge", []string{"T-1", "T-1-challenge-1", "upheld", "r"}, ccerror.FailedPrecondition},
		{"rejects a deliverable on an unknown tender", supplierA, "SubmitDeliverable", []string{"T-404", "M1", "SUP-A", digest("x"), "https://d/x"}, ccerror.NotFound},
		{"rejects a deliverable before signing", supplierA, "SubmitDeliverable", []string{"T-1", "M1", "SUP-A", digest("x"), "https://d/x"}, ccerror.FailedPrecondition},
		{"rejects accepting before signing", buyer, "AcceptDeliverable", []string{"T-1", "M1"}, ccerror.FailedPrecondition},
		{"rejects rejecting before signing", buyer, "RejectDeliverable", []string{"T-1", "M1", "late"}, ccerror.FailedPrecondition},
		{"rejects signing before the award", buyer, "SignContract", []string{"T-1", "[]"}, ccerror.FailedPrecondition},
		{"rejects an award on an unknown tender", buyer, "Award", []string{"T-404", "", ""}, ccerror.NotFound},
		{"rejects opening a tender in planning", buyer, "OpenBids", []string{"P-1"}, ccerror.FailedPrecondition},
		{"rejects an amendment of a tender in planning", buyer, "AmendTender", []string{"P-1", js(t, draft("P-1")), "r"}, ccerror.FailedPrecondition},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := f.fail(tc.who, tc.fn, tc.args...)
			require.Equal(t, tc.code, e.Code, e.Message)
		})
	}
}
