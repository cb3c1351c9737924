package benefits

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"testing"
	"time"

	"github.com/govledger/govledger/chaincode/identity"
	"github.com/stretchr/testify/require"
)

func TestAssessDecidesFromVerifiedEvidence(t *testing.T) {
	p := newProgramme(t)
	subject := subjectOf(t, "AB123456")

	t.Run("finds an applicant eligible on usable evidence", func(t *testing.T) {
		a, err := p.Assess(subject, eligibleEvidence(t, subject), t0)
		require.NoError(t, err)
		require.True(t, a.Eligible())
		require.Equal(t, []EvidenceRef{
			{Attestation: "att-res", Kind: "ResidencyCredential", Claims: []string{"ageOver18", "residency"}, Usable: true},
			{Attestation: "att-inc", Kind: "IncomeCredential", Claims: []string{"employed", "incomeBand"}, Usable: true},
		}, a.Evidence)
	})
	t.Run("keeps claim values out of the assessment", func(t *testing.T) {
		a, err := p.Assess(subject, eligibleEvidence(t, subject), t0)
		require.NoError(t, err)
		raw, err := json.Marshal(a)
		require.NoError(t, err)
		require.NotContains(t, string(raw), `"value"`)
		require.NotContains(t, string(raw), `"salt"`)
		require.NotContains(t, string(raw), base64.StdEncoding.EncodeToString(salt))
	})

	unusable := []struct {
		name   string
		edit   func(*Evidence)
		at     time.Time
		reason string
	}{
		{"withholds claims of a revoked attestation", func(e *Evidence) { e.Revoked = true }, t0,
			"claim residency cannot be used: attestation att-res is revoked"},
		{"withholds claims of an expired attestation", func(*Evidence) {}, t0.AddDate(2, 0, 0),
			"claim residency cannot be used: attestation att-res expired at 2027-03-10T09:00:00Z"},
		{"withholds claims of an attestation not yet valid", func(*Evidence) {}, t0.AddDate(0, -2, 0),
			"claim residency cannot be used: attestation att-res is not valid until 2026-02-10T09:00:00Z"},
		{"withholds claims when the issuer lost accreditation", func(e *Evidence) {
			iss := *e.Issuer
			iss.Status = identity.IssuerRevoked
			e.Issuer = &iss
		}, t0, "claim residency cannot be used: issuer SSA no longer vouches for ResidencyCredential attestations"},
		{"withholds claims below the programme's assurance level", func(e *Evidence) {
			a := *e.Attestation
			a.Assurance = identity.AssuranceLow
			e.Attestation = &a
		}, t0, "claim residency cannot be used: attestation att-res has assurance level low; the programme needs substantial"},
	}
	for _, tt := range unusable {
		t.Run(tt.name, func(t *testing.T) {
			ev := eligibleEvidence(t, subject)
			tt.edit(&ev[0])
			a, err := p.Assess(subject, ev, tt.at)
			require.NoError(t, err)
			require.False(t, a.Eligible())
			require.False(t, a.Evidence[0].Usable)
			require.Equal(t, tt.reason, a.Explanation.Children[0].Reason)
		})
	}
}

func TestAssessRefusesDishonestEvidence(t *testing.T) {
	p := newProgramme(t)
	subject := subjectOf(t, "AB123456")
	tests := []struct {
		name  string
		edit  func([]Evidence) []Evidence
		want  error
		field string
	}{
		{"refuses a missing attestation", func(ev []Evidence) []Evidence { ev[0].Attestation = nil; return ev },
			ErrInvalid, "evidence[0].attestation"},
		{"refuses the same attestation twice", func(ev []Evidence) []Evidence { return append(ev, ev[0]) },
			ErrInvalid, "evidence[2].attestation"},
		{"refuses another subject's attestation", func(ev []Evidence) []Evidence {
			other, d := attest(t, "att-other", "ResidencyCredential", subjectOf(t, "ZZ999"),
				claim{"residency", identity.StringValue("resident")})
			ev[0].Attestation, ev[0].Disclosures = other, d
			return ev
		}, ErrInvalid, "evidence[0].attestation"},
		{"refuses evidence without disclosures", func(ev []Evidence) []Evidence { ev[0].Disclosures = nil; return ev },
			ErrInvalid, "evidence[0].disclosures"},
		{"refuses a claim the programme does not read", func(ev []Evidence) []Evidence {
			ev[0].Disclosures[0].Claim = "postcode"
			return ev
		}, ErrInvalid, "evidence[0].disclosures[0].claim"},
		{"refuses a claim from the wrong kind of attestation", func(ev []Evidence) []Evidence {
			ev[1].Disclosures = append(ev[1].Disclosures, Disclosure{Claim: "residency", Value: identity.StringValue("resident"), Salt: salt})
			return ev
		}, ErrInvalid, "evidence[1].disclosures[2].claim"},
		{"refuses a claim disclosed twice", func(ev []Evidence) []Evidence {
			ev[0].Disclosures = append(ev[0].Disclosures, ev[0].Disclosures[0])
			return ev
		}, ErrInvalid, "evidence[0].disclosures[2].claim"},
		{"refuses a disclosure that does not open its commitment", func(ev []Evidence) []Evidence {
			ev[1].Disclosures[0].Value = identity.NumberValue(1)
			return ev
		}, identity.ErrDisclosureMismatch, ""},
		{"refuses a disclosure with another salt", func(ev []Evidence) []Evidence {
			ev[1].Disclosures[0].Salt = bytes.Repeat([]byte{1}, identity.MinSaltLen)
			return ev
		}, identity.ErrDisclosureMismatch, ""},
		{"refuses a claim the attestation does not commit", func(ev []Evidence) []Evidence {
			a, d := attest(t, "att-res2", "ResidencyCredential", subject, claim{"residency", identity.StringValue("resident")})
			ev[0].Attestation = a
			ev[0].Disclosures = append(d, Disclosure{Claim: "ageOver18", Value: identity.BoolValue(true), Salt: salt})
			return ev
		}, identity.ErrNotCommitted, ""},
		{"refuses conflicting values for one claim", func(ev []Evidence) []Evidence {
			a, d := attest(t, "att-res2", "ResidencyCredential", subject, claim{"residency", identity.StringValue("non-resident")})
			return append(ev, Evidence{Attestation: a, Issuer: ev[0].Issuer, Disclosures: d})
		}, ErrConflictingClaims, ""},
		{"refuses too much evidence", func(ev []Evidence) []Evidence {
			return make([]Evidence, MaxEvidence+1)
		}, ErrInvalid, "evidence"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := p.Assess(subject, tt.edit(eligibleEvidence(t, subject)), t0)
			require.ErrorIs(t, err, tt.want)
			if tt.field != "" {
				var fe *identity.FieldError
				require.ErrorAs(t, err, &fe)
				require.Equal(t, tt.field, fe.Field)
			}
		})
	}
}

func TestDisclosureJSON(t *testing.T) {
	var d Disclosure
	require.NoError(t, json.Unmarshal([]byte(`{"claim":"incomeBand","value":2,"salt":"MzMzMzMzMzMzMzMzMzMzMw=="}`), &d))
	require.Equal(t, "incomeBand", d.Claim)
	require.True(t, identity.NumberValue(2).Equal(d.Value))
	require.Equal(t, salt, d.Salt)
}
