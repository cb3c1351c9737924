package contract_test

import (
	"strings"
	"testing"

	"github.com/hyperledger/fabric-chaincode-go/v2/pkg/statebased"
	"github.com/stretchr/testify/require"

	"github.com/govledger/govledger/chaincode/audit"
	"github.com/govledger/govledger/chaincode/audit/contract"
	"github.com/govledger/govledger/chaincode/ccerror"
	"github.com/govledger/govledger/chaincode/internal/ledger"
	"github.com/govledger/govledger/chaincode/internal/memstub"
)

// validationOrgs returns the organisations whose peers a key's validation
// parameter requires, nil when the key has none.
func validationOrgs(t *testing.T, f *fixture, objectType string, attrs ...string) []string {
	t.Helper()
	key, err := ledger.Key(objectType, attrs...)
	require.NoError(t, err)
	ep, err := f.net.Ledger.Begin(memstub.TxOptions{}).GetStateValidationParameter(key)
	require.NoError(t, err)
	if ep == nil {
		return nil
	}
	p, err := statebased.NewStateEP(ep)
	require.NoError(t, err)
	return p.ListOrgs()
}

func TestFindingSignOff(t *testing.T) {
	t.Run("a finding needs two named signers and is then locked to the audit office", func(t *testing.T) {
		f := newFixture(t)
		f.openEngagement()
		fd := f.raiseFinding("F-1")
		require.Equal(t, audit.FindingDraft, fd.Status)

		res := f.submit(auditor1, "SignFinding", &fd, engID, "F-1")
		require.Equal(t, audit.FindingDraft, fd.Status)
		require.Equal(t, "finding.signed", parseEvent(t, res).Name())
		require.Nil(t, validationOrgs(t, f, "finding", engID, "F-1"), "a draft is not locked")

		res = f.submit(manager, "SignFinding", &fd, engID, "F-1")
		require.Equal(t, audit.FindingIssued, fd.Status)
		require.Equal(t, "finding.issued", parseEvent(t, res).Name())
		require.Equal(t, []audit.Identity{f.identity(auditor1), f.identity(manager)},
			[]audit.Identity{fd.SignOff.Signatures[0].Signer, fd.SignOff.Signatures[1].Signer})
		require.Equal(t, []string{"AuditOfficeMSP"}, validationOrgs(t, f, "finding", engID, "F-1"))
	})
	t.Run("rejects a duplicate signature", func(t *testing.T) {
		f := newFixture(t)
		f.openEngagement()
		f.raiseFinding("F-1")
		f.submit(auditor1, "SignFinding", nil, engID, "F-1")
		require.Equal(t, ccerror.FailedPrecondition, f.fail(auditor1, "SignFinding", engID, "F-1").Code)
	})
	t.Run("rejects an auditor who is not a named signer", func(t *testing.T) {
		f := newFixture(t)
		f.openEngagement()
		spec := f.findingSpec("F-1")
		spec.Quorum = audit.Quorum{Required: 2, Signers: []audit.Identity{f.identity(auditor1), f.identity(manager)}}
		f.submit(auditor1, "RaiseFinding", nil, engID, js(t, spec))
		require.Equal(t, ccerror.PermissionDenied, f.fail(auditor2, "SignFinding", engID, "F-1").Code)
	})
	t.Run("rejects signers outside the audit office", func(t *testing.T) {
		f := newFixture(t)
		f.openEngagement()
		spec := f.findingSpec("F-1")
		spec.Quorum.Signers[2] = f.identity(buyer)
		ce := f.fail(auditor1, "RaiseFinding", engID, js(t, spec))
		require.Equal(t, "quorum.signers[2].mspId", ce.Field)
	})
	t.Run("revising a draft drops its signatures", func(t *testing.T) {
		f := newFixture(t)
		f.openEngagement()
		f.raiseFinding("F-1")
		f.submit(auditor1, "SignFinding", nil, engID, "F-1")
		spec := f.findingSpec("F-1")
		spec.Severity = audit.SeverityCritical
		var fd audit.Finding
		f.submit(auditor2, "ReviseFinding", &fd, engID, js(t, spec))
		require.Empty(t, fd.SignOff.Signatures)
		require.Equal(t, audit.SeverityCritical, fd.Severity)
	})
	t.Run("an issued finding cannot be revised", func(t *testing.T) {
		f := newFixture(t)
		f.openEngagement()
		f.issueFinding("F-1")
		ce := f.fail(auditor1, "ReviseFinding", engID, js(t, f.findingSpec("F-1")))
		require.Equal(t, "finding-status", ce.Rule)
	})
	t.Run("a finding cites only requests of its engagement", func(t *testing.T) {
		f := newFixture(t)
		f.openEngagement()
		f.issueRequest("RFI-1", 10*day)
		spec := f.findingSpec("F-1")
		spec.Requests = []string{"RFI-1"}
		var fd audit.Finding
		f.submit(auditor1, "RaiseFinding", &fd, engID, js(t, spec))
		require.Equal(t, []string{"RFI-1"}, fd.Requests)
		spec.ID, spec.Requests = "F-2", []string{"RFI-1", "RFI-404"}
		ce := f.fail(auditor1, "RaiseFinding", engID, js(t, spec))
		require.Equal(t, "requests[1]", ce.Field)
		require.Equal(t, "exists", ce.Rule)
		spec.ID = "F-1"
		ce = f.fail(auditor1, "ReviseFinding", engID, js(t, spec))
		require.Equal(t, "requests[1]", ce.Field)
	})
}

