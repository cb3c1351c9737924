package server

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/govledger/govledger/chaincode/noop"
)

func TestNew(t *testing.T) {
	cc, err := noop.Chaincode()
	require.NoError(t, err)
	dir := t.TempDir()
	cert := filepath.Join(dir, "cert.pem")
	key := filepath.Join(dir, "key.pem")
	require.NoError(t, os.WriteFile(cert, []byte("cert"), 0o600))
	require.NoError(t, os.WriteFile(key, []byte("key"), 0o600))

	for _, tc := range []struct {
		name string
		cfg  Config
		ok   bool
	}{
		{"plaintext needs only an id and an address", Config{ID: "noop_1.0:abc", Address: "127.0.0.1:9900"}, true},
		{"TLS reads the certificate and key", Config{ID: "x", Address: "a:1", TLSCert: cert, TLSKey: key, ClientCA: cert}, true},
		{"rejects a missing package id", Config{Address: "a:1"}, false},
		{"rejects a missing address", Config{ID: "x"}, false},
		{"rejects TLS without a key", Config{ID: "x", Address: "a:1", TLSCert: cert}, false},
		{"rejects an unreadable certificate", Config{ID: "x", Address: "a:1", TLSCert: filepath.Join(dir, "none"), TLSKey: key}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv, err := New(cc, tc.cfg)
			if !tc.ok {
				require.ErrorIs(t, err, ErrConfig)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.cfg.ID, srv.CCID)
			require.Equal(t, tc.cfg.TLSCert == "", srv.TLSProps.Disabled)
		})
	}
}

func TestConfigFromEnv(t *testing.T) {
	t.Setenv(EnvID, "id")
	t.Setenv(EnvAddress, "127.0.0.1:1")
	t.Setenv(EnvTLSCert, "c")
	t.Setenv(EnvTLSKey, "k")
	t.Setenv(EnvClientCA, "ca")
	require.Equal(t, Config{ID: "id", Address: "127.0.0.1:1", TLSCert: "c", TLSKey: "k", ClientCA: "ca"}, ConfigFromEnv())
}
