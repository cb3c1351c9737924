package contract_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/govledger/govledger/chaincode/benefits"
	"github.com/govledger/govledger/chaincode/benefits/contract"
	"github.com/govledger/govledger/chaincode/ccerror"
	idcontract "github.com/govledger/govledger/chaincode/identity/contract"
)

// TestBenefitsJourney follows one subject from accreditation of the issuer
// to a refusal caused by a revoked attestation.
func TestBenefitsJourney(t *testing.T) {
	f := newFixture(t)
	f.setup()
	alice := f.eligiblePerson("AB123456")
	f.programme(financeSSA, "housing-support", "housing", monthly)
	f.programme(financeSSA, "rent-relief", "housing", monthly)
	f.programme(financeSSA, "winter-grant", "", benefits.Benefit{Amount: benefits.Money{Minor: 20000, Currency: "EUR"}, Schedule: benefits.ScheduleOneOff})

	var granted benefits.Application
	t.Run("grants an eligible applicant and explains why", func(t *testing.T) {
		res := f.submitWith(caseSSA, alice.evidence(), "SubmitApplication", &granted,
			js(t, contract.ApplicationInput{ID: "app-1", ProgrammeID: "housing-support", Subject: alice.subject}))
		require.Equal(t, benefits.ApplicationApproved, granted.Status)
		d := granted.Decision
		require.Equal(t, "ent-app-1", d.Entitlement)
		require.Equal(t, benefits.OutcomePass, d.Explanation.Outcome)
		require.Equal(t, "all 3 conditions hold", d.Explanation.Reason)
		require.Equal(t, "incomeBand <= 2", d.Explanation.Children[2].Children[0].Condition)
		require.Equal(t, benefits.OutcomePass, d.Explanation.Children[2].Children[0].Outcome)
		require.Equal(t, benefits.OutcomeFail, d.Explanation.Children[2].Children[1].Outcome, "employed, so not(employed) fails")
		require.Len(t, d.Evidence, 2)

		ev := parseEvent(t, res)
		require.Equal(t, "entitlement.granted", ev.Name())
		require.Equal(t, "ent-app-1", ev.ID)
		require.Contains(t, string(ev.Data), string(alice.subject))

		var e benefits.Entitlement
		f.evaluate(auditor, "GetEntitlement", &e, "ent-app-1")
		require.Equal(t, benefits.EntitlementActive, e.Status)
		require.Equal(t, "housing", e.Group)
		require.Equal(t, "SSA", e.Agency)
	})
	t.Run("keeps disclosed values and salts off the ledger", func(t *testing.T) {
		raw := f.ben.Ledger.State(mustKey(t, "application", "app-1"))
		require.NotEmpty(t, raw)
		require.NotContains(t, string(raw), `"salt"`)
		require.NotContains(t, string(raw), `"value"`)
	})
	t.Run("recorded each attestation access on the identity ledger", func(t *testing.T) {
		var page idcontract.AccessRecordPage
		res, err := f.id.Evaluate(auditor, "identity:ListAccessRecords", string(alice.subject), "0", "")
		require.NoError(t, err)
		require.NoError(t, res.JSON(&page))
		require.Equal(t, 2, page.Count)
		require.Equal(t, "SSA", page.Items[0].Agency)
	})
	t.Run("refuses a second agency's application in the same group", func(t *testing.T) {
		var app benefits.Application
		res := f.submitWith(caseMUNI, alice.evidence(), "SubmitApplication", &app,
			js(t, contract.ApplicationInput{ID: "app-2", ProgrammeID: "rent-relief", Subject: alice.subject}))
		require.Equal(t, benefits.ApplicationRejected, app.Status)
		require.Equal(t, benefits.RefusalDuplicate, app.Decision.Refusal)
		require.Equal(t, "ent-app-1", app.Decision.BlockedBy)
		require.Equal(t, benefits.OutcomePass, app.Decision.Explanation.Outcome, "eligible, but already holds a housing benefit")
		ev := parseEvent(t, res)
		require.Equal(t, "application.rejected", ev.Name())
		require.Contains(t, string(ev.Data), `"refusal":"duplicate-benefit"`)
	})
	t.Run("denies access once the subject revokes consent", func(t *testing.T) {
		f.idSubmit(caseSSA, "RevokeConsent", nil, "c-res-MUNI-AB123456")
		ce := f.failWith(caseMUNI, alice.evidence(), "SubmitApplication",
			js(t, contract.ApplicationInput{ID: "app-3", ProgrammeID: "winter-grant", Subject: alice.subject}))
		require.Equal(t, ccerror.PermissionDenied, ce.Code)
		require.Contains(t, ce.Message, "consent revoked")
		_, err := f.id.Submit(caseMUNI, "identity:AccessAttestation", "res-AB123456", purpose)
		require.ErrorIs(t, err, ccerror.ErrPermissionDenied)
	})
	t.Run("finds the subject ineligible once an attestation is revoked", func(t *testing.T) {
		f.idSubmit(issuer, "RevokeAttestation", nil, "res-AB123456")
		var app benefits.Application
		f.submitWith(caseSSA, alice.evidence(), "SubmitApplication", &app,
			js(t, contract.ApplicationInput{ID: "app-4", ProgrammeID: "winter-grant", Subject: alice.subject}))
		require.Equal(t, benefits.ApplicationRejected, app.Status)
		require.Equal(t, benefits.RefusalIneligible, app.Decision.Refusal)
		x := app.Decision.Explanation
		require.Equal(t, benefits.OutcomeUnknown, x.Outcome)
		require.Equal(t, "claim residency cannot be used: attestation res-AB123456 is revoked", x.Children[0].Reason)
		require.False(t, app.Decision.Evidence[0].Usable)
	})
	t.Run("lists the subject's applications for oversight", func(t *testing.T) {
		var page contract.ApplicationPage
		f.evaluate(regulator, "ListApplications", &page, string(alice.subject), "0", "")
		require.Equal(t, 3, page.Count)
		ids := []string{page.Items[0].ID, page.Items[1].ID, page.Items[2].ID}
		require.Equal(t, []string{"app-1", "app-2", "app-4"}, ids)
	})
}
