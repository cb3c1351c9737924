package contract_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/govledger/govledger/chaincode/benefits"
	"github.com/govledger/govledger/chaincode/benefits/contract"
	"github.com/govledger/govledger/chaincode/ccerror"
	"github.com/govledger/govledger/chaincode/identity"
)

func TestAppealReopensARefusal(t *testing.T) {
	f := newFixture(t)
	f.setup()
	bob := f.eligiblePerson("CD1")
	f.programme(financeSSA, "housing-support", "housing", monthly)

	// Bob's caseworker forgot the income attestation: refused as undecidable.
	var app benefits.Application
	f.submitWith(caseMUNI, []contract.EvidenceInput{bob.residency}, "SubmitApplication", &app,
		js(t, contract.ApplicationInput{ID: "app-1", ProgrammeID: "housing-support", Subject: bob.subject}))
	require.Equal(t, benefits.ApplicationRejected, app.Status)
	require.Equal(t, "claim incomeBand was not disclosed", app.Decision.Explanation.Children[2].Children[0].Reason)

	appeal := func(id string) string {
		return js(t, contract.AppealInput{ID: id, Application: "app-1", Ground: benefits.GroundEvidenceNotConsidered})
	}
	var a benefits.Appeal
	res := f.submit(caseSSA, "FileAppeal", &a, appeal("appeal-1"))
	require.Equal(t, benefits.AppealFiled, a.Status)
	require.Equal(t, "SSA", a.Agency)
	require.Equal(t, "appeal.filed", parseEvent(t, res).Name())

	t.Run("refuses reassessment before the appeal is upheld", func(t *testing.T) {
		ce := f.failWith(caseMUNI, bob.evidence(), "ReassessApplication", "app-1")
		require.Equal(t, ccerror.FailedPrecondition, ce.Code)
		require.Equal(t, "application-status", ce.Rule)
	})
	t.Run("refuses to uphold before review", func(t *testing.T) {
		ce := f.fail(caseSSA, "UpholdAppeal", "appeal-1")
		require.Equal(t, ccerror.FailedPrecondition, ce.Code)
		require.Equal(t, "appeal-status", ce.Rule)
	})
	t.Run("reviews and upholds, reopening the application", func(t *testing.T) {
		res := f.submit(caseSSA, "ReviewAppeal", &a, "appeal-1")
		require.Equal(t, "appeal.reviewed", parseEvent(t, res).Name())
		res = f.submit(caseSSA, "UpholdAppeal", &a, "appeal-1")
		require.Equal(t, benefits.AppealUpheld, a.Status)
		require.Equal(t, "appeal.upheld", parseEvent(t, res).Name())
		var got benefits.Application
		f.evaluate(auditor, "GetApplication", &got, "app-1")
		require.Equal(t, benefits.ApplicationSubmitted, got.Status)
		require.Len(t, got.PriorDecisions, 1)
	})
	t.Run("lets only the filing agency reassess", func(t *testing.T) {
		ce := f.failWith(caseSSA, bob.evidence(), "ReassessApplication", "app-1")
		require.Equal(t, ccerror.PermissionDenied, ce.Code)
	})
	t.Run("grants on reassessment with the full evidence", func(t *testing.T) {
		var got benefits.Application
		res := f.submitWith(caseMUNI, bob.evidence(), "ReassessApplication", &got, "app-1")
		require.Equal(t, benefits.ApplicationApproved, got.Status)
		require.Equal(t, "entitlement.granted", parseEvent(t, res).Name())
		require.EqualValues(t, 1, got.ProgrammeVersion)
	})
	t.Run("refuses an appeal against an approval", func(t *testing.T) {
		ce := f.fail(caseSSA, "FileAppeal", appeal("appeal-2"))
		require.Equal(t, ccerror.FailedPrecondition, ce.Code)
	})
	t.Run("lists the appeals against an application", func(t *testing.T) {
		var page contract.AppealPage
		f.evaluate(regulator, "ListAppeals", &page, "app-1", "0", "")
		require.Equal(t, 1, page.Count)
		require.Equal(t, "appeal-1", page.Items[0].ID)
		var got benefits.Appeal
		f.evaluate(regulator, "GetAppeal", &got, "appeal-1")
		require.Equal(t, benefits.AppealUpheld, got.Status)
		_, err := f.ben.Evaluate(regulator, "benefits:ListAppeals", "", "0", "")
		require.ErrorIs(t, err, ccerror.ErrInvalidArgument)
	})
}

