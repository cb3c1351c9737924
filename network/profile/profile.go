// Package profile is the connection profile of one organisation: what its
// gateway needs to reach the network (peers, orderers, TLS roots and server
// names), which chaincodes and private data collections exist and which
// organisations are members of each collection, and where its enrolled
// users' certificates and keys are. network/cmd/netgen writes one profile
// per organisation from the topology; the gateway service reads it.
package profile

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strconv"

	"github.com/govledger/govledger/network/topology"
)

// MaxFileSize bounds a profile file; real ones are a few kilobytes.
const MaxFileSize = 1 << 20

// Errors callers can test for with errors.Is.
var (
	// ErrUnknownOrg is returned by Build for an MSP ID that is not an
	// application organisation of the topology.
	ErrUnknownOrg = errors.New("unknown organisation")
	// ErrInvalid is wrapped by every error for a malformed profile.
	ErrInvalid = errors.New("invalid connection profile")
)

// FieldError names the profile field that breaks a rule.
type FieldError struct {
	Field string
	Rule  string
}

func (e *FieldError) Error() string { return ErrInvalid.Error() + ": " + e.Field + ": " + e.Rule }

// Unwrap makes every FieldError match ErrInvalid.
func (e *FieldError) Unwrap() error { return ErrInvalid }

// Profile is one organisation's view of the network.
type Profile struct {
	// MSPID is the organisation the profile belongs to.
	MSPID string `json:"mspID"`
	// Channel is the application channel.
	Channel string `json:"channel"`
	// ReadOnly marks an observer organisation: its users may evaluate but
	// the channel rejects their submissions.
	ReadOnly bool `json:"readOnly"`
	// Peers lists the organisation's own peers first, then every other
	// organisation's, in topology order.
	Peers []Endpoint `json:"peers"`
	// Orderers are the active consenters.
	Orderers []Endpoint `json:"orderers"`
	// Chaincodes deployed on the channel.
	Chaincodes []Chaincode `json:"chaincodes"`
	// Users are the organisation's enrolled identities by name, its admin
	// (topology.AdminUser) included.
	Users map[string]User `json:"users"`
}

// Endpoint is a node a client connects to.
type Endpoint struct {
	// Name is the node's name within its organisation (peer0, orderer1).
	Name string `json:"name"`
	// MSPID is the organisation running the node.
	MSPID string `json:"mspID"`
	// Address is host:port.
	Address string `json:"address"`
	// TLSCACert is the PEM file of the root that signed the node's TLS
	// certificate.
	TLSCACert string `json:"tlsCACert"`
	// ServerName is the name to verify the node's TLS certificate against
	// (<node>.<domain>), since Address is usually an IP address.
	ServerName string `json:"serverName"`
}

// Chaincode is a deployed chaincode and its private data collections.
type Chaincode struct {
	Name        string       `json:"name"`
	Collections []Collection `json:"collections,omitempty"`
}

// Collection is a private data collection of a chaincode. The gateway sends
// a function that writes it to member organisations' peers only, since only
// they can simulate the private writes.
type Collection struct {
	Name string `json:"name"`
	// Members are the MSP IDs whose peers store the collection's data, in
	// topology order (the collection config's member policy).
	Members []string `json:"members"`
}

// User is where an enrolled identity's credentials live.
type User struct {
	// CertPath is the PEM enrolment certificate.
	CertPath string `json:"certPath"`
	// KeyDir holds the identity's one private key (an MSP keystore).
	KeyDir string `json:"keyDir"`
}

// Build derives the profile of the application organisation mspID.
func Build(t *topology.Topology, l topology.Layout, mspID string) (*Profile, error) {
	if err := t.Validate(); err != nil {
		return nil, fmt.Errorf("profile: %w", err)
	}
	org, ok := t.OrgByMSPID(mspID)
	if !ok {
		return nil, fmt.Errorf("profile: %w %q", ErrUnknownOrg, mspID)
	}
	p := &Profile{
		MSPID:    mspID,
		Channel:  t.Channel.Name,
		ReadOnly: org.ReadOnly,
		Users:    map[string]User{},
	}
	p.Peers = append(p.Peers, peers(*org, l)...)
	for _, o := range t.Orgs {
		if o.MSPID != mspID {
			p.Peers = append(p.Peers, peers(o, l)...)
		}
	}
	for _, n := range t.Consenters() {
		p.Orderers = append(p.Orderers, Endpoint{
			Name:       n.Name,
			MSPID:      t.Ordering.MSPID,
			Address:    n.Address(),
			TLSCACert:  l.TLSCACert(t.Ordering.MSPID),
			ServerName: topology.ServerName(n.Name, t.Ordering.Domain),
		})
	}
	for _, cc := range t.Chaincodes {
		c := Chaincode{Name: cc.Name}
		for _, col := range cc.Collections {
			c.Collections = append(c.Collections, Collection{Name: col.Name, Members: slices.Clone(col.Members)})
		}
		p.Chaincodes = append(p.Chaincodes, c)
	}
	addUser := func(name string) {
		dir := l.UserMSPDir(mspID, name)
		p.Users[name] = User{CertPath: topology.SignCert(dir), KeyDir: topology.KeyStore(dir)}
	}
	addUser(topology.AdminUser)
	for _, u := range org.Users {
		addUser(u.Name)
	}
	if err := p.Validate(); err != nil {
		return nil, err
	}
	return p, nil
}

func peers(o topology.Org, l topology.Layout) []Endpoint {
	out := make([]Endpoint, 0, len(o.Peers))
	for _, pe := range o.Peers {
		out = append(out, Endpoint{
			Name:       pe.Name,
			MSPID:      o.MSPID,
			Address:    pe.Address(),
			TLSCACert:  l.TLSCACert(o.MSPID),
			ServerName: topology.ServerName(pe.Name, o.Domain),
		})
	}
	return out
}

