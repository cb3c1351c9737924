package identity

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

var testSecret = bytes.Repeat([]byte{0x42}, MinSubjectSecretLen)

func TestParseSubject(t *testing.T) {
	valid := SubjectPrefix + strings.Repeat("ab", 32)
	tests := []struct {
		name    string
		in      string
		wantErr string
	}{
		{"accepts a lowercase hex DID", valid, ""},
		{"rejects another DID method", "did:web:" + strings.Repeat("ab", 32), "must start with"},
		{"rejects a short identifier", SubjectPrefix + "abcd", "must have 64 hex digits"},
		{"rejects upper-case hex", SubjectPrefix + strings.Repeat("AB", 32), "lowercase hex"},
		{"rejects non-hex characters", SubjectPrefix + strings.Repeat("zz", 32), "lowercase hex"},
		{"rejects an empty string", "", "must start with"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseSubject(tt.in)
			if tt.wantErr == "" {
				require.NoError(t, err)
				require.Equal(t, Subject(tt.in), got)
				return
			}
			require.ErrorIs(t, err, ErrInvalid)
			require.ErrorContains(t, err, tt.wantErr)
			var fe *FieldError
			require.ErrorAs(t, err, &fe)
			require.Equal(t, "subject", fe.Field)
		})
	}
}

func TestSubjectID(t *testing.T) {
	t.Run("derives a valid, stable DID", func(t *testing.T) {
		a, err := SubjectID(testSecret, "AB123456")
		require.NoError(t, err)
		require.NoError(t, a.Validate("subject"))
		b, err := SubjectID(testSecret, "AB123456")
		require.NoError(t, err)
		require.Equal(t, a, b)
	})
	t.Run("treats spelling variants of one national ID as one subject", func(t *testing.T) {
		a, err := SubjectID(testSecret, "ab-123 456")
		require.NoError(t, err)
		b, err := SubjectID(testSecret, "AB123456")
		require.NoError(t, err)
		require.Equal(t, a, b)
	})
	t.Run("gives different subjects under different secrets", func(t *testing.T) {
		a, err := SubjectID(testSecret, "AB123456")
		require.NoError(t, err)
		b, err := SubjectID(bytes.Repeat([]byte{0x43}, MinSubjectSecretLen), "AB123456")
		require.NoError(t, err)
		require.NotEqual(t, a, b)
	})
	t.Run("does not embed the national ID", func(t *testing.T) {
		a, err := SubjectID(testSecret, "AB123456")
		require.NoError(t, err)
		require.NotContains(t, strings.ToUpper(string(a)), "AB123456")
	})

	rejects := []struct {
		name   string
		secret []byte
		id     string
		field  string
	}{
		{"rejects a short secret", testSecret[:MinSubjectSecretLen-1], "AB123456", "secret"},
		{"rejects an empty national ID", testSecret, " - ", "nationalID"},
		{"rejects punctuation in the national ID", testSecret, "AB/123", "nationalID"},
		{"rejects an overlong national ID", testSecret, strings.Repeat("1", maxNationalIDLen+1), "nationalID"},
	}
	for _, tt := range rejects {
		t.Run(tt.name, func(t *testing.T) {
			_, err := SubjectID(tt.secret, tt.id)
			var fe *FieldError
			require.ErrorAs(t, err, &fe)
			require.Equal(t, tt.field, fe.Field)
		})
	}
}
