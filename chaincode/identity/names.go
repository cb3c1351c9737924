package identity

import "unicode/utf8"

// Limits on identifier lengths. They keep composite keys short and bound the
// work any hostile input can cause.
const (
	MaxAgencyLen  = 16
	MaxKindLen    = 64
	MaxClaimLen   = 32
	MaxPurposeLen = 64
	MaxIDLen      = 128
)

// ValidateAgency checks an agency code such as "SSA" or "MUNI": an upper-case
// letter then upper-case letters or digits. Agency codes come from the
// enrolment certificate's "agency" attribute.
func ValidateAgency(field, s string) error {
	if len(s) < 2 || len(s) > MaxAgencyLen || !isUpper(s[0]) {
		return invalid(field, "must be 2 to %d characters starting with an upper-case letter", MaxAgencyLen)
	}
	for i := 1; i < len(s); i++ {
		if !isUpper(s[i]) && !isDigit(s[i]) {
			return invalid(field, "may contain only upper-case letters and digits")
		}
	}
	return nil
}

// ValidateKind checks an attestation kind such as "ResidencyCredential":
// PascalCase letters and digits, as W3C credential types are spelled.
func ValidateKind(field, s string) error {
	if s == "" || len(s) > MaxKindLen || !isUpper(s[0]) {
		return invalid(field, "must be 1 to %d characters starting with an upper-case letter", MaxKindLen)
	}
	for i := 1; i < len(s); i++ {
		if !isAlnum(s[i]) {
			return invalid(field, "may contain only letters and digits")
		}
	}
	return nil
}

// ValidateClaimName checks a claim name such as "incomeBand": camelCase
// letters and digits, so names are also valid identifiers in eligibility rules.
func ValidateClaimName(field, s string) error {
	if s == "" || len(s) > MaxClaimLen || !isLower(s[0]) {
		return invalid(field, "must be 1 to %d characters starting with a lower-case letter", MaxClaimLen)
	}
	for i := 1; i < len(s); i++ {
		if !isAlnum(s[i]) {
			return invalid(field, "may contain only letters and digits")
		}
	}
	return nil
}

// ValidatePurpose checks a consent purpose such as "benefits-eligibility":
// lower-case words joined by hyphens.
func ValidatePurpose(field, s string) error {
	if s == "" || len(s) > MaxPurposeLen || !isLower(s[0]) {
		return invalid(field, "must be 1 to %d characters starting with a lower-case letter", MaxPurposeLen)
	}
	for i := 1; i < len(s); i++ {
		if !isLower(s[i]) && !isDigit(s[i]) && s[i] != '-' {
			return invalid(field, "may contain only lower-case letters, digits and hyphens")
		}
	}
	return nil
}

// ValidateID checks a record identifier: letters, digits and . _ : - with a
// letter or digit first. The composite-key separator and other control
// characters are thereby excluded.
func ValidateID(field, s string) error {
	if s == "" || len(s) > MaxIDLen || !isAlnum(s[0]) {
		return invalid(field, "must be 1 to %d characters starting with a letter or digit", MaxIDLen)
	}
	for i := 1; i < len(s); i++ {
		c := s[i]
		if !isAlnum(c) && c != '.' && c != '_' && c != ':' && c != '-' {
			return invalid(field, "may contain only letters, digits and . _ : -")
		}
	}
	return nil
}

// ValidateText checks free text that is safe to store and show: valid UTF-8,
// no control characters, at most maxLen bytes.
func ValidateText(field, s string, maxLen int) error {
	if len(s) > maxLen {
		return invalid(field, "must be at most %d bytes", maxLen)
	}
	if !utf8.ValidString(s) {
		return invalid(field, "must be valid UTF-8")
	}
	for _, r := range s {
		if r < 0x20 || r == 0x7f {
			return invalid(field, "must not contain control characters")
		}
	}
	return nil
}

func isUpper(c byte) bool { return c >= 'A' && c <= 'Z' }
func isLower(c byte) bool { return c >= 'a' && c <= 'z' }
func isDigit(c byte) bool { return c >= '0' && c <= '9' }
func isAlnum(c byte) bool { return isUpper(c) || isLower(c) || isDigit(c) }
