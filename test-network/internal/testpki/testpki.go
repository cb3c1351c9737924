// Package testpki makes throwaway TLS material for connection.json tests.
package testpki

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// PKI is TLS material for connection.json tests: a root, a client pair
// it signed, and a key that matches nothing.
type PKI struct {
	RootCert, ClientCert, ClientKey, StrayKey string
}

// New makes a fresh PKI.
func New(t *testing.T) PKI {
	t.Helper()
	rootKey := newKey(t)
	root := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "test root"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign,
	}
	rootDER, err := x509.CreateCertificate(rand.Reader, root, root, &rootKey.PublicKey, rootKey)
	require.NoError(t, err)
	clientKey := newKey(t)
	client := &x509.Certificate{
		SerialNumber: big.NewInt(2),
		Subject:      pkix.Name{CommonName: "peer0"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	}
	clientDER, err := x509.CreateCertificate(rand.Reader, client, root, &clientKey.PublicKey, rootKey)
	require.NoError(t, err)
	return PKI{
		RootCert:   PEMBlock("CERTIFICATE", rootDER),
		ClientCert: PEMBlock("CERTIFICATE", clientDER),
		ClientKey:  keyPEM(t, clientKey),
		StrayKey:   keyPEM(t, newKey(t)),
	}
}

func newKey(t *testing.T) *ecdsa.PrivateKey {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	return key
}

func keyPEM(t *testing.T, key *ecdsa.PrivateKey) string {
	t.Helper()
	der, err := x509.MarshalPKCS8PrivateKey(key)
	require.NoError(t, err)
	return PEMBlock("PRIVATE KEY", der)
}

// PEMBlock encodes DER bytes as a PEM block of the given type.
func PEMBlock(kind string, der []byte) string {
	return string(pem.EncodeToMemory(&pem.Block{Type: kind, Bytes: der}))
}
