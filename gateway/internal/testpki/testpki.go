// Package testpki mints throwaway ECDSA identities for tests: a certificate
// and key in the PEM forms a Fabric CA enrolment writes, and a signer that
// produces the low-S ASN.1 signatures Fabric expects.
package testpki

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/hyperledger/fabric-gateway/pkg/identity"
	"github.com/stretchr/testify/require"
)

// Identity is a minted certificate and key.
type Identity struct {
	Name    string
	CertPEM []byte
	KeyPEM  []byte
	Key     *ecdsa.PrivateKey
}

// Sign signs a digest as a Fabric client would.
func (id Identity) Sign(digest []byte) ([]byte, error) {
	sign, err := identity.NewPrivateKeySign(id.Key)
	if err != nil {
		return nil, err
	}
	return sign(digest)
}

// New mints a self-signed identity with common name name.
func New(t testing.TB, name string) Identity {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()),
		Subject:      pkix.Name{CommonName: name, OrganizationalUnit: []string{"client"}},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tpl, tpl, &key.PublicKey, key)
	require.NoError(t, err)
	pkcs8, err := x509.MarshalPKCS8PrivateKey(key)
	require.NoError(t, err)
	return Identity{
		Name:    name,
		CertPEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		KeyPEM:  pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pkcs8}),
		Key:     key,
	}
}

// WriteMSP writes id as an MSP folder under dir (signcerts/cert.pem and
// keystore/key_sk with the given key mode) and returns the certificate path
// and keystore folder.
func WriteMSP(t testing.TB, dir string, id Identity, keyMode os.FileMode) (certPath, keyDir string) {
	t.Helper()
	certPath = filepath.Join(dir, "signcerts", "cert.pem")
	keyDir = filepath.Join(dir, "keystore")
	require.NoError(t, os.MkdirAll(filepath.Dir(certPath), 0o750))
	require.NoError(t, os.MkdirAll(keyDir, 0o700))
	require.NoError(t, os.WriteFile(certPath, id.CertPEM, 0o600))
	keyPath := filepath.Join(keyDir, "key_sk")
	require.NoError(t, os.WriteFile(keyPath, id.KeyPEM, keyMode))
	require.NoError(t, os.Chmod(keyPath, keyMode))
	return certPath, keyDir
}
