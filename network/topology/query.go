package topology

import (
	"errors"
	"fmt"
	"net"
	"strconv"
)

// ErrUnknownConsensus is returned by WithConsensus for a consensus type the
// ordering service does not offer.
var ErrUnknownConsensus = errors.New("unknown consensus type")

// Consenters are the orderers of the active consensus type: Orderers for
// Raft, BFTOrderers for BFT.
func (t *Topology) Consenters() []Orderer {
	return t.Ordering.consenters(t.Ordering.Consensus)
}

func (o Ordering) consenters(kind string) []Orderer {
	if kind == ConsensusBFT {
		return o.BFTOrderers
	}
	return o.Orderers
}

// WithConsensus returns a validated copy of t running the given consensus
// type (ConsensusRaft or ConsensusBFT). The copy shares its slices with t,
// so neither may be modified afterwards.
func (t *Topology) WithConsensus(kind string) (*Topology, error) {
	if kind != ConsensusRaft && kind != ConsensusBFT {
		return nil, fmt.Errorf("%w %q: want %s or %s", ErrUnknownConsensus, kind, ConsensusRaft, ConsensusBFT)
	}
	c := *t
	c.Ordering.Consensus = kind
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return &c, nil
}

// OrgByMSPID finds an application organisation by its MSP ID.
func (t *Topology) OrgByMSPID(mspID string) (*Org, bool) {
	for i := range t.Orgs {
		if t.Orgs[i].MSPID == mspID {
			return &t.Orgs[i], true
		}
	}
	return nil, false
}

// EndorsingOrgs are the application organisations that are not read-only,
// in topology order: the only ones endorsement policies may name.
func (t *Topology) EndorsingOrgs() []Org {
	var out []Org
	for _, o := range t.Orgs {
		if !o.ReadOnly {
			out = append(out, o)
		}
	}
	return out
}

// Chaincode finds a chaincode by name.
func (t *Topology) Chaincode(name string) (*Chaincode, bool) {
	for i := range t.Chaincodes {
		if t.Chaincodes[i].Name == name {
			return &t.Chaincodes[i], true
		}
	}
	return nil, false
}

// AnchorPeers are the organisation's peers marked as anchors.
func (o Org) AnchorPeers() []Peer {
	var out []Peer
	for _, p := range o.Peers {
		if p.Anchor {
			out = append(out, p)
		}
	}
	return out
}

// ServerName is the DNS name in a node's TLS certificate and enrolment ID:
// <node>.<domain>. Clients that reach the node by IP address use it as the
// TLS server name override.
func ServerName(node, domain string) string { return node + "." + domain }

// Address is the peer's endpoint (host:port).
func (p Peer) Address() string { return hostPort(p.Host, p.Port) }

// Address is the orderer's Broadcast/Deliver and cluster endpoint.
func (o Orderer) Address() string { return hostPort(o.Host, o.Port) }

// AdminAddress is the orderer's channel participation API endpoint.
func (o Orderer) AdminAddress() string { return hostPort(o.Host, o.AdminPort) }

// Address is the CA's endpoint.
func (c CA) Address() string { return hostPort(c.Host, c.Port) }

// Listener is one address a node of the network binds.
type Listener struct {
	// Owner is the topology field that defines the listener, e.g.
	// orgs[0].peers[1].operationsPort.
	Owner string
	Host  string
	Port  int
}

// Address is the listener's host:port.
func (l Listener) Address() string { return hostPort(l.Host, l.Port) }

// Listeners are every address the network binds for its active consensus
// type, in topology order: CAs, orderers, peers, chaincode servers.
func (t *Topology) Listeners() []Listener {
	return t.listeners(t.Ordering.Consensus)
}

func (t *Topology) listeners(kind string) []Listener {
	var out []Listener
	add := func(owner, host string, port int) {
		out = append(out, Listener{Owner: owner, Host: host, Port: port})
	}
	addCA := func(path string, ca CA) {
		add(path+".port", ca.Host, ca.Port)
		add(path+".operationsPort", ca.Host, ca.OperationsPort)
	}
	addCA("ordering.ca", t.Ordering.CA)
	for i, o := range t.Orgs {
		addCA(fmt.Sprintf("orgs[%d].ca", i), o.CA)
	}
	field := "orderers"
	if kind == ConsensusBFT {
		field = "bftOrderers"
	}
	for i, o := range t.Ordering.consenters(kind) {
		path := fmt.Sprintf("ordering.%s[%d]", field, i)
		add(path+".port", o.Host, o.Port)
		add(path+".adminPort", o.Host, o.AdminPort)
		add(path+".operationsPort", o.Host, o.OperationsPort)
	}
	for i, o := range t.Orgs {
		for j, p := range o.Peers {
			path := fmt.Sprintf("orgs[%d].peers[%d]", i, j)
			add(path+".port", p.Host, p.Port)
			add(path+".chaincodePort", p.Host, p.ChaincodePort)
			add(path+".operationsPort", p.Host, p.OperationsPort)
		}
	}
	for i, cc := range t.Chaincodes {
		host, port, err := splitAddress(cc.Address)
		if err != nil {
			continue // Validate reports it
		}
		add(fmt.Sprintf("chaincodes[%d].address", i), host, port)
	}
	return out
}

// hostPort joins a host and port the way every generated endpoint is written.
func hostPort(host string, port int) string { return net.JoinHostPort(host, strconv.Itoa(port)) }

// splitAddress parses host:port with a port in 1..65535.
func splitAddress(addr string) (string, int, error) {
	host, p, err := net.SplitHostPort(addr)
	if err != nil {
		return "", 0, err
	}
	port, err := strconv.Atoi(p)
	if err != nil || port < 1 || port > 65535 {
		return "", 0, fmt.Errorf("port %q is not 1..65535", p)
	}
	if host == "" {
		return "", 0, errors.New("host is empty")
	}
	return host, port, nil
}
