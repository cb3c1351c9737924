package audit_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/govledger/govledger/chaincode/audit"
)

func TestOpenEngagement(t *testing.T) {
	t.Run("opens in fieldwork with no open items", func(t *testing.T) {
		e, err := audit.OpenEngagement(engagementSpec(), auditor1, t0.In(time.FixedZone("CET", 3600)))
		require.NoError(t, err)
		require.Equal(t, audit.EngagementOpen, e.Status)
		require.Equal(t, mof, e.Agency)
		require.Equal(t, auditor1, e.OpenedBy)
		require.Equal(t, t0, e.OpenedAt)
		require.Equal(t, time.UTC, e.OpenedAt.Location())
		require.Zero(t, e.OpenRequests)
		require.False(t, e.Final())
	})
	tests := []struct {
		name  string
		edit  func(*audit.EngagementSpec)
		field string
	}{
		{"rejects a missing ID", func(s *audit.EngagementSpec) { s.ID = "" }, "id"},
		{"rejects an ID with a key separator", func(s *audit.EngagementSpec) { s.ID = "ENG\x00-1" }, "id"},
		{"rejects an ID starting with punctuation", func(s *audit.EngagementSpec) { s.ID = "-ENG" }, "id"},
		{"rejects a missing agency MSP", func(s *audit.EngagementSpec) { s.Agency.MSPID = "" }, "agency.mspId"},
		{"rejects a missing agency code", func(s *audit.EngagementSpec) { s.Agency.Code = "" }, "agency.code"},
		{"rejects a lowercase agency code", func(s *audit.EngagementSpec) { s.Agency.Code = "mof" }, "agency.code"},
		{"rejects a blank title", func(s *audit.EngagementSpec) { s.Title = " \n" }, "title"},
		{"rejects an overlong title", func(s *audit.EngagementSpec) { s.Title = strings.Repeat("é", audit.MaxTitleLen+1) }, "title"},
		{"rejects invalid UTF-8 in the scope", func(s *audit.EngagementSpec) { s.Scope = "ok\xff" }, "scope"},
		{"rejects control characters in the scope", func(s *audit.EngagementSpec) { s.Scope = "a\x1bb" }, "scope"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			spec := engagementSpec()
			tc.edit(&spec)
			_, err := audit.OpenEngagement(spec, auditor1, t0)
			requireField(t, err, tc.field)
		})
	}
	t.Run("accepts multi-line text", func(t *testing.T) {
		spec := engagementSpec()
		spec.Scope = "Line one.\r\n\tLine two."
		_, err := audit.OpenEngagement(spec, auditor1, t0)
		require.NoError(t, err)
	})
}

func TestEngagementReport(t *testing.T) {
	t.Run("issues the report when the quorum has signed", func(t *testing.T) {
		e, err := openEngagement(t).DraftReport(reportSpec(), auditor1, t0)
		require.NoError(t, err)
		require.Equal(t, audit.EngagementReporting, e.Status)
		e, err = e.SignReport(auditor2, t0.Add(time.Hour))
		require.NoError(t, err)
		require.Equal(t, audit.EngagementReporting, e.Status)
		require.True(t, e.Report.IssuedAt.IsZero())
		e, err = e.SignReport(manager1, t0.Add(2*time.Hour))
		require.NoError(t, err)
		require.Equal(t, audit.EngagementIssued, e.Status)
		require.Equal(t, t0.Add(2*time.Hour), e.Report.IssuedAt)
		require.Len(t, e.Report.SignOff.Signatures, 2)
	})
	t.Run("drops signatures when the draft is revised", func(t *testing.T) {
		e, err := openEngagement(t).DraftReport(reportSpec(), auditor1, t0)
		require.NoError(t, err)
		signed, err := e.SignReport(auditor2, t0)
		require.NoError(t, err)
		spec := reportSpec()
		spec.Summary = "Two findings."
		revised, err := signed.ReviseReport(spec, auditor2, t0.Add(time.Hour))
		require.NoError(t, err)
		require.Empty(t, revised.Report.SignOff.Signatures)
		require.Equal(t, "Two findings.", revised.Report.Summary)
		require.Equal(t, auditor2, revised.Report.DraftedBy)
		require.Len(t, signed.Report.SignOff.Signatures, 1, "the signed value is untouched")
	})
	t.Run("rejects a signer not named on the report", func(t *testing.T) {
		e, err := openEngagement(t).DraftReport(reportSpec(), auditor1, t0)
		require.NoError(t, err)
		_, err = e.SignReport(buyer1, t0)
		require.ErrorIs(t, err, audit.ErrUnnamedSigner)
	})
	t.Run("rejects signing before a report is drafted", func(t *testing.T) {
		_, err := openEngagement(t).SignReport(auditor1, t0)
		requireTransition(t, err, "open", audit.ActionSign)
	})
	t.Run("rejects revising before a report is drafted", func(t *testing.T) {
		_, err := openEngagement(t).ReviseReport(reportSpec(), auditor1, t0)
		requireTransition(t, err, "open", audit.ActionReviseReport)
	})
	tests := []struct {
		name  string
		edit  func(*audit.ReportSpec)
		field string
	}{
		{"rejects a missing summary", func(s *audit.ReportSpec) { s.Summary = "" }, "summary"},
		{"rejects an uppercase digest", func(s *audit.ReportSpec) { s.DocumentSHA256 = strings.ToUpper(sha) }, "documentSha256"},
		{"rejects a plain-http URI", func(s *audit.ReportSpec) { s.URI = "http://sai.example/r.pdf" }, "uri"},
		{"rejects a quorum of one", func(s *audit.ReportSpec) { s.Quorum.Required = 1 }, "quorum.required"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			spec := reportSpec()
			tc.edit(&spec)
			_, err := openEngagement(t).DraftReport(spec, auditor1, t0)
			requireField(t, err, tc.field)
		})
	}
}

