package scenario

import (
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/govledger/govledger/chaincode/audit"
	auditcc "github.com/govledger/govledger/chaincode/audit/contract"
	"github.com/govledger/govledger/chaincode/ccerror"
	"github.com/govledger/govledger/chaincode/procurement"
	procurementcc "github.com/govledger/govledger/chaincode/procurement/contract"
)

func init() {
	register(Suite{Name: "audit request from a procurement red flag", Chaincodes: []string{"procurement", "audit"}, Run: auditFromRedFlag})
}

// publicServices is the channel of network/topology.yaml, which evidence
// cites ledger transactions on.
const publicServices = "public-services"

// planDueIn is how long the agency has for the request that goes overdue.
const planDueIn = 8 * time.Second

// auditFromRedFlag follows a red flag from the procurement ledger into an
// audit: the audit office opens an engagement on the buying agency, turns the
// flag into a request (the audit contract checks the flag with procurement),
// the agency answers with evidence, a finding becomes final only with two
// auditors' signatures, a request nobody answered in time escalates, and the
// regulator reads everything but writes nothing.
//
// The one wait is for the overdue request: about 8 s on a live network, run
// concurrently with the rest of the story.
func auditFromRedFlag(t *testing.T, s *Session) {
	var (
		buyer     = User{"ProcurementMSP", "buyer1"}
		auditor1  = User{"AuditOfficeMSP", "auditor1"}
		auditor2  = User{"AuditOfficeMSP", "auditor2"}
		manager   = User{"AuditOfficeMSP", "auditmanager1"}
		regulator = User{"RegulatorMSP", "regulator1"}
	)
	start := s.Ledger.Now()
	tenderID := "RF-" + s.RunID
	engID := "ENG-" + s.RunID
	agency := audit.Agency{MSPID: "ProcurementMSP", Code: "MOF"}

	// The Ministry of Finance allows ten days for bids, a third of the
	// legal minimum: publication raises a shortTenderPeriod red flag.
	d := laptopTender(tenderID, start.Add(10*procurement.Day), start.Add(12*procurement.Day))
	d.Deadlines.EnquiryEnd = start.Add(5 * procurement.Day)
	s.Submit(t, buyer, procurementCall("CreateTender", argJSON(t, d)))
	var tender procurement.Tender
	s.SubmitJSON(t, buyer, procurementCall("PublishTender", tenderID), &tender)
	require.True(t, carriesFlag(tender, procurement.FlagShortTenderPeriod), "red flags: %+v", tender.RedFlags)

	// The audit manager opens an engagement on the agency; an auditor asks
	// at once for its procurement plan, due in seconds.
	var eng audit.Engagement
	s.SubmitJSON(t, manager, auditCall("OpenEngagement", argJSON(t, audit.EngagementSpec{
		ID: engID, Agency: agency, Title: "Procurement compliance",
		Scope: "Tenders published by the Ministry of Finance this year.",
	})), &eng)
	require.Equal(t, audit.EngagementOpen, eng.Status)
	planDue := s.Ledger.Now().Add(planDueIn)
	var plan audit.Request
	s.SubmitJSON(t, auditor2, auditCall("IssueRequest", engID, requestSpec(t, "REQ-plan", planDue)), &plan)
	require.Equal(t, audit.RequestOpen, plan.Status)

	// The red flag becomes a request once the audit office's peer has the
	// tender: the audit contract asks procurement whether the flag is real.
	s.EvaluateUntil(t, auditor1, procurementCall("GetTender", tenderID), resultWhen(func(got procurement.Tender) bool {
		return carriesFlag(got, procurement.FlagShortTenderPeriod)
	}))
	flag := audit.RedFlag{Entity: "tender", ID: tenderID, Kind: string(procurement.FlagShortTenderPeriod)}
	refusals := []struct {
		name  string
		who   User
		call  Call
		code  ccerror.Code
		field string
	}{
		{"rejects a flag the tender does not carry", auditor1,
			auditCall("OpenRequestFromRedFlag", engID, argJSON(t, audit.RedFlag{Entity: "tender", ID: tenderID, Kind: string(procurement.FlagSingleBid)})),
			ccerror.FailedPrecondition, ""},
		{"rejects a tender procurement does not know", auditor1,
			auditCall("OpenRequestFromRedFlag", engID, argJSON(t, audit.RedFlag{Entity: "tender", ID: "NONE-" + s.RunID, Kind: flag.Kind})),
			ccerror.NotFound, ""},
		{"rejects the agency raising the request itself", buyer,
			auditCall("OpenRequestFromRedFlag", engID, argJSON(t, flag)), ccerror.PermissionDenied, ""},
		{"rejects a request due before it is issued", auditor1,
			auditCall("IssueRequest", engID, requestSpec(t, "REQ-past", start.Add(-time.Hour))), ccerror.InvalidArgument, "dueAt"},
	}
	for _, r := range refusals {
		t.Run(r.name, func(t *testing.T) { s.Rejects(t, r.who, r.call, r.code, r.field) })
	}
	var request audit.Request
	s.SubmitJSON(t, auditor1, auditCall("OpenRequestFromRedFlag", engID, argJSON(t, flag)), &request)
	require.Equal(t, audit.RedFlagRequestID(flag), request.ID)
	require.Equal(t, &flag, request.Origin)
	require.Equal(t, agency, request.Agency)
	require.Equal(t, audit.RequestOpen, request.Status)

	// The agency answers with its justification and cites the publication
	// on the ledger; only the agency may answer for itself.
	s.EvaluateUntil(t, buyer, auditCall("GetRequest", engID, request.ID), resultWhen(func(r audit.Request) bool {
		return r.Status == audit.RequestOpen
	}))
	var history procurementcc.HistoryPage
	s.EvaluateJSON(t, buyer, procurementCall("GetTenderHistory", tenderID, "10", ""), &history)
	publication := history.Items[0]
	require.Equal(t, procurement.StatusActive, publication.Tender.Status)
	answer := justification(t, tenderID, publication.TxID)
	s.Rejects(t, auditor1, auditCall("FileResponse", engID, request.ID, answer), ccerror.PermissionDenied, "")
	var response audit.Response
	s.SubmitJSON(t, buyer, auditCall("FileResponse", engID, request.ID, answer), &response)
	require.Equal(t, 1, response.Seq)
	require.False(t, response.Late)
	s.EvaluateUntil(t, auditor1, auditCall("GetRequest", engID, request.ID), resultWhen(func(r audit.Request) bool {
		return r.Status == audit.RequestResponded
	}))
	s.SubmitJSON(t, auditor1, auditCall("AcceptResponse", engID, request.ID), &request)
	require.Equal(t, audit.RequestAccepted, request.Status)

	// A finding on the request is final only with both named auditors'
	// signatures. Their certificate identities come from the ledger: each
	// issued a request.
	findingSpec := audit.FindingSpec{
		ID: "F-1", Title: "Tender period below the legal minimum", Severity: audit.SeverityMedium,
		Criteria:       "Open procedures must allow at least 30 days for bids.",
		Condition:      "Tender " + tenderID + " allowed 10 days.",
		Cause:          "The agency shortened the period for urgency without documenting it.",
		Effect:         "Fewer suppliers could bid; value for money is not shown.",
		Recommendation: "Document urgency before shortening a tender period.",
		Requests:       []string{request.ID},
		Quorum:         audit.Quorum{Required: 2, Signers: []audit.Identity{request.IssuedBy, plan.IssuedBy}},
	}
	var finding audit.Finding
	s.SubmitJSON(t, auditor1, auditCall("RaiseFinding", engID, argJSON(t, findingSpec)), &finding)
	require.Equal(t, audit.FindingDraft, finding.Status)
	s.SubmitJSON(t, auditor1, auditCall("SignFinding", engID, "F-1"), &finding)
	require.Equal(t, audit.FindingDraft, finding.Status, "one signature of two is not final")
	signatures := []struct {
		name string
		who  User
		code ccerror.Code
	}{
		{"rejects a second signature by the same auditor", auditor1, ccerror.FailedPrecondition},
		{"rejects a signer the finding does not name", manager, ccerror.PermissionDenied},
		{"rejects the regulator signing", regulator, ccerror.PermissionDenied},
	}
	for _, sig := range signatures {
		t.Run(sig.name, func(t *testing.T) { s.Rejects(t, sig.who, auditCall("SignFinding", engID, "F-1"), sig.code, "") })
	}
	s.SubmitJSON(t, auditor2, auditCall("SignFinding", engID, "F-1"), &finding)
	require.Equal(t, audit.FindingIssued, finding.Status)
	require.Len(t, finding.SignOff.Signatures, 2)

	// The plan is now overdue: it reads as escalated at once, and the
	// deadline sweep records the escalation.
	s.Await(t, planDue)
	s.EvaluateUntil(t, regulator, auditCall("GetRequest", engID, plan.ID), resultWhen(func(r audit.Request) bool {
		return r.Status == audit.RequestEscalated
	}))
	require.True(t, sweptUntil(t, s, auditor2, engID, plan.ID), "the sweep escalates %s", plan.ID)
	var escalated auditcc.RequestPage
	s.EvaluateJSON(t, auditor2, auditCall("ListRequests", engID, string(audit.RequestEscalated), "10", ""), &escalated)
	require.Equal(t, []string{plan.ID}, requestIDs(escalated))

	// The agency answers late once its peer has the escalation.
	s.EvaluateUntil(t, buyer, auditCall("ListRequests", engID, string(audit.RequestEscalated), "10", ""), resultWhen(func(p auditcc.RequestPage) bool {
		return slices.Equal(requestIDs(p), []string{plan.ID})
	}))
	s.SubmitJSON(t, buyer, auditCall("FileResponse", engID, plan.ID, justification(t, tenderID, publication.TxID)), &response)
	require.True(t, response.Late)

	// The regulator reads the whole engagement and may change none of it.
	s.EvaluateUntil(t, regulator, auditCall("GetFinding", engID, "F-1"), resultWhen(func(f audit.Finding) bool {
		return f.Status == audit.FindingIssued
	}))
	s.EvaluateUntil(t, regulator, auditCall("GetEngagement", engID), resultWhen(func(e audit.Engagement) bool {
		return e.OpenRequests == 1 && e.OpenFindings == 1
	}))
	writes := []struct {
		name string
		call Call
	}{
		{"rejects the regulator issuing a request", auditCall("IssueRequest", engID, requestSpec(t, "REQ-reg", s.Ledger.Now().Add(procurement.Day)))},
		{"rejects the regulator accepting a response", auditCall("AcceptResponse", engID, plan.ID)},
		{"rejects the regulator sweeping deadlines", auditCall("SweepDeadlines", "10")},
		{"rejects the regulator answering for the agency", auditCall("FileResponse", engID, plan.ID, justification(t, tenderID, publication.TxID))},
	}
	for _, w := range writes {
		t.Run(w.name, func(t *testing.T) { s.Rejects(t, regulator, w.call, ccerror.PermissionDenied, "") })
	}
}

