// Package configgen generates the Fabric configuration a GovLedger network is
// built from: configtx.yaml for configtxgen and the collection configuration
// of each chaincode. Every function is pure: it reads the topology and the
// crypto layout it is given and returns bytes; writing them is the caller's.
package configgen

import (
	"bytes"
	"fmt"

	"gopkg.in/yaml.v3"

	"github.com/govledger/govledger/network/topology"
)

// ProfileName is the configtxgen profile ConfigTx defines; pass it to
// `configtxgen -profile GovLedgerChannel -outputBlock ... -channelID ...`.
const ProfileName = "GovLedgerChannel"

// Raft options. Fabric's defaults; written out so the channel configuration
// does not depend on the configtxgen version's defaults.
const (
	raftTickInterval         = "500ms"
	raftElectionTick         = 10
	raftHeartbeatTick        = 1
	raftMaxInflightBlocks    = 5
	raftSnapshotIntervalSize = 16 << 20
)

// configTx is the subset of configtxgen's TopLevel that GovLedger uses.
// Organizations is repeated at the top level so `configtxgen -printOrg`
// works when an organisation joins later.
type configTx struct {
	Organizations []organization       `yaml:"Organizations"`
	Profiles      map[string]chProfile `yaml:"Profiles"`
}

type chProfile struct {
	Policies     map[string]policy `yaml:"Policies"`
	Capabilities map[string]bool   `yaml:"Capabilities"`
	Orderer      orderer           `yaml:"Orderer"`
	Application  application       `yaml:"Application"`
}

type policy struct {
	Type string `yaml:"Type"`
	Rule string `yaml:"Rule"`
}

type organization struct {
	Name             string            `yaml:"Name"`
	ID               string            `yaml:"ID"`
	MSPDir           string            `yaml:"MSPDir"`
	Policies         map[string]policy `yaml:"Policies"`
	OrdererEndpoints []string          `yaml:"OrdererEndpoints,omitempty"`
	AnchorPeers      []anchorPeer      `yaml:"AnchorPeers,omitempty"`
}

type anchorPeer struct {
	Host string `yaml:"Host"`
	Port int    `yaml:"Port"`
}

type application struct {
	Organizations []organization    `yaml:"Organizations"`
	Policies      map[string]policy `yaml:"Policies"`
	Capabilities  map[string]bool   `yaml:"Capabilities"`
	ACLs          map[string]string `yaml:"ACLs"`
}

type orderer struct {
	OrdererType      string             `yaml:"OrdererType"`
	BatchTimeout     string             `yaml:"BatchTimeout"`
	BatchSize        batchSize          `yaml:"BatchSize"`
	EtcdRaft         *etcdRaft          `yaml:"EtcdRaft,omitempty"`
	ConsenterMapping []consenterMapping `yaml:"ConsenterMapping,omitempty"`
	SmartBFT         *smartBFT          `yaml:"SmartBFT,omitempty"`
	Organizations    []organization     `yaml:"Organizations"`
	Policies         map[string]policy  `yaml:"Policies"`
	Capabilities     map[string]bool    `yaml:"Capabilities"`
}

type batchSize struct {
	MaxMessageCount   uint32 `yaml:"MaxMessageCount"`
	AbsoluteMaxBytes  uint32 `yaml:"AbsoluteMaxBytes"`
	PreferredMaxBytes uint32 `yaml:"PreferredMaxBytes"`
}

type etcdRaft struct {
	Consenters []raftConsenter `yaml:"Consenters"`
	Options    raftOptions     `yaml:"Options"`
}

type raftConsenter struct {
	Host          string `yaml:"Host"`
	Port          int    `yaml:"Port"`
	ClientTLSCert string `yaml:"ClientTLSCert"`
	ServerTLSCert string `yaml:"ServerTLSCert"`
}

type raftOptions struct {
	TickInterval         string `yaml:"TickInterval"`
	ElectionTick         int    `yaml:"ElectionTick"`
	HeartbeatTick        int    `yaml:"HeartbeatTick"`
	MaxInflightBlocks    int    `yaml:"MaxInflightBlocks"`
	SnapshotIntervalSize int    `yaml:"SnapshotIntervalSize"`
}

type consenterMapping struct {
	ID            int    `yaml:"ID"`
	Host          string `yaml:"Host"`
	Port          int    `yaml:"Port"`
	MSPID         string `yaml:"MSPID"`
	Identity      string `yaml:"Identity"`
	ClientTLSCert string `yaml:"ClientTLSCert"`
	ServerTLSCert string `yaml:"ServerTLSCert"`
}

