// Package harness runs a GovLedger consortium on one machine as native
// processes: one Fabric CA per organisation, Raft (or BFT) orderers, peers and
// chaincode-as-a-service servers, all on the addresses network/topology.yaml
// gives, and, on request, one HTTP gateway per application organisation
// (ports from GatewayBasePort). `make network-up`, `make run`,
// `make network-down` and the integration tests all drive it, so what a
// developer runs is what the tests run.
package harness

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/govledger/govledger/network/topology"
)

// Options configure a Network.
type Options struct {
	// Root is the repository's root folder.
	Root string
	// State is the folder for crypto material, ledgers, logs and PID files
	// (default <Root>/.state).
	State string
	// Topology is the topology file (default <Root>/network/topology.yaml).
	Topology string
	// Consensus overrides the topology's consensus type (etcdraft or BFT).
	Consensus string
	// Log receives progress lines (default os.Stderr).
	Log io.Writer
	// Gateways makes the gateways part of what Up brings up (after the
	// network is ready) and what Running requires. Without it Up leaves
	// them alone; StartGateways starts them at any time, and Stop stops
	// running gateways either way. `govnet run` sets it, `govnet up` does
	// not, so the network's own figures (startup, RSS) stay comparable.
	Gateways bool
}

// Network is a local GovLedger network described by a topology.
type Network struct {
	Root     string
	State    string
	Topology *topology.Topology
	// Layout places crypto material below <State>/crypto.
	Layout topology.Layout
	Bin    Binaries
	Log    io.Writer

	withGateways bool
	gatewayPort  int // GatewayBasePort; tests move it to free ports
}

// ErrAlreadyRunning is returned by Up when every process is running already.
var ErrAlreadyRunning = errors.New("network is already running")

// New loads the topology and prepares a Network; nothing is started.
func New(opts Options) (*Network, error) {
	if opts.Root == "" {
		return nil, errors.New("harness: Options.Root is required")
	}
	if opts.State == "" {
		opts.State = filepath.Join(opts.Root, ".state")
	}
	if opts.Topology == "" {
		opts.Topology = filepath.Join(opts.Root, "network", "topology.yaml")
	}
	if opts.Log == nil {
		opts.Log = os.Stderr
	}
	t, err := topology.Load(opts.Topology)
	if err != nil {
		return nil, err
	}
	if opts.Consensus != "" {
		if t, err = t.WithConsensus(opts.Consensus); err != nil {
			return nil, err
		}
	}
	state, err := filepath.Abs(opts.State)
	if err != nil {
		return nil, err
	}
	bin, err := LocateBinaries(opts.Root)
	if err != nil {
		return nil, err
	}
	return &Network{
		Root: opts.Root, State: state, Topology: t, Log: opts.Log, Bin: bin,
		Layout:       topology.Layout{Root: filepath.Join(state, "crypto")},
		withGateways: opts.Gateways,
		gatewayPort:  GatewayBasePort,
	}, nil
}

// org is an organisation as the runner sees it: the ordering organisation
// and application organisations alike.
type org struct {
	Name, MSPID, Domain string
	CA                  topology.CA
	Nodes               []node
	Users               []topology.User
	ReadOnly            bool
	Ordering            bool
}

// node is a peer or an orderer.
type node struct {
	Name, Host     string
	kind           string // "peer" or "orderer"
	Port           int
	AdminPort      int // orderers: channel participation API
	ChaincodePort  int // peers
	OperationsPort int
	org            *org
}

func (o org) key() string       { return strings.ToLower(o.Name) }
func (o org) caName() string    { return "ca-" + o.key() }
func (o org) adminName() string { return topology.AdminUser + "@" + o.Domain }

// Address is the node's gRPC endpoint.
func (nd node) Address() string { return hostPort(nd.Host, nd.Port) }

// orgs lists the ordering organisation first, then application orgs in
// topology order.
func (n *Network) orgs() []*org {
	t := n.Topology
	ord := &org{Name: t.Ordering.Name, MSPID: t.Ordering.MSPID, Domain: t.Ordering.Domain, CA: withHost(t.Ordering.CA, t.Host), Users: t.Ordering.Users, Ordering: true}
	for _, o := range t.Consenters() {
		ord.Nodes = append(ord.Nodes, node{Name: o.Name, Host: or(o.Host, t.Host), kind: "orderer", Port: o.Port, AdminPort: o.AdminPort, OperationsPort: o.OperationsPort, org: ord})
	}
	out := []*org{ord}
	for _, to := range t.Orgs {
		o := &org{Name: to.Name, MSPID: to.MSPID, Domain: to.Domain, CA: withHost(to.CA, t.Host), Users: to.Users, ReadOnly: to.ReadOnly}
		for _, p := range to.Peers {
			o.Nodes = append(o.Nodes, node{Name: p.Name, Host: or(p.Host, t.Host), kind: "peer", Port: p.Port, ChaincodePort: p.ChaincodePort, OperationsPort: p.OperationsPort, org: o})
		}
		out = append(out, o)
	}
	return out
}

