package contract_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/govledger/govledger/chaincode/audit"
	"github.com/govledger/govledger/chaincode/audit/contract"
	"github.com/govledger/govledger/chaincode/ccerror"
)

func TestResponses(t *testing.T) {
	t.Run("the agency files a response with evidence and the auditor accepts it", func(t *testing.T) {
		f := newFixture(t)
		f.openEngagement()
		f.issueRequest("RFI-1", 10*day)
		var resp audit.Response
		res := f.submit(buyer, "FileResponse", &resp, engID, "RFI-1", responseSpec())
		require.Equal(t, 1, resp.Seq)
		require.False(t, resp.Late)
		require.Equal(t, f.identity(buyer), resp.FiledBy)
		require.Equal(t, "public-services", resp.Evidence[0].LedgerRefs[0].Channel)
		ev := parseEvent(t, res)
		require.Equal(t, "response.filed", ev.Name())
		require.Equal(t, engID+"/RFI-1/1", ev.ID)
		require.NotContains(t, string(ev.Data), "Attached.", "the statement stays out of the event")

		var page contract.ResponsePage
		f.evaluate(manager, "ListResponses", &page, engID, "RFI-1", "0", "")
		require.Equal(t, []audit.Response{resp}, page.Items)

		var r audit.Request
		f.submit(auditor2, "AcceptResponse", &r, engID, "RFI-1")
		require.Equal(t, audit.RequestAccepted, r.Status)
		var e audit.Engagement
		f.evaluate(manager, "GetEngagement", &e, engID)
		require.Zero(t, e.OpenRequests)
	})
	t.Run("a reopened request takes a second response", func(t *testing.T) {
		f := newFixture(t)
		f.openEngagement()
		f.issueRequest("RFI-1", 10*day)
		f.submit(buyer, "FileResponse", nil, engID, "RFI-1", responseSpec())
		var r audit.Request
		f.submit(auditor1, "ReopenRequest", &r, engID, "RFI-1", "Annexes missing.", f.now().Add(5*day).Format(time.RFC3339))
		require.Equal(t, audit.RequestOpen, r.Status)
		var resp audit.Response
		f.submit(buyer, "FileResponse", &resp, engID, "RFI-1", responseSpec())
		require.Equal(t, 2, resp.Seq)
		var page contract.ResponsePage
		f.evaluate(buyer, "ListResponses", &page, engID, "RFI-1", "1", "")
		require.Len(t, page.Items, 1)
		require.NotEmpty(t, page.Bookmark)
		f.evaluate(buyer, "ListResponses", &page, engID, "RFI-1", "1", page.Bookmark)
		require.Equal(t, 2, page.Items[0].Seq)
	})
	t.Run("withdrawing a request settles it", func(t *testing.T) {
		f := newFixture(t)
		f.openEngagement()
		f.issueRequest("RFI-1", 10*day)
		var r audit.Request
		res := f.submit(auditor1, "WithdrawRequest", &r, engID, "RFI-1", "Obtained elsewhere.")
		require.Equal(t, audit.RequestWithdrawn, r.Status)
		require.Equal(t, "request.withdrawn", parseEvent(t, res).Name())
		ce := f.fail(buyer, "FileResponse", engID, "RFI-1", responseSpec())
		require.Equal(t, ccerror.FailedPrecondition, ce.Code)
	})
	tests := []struct {
		name  string
		args  []string
		code  ccerror.Code
		field string
	}{
		{"rejects evidence with a malformed digest", []string{engID, "RFI-1", `{"statement":"x","evidence":[{"description":"d","documentSha256":"abc","uri":"https://x.example/a"}]}`}, ccerror.InvalidArgument, "evidence[0].documentSha256"},
		{"rejects a response without a statement", []string{engID, "RFI-1", `{"evidence":[]}`}, ccerror.InvalidArgument, "statement"},
		{"rejects a response to an unknown request", []string{engID, "RFI-9", responseSpec()}, ccerror.NotFound, ""},
		{"rejects a malformed request ID", []string{engID, "RFI 1", responseSpec()}, ccerror.InvalidArgument, "requestId"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			f.openEngagement()
			f.issueRequest("RFI-1", 10*day)
			ce := f.fail(buyer, "FileResponse", tc.args...)
			require.Equal(t, tc.code, ce.Code, ce.Message)
			require.Equal(t, tc.field, ce.Field)
		})
	}
	t.Run("rejects a request issued with an origin", func(t *testing.T) {
		f := newFixture(t)
		f.openEngagement()
		ce := f.fail(auditor1, "IssueRequest", engID, `{"id":"R","subject":"s","detail":"d","dueAt":"2026-02-01T00:00:00Z","origin":{"entity":"tender","id":"T-1","kind":"singleBid"}}`)
		require.Equal(t, ccerror.InvalidArgument, ce.Code)
		require.Equal(t, "spec", ce.Field)
	})
	t.Run("rejects a malformed due date", func(t *testing.T) {
		f := newFixture(t)
		f.openEngagement()
		f.issueRequest("RFI-1", 10*day)
		ce := f.fail(auditor1, "ExtendRequest", engID, "RFI-1", "More time.", "next week")
		require.Equal(t, "dueAt", ce.Field)
		ce = f.fail(auditor1, "ReopenRequest", engID, "RFI-1", "More.", "soon")
		require.Equal(t, "dueAt", ce.Field)
	})
}