func TestAppealEndings(t *testing.T) {
	f := newFixture(t)
	f.setup()
	f.programme(financeSSA, "housing-support", "housing", monthly)
	carol := f.eligiblePerson("EF1")
	var app benefits.Application
	f.submitWith(caseSSA, []contract.EvidenceInput{}, "SubmitApplication", &app,
		js(t, contract.ApplicationInput{ID: "app-1", ProgrammeID: "housing-support", Subject: carol.subject}))
	require.Equal(t, benefits.ApplicationRejected, app.Status)
	file := func(id string) {
		f.submit(caseSSA, "FileAppeal", nil, js(t, contract.AppealInput{ID: id, Application: "app-1", Ground: benefits.GroundProceduralError}))
	}

	t.Run("dismisses an appeal and leaves the refusal", func(t *testing.T) {
		file("appeal-1")
		f.submit(caseSSA, "ReviewAppeal", nil, "appeal-1")
		var a benefits.Appeal
		res := f.submit(caseMUNI, "DismissAppeal", &a, "appeal-1")
		require.Equal(t, benefits.AppealDismissed, a.Status)
		require.Equal(t, "MUNI", a.DecidedBy)
		require.Equal(t, "appeal.dismissed", parseEvent(t, res).Name())
		var got benefits.Application
		f.evaluate(caseSSA, "GetApplication", &got, "app-1")
		require.Equal(t, benefits.ApplicationRejected, got.Status)
	})
	t.Run("withdraws a filed appeal", func(t *testing.T) {
		file("appeal-2")
		var a benefits.Appeal
		res := f.submit(caseSSA, "WithdrawAppeal", &a, "appeal-2")
		require.Equal(t, benefits.AppealWithdrawn, a.Status)
		require.Equal(t, "appeal.withdrawn", parseEvent(t, res).Name())
	})
	t.Run("refuses an appeal id already taken", func(t *testing.T) {
		ce := f.fail(caseSSA, "FileAppeal", js(t, contract.AppealInput{ID: "appeal-1", Application: "app-1", Ground: benefits.GroundProceduralError}))
		require.Equal(t, ccerror.AlreadyExists, ce.Code)
	})
	t.Run("refuses an appeal after the window", func(t *testing.T) {
		f.advance(benefits.AppealWindow + day)
		ce := f.fail(caseSSA, "FileAppeal", js(t, contract.AppealInput{ID: "appeal-3", Application: "app-1", Ground: benefits.GroundProceduralError}))
		require.Equal(t, ccerror.FailedPrecondition, ce.Code)
	})
	t.Run("rejects malformed or unknown appeals", func(t *testing.T) {
		ce := f.fail(caseSSA, "FileAppeal", js(t, contract.AppealInput{ID: "appeal-4", Application: "app-1", Ground: "unfair"}))
		require.Equal(t, ccerror.InvalidArgument, ce.Code)
		require.Equal(t, "ground", ce.Field)
		ce = f.fail(caseSSA, "FileAppeal", js(t, contract.AppealInput{ID: "appeal-4", Application: "app-9", Ground: benefits.GroundProceduralError}))
		require.Equal(t, ccerror.NotFound, ce.Code)
		ce = f.fail(caseSSA, "FileAppeal", "")
		require.Equal(t, ccerror.InvalidArgument, ce.Code)
		ce = f.fail(caseSSA, "ReviewAppeal", "appeal-9")
		require.Equal(t, ccerror.NotFound, ce.Code)
	})
}

func TestApplicationErrors(t *testing.T) {
	f := newFixture(t)
	f.setup()
	dan := f.eligiblePerson("GH1")
	f.programme(financeSSA, "housing-support", "housing", monthly)
	input := func(id string) string {
		return js(t, contract.ApplicationInput{ID: id, ProgrammeID: "housing-support", Subject: dan.subject})
	}
	f.apply(caseSSA, "app-1", "housing-support", dan)

	tampered := dan.evidence()
	tampered[1].Disclosures = append([]benefits.Disclosure(nil), tampered[1].Disclosures...)
	tampered[1].Disclosures[0].Value = identity.NumberValue(0)

	cases := []struct {
		name     string
		evidence []contract.EvidenceInput
		input    string
		code     ccerror.Code
		field    string
	}{
		{"refuses an application id already taken", dan.evidence(), input("app-1"), ccerror.AlreadyExists, ""},
		{"requires evidence in the transient map", nil, input("app-2"), ccerror.InvalidArgument, "transient.evidence"},
		{"rejects a disclosure that does not open its commitment", tampered, input("app-2"), ccerror.InvalidArgument, ""},
		{"rejects a malformed attestation id", []contract.EvidenceInput{{Attestation: "a b"}}, input("app-2"), ccerror.InvalidArgument, "transient.evidence[0].attestation"},
		{"reports an unknown attestation", []contract.EvidenceInput{{Attestation: "att-none"}}, input("app-2"), ccerror.NotFound, ""},
		{"rejects too much evidence", make([]contract.EvidenceInput, benefits.MaxEvidence+1), input("app-2"), ccerror.InvalidArgument, "transient.evidence"},
		{"reports an unknown programme", dan.evidence(), js(t, contract.ApplicationInput{ID: "app-2", ProgrammeID: "none", Subject: dan.subject}), ccerror.NotFound, ""},
		{"rejects a malformed subject", dan.evidence(), js(t, contract.ApplicationInput{ID: "app-2", ProgrammeID: "housing-support", Subject: "dan"}), ccerror.InvalidArgument, "subject"},
		{"rejects input that is not JSON", dan.evidence(), "app-2", ccerror.InvalidArgument, "input"},
	}
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			ce := f.failWith(caseSSA, tt.evidence, "SubmitApplication", tt.input)
			require.Equal(t, tt.code, ce.Code, ce.Message)
			if tt.field != "" {
				require.Equal(t, tt.field, ce.Field)
			}
			require.NotContains(t, ce.Message, `"salt"`)
		})
	}
	t.Run("rejects evidence with an unknown field", func(t *testing.T) {
		f.actor = caseSSA
		_, err := f.ben.WithTransient(map[string][]byte{contract.TransientEvidence: []byte(`[{"attestation":"x","extra":1}]`)}).
			Submit(caseSSA, "benefits:SubmitApplication", input("app-2"))
		require.ErrorIs(t, err, ccerror.ErrInvalidArgument)
	})
	t.Run("reports an unknown application", func(t *testing.T) {
		ce := f.failWith(caseSSA, dan.evidence(), "ReassessApplication", "app-9")
		require.Equal(t, ccerror.NotFound, ce.Code)
		_, err := f.ben.Evaluate(auditor, "benefits:ListApplications", "dan", "0", "")
		require.ErrorIs(t, err, ccerror.ErrInvalidArgument)
	})
	t.Run("refuses a caseworker without an agency", func(t *testing.T) {
		ce := f.failWith(noAgencyCase, dan.evidence(), "SubmitApplication", input("app-3"))
		require.Equal(t, ccerror.PermissionDenied, ce.Code)
	})
}
