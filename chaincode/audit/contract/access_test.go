package contract_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/govledger/govledger/chaincode/audit"
	"github.com/govledger/govledger/chaincode/ccerror"
	"github.com/govledger/govledger/chaincode/internal/memstub"
)

// accessFixture is an engagement on MOF with an open request RFI-1, an issued
// finding F-1 and a draft finding F-2.
func accessFixture(t *testing.T) *fixture {
	f := newFixture(t)
	f.openEngagement()
	f.issueRequest("RFI-1", 10*day)
	f.issueFinding("F-1")
	f.raiseFinding("F-2")
	return f
}

func TestAccessRejections(t *testing.T) {
	f := accessFixture(t)
	due := f.now().Add(20 * day).Format("2006-01-02T15:04:05Z")
	mgmt := js(t, audit.ManagementResponseSpec{Position: audit.PositionDisagree, Comment: "No."})
	report := js(t, audit.ReportSpec{Summary: "s", DocumentSHA256: sha(), URI: "https://sai.example/r", Quorum: f.quorum()})
	engagement := js(t, audit.EngagementSpec{ID: "ENG-2", Agency: audit.Agency{MSPID: "HospitalMSP", Code: "HOSP1"}, Title: "t", Scope: "s"})
	request := `{"id":"RFI-2","subject":"s","detail":"d","dueAt":"` + due + `"}`
	flag := `{"entity":"tender","id":"T-1","kind":"singleBid"}`
	writes := []struct {
		fn   string
		args []string
	}{
		{"OpenEngagement", []string{engagement}},
		{"WithdrawEngagement", []string{engID, "r"}},
		{"CloseEngagement", []string{engID}},
		{"DraftReport", []string{engID, report}},
		{"ReviseReport", []string{engID, report}},
		{"SignReport", []string{engID}},
		{"IssueRequest", []string{engID, request}},
		{"OpenRequestFromRedFlag", []string{engID, flag}},
		{"ExtendRequest", []string{engID, "RFI-1", "r", due}},
		{"ReopenRequest", []string{engID, "RFI-1", "r", due}},
		{"AcceptResponse", []string{engID, "RFI-1"}},
		{"WithdrawRequest", []string{engID, "RFI-1", "r"}},
		{"FileResponse", []string{engID, "RFI-1", responseSpec()}},
		{"SweepDeadlines", []string{"10"}},
		{"RaiseFinding", []string{engID, js(t, f.findingSpec("F-3"))}},
		{"ReviseFinding", []string{engID, js(t, f.findingSpec("F-2"))}},
		{"SignFinding", []string{engID, "F-2"}},
		{"WithdrawFinding", []string{engID, "F-2", "r"}},
		{"RespondToFinding", []string{engID, "F-1", mgmt}},
		{"RecordFollowUp", []string{engID, "F-1", `{"assessment":"in-progress","note":"n","evidence":[]}`}},
		{"CloseFinding", []string{engID, "F-1", `{"outcome":"superseded","note":"n"}`}},
	}
	for _, w := range writes {
		t.Run("the regulator may not call "+w.fn, func(t *testing.T) {
			ce := f.fail(regulator, w.fn, w.args...)
			require.Equal(t, ccerror.PermissionDenied, ce.Code)
			require.Contains(t, ce.Message, "read-only")
		})
	}
	agencyOnly := map[string]bool{"FileResponse": true, "RespondToFinding": true}
	for _, w := range writes {
		if agencyOnly[w.fn] {
			continue
		}
		t.Run("the audited agency may not call "+w.fn, func(t *testing.T) {
			require.Equal(t, ccerror.PermissionDenied, f.fail(buyer, w.fn, w.args...).Code)
		})
		t.Run("an audit office member without an audit role may not call "+w.fn, func(t *testing.T) {
			require.Equal(t, ccerror.PermissionDenied, f.fail(officeAdm, w.fn, w.args...).Code)
		})
	}

	reads := []struct {
		fn   string
		args []string
	}{
		{"GetEngagement", []string{engID}},
		{"GetRequest", []string{engID, "RFI-1"}},
		{"GetFinding", []string{engID, "F-1"}},
		{"ListEngagementsByAgency", []string{"ProcurementMSP", "MOF", "0", ""}},
		{"ListRequests", []string{engID, "", "0", ""}},
		{"ListFindings", []string{engID, "", "0", ""}},
		{"ListResponses", []string{engID, "RFI-1", "0", ""}},
	}
	tests := []struct {
		name string
		who  memstub.Identity
		fn   string
		args []string
	}{
		{"an auditor may not manage engagements: open", auditor1, "OpenEngagement", writes[0].args},
		{"an auditor may not manage engagements: withdraw", auditor1, "WithdrawEngagement", []string{engID, "r"}},
		{"an auditor may not manage engagements: close", auditor1, "CloseEngagement", []string{engID}},
		{"the audit office may not answer a request for the agency", auditor1, "FileResponse", writes[12].args},
		{"the audit office may not respond to a finding for the agency", manager, "RespondToFinding", writes[18].args},
		{"another agency in the same MSP may not answer", otherAgcy, "FileResponse", writes[12].args},
		{"another agency in the same MSP may not respond to a finding", otherAgcy, "RespondToFinding", writes[18].args},
		{"the same agency code in another MSP may not answer", reporter, "FileResponse", writes[12].args},
		{"an agency may not list engagements by status", buyer, "ListEngagementsByStatus", []string{"open", "0", ""}},
		{"an agency may not list overdue requests", buyer, "ListOverdueRequests", []string{"0", ""}},
		{"an unknown function is denied", manager, "DeleteEverything", nil},
	}
	for _, r := range reads {
		tests = append(tests,
			struct {
				name string
				who  memstub.Identity
				fn   string
				args []string
			}{"another agency may not call " + r.fn, otherAgcy, r.fn, r.args},
			struct {
				name string
				who  memstub.Identity
				fn   string
				args []string
			}{"an audit office member without an audit role may not call " + r.fn, officeAdm, r.fn, r.args},
		)
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, ccerror.PermissionDenied, f.fail(tc.who, tc.fn, tc.args...).Code)
		})
	}
	for _, r := range reads {
		for _, who := range []struct {
			name string
			id   memstub.Identity
		}{{"the audited agency", buyer}, {"the regulator", regulator}, {"an auditor", auditor2}} {
			t.Run(who.name+" may call "+r.fn, func(t *testing.T) {
				_, err := f.net.Evaluate(who.id, "audit:"+r.fn, r.args...)
				require.NoError(t, err)
			})
		}
	}
	t.Run("no engagement may be opened on the audit office or the regulator", func(t *testing.T) {
		for _, msp := range []string{"AuditOfficeMSP", "RegulatorMSP"} {
			spec := js(t, audit.EngagementSpec{ID: "ENG-9", Agency: audit.Agency{MSPID: msp, Code: "SAI"}, Title: "t", Scope: "s"})
			ce := f.fail(manager, "OpenEngagement", spec)
			require.Equal(t, "agency.mspId", ce.Field)
		}
	})
}
