package identity

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/binary"
	"encoding/hex"
	"hash"
)

// Salt lengths Commit accepts. 16 bytes (128 bits) is enough that nobody can
// enumerate salts; 64 bounds hostile input.
const (
	MinSaltLen = 16
	MaxSaltLen = 64
)

// commitmentDomain separates claim commitments from every other SHA-256 use.
const commitmentDomain = "govledger.claim-commitment.v1"

// Well-known claim names. Their values are checked against the kinds below so
// an issuer cannot commit, say, incomeBand as a string that rules would never
// match.
const (
	ClaimResidency  = "residency"  // string, e.g. "resident", "non-resident"
	ClaimAgeOver18  = "ageOver18"  // boolean
	ClaimIncomeBand = "incomeBand" // number, 0 (lowest) to MaxIncomeBand
)

// MaxIncomeBand is the highest income band the national scheme defines.
const MaxIncomeBand = 10

// Commitment is the lowercase hex SHA-256 digest that binds a claim name,
// value and salt. The package documentation defines the preimage.
type Commitment string

// Commit computes the commitment to claimName = value under salt. It validates
// its inputs because the issuer's gateway calls it with data from outside.
func Commit(claimName string, value Value, salt []byte) (Commitment, error) {
	if err := ValidateClaimName("claim", claimName); err != nil {
		return "", err
	}
	if err := ValidateClaimValue(claimName, value); err != nil {
		return "", err
	}
	if len(salt) < MinSaltLen || len(salt) > MaxSaltLen {
		return "", invalid("salt", "must be %d to %d bytes", MinSaltLen, MaxSaltLen)
	}
	h := sha256.New()
	h.Write([]byte(commitmentDomain))
	h.Write([]byte{0})
	writeField(h, []byte(claimName))
	writeField(h, value.canonical())
	writeField(h, salt)
	return Commitment(hex.EncodeToString(h.Sum(nil))), nil
}

// writeField writes b with its length prefix. Commit validates every field
// first, so no length comes near the 4 GiB a uint32 prefix can express.
func writeField(h hash.Hash, b []byte) {
	var n [4]byte
	binary.BigEndian.PutUint32(n[:], uint32(len(b))) //nolint:gosec // G115: fields are bounded, see above
	h.Write(n[:])
	h.Write(b)
}

// ValidateClaimValue checks value and, for a well-known claim, that it has the
// claim's kind and range.
func ValidateClaimValue(claimName string, value Value) error {
	field := "claims." + claimName
	if err := value.Validate(field); err != nil {
		return err
	}
	switch claimName {
	case ClaimResidency:
		if s, _ := value.Str(); value.Kind() != KindString || s == "" {
			return invalid(field, "must be a non-empty string")
		}
	case ClaimAgeOver18:
		if value.Kind() != KindBool {
			return invalid(field, "must be a boolean")
		}
	case ClaimIncomeBand:
		if n, ok := value.Num(); !ok || n < 0 || n > MaxIncomeBand {
			return invalid(field, "must be an integer from 0 to %d", MaxIncomeBand)
		}
	}
	return nil
}

// Validate checks that c looks like a SHA-256 commitment.
func (c Commitment) Validate(field string) error {
	if len(c) != 2*sha256.Size {
		return invalid(field, "must be %d lowercase hex digits", 2*sha256.Size)
	}
	for i := 0; i < len(c); i++ {
		if !isLowerHex(c[i]) {
			return invalid(field, "must be %d lowercase hex digits", 2*sha256.Size)
		}
	}
	return nil
}

// matches compares in constant time so a verifier's timing leaks nothing about
// how close a guess was.
func (c Commitment) matches(d Commitment) bool {
	return subtle.ConstantTimeCompare([]byte(c), []byte(d)) == 1
}