// smartBFT holds every SmartBFT option: configtxgen takes the section as a
// whole (no per-field defaults) and the orderer rejects zero values.
// RequestBatchMaxCount/Bytes are overwritten by the orderer from BatchSize;
// leader rotation stays off (configtxgen forces it off anyway).
type smartBFT struct {
	RequestBatchMaxCount      uint32 `yaml:"RequestBatchMaxCount"`
	RequestBatchMaxBytes      uint32 `yaml:"RequestBatchMaxBytes"`
	RequestBatchMaxInterval   string `yaml:"RequestBatchMaxInterval"`
	IncomingMessageBufferSize int    `yaml:"IncomingMessageBufferSize"`
	RequestPoolSize           int    `yaml:"RequestPoolSize"`
	RequestForwardTimeout     string `yaml:"RequestForwardTimeout"`
	RequestComplainTimeout    string `yaml:"RequestComplainTimeout"`
	RequestAutoRemoveTimeout  string `yaml:"RequestAutoRemoveTimeout"`
	ViewChangeResendInterval  string `yaml:"ViewChangeResendInterval"`
	ViewChangeTimeout         string `yaml:"ViewChangeTimeout"`
	LeaderHeartbeatTimeout    string `yaml:"LeaderHeartbeatTimeout"`
	LeaderHeartbeatCount      int    `yaml:"LeaderHeartbeatCount"`
	CollectTimeout            string `yaml:"CollectTimeout"`
	SyncOnStart               bool   `yaml:"SyncOnStart"`
	SpeedUpViewChange         bool   `yaml:"SpeedUpViewChange"`
}

func implicitMeta(rule string) policy { return policy{Type: "ImplicitMeta", Rule: rule} }

func signature(mspID string, roles ...string) policy {
	p := topology.Policy{N: 1}
	for _, r := range roles {
		p.Rules = append(p.Rules, topology.Policy{Principal: &topology.Principal{MSPID: mspID, Role: r}})
	}
	return policy{Type: "Signature", Rule: p.String()}
}

