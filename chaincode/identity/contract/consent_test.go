package contract_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/govledger/govledger/chaincode/ccerror"
	"github.com/govledger/govledger/chaincode/identity"
	"github.com/govledger/govledger/chaincode/identity/contract"
	"github.com/govledger/govledger/chaincode/internal/memstub"
)

func TestConsentGovernsAccess(t *testing.T) {
	f := newFixture(t)
	f.accredit("SSA", kindResidency)
	alice := subject(t, "AB123456")
	att := f.attest("att-1", alice, 1)

	t.Run("denies access before any consent", func(t *testing.T) {
		ce := f.fail(caseMUNI, "AccessAttestation", "att-1", purpose)
		require.Equal(t, ccerror.PermissionDenied, ce.Code)
		require.Contains(t, ce.Message, "no consent")
	})

	var c identity.Consent
	res := f.submit(caseSSA, "GrantConsent", &c, js(t, contract.ConsentInput{
		ID: "consent-1", Subject: alice, Grantee: "MUNI", Kind: kindResidency, Purpose: purpose, ValidUntil: f.now().Add(30 * day),
	}))
	require.Equal(t, "SSA", c.RecordedBy)
	ev := parseEvent(t, res)
	require.Equal(t, "consent.granted", ev.Name())
	require.Contains(t, string(ev.Data), `"grantee":"MUNI"`)

	t.Run("grants access to the grantee and records it", func(t *testing.T) {
		var got contract.AttestationAccess
		res := f.submit(caseMUNI, "AccessAttestation", &got, "att-1", purpose)
		require.Equal(t, att, got.Attestation)
		require.False(t, got.Revoked)
		require.Equal(t, identity.IssuerActive, got.Issuer.Status)
		require.Equal(t, identity.AccessRecord{
			ID: res.TxID, ConsentID: "consent-1", Agency: "MUNI", Subject: alice, Kind: kindResidency,
			Purpose: purpose, Attestation: "att-1", At: f.now(),
		}, got.Access)
		ev := parseEvent(t, res)
		require.Equal(t, "access.recorded", ev.Name())
		require.Equal(t, "consent:consent-1", ev.Rule)
	})
	t.Run("denies an agency the consent does not name", func(t *testing.T) {
		ce := f.fail(caseSSA, "AccessAttestation", "att-1", purpose)
		require.Equal(t, ccerror.PermissionDenied, ce.Code)
	})
	t.Run("denies another purpose", func(t *testing.T) {
		ce := f.fail(caseMUNI, "AccessAttestation", "att-1", "marketing")
		require.Equal(t, ccerror.PermissionDenied, ce.Code)
	})
	t.Run("rejects a malformed purpose", func(t *testing.T) {
		ce := f.fail(caseMUNI, "AccessAttestation", "att-1", "Bad Purpose")
		require.Equal(t, ccerror.InvalidArgument, ce.Code)
		require.Equal(t, "purpose", ce.Field)
	})
	t.Run("reports an unknown attestation as not found", func(t *testing.T) {
		ce := f.fail(caseMUNI, "AccessAttestation", "att-404", purpose)
		require.Equal(t, ccerror.NotFound, ce.Code)
	})
	t.Run("refuses a second consent while one is in force", func(t *testing.T) {
		ce := f.fail(caseMUNI, "GrantConsent", js(t, contract.ConsentInput{
			ID: "consent-2", Subject: alice, Grantee: "MUNI", Kind: kindResidency, Purpose: purpose, ValidUntil: f.now().Add(day),
		}))
		require.Equal(t, ccerror.FailedPrecondition, ce.Code)
		require.Equal(t, "consent-in-force", ce.Rule)
	})
	t.Run("rejects malformed consent naming the field", func(t *testing.T) {
		ce := f.fail(caseSSA, "GrantConsent", js(t, contract.ConsentInput{
			ID: "consent-3", Subject: alice, Grantee: "MUNI", Kind: kindResidency, Purpose: purpose, ValidUntil: f.now().Add(-day),
		}))
		require.Equal(t, ccerror.InvalidArgument, ce.Code)
		require.Equal(t, "validUntil", ce.Field)
	})
	t.Run("refuses a caseworker without an agency attribute", func(t *testing.T) {
		ce := f.fail(noAgency, "AccessAttestation", "att-1", purpose)
		require.Equal(t, ccerror.PermissionDenied, ce.Code)
	})

	t.Run("denies later access once consent is revoked", func(t *testing.T) {
		var revoked identity.Consent
		res := f.submit(caseMUNI, "RevokeConsent", &revoked, "consent-1")
		require.NotNil(t, revoked.RevokedAt)
		require.Equal(t, "MUNI", revoked.RevokedBy)
		require.Equal(t, "consent.revoked", parseEvent(t, res).Name())

		ce := f.fail(caseMUNI, "AccessAttestation", "att-1", purpose)
		require.Equal(t, ccerror.PermissionDenied, ce.Code)
		require.Contains(t, ce.Message, "consent revoked")

		ce = f.fail(caseSSA, "RevokeConsent", "consent-1")
		require.Equal(t, ccerror.FailedPrecondition, ce.Code)
		ce = f.fail(caseSSA, "RevokeConsent", "consent-404")
		require.Equal(t, ccerror.NotFound, ce.Code)
	})
	t.Run("lets a new consent replace a revoked one", func(t *testing.T) {
		f.grant(caseSSA, "consent-4", alice, "MUNI", kindResidency, f.now().Add(2*day))
		f.submit(caseMUNI, "AccessAttestation", nil, "att-1", purpose)
	})
	t.Run("denies access once consent has expired", func(t *testing.T) {
		f.net.Ledger.Advance(3 * day)
		ce := f.fail(caseMUNI, "AccessAttestation", "att-1", purpose)
		require.Equal(t, ccerror.PermissionDenied, ce.Code)
		require.Contains(t, ce.Message, "consent expired")
		f.grant(caseSSA, "consent-5", alice, "MUNI", kindResidency, f.now().Add(2*day))
	})
	t.Run("reports a revoked attestation to the accessing agency", func(t *testing.T) {
		f.submit(issuerSSA, "RevokeAttestation", nil, "att-1")
		var got contract.AttestationAccess
		f.submit(caseMUNI, "AccessAttestation", &got, "att-1", purpose)
		require.True(t, got.Revoked)
	})

	t.Run("shows the subject's consents and accesses in order", func(t *testing.T) {
		var consents contract.ConsentPage
		f.evaluate(auditor, "ListConsents", &consents, string(alice), "0", "")
		require.Equal(t, 3, consents.Count)
		var got identity.Consent
		f.evaluate(regulator, "GetConsent", &got, "consent-4")
		require.Equal(t, "consent-4", got.ID)

		var records contract.AccessRecordPage
		f.evaluate(caseSSA, "ListAccessRecords", &records, string(alice), "2", "")
		require.Equal(t, 2, records.Count)
		require.Equal(t, "consent-1", records.Items[0].ConsentID)
		require.Equal(t, "consent-4", records.Items[1].ConsentID)
		f.evaluate(caseSSA, "ListAccessRecords", &records, string(alice), "2", records.Bookmark)
		require.Equal(t, 1, records.Count)
		require.Equal(t, "consent-5", records.Items[0].ConsentID)

		ce := f.fail(auditor, "ListAccessRecords", "alice", "0", "")
		require.Equal(t, ccerror.InvalidArgument, ce.Code)
		ce = f.fail(auditor, "ListConsents", "alice", "0", "")
		require.Equal(t, ccerror.InvalidArgument, ce.Code)
		ce = f.fail(auditor, "GetConsent", "")
		require.Equal(t, ccerror.InvalidArgument, ce.Code)
	})
}

