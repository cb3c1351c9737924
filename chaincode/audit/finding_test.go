package audit_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/govledger/govledger/chaincode/audit"
	"github.com/govledger/govledger/chaincode/ccerror"
)

func TestRaiseFinding(t *testing.T) {
	t.Run("drafts the finding and counts it open", func(t *testing.T) {
		e, f := raiseFinding(t)
		require.Equal(t, 1, e.OpenFindings)
		require.Equal(t, audit.FindingDraft, f.Status)
		require.Equal(t, mof, f.Agency)
		require.Equal(t, []string{"RFI-1"}, f.Requests)
		require.Equal(t, 2, f.SignOff.Required)
		require.Empty(t, f.SignOff.Signatures)
		require.False(t, f.SignedOff())
		require.False(t, f.Final())
	})
	t.Run("keeps an empty list of requests rather than null", func(t *testing.T) {
		spec := findingSpec()
		spec.Requests = nil
		_, f, err := audit.RaiseFinding(openEngagement(t), spec, auditor1, t0)
		require.NoError(t, err)
		require.NotNil(t, f.Requests)
	})
	t.Run("refuses a finding once the report is issued", func(t *testing.T) {
		_, _, err := audit.RaiseFinding(issuedEngagement(t, openEngagement(t)), findingSpec(), auditor1, t0)
		requireTransition(t, err, "issued", audit.ActionRaiseFinding)
	})
	many := make([]string, audit.MaxRelatedItems+1)
	for i := range many {
		many[i] = "RFI-" + strings.Repeat("9", i+1)
	}
	tests := []struct {
		name  string
		edit  func(*audit.FindingSpec)
		field string
	}{
		{"rejects a missing ID", func(s *audit.FindingSpec) { s.ID = "" }, "id"},
		{"rejects a missing title", func(s *audit.FindingSpec) { s.Title = "" }, "title"},
		{"rejects an unknown severity", func(s *audit.FindingSpec) { s.Severity = "severe" }, "severity"},
		{"rejects missing criteria", func(s *audit.FindingSpec) { s.Criteria = "" }, "criteria"},
		{"rejects a missing condition", func(s *audit.FindingSpec) { s.Condition = "" }, "condition"},
		{"rejects a missing cause", func(s *audit.FindingSpec) { s.Cause = "" }, "cause"},
		{"rejects a missing effect", func(s *audit.FindingSpec) { s.Effect = "" }, "effect"},
		{"rejects a missing recommendation", func(s *audit.FindingSpec) { s.Recommendation = "" }, "recommendation"},
		{"rejects a malformed request ID", func(s *audit.FindingSpec) { s.Requests = []string{"RFI 1"} }, "requests[0]"},
		{"rejects a repeated request", func(s *audit.FindingSpec) { s.Requests = []string{"RFI-1", "RFI-1"} }, "requests[1]"},
		{"rejects too many requests", func(s *audit.FindingSpec) { s.Requests = many }, "requests"},
		{"rejects a quorum larger than its signers", func(s *audit.FindingSpec) { s.Quorum.Required = 4 }, "quorum.required"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			spec := findingSpec()
			tc.edit(&spec)
			_, _, err := audit.RaiseFinding(openEngagement(t), spec, auditor1, t0)
			requireField(t, err, tc.field)
		})
	}
}

