package contract_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/govledger/govledger/chaincode/audit"
	"github.com/govledger/govledger/chaincode/audit/contract"
	"github.com/govledger/govledger/chaincode/ccerror"
)

func TestListings(t *testing.T) {
	f := newFixture(t)
	for _, spec := range []audit.EngagementSpec{
		{ID: "ENG-1", Agency: audit.Agency{MSPID: "ProcurementMSP", Code: "MOF"}, Title: "t", Scope: "s"},
		{ID: "ENG-2", Agency: audit.Agency{MSPID: "ProcurementMSP", Code: "MOF"}, Title: "t", Scope: "s"},
		{ID: "ENG-3", Agency: audit.Agency{MSPID: "HospitalMSP", Code: "HOSP1"}, Title: "t", Scope: "s"},
	} {
		f.submit(manager, "OpenEngagement", nil, js(t, spec))
	}
	f.issueRequest("RFI-1", 10*day)
	f.issueRequest("RFI-2", 10*day)
	f.submit(buyer, "FileResponse", nil, engID, "RFI-2", responseSpec())

	t.Run("pages through an agency's engagements", func(t *testing.T) {
		var p contract.EngagementPage
		f.evaluate(buyer, "ListEngagementsByAgency", &p, "ProcurementMSP", "MOF", "1", "")
		require.Equal(t, 1, p.Count)
		require.Equal(t, "ENG-1", p.Items[0].ID)
		f.evaluate(buyer, "ListEngagementsByAgency", &p, "ProcurementMSP", "MOF", "1", p.Bookmark)
		require.Equal(t, "ENG-2", p.Items[0].ID)
		f.evaluate(regulator, "ListEngagementsByAgency", &p, "HospitalMSP", "HOSP1", "0", "")
		require.Equal(t, "ENG-3", p.Items[0].ID)
	})
	t.Run("lists engagements by status", func(t *testing.T) {
		var p contract.EngagementPage
		f.evaluate(auditor1, "ListEngagementsByStatus", &p, "open", "0", "")
		require.Equal(t, 3, p.Count)
	})
	t.Run("lists an engagement's requests by status", func(t *testing.T) {
		var p contract.RequestPage
		f.evaluate(buyer, "ListRequests", &p, engID, "responded", "0", "")
		require.Equal(t, []string{"RFI-2"}, ids(p.Items))
		f.evaluate(buyer, "ListRequests", &p, engID, "", "0", "")
		require.Equal(t, []string{"RFI-1", "RFI-2"}, ids(p.Items))
	})
	t.Run("lists nothing overdue before any due date", func(t *testing.T) {
		var p contract.RequestPage
		f.evaluate(manager, "ListOverdueRequests", &p, "0", "")
		require.Empty(t, p.Items)
	})
	invalid := []struct {
		name  string
		fn    string
		args  []string
		code  ccerror.Code
		field string
	}{
		{"rejects an unknown engagement status", "ListEngagementsByStatus", []string{"active", "0", ""}, ccerror.InvalidArgument, "status"},
		{"rejects an unknown request status", "ListRequests", []string{engID, "pending", "0", ""}, ccerror.InvalidArgument, "status"},
		{"rejects a malformed agency code", "ListEngagementsByAgency", []string{"ProcurementMSP", "mof", "0", ""}, ccerror.InvalidArgument, "code"},
		{"rejects an oversized page", "ListRequests", []string{engID, "", "101", ""}, ccerror.InvalidArgument, "page.size"},
		{"rejects a forged bookmark", "ListEngagementsByStatus", []string{"open", "0", "Zm9yZ2Vk"}, ccerror.InvalidArgument, "page.bookmark"},
		{"rejects a malformed engagement ID", "GetEngagement", []string{"ENG 1"}, ccerror.InvalidArgument, "engagementId"},
		{"rejects a malformed finding ID", "GetFinding", []string{engID, "F 1"}, ccerror.InvalidArgument, "findingId"},
		{"reports an unknown engagement", "ListFindings", []string{"ENG-404", "", "0", ""}, ccerror.NotFound, ""},
		{"reports an unknown request", "ListResponses", []string{engID, "RFI-404", "0", ""}, ccerror.NotFound, ""},
		{"reports an unknown finding", "GetFinding", []string{engID, "F-404"}, ccerror.NotFound, ""},
	}
	for _, tc := range invalid {
		t.Run(tc.name, func(t *testing.T) {
			_, err := f.net.Evaluate(manager, "audit:"+tc.fn, tc.args...)
			var ce *ccerror.Error
			require.ErrorAs(t, err, &ce)
			require.Equal(t, tc.code, ce.Code, ce.Message)
			require.Equal(t, tc.field, ce.Field)
		})
	}
}

