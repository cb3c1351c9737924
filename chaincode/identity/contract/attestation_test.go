package contract_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/govledger/govledger/chaincode/ccerror"
	"github.com/govledger/govledger/chaincode/identity"
	"github.com/govledger/govledger/chaincode/identity/contract"
)

func TestAttest(t *testing.T) {
	f := newFixture(t)
	f.accredit("SSA", kindResidency)
	alice := subject(t, "AB123456")

	var a identity.Attestation
	res := f.submit(issuerSSA, "Attest", &a, js(t, f.attestInput("att-1", alice, 5)))
	require.Equal(t, "SSA", a.Issuer)
	require.Equal(t, kindResidency, a.Kind())
	require.Equal(t, identity.StatusListID("SSA"), a.CredentialStatus.List)
	ev := parseEvent(t, res)
	require.Equal(t, "attestation.issued", ev.Name())
	require.Equal(t, "att-1", ev.ID)
	require.NotContains(t, string(ev.Data), "resident", "events carry no claim values")

	t.Run("refuses a status-list index already taken", func(t *testing.T) {
		ce := f.fail(issuerSSA, "Attest", js(t, f.attestInput("att-2", alice, 5)))
		require.Equal(t, ccerror.AlreadyExists, ce.Code)
	})
	t.Run("refuses an attestation id already taken", func(t *testing.T) {
		ce := f.fail(issuerSSA, "Attest", js(t, f.attestInput("att-1", alice, 6)))
		require.Equal(t, ccerror.AlreadyExists, ce.Code)
	})
	t.Run("refuses a kind the issuer is not accredited for", func(t *testing.T) {
		in := f.attestInput("att-3", alice, 7)
		in.Kind = kindIncome
		ce := f.fail(issuerSSA, "Attest", js(t, in))
		require.Equal(t, ccerror.FailedPrecondition, ce.Code)
	})
	t.Run("refuses an agency that was never accredited", func(t *testing.T) {
		ce := f.fail(issuerMUNI, "Attest", js(t, f.attestInput("att-4", alice, 1)))
		require.Equal(t, ccerror.FailedPrecondition, ce.Code)
		require.Equal(t, "accreditation", ce.Rule)
	})
	t.Run("rejects a malformed attestation naming the field", func(t *testing.T) {
		in := f.attestInput("att-5", alice, 8)
		in.ValidUntil = in.ValidFrom
		ce := f.fail(issuerSSA, "Attest", js(t, in))
		require.Equal(t, ccerror.InvalidArgument, ce.Code)
		require.Equal(t, "validUntil", ce.Field)
		ce = f.fail(issuerSSA, "Attest", `{"id":"att-5","statusListIndex":-1}`)
		require.Equal(t, ccerror.InvalidArgument, ce.Code)
	})
	t.Run("refuses a suspended issuer", func(t *testing.T) {
		f.submit(accreditor, "SuspendIssuer", nil, "SSA", `{"reason":"audit"}`)
		defer f.submit(accreditor, "ReinstateIssuer", nil, "SSA", `{"reason":"audit passed"}`)
		ce := f.fail(issuerSSA, "Attest", js(t, f.attestInput("att-6", alice, 9)))
		require.Equal(t, ccerror.FailedPrecondition, ce.Code)
	})

	t.Run("shows an attestation to its issuer and oversight only", func(t *testing.T) {
		var got identity.Attestation
		f.evaluate(issuerSSA, "GetAttestation", &got, "att-1")
		require.Equal(t, a, got)
		f.evaluate(auditor, "GetAttestation", &got, "att-1")
		f.evaluate(regulator, "GetAttestation", &got, "att-1")
		ce := f.fail(issuerMUNI, "GetAttestation", "att-1")
		require.Equal(t, ccerror.PermissionDenied, ce.Code)
		ce = f.fail(auditor, "GetAttestation", "att-404")
		require.Equal(t, ccerror.NotFound, ce.Code)
	})
	t.Run("lists an issuer's attestations to it and to oversight", func(t *testing.T) {
		f.attest("att-7", subject(t, "CD1"), StatusChunkEdge)
		var page contract.AttestationPage
		f.evaluate(issuerSSA, "ListAttestations", &page, "SSA", "1", "")
		require.Equal(t, 1, page.Count)
		f.evaluate(issuerSSA, "ListAttestations", &page, "SSA", "10", page.Bookmark)
		require.Equal(t, 1, page.Count)
		require.Equal(t, "att-7", page.Items[0].ID)
		f.evaluate(regulator, "ListAttestations", &page, "SSA", "0", "")
		require.Equal(t, 2, page.Count)
		ce := f.fail(issuerMUNI, "ListAttestations", "SSA", "0", "")
		require.Equal(t, ccerror.PermissionDenied, ce.Code)
		ce = f.fail(auditor, "ListAttestations", "ssa", "0", "")
		require.Equal(t, ccerror.InvalidArgument, ce.Code)
	})
}

// StatusChunkEdge is the first index of the second status-list chunk, so
// revocations in both chunks are exercised.
const StatusChunkEdge = identity.StatusChunkBits

func TestRevokeAttestation(t *testing.T) {
	f := newFixture(t)
	f.accredit("SSA", kindResidency)
	f.accredit("MUNI", kindResidency)
	f.attest("att-1", subject(t, "AB1"), 3)
	f.attest("att-2", subject(t, "AB2"), StatusChunkEdge)

	var st contract.AttestationStatus
	f.evaluate(caseMUNI, "GetAttestationStatus", &st, "att-1")
	require.False(t, st.Revoked)

	t.Run("refuses another agency's issuer", func(t *testing.T) {
		ce := f.fail(issuerMUNI, "RevokeAttestation", "att-1")
		require.Equal(t, ccerror.PermissionDenied, ce.Code)
	})
	t.Run("sets the bit in the issuer's status list", func(t *testing.T) {
		res := f.submit(issuerSSA, "RevokeAttestation", &st, "att-1")
		require.True(t, st.Revoked)
		require.Equal(t, "attestation.revoked", parseEvent(t, res).Name())
		f.evaluate(finance, "GetAttestationStatus", &st, "att-1")
		require.True(t, st.Revoked)
		f.evaluate(finance, "GetAttestationStatus", &st, "att-2")
		require.False(t, st.Revoked, "a revocation in one chunk leaves the other alone")
	})
	t.Run("revokes in a second chunk", func(t *testing.T) {
		f.submit(issuerSSA, "RevokeAttestation", &st, "att-2")
		f.evaluate(auditor, "GetAttestationStatus", &st, "att-2")
		require.True(t, st.Revoked)
	})
	t.Run("refuses to revoke twice", func(t *testing.T) {
		ce := f.fail(issuerSSA, "RevokeAttestation", "att-1")
		require.Equal(t, ccerror.FailedPrecondition, ce.Code)
	})
	t.Run("reports an unknown attestation as not found", func(t *testing.T) {
		ce := f.fail(issuerSSA, "RevokeAttestation", "att-404")
		require.Equal(t, ccerror.NotFound, ce.Code)
		_, err := f.net.Evaluate(auditor, "identity:GetAttestationStatus", "att-404")
		require.ErrorIs(t, err, ccerror.ErrNotFound)
	})
}
