package audit_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/govledger/govledger/chaincode/audit"
)

const days = 24 * time.Hour

func TestIssueRequest(t *testing.T) {
	t.Run("addresses the engagement's agency and counts it open", func(t *testing.T) {
		e, r := issueRequest(t)
		require.Equal(t, 1, e.OpenRequests)
		require.Equal(t, audit.RequestOpen, r.Status)
		require.Equal(t, mof, r.Agency)
		require.Equal(t, "ENG-2026-01", r.EngagementID)
		require.Equal(t, t0.Add(10*days), r.DueAt)
		require.Nil(t, r.Origin)
	})
	t.Run("refuses a request once the report is issued", func(t *testing.T) {
		_, _, err := audit.IssueRequest(issuedEngagement(t, openEngagement(t)), requestSpec(), auditor1, t0)
		requireTransition(t, err, "issued", audit.ActionIssueRequest)
	})
	tests := []struct {
		name  string
		edit  func(*audit.RequestSpec)
		field string
	}{
		{"rejects a missing ID", func(s *audit.RequestSpec) { s.ID = "" }, "id"},
		{"rejects a missing subject", func(s *audit.RequestSpec) { s.Subject = "" }, "subject"},
		{"rejects a missing detail", func(s *audit.RequestSpec) { s.Detail = "" }, "detail"},
		{"rejects a missing due date", func(s *audit.RequestSpec) { s.DueAt = time.Time{} }, "dueAt"},
		{"rejects a due date in the past", func(s *audit.RequestSpec) { s.DueAt = t0.Add(-time.Second) }, "dueAt"},
		{"rejects a due date equal to now", func(s *audit.RequestSpec) { s.DueAt = t0 }, "dueAt"},
		{"rejects a due date more than a year ahead", func(s *audit.RequestSpec) { s.DueAt = t0.Add(366 * days) }, "dueAt"},
		{"rejects a malformed origin", func(s *audit.RequestSpec) { s.Origin = &audit.RedFlag{Entity: "tender", Kind: "singleBid"} }, "origin.id"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			spec := requestSpec()
			tc.edit(&spec)
			_, _, err := audit.IssueRequest(openEngagement(t), spec, auditor1, t0)
			requireField(t, err, tc.field)
		})
	}
}

func TestEscalate(t *testing.T) {
	_, open := issueRequest(t)
	responded, _, err := audit.FileResponse(open, responseSpec(), buyer1, t0.Add(days))
	require.NoError(t, err)
	due := open.DueAt
	tests := []struct {
		name      string
		r         audit.Request
		now       time.Time
		escalated bool
		want      audit.RequestStatus
	}{
		{"leaves an open request alone before its due date", open, due.Add(-time.Second), false, audit.RequestOpen},
		{"leaves an open request alone at its due date", open, due, false, audit.RequestOpen},
		{"escalates an open request past its due date", open, due.Add(time.Nanosecond), true, audit.RequestEscalated},
		{"leaves a responded request alone past its due date", responded, due.Add(days), false, audit.RequestResponded},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, changed := audit.Escalate(tc.r, tc.now)
			require.Equal(t, tc.escalated, changed)
			require.Equal(t, tc.want, got.Status)
			if tc.escalated {
				require.Equal(t, tc.now, got.EscalatedAt)
				require.Equal(t, tc.now, got.UpdatedAt)
			} else {
				require.Equal(t, tc.r, got)
			}
		})
	}
	t.Run("does not escalate twice", func(t *testing.T) {
		once, changed := audit.Escalate(open, due.Add(time.Hour))
		require.True(t, changed)
		twice, changed := audit.Escalate(once, due.Add(2*time.Hour))
		require.False(t, changed)
		require.Equal(t, once, twice)
	})
	t.Run("reports overdue requests awaiting a response", func(t *testing.T) {
		require.False(t, open.Overdue(due))
		require.True(t, open.Overdue(due.Add(time.Second)))
		esc, _ := audit.Escalate(open, due.Add(time.Second))
		require.True(t, esc.Overdue(due.Add(time.Second)))
		require.False(t, responded.Overdue(due.Add(time.Second)))
	})
}

