package memstub

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math/big"
	"sync"
	"time"

	"github.com/hyperledger/fabric-chaincode-go/v2/pkg/attrmgr"
	"github.com/hyperledger/fabric-protos-go-apiv2/msp"
	"google.golang.org/protobuf/proto"
)

// Identity is a client identity as a Fabric CA would enroll it: an X.509
// certificate issued by its organisation's CA, carrying enrollment attributes
// in Fabric's attribute extension, wrapped in the msp.SerializedIdentity a
// peer hands to chaincode as the transaction creator. The zero Identity is a
// transaction with no creator at all.
type Identity struct {
	MSPID      string
	Cert       *x509.Certificate
	CertPEM    []byte
	Key        *ecdsa.PrivateKey
	serialized []byte
}

// Creator is the serialized identity the stub returns from GetCreator; nil
// for the zero Identity.
func (id Identity) Creator() []byte { return id.serialized }

// issuer is one organisation's self-signed CA.
type issuer struct {
	key  *ecdsa.PrivateKey
	cert *x509.Certificate
}

var (
	issuersMu sync.Mutex
	issuers   = map[string]*issuer{}
	serial    int64
)

// certEpoch bounds certificate validity; chaincode never checks it, but a
// fixed window keeps certificates independent of the wall clock.
var (
	certNotBefore = time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	certNotAfter  = time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC)
)

// NewIdentity enrolls commonName in mspID with attrs (e.g. role, agency,
// supplierId): a real ECDSA P-256 certificate signed by a per-MSP CA that
// is created on first use and shared by the process. cid reads the MSP ID,
// the attributes and the ID ("x509::CN=<name>,OU=client::CN=ca.<msp>,O=<msp>")
// from it exactly as on a peer.
//
// It panics only if the platform's cryptography fails, which a test cannot
// recover from anyway.
func NewIdentity(mspID, commonName string, attrs map[string]string) Identity {
	id, err := newIdentity(mspID, commonName, attrs)
	if err != nil {
		panic(fmt.Sprintf("memstub: enroll %s in %s: %v", commonName, mspID, err))
	}
	return id
}

func newIdentity(mspID, commonName string, attrs map[string]string) (Identity, error) {
	issuersMu.Lock()
	defer issuersMu.Unlock()
	ca, err := issuerFor(mspID)
	if err != nil {
		return Identity{}, err
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return Identity{}, err
	}
	if attrs == nil {
		attrs = map[string]string{}
	}
	ext, err := json.Marshal(attrmgr.Attributes{Attrs: attrs})
	if err != nil {
		return Identity{}, err
	}
	serial++
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(serial),
		Subject:      pkix.Name{CommonName: commonName, OrganizationalUnit: []string{"client"}},
		NotBefore:    certNotBefore,
		NotAfter:     certNotAfter,
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtraExtensions: []pkix.Extension{
			{Id: attrmgr.AttrOID, Value: ext},
		},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &key.PublicKey, ca.key)
	if err != nil {
		return Identity{}, err
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return Identity{}, err
	}
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	sid, err := proto.Marshal(&msp.SerializedIdentity{Mspid: mspID, IdBytes: certPEM})
	if err != nil {
		return Identity{}, err
	}
	return Identity{MSPID: mspID, Cert: cert, CertPEM: certPEM, Key: key, serialized: sid}, nil
}

// issuerFor returns mspID's CA, creating it; issuersMu is held.
func issuerFor(mspID string) (*issuer, error) {
	if ca, ok := issuers[mspID]; ok {
		return ca, nil
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	serial++
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(serial),
		Subject:               pkix.Name{CommonName: "ca." + mspID, Organization: []string{mspID}},
		NotBefore:             certNotBefore,
		NotAfter:              certNotAfter,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, err
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, err
	}
	ca := &issuer{key: key, cert: cert}
	issuers[mspID] = ca
	return ca, nil
}