func TestFindingFollowUp(t *testing.T) {
	t.Run("the agency responds, the auditors follow up and close the finding", func(t *testing.T) {
		f := newFixture(t)
		f.openEngagement()
		f.issueFinding("F-1")
		var fd audit.Finding
		res := f.submit(buyer, "RespondToFinding", &fd, engID, "F-1", js(t, audit.ManagementResponseSpec{
			Position: audit.PositionAgree, Comment: "Agreed.", ActionPlan: "Convene committees.", TargetDate: f.now().Add(90 * day),
		}))
		require.Equal(t, audit.FindingResponded, fd.Status)
		require.Equal(t, f.identity(buyer), fd.ManagementResponse.FiledBy)
		require.Equal(t, "finding.responded", parseEvent(t, res).Name())

		res = f.submit(auditor1, "RecordFollowUp", &fd, engID, "F-1", `{"assessment":"implemented","note":"Minutes seen.","evidence":[]}`)
		require.Equal(t, audit.FindingFollowUp, fd.Status)
		require.Equal(t, "finding.followed-up", parseEvent(t, res).Name())

		f.submit(auditor2, "CloseFinding", &fd, engID, "F-1", `{"outcome":"implemented","note":"Verified."}`)
		require.Equal(t, audit.FindingClosed, fd.Status)
		var e audit.Engagement
		f.evaluate(manager, "GetEngagement", &e, engID)
		require.Zero(t, e.OpenFindings)
	})
	t.Run("closing as implemented needs a follow-up that says so", func(t *testing.T) {
		f := newFixture(t)
		f.openEngagement()
		f.issueFinding("F-1")
		f.submit(auditor1, "RecordFollowUp", nil, engID, "F-1", `{"assessment":"in-progress","note":"Half done.","evidence":[]}`)
		ce := f.fail(auditor1, "CloseFinding", engID, "F-1", `{"outcome":"implemented","note":"Trust."}`)
		require.Equal(t, ccerror.FailedPrecondition, ce.Code)
	})
	t.Run("a draft finding is withdrawn and settled", func(t *testing.T) {
		f := newFixture(t)
		f.openEngagement()
		f.raiseFinding("F-1")
		var fd audit.Finding
		f.submit(auditor1, "WithdrawFinding", &fd, engID, "F-1", "Merged into F-2.")
		require.Equal(t, audit.FindingWithdrawn, fd.Status)
		var page contract.FindingPage
		f.evaluate(buyer, "ListFindings", &page, engID, "withdrawn", "0", "")
		require.Len(t, page.Items, 1)
		f.evaluate(buyer, "ListFindings", &page, engID, "draft", "0", "")
		require.Empty(t, page.Items)
		f.evaluate(buyer, "ListFindings", &page, engID, "", "0", "")
		require.Len(t, page.Items, 1)
	})
	t.Run("rejects malformed specs", func(t *testing.T) {
		f := newFixture(t)
		f.openEngagement()
		f.issueFinding("F-1")
		require.Equal(t, "spec", f.fail(buyer, "RespondToFinding", engID, "F-1", `{"position":"agree","x":1}`).Field)
		require.Equal(t, "spec", f.fail(auditor1, "RecordFollowUp", engID, "F-1", `[]`).Field)
		require.Equal(t, "spec", f.fail(auditor1, "CloseFinding", engID, "F-1", ``).Field)
		require.Equal(t, "spec", f.fail(auditor1, "RaiseFinding", engID, `{`).Field)
		require.Equal(t, "status", f.fail(auditor1, "ListFindings", engID, "open", "0", "").Field)
	})
}