func TestConsentInputErrors(t *testing.T) {
	f := newFixture(t)
	tests := []struct {
		name  string
		by    memstub.Identity
		fn    string
		args  []string
		field string
	}{
		{"rejects a consent that is not JSON", caseSSA, "GrantConsent", []string{"yes"}, "input"},
		{"rejects an unknown consent field", caseSSA, "GrantConsent", []string{`{"id":"c","scope":"all"}`}, "input"},
		{"rejects a malformed consent id on revoke", caseSSA, "RevokeConsent", []string{"-"}, "id"},
		{"rejects a malformed attestation id on access", caseMUNI, "AccessAttestation", []string{"", purpose}, "id"},
		{"rejects a malformed attestation id on revoke", issuerSSA, "RevokeAttestation", []string{"a b"}, "id"},
		{"rejects a malformed attestation id on read", auditor, "GetAttestation", []string{"a b"}, "id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ce := f.fail(tt.by, tt.fn, tt.args...)
			require.Equal(t, ccerror.InvalidArgument, ce.Code)
			require.Equal(t, tt.field, ce.Field)
		})
	}
	t.Run("rejects a forged bookmark", func(t *testing.T) {
		_, err := f.net.Evaluate(auditor, "identity:ListConsents", string(subject(t, "AB1")), "0", "Zm9yZ2Vk")
		require.ErrorIs(t, err, ccerror.ErrInvalidArgument)
		_, err = f.net.Evaluate(auditor, "identity:ListAccessRecords", string(subject(t, "AB1")), "0", "Zm9yZ2Vk")
		require.ErrorIs(t, err, ccerror.ErrInvalidArgument)
		_, err = f.net.Evaluate(auditor, "identity:ListAttestations", "SSA", "0", "Zm9yZ2Vk")
		require.ErrorIs(t, err, ccerror.ErrInvalidArgument)
		_, err = f.net.Evaluate(auditor, "identity:ListIssuers", "0", "Zm9yZ2Vk")
		require.ErrorIs(t, err, ccerror.ErrInvalidArgument)
	})
	t.Run("rejects a malformed attestation id on status", func(t *testing.T) {
		_, err := f.net.Evaluate(auditor, "identity:GetAttestationStatus", "")
		require.ErrorIs(t, err, ccerror.ErrInvalidArgument)
	})
}
