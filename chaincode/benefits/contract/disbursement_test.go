package contract_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/govledger/govledger/chaincode/benefits"
	"github.com/govledger/govledger/chaincode/benefits/contract"
	"github.com/govledger/govledger/chaincode/ccerror"
)

func TestDisburse(t *testing.T) {
	f := newFixture(t)
	f.setup()
	alice := f.eligiblePerson("AB1")
	f.programme(financeSSA, "housing-support", "housing", monthly)
	f.programme(financeSSA, "winter-grant", "", benefits.Benefit{Amount: benefits.Money{Minor: 20000, Currency: "EUR"}, Schedule: benefits.ScheduleOneOff})
	f.apply(caseMUNI, "app-1", "housing-support", alice)
	acct := account(t, "GB82 WEST 1234 5698 7654 32")
	period := f.now().Format("2006-01")
	pay := func(entitlement, period string) string {
		return js(t, contract.DisbursementInput{Entitlement: entitlement, Period: period, Account: acct})
	}

	t.Run("pays a covered month", func(t *testing.T) {
		var d benefits.Disbursement
		res := f.submit(financeSSA, "Disburse", &d, pay("ent-app-1", period))
		require.Equal(t, monthly.Amount, d.Amount)
		require.Equal(t, alice.subject, d.Subject)
		require.Equal(t, res.TxID, d.ID)
		ev := parseEvent(t, res)
		require.Equal(t, "disbursement.paid", ev.Name())
		require.NotContains(t, string(ev.Data), "redFlags")
	})
	t.Run("refuses to pay a month twice", func(t *testing.T) {
		ce := f.fail(financeSSA, "Disburse", pay("ent-app-1", period))
		require.Equal(t, ccerror.AlreadyExists, ce.Code)
	})
	t.Run("refuses a month that has not started", func(t *testing.T) {
		ce := f.fail(financeSSA, "Disburse", pay("ent-app-1", f.now().AddDate(0, 1, 0).Format("2006-01")))
		require.Equal(t, ccerror.FailedPrecondition, ce.Code)
	})
	t.Run("lets only the programme's agency pay", func(t *testing.T) {
		ce := f.fail(financeMUN, "Disburse", pay("ent-app-1", period))
		require.Equal(t, ccerror.PermissionDenied, ce.Code)
	})
	t.Run("refuses to pay a suspended entitlement", func(t *testing.T) {
		f.submit(caseMUNI, "SuspendEntitlement", nil, "ent-app-1", benefits.ReasonReview)
		defer f.submit(caseMUNI, "ResumeEntitlement", nil, "ent-app-1", benefits.ReasonReview)
		f.advance(31 * day)
		ce := f.fail(financeSSA, "Disburse", pay("ent-app-1", f.now().Format("2006-01")))
		require.Equal(t, ccerror.FailedPrecondition, ce.Code)
	})
	t.Run("rejects malformed input naming the field", func(t *testing.T) {
		ce := f.fail(financeSSA, "Disburse", js(t, contract.DisbursementInput{Entitlement: "ent-app-1", Period: "March", Account: acct}))
		require.Equal(t, ccerror.InvalidArgument, ce.Code)
		require.Equal(t, "period", ce.Field)
		ce = f.fail(financeSSA, "Disburse", js(t, contract.DisbursementInput{Entitlement: "ent-app-1", Period: period, Account: "GB82WEST"}))
		require.Equal(t, "account", ce.Field)
		ce = f.fail(financeSSA, "Disburse", "{")
		require.Equal(t, "input", ce.Field)
		ce = f.fail(financeSSA, "Disburse", pay("ent-none", period))
		require.Equal(t, ccerror.NotFound, ce.Code)
	})
	t.Run("lists payments by period", func(t *testing.T) {
		f.submit(financeSSA, "Disburse", nil, pay("ent-app-1", f.now().Format("2006-01")))
		var page contract.DisbursementPage
		f.evaluate(auditor, "ListDisbursements", &page, "ent-app-1", "0", "")
		require.Equal(t, 2, page.Count)
		require.Equal(t, period, page.Items[0].Period)
		_, err := f.ben.Evaluate(auditor, "benefits:ListDisbursements", "", "0", "")
		require.ErrorIs(t, err, ccerror.ErrInvalidArgument)
	})
	t.Run("pays a one-off benefit once, ends it and frees its group", func(t *testing.T) {
		f.apply(caseSSA, "app-2", "winter-grant", alice)
		res := f.submit(financeSSA, "Disburse", nil, pay("ent-app-2", benefits.PeriodOnce))
		require.Contains(t, string(parseEvent(t, res).Data), `"entitlementStatus":"ended"`)
		var e benefits.Entitlement
		f.evaluate(caseSSA, "GetEntitlement", &e, "ent-app-2")
		require.Equal(t, benefits.EntitlementEnded, e.Status)
		require.Equal(t, benefits.ReasonPaid, e.Reason)
		require.Nil(t, f.ben.Ledger.State(mustKey(t, "exclusive", string(alice.subject), "programme:winter-grant")))
		ce := f.fail(financeSSA, "Disburse", pay("ent-app-2", benefits.PeriodOnce))
		require.Equal(t, ccerror.FailedPrecondition, ce.Code)
	})
}