func TestReportAndClosure(t *testing.T) {
	t.Run("a report issued by two signers locks the engagement, which closes once settled", func(t *testing.T) {
		f := newFixture(t)
		f.openEngagement()
		f.issueFinding("F-1")
		report := audit.ReportSpec{Summary: "One finding.", DocumentSHA256: sha(), URI: "https://sai.example/r.pdf", Quorum: f.quorum()}
		var e audit.Engagement
		res := f.submit(auditor1, "DraftReport", &e, engID, js(t, report))
		require.Equal(t, audit.EngagementReporting, e.Status)
		require.Equal(t, "report.drafted", parseEvent(t, res).Name())
		report.Summary = "One high finding."
		f.submit(auditor1, "ReviseReport", &e, engID, js(t, report))
		require.Equal(t, "One high finding.", e.Report.Summary)

		f.submit(auditor2, "SignReport", &e, engID)
		require.Nil(t, validationOrgs(t, f, "engagement", engID))
		res = f.submit(manager, "SignReport", &e, engID)
		require.Equal(t, audit.EngagementIssued, e.Status)
		require.Equal(t, "report.issued", parseEvent(t, res).Name())
		require.Equal(t, []string{"AuditOfficeMSP"}, validationOrgs(t, f, "engagement", engID))

		ce := f.fail(manager, "CloseEngagement", engID)
		require.Equal(t, ccerror.FailedPrecondition, ce.Code, "the finding is still open")
		f.submit(auditor1, "RecordFollowUp", nil, engID, "F-1", `{"assessment":"not-implemented","note":"Nothing done.","evidence":[]}`)
		f.submit(auditor1, "CloseFinding", nil, engID, "F-1", `{"outcome":"superseded","note":"Re-raised in ENG-2."}`)
		res = f.submit(manager, "CloseEngagement", &e, engID)
		require.Equal(t, audit.EngagementClosed, e.Status)
		require.Equal(t, "engagement.closed", parseEvent(t, res).Name())

		var page contract.EngagementPage
		f.evaluate(regulator, "ListEngagementsByStatus", &page, "closed", "0", "")
		require.Len(t, page.Items, 1)
		f.evaluate(regulator, "ListEngagementsByStatus", &page, "open", "0", "")
		require.Empty(t, page.Items)
	})
	t.Run("rejects report signers outside the audit office", func(t *testing.T) {
		f := newFixture(t)
		f.openEngagement()
		q := f.quorum()
		q.Signers[0] = f.identity(regulator)
		ce := f.fail(auditor1, "DraftReport", engID, js(t, audit.ReportSpec{Summary: "s", DocumentSHA256: sha(), URI: "https://x.example/r", Quorum: q}))
		require.Equal(t, "quorum.signers[0].mspId", ce.Field)
		require.Equal(t, "spec", f.fail(auditor1, "DraftReport", engID, "null").Field)
	})
	t.Run("a withdrawn engagement takes no more work", func(t *testing.T) {
		f := newFixture(t)
		f.openEngagement()
		var e audit.Engagement
		res := f.submit(manager, "WithdrawEngagement", &e, engID, "Agency dissolved.")
		require.Equal(t, audit.EngagementWithdrawn, e.Status)
		require.Equal(t, "engagement.withdrawn", parseEvent(t, res).Name())
		require.Equal(t, "engagement-status", f.fail(auditor1, "RaiseFinding", engID, js(t, f.findingSpec("F-1"))).Rule)
		require.Equal(t, ccerror.NotFound, f.fail(manager, "WithdrawEngagement", "ENG-404", "x").Code)
	})
}

func sha() string { return strings.Repeat("ab", 32) }
