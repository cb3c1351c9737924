package main

import (
	"crypto"
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/hyperledger/fabric-gateway/pkg/client"
	"github.com/hyperledger/fabric-gateway/pkg/identity"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"

	"github.com/govledger/govledger/network/profile"
)

// maxPEMSize bounds certificate and key files; real ones are about 1 KiB.
const maxPEMSize = 64 << 10

// connFlags say which peer to read blocks from and as whom.
type connFlags struct {
	profile, user, peer string
}

func (c *connFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&c.profile, "profile", "", "connection profile JSON (required)")
	fs.StringVar(&c.user, "user", "", "enrolled user to connect as, e.g. regulator1 or auditor1 (required)")
	fs.StringVar(&c.peer, "peer", "", "peer name of the profile's organisation, or MSPID/name; default its first peer")
}

func (c *connFlags) validate() error {
	switch {
	case c.profile == "":
		return fmt.Errorf("%w: -profile is required", errUsage)
	case c.user == "":
		return fmt.Errorf("%w: -user is required", errUsage)
	}
	return nil
}

// connection is an open Gateway connection to one peer.
type connection struct {
	network *client.Network
	gateway *client.Gateway
	conn    *grpc.ClientConn
	peer    profile.Endpoint
}

func (c *connection) Close() error {
	return errors.Join(c.gateway.Close(), c.conn.Close())
}

// connect opens a Gateway connection to the chosen peer as the chosen user.
func (c *connFlags) connect() (*connection, error) {
	p, err := profile.Load(c.profile)
	if err != nil {
		return nil, err
	}
	user, ok := p.User(c.user)
	if !ok {
		return nil, fmt.Errorf("%w: -user: %q is not a user of %s in %s", errUsage, c.user, p.MSPID, c.profile)
	}
	endpoint, err := pickPeer(p, c.peer)
	if err != nil {
		return nil, err
	}
	id, sign, err := loadIdentity(p.MSPID, c.user, user)
	if err != nil {
		return nil, err
	}
	tlsRoot, err := readSmall(endpoint.TLSCACert)
	if err != nil {
		return nil, fmt.Errorf("peer %s TLS root: %w", endpoint.Name, err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(tlsRoot) {
		return nil, fmt.Errorf("peer %s TLS root %s: no PEM certificate", endpoint.Name, endpoint.TLSCACert)
	}
	conn, err := grpc.NewClient(endpoint.Address,
		grpc.WithTransportCredentials(credentials.NewClientTLSFromCert(pool, endpoint.ServerName)))
	if err != nil {
		return nil, fmt.Errorf("peer %s at %s: %w", endpoint.Name, endpoint.Address, err)
	}
	gw, err := client.Connect(id, client.WithSign(sign), client.WithClientConnection(conn))
	if err != nil {
		_ = conn.Close()
		return nil, fmt.Errorf("gateway at %s: %w", endpoint.Address, err)
	}
	return &connection{network: gw.GetNetwork(p.Channel), gateway: gw, conn: conn, peer: endpoint}, nil
}

// pickPeer finds the peer named by the -peer flag.
func pickPeer(p *profile.Profile, name string) (profile.Endpoint, error) {
	own := p.OwnPeers()
	if name == "" {
		return own[0], nil
	}
	mspID, peerName, qualified := strings.Cut(name, "/")
	if !qualified {
		mspID, peerName = p.MSPID, name
	}
	for _, e := range p.Peers {
		if e.MSPID == mspID && e.Name == peerName {
			return e, nil
		}
	}
	return profile.Endpoint{}, fmt.Errorf("%w: -peer: no peer %s of %s in the profile", errUsage, peerName, mspID)
}

// loadIdentity reads a user's enrolment certificate and its one private key.
func loadIdentity(mspID, name string, u profile.User) (*identity.X509Identity, identity.Sign, error) {
	certPEM, err := readSmall(u.CertPath)
	if err != nil {
		return nil, nil, fmt.Errorf("user %s certificate: %w", name, err)
	}
	cert, err := identity.CertificateFromPEM(certPEM)
	if err != nil {
		return nil, nil, fmt.Errorf("user %s certificate %s: %w", name, u.CertPath, err)
	}
	id, err := identity.NewX509Identity(mspID, cert)
	if err != nil {
		return nil, nil, fmt.Errorf("user %s: %w", name, err)
	}
	key, err := loadKey(u.KeyDir)
	if err != nil {
		return nil, nil, fmt.Errorf("user %s key: %w", name, err)
	}
	sign, err := identity.NewPrivateKeySign(key)
	if err != nil {
		return nil, nil, fmt.Errorf("user %s key: %w", name, err)
	}
	return id, sign, nil
}

// loadKey reads the single private key of an MSP keystore, refusing a key
// other users could read.
func loadKey(dir string) (crypto.PrivateKey, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var files []string
	for _, e := range entries {
		if e.Type().IsRegular() {
			files = append(files, filepath.Join(dir, e.Name()))
		}
	}
	if len(files) != 1 {
		return nil, fmt.Errorf("keystore %s holds %d files, want exactly one key", dir, len(files))
	}
	info, err := os.Stat(files[0])
	if err != nil {
		return nil, err
	}
	if info.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("key file %s has mode %v; allow no more than 0600", files[0], info.Mode().Perm())
	}
	keyPEM, err := readSmall(files[0])
	if err != nil {
		return nil, err
	}
	key, err := identity.PrivateKeyFromPEM(keyPEM)
	if err != nil {
		// The parser's message never includes key material.
		return nil, fmt.Errorf("key file %s: %w", files[0], err)
	}
	return key, nil
}

// readSmall reads a PEM file, refusing anything implausibly large.
func readSmall(path string) ([]byte, error) {
	f, err := os.Open(filepath.Clean(path))
	if err != nil {
		return nil, err
	}
	defer func() { _ = f.Close() }()
	data, err := io.ReadAll(io.LimitReader(f, maxPEMSize+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	if len(data) > maxPEMSize {
		return nil, fmt.Errorf("%s is larger than %d bytes", path, maxPEMSize)
	}
	return data, nil
}