func TestSharedPayoutAccountRaisesAFraudFlag(t *testing.T) {
	cfg := contract.DefaultConfig()
	cfg.MaxSubjectsPerAccount = 2
	f := newFixtureWith(t, cfg)
	f.setup()
	f.programme(financeSSA, "housing-support", "housing", monthly)
	shared := account(t, "GB82WEST12345698765432")
	period := f.now().Format("2006-01")

	people := []string{"AB1", "AB2", "AB3", "AB4"}
	for i, name := range people {
		p := f.eligiblePerson(name)
		app := "app-" + name
		f.apply(caseSSA, app, "housing-support", p)
		res := f.submit(financeSSA, "Disburse", nil, js(t, contract.DisbursementInput{Entitlement: "ent-" + app, Period: period, Account: shared}))
		ev := parseEvent(t, res)
		if i < cfg.MaxSubjectsPerAccount {
			require.NotContains(t, string(ev.Data), "redFlags", "%d subjects is within the limit", i+1)
			continue
		}
		require.Contains(t, string(ev.Data), `"redFlags":[{"account":"`+string(shared)+`","subjects":3,"limit":2}]`)
		require.Equal(t, "shared-payout-account", ev.Rule)
	}

	t.Run("stores the latest flag for review", func(t *testing.T) {
		var rec contract.FraudFlagRecord
		f.evaluate(regulator, "GetFraudFlag", &rec, string(shared))
		require.Equal(t, 3, rec.Subjects, "counting stops at limit+1")
		require.Equal(t, "ent-app-AB4", rec.Entitlement)
		_, err := f.ben.Evaluate(regulator, "benefits:GetFraudFlag", string(account(t, "GB00OTHER000")))
		require.ErrorIs(t, err, ccerror.ErrNotFound)
		_, err = f.ben.Evaluate(regulator, "benefits:GetFraudFlag", "nothex")
		require.ErrorIs(t, err, ccerror.ErrInvalidArgument)
	})
	t.Run("counts a subject paid twice into one account once", func(t *testing.T) {
		solo := account(t, "GB11SOLO0000001")
		payInto := func(entitlement string) string {
			res := f.submit(financeSSA, "Disburse", nil, js(t, contract.DisbursementInput{
				Entitlement: entitlement, Period: f.now().Format("2006-01"), Account: solo,
			}))
			return string(parseEvent(t, res).Data)
		}
		f.advance(31 * day)
		require.NotContains(t, payInto("ent-app-AB1"), "redFlags")
		f.advance(31 * day)
		require.NotContains(t, payInto("ent-app-AB1"), "redFlags")
		require.NotContains(t, payInto("ent-app-AB2"), "redFlags", "AB1 and AB2 are two subjects, within the limit")
		require.Contains(t, payInto("ent-app-AB3"), `"subjects":3`)
	})
}
