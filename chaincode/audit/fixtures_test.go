package audit_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/govledger/govledger/chaincode/audit"
	"github.com/govledger/govledger/chaincode/ccerror"
	"github.com/govledger/govledger/chaincode/internal/validate"
)

var (
	t0       = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	auditor1 = audit.Identity{MSPID: "AuditOfficeMSP", ID: "x509::CN=auditor1,OU=client::CN=ca.auditoffice"}
	auditor2 = audit.Identity{MSPID: "AuditOfficeMSP", ID: "x509::CN=auditor2,OU=client::CN=ca.auditoffice"}
	manager1 = audit.Identity{MSPID: "AuditOfficeMSP", ID: "x509::CN=auditmanager1,OU=client::CN=ca.auditoffice"}
	buyer1   = audit.Identity{MSPID: "ProcurementMSP", ID: "x509::CN=buyer1,OU=client::CN=ca.procurement"}
	mof      = audit.Agency{MSPID: "ProcurementMSP", Code: "MOF"}
	sha      = strings.Repeat("ab", 32)
	txID     = strings.Repeat("0f", 32)
)

func engagementSpec() audit.EngagementSpec {
	return audit.EngagementSpec{ID: "ENG-2026-01", Agency: mof, Title: "Procurement compliance 2025", Scope: "All tenders above 100k awarded in 2025."}
}

func openEngagement(t *testing.T) audit.Engagement {
	t.Helper()
	e, err := audit.OpenEngagement(engagementSpec(), auditor1, t0)
	require.NoError(t, err)
	return e
}

func quorum() audit.Quorum {
	return audit.Quorum{Required: 2, Signers: []audit.Identity{auditor1, auditor2, manager1}}
}

func requestSpec() audit.RequestSpec {
	return audit.RequestSpec{ID: "RFI-1", Subject: "Evaluation report", Detail: "Provide the evaluation report of tender T-1.", DueAt: t0.Add(10 * 24 * time.Hour)}
}

func issueRequest(t *testing.T) (audit.Engagement, audit.Request) {
	t.Helper()
	e, r, err := audit.IssueRequest(openEngagement(t), requestSpec(), auditor1, t0)
	require.NoError(t, err)
	return e, r
}

func responseSpec() audit.ResponseSpec {
	return audit.ResponseSpec{
		Statement: "The evaluation report is attached.",
		Evidence: []audit.Evidence{{
			Description:    "Evaluation report",
			DocumentSHA256: sha,
			URI:            "https://docs.mof.example/tenders/T-1/evaluation.pdf",
			LedgerRefs:     []audit.TxRef{{Channel: "public-services", Chaincode: "procurement", TxID: txID}},
		}},
	}
}

func findingSpec() audit.FindingSpec {
	return audit.FindingSpec{
		ID:             "F-1",
		Title:          "Award without evaluation",
		Severity:       audit.SeverityHigh,
		Criteria:       "Procurement Act s.42 requires a documented evaluation.",
		Condition:      "Tender T-1 was awarded with no evaluation report.",
		Cause:          "The evaluation committee was not convened.",
		Effect:         "Value for money cannot be demonstrated.",
		Recommendation: "Convene evaluation committees for every tender.",
		Requests:       []string{"RFI-1"},
		Quorum:         quorum(),
	}
}

func raiseFinding(t *testing.T) (audit.Engagement, audit.Finding) {
	t.Helper()
	e, f, err := audit.RaiseFinding(openEngagement(t), findingSpec(), auditor1, t0)
	require.NoError(t, err)
	return e, f
}

func issuedFinding(t *testing.T) (audit.Engagement, audit.Finding) {
	t.Helper()
	e, f := raiseFinding(t)
	f, err := f.Sign(auditor1, t0.Add(time.Hour))
	require.NoError(t, err)
	f, err = f.Sign(manager1, t0.Add(2*time.Hour))
	require.NoError(t, err)
	require.Equal(t, audit.FindingIssued, f.Status)
	return e, f
}

func reportSpec() audit.ReportSpec {
	return audit.ReportSpec{Summary: "One high finding.", DocumentSHA256: sha, URI: "https://sai.example/reports/ENG-2026-01.pdf", Quorum: quorum()}
}

func requireField(t *testing.T, err error, field string) {
	t.Helper()
	require.ErrorIs(t, err, ccerror.ErrInvalidArgument)
	var fe *validate.FieldError
	require.ErrorAs(t, err, &fe)
	require.Equal(t, field, fe.Field)
}

func requireRule(t *testing.T, err error, field, rule string) {
	t.Helper()
	requireField(t, err, field)
	var fe *validate.FieldError
	require.ErrorAs(t, err, &fe)
	require.Equal(t, rule, fe.Rule)
}

func requireTransition(t *testing.T, err error, from string, action audit.Action) {
	t.Helper()
	require.ErrorIs(t, err, audit.ErrTransition)
	var te *audit.TransitionError
	require.ErrorAs(t, err, &te)
	require.Equal(t, from, te.From)
	require.Equal(t, action, te.Action)
}