func issuedEngagement(t *testing.T, e audit.Engagement) audit.Engagement {
	t.Helper()
	e, err := e.DraftReport(reportSpec(), auditor1, t0)
	require.NoError(t, err)
	e, err = e.SignReport(auditor1, t0)
	require.NoError(t, err)
	e, err = e.SignReport(auditor2, t0)
	require.NoError(t, err)
	require.Equal(t, audit.EngagementIssued, e.Status)
	return e
}

func TestEngagementCloseAndWithdraw(t *testing.T) {
	t.Run("closes an issued engagement with nothing outstanding", func(t *testing.T) {
		e, err := issuedEngagement(t, openEngagement(t)).Close(t0.Add(time.Hour))
		require.NoError(t, err)
		require.Equal(t, audit.EngagementClosed, e.Status)
		require.True(t, e.Final())
	})
	t.Run("refuses to close while a request is open", func(t *testing.T) {
		e, _ := issueRequest(t)
		_, err := issuedEngagement(t, e).Close(t0)
		require.ErrorIs(t, err, audit.ErrOutstanding)
	})
	t.Run("refuses to close before the report is issued", func(t *testing.T) {
		_, err := openEngagement(t).Close(t0)
		requireTransition(t, err, "open", audit.ActionClose)
	})
	t.Run("withdraws an engagement with nothing outstanding", func(t *testing.T) {
		e, err := openEngagement(t).Withdraw("Agency merged into another.", t0)
		require.NoError(t, err)
		require.Equal(t, audit.EngagementWithdrawn, e.Status)
		require.Equal(t, "Agency merged into another.", e.Reason)
	})
	t.Run("refuses to withdraw while a finding is open", func(t *testing.T) {
		e, _ := raiseFinding(t)
		_, err := e.Withdraw("No longer needed.", t0)
		require.ErrorIs(t, err, audit.ErrOutstanding)
	})
	t.Run("refuses to withdraw without a reason", func(t *testing.T) {
		_, err := openEngagement(t).Withdraw("", t0)
		requireField(t, err, "reason")
	})
	t.Run("refuses to withdraw an issued engagement", func(t *testing.T) {
		_, err := issuedEngagement(t, openEngagement(t)).Withdraw("Too late.", t0)
		requireTransition(t, err, "issued", audit.ActionWithdraw)
	})
}

func TestEngagementAccepts(t *testing.T) {
	issued := issuedEngagement(t, openEngagement(t))
	tests := []struct {
		name   string
		e      audit.Engagement
		action audit.Action
		ok     bool
	}{
		{"accepts requests during fieldwork", openEngagement(t), audit.ActionIssueRequest, true},
		{"accepts findings during fieldwork", openEngagement(t), audit.ActionRaiseFinding, true},
		{"refuses requests once the report is issued", issued, audit.ActionIssueRequest, false},
		{"refuses findings once the report is issued", issued, audit.ActionRaiseFinding, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.e.Accepts(tc.action)
			if tc.ok {
				require.NoError(t, err)
				return
			}
			requireTransition(t, err, string(tc.e.Status), tc.action)
		})
	}
}
