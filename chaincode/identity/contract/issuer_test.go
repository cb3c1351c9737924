package contract_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/govledger/govledger/chaincode/ccerror"
	"github.com/govledger/govledger/chaincode/identity"
	"github.com/govledger/govledger/chaincode/identity/contract"
)

func TestIssuerLifecycle(t *testing.T) {
	f := newFixture(t)

	var iss identity.Issuer
	res := f.submit(accreditor, "AccreditIssuer", &iss, js(t, contract.AccreditInput{Agency: "SSA", Kinds: []string{kindResidency, kindIncome}}))
	require.Equal(t, identity.IssuerActive, iss.Status)
	require.Equal(t, []string{kindIncome, kindResidency}, iss.Kinds)
	ev := parseEvent(t, res)
	require.Equal(t, "issuer.accredited", ev.Name())
	require.Equal(t, "SSA", ev.ID)
	require.Equal(t, "SSA", ev.Actor.Agency)

	t.Run("refuses a second accreditation of the same agency", func(t *testing.T) {
		ce := f.fail(accreditor, "AccreditIssuer", js(t, contract.AccreditInput{Agency: "SSA", Kinds: []string{kindIncome}}))
		require.Equal(t, ccerror.AlreadyExists, ce.Code)
	})
	t.Run("rejects malformed input naming the field", func(t *testing.T) {
		ce := f.fail(accreditor, "AccreditIssuer", js(t, contract.AccreditInput{Agency: "muni", Kinds: []string{kindIncome}}))
		require.Equal(t, ccerror.InvalidArgument, ce.Code)
		require.Equal(t, "agency", ce.Field)
		ce = f.fail(accreditor, "AccreditIssuer", `{"agency":"MUNI","kinds":["X"],"extra":1}`)
		require.Equal(t, ccerror.InvalidArgument, ce.Code)
	})

	steps := []struct {
		name   string
		fn     string
		input  contract.IssuerChange
		status identity.IssuerStatus
		event  string
	}{
		{"amends the accredited kinds", "AmendIssuer", contract.IssuerChange{Kinds: []string{kindResidency}, Reason: "scope review"}, identity.IssuerActive, "issuer.amended"},
		{"suspends the issuer", "SuspendIssuer", contract.IssuerChange{Reason: "audit pending"}, identity.IssuerSuspended, "issuer.suspended"},
		{"reinstates the issuer", "ReinstateIssuer", contract.IssuerChange{Reason: "audit passed"}, identity.IssuerActive, "issuer.reinstated"},
		{"revokes the issuer", "RevokeIssuer", contract.IssuerChange{Reason: "fraud"}, identity.IssuerRevoked, "issuer.revoked"},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			var got identity.Issuer
			res := f.submit(accreditor, st.fn, &got, "SSA", js(t, st.input))
			require.Equal(t, st.status, got.Status)
			require.Equal(t, st.input.Reason, got.Reason)
			require.Equal(t, st.event, parseEvent(t, res).Name())
		})
	}
	t.Run("refuses to reinstate a revoked issuer", func(t *testing.T) {
		ce := f.fail(accreditor, "ReinstateIssuer", "SSA", `{"reason":"appeal"}`)
		require.Equal(t, ccerror.FailedPrecondition, ce.Code)
		require.Equal(t, "issuer-status", ce.Rule)
	})
	t.Run("reports an unknown issuer as not found", func(t *testing.T) {
		ce := f.fail(accreditor, "SuspendIssuer", "MUNI", `{"reason":"x"}`)
		require.Equal(t, ccerror.NotFound, ce.Code)
	})
	t.Run("refuses an accreditor without an agency attribute", func(t *testing.T) {
		f2 := newFixture(t)
		ce := f2.fail(noAgencyAccreditor, "AccreditIssuer", js(t, contract.AccreditInput{Agency: "SSA", Kinds: []string{kindIncome}}))
		require.Equal(t, ccerror.PermissionDenied, ce.Code)
	})
	t.Run("lets oversight read the registry page by page", func(t *testing.T) {
		f.accredit("MUNI", kindIncome)
		f.accredit("CITY", kindIncome)
		var page contract.IssuerPage
		f.evaluate(regulator, "ListIssuers", &page, "2", "")
		require.Equal(t, 2, page.Count)
		require.Equal(t, "CITY", page.Items[0].Agency)
		require.NotEmpty(t, page.Bookmark)
		f.evaluate(auditor, "ListIssuers", &page, "2", page.Bookmark)
		require.Equal(t, 1, page.Count)
		require.Equal(t, "SSA", page.Items[0].Agency)
		require.Empty(t, page.Bookmark)

		var got identity.Issuer
		f.evaluate(regulator, "GetIssuer", &got, "MUNI")
		require.Equal(t, []string{kindIncome}, got.Kinds)
	})
	t.Run("rejects an oversized page", func(t *testing.T) {
		_, err := f.net.Evaluate(auditor, "identity:ListIssuers", "1000", "")
		ce, ok := ccerror.Parse(err.Error())
		require.True(t, ok)
		require.Equal(t, ccerror.InvalidArgument, ce.Code)
	})
}

func TestIssuerInputErrors(t *testing.T) {
	f := newFixture(t)
	f.accredit("SSA", kindResidency)
	tests := []struct {
		name  string
		fn    string
		args  []string
		code  ccerror.Code
		field string
	}{
		{"rejects a change that is not JSON", "SuspendIssuer", []string{"SSA", "reason"}, ccerror.InvalidArgument, "input"},
		{"rejects a malformed agency in a change", "SuspendIssuer", []string{"ssa", `{"reason":"x"}`}, ccerror.InvalidArgument, "agency"},
		{"rejects a reason with control characters", "SuspendIssuer", []string{"SSA", `{"reason":"a\nb"}`}, ccerror.InvalidArgument, "reason"},
		{"rejects an amendment without kinds", "AmendIssuer", []string{"SSA", `{"reason":"x"}`}, ccerror.InvalidArgument, "kinds"},
		{"rejects an accreditation that is not JSON", "AccreditIssuer", []string{"[]"}, ccerror.InvalidArgument, "input"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ce := f.fail(accreditor, tt.fn, tt.args...)
			require.Equal(t, tt.code, ce.Code)
			require.Equal(t, tt.field, ce.Field)
		})
	}
	t.Run("rejects a malformed agency on read", func(t *testing.T) {
		_, err := f.net.Evaluate(auditor, "identity:GetIssuer", "ssa")
		require.ErrorIs(t, err, ccerror.ErrInvalidArgument)
	})
}
