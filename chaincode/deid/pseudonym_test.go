package deid

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestPseudonym(t *testing.T) {
	t.Run("is HMAC-SHA256 over the domain and the normalised identifier", func(t *testing.T) {
		mac := hmac.New(sha256.New, testSecret)
		// Hyphens go everywhere, the namespace's too; every hospital runs the same code.
		mac.Write([]byte("govledger/deid/patient/v1\x00USSSN|000123456"))
		require.Equal(t, hex.EncodeToString(mac.Sum(nil)), Pseudonym(testSecret, "us-ssn|000-12-3456"))
	})
	t.Run("links the same identifier written differently", func(t *testing.T) {
		want := Pseudonym(testSecret, "us-ssn|000-12-3456")
		for _, variant := range []string{"us-ssn|000123456", " US-SSN | 000 12 3456 ", "us-ssn|000\u200b12\u200b3456", "us-ssn|000\t12\n3456"} {
			require.Equal(t, want, Pseudonym(testSecret, variant), variant)
		}
	})
	t.Run("separates different identifiers and namespaces", func(t *testing.T) {
		require.NotEqual(t, Pseudonym(testSecret, "us-ssn|000123456"), Pseudonym(testSecret, "us-ssn|000123457"))
		require.NotEqual(t, Pseudonym(testSecret, "https://a.example/mrn|1"), Pseudonym(testSecret, "https://b.example/mrn|1"))
	})
	t.Run("depends on the secret", func(t *testing.T) {
		other := append([]byte{}, testSecret...)
		other[0] ^= 1
		require.NotEqual(t, Pseudonym(testSecret, "x|1"), Pseudonym(other, "x|1"))
	})
	t.Run("produces a key the gate accepts", func(t *testing.T) {
		require.True(t, validPatientKey(Pseudonym(testSecret, "x|1")))
	})
	t.Run("refuses a short secret", func(t *testing.T) {
		require.Empty(t, Pseudonym(testSecret[:MinSecretLen-1], "x|1"))
		require.Empty(t, Pseudonym(nil, "x|1"))
	})
	t.Run("refuses an identifier that normalises to nothing", func(t *testing.T) {
		require.Empty(t, Pseudonym(testSecret, " - \t"))
	})
}
