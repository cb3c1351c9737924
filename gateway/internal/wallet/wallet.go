// Package wallet holds the Fabric client identities of the organisation the
// gateway runs for: each user's enrolment certificate and, for custodial
// users, the private key the gateway signs with on the user's behalf.
//
// A user whose key folder is absent or empty is non-custodial: the gateway
// can build proposals for it (the certificate is public) but only the client
// can sign them, through the :prepare/:endorse/:submit flow.
package wallet

import (
	"crypto"
	"crypto/x509"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"

	"github.com/hyperledger/fabric-gateway/pkg/identity"

	"github.com/govledger/govledger/gateway/internal/ledger"
)

// Sentinel errors, wrapped by the typed errors below.
var (
	ErrUnknownUser    = errors.New("no such wallet user")
	ErrNotCustodial   = errors.New("the gateway holds no key for this user")
	ErrKeyPermissions = errors.New("private key file is readable by others")
	ErrKeyMismatch    = errors.New("no private key matches the certificate")
)

// User locates one user's credentials.
type User struct {
	Name     string
	CertPath string
	// KeyDir is the MSP keystore folder.
	KeyDir string
}

// KeyFileError reports a key file the wallet refuses.
type KeyFileError struct {
	User string
	Path string
	Mode fs.FileMode
	Err  error
}

func (e *KeyFileError) Error() string {
	if errors.Is(e.Err, ErrKeyPermissions) {
		return fmt.Sprintf("wallet user %s: key file %s has mode %v; allow no more than 0600", e.User, e.Path, e.Mode.Perm())
	}
	return fmt.Sprintf("wallet user %s: key file %s: %v", e.User, e.Path, e.Err)
}

func (e *KeyFileError) Unwrap() error { return e.Err }

// UserError reports a problem with one named user.
type UserError struct {
	User string
	Err  error
}

func (e *UserError) Error() string { return fmt.Sprintf("wallet user %q: %v", e.User, e.Err) }

func (e *UserError) Unwrap() error { return e.Err }

// Identity is one wallet user.
type Identity struct {
	name    string
	creator ledger.Creator
	sign    identity.Sign
}

// Name is the wallet user name.
func (id *Identity) Name() string { return id.name }

// Creator is the identity proposals are built for.
func (id *Identity) Creator() ledger.Creator { return id.creator }

// Custodial reports whether the gateway can sign for this user.
func (id *Identity) Custodial() bool { return id.sign != nil }

// Sign signs a digest with the user's key.
func (id *Identity) Sign(digest []byte) ([]byte, error) {
	if id.sign == nil {
		return nil, &UserError{User: id.name, Err: ErrNotCustodial}
	}
	sig, err := id.sign(digest)
	if err != nil {
		return nil, &UserError{User: id.name, Err: fmt.Errorf("sign: %w", err)}
	}
	return sig, nil
}

// Wallet is an immutable set of identities of one organisation.
type Wallet struct {
	mspID string
	ids   map[string]*Identity
}

// Load reads every user's certificate and key. Any unreadable certificate,
// key file with group or other permissions, or key that does not match its
// certificate fails the whole load: a gateway must not start half-configured.
func Load(mspID string, users []User) (*Wallet, error) {
	w := &Wallet{mspID: mspID, ids: make(map[string]*Identity, len(users))}
	for _, u := range users {
		if u.Name == "" {
			return nil, errors.New("wallet: user without a name")
		}
		if _, dup := w.ids[u.Name]; dup {
			return nil, &UserError{User: u.Name, Err: errors.New("listed twice")}
		}
		id, err := load(mspID, u)
		if err != nil {
			return nil, err
		}
		w.ids[u.Name] = id
	}
	return w, nil
}

// FromCredentials builds a wallet from identities already in memory; sign
// may be nil for a non-custodial user.
func FromCredentials(mspID string, creds map[string]Credential) *Wallet {
	w := &Wallet{mspID: mspID, ids: make(map[string]*Identity, len(creds))}
	for name, c := range creds {
		w.ids[name] = &Identity{name: name, creator: ledger.Creator{MSPID: mspID, Certificate: c.Certificate}, sign: c.Sign}
	}
	return w
}

// Credential is an in-memory identity for FromCredentials.
type Credential struct {
	Certificate []byte
	Sign        identity.Sign
}

// MSPID is the organisation the wallet belongs to.
func (w *Wallet) MSPID() string { return w.mspID }

// Identity returns a user by name.
func (w *Wallet) Identity(name string) (*Identity, error) {
	id, ok := w.ids[name]
	if !ok {
		return nil, &UserError{User: name, Err: ErrUnknownUser}
	}
	return id, nil
}

// Names lists the users in name order.
func (w *Wallet) Names() []string {
	out := make([]string, 0, len(w.ids))
	for n := range w.ids {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

func load(mspID string, u User) (*Identity, error) {
	certPEM, err := os.ReadFile(filepath.Clean(u.CertPath))
	if err != nil {
		return nil, &UserError{User: u.Name, Err: fmt.Errorf("read certificate: %w", err)}
	}
	cert, err := identity.CertificateFromPEM(certPEM)
	if err != nil {
		return nil, &UserError{User: u.Name, Err: fmt.Errorf("parse certificate %s: %w", u.CertPath, err)}
	}
	id := &Identity{name: u.Name, creator: ledger.Creator{MSPID: mspID, Certificate: certPEM}}
	if u.KeyDir == "" {
		return id, nil
	}
	entries, err := os.ReadDir(u.KeyDir)
	if errors.Is(err, fs.ErrNotExist) {
		return id, nil
	}
	if err != nil {
		return nil, &UserError{User: u.Name, Err: fmt.Errorf("read key folder: %w", err)}
	}
	sawKey := false
	for _, e := range entries {
		path := filepath.Join(u.KeyDir, e.Name())
		key, err := readKey(u.Name, path)
		if err != nil {
			return nil, err
		}
		if key == nil {
			continue
		}
		sawKey = true
		if !matches(cert, key) {
			continue
		}
		sign, err := identity.NewPrivateKeySign(key)
		if err != nil {
			return nil, &KeyFileError{User: u.Name, Path: path, Err: err}
		}
		id.sign = sign
		return id, nil
	}
	if sawKey {
		return nil, &UserError{User: u.Name, Err: ErrKeyMismatch}
	}
	return id, nil
}

// readKey returns the private key in path, nil for files that hold none
// (sub-folders, stray files). Permissions are checked before reading.
func readKey(user, path string) (crypto.PrivateKey, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, &KeyFileError{User: user, Path: path, Err: err}
	}
	if !info.Mode().IsRegular() {
		return nil, nil
	}
	if info.Mode().Perm()&0o077 != 0 {
		return nil, &KeyFileError{User: user, Path: path, Mode: info.Mode(), Err: ErrKeyPermissions}
	}
	raw, err := os.ReadFile(filepath.Clean(path))
	if err != nil {
		return nil, &KeyFileError{User: user, Path: path, Err: err}
	}
	key, err := identity.PrivateKeyFromPEM(raw)
	if err != nil {
		return nil, nil
	}
	return key, nil
}

func matches(cert *x509.Certificate, key crypto.PrivateKey) bool {
	signer, ok := key.(crypto.Signer)
	if !ok {
		return false
	}
	pub, ok := cert.PublicKey.(interface{ Equal(crypto.PublicKey) bool })
	return ok && pub.Equal(signer.Public())
}
