package contract_test

import (
	"testing"

	"github.com/hyperledger/fabric-chaincode-go/v2/shim"
	"github.com/hyperledger/fabric-protos-go-apiv2/peer"
	"github.com/stretchr/testify/require"

	"github.com/govledger/govledger/chaincode/benefits"
	"github.com/govledger/govledger/chaincode/benefits/contract"
	"github.com/govledger/govledger/chaincode/ccerror"
	"github.com/govledger/govledger/chaincode/identity"
	idcontract "github.com/govledger/govledger/chaincode/identity/contract"
)

func TestMisbehavingIdentityChaincode(t *testing.T) {
	tests := []struct {
		name    string
		handler func([][]byte) *peer.Response
	}{
		{"treats an unclassified failure as internal", func([][]byte) *peer.Response { return shim.Error("peer unavailable") }},
		{"treats an answer that is not JSON as internal", func([][]byte) *peer.Response { return shim.Success([]byte("yes")) }},
		{"treats another attestation as internal", func([][]byte) *peer.Response {
			return shim.Success([]byte(`{"attestation":{"id":"other"}}`))
		}},
		{"treats a malformed attestation as internal", func(args [][]byte) *peer.Response {
			return shim.Success([]byte(`{"attestation":{"id":"` + string(args[1]) + `"}}`))
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			f.programme(financeSSA, "housing-support", "housing", monthly)
			f.ben.Ledger.RegisterChaincode("identity", tt.handler)
			ce := f.failWith(caseSSA, []contract.EvidenceInput{{Attestation: "att-1"}}, "SubmitApplication",
				js(t, contract.ApplicationInput{ID: "app-1", ProgrammeID: "housing-support", Subject: subject(t, "AB1")}))
			require.Equal(t, ccerror.Internal, ce.Code, ce.Message)
		})
	}
}

// TestStaleGroupPointer shows that ending an entitlement whose last month has
// passed leaves alone the group pointer of the entitlement granted since.
func TestStaleGroupPointer(t *testing.T) {
	f := newFixture(t)
	f.setup()
	erin := f.eligiblePerson("IJ1")
	f.programme(financeSSA, "housing-support", "housing", monthly)
	f.apply(caseSSA, "app-1", "housing-support", erin)

	f.advance(200 * day) // past the six monthly payments, and past the consents
	for _, kind := range []string{kindResidency, kindIncome} {
		f.consent("c2-"+kind, erin.subject, "SSA", kind)
	}
	app := f.apply(caseSSA, "app-2", "housing-support", erin)
	require.Equal(t, benefits.ApplicationApproved, app.Status, "the first entitlement no longer holds")

	f.submit(caseSSA, "EndEntitlement", nil, "ent-app-1", benefits.ReasonCircumstances)
	raw := f.ben.Ledger.State(mustKey(t, "exclusive", string(erin.subject), "housing"))
	require.Contains(t, string(raw), "ent-app-2")
}

func TestCallersWithoutAgency(t *testing.T) {
	f := newFixture(t)
	tests := []struct {
		fn   string
		args []string
	}{
		{"CloseProgramme", []string{"p"}},
		{"ReviseProgramme", []string{js(t, programmeSpec("p", "", monthly))}},
		{"Disburse", []string{`{"entitlement":"e","period":"once","account":"x"}`}},
	}
	for _, tt := range tests {
		t.Run("refuses finance without an agency to "+tt.fn, func(t *testing.T) {
			ce := f.fail(noAgency, tt.fn, tt.args...)
			require.Equal(t, ccerror.PermissionDenied, ce.Code)
		})
	}
	caseTests := []struct {
		fn   string
		args []string
	}{
		{"EndEntitlement", []string{"e", "review"}},
		{"ReassessApplication", []string{"a"}},
		{"FileAppeal", []string{`{"id":"x","application":"a","ground":"procedural-error"}`}},
		{"ReviewAppeal", []string{"x"}},
	}
	for _, tt := range caseTests {
		t.Run("refuses a caseworker without an agency to "+tt.fn, func(t *testing.T) {
			ce := f.fail(noAgencyCase, tt.fn, tt.args...)
			require.Equal(t, ccerror.PermissionDenied, ce.Code)
		})
	}
}

func TestListingsRejectForgedBookmarks(t *testing.T) {
	f := newFixture(t)
	subj := string(subject(t, "AB1"))
	tests := []struct {
		fn   string
		args []string
	}{
		{"ListApplications", []string{subj, "0", "Zm9v"}},
		{"ListEntitlements", []string{subj, "0", "Zm9v"}},
		{"ListProgrammeVersions", []string{"p", "0", "Zm9v"}},
		{"ListDisbursements", []string{"e", "0", "Zm9v"}},
		{"ListAppeals", []string{"a", "0", "Zm9v"}},
		{"ListApplications", []string{subj, "101", ""}},
	}
	for _, tt := range tests {
		t.Run(tt.fn, func(t *testing.T) {
			_, err := f.ben.Evaluate(auditor, "benefits:"+tt.fn, tt.args...)
			require.ErrorIs(t, err, ccerror.ErrInvalidArgument)
		})
	}
}

func TestAssuranceBelowTheProgrammeMinimum(t *testing.T) {
	f := newFixture(t)
	f.setup()
	s := subject(t, "KL1")
	in := idcontract.AttestInput{
		ID: "res-low", Kind: kindResidency, Subject: s, ValidFrom: f.now().Add(-day), ValidUntil: f.now().AddDate(1, 0, 0),
		Assurance: identity.AssuranceLow, StatusIndex: 900,
	}
	d, err := identity.Commit(identity.ClaimResidency, identity.StringValue("resident"), salt)
	require.NoError(t, err)
	in.Claims = []identity.ClaimCommitment{{Name: identity.ClaimResidency, Digest: d}}
	f.idSubmit(issuer, "Attest", nil, js(t, in))
	f.consent("c-low", s, "SSA", kindResidency)
	f.programme(financeSSA, "housing-support", "housing", monthly)

	var app benefits.Application
	f.submitWith(caseSSA, []contract.EvidenceInput{{Attestation: "res-low", Disclosures: []benefits.Disclosure{
		{Claim: identity.ClaimResidency, Value: identity.StringValue("resident"), Salt: salt},
	}}}, "SubmitApplication", &app, js(t, contract.ApplicationInput{ID: "app-1", ProgrammeID: "housing-support", Subject: s}))
	require.Equal(t, benefits.ApplicationRejected, app.Status)
	require.Equal(t, "claim residency cannot be used: attestation res-low has assurance level low; the programme needs substantial",
		app.Decision.Explanation.Children[0].Reason)
}
