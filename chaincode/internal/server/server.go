// Package server runs a chaincode as an external service (chaincode as a
// service): the peer's external builder gives it a connection.json naming this
// process's address, and the peer dials in.
package server

import (
	"errors"
	"fmt"
	"os"

	"github.com/hyperledger/fabric-chaincode-go/v2/shim"
)

// Environment variables that configure a chaincode server. They follow the
// names fabric-samples use for chaincode-as-a-service so operators find them
// familiar.
const (
	EnvID       = "CHAINCODE_ID"             // package ID returned by `peer lifecycle chaincode install`
	EnvAddress  = "CHAINCODE_SERVER_ADDRESS" // host:port to listen on
	EnvTLSCert  = "CHAINCODE_TLS_CERT"       // PEM file; TLS is on when set
	EnvTLSKey   = "CHAINCODE_TLS_KEY"        // PEM file
	EnvClientCA = "CHAINCODE_CLIENT_CA_CERT" // PEM file; when set, peers must present a client certificate it signed
)

// Config is where and how a chaincode server listens.
type Config struct {
	ID       string
	Address  string
	TLSCert  string
	TLSKey   string
	ClientCA string
}

// ConfigFromEnv reads Config from the environment.
func ConfigFromEnv() Config {
	return Config{
		ID:       os.Getenv(EnvID),
		Address:  os.Getenv(EnvAddress),
		TLSCert:  os.Getenv(EnvTLSCert),
		TLSKey:   os.Getenv(EnvTLSKey),
		ClientCA: os.Getenv(EnvClientCA),
	}
}

// ErrConfig reports a missing or unreadable server setting.
var ErrConfig = errors.New("chaincode server configuration")

// New builds a chaincode server for cc from cfg.
func New(cc shim.Chaincode, cfg Config) (*shim.ChaincodeServer, error) {
	if cfg.ID == "" {
		return nil, fmt.Errorf("%w: %s is required", ErrConfig, EnvID)
	}
	if cfg.Address == "" {
		return nil, fmt.Errorf("%w: %s is required", ErrConfig, EnvAddress)
	}
	tls := shim.TLSProperties{Disabled: cfg.TLSCert == ""}
	if !tls.Disabled {
		var err error
		if tls.Cert, err = readFile(EnvTLSCert, cfg.TLSCert); err != nil {
			return nil, err
		}
		if tls.Key, err = readFile(EnvTLSKey, cfg.TLSKey); err != nil {
			return nil, err
		}
		if cfg.ClientCA != "" {
			if tls.ClientCACerts, err = readFile(EnvClientCA, cfg.ClientCA); err != nil {
				return nil, err
			}
		}
	}
	return &shim.ChaincodeServer{CCID: cfg.ID, Address: cfg.Address, CC: cc, TLSProps: tls}, nil
}

// Run serves cc with the configuration in the environment until the server
// fails. It is what every chaincode's main calls.
func Run(cc shim.Chaincode) error {
	srv, err := New(cc, ConfigFromEnv())
	if err != nil {
		return err
	}
	if err := srv.Start(); err != nil {
		return fmt.Errorf("chaincode server on %s: %w", srv.Address, err)
	}
	return nil
}

func readFile(env, path string) ([]byte, error) {
	if path == "" {
		return nil, fmt.Errorf("%w: %s is required when TLS is on", ErrConfig, env)
	}
	b, err := os.ReadFile(path) //nolint:gosec // the operator names the file
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrConfig, env, err)
	}
	return b, nil
}