func TestFileResponse(t *testing.T) {
	t.Run("records the response with its evidence", func(t *testing.T) {
		_, r := issueRequest(t)
		spec := responseSpec()
		got, resp, err := audit.FileResponse(r, spec, buyer1, t0.Add(days))
		require.NoError(t, err)
		require.Equal(t, audit.RequestResponded, got.Status)
		require.Equal(t, 1, got.Responses)
		require.Equal(t, 1, resp.Seq)
		require.False(t, resp.Late)
		require.Equal(t, spec.Evidence, resp.Evidence)
		require.Equal(t, buyer1, resp.FiledBy)
		spec.Evidence[0].LedgerRefs[0].TxID = "changed"
		require.Equal(t, txID, resp.Evidence[0].LedgerRefs[0].TxID, "the response does not share the caller's slices")
	})
	t.Run("marks a response to an escalated request late", func(t *testing.T) {
		_, r := issueRequest(t)
		r, _ = audit.Escalate(r, r.DueAt.Add(time.Hour))
		got, resp, err := audit.FileResponse(r, responseSpec(), buyer1, r.DueAt.Add(2*time.Hour))
		require.NoError(t, err)
		require.Equal(t, audit.RequestResponded, got.Status)
		require.True(t, resp.Late)
	})
	t.Run("numbers a second response after the request is reopened", func(t *testing.T) {
		_, r := issueRequest(t)
		r, _, err := audit.FileResponse(r, responseSpec(), buyer1, t0.Add(days))
		require.NoError(t, err)
		r, err = r.Reopen("The annexes are missing.", t0.Add(20*days), t0.Add(2*days))
		require.NoError(t, err)
		require.Equal(t, audit.RequestOpen, r.Status)
		require.Equal(t, t0.Add(20*days), r.DueAt)
		require.Equal(t, "The annexes are missing.", r.Note)
		r, resp, err := audit.FileResponse(r, responseSpec(), buyer1, t0.Add(3*days))
		require.NoError(t, err)
		require.Equal(t, 2, resp.Seq)
		require.Equal(t, 2, r.Responses)
	})
	t.Run("refuses a response to a responded request", func(t *testing.T) {
		_, r := issueRequest(t)
		r, _, err := audit.FileResponse(r, responseSpec(), buyer1, t0)
		require.NoError(t, err)
		_, _, err = audit.FileResponse(r, responseSpec(), buyer1, t0)
		requireTransition(t, err, "responded", audit.ActionRespond)
	})
	t.Run("caps the responses to one request", func(t *testing.T) {
		_, r := issueRequest(t)
		var err error
		for i := range audit.MaxResponses {
			if r, _, err = audit.FileResponse(r, responseSpec(), buyer1, t0); err != nil {
				break
			}
			if i < audit.MaxResponses-1 {
				r, err = r.Reopen("More.", r.DueAt.Add(days), t0)
				require.NoError(t, err)
			}
		}
		require.NoError(t, err)
		r, err = r.Reopen("More.", r.DueAt.Add(days), t0)
		require.NoError(t, err)
		_, _, err = audit.FileResponse(r, responseSpec(), buyer1, t0)
		require.ErrorIs(t, err, audit.ErrLimit)
	})
	t.Run("refuses a response without a statement", func(t *testing.T) {
		_, r := issueRequest(t)
		_, _, err := audit.FileResponse(r, audit.ResponseSpec{}, buyer1, t0)
		requireField(t, err, "statement")
	})
	t.Run("accepts a response without evidence", func(t *testing.T) {
		_, r := issueRequest(t)
		_, resp, err := audit.FileResponse(r, audit.ResponseSpec{Statement: "No such records exist."}, buyer1, t0)
		require.NoError(t, err)
		require.Empty(t, resp.Evidence)
	})
}

