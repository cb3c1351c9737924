package contract_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/govledger/govledger/chaincode/health"
	"github.com/govledger/govledger/chaincode/health/contract"
)

// BenchmarkSubmitCaseReport measures one endorsement and commit of a case
// report through contractapi on memstub: gate, duplicate check, private
// write, reference, delta key and, with rules, the cell and baseline scans.
// The rules never fire, because a raised alert makes later reports in the
// cell skip the scans and the benchmark would measure the cheap path.
func BenchmarkSubmitCaseReport(b *testing.B) {
	for _, tt := range []struct {
		name string
		rule *health.RuleInput
		// baseline weeks seeded with 100 counted reports each
		seed []string
	}{
		{name: "without rules"},
		{name: "with a threshold rule", rule: &health.RuleInput{ID: "measles", Condition: "icd-10:B05", Region: "021",
			Method: health.MethodThreshold, Threshold: health.MaxCountThreshold}},
		{name: "with an EARS C2 rule over a busy baseline", rule: &health.RuleInput{ID: "measles-c2", Condition: "icd-10:B05",
			Region: "021", Method: health.MethodEARSC2, SDFloor: health.MaxSDFloor},
			seed: []string{"2026-W01", "2026-W02", "2026-W03", "2026-W04", "2026-W05", "2026-W06", "2026-W07"}},
	} {
		b.Run(tt.name, func(b *testing.B) {
			f := newFixture(b)
			if tt.rule != nil {
				f.createRule(*tt.rule)
			}
			for _, w := range tt.seed {
				seedDeltas(b, f, "icd-10:B05", "021", w, 100)
			}
			reports := make([][]byte, 0, 1024)
			for p := range cap(reports) {
				raw, err := json.Marshal(caseReport(p, "2026-W10"))
				require.NoError(b, err)
				reports = append(reports, raw)
			}
			i := 0
			for b.Loop() {
				net := f.net.WithTransient(map[string][]byte{contract.TransientReport: reports[i%len(reports)]})
				if _, err := net.Submit(reporter1, "health:SubmitCaseReport"); err != nil {
					b.Fatal(err)
				}
				i++
			}
		})
	}
}
