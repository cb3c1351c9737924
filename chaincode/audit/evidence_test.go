package audit_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/govledger/govledger/chaincode/audit"
	"github.com/govledger/govledger/chaincode/internal/validate"
)

func TestResponseEvidence(t *testing.T) {
	ref := audit.TxRef{Channel: "public-services", Chaincode: "procurement", TxID: txID}
	tooManyRefs := make([]audit.TxRef, audit.MaxLedgerRefs+1)
	for i := range tooManyRefs {
		tooManyRefs[i] = audit.TxRef{Channel: "public-services", Chaincode: "procurement", TxID: strings.Repeat("0", 62) + string(rune('a'+i%6)) + string(rune('0'+i/6))}
	}
	tests := []struct {
		name  string
		edit  func(*audit.Evidence)
		field string
		rule  string
	}{
		{"accepts a document with ledger references", func(*audit.Evidence) {}, "", ""},
		{"accepts ledger references alone", func(e *audit.Evidence) { e.DocumentSHA256, e.URI = "", "" }, "", ""},
		{"accepts a document alone", func(e *audit.Evidence) { e.LedgerRefs = nil }, "", ""},
		{"accepts an IPFS URI", func(e *audit.Evidence) { e.URI = "ipfs://bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi" }, "", ""},
		{"accepts an S3 URI", func(e *audit.Evidence) { e.URI = "s3://evidence-bucket/tenders/T-1.pdf" }, "", ""},
		{"rejects an item with neither document nor references", func(e *audit.Evidence) { e.DocumentSHA256, e.URI, e.LedgerRefs = "", "", nil }, "evidence[0].documentSha256", audit.RuleEvidence},
		{"rejects a missing description", func(e *audit.Evidence) { e.Description = "" }, "evidence[0].description", validate.RuleRequired},
		{"rejects a URI without its digest", func(e *audit.Evidence) { e.DocumentSHA256 = "" }, "evidence[0].documentSha256", validate.RuleSHA256},
		{"rejects a digest without its URI", func(e *audit.Evidence) { e.URI = "" }, "evidence[0].uri", validate.RuleRequired},
		{"rejects a short digest", func(e *audit.Evidence) { e.DocumentSHA256 = sha[:63] }, "evidence[0].documentSha256", validate.RuleSHA256},
		{"rejects a relative URI", func(e *audit.Evidence) { e.URI = "/docs/a.pdf" }, "evidence[0].uri", audit.RuleURI},
		{"rejects an unparsable URI", func(e *audit.Evidence) { e.URI = "https://[::1" }, "evidence[0].uri", audit.RuleURI},
		{"rejects a file URI", func(e *audit.Evidence) { e.URI = "file:///etc/passwd" }, "evidence[0].uri", audit.RuleURI},
		{"rejects a URI carrying credentials", func(e *audit.Evidence) { e.URI = "https://user:secret@docs.example/a.pdf" }, "evidence[0].uri", audit.RuleURI},
		{"rejects an overlong URI", func(e *audit.Evidence) { e.URI = "https://docs.example/" + strings.Repeat("a", audit.MaxURILen) }, "evidence[0].uri", validate.RuleMaxLen},
		{"rejects an uppercase channel", func(e *audit.Evidence) { e.LedgerRefs[0].Channel = "Public" }, "evidence[0].ledgerRefs[0].channel", validate.RulePattern},
		{"rejects a chaincode name with a double separator", func(e *audit.Evidence) { e.LedgerRefs[0].Chaincode = "proc--urement" }, "evidence[0].ledgerRefs[0].chaincode", validate.RulePattern},
		{"rejects an overlong chaincode name", func(e *audit.Evidence) { e.LedgerRefs[0].Chaincode = strings.Repeat("a", 129) }, "evidence[0].ledgerRefs[0].chaincode", validate.RuleMaxLen},
		{"rejects a malformed transaction ID", func(e *audit.Evidence) { e.LedgerRefs[0].TxID = "tx1" }, "evidence[0].ledgerRefs[0].txId", validate.RulePattern},
		{"rejects a repeated reference", func(e *audit.Evidence) { e.LedgerRefs = []audit.TxRef{ref, ref} }, "evidence[0].ledgerRefs[1]", audit.RuleUnique},
		{"rejects too many references", func(e *audit.Evidence) { e.LedgerRefs = tooManyRefs }, "evidence[0].ledgerRefs", audit.RuleMaxItems},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			spec := responseSpec()
			tc.edit(&spec.Evidence[0])
			err := spec.Validate()
			if tc.field == "" {
				require.NoError(t, err)
				return
			}
			requireRule(t, err, tc.field, tc.rule)
		})
	}
	t.Run("rejects too many evidence items", func(t *testing.T) {
		spec := responseSpec()
		for len(spec.Evidence) <= audit.MaxEvidence {
			spec.Evidence = append(spec.Evidence, spec.Evidence[0])
		}
		requireField(t, spec.Validate(), "evidence")
	})
}
