package ccpackage

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"net"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// ErrInvalid is matched (errors.Is) by every validation failure in this
// package, so callers can tell bad input from I/O failures.
var ErrInvalid = errors.New("invalid chaincode package input")

// FieldError names the input field that broke a rule. Err, when set, is the
// underlying parse failure; it never carries key material.
type FieldError struct {
	Field string
	Rule  string
	Err   error
}

// Error reads as `field "address": must be host:port: ...`.
func (e *FieldError) Error() string {
	msg := fmt.Sprintf("field %q: %s", e.Field, e.Rule)
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

// Unwrap exposes both ErrInvalid and the underlying cause.
func (e *FieldError) Unwrap() []error {
	if e.Err == nil {
		return []error{ErrInvalid}
	}
	return []error{ErrInvalid, e.Err}
}

// Connection is the connection.json document that tells a peer how to dial a
// chaincode server. The JSON names and types are those of Fabric's
// externalbuilder.ChaincodeServerUserData, which is what the peer decodes.
type Connection struct {
	// Address is the host:port the peer dials.
	Address string `json:"address"`
	// Domain overrides the TLS server name the peer expects; Fabric applies it
	// only with client authentication.
	Domain string `json:"domain,omitempty"`
	// DialTimeout is a Go duration ("10s"); empty means Fabric's 3s default.
	DialTimeout string `json:"dial_timeout,omitempty"`
	// TLSRequired is a JSON boolean; Fabric treats a missing value as false.
	TLSRequired        bool   `json:"tls_required"`
	ClientAuthRequired bool   `json:"client_auth_required,omitempty"`
	ClientKey          string `json:"client_key,omitempty"`  // PEM private key the peer presents
	ClientCert         string `json:"client_cert,omitempty"` // PEM certificate the peer presents
	RootCert           string `json:"root_cert,omitempty"`   // PEM root that signed the chaincode server's certificate
}

// MaxConnectionSize bounds connection.json; a few PEM blocks fit easily and a
// larger file is not one we wrote.
const MaxConnectionSize = 1 << 20

// ParseConnection decodes and validates connection.json. Unknown fields are
// rejected because a misspelt "tls_required" would otherwise silently mean
// plaintext. Every broken rule is reported, joined, as *FieldError values.
func ParseConnection(data []byte) (Connection, error) {
	if len(data) > MaxConnectionSize {
		return Connection{}, fmt.Errorf("%w: connection.json is larger than %d bytes", ErrInvalid, MaxConnectionSize)
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		return Connection{}, fmt.Errorf("%w: connection.json must be a JSON object: %w", ErrInvalid, err)
	}
	var c Connection
	fields := []struct {
		name   string
		target any
		kind   string
	}{
		{"address", &c.Address, "string"},
		{"domain", &c.Domain, "string"},
		{"dial_timeout", &c.DialTimeout, "string"},
		{"tls_required", &c.TLSRequired, "boolean"},
		{"client_auth_required", &c.ClientAuthRequired, "boolean"},
		{"client_key", &c.ClientKey, "string"},
		{"client_cert", &c.ClientCert, "string"},
		{"root_cert", &c.RootCert, "string"},
	}
	var errs []error
	known := make(map[string]bool, len(fields))
	for _, f := range fields {
		known[f.name] = true
		value, ok := raw[f.name]
		if !ok {
			continue
		}
		if err := json.Unmarshal(value, f.target); err != nil {
			errs = append(errs, &FieldError{Field: f.name, Rule: "must be a JSON " + f.kind})
		}
	}
	var unknown []string
	for name := range raw {
		if !known[name] {
			unknown = append(unknown, name)
		}
	}
	slices.Sort(unknown)
	for _, name := range unknown {
		errs = append(errs, &FieldError{Field: name, Rule: "is not a connection.json field"})
	}
	if len(errs) > 0 {
		return Connection{}, errors.Join(errs...)
	}
	if err := c.Validate(); err != nil {
		return Connection{}, err
	}
	return c, nil
}

// Validate checks c against what the peer needs to dial the chaincode. It
// reports every broken rule, joined, as *FieldError values.
func (c Connection) Validate() error {
	var errs []error
	add := func(err *FieldError) {
		if err != nil {
			errs = append(errs, err)
		}
	}
	add(validateAddress(c.Address))
	if c.Domain != "" && !validHostname(c.Domain) {
		add(&FieldError{Field: "domain", Rule: "must be a DNS host name"})
	}
	if c.DialTimeout != "" {
		d, err := time.ParseDuration(c.DialTimeout)
		switch {
		case err != nil:
			add(&FieldError{Field: "dial_timeout", Rule: `must be a Go duration such as "10s"`, Err: err})
		case d <= 0:
			add(&FieldError{Field: "dial_timeout", Rule: "must be positive"})
		}
	}
	if !c.TLSRequired {
		// Fabric ignores TLS material when tls_required is false, and Fabric's
		// docs wrongly call true the default: certificates next to a missing
		// tls_required almost always mean someone expected TLS and would get
		// plaintext, so that mix is refused.
		for _, f := range []struct {
			name string
			set  bool
		}{
			{"client_auth_required", c.ClientAuthRequired},
			{"client_key", c.ClientKey != ""},
			{"client_cert", c.ClientCert != ""},
			{"root_cert", c.RootCert != ""},
		} {
			if f.set {
				add(&FieldError{Field: f.name, Rule: "must be unset when tls_required is false"})
			}
		}
		return errors.Join(errs...)
	}
	if c.RootCert == "" {
		add(&FieldError{Field: "root_cert", Rule: "is required when tls_required is true"})
	} else {
		add(validateCertificates("root_cert", c.RootCert))
	}
	if !c.ClientAuthRequired {
		for _, f := range []struct {
			name string
			set  bool
		}{
			{"client_key", c.ClientKey != ""},
			{"client_cert", c.ClientCert != ""},
		} {
			if f.set {
				add(&FieldError{Field: f.name, Rule: "must be unset when client_auth_required is false"})
			}
		}
		return errors.Join(errs...)
	}
	certErr := &FieldError{Field: "client_cert", Rule: "is required when client_auth_required is true"}
	if c.ClientCert != "" {
		certErr = validateCertificates("client_cert", c.ClientCert)
	}
	add(certErr)
	switch {
	case c.ClientKey == "":
		add(&FieldError{Field: "client_key", Rule: "is required when client_auth_required is true"})
	case certErr == nil:
		// The peer loads the pair with tls.X509KeyPair, so the same call is
		// the exact test; its errors never quote the key.
		if _, err := tls.X509KeyPair([]byte(c.ClientCert), []byte(c.ClientKey)); err != nil {
			add(&FieldError{Field: "client_key", Rule: "must be a PEM private key matching client_cert", Err: err})
		}
	}
	return errors.Join(errs...)
}

func validateAddress(address string) *FieldError {
	if address == "" {
		return &FieldError{Field: "address", Rule: "is required"}
	}
	host, port, err := net.SplitHostPort(address)
	if err != nil {
		return &FieldError{Field: "address", Rule: "must be host:port", Err: err}
	}
	if host == "" || (net.ParseIP(host) == nil && !validHostname(host)) {
		return &FieldError{Field: "address", Rule: "must name a DNS host or IP address before the port"}
	}
	if n, err := strconv.ParseUint(port, 10, 16); err != nil || n == 0 {
		return &FieldError{Field: "address", Rule: "must end in a port between 1 and 65535"}
	}
	return nil
}

var hostnameLabel = regexp.MustCompile(`^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$`)

func validHostname(host string) bool {
	if len(host) > 253 {
		return false
	}
	for label := range strings.SplitSeq(host, ".") {
		if !hostnameLabel.MatchString(label) {
			return false
		}
	}
	return true
}

// validateCertificates accepts one or more PEM CERTIFICATE blocks and nothing
// else, so stray bytes cannot hide a truncated or mislabelled block.
func validateCertificates(field, text string) *FieldError {
	rest := []byte(text)
	count := 0
	for {
		block, next := pem.Decode(rest)
		if block == nil {
			break
		}
		if block.Type != "CERTIFICATE" {
			return &FieldError{Field: field, Rule: fmt.Sprintf("must hold only CERTIFICATE PEM blocks, found %q", block.Type)}
		}
		if _, err := x509.ParseCertificate(block.Bytes); err != nil {
			return &FieldError{Field: field, Rule: "must hold parseable X.509 certificates", Err: err}
		}
		count++
		rest = next
	}
	if count == 0 {
		return &FieldError{Field: field, Rule: "must be a PEM encoded certificate"}
	}
	if strings.TrimSpace(string(rest)) != "" {
		return &FieldError{Field: field, Rule: "must hold nothing but PEM certificates"}
	}
	return nil
}