func TestStateRules(t *testing.T) {
	f := newFixture(t)
	f.openEngagement()
	f.issueRequest("RFI-1", 10*day)
	tests := []struct {
		name string
		fn   string
		args []string
		code ccerror.Code
	}{
		{"an open request cannot be accepted", "AcceptResponse", []string{engID, "RFI-1"}, ccerror.FailedPrecondition},
		{"an open request cannot be reopened", "ReopenRequest", []string{engID, "RFI-1", "More.", "2026-03-01T00:00:00Z"}, ccerror.FailedPrecondition},
		{"an extension must move the due date later", "ExtendRequest", []string{engID, "RFI-1", "Less.", "2026-01-05T00:00:00Z"}, ccerror.InvalidArgument},
		{"a withdrawal needs a reason", "WithdrawRequest", []string{engID, "RFI-1", ""}, ccerror.InvalidArgument},
		{"a request on an unknown engagement is refused", "IssueRequest", []string{"ENG-404", `{"id":"R","subject":"s","detail":"d","dueAt":"2026-02-01T00:00:00Z"}`}, ccerror.NotFound},
		{"a request ID is unique within its engagement", "IssueRequest", []string{engID, `{"id":"RFI-1","subject":"s","detail":"d","dueAt":"2026-02-01T00:00:00Z"}`}, ccerror.AlreadyExists},
		{"a request's due date must be ahead", "IssueRequest", []string{engID, `{"id":"RFI-9","subject":"s","detail":"d","dueAt":"2025-12-01T00:00:00Z"}`}, ccerror.InvalidArgument},
		{"a finding needs its elements", "RaiseFinding", []string{engID, `{"id":"F-1"}`}, ccerror.InvalidArgument},
		{"an unknown finding cannot be signed", "SignFinding", []string{engID, "F-404"}, ccerror.NotFound},
		{"an unknown finding cannot be withdrawn", "WithdrawFinding", []string{engID, "F-404", "r"}, ccerror.NotFound},
		{"a report cannot be signed before it is drafted", "SignReport", []string{engID}, ccerror.FailedPrecondition},
		{"an engagement in fieldwork cannot be closed", "CloseEngagement", []string{engID}, ccerror.FailedPrecondition},
		{"an engagement with an open request cannot be withdrawn", "WithdrawEngagement", []string{engID, "Done."}, ccerror.FailedPrecondition},
		{"an engagement ID is unique", "OpenEngagement", []string{js(t, audit.EngagementSpec{ID: engID, Agency: audit.Agency{MSPID: "ProcurementMSP", Code: "MOF"}, Title: "t", Scope: "s"})}, ccerror.AlreadyExists},
		{"an engagement needs a title", "OpenEngagement", []string{`{"id":"ENG-2","agency":{"mspId":"ProcurementMSP","code":"MOF"},"scope":"s"}`}, ccerror.InvalidArgument},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			who := auditor1
			if tc.fn == "OpenEngagement" || tc.fn == "CloseEngagement" || tc.fn == "WithdrawEngagement" {
				who = manager
			}
			ce := f.fail(who, tc.fn, tc.args...)
			require.Equal(t, tc.code, ce.Code, ce.Message)
		})
	}
}
