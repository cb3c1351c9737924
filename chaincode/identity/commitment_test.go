package identity

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

var testSalt = bytes.Repeat([]byte{0x5a}, MinSaltLen)

func TestCommitFollowsTheDocumentedPreimage(t *testing.T) {
	// The preimage is spelled out byte by byte, independently of the
	// implementation, so a change to the canonical form breaks this test.
	preimage := []byte("govledger.claim-commitment.v1\x00")
	preimage = append(preimage, 0, 0, 0, 10)
	preimage = append(preimage, "incomeBand"...)
	preimage = append(preimage, 0, 0, 0, 2, 'n', '2')
	preimage = append(preimage, 0, 0, 0, 16)
	preimage = append(preimage, testSalt...)
	sum := sha256.Sum256(preimage)

	got, err := Commit("incomeBand", NumberValue(2), testSalt)
	require.NoError(t, err)
	require.Equal(t, Commitment(hex.EncodeToString(sum[:])), got)
	require.NoError(t, got.Validate("digest"))
}

func TestCommitSeparatesInputs(t *testing.T) {
	base, err := Commit("employed", BoolValue(true), testSalt)
	require.NoError(t, err)
	tests := []struct {
		name  string
		claim string
		value Value
		salt  []byte
	}{
		{"differs for another value", "employed", BoolValue(false), testSalt},
		{"differs for another claim", "employedFull", BoolValue(true), testSalt},
		{"differs for another salt", "employed", BoolValue(true), bytes.Repeat([]byte{1}, MinSaltLen)},
		{"differs for the same text as another kind", "employed", StringValue("true"), testSalt},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Commit(tt.claim, tt.value, tt.salt)
			require.NoError(t, err)
			require.NotEqual(t, base, got)
		})
	}
}

func TestCommitRejectsBadInput(t *testing.T) {
	tests := []struct {
		name  string
		claim string
		value Value
		salt  []byte
		field string
	}{
		{"rejects a malformed claim name", "Income", NumberValue(1), testSalt, "claim"},
		{"rejects an unset value", "employed", Value{}, testSalt, "claims.employed"},
		{"rejects a short salt", "employed", BoolValue(true), testSalt[:MinSaltLen-1], "salt"},
		{"rejects a long salt", "employed", BoolValue(true), bytes.Repeat([]byte{1}, MaxSaltLen+1), "salt"},
		{"rejects residency that is not a string", ClaimResidency, BoolValue(true), testSalt, "claims.residency"},
		{"rejects an empty residency", ClaimResidency, StringValue(""), testSalt, "claims.residency"},
		{"rejects ageOver18 that is not a boolean", ClaimAgeOver18, StringValue("yes"), testSalt, "claims.ageOver18"},
		{"rejects an income band above the scale", ClaimIncomeBand, NumberValue(MaxIncomeBand + 1), testSalt, "claims.incomeBand"},
		{"rejects a negative income band", ClaimIncomeBand, NumberValue(-1), testSalt, "claims.incomeBand"},
		{"rejects an income band given as text", ClaimIncomeBand, StringValue("2"), testSalt, "claims.incomeBand"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Commit(tt.claim, tt.value, tt.salt)
			var fe *FieldError
			require.ErrorAs(t, err, &fe)
			require.Equal(t, tt.field, fe.Field)
		})
	}
}

func TestCommitmentValidate(t *testing.T) {
	tests := []struct {
		name string
		c    Commitment
		ok   bool
	}{
		{"accepts 64 lowercase hex digits", Commitment(strings.Repeat("0f", 32)), true},
		{"rejects upper-case hex", Commitment(strings.Repeat("0F", 32)), false},
		{"rejects a short digest", Commitment("abcd"), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.c.Validate("digest")
			if tt.ok {
				require.NoError(t, err)
			} else {
				require.ErrorIs(t, err, ErrInvalid)
			}
		})
	}
}
