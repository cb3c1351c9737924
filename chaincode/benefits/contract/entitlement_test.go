package contract_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/govledger/govledger/chaincode/benefits"
	"github.com/govledger/govledger/chaincode/benefits/contract"
	"github.com/govledger/govledger/chaincode/ccerror"
)

func TestEntitlementLifecycle(t *testing.T) {
	f := newFixture(t)
	f.setup()
	alice := f.eligiblePerson("AB1")
	f.programme(financeSSA, "housing-support", "housing", monthly)
	f.programme(financeSSA, "rent-relief", "housing", monthly)
	f.apply(caseSSA, "app-1", "housing-support", alice)

	steps := []struct {
		name   string
		fn     string
		status benefits.EntitlementStatus
		event  string
	}{
		{"suspends the entitlement", "SuspendEntitlement", benefits.EntitlementSuspended, "entitlement.suspended"},
		{"resumes the entitlement", "ResumeEntitlement", benefits.EntitlementActive, "entitlement.resumed"},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			var e benefits.Entitlement
			res := f.submit(caseSSA, st.fn, &e, "ent-app-1", benefits.ReasonReview)
			require.Equal(t, st.status, e.Status)
			ev := parseEvent(t, res)
			require.Equal(t, st.event, ev.Name())
			require.Contains(t, string(ev.Data), string(alice.subject))
		})
	}
	t.Run("lets only the filing agency change it", func(t *testing.T) {
		ce := f.fail(caseMUNI, "SuspendEntitlement", "ent-app-1", benefits.ReasonReview)
		require.Equal(t, ccerror.PermissionDenied, ce.Code)
	})
	t.Run("rejects a reason outside the codes", func(t *testing.T) {
		ce := f.fail(caseSSA, "SuspendEntitlement", "ent-app-1", "she moved")
		require.Equal(t, ccerror.InvalidArgument, ce.Code)
		require.Equal(t, "reason", ce.Field)
	})
	t.Run("refuses an action the status does not allow", func(t *testing.T) {
		ce := f.fail(caseSSA, "ResumeEntitlement", "ent-app-1", benefits.ReasonReview)
		require.Equal(t, ccerror.FailedPrecondition, ce.Code)
		require.Equal(t, "entitlement-status", ce.Rule)
	})
	t.Run("reports an unknown entitlement", func(t *testing.T) {
		ce := f.fail(caseSSA, "EndEntitlement", "ent-none", benefits.ReasonReview)
		require.Equal(t, ccerror.NotFound, ce.Code)
	})
	t.Run("frees the exclusivity group once ended", func(t *testing.T) {
		var e benefits.Entitlement
		res := f.submit(caseSSA, "EndEntitlement", &e, "ent-app-1", benefits.ReasonCircumstances)
		require.Equal(t, benefits.EntitlementEnded, e.Status)
		require.Equal(t, "entitlement.ended", parseEvent(t, res).Name())
		require.Nil(t, f.ben.Ledger.State(mustKey(t, "exclusive", string(alice.subject), "housing")))

		app := f.apply(caseMUNI, "app-2", "rent-relief", alice)
		require.Equal(t, benefits.ApplicationApproved, app.Status, "another agency may now grant a housing benefit")
	})
	t.Run("lists the subject's entitlements", func(t *testing.T) {
		var page contract.EntitlementPage
		f.evaluate(auditor, "ListEntitlements", &page, string(alice.subject), "1", "")
		require.Equal(t, 1, page.Count)
		require.Equal(t, "ent-app-1", page.Items[0].ID)
		f.evaluate(auditor, "ListEntitlements", &page, string(alice.subject), "1", page.Bookmark)
		require.Equal(t, "ent-app-2", page.Items[0].ID)
		_, err := f.ben.Evaluate(auditor, "benefits:ListEntitlements", "bob", "0", "")
		require.ErrorIs(t, err, ccerror.ErrInvalidArgument)
	})
}
