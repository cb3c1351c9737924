package identity

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"strings"
)

// SubjectPrefix starts every subject DID. The method-specific part is the
// lowercase hex of a 32-byte HMAC, so a subject reveals nothing about the person.
const SubjectPrefix = "did:govledger:"

// MinSubjectSecretLen is the shortest secret SubjectID accepts. A shorter key
// would let anyone who learns the national-ID format brute-force the mapping.
const MinSubjectSecretLen = 32

// maxNationalIDLen bounds hostile input; no national scheme comes close.
const maxNationalIDLen = 64

// Subject is a pseudonymous subject identifier of the form
// did:govledger:<64 lowercase hex digits>.
type Subject string

// ParseSubject validates s as a subject DID. Only lowercase hex is accepted so
// every subject has exactly one spelling and ledger keys built from it match.
func ParseSubject(s string) (Subject, error) {
	if err := Subject(s).Validate("subject"); err != nil {
		return "", err
	}
	return Subject(s), nil
}

// Validate reports whether s is a well-formed subject DID; errors name field.
func (s Subject) Validate(field string) error {
	hexPart, ok := strings.CutPrefix(string(s), SubjectPrefix)
	if !ok {
		return invalid(field, "must start with %q", SubjectPrefix)
	}
	if len(hexPart) != 2*sha256.Size {
		return invalid(field, "must have %d hex digits after %q", 2*sha256.Size, SubjectPrefix)
	}
	for i := 0; i < len(hexPart); i++ {
		if !isLowerHex(hexPart[i]) {
			return invalid(field, "must use lowercase hex digits after %q", SubjectPrefix)
		}
	}
	return nil
}

// SubjectID derives the subject DID of a national identifier as
// HMAC-SHA256(secret, canonical nationalID). It runs at the gateway, never in
// chaincode: the secret and the national identifier must not reach a ledger.
//
// The national identifier is canonicalised first (spaces and hyphens removed,
// ASCII letters upper-cased) so "ab-123 456" and "AB123456" name the same
// person; otherwise one person could hold two subjects and defeat
// duplicate-benefit checks.
func SubjectID(secret []byte, nationalID string) (Subject, error) {
	if len(secret) < MinSubjectSecretLen {
		return "", invalid("secret", "must be at least %d bytes", MinSubjectSecretLen)
	}
	canonical, err := canonicalNationalID(nationalID)
	if err != nil {
		return "", err
	}
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte(canonical))
	return Subject(SubjectPrefix + hex.EncodeToString(mac.Sum(nil))), nil
}

func canonicalNationalID(id string) (string, error) {
	if len(id) > maxNationalIDLen {
		return "", invalid("nationalID", "must be at most %d bytes", maxNationalIDLen)
	}
	var b strings.Builder
	for i := 0; i < len(id); i++ {
		c := id[i]
		switch {
		case c == ' ' || c == '-':
		case isLower(c):
			b.WriteByte(c - 'a' + 'A')
		case isUpper(c) || isDigit(c):
			b.WriteByte(c)
		default:
			return "", invalid("nationalID", "may contain only letters, digits, spaces and hyphens")
		}
	}
	if b.Len() == 0 {
		return "", invalid("nationalID", "is required")
	}
	return b.String(), nil
}

func isLowerHex(c byte) bool {
	return isDigit(c) || (c >= 'a' && c <= 'f')
}