func TestRequestDeadlines(t *testing.T) {
	t.Run("extends an escalated request back to open", func(t *testing.T) {
		_, r := issueRequest(t)
		r, _ = audit.Escalate(r, r.DueAt.Add(time.Hour))
		now := r.DueAt.Add(2 * time.Hour)
		got, err := r.Extend("Staff shortage at the agency.", now.Add(7*days), now)
		require.NoError(t, err)
		require.Equal(t, audit.RequestOpen, got.Status)
		require.True(t, got.EscalatedAt.IsZero())
		require.Equal(t, now.Add(7*days), got.DueAt)
	})
	t.Run("refuses an extension that does not move the due date later", func(t *testing.T) {
		_, r := issueRequest(t)
		_, err := r.Extend("Shorter.", r.DueAt.Add(-days), t0)
		requireField(t, err, "dueAt")
	})
	t.Run("refuses an extension without a reason", func(t *testing.T) {
		_, r := issueRequest(t)
		_, err := r.Extend("", r.DueAt.Add(days), t0)
		requireField(t, err, "reason")
	})
	t.Run("refuses to extend a responded request", func(t *testing.T) {
		_, r := issueRequest(t)
		r, _, err := audit.FileResponse(r, responseSpec(), buyer1, t0)
		require.NoError(t, err)
		_, err = r.Extend("More time.", r.DueAt.Add(days), t0)
		requireTransition(t, err, "responded", audit.ActionExtend)
	})
	t.Run("refuses to reopen an open request", func(t *testing.T) {
		_, r := issueRequest(t)
		_, err := r.Reopen("More.", r.DueAt.Add(days), t0)
		requireTransition(t, err, "open", audit.ActionReopen)
	})
	t.Run("refuses to reopen with a past due date", func(t *testing.T) {
		_, r := issueRequest(t)
		r, _, err := audit.FileResponse(r, responseSpec(), buyer1, t0.Add(days))
		require.NoError(t, err)
		_, err = r.Reopen("More.", t0, t0.Add(days))
		requireField(t, err, "dueAt")
	})
}

func TestSettleRequest(t *testing.T) {
	t.Run("accepting a response settles the request on the engagement", func(t *testing.T) {
		e, r := issueRequest(t)
		r, _, err := audit.FileResponse(r, responseSpec(), buyer1, t0)
		require.NoError(t, err)
		e, r, err = audit.AcceptResponse(e, r, t0.Add(days))
		require.NoError(t, err)
		require.Equal(t, audit.RequestAccepted, r.Status)
		require.True(t, r.Final())
		require.Zero(t, e.OpenRequests)
		require.Equal(t, t0.Add(days), e.UpdatedAt)
	})
	t.Run("refuses to accept before a response", func(t *testing.T) {
		e, r := issueRequest(t)
		_, _, err := audit.AcceptResponse(e, r, t0)
		requireTransition(t, err, "open", audit.ActionAccept)
	})
	t.Run("withdraws an escalated request", func(t *testing.T) {
		e, r := issueRequest(t)
		r, _ = audit.Escalate(r, r.DueAt.Add(time.Second))
		e, r, err := audit.WithdrawRequest(e, r, "Obtained elsewhere.", r.DueAt.Add(time.Hour))
		require.NoError(t, err)
		require.Equal(t, audit.RequestWithdrawn, r.Status)
		require.Equal(t, "Obtained elsewhere.", r.Note)
		require.Zero(t, e.OpenRequests)
	})
	t.Run("refuses to withdraw without a reason", func(t *testing.T) {
		e, r := issueRequest(t)
		_, _, err := audit.WithdrawRequest(e, r, " ", t0)
		requireField(t, err, "reason")
	})
	t.Run("refuses to withdraw a request twice", func(t *testing.T) {
		e, r := issueRequest(t)
		e, r, err := audit.WithdrawRequest(e, r, "Not needed.", t0)
		require.NoError(t, err)
		_, _, err = audit.WithdrawRequest(e, r, "Not needed.", t0)
		requireTransition(t, err, "withdrawn", audit.ActionWithdraw)
	})
	t.Run("refuses a request of another engagement", func(t *testing.T) {
		_, r := issueRequest(t)
		other := openEngagement(t)
		other.ID = "ENG-OTHER"
		_, _, err := audit.WithdrawRequest(other, r, "Not needed.", t0)
		requireField(t, err, "engagementId")
	})
}
