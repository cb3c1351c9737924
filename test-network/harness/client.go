package harness

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/hyperledger/fabric-gateway/pkg/client"
	"github.com/hyperledger/fabric-gateway/pkg/identity"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"

	"github.com/govledger/govledger/network/topology"
)

// Connect opens a Fabric Gateway connection to the named peer ("peer0") of
// the org as one of its enrolled users (topology.AdminUser for the admin).
// Close the returned gateway, then the connection.
func (n *Network) Connect(mspID, peer, user string, opts ...client.ConnectOption) (*client.Gateway, *grpc.ClientConn, error) {
	nd, err := n.peer(mspID, peer)
	if err != nil {
		return nil, nil, err
	}
	id, sign, err := n.Identity(mspID, user)
	if err != nil {
		return nil, nil, err
	}
	tlsRoot, err := os.ReadFile(n.Layout.TLSCACert(mspID))
	if err != nil {
		return nil, nil, err
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(tlsRoot)
	conn, err := grpc.NewClient(nd.Address(), grpc.WithTransportCredentials(credentials.NewClientTLSFromCert(pool, "")))
	if err != nil {
		return nil, nil, err
	}
	defaults := []client.ConnectOption{
		client.WithSign(sign), client.WithClientConnection(conn),
		client.WithEvaluateTimeout(30 * time.Second), client.WithEndorseTimeout(30 * time.Second),
		client.WithSubmitTimeout(30 * time.Second), client.WithCommitStatusTimeout(time.Minute),
	}
	gw, err := client.Connect(id, append(defaults, opts...)...)
	if err != nil {
		_ = conn.Close()
		return nil, nil, err
	}
	return gw, conn, nil
}

// Identity loads an enrolled user's certificate and signer.
func (n *Network) Identity(mspID, user string) (*identity.X509Identity, identity.Sign, error) {
	msp := n.Layout.UserMSPDir(mspID, user)
	certPEM, err := os.ReadFile(topology.SignCert(msp))
	if err != nil {
		return nil, nil, fmt.Errorf("identity %s/%s: %w", mspID, user, err)
	}
	cert, err := identity.CertificateFromPEM(certPEM)
	if err != nil {
		return nil, nil, err
	}
	id, err := identity.NewX509Identity(mspID, cert)
	if err != nil {
		return nil, nil, err
	}
	keyPEM, err := os.ReadFile(filepath.Join(topology.KeyStore(msp), "key.pem"))
	if err != nil {
		return nil, nil, fmt.Errorf("identity %s/%s: %w", mspID, user, err)
	}
	key, err := identity.PrivateKeyFromPEM(keyPEM)
	if err != nil {
		return nil, nil, err
	}
	sign, err := identity.NewPrivateKeySign(key)
	if err != nil {
		return nil, nil, err
	}
	return id, sign, nil
}

func (n *Network) peer(mspID, name string) (node, error) {
	for _, nd := range n.peers() {
		if nd.org.MSPID == mspID && nd.Name == name {
			return nd, nil
		}
	}
	return node{}, fmt.Errorf("no peer %s in %s", name, mspID)
}

// PeerNames lists every peer as "<mspID>/<peer>".
func (n *Network) PeerNames() []string {
	var out []string
	for _, nd := range n.peers() {
		out = append(out, nd.org.MSPID+"/"+nd.Name)
	}
	return out
}

// BlockInfo is a peer's view of the channel's chain.
type BlockInfo struct {
	Height            uint64 `json:"height"`
	CurrentBlockHash  string `json:"currentBlockHash"`
	PreviousBlockHash string `json:"previousBlockHash"`
}

// ChainInfo asks one peer for its height and latest block hash.
func (n *Network) ChainInfo(ctx context.Context, mspID, peer string) (BlockInfo, error) {
	nd, err := n.peer(mspID, peer)
	if err != nil {
		return BlockInfo{}, err
	}
	out, err := n.peerCLI(ctx, nd, "channel", "getinfo", "-c", n.Topology.Channel.Name)
	if err != nil {
		return BlockInfo{}, err
	}
	_, js, ok := strings.Cut(string(out), "Blockchain info:")
	if !ok {
		return BlockInfo{}, fmt.Errorf("getinfo on %s: unexpected output %q", nd.procName(), out)
	}
	var info BlockInfo
	if err := json.Unmarshal([]byte(strings.TrimSpace(js)), &info); err != nil {
		return BlockInfo{}, fmt.Errorf("getinfo on %s: %w", nd.procName(), err)
	}
	return info, nil
}

// PeerProcess returns the process of one peer, so tests can stop, kill and
// restart it (its state and PID file stay where the network keeps them).
func (n *Network) PeerProcess(mspID, peer string) (*Process, error) {
	nd, err := n.peer(mspID, peer)
	if err != nil {
		return nil, err
	}
	return n.peerProcess(nd), nil
}

// AwaitHealthy waits until every process answers its /healthz with 200.
func (n *Network) AwaitHealthy(ctx context.Context, procs ...*Process) error {
	return n.awaitHealthy(ctx, procs)
}

// AwaitReady waits until the channel can take transactions again (a Raft
// leader, full gossip membership on every peer, every chaincode answering
// on every peer), e.g. after a test restarted a node.
func (n *Network) AwaitReady(ctx context.Context) error { return n.awaitReady(ctx) }
