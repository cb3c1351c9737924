package identity

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

var testSubject = Subject(SubjectPrefix + strings.Repeat("1f", 32))

func mustCommit(t *testing.T, claim string, v Value) ClaimCommitment {
	t.Helper()
	c, err := Commit(claim, v, testSalt)
	require.NoError(t, err)
	return ClaimCommitment{Name: claim, Digest: c}
}

func validSpec(t *testing.T) AttestationSpec {
	return AttestationSpec{
		ID: "att-1", Kind: "ResidencyCredential", Issuer: "SSA", Subject: testSubject,
		ValidFrom: t0, ValidUntil: t0.AddDate(1, 0, 0), Assurance: AssuranceSubstantial,
		StatusIndex: 42,
		Claims: []ClaimCommitment{
			mustCommit(t, ClaimResidency, StringValue("resident")),
			mustCommit(t, ClaimAgeOver18, BoolValue(true)),
		},
	}
}

func TestNewAttestation(t *testing.T) {
	t.Run("builds a W3C-shaped credential with sorted claims", func(t *testing.T) {
		a, err := NewAttestation(validSpec(t))
		require.NoError(t, err)
		require.Equal(t, "ResidencyCredential", a.Kind())
		require.Equal(t, ClaimAgeOver18, a.Subject.Claims[0].Name)

		raw, err := json.Marshal(a)
		require.NoError(t, err)
		var doc map[string]any
		require.NoError(t, json.Unmarshal(raw, &doc))
		require.Equal(t, []any{CredentialsContext}, doc["@context"])
		require.Equal(t, []any{CredentialType, "ResidencyCredential"}, doc["type"])
		status, ok := doc["credentialStatus"].(map[string]any)
		require.True(t, ok, "credentialStatus is an object: %v", doc["credentialStatus"])
		require.Equal(t, StatusEntryType, status["type"])
		require.Equal(t, "urn:govledger:status:SSA", status["statusListCredential"])
		require.EqualValues(t, 42, status["statusListIndex"])
		credentialSubject, ok := doc["credentialSubject"].(map[string]any)
		require.True(t, ok, "credentialSubject is an object: %v", doc["credentialSubject"])
		require.Equal(t, string(testSubject), credentialSubject["id"])

		var back Attestation
		require.NoError(t, json.Unmarshal(raw, &back))
		require.NoError(t, back.Validate())
		require.Equal(t, *a, back)
	})

	rejects := []struct {
		name  string
		edit  func(*AttestationSpec)
		field string
	}{
		{"rejects a malformed id", func(s *AttestationSpec) { s.ID = "" }, "id"},
		{"rejects a malformed kind", func(s *AttestationSpec) { s.Kind = "residency" }, "type[1]"},
		{"rejects a malformed issuer", func(s *AttestationSpec) { s.Issuer = "x" }, "issuer"},
		{"rejects a missing validFrom", func(s *AttestationSpec) { s.ValidFrom = time.Time{} }, "validFrom"},
		{"rejects validUntil before validFrom", func(s *AttestationSpec) { s.ValidUntil = s.ValidFrom }, "validUntil"},
		{"rejects a validity over ten years", func(s *AttestationSpec) { s.ValidUntil = s.ValidFrom.AddDate(11, 0, 0) }, "validUntil"},
		{"rejects an unknown assurance level", func(s *AttestationSpec) { s.Assurance = "medium" }, "assuranceLevel"},
		{"rejects a malformed subject", func(s *AttestationSpec) { s.Subject = "alice" }, "credentialSubject.id"},
		{"rejects no claims", func(s *AttestationSpec) { s.Claims = nil }, "credentialSubject.claimCommitments"},
		{"rejects a duplicate claim", func(s *AttestationSpec) { s.Claims = append(s.Claims, s.Claims[0]) }, "credentialSubject.claimCommitments[2].name"},
		{"rejects a malformed claim name", func(s *AttestationSpec) { s.Claims[0].Name = "Residency" }, "credentialSubject.claimCommitments[0].name"},
		{"rejects a malformed digest", func(s *AttestationSpec) { s.Claims[0].Digest = "beef" }, "credentialSubject.claimCommitments[1].digest"},
	}
	for _, tt := range rejects {
		t.Run(tt.name, func(t *testing.T) {
			spec := validSpec(t)
			tt.edit(&spec)
			_, err := NewAttestation(spec)
			var fe *FieldError
			require.ErrorAs(t, err, &fe)
			require.Equal(t, tt.field, fe.Field)
		})
	}
}