// ConfigTx renders configtx.yaml for Fabric v3 configtxgen with the single
// profile ProfileName: the application channel's genesis block, joined
// through the channel participation API (there is no system channel). MSP
// and certificate paths come from l as given; pass an absolute l.Root when
// configtxgen runs in another folder.
func ConfigTx(t *topology.Topology, l topology.Layout) ([]byte, error) {
	if err := t.Validate(); err != nil {
		return nil, fmt.Errorf("configtx: %w", err)
	}
	b := t.Channel.Batch
	// Validate has checked both sizes parse, and bounded the message count
	// to 1..MaxUint32.
	absMax, _ := topology.ParseByteSize(b.AbsoluteMaxBytes)
	prefMax, _ := topology.ParseByteSize(b.PreferredMaxBytes)
	maxCount := uint32(b.MaxMessageCount) //nolint:gosec // G115: Validate bounds it, see above

	ord := ordererOrg(t, l)
	var apps []organization
	for _, o := range t.Orgs {
		apps = append(apps, applicationOrg(o, l))
	}

	o := orderer{
		OrdererType:  t.Ordering.Consensus,
		BatchTimeout: b.Timeout.String(),
		BatchSize: batchSize{
			MaxMessageCount:   maxCount,
			AbsoluteMaxBytes:  absMax,
			PreferredMaxBytes: prefMax,
		},
		Organizations: []organization{ord},
		Policies: map[string]policy{
			"Readers":         implicitMeta("ANY Readers"),
			"Writers":         implicitMeta("ANY Writers"),
			"Admins":          implicitMeta("MAJORITY Admins"),
			"BlockValidation": implicitMeta("ANY Writers"),
		},
		Capabilities: map[string]bool{"V2_0": true},
	}
	switch t.Ordering.Consensus {
	case topology.ConsensusBFT:
		o.ConsenterMapping = bftConsenters(t, l)
		o.SmartBFT = &smartBFT{
			RequestBatchMaxCount:      maxCount,
			RequestBatchMaxBytes:      absMax,
			RequestBatchMaxInterval:   b.Timeout.String(),
			IncomingMessageBufferSize: 200,
			RequestPoolSize:           100000,
			RequestForwardTimeout:     "2s",
			RequestComplainTimeout:    "20s",
			RequestAutoRemoveTimeout:  "3m0s",
			ViewChangeResendInterval:  "5s",
			ViewChangeTimeout:         "20s",
			LeaderHeartbeatTimeout:    "1m0s",
			LeaderHeartbeatCount:      10,
			CollectTimeout:            "1s",
		}
	default:
		o.EtcdRaft = &etcdRaft{
			Consenters: raftConsenters(t, l),
			Options: raftOptions{
				TickInterval:         raftTickInterval,
				ElectionTick:         raftElectionTick,
				HeartbeatTick:        raftHeartbeatTick,
				MaxInflightBlocks:    raftMaxInflightBlocks,
				SnapshotIntervalSize: raftSnapshotIntervalSize,
			},
		}
	}

	doc := configTx{
		Organizations: append([]organization{ord}, apps...),
		Profiles: map[string]chProfile{ProfileName: {
			Policies: map[string]policy{
				"Readers": implicitMeta("ANY Readers"),
				"Writers": implicitMeta("ANY Writers"),
				"Admins":  implicitMeta("MAJORITY Admins"),
			},
			Capabilities: map[string]bool{"V3_0": true},
			Orderer:      o,
			Application: application{
				Organizations: apps,
				Policies: map[string]policy{
					"LifecycleEndorsement": implicitMeta("MAJORITY Endorsement"),
					"Endorsement":          implicitMeta("MAJORITY Endorsement"),
					"Readers":              implicitMeta("ANY Readers"),
					"Writers":              implicitMeta("ANY Writers"),
					"Admins":               implicitMeta("MAJORITY Admins"),
				},
				Capabilities: map[string]bool{"V2_5": true},
				// A proposal (evaluate or endorse) needs only Readers, so the
				// read-only organisation's clients can query. Submitting
				// still needs /Channel/Writers at the orderer, which their
				// organisation's Writers policy (admin only) denies them.
				ACLs: map[string]string{
					"peer/Propose":              "/Channel/Application/Readers",
					"peer/ChaincodeToChaincode": "/Channel/Application/Readers",
				},
			},
		}},
	}

	var buf bytes.Buffer
	buf.WriteString("# Generated by network/cmd/netgen from network/topology.yaml; do not edit.\n")
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(doc); err != nil {
		return nil, fmt.Errorf("configtx: encode: %w", err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("configtx: encode: %w", err)
	}
	return buf.Bytes(), nil
}

func ordererOrg(t *topology.Topology, l topology.Layout) organization {
	id := t.Ordering.MSPID
	org := organization{
		Name:   t.Ordering.Name,
		ID:     id,
		MSPDir: l.OrgMSPDir(id),
		Policies: map[string]policy{
			"Readers": signature(id, topology.RoleMember),
			"Writers": signature(id, topology.RoleMember),
			"Admins":  signature(id, topology.RoleAdmin),
		},
	}
	// Under BFT every consenter must also be a delivery endpoint, and V3_0
	// requires per-organisation endpoints; listing exactly the consenters
	// satisfies both.
	for _, n := range t.Consenters() {
		org.OrdererEndpoints = append(org.OrdererEndpoints, n.Address())
	}
	return org
}

func applicationOrg(o topology.Org, l topology.Layout) organization {
	writers := signature(o.MSPID, topology.RoleAdmin, topology.RoleClient)
	if o.ReadOnly {
		writers = signature(o.MSPID, topology.RoleAdmin)
	}
	org := organization{
		Name:   o.Name,
		ID:     o.MSPID,
		MSPDir: l.OrgMSPDir(o.MSPID),
		Policies: map[string]policy{
			"Readers": signature(o.MSPID, topology.RoleAdmin, topology.RolePeer, topology.RoleClient),
			"Writers": writers,
			"Admins":  signature(o.MSPID, topology.RoleAdmin),
			// Even the read-only organisation keeps a peer Endorsement
			// policy: it is the endorsement policy of its implicit
			// collection, so its lifecycle approvals validate against it.
			// Chaincode endorsement policies never name it (Validate).
			"Endorsement": signature(o.MSPID, topology.RolePeer),
		},
	}
	for _, p := range o.AnchorPeers() {
		org.AnchorPeers = append(org.AnchorPeers, anchorPeer{Host: p.Host, Port: p.Port})
	}
	return org
}

func raftConsenters(t *topology.Topology, l topology.Layout) []raftConsenter {
	var out []raftConsenter
	for _, n := range t.Consenters() {
		cert := topology.TLSCert(l.OrdererDir(t.Ordering.MSPID, n.Name))
		out = append(out, raftConsenter{Host: n.Host, Port: n.Port, ClientTLSCert: cert, ServerTLSCert: cert})
	}
	return out
}

func bftConsenters(t *topology.Topology, l topology.Layout) []consenterMapping {
	var out []consenterMapping
	for i, n := range t.Consenters() {
		dir := l.OrdererDir(t.Ordering.MSPID, n.Name)
		cert := topology.TLSCert(dir)
		out = append(out, consenterMapping{
			ID:            i + 1,
			Host:          n.Host,
			Port:          n.Port,
			MSPID:         t.Ordering.MSPID,
			Identity:      topology.SignCert(topology.NodeMSPDir(dir)),
			ClientTLSCert: cert,
			ServerTLSCert: cert,
		})
	}
	return out
}
