package contract_test

import (
	"fmt"
	"testing"

	"github.com/govledger/govledger/chaincode/procurement"
)

func BenchmarkSubmitBidCommitment(b *testing.B) {
	f := newFixture(b)
	f.published(draft("T-1"))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := f.net.Submit(supplierA, "procurement:SubmitBidCommitment", "T-1", "SUP-A", digest(fmt.Sprint(i))); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkScoreBid(b *testing.B) {
	f := newFixture(b)
	d := draft("T-1")
	f.published(d)
	f.submit(buyer, "AssignEvaluators", nil, "T-1", `["evaluator1"]`)
	f.bid(supplierA, bidContent("T-1", "SUP-A", 90_000_000), d.Deadlines.SubmissionDeadline)
	f.bid(supplierB, bidContent("T-1", "SUP-B", 95_000_000), d.Deadlines.SubmissionDeadline)
	f.bid(supplierC, bidContent("T-1", "SUP-C", 99_000_000), d.Deadlines.SubmissionDeadline)
	f.at(d.Deadlines.RevealEnd)
	f.submit(evaluator1, "DeclareConflict", nil, "T-1", `{}`)
	scores := make([]string, 101)
	for p := range scores {
		scores[p] = js(b, []procurement.CriterionScore{{CriterionID: "quality", Points: int64(p)}})
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := f.net.Submit(evaluator1, "procurement:ScoreBid", "T-1", "SUP-A", scores[i%101]); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkListTendersPage(b *testing.B) {
	f := newFixture(b)
	for i := 0; i < 100; i++ {
		f.submit(buyer, "CreateTender", nil, js(b, draft(fmt.Sprintf("T-%03d", i))))
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := f.net.Evaluate(auditor, "procurement:ListTendersByBuyer", "MOF", "20", ""); err != nil {
			b.Fatal(err)
		}
	}
}