func TestEscalation(t *testing.T) {
	t.Run("an overdue request escalates when a transaction touches it", func(t *testing.T) {
		f := newFixture(t)
		f.openEngagement()
		r := f.issueRequest("RFI-1", 10*day)
		f.net.Ledger.Advance(11 * day)

		var view audit.Request
		f.evaluate(manager, "GetRequest", &view, engID, "RFI-1")
		require.Equal(t, audit.RequestEscalated, view.Status, "queries show the request as of now")

		var resp audit.Response
		res := f.submit(buyer, "FileResponse", &resp, engID, "RFI-1", responseSpec())
		require.True(t, resp.Late)
		var data struct {
			Escalated bool `json:"escalated"`
			Late      bool `json:"late"`
		}
		require.NoError(t, json.Unmarshal(parseEvent(t, res).Data, &data))
		require.True(t, data.Escalated)
		require.True(t, data.Late)

		var stored audit.Request
		f.evaluate(manager, "GetRequest", &stored, engID, "RFI-1")
		require.Equal(t, audit.RequestResponded, stored.Status)
		require.Equal(t, r.DueAt.Add(day), stored.EscalatedAt)
	})
	t.Run("an escalated request returns to open when extended", func(t *testing.T) {
		f := newFixture(t)
		f.openEngagement()
		f.issueRequest("RFI-1", day)
		f.net.Ledger.Advance(2 * day)
		var r audit.Request
		res := f.submit(auditor1, "ExtendRequest", &r, engID, "RFI-1", "Agency asked for time.", f.now().Add(7*day).Format(time.RFC3339))
		require.Equal(t, audit.RequestOpen, r.Status)
		require.True(t, r.EscalatedAt.IsZero())
		require.Contains(t, string(parseEvent(t, res).Data), `"escalated":true`)
		var sweep contract.SweepResult
		f.submit(manager, "SweepDeadlines", &sweep, "10")
		require.Empty(t, sweep.Escalated, "the new due date is in the future")
	})
	t.Run("the sweep escalates overdue requests oldest first in bounded batches", func(t *testing.T) {
		f := newFixture(t)
		f.openEngagement()
		f.issueRequest("RFI-B", 2*day)
		f.issueRequest("RFI-A", 1*day)
		f.issueRequest("RFI-C", 30*day)
		f.net.Ledger.Advance(3 * day)

		var overdue contract.RequestPage
		f.evaluate(regulator, "ListOverdueRequests", &overdue, "0", "")
		require.Equal(t, []string{"RFI-A", "RFI-B"}, ids(overdue.Items))
		require.Empty(t, overdue.Bookmark)
		require.Equal(t, audit.RequestEscalated, overdue.Items[0].Status)

		var sweep contract.SweepResult
		res := f.submit(auditor1, "SweepDeadlines", &sweep, "1")
		require.Equal(t, []contract.RequestRef{{EngagementID: engID, ID: "RFI-A"}}, sweep.Escalated)
		require.True(t, sweep.More)
		require.Equal(t, "deadline.swept", parseEvent(t, res).Name())

		f.submit(auditor1, "SweepDeadlines", &sweep, "1")
		require.Equal(t, []contract.RequestRef{{EngagementID: engID, ID: "RFI-B"}}, sweep.Escalated)
		require.False(t, sweep.More)

		f.submit(auditor1, "SweepDeadlines", &sweep, "100")
		require.Empty(t, sweep.Escalated)

		var escalated contract.RequestPage
		f.evaluate(manager, "ListRequests", &escalated, engID, "escalated", "0", "")
		require.Equal(t, []string{"RFI-A", "RFI-B"}, ids(escalated.Items))
		f.evaluate(regulator, "ListOverdueRequests", &overdue, "1", "")
		require.Equal(t, []string{"RFI-A"}, ids(overdue.Items))
		require.NotEmpty(t, overdue.Bookmark)
		f.evaluate(regulator, "ListOverdueRequests", &overdue, "1", overdue.Bookmark)
		require.Equal(t, []string{"RFI-B"}, ids(overdue.Items))
	})
	t.Run("the sweep limit is bounded", func(t *testing.T) {
		f := newFixture(t)
		for _, limit := range []string{"0", "101"} {
			ce := f.fail(auditor1, "SweepDeadlines", limit)
			require.Equal(t, "limit", ce.Field)
		}
	})
}

func ids(rs []audit.Request) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.ID
	}
	return out
}