func TestAttestationValidateRejectsTamperedVocabulary(t *testing.T) {
	tests := []struct {
		name  string
		edit  func(*Attestation)
		field string
	}{
		{"rejects another context", func(a *Attestation) { a.Context = []string{"https://example.org"} }, "@context"},
		{"rejects a type without VerifiableCredential", func(a *Attestation) { a.Type = []string{"ResidencyCredential"} }, "type"},
		{"rejects another status purpose", func(a *Attestation) { a.CredentialStatus.Purpose = "suspension" }, "credentialStatus"},
		{"rejects another issuer's status list", func(a *Attestation) { a.CredentialStatus.List = StatusListID("MUNI") }, "credentialStatus"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := NewAttestation(validSpec(t))
			require.NoError(t, err)
			tt.edit(a)
			var fe *FieldError
			require.ErrorAs(t, a.Validate(), &fe)
			require.Equal(t, tt.field, fe.Field)
		})
	}
	t.Run("reports no kind for a malformed type", func(t *testing.T) {
		require.Empty(t, (&Attestation{Type: []string{CredentialType}}).Kind())
	})
}

func TestAttestationUsable(t *testing.T) {
	a, err := NewAttestation(validSpec(t))
	require.NoError(t, err)
	active, err := Accredit("SSA", []string{"ResidencyCredential"}, "ACC", t0)
	require.NoError(t, err)
	revokedIssuer := *active
	revokedIssuer.Status = IssuerRevoked
	otherKinds, err := Accredit("SSA", []string{"AgeCredential"}, "ACC", t0)
	require.NoError(t, err)
	otherAgency, err := Accredit("MUNI", []string{"ResidencyCredential"}, "ACC", t0)
	require.NoError(t, err)

	tests := []struct {
		name    string
		at      time.Time
		revoked bool
		issuer  *Issuer
		want    error
	}{
		{"is usable inside its validity window", t0.Add(time.Hour), false, active, nil},
		{"is usable from the first instant of validFrom", t0, false, active, nil},
		{"is not yet valid before validFrom", t0.Add(-time.Second), false, active, ErrNotYetValid},
		{"is expired at validUntil", a.ValidUntil, false, active, ErrExpired},
		{"is unusable once revoked", t0.Add(time.Hour), true, active, ErrRevoked},
		{"is unusable when the issuer lost accreditation", t0.Add(time.Hour), false, &revokedIssuer, ErrNotAccredited},
		{"is unusable when the issuer is no longer accredited for the kind", t0.Add(time.Hour), false, otherKinds, ErrNotAccredited},
		{"is unusable when vouched for by another agency", t0.Add(time.Hour), false, otherAgency, ErrNotAccredited},
		{"is unusable without an issuer record", t0.Add(time.Hour), false, nil, ErrNotAccredited},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := a.Usable(tt.at, tt.revoked, tt.issuer)
			if tt.want == nil {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, tt.want)
			require.ErrorContains(t, err, "att-1")
		})
	}
}

func TestVerifyDisclosure(t *testing.T) {
	a, err := NewAttestation(validSpec(t))
	require.NoError(t, err)
	tests := []struct {
		name  string
		claim string
		value Value
		salt  []byte
		want  error
	}{
		{"accepts the committed value and salt", ClaimResidency, StringValue("resident"), testSalt, nil},
		{"accepts a committed boolean", ClaimAgeOver18, BoolValue(true), testSalt, nil},
		{"rejects another value", ClaimResidency, StringValue("non-resident"), testSalt, ErrDisclosureMismatch},
		{"rejects another salt", ClaimResidency, StringValue("resident"), bytes.Repeat([]byte{9}, MinSaltLen), ErrDisclosureMismatch},
		{"rejects the same text as another kind", ClaimAgeOver18, StringValue("true"), testSalt, ErrInvalid},
		{"rejects a claim the attestation does not commit", ClaimIncomeBand, NumberValue(1), testSalt, ErrNotCommitted},
		{"rejects a malformed salt", ClaimResidency, StringValue("resident"), nil, ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := VerifyDisclosure(a, tt.claim, tt.value, tt.salt)
			if tt.want == nil {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, tt.want)
			var de *DisclosureError
			require.ErrorAs(t, err, &de)
			require.Equal(t, tt.claim, de.Claim)
			require.Equal(t, "att-1", de.Attestation)
			require.NotContains(t, err.Error(), "resident\"", "errors must not echo disclosed values")
		})
	}
	t.Run("error unwraps to its cause", func(t *testing.T) {
		err := &DisclosureError{Attestation: "a", Claim: "c", Err: ErrNotCommitted}
		require.ErrorIs(t, err, ErrNotCommitted)
		require.Equal(t, "attestation a claim c: "+ErrNotCommitted.Error(), err.Error())
	})
}