func TestFindingSignOff(t *testing.T) {
	t.Run("issues the finding only when two signers have signed", func(t *testing.T) {
		_, f := raiseFinding(t)
		f, err := f.Sign(auditor2, t0.Add(time.Hour))
		require.NoError(t, err)
		require.Equal(t, audit.FindingDraft, f.Status)
		require.False(t, f.SignedOff())
		f, err = f.Sign(manager1, t0.Add(2*time.Hour))
		require.NoError(t, err)
		require.Equal(t, audit.FindingIssued, f.Status)
		require.True(t, f.SignedOff())
		require.Equal(t, t0.Add(2*time.Hour), f.IssuedAt)
	})
	t.Run("rejects a duplicate signature", func(t *testing.T) {
		_, f := raiseFinding(t)
		f, err := f.Sign(auditor2, t0)
		require.NoError(t, err)
		_, err = f.Sign(auditor2, t0)
		require.ErrorIs(t, err, audit.ErrDuplicateSignature)
	})
	t.Run("rejects an unnamed signer", func(t *testing.T) {
		_, f := raiseFinding(t)
		_, err := f.Sign(buyer1, t0)
		require.ErrorIs(t, err, audit.ErrUnnamedSigner)
	})
	t.Run("rejects a signature once issued", func(t *testing.T) {
		_, f := issuedFinding(t)
		_, err := f.Sign(auditor2, t0)
		requireTransition(t, err, "issued", audit.ActionSign)
	})
	t.Run("revising a draft drops its signatures", func(t *testing.T) {
		_, f := raiseFinding(t)
		f, err := f.Sign(auditor2, t0)
		require.NoError(t, err)
		spec := findingSpec()
		spec.Severity = audit.SeverityCritical
		f, err = f.Revise(spec, t0.Add(time.Hour))
		require.NoError(t, err)
		require.Equal(t, audit.SeverityCritical, f.Severity)
		require.Empty(t, f.SignOff.Signatures)
		require.Equal(t, audit.FindingDraft, f.Status)
	})
	t.Run("refuses to revise an issued finding", func(t *testing.T) {
		_, f := issuedFinding(t)
		_, err := f.Revise(findingSpec(), t0)
		requireTransition(t, err, "issued", audit.ActionRevise)
	})
	t.Run("refuses a revision naming another finding", func(t *testing.T) {
		_, f := raiseFinding(t)
		spec := findingSpec()
		spec.ID = "F-2"
		_, err := f.Revise(spec, t0)
		requireField(t, err, "id")
	})
	t.Run("refuses an invalid revision", func(t *testing.T) {
		_, f := raiseFinding(t)
		spec := findingSpec()
		spec.Effect = ""
		_, err := f.Revise(spec, t0)
		requireField(t, err, "effect")
	})
}

func TestWithdrawFinding(t *testing.T) {
	t.Run("withdraws a draft and settles it on the engagement", func(t *testing.T) {
		e, f := raiseFinding(t)
		e, f, err := audit.WithdrawFinding(e, f, "Merged into F-2.", t0)
		require.NoError(t, err)
		require.Equal(t, audit.FindingWithdrawn, f.Status)
		require.Equal(t, "Merged into F-2.", f.Reason)
		require.True(t, f.Final())
		require.Zero(t, e.OpenFindings)
	})
	t.Run("refuses to withdraw an issued finding", func(t *testing.T) {
		e, f := issuedFinding(t)
		_, _, err := audit.WithdrawFinding(e, f, "Changed our mind.", t0)
		requireTransition(t, err, "issued", audit.ActionWithdraw)
	})
	t.Run("refuses to withdraw without a reason", func(t *testing.T) {
		e, f := raiseFinding(t)
		_, _, err := audit.WithdrawFinding(e, f, "", t0)
		requireField(t, err, "reason")
	})
	t.Run("refuses a finding of another engagement", func(t *testing.T) {
		_, f := raiseFinding(t)
		other := openEngagement(t)
		other.ID = "ENG-OTHER"
		_, _, err := audit.WithdrawFinding(other, f, "Wrong place.", t0)
		requireField(t, err, "engagementId")
	})
}

func managementSpec() audit.ManagementResponseSpec {
	return audit.ManagementResponseSpec{
		Position:   audit.PositionAgree,
		Comment:    "We accept the finding.",
		ActionPlan: "Committees will be convened from Q2.",
		TargetDate: t0.Add(90 * days),
	}
}