// Load reads and validates a profile file. Unknown fields are rejected so a
// profile from a different generator version fails loudly.
func Load(path string) (*Profile, error) {
	f, err := os.Open(filepath.Clean(path))
	if err != nil {
		return nil, fmt.Errorf("load profile: %w", err)
	}
	defer func() { _ = f.Close() }() // read only: a failed close loses nothing
	data, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("load profile %s: %w", path, err)
	}
	p, err := Parse(data)
	if err != nil {
		return nil, fmt.Errorf("load profile %s: %w", path, err)
	}
	return p, nil
}

// Parse decodes and validates a profile document.
func Parse(data []byte) (*Profile, error) {
	if len(data) > MaxFileSize {
		return nil, fmt.Errorf("%w: larger than %d bytes", ErrInvalid, MaxFileSize)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var p Profile
	if err := dec.Decode(&p); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	if dec.More() {
		return nil, fmt.Errorf("%w: data after the profile object", ErrInvalid)
	}
	if err := p.Validate(); err != nil {
		return nil, err
	}
	return &p, nil
}

// Marshal renders the profile as indented JSON (map keys sorted, so the
// output is deterministic).
func (p *Profile) Marshal() ([]byte, error) {
	data, err := json.MarshalIndent(p, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("profile %s: %w", p.MSPID, err)
	}
	return append(data, '\n'), nil
}

// Validate checks that the profile is usable: it names its organisation and
// channel, every endpoint is complete, at least one peer belongs to the
// organisation, and every user has credentials.
func (p *Profile) Validate() error {
	if p.MSPID == "" {
		return &FieldError{Field: "mspID", Rule: "is required"}
	}
	if p.Channel == "" {
		return &FieldError{Field: "channel", Rule: "is required"}
	}
	if !slices.ContainsFunc(p.Peers, func(e Endpoint) bool { return e.MSPID == p.MSPID }) {
		return &FieldError{Field: "peers", Rule: "no peer of " + p.MSPID}
	}
	for i, e := range p.Peers {
		if err := e.validate(fmt.Sprintf("peers[%d]", i)); err != nil {
			return err
		}
	}
	for i, e := range p.Orderers {
		if err := e.validate(fmt.Sprintf("orderers[%d]", i)); err != nil {
			return err
		}
	}
	for i, c := range p.Chaincodes {
		if c.Name == "" {
			return &FieldError{Field: fmt.Sprintf("chaincodes[%d].name", i), Rule: "is required"}
		}
		if err := c.validateCollections(fmt.Sprintf("chaincodes[%d].collections", i)); err != nil {
			return err
		}
	}
	names := make([]string, 0, len(p.Users))
	for name := range p.Users {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		u := p.Users[name]
		switch {
		case name == "":
			return &FieldError{Field: "users", Rule: "user name is empty"}
		case u.CertPath == "":
			return &FieldError{Field: "users." + name + ".certPath", Rule: "is required"}
		case u.KeyDir == "":
			return &FieldError{Field: "users." + name + ".keyDir", Rule: "is required"}
		}
	}
	return nil
}

// validateCollections requires named, unique collections, each with at
// least one member and no member twice.
func (c Chaincode) validateCollections(field string) error {
	names := map[string]bool{}
	for i, col := range c.Collections {
		at := fmt.Sprintf("%s[%d]", field, i)
		if col.Name == "" {
			return &FieldError{Field: at + ".name", Rule: "is required"}
		}
		if names[col.Name] {
			return &FieldError{Field: at + ".name", Rule: fmt.Sprintf("%q is listed twice", col.Name)}
		}
		names[col.Name] = true
		if len(col.Members) == 0 {
			return &FieldError{Field: at + ".members", Rule: "needs at least one MSP ID"}
		}
		seen := map[string]bool{}
		for j, m := range col.Members {
			switch {
			case m == "":
				return &FieldError{Field: fmt.Sprintf("%s.members[%d]", at, j), Rule: "is empty"}
			case seen[m]:
				return &FieldError{Field: fmt.Sprintf("%s.members[%d]", at, j), Rule: fmt.Sprintf("%q is listed twice", m)}
			}
			seen[m] = true
		}
	}
	return nil
}

func (e Endpoint) validate(field string) error {
	switch {
	case e.Name == "":
		return &FieldError{Field: field + ".name", Rule: "is required"}
	case e.MSPID == "":
		return &FieldError{Field: field + ".mspID", Rule: "is required"}
	case e.TLSCACert == "":
		return &FieldError{Field: field + ".tlsCACert", Rule: "is required"}
	case e.ServerName == "":
		return &FieldError{Field: field + ".serverName", Rule: "is required"}
	}
	host, port, err := net.SplitHostPort(e.Address)
	if err != nil {
		return &FieldError{Field: field + ".address", Rule: fmt.Sprintf("%q is not host:port", e.Address)}
	}
	if n, err := strconv.Atoi(port); host == "" || err != nil || n < 1 || n > 65535 {
		return &FieldError{Field: field + ".address", Rule: fmt.Sprintf("%q needs a host and a port 1..65535", e.Address)}
	}
	return nil
}

// User returns the named user's credentials.
func (p *Profile) User(name string) (User, bool) {
	u, ok := p.Users[name]
	return u, ok
}

// OwnPeers are the organisation's own peers, the ones its gateway should
// prefer.
func (p *Profile) OwnPeers() []Endpoint {
	var out []Endpoint
	for _, e := range p.Peers {
		if e.MSPID == p.MSPID {
			out = append(out, e)
		}
	}
	return out
}
