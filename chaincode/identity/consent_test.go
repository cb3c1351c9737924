package identity

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func validConsent() ConsentSpec {
	return ConsentSpec{
		ID: "consent-1", Subject: testSubject, RecordedBy: "SSA", Grantee: "MUNI",
		Kind: "ResidencyCredential", Purpose: "benefits-eligibility", ValidUntil: t0.AddDate(0, 6, 0),
	}
}

func TestGrantConsent(t *testing.T) {
	t.Run("records an active consent", func(t *testing.T) {
		c, err := GrantConsent(validConsent(), t0)
		require.NoError(t, err)
		require.True(t, c.Active(t0))
		require.False(t, c.Active(c.ValidUntil))
		require.Equal(t, t0, c.GrantedAt)
	})
	rejects := []struct {
		name  string
		edit  func(*ConsentSpec)
		at    time.Time
		field string
	}{
		{"rejects a malformed id", func(s *ConsentSpec) { s.ID = "-" }, t0, "id"},
		{"rejects a malformed subject", func(s *ConsentSpec) { s.Subject = "bob" }, t0, "subject"},
		{"rejects a malformed acting agency", func(s *ConsentSpec) { s.RecordedBy = "" }, t0, "recordedBy"},
		{"rejects a malformed grantee", func(s *ConsentSpec) { s.Grantee = "muni" }, t0, "grantee"},
		{"rejects a malformed kind", func(s *ConsentSpec) { s.Kind = "x" }, t0, "kind"},
		{"rejects a malformed purpose", func(s *ConsentSpec) { s.Purpose = "Benefits" }, t0, "purpose"},
		{"rejects a missing time", func(*ConsentSpec) {}, time.Time{}, "at"},
		{"rejects an end in the past", func(s *ConsentSpec) { s.ValidUntil = t0 }, t0, "validUntil"},
		{"rejects an end over five years ahead", func(s *ConsentSpec) { s.ValidUntil = t0.AddDate(6, 0, 0) }, t0, "validUntil"},
	}
	for _, tt := range rejects {
		t.Run(tt.name, func(t *testing.T) {
			spec := validConsent()
			tt.edit(&spec)
			_, err := GrantConsent(spec, tt.at)
			var fe *FieldError
			require.ErrorAs(t, err, &fe)
			require.Equal(t, tt.field, fe.Field)
		})
	}
}

func TestConsentRevoke(t *testing.T) {
	t.Run("revokes once and refuses again", func(t *testing.T) {
		c, err := GrantConsent(validConsent(), t0)
		require.NoError(t, err)
		require.NoError(t, c.Revoke("SSA", t0.Add(time.Hour)))
		require.False(t, c.Active(t0.Add(2*time.Hour)))
		require.Equal(t, "SSA", c.RevokedBy)
		require.ErrorIs(t, c.Revoke("SSA", t0.Add(3*time.Hour)), ErrTransition)
	})
	t.Run("rejects a malformed revoking agency", func(t *testing.T) {
		c, err := GrantConsent(validConsent(), t0)
		require.NoError(t, err)
		require.ErrorIs(t, c.Revoke("x", t0), ErrInvalid)
		require.ErrorIs(t, c.Revoke("SSA", time.Time{}), ErrInvalid)
		require.Nil(t, c.RevokedAt)
	})
}

func TestConsentAuthorize(t *testing.T) {
	request := func() AccessRequest {
		return AccessRequest{
			ID: "tx1", Agency: "MUNI", Subject: testSubject, Kind: "ResidencyCredential",
			Purpose: "benefits-eligibility", Attestation: "att-1", At: t0.Add(time.Hour),
		}
	}
	t.Run("yields an access record for a covered access", func(t *testing.T) {
		c, err := GrantConsent(validConsent(), t0)
		require.NoError(t, err)
		rec, err := c.Authorize(request())
		require.NoError(t, err)
		require.Equal(t, AccessRecord{
			ID: "tx1", ConsentID: "consent-1", Agency: "MUNI", Subject: testSubject, Kind: "ResidencyCredential",
			Purpose: "benefits-eligibility", Attestation: "att-1", At: t0.Add(time.Hour),
		}, *rec)
	})
	denials := []struct {
		name    string
		edit    func(*AccessRequest)
		revoke  bool
		reason  error
		message string
	}{
		{"denies after revocation", func(*AccessRequest) {}, true, ErrConsentRevoked, "consent revoked"},
		{"denies after expiry", func(r *AccessRequest) { r.At = t0.AddDate(1, 0, 0) }, false, ErrConsentExpired, "expired"},
		{"denies before the grant", func(r *AccessRequest) { r.At = t0.Add(-time.Hour) }, false, ErrConsentExpired, "expired"},
		{"denies another agency", func(r *AccessRequest) { r.Agency = "SSA" }, false, ErrConsentScope, "not the grantee"},
		{"denies another subject", func(r *AccessRequest) { r.Subject = Subject(SubjectPrefix + strings.Repeat("2e", 32)) }, false, ErrConsentScope, "subject"},
		{"denies another kind", func(r *AccessRequest) { r.Kind = "IncomeCredential" }, false, ErrConsentScope, "kind"},
		{"denies another purpose", func(r *AccessRequest) { r.Purpose = "marketing" }, false, ErrConsentScope, "purpose"},
	}
	for _, tt := range denials {
		t.Run(tt.name, func(t *testing.T) {
			c, err := GrantConsent(validConsent(), t0)
			require.NoError(t, err)
			if tt.revoke {
				require.NoError(t, c.Revoke("SSA", t0.Add(time.Minute)))
			}
			req := request()
			tt.edit(&req)
			rec, err := c.Authorize(req)
			require.Nil(t, rec)
			require.ErrorIs(t, err, ErrConsentDenied)
			require.ErrorIs(t, err, tt.reason)
			require.ErrorContains(t, err, tt.message)
			var ce *ConsentError
			require.ErrorAs(t, err, &ce)
			require.Equal(t, "consent-1", ce.ConsentID)
		})
	}
	t.Run("rejects malformed record identifiers", func(t *testing.T) {
		c, err := GrantConsent(validConsent(), t0)
		require.NoError(t, err)
		req := request()
		req.ID = ""
		_, err = c.Authorize(req)
		require.ErrorIs(t, err, ErrInvalid)
		req = request()
		req.Attestation = ""
		_, err = c.Authorize(req)
		require.ErrorIs(t, err, ErrInvalid)
	})
}

func TestConsentErrorWithoutConsent(t *testing.T) {
	err := &ConsentError{Reason: ErrNoConsent, Detail: "agency MUNI has none"}
	require.ErrorIs(t, err, ErrConsentDenied)
	require.ErrorIs(t, err, ErrNoConsent)
	require.Equal(t, "no consent given: agency MUNI has none", err.Error())
}
