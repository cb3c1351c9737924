package deid

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestValidICD10(t *testing.T) {
	tests := []struct {
		name string
		code string
		want bool
	}{
		{"accepts a three-character category", "B05", true},
		{"accepts a subcategory", "J10.1", true},
		{"accepts an ICD-10-CM code with a seventh character", "S72.001A", true},
		{"accepts the A and B third characters", "C4A.0", true},
		{"accepts the U chapter's emergency codes (COVID-19)", "U07.1", true},
		{"rejects lower case", "j10.1", false},
		{"rejects a missing subcode after the dot", "J10.", false},
		{"rejects a five-character subcode", "J10.12345", false},
		{"rejects a leading digit", "110.1", false},
		{"rejects surrounding space", " J10.1", false},
		{"rejects empty", "", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { require.Equal(t, tc.want, ValidICD10(tc.code)) })
	}
}

func TestValidSNOMED(t *testing.T) {
	tests := []struct {
		name string
		id   string
		want bool
	}{
		{"accepts COVID-19", "840539006", true},
		{"accepts influenza", "6142004", true},
		{"accepts a qualifier value", "260385009", true},
		{"accepts an eight-digit concept", "38341003", true},
		{"accepts a namespaced extension concept", "999000011000000103", true},
		{"rejects a wrong check digit", "840539007", false},
		{"rejects a description id (partition 01)", "3304015", false},
		{"rejects five digits", "10004", false},
		{"rejects nineteen digits", "1234567890123456789", false},
		{"rejects a leading zero", "0840539006", false},
		{"rejects letters", "84053900X", false},
		{"rejects empty", "", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { require.Equal(t, tc.want, ValidSNOMED(tc.id)) })
	}
}

func TestVerhoeffAcceptsExactlyOneCheckDigit(t *testing.T) {
	for _, body := range []string{"84053900", "614200", "1", "9999999999"} {
		t.Run("finds one check digit for "+body, func(t *testing.T) {
			valid := 0
			for d := '0'; d <= '9'; d++ {
				if verhoeffValid(body + string(d)) {
					valid++
				}
			}
			require.Equal(t, 1, valid)
		})
	}
}

func TestValidLOINC(t *testing.T) {
	tests := []struct {
		name string
		code string
		want bool
	}{
		{"accepts SARS-CoV-2 RNA", "94500-6", true},
		{"accepts glucose", "2345-7", true},
		{"accepts a one-digit code", "1-8", true},
		{"accepts a six-digit code", "100156-9", true},
		{"rejects a wrong check digit", "94500-5", false},
		{"rejects a missing hyphen", "945006", false},
		{"rejects two check digits", "94500-66", false},
		{"rejects a leading zero", "02345-7", false},
		{"rejects letters", "LP1234-5", false},
		{"rejects a seven-digit body", "1234567-0", false},
		{"rejects empty", "", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { require.Equal(t, tc.want, ValidLOINC(tc.code)) })
	}
}