func TestRespondManagement(t *testing.T) {
	t.Run("records the agency's response", func(t *testing.T) {
		_, f := issuedFinding(t)
		f, err := f.RespondManagement(managementSpec(), buyer1, t0.Add(days))
		require.NoError(t, err)
		require.Equal(t, audit.FindingResponded, f.Status)
		require.Equal(t, buyer1, f.ManagementResponse.FiledBy)
		require.Equal(t, audit.PositionAgree, f.ManagementResponse.Position)
	})
	t.Run("accepts disagreement without an action plan", func(t *testing.T) {
		_, f := issuedFinding(t)
		f, err := f.RespondManagement(audit.ManagementResponseSpec{Position: audit.PositionDisagree, Comment: "The evaluation was done orally."}, buyer1, t0)
		require.NoError(t, err)
		require.Equal(t, audit.PositionDisagree, f.ManagementResponse.Position)
	})
	t.Run("refuses a response to a draft", func(t *testing.T) {
		_, f := raiseFinding(t)
		_, err := f.RespondManagement(managementSpec(), buyer1, t0)
		requireTransition(t, err, "draft", audit.ActionRespond)
	})
	t.Run("refuses a second response", func(t *testing.T) {
		_, f := issuedFinding(t)
		f, err := f.RespondManagement(managementSpec(), buyer1, t0)
		require.NoError(t, err)
		_, err = f.RespondManagement(managementSpec(), buyer1, t0)
		requireTransition(t, err, "responded", audit.ActionRespond)
	})
	tests := []struct {
		name  string
		edit  func(*audit.ManagementResponseSpec)
		field string
	}{
		{"rejects an unknown position", func(s *audit.ManagementResponseSpec) { s.Position = "maybe" }, "position"},
		{"rejects a missing comment", func(s *audit.ManagementResponseSpec) { s.Comment = "" }, "comment"},
		{"rejects agreement without an action plan", func(s *audit.ManagementResponseSpec) { s.ActionPlan = "" }, "actionPlan"},
		{"rejects partial agreement without a target date", func(s *audit.ManagementResponseSpec) {
			s.Position, s.TargetDate = audit.PositionPartiallyAgree, time.Time{}
		}, "targetDate"},
		{"rejects a target date in the past", func(s *audit.ManagementResponseSpec) { s.TargetDate = t0.Add(-days) }, "targetDate"},
		{"rejects disagreement with a past target date", func(s *audit.ManagementResponseSpec) {
			s.Position, s.TargetDate = audit.PositionDisagree, t0.Add(-days)
		}, "targetDate"},
		{"rejects disagreement with control characters in the plan", func(s *audit.ManagementResponseSpec) {
			s.Position, s.ActionPlan = audit.PositionDisagree, "\x07"
		}, "actionPlan"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, f := issuedFinding(t)
			spec := managementSpec()
			tc.edit(&spec)
			_, err := f.RespondManagement(spec, buyer1, t0)
			requireField(t, err, tc.field)
		})
	}
	t.Run("accepts disagreement with a future target date", func(t *testing.T) {
		_, f := issuedFinding(t)
		spec := managementSpec()
		spec.Position = audit.PositionDisagree
		_, err := f.RespondManagement(spec, buyer1, t0)
		require.NoError(t, err)
	})
}

func followUp(a audit.Assessment) audit.FollowUpSpec {
	return audit.FollowUpSpec{Assessment: a, Note: "Reviewed the committee minutes.", Evidence: responseSpec().Evidence}
}