// auditCall calls fn of the audit contract.
func auditCall(fn string, args ...string) Call {
	return Call{Chaincode: "audit", Function: "audit:" + fn, Args: args}
}

// requestSpec is an auditor's request for the agency's procurement plan.
func requestSpec(t *testing.T, id string, due time.Time) string {
	t.Helper()
	return argJSON(t, map[string]any{
		"id": id, "subject": "Annual procurement plan",
		"detail": "Provide the approved procurement plan and its amendments.", "dueAt": due,
	})
}

// justification is the agency's answer: a memo, by digest and address, and
// the ledger transaction that published the tender.
func justification(t *testing.T, tenderID, publicationTx string) string {
	t.Helper()
	memo := sha256.Sum256([]byte("urgency memo for " + tenderID))
	return argJSON(t, audit.ResponseSpec{
		Statement: "The period was shortened for urgency; the memo and the publication are attached.",
		Evidence: []audit.Evidence{{
			Description:    "Urgency memo and publication",
			DocumentSHA256: hex.EncodeToString(memo[:]),
			URI:            "https://docs.mof.example/" + tenderID + "/urgency.pdf",
			LedgerRefs:     []audit.TxRef{{Channel: publicServices, Chaincode: "procurement", TxID: publicationTx}},
		}},
	})
}

// maxSweeps bounds sweptUntil: on the live ledger, earlier runs may have
// left overdue requests that the sweep works through first.
const maxSweeps = 10

// sweptUntil runs the deadline sweep as u until it escalates the request
// engagementID/requestID or has nothing more to escalate.
func sweptUntil(t *testing.T, s *Session, u User, engagementID, requestID string) bool {
	t.Helper()
	want := auditcc.RequestRef{EngagementID: engagementID, ID: requestID}
	for range maxSweeps {
		var res auditcc.SweepResult
		s.SubmitJSON(t, u, auditCall("SweepDeadlines", "100"), &res)
		if slices.Contains(res.Escalated, want) {
			return true
		}
		if !res.More {
			return false
		}
	}
	return false
}

func requestIDs(p auditcc.RequestPage) []string {
	ids := make([]string, len(p.Items))
	for i, r := range p.Items {
		ids[i] = r.ID
	}
	return ids
}
