package contract_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/govledger/govledger/chaincode/benefits"
	"github.com/govledger/govledger/chaincode/benefits/contract"
	"github.com/govledger/govledger/chaincode/ccerror"
)

func TestProgrammes(t *testing.T) {
	f := newFixture(t)

	var p benefits.Programme
	res := f.submit(financeSSA, "CreateProgramme", &p, js(t, programmeSpec("housing-support", "housing", monthly)))
	require.EqualValues(t, 1, p.Version)
	require.Equal(t, "SSA", p.Agency)
	ev := parseEvent(t, res)
	require.Equal(t, "programme.created", ev.Name())

	t.Run("refuses a programme id already taken", func(t *testing.T) {
		ce := f.fail(financeMUN, "CreateProgramme", js(t, programmeSpec("housing-support", "", monthly)))
		require.Equal(t, ccerror.AlreadyExists, ce.Code)
	})
	t.Run("rejects a rule that does not parse, naming the position", func(t *testing.T) {
		spec := programmeSpec("bad-rule", "", monthly)
		spec.Rule = `all(residency == "resident",`
		ce := f.fail(financeSSA, "CreateProgramme", js(t, spec))
		require.Equal(t, ccerror.InvalidArgument, ce.Code)
		require.Equal(t, "rule", ce.Field)
		require.Contains(t, ce.Message, "position 29")
	})
	t.Run("rejects malformed input", func(t *testing.T) {
		ce := f.fail(financeSSA, "CreateProgramme", `{"id":"x","unknown":true}`)
		require.Equal(t, ccerror.InvalidArgument, ce.Code)
		require.Equal(t, "input", ce.Field)
	})
	t.Run("refuses a finance officer without an agency", func(t *testing.T) {
		ce := f.fail(noAgency, "CreateProgramme", js(t, programmeSpec("other", "", monthly)))
		require.Equal(t, ccerror.PermissionDenied, ce.Code)
	})
	t.Run("lets only the owning agency revise", func(t *testing.T) {
		spec := programmeSpec("housing-support", "housing", monthly)
		spec.Benefit.Months = 12
		ce := f.fail(financeMUN, "ReviseProgramme", js(t, spec))
		require.Equal(t, ccerror.PermissionDenied, ce.Code)

		var v2 benefits.Programme
		res := f.submit(financeSSA, "ReviseProgramme", &v2, js(t, spec))
		require.EqualValues(t, 2, v2.Version)
		require.Equal(t, 12, v2.Benefit.Months)
		require.Equal(t, "programme.revised", parseEvent(t, res).Name())
	})
	t.Run("keeps every version readable", func(t *testing.T) {
		var v1, cur benefits.Programme
		f.evaluate(auditor, "GetProgrammeVersion", &v1, "housing-support", "1")
		require.Equal(t, 6, v1.Benefit.Months)
		f.evaluate(issuer, "GetProgramme", &cur, "housing-support")
		require.EqualValues(t, 2, cur.Version)
		var page contract.ProgrammePage
		f.evaluate(regulator, "ListProgrammeVersions", &page, "housing-support", "0", "")
		require.Equal(t, 2, page.Count)
		require.EqualValues(t, 1, page.Items[0].Version)
		f.evaluate(accreditor, "ListProgrammes", &page, "0", "")
		require.Equal(t, 1, page.Count)
		_, err := f.ben.Evaluate(auditor, "benefits:GetProgrammeVersion", "housing-support", "3")
		require.ErrorIs(t, err, ccerror.ErrNotFound)
		_, err = f.ben.Evaluate(auditor, "benefits:ListProgrammeVersions", "", "0", "")
		require.ErrorIs(t, err, ccerror.ErrInvalidArgument)
		_, err = f.ben.Evaluate(auditor, "benefits:ListProgrammes", "0", "Zm9v")
		require.ErrorIs(t, err, ccerror.ErrInvalidArgument)
	})
	t.Run("closes for good and refuses applications after", func(t *testing.T) {
		ce := f.fail(financeMUN, "CloseProgramme", "housing-support")
		require.Equal(t, ccerror.PermissionDenied, ce.Code)
		var closed benefits.Programme
		res := f.submit(financeSSA, "CloseProgramme", &closed, "housing-support")
		require.Equal(t, benefits.ProgrammeClosed, closed.Status)
		require.Equal(t, "programme.closed", parseEvent(t, res).Name())
		ce = f.fail(financeSSA, "CloseProgramme", "housing-support")
		require.Equal(t, ccerror.FailedPrecondition, ce.Code)
		ce = f.fail(financeSSA, "ReviseProgramme", js(t, programmeSpec("housing-support", "housing", monthly)))
		require.Equal(t, ccerror.FailedPrecondition, ce.Code)

		f.setup()
		alice := f.eligiblePerson("AB1")
		ce = f.failWith(caseSSA, alice.evidence(), "SubmitApplication",
			js(t, contract.ApplicationInput{ID: "app-1", ProgrammeID: "housing-support", Subject: alice.subject}))
		require.Equal(t, ccerror.FailedPrecondition, ce.Code)
	})
	t.Run("reports unknown programmes", func(t *testing.T) {
		ce := f.fail(financeSSA, "CloseProgramme", "nothing")
		require.Equal(t, ccerror.NotFound, ce.Code)
		ce = f.fail(financeSSA, "ReviseProgramme", js(t, programmeSpec("nothing", "", monthly)))
		require.Equal(t, ccerror.NotFound, ce.Code)
		ce = f.fail(financeSSA, "ReviseProgramme", "[]")
		require.Equal(t, ccerror.InvalidArgument, ce.Code)
	})
}