func TestFollowUpAndClose(t *testing.T) {
	t.Run("follows up a finding until closed as implemented", func(t *testing.T) {
		e, f := issuedFinding(t)
		f, err := f.RespondManagement(managementSpec(), buyer1, t0)
		require.NoError(t, err)
		f, err = f.RecordFollowUp(followUp(audit.AssessmentInProgress), auditor1, t0.Add(30*days))
		require.NoError(t, err)
		require.Equal(t, audit.FindingFollowUp, f.Status)
		f, err = f.RecordFollowUp(followUp(audit.AssessmentImplemented), auditor1, t0.Add(60*days))
		require.NoError(t, err)
		require.Len(t, f.FollowUps, 2)
		e, f, err = audit.CloseFinding(e, f, audit.ClosureSpec{Outcome: audit.OutcomeImplemented, Note: "Verified."}, auditor2, t0.Add(61*days))
		require.NoError(t, err)
		require.Equal(t, audit.FindingClosed, f.Status)
		require.Equal(t, audit.OutcomeImplemented, f.Closure.Outcome)
		require.Equal(t, auditor2, f.Closure.ClosedBy)
		require.Zero(t, e.OpenFindings)
	})
	t.Run("follows up without a management response", func(t *testing.T) {
		_, f := issuedFinding(t)
		f, err := f.RecordFollowUp(followUp(audit.AssessmentNotStarted), auditor1, t0)
		require.NoError(t, err)
		_, err = f.RespondManagement(managementSpec(), buyer1, t0)
		requireTransition(t, err, "follow-up", audit.ActionRespond)
	})
	t.Run("refuses a follow-up of a draft", func(t *testing.T) {
		_, f := raiseFinding(t)
		_, err := f.RecordFollowUp(followUp(audit.AssessmentInProgress), auditor1, t0)
		requireTransition(t, err, "draft", audit.ActionFollowUp)
	})
	t.Run("refuses an unknown assessment", func(t *testing.T) {
		_, f := issuedFinding(t)
		_, err := f.RecordFollowUp(followUp("done"), auditor1, t0)
		requireField(t, err, "assessment")
	})
	t.Run("refuses a follow-up without a note", func(t *testing.T) {
		_, f := issuedFinding(t)
		spec := followUp(audit.AssessmentInProgress)
		spec.Note = ""
		_, err := f.RecordFollowUp(spec, auditor1, t0)
		requireField(t, err, "note")
	})
	t.Run("refuses a follow-up with invalid evidence", func(t *testing.T) {
		_, f := issuedFinding(t)
		spec := followUp(audit.AssessmentInProgress)
		spec.Evidence[0].URI = "ftp://x/y"
		_, err := f.RecordFollowUp(spec, auditor1, t0)
		requireField(t, err, "evidence[0].uri")
	})
	t.Run("caps the follow-ups on one finding", func(t *testing.T) {
		_, f := issuedFinding(t)
		var err error
		for i := range audit.MaxFollowUps {
			f, err = f.RecordFollowUp(followUp(audit.AssessmentInProgress), auditor1, t0.Add(time.Duration(i)*time.Hour))
			require.NoError(t, err)
		}
		_, err = f.RecordFollowUp(followUp(audit.AssessmentInProgress), auditor1, t0.Add(days*100))
		require.ErrorIs(t, err, audit.ErrLimit)
		require.ErrorIs(t, err, ccerror.ErrPrecondition)
	})

	responded := func(t *testing.T) (audit.Engagement, audit.Finding) {
		e, f := issuedFinding(t)
		f, err := f.RespondManagement(managementSpec(), buyer1, t0)
		require.NoError(t, err)
		return e, f
	}
	tests := []struct {
		name    string
		prepare func(*testing.T) (audit.Engagement, audit.Finding)
		spec    audit.ClosureSpec
		field   string
		want    error
		from    audit.FindingStatus
	}{
		{"closes as risk accepted after a management response", responded, audit.ClosureSpec{Outcome: audit.OutcomeRiskAccepted, Note: "Management accepts the risk."}, "", nil, ""},
		{"closes as superseded", responded, audit.ClosureSpec{Outcome: audit.OutcomeSuperseded, Note: "See F-9."}, "", nil, ""},
		{"refuses implemented without a follow-up saying so", responded, audit.ClosureSpec{Outcome: audit.OutcomeImplemented, Note: "Trust us."}, "", audit.ErrUnsupportedOutcome, ""},
		{"refuses an unknown outcome", responded, audit.ClosureSpec{Outcome: "fixed", Note: "x"}, "outcome", nil, ""},
		{"refuses a closure without a note", responded, audit.ClosureSpec{Outcome: audit.OutcomeSuperseded}, "note", nil, ""},
		{"refuses risk accepted without a management response", func(t *testing.T) (audit.Engagement, audit.Finding) {
			e, f := issuedFinding(t)
			f, err := f.RecordFollowUp(followUp(audit.AssessmentNotImplemented), auditor1, t0)
			require.NoError(t, err)
			return e, f
		}, audit.ClosureSpec{Outcome: audit.OutcomeRiskAccepted, Note: "Silence."}, "", audit.ErrUnsupportedOutcome, ""},
		{"refuses to close an issued finding before response or follow-up", issuedFinding, audit.ClosureSpec{Outcome: audit.OutcomeSuperseded, Note: "x"}, "", nil, audit.FindingIssued},
		{"refuses to close a draft", raiseFinding, audit.ClosureSpec{Outcome: audit.OutcomeImplemented, Note: "x"}, "", nil, audit.FindingDraft},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e, f := tc.prepare(t)
			gotE, gotF, err := audit.CloseFinding(e, f, tc.spec, auditor1, t0.Add(days))
			switch {
			case tc.field != "":
				requireField(t, err, tc.field)
				require.Equal(t, f, gotF)
				require.Equal(t, e, gotE)
			case tc.want != nil:
				require.ErrorIs(t, err, tc.want)
				require.Equal(t, f, gotF)
				require.Equal(t, e, gotE)
			case tc.from != "":
				requireTransition(t, err, string(tc.from), audit.ActionClose)
			default:
				require.NoError(t, err)
				require.Equal(t, audit.FindingClosed, gotF.Status)
				require.Equal(t, tc.spec.Outcome, gotF.Closure.Outcome)
				require.Equal(t, e.OpenFindings-1, gotE.OpenFindings)
			}
		})
	}
}
