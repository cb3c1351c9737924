package deid

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"unicode"
)

// MinSecretLen is the shortest pseudonym secret accepted, in bytes. Patient
// identifiers such as SSNs have so little entropy that the key is the only
// thing standing between a pseudonym and a dictionary attack.
const MinSecretLen = 32

// pseudonymDomain separates these HMACs from any other use of the same
// secret, and versions the normalisation.
const pseudonymDomain = "govledger/deid/patient/v1\x00"

// Pseudonym returns the patient key: hex HMAC-SHA256 under secret over the
// normalised identifier. Every reporting hospital holds the same secret
// (distributed out of band, never written to the ledger), so the same patient
// reported by two hospitals gets the same key without either disclosing the
// identifier. Normalisation removes white space and hyphens and upper-cases
// ASCII letters, so "123-45-6789" and "123 45 6789" link.
//
// To keep the signature infallible, Pseudonym returns "" when the secret is
// shorter than MinSecretLen or the identifier normalises to nothing. Check
// rejects an empty key, so a misconfigured caller can never store a key that
// is linkable without the secret. The secret is never logged or returned.
func Pseudonym(secret []byte, patientID string) string {
	id := normaliseID(patientID)
	if len(secret) < MinSecretLen || id == "" {
		return ""
	}
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte(pseudonymDomain))
	mac.Write([]byte(id))
	return hex.EncodeToString(mac.Sum(nil))
}

func normaliseID(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case unicode.IsSpace(r), r == '-', unicode.Is(unicode.Cf, r):
			return -1
		case r >= 'a' && r <= 'z':
			return r - 'a' + 'A'
		}
		return r
	}, s)
}

// validPatientKey reports whether s is the output format of Pseudonym.
func validPatientKey(s string) bool {
	if len(s) != 2*sha256.Size {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}
