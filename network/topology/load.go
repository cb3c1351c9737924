package topology

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// MaxFileSize bounds a topology file; real ones are a few kilobytes.
const MaxFileSize = 1 << 20

// Defaults applied to fields a topology file leaves out.
const (
	DefaultHost              = "127.0.0.1"
	DefaultConsensus         = ConsensusRaft
	DefaultBatchTimeout      = 100 * time.Millisecond
	DefaultMaxMessageCount   = 500
	DefaultAbsoluteMaxBytes  = "10 MB"
	DefaultPreferredMaxBytes = "2 MB"
	DefaultChaincodeVersion  = "1.0"
	DefaultChaincodeSequence = 1
)

// ErrParse is wrapped by every error Parse returns for input that is not a
// well-formed topology document.
var ErrParse = errors.New("cannot parse topology")

// Load reads, parses and validates a topology file.
func Load(path string) (*Topology, error) {
	f, err := os.Open(filepath.Clean(path))
	if err != nil {
		return nil, fmt.Errorf("load topology: %w", err)
	}
	defer func() { _ = f.Close() }() // read only: a failed close loses nothing
	data, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("load topology %s: %w", path, err)
	}
	t, err := Parse(data)
	if err != nil {
		return nil, fmt.Errorf("load topology %s: %w", path, err)
	}
	return t, nil
}

// Parse decodes a topology document strictly (unknown fields are errors, so
// a misspelt key never silently falls back to a default), fills in defaults
// and validates the result.
func Parse(data []byte) (*Topology, error) {
	if len(data) > MaxFileSize {
		return nil, fmt.Errorf("%w: larger than %d bytes", ErrParse, MaxFileSize)
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var t Topology
	if err := dec.Decode(&t); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("%w: empty document", ErrParse)
		}
		return nil, fmt.Errorf("%w: %w", ErrParse, err)
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%w: more than one YAML document", ErrParse)
	}
	t.applyDefaults()
	if err := t.Validate(); err != nil {
		return nil, err
	}
	return &t, nil
}

// applyDefaults fills what the file leaves out. Hosts are copied onto every
// node so consumers never need to fall back to Topology.Host themselves.
func (t *Topology) applyDefaults() {
	if t.Host == "" {
		t.Host = DefaultHost
	}
	if t.Ordering.Consensus == "" {
		t.Ordering.Consensus = DefaultConsensus
	}
	b := &t.Channel.Batch
	if b.Timeout == 0 {
		b.Timeout = DefaultBatchTimeout
	}
	if b.MaxMessageCount == 0 {
		b.MaxMessageCount = DefaultMaxMessageCount
	}
	if b.AbsoluteMaxBytes == "" {
		b.AbsoluteMaxBytes = DefaultAbsoluteMaxBytes
	}
	if b.PreferredMaxBytes == "" {
		b.PreferredMaxBytes = DefaultPreferredMaxBytes
	}
	defaultHost(&t.Ordering.CA.Host, t.Host)
	for i := range t.Ordering.Orderers {
		defaultHost(&t.Ordering.Orderers[i].Host, t.Host)
	}
	for i := range t.Ordering.BFTOrderers {
		defaultHost(&t.Ordering.BFTOrderers[i].Host, t.Host)
	}
	for i := range t.Orgs {
		o := &t.Orgs[i]
		defaultHost(&o.CA.Host, t.Host)
		anchored := false
		for j := range o.Peers {
			defaultHost(&o.Peers[j].Host, t.Host)
			anchored = anchored || o.Peers[j].Anchor
		}
		if !anchored && len(o.Peers) > 0 {
			o.Peers[0].Anchor = true
		}
	}
	for i := range t.Chaincodes {
		cc := &t.Chaincodes[i]
		if cc.Version == "" {
			cc.Version = DefaultChaincodeVersion
		}
		if cc.Sequence == 0 {
			cc.Sequence = DefaultChaincodeSequence
		}
		if strings.TrimSpace(cc.EndorsementPolicy) == "" {
			cc.EndorsementPolicy = t.defaultEndorsementPolicy()
		}
		for j := range cc.Collections {
			c := &cc.Collections[j]
			if strings.TrimSpace(c.EndorsementPolicy) == "" && len(c.Members) > 0 {
				c.EndorsementPolicy = AnyOf(RolePeer, c.Members...).String()
			}
		}
	}
}

// defaultEndorsementPolicy is a majority of the endorsing organisations'
// peers. The channel's own default (MAJORITY Endorsement) would count the
// read-only organisation too, whose Endorsement policy its peers must be
// able to satisfy for its lifecycle approvals to validate.
func (t *Topology) defaultEndorsementPolicy() string {
	var ids []string
	for _, o := range t.EndorsingOrgs() {
		ids = append(ids, o.MSPID)
	}
	if len(ids) == 0 {
		return ""
	}
	p := AnyOf(RolePeer, ids...)
	p.N = len(ids)/2 + 1
	return p.String()
}

func defaultHost(h *string, def string) {
	if *h == "" {
		*h = def
	}
}
