package wallet_test

import (
	"crypto/ecdsa"
	"crypto/sha256"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/govledger/govledger/gateway/internal/testpki"
	"github.com/govledger/govledger/gateway/internal/wallet"
)

func TestLoad(t *testing.T) {
	t.Run("loads a custodial user whose key signs for its certificate", func(t *testing.T) {
		id := testpki.New(t, "buyer1")
		cert, keys := testpki.WriteMSP(t, t.TempDir(), id, 0o600)
		w, err := wallet.Load("ProcurementMSP", []wallet.User{{Name: "buyer1", CertPath: cert, KeyDir: keys}})
		require.NoError(t, err)
		got, err := w.Identity("buyer1")
		require.NoError(t, err)
		require.True(t, got.Custodial())
		require.Equal(t, "ProcurementMSP", got.Creator().MSPID)
		require.Equal(t, id.CertPEM, got.Creator().Certificate)
		digest := sha256.Sum256([]byte("proposal"))
		sig, err := got.Sign(digest[:])
		require.NoError(t, err)
		require.True(t, ecdsa.VerifyASN1(&id.Key.PublicKey, digest[:], sig))
		require.Equal(t, []string{"buyer1"}, w.Names())
		require.Equal(t, "ProcurementMSP", w.MSPID())
	})

	t.Run("loads a user without keys as non-custodial", func(t *testing.T) {
		id := testpki.New(t, "ext")
		cert, keys := testpki.WriteMSP(t, t.TempDir(), id, 0o600)
		require.NoError(t, os.RemoveAll(keys))
		w, err := wallet.Load("ProcurementMSP", []wallet.User{{Name: "ext", CertPath: cert, KeyDir: keys}})
		require.NoError(t, err)
		got, err := w.Identity("ext")
		require.NoError(t, err)
		require.False(t, got.Custodial())
		_, err = got.Sign([]byte("x"))
		require.ErrorIs(t, err, wallet.ErrNotCustodial)
	})

	for _, mode := range []os.FileMode{0o640, 0o604, 0o644} {
		t.Run("refuses a key file with mode "+mode.String(), func(t *testing.T) {
			id := testpki.New(t, "buyer1")
			cert, keys := testpki.WriteMSP(t, t.TempDir(), id, mode)
			_, err := wallet.Load("ProcurementMSP", []wallet.User{{Name: "buyer1", CertPath: cert, KeyDir: keys}})
			require.ErrorIs(t, err, wallet.ErrKeyPermissions)
			var kf *wallet.KeyFileError
			require.ErrorAs(t, err, &kf)
			require.Equal(t, filepath.Join(keys, "key_sk"), kf.Path)
			require.Contains(t, kf.Error(), "0600")
		})
	}

	t.Run("refuses a key that belongs to another certificate", func(t *testing.T) {
		dir := t.TempDir()
		cert, keys := testpki.WriteMSP(t, dir, testpki.New(t, "a"), 0o600)
		other := testpki.New(t, "b")
		require.NoError(t, os.WriteFile(filepath.Join(keys, "key_sk"), other.KeyPEM, 0o600))
		_, err := wallet.Load("M", []wallet.User{{Name: "a", CertPath: cert, KeyDir: keys}})
		require.ErrorIs(t, err, wallet.ErrKeyMismatch)
	})

	t.Run("picks the matching key among several and skips other files", func(t *testing.T) {
		dir := t.TempDir()
		id := testpki.New(t, "a")
		cert, keys := testpki.WriteMSP(t, dir, id, 0o600)
		require.NoError(t, os.WriteFile(filepath.Join(keys, "0_other_sk"), testpki.New(t, "b").KeyPEM, 0o600))
		require.NoError(t, os.WriteFile(filepath.Join(keys, "notes"), []byte("not a key"), 0o600))
		require.NoError(t, os.Mkdir(filepath.Join(keys, "sub"), 0o700))
		w, err := wallet.Load("M", []wallet.User{{Name: "a", CertPath: cert, KeyDir: keys}})
		require.NoError(t, err)
		got, err := w.Identity("a")
		require.NoError(t, err)
		require.True(t, got.Custodial())
	})

	bad := []struct {
		name  string
		users func(t *testing.T) []wallet.User
	}{
		{"fails on a missing certificate", func(t *testing.T) []wallet.User {
			return []wallet.User{{Name: "a", CertPath: filepath.Join(t.TempDir(), "nope.pem")}}
		}},
		{"fails on a certificate that is not PEM", func(t *testing.T) []wallet.User {
			p := filepath.Join(t.TempDir(), "cert.pem")
			require.NoError(t, os.WriteFile(p, []byte("garbage"), 0o644))
			return []wallet.User{{Name: "a", CertPath: p}}
		}},
		{"fails on a user listed twice", func(t *testing.T) []wallet.User {
			cert, _ := testpki.WriteMSP(t, t.TempDir(), testpki.New(t, "a"), 0o600)
			return []wallet.User{{Name: "a", CertPath: cert}, {Name: "a", CertPath: cert}}
		}},
		{"fails on a user without a name", func(t *testing.T) []wallet.User {
			return []wallet.User{{}}
		}},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			_, err := wallet.Load("M", tc.users(t))
			require.Error(t, err)
		})
	}
}

func TestIdentity(t *testing.T) {
	t.Run("reports an unknown user by name", func(t *testing.T) {
		w := wallet.FromCredentials("M", nil)
		_, err := w.Identity("ghost")
		require.ErrorIs(t, err, wallet.ErrUnknownUser)
		require.ErrorContains(t, err, "ghost")
	})

	t.Run("signs with in-memory credentials", func(t *testing.T) {
		id := testpki.New(t, "a")
		w := wallet.FromCredentials("M", map[string]wallet.Credential{"a": {Certificate: id.CertPEM, Sign: id.Sign}})
		got, err := w.Identity("a")
		require.NoError(t, err)
		require.Equal(t, "a", got.Name())
		sig, err := got.Sign(make([]byte, 32))
		require.NoError(t, err)
		require.NotEmpty(t, sig)
	})
}
