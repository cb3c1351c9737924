package identity

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestValidators(t *testing.T) {
	tests := []struct {
		name    string
		check   func(string, string) error
		in      string
		wantErr string
	}{
		{"accepts an agency code", ValidateAgency, "MUNI2", ""},
		{"rejects a one-letter agency", ValidateAgency, "S", "2 to 16"},
		{"rejects a lower-case agency", ValidateAgency, "ssa", "2 to 16"},
		{"rejects punctuation in an agency", ValidateAgency, "SS-A", "upper-case letters and digits"},
		{"accepts a PascalCase kind", ValidateKind, "ResidencyCredential", ""},
		{"rejects a kind starting in lower case", ValidateKind, "residency", "upper-case letter"},
		{"rejects punctuation in a kind", ValidateKind, "Residency_Credential", "letters and digits"},
		{"rejects an overlong kind", ValidateKind, "A" + strings.Repeat("b", MaxKindLen), "1 to 64"},
		{"accepts a camelCase claim", ValidateClaimName, "incomeBand", ""},
		{"rejects a claim starting in upper case", ValidateClaimName, "IncomeBand", "lower-case letter"},
		{"rejects punctuation in a claim", ValidateClaimName, "income_band", "letters and digits"},
		{"accepts a hyphenated purpose", ValidatePurpose, "benefits-eligibility", ""},
		{"rejects an empty purpose", ValidatePurpose, "", "1 to 64"},
		{"rejects upper case in a purpose", ValidatePurpose, "benefits-Eligibility", "lower-case letters"},
		{"accepts a URN record id", ValidateID, "urn:govledger:att:1a2b", ""},
		{"rejects an id starting with punctuation", ValidateID, ":x", "starting with a letter or digit"},
		{"rejects the composite-key separator in an id", ValidateID, "a\x00b", "may contain only"},
		{"rejects an overlong id", ValidateID, strings.Repeat("a", MaxIDLen+1), "1 to 128"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.check("field", tt.in)
			if tt.wantErr == "" {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, ErrInvalid)
			require.ErrorContains(t, err, "field: ")
			require.ErrorContains(t, err, tt.wantErr)
		})
	}
}

func TestValidateText(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		wantErr string
	}{
		{"accepts plain text", "reviewed", ""},
		{"accepts non-ASCII text", "révision", ""},
		{"rejects control characters", "a\nb", "control characters"},
		{"rejects invalid UTF-8", "\xff", "UTF-8"},
		{"rejects overlong text", strings.Repeat("a", 11), "at most 10"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := ValidateText("reason", tt.in, 10)
			if tt.wantErr == "" {
				require.NoError(t, err)
				return
			}
			require.ErrorContains(t, err, tt.wantErr)
		})
	}
}
