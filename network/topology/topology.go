// Package topology is the model of a GovLedger consortium: its organisations,
// nodes, channel, chaincodes and private data collections. network/topology.yaml
// is the one source of truth; every generated artefact (configtx.yaml,
// collection configs, connection profiles) and the local network runner read it
// through this package.
package topology

import "time"

// Consensus types supported by the ordering service.
const (
	ConsensusRaft = "etcdraft"
	ConsensusBFT  = "BFT"
)

// Topology is a whole consortium.
type Topology struct {
	// Name labels the consortium (used in generated file names).
	Name string `yaml:"name"`
	// Host is the default address every node listens on and is reached at.
	Host string `yaml:"host"`
	// Channel is the one application channel.
	Channel Channel `yaml:"channel"`
	// Ordering describes the ordering organisation and its consenters.
	Ordering Ordering `yaml:"ordering"`
	// Orgs are the application organisations, in a stable order.
	Orgs []Org `yaml:"orgs"`
	// Chaincodes are deployed to the channel as chaincode-as-a-service.
	Chaincodes []Chaincode `yaml:"chaincodes"`
}

// Channel is the application channel definition.
type Channel struct {
	// Name follows Fabric's channel name rule: [a-z][a-z0-9.-]*, under 250
	// characters.
	Name string `yaml:"name"`
	// Batch holds the orderer's block cutting parameters.
	Batch Batch `yaml:"batch"`
}

// Batch holds block cutting parameters (Orderer.BatchTimeout / BatchSize).
// Byte sizes are written as configtxgen reads them ("10 MB"); ParseByteSize
// converts them.
type Batch struct {
	Timeout           time.Duration `yaml:"timeout"`
	MaxMessageCount   int           `yaml:"maxMessageCount"`
	AbsoluteMaxBytes  string        `yaml:"absoluteMaxBytes"`
	PreferredMaxBytes string        `yaml:"preferredMaxBytes"`
}

// Ordering is the ordering service organisation.
type Ordering struct {
	Name   string `yaml:"name"`
	MSPID  string `yaml:"mspID"`
	Domain string `yaml:"domain"`
	CA     CA     `yaml:"ca"`
	// Consensus is ConsensusRaft (default) or ConsensusBFT.
	Consensus string `yaml:"consensus"`
	// Orderers are the Raft consenters.
	Orderers []Orderer `yaml:"orderers"`
	// BFTOrderers are the SmartBFT consenters used when Consensus is BFT
	// (3f+1 nodes; 4 tolerate one faulty node).
	BFTOrderers []Orderer `yaml:"bftOrderers"`
	// Users are identities enrolled in the ordering org besides its admin.
	Users []User `yaml:"users"`
}

// Orderer is one ordering node.
type Orderer struct {
	Name string `yaml:"name"`
	// Host overrides Topology.Host for this node.
	Host string `yaml:"host"`
	// Port serves Broadcast/Deliver and (Raft/BFT) cluster traffic.
	Port int `yaml:"port"`
	// AdminPort serves the channel participation API (osnadmin).
	AdminPort int `yaml:"adminPort"`
	// OperationsPort serves /healthz and /metrics.
	OperationsPort int `yaml:"operationsPort"`
}

// Org is an application organisation.
type Org struct {
	// Name is the organisation's short name (e.g. Procurement).
	Name   string `yaml:"name"`
	MSPID  string `yaml:"mspID"`
	Domain string `yaml:"domain"`
	// Description says who the organisation is.
	Description string `yaml:"description"`
	// ReadOnly marks an observer organisation (the regulator): its peers hold
	// the ledger but it appears in no endorsement policy, and its client
	// identities cannot submit transactions (its Writers policy admits only
	// its admin).
	ReadOnly bool   `yaml:"readOnly"`
	CA       CA     `yaml:"ca"`
	Peers    []Peer `yaml:"peers"`
	Users    []User `yaml:"users"`
}

// CA is an organisation's Fabric CA server.
type CA struct {
	Host           string `yaml:"host"`
	Port           int    `yaml:"port"`
	OperationsPort int    `yaml:"operationsPort"`
}

// Peer is one peer node.
type Peer struct {
	Name string `yaml:"name"`
	Host string `yaml:"host"`
	// Port serves endorsement, deliver, gossip and the Gateway service.
	Port int `yaml:"port"`
	// ChaincodePort is the peer's chaincode listener (unused by CCaaS but
	// bound by the peer).
	ChaincodePort int `yaml:"chaincodePort"`
	// OperationsPort serves /healthz and /metrics.
	OperationsPort int `yaml:"operationsPort"`
	// Anchor marks the peer as an anchor peer for cross-org gossip.
	Anchor bool `yaml:"anchor"`
}

// User is an enrolled client identity. Attrs are written into the enrollment
// certificate (ecert=true) so chaincode reads them through cid.
type User struct {
	Name  string            `yaml:"name"`
	Attrs map[string]string `yaml:"attrs"`
}

// Chaincode is a chaincode run as an external service.
type Chaincode struct {
	Name     string `yaml:"name"`
	Version  string `yaml:"version"`
	Sequence int    `yaml:"sequence"`
	// Path is the Go package of the chaincode server's main, relative to the
	// repository root.
	Path string `yaml:"path"`
	// Address is where the chaincode server listens (host:port).
	Address string `yaml:"address"`
	// EndorsementPolicy is a signature policy expression naming only
	// endorsing (not readOnly) organisations. Left empty, Load sets a
	// majority of the endorsing organisations' peers, never the channel's
	// MAJORITY Endorsement, which would count the read-only organisation.
	EndorsementPolicy string `yaml:"endorsementPolicy"`
	// Collections are the chaincode's explicit private data collections.
	Collections []Collection `yaml:"collections"`
}

// Collection is a private data collection definition.
type Collection struct {
	Name string `yaml:"name"`
	// Members are the MSP IDs whose peers store the collection's data.
	Members           []string `yaml:"members"`
	RequiredPeerCount int      `yaml:"requiredPeerCount"`
	MaxPeerCount      int      `yaml:"maxPeerCount"`
	// BlockToLive purges private data after this many blocks (0 keeps it).
	BlockToLive     uint64 `yaml:"blockToLive"`
	MemberOnlyRead  bool   `yaml:"memberOnlyRead"`
	MemberOnlyWrite bool   `yaml:"memberOnlyWrite"`
	// EndorsementPolicy overrides the chaincode's policy for writes to this
	// collection. Left empty, Load sets any one member's peer
	// (OR('AMSP.peer','BMSP.peer')).
	EndorsementPolicy string `yaml:"endorsementPolicy"`
}
