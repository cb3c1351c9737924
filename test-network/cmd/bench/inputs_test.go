package main

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/govledger/govledger/chaincode/audit"
	"github.com/govledger/govledger/chaincode/benefits"
	"github.com/govledger/govledger/chaincode/health"
	"github.com/govledger/govledger/chaincode/identity"
	"github.com/govledger/govledger/chaincode/procurement"
)

// The live network is the real check of these inputs; these tests run them
// through the same domain rules the contracts apply, so a rule change shows
// here before it costs a benchmark run.

var now = time.Date(2026, 3, 6, 9, 0, 0, 0, time.UTC)

func TestProcurementInputs(t *testing.T) {
	cfg := procurement.DefaultConfig()
	tender, err := procurement.NewTender(cfg, tenderDraft("T-run-0-1", now), now)
	require.NoError(t, err)

	t.Run("a tender publishes without red flags", func(t *testing.T) {
		flags, err := procurement.Publish(cfg, tender, now)
		require.NoError(t, err)
		require.Empty(t, flags)
	})
	t.Run("each supplier's sealed bid commits before the deadline", func(t *testing.T) {
		for _, s := range []string{"SUP-A", "SUP-B", "SUP-C"} {
			bid, err := sealedBid(tender.ID, s)
			require.NoError(t, err)
			b, err := procurement.CommitBid(tender, nil, s, bid.Commitment(), now.Add(time.Hour))
			require.NoError(t, err)
			require.Equal(t, procurement.BidCommitted, b.Status)
		}
	})
	t.Run("two bids of one supplier commit to different values", func(t *testing.T) {
		a, err := sealedBid(tender.ID, "SUP-A")
		require.NoError(t, err)
		b, err := sealedBid(tender.ID, "SUP-A")
		require.NoError(t, err)
		require.NotEqual(t, a.Commitment(), b.Commitment())
	})
}

func TestHealthInputs(t *testing.T) {
	t.Run("a case report passes the de-identification gate", func(t *testing.T) {
		raw, err := json.Marshal(caseReport("bench|run|0|1", now))
		require.NoError(t, err)
		r, err := health.DefaultConfig().Gate(raw)
		require.NoError(t, err)
		onset, err := health.ParseWeek("onsetWeek", r.OnsetWeek)
		require.NoError(t, err)
		require.True(t, onset.Before(health.WeekOf(now)), "onset is in the past week")
	})
	t.Run("reports of different operations name different patients", func(t *testing.T) {
		require.NotEqual(t, caseReport("bench|run|0|1", now).PatientKey, caseReport("bench|run|0|2", now).PatientKey)
	})
}

func TestAuditInputs(t *testing.T) {
	by := audit.Identity{MSPID: "AuditOfficeMSP", ID: "x509::CN=auditor1"}
	e, err := audit.OpenEngagement(engagementSpec("ENG-run-0"), by, now)
	require.NoError(t, err)

	raw, err := json.Marshal(requestSpec("REQ-run-0-1", now))
	require.NoError(t, err)
	var spec audit.RequestSpec
	require.NoError(t, json.Unmarshal(raw, &spec))
	t.Run("a request is issued on the engagement", func(t *testing.T) {
		after, r, err := audit.IssueRequest(e, spec, by, now)
		require.NoError(t, err)
		require.Equal(t, 1, after.OpenRequests)

		t.Run("and the agency answers it with evidence", func(t *testing.T) {
			agency := audit.Identity{MSPID: "ProcurementMSP", ID: "x509::CN=buyer1"}
			_, resp, err := audit.FileResponse(r, evidenceResponse(r.ID), agency, now.Add(time.Hour))
			require.NoError(t, err)
			require.Equal(t, 1, resp.Seq)
			require.False(t, resp.Late)
		})
	})
}

func TestBenefitsInputs(t *testing.T) {
	p, err := benefits.NewProgramme(programmeSpec("BP-run-0"), benefitsAgency, now)
	require.NoError(t, err)
	iss, err := identity.Accredit(benefitsAgency, []string{kindResidency, kindIncome}, benefitsAgency, now)
	require.NoError(t, err)
	a, err := newApplicant("run", 3, statusBase("run"), now)
	require.NoError(t, err)

	t.Run("both credentials attest as valid attestations", func(t *testing.T) {
		for _, c := range []credential{a.residency, a.income} {
			_, err := attestation(c)
			require.NoError(t, err)
		}
	})
	t.Run("clients get distinct subjects and status-list indexes", func(t *testing.T) {
		b, err := newApplicant("run", 4, statusBase("run"), now)
		require.NoError(t, err)
		require.NotEqual(t, a.subject, b.subject)
		require.Equal(t, a.income.input.StatusIndex+1, b.residency.input.StatusIndex)
	})
	t.Run("consent to both kinds is valid", func(t *testing.T) {
		for _, kind := range []string{kindResidency, kindIncome} {
			in := a.consent("CON-run-3-"+kind, kind, now)
			_, err := identity.GrantConsent(identity.ConsentSpec{ID: in.ID, Subject: in.Subject, RecordedBy: benefitsAgency,
				Grantee: in.Grantee, Kind: in.Kind, Purpose: in.Purpose, ValidUntil: in.ValidUntil}, now)
			require.NoError(t, err)
		}
	})
	t.Run("the evidence makes the subject eligible", func(t *testing.T) {
		var ev []benefits.Evidence
		for _, c := range []credential{a.residency, a.income} {
			att, err := attestation(c)
			require.NoError(t, err)
			ev = append(ev, benefits.Evidence{Attestation: att, Issuer: iss, Disclosures: c.evidence.Disclosures})
		}
		require.Len(t, a.evidence(), 2)
		got, err := p.Assess(a.subject, ev, now)
		require.NoError(t, err)
		require.True(t, got.Eligible(), "explanation: %+v", got.Explanation)
	})
}

func attestation(c credential) (*identity.Attestation, error) {
	in := c.input
	return identity.NewAttestation(identity.AttestationSpec{ID: in.ID, Kind: in.Kind, Issuer: benefitsAgency, Subject: in.Subject,
		ValidFrom: in.ValidFrom, ValidUntil: in.ValidUntil, Assurance: in.Assurance, StatusIndex: in.StatusIndex, Claims: in.Claims})
}

func TestJSONArg(t *testing.T) {
	t.Run("encodes a value", func(t *testing.T) {
		s, err := jsonArg(map[string]int{"a": 1})
		require.NoError(t, err)
		require.JSONEq(t, `{"a":1}`, s)
	})
	t.Run("fails on a value JSON cannot hold", func(t *testing.T) {
		_, err := jsonArg(make(chan int))
		require.Error(t, err)
	})
}