func (n *Network) ordering() *org { return n.orgs()[0] }

func (n *Network) peers() []node {
	var out []node
	for _, o := range n.orgs()[1:] {
		out = append(out, o.Nodes...)
	}
	return out
}

func withHost(ca topology.CA, host string) topology.CA {
	ca.Host = or(ca.Host, host)
	return ca
}

func or(s, def string) string {
	if s != "" {
		return s
	}
	return def
}

func hostPort(host string, port int) string { return host + ":" + strconv.Itoa(port) }

// Processes lists every process of the network in start order: CAs,
// orderers, peers, chaincode servers, then the gateways when they belong to
// the network (Options.Gateways, or one of them is running).
func (n *Network) Processes() []*Process {
	var out []*Process
	for _, o := range n.orgs() {
		out = append(out, n.caProcess(*o))
	}
	for _, nd := range n.ordering().Nodes {
		out = append(out, n.ordererProcess(nd))
	}
	for _, nd := range n.peers() {
		out = append(out, n.peerProcess(nd))
	}
	for _, cc := range n.Topology.Chaincodes {
		out = append(out, n.chaincodeProcess(cc, ""))
	}
	return append(out, n.gatewayProcesses()...)
}

// ConfigDir holds generated configuration (configtx.yaml, genesis block,
// collection configs, connection profiles).
func (n *Network) ConfigDir() string { return filepath.Join(n.State, "config") }

// ProfilePath is the connection profile the gateway reads for an org.
func (n *Network) ProfilePath(mspID string) string {
	return filepath.Join(n.ConfigDir(), "profiles", mspID+".json")
}

func (n *Network) readyMarker() string { return filepath.Join(n.State, "ready") }

// Ready reports whether a previous Up completed (the state is whole).
func (n *Network) Ready() bool {
	_, err := os.Stat(n.readyMarker())
	return err == nil
}

// Running reports whether every process of the network is alive.
func (n *Network) Running() bool {
	for _, p := range n.Processes() {
		if !p.Running(n.State) {
			return false
		}
	}
	return n.Ready()
}

// Stop stops every process by its PID, last started first, and keeps the
// state so that Up resumes the same ledger.
func (n *Network) Stop() error {
	ps := n.Processes()
	var errs []error
	for i := len(ps) - 1; i >= 0; i-- {
		if err := ps[i].Stop(n.State, 10*time.Second); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// Down stops every process and removes the state folder.
func (n *Network) Down() error {
	if err := n.Stop(); err != nil {
		return err
	}
	return os.RemoveAll(n.State)
}

// Up brings the network up: from nothing (enrol identities, create the
// channel, deploy chaincode) or, when a previous Up completed, by restarting
// whatever is not running and deploying changed chaincode definitions.
func (n *Network) Up(ctx context.Context) error {
	start := time.Now()
	if n.Running() {
		return ErrAlreadyRunning
	}
	if err := n.checkPorts(); err != nil {
		return err
	}
	if n.withGateways {
		if err := n.checkGatewayPorts(); err != nil {
			return err
		}
	}
	if err := n.Bin.Ensure(ctx, n.Root, n.Log); err != nil {
		return err
	}
	fresh := !n.Ready()
	if fresh {
		// A half-made state from an interrupted Up is not resumable.
		if err := n.Stop(); err != nil {
			return err
		}
		if err := os.RemoveAll(n.State); err != nil {
			return err
		}
	}
	if err := n.buildOwnBinaries(ctx); err != nil {
		return err
	}
	n.step(start, "binaries ready")
	if err := n.startCAs(ctx, fresh); err != nil {
		return err
	}
	if fresh {
		n.step(start, "CAs ready, identities enrolled")
	} else {
		n.step(start, "CAs ready")
	}
	if fresh {
		if err := n.generate(ctx); err != nil {
			return err
		}
		n.step(start, "channel configuration and genesis block generated")
	} else if err := n.writeProfiles(); err != nil {
		// Profiles derive from the topology alone: rewriting them lets a
		// resumed network's gateways read the current profile format.
		return err
	}
	if err := n.startNodes(ctx); err != nil {
		return err
	}
	n.step(start, "orderers and peers healthy")
	if fresh {
		if err := n.joinChannel(ctx); err != nil {
			return err
		}
		n.step(start, "channel "+n.Topology.Channel.Name+" joined")
	}
	if err := n.deployAll(ctx); err != nil {
		return err
	}
	n.step(start, "chaincode deployed")
	if err := n.awaitReady(ctx); err != nil {
		return err
	}
	if err := os.WriteFile(n.readyMarker(), []byte(time.Now().UTC().Format(time.RFC3339)), 0o600); err != nil {
		return err
	}
	n.step(start, "network ready")
	if n.withGateways {
		if err := n.StartGateways(ctx); err != nil {
			return err
		}
		n.step(start, "gateways ready")
	}
	return nil
}

func (n *Network) step(start time.Time, msg string) {
	_, _ = fmt.Fprintf(n.Log, "[%6.1fs] %s\n", time.Since(start).Seconds(), msg)
}
