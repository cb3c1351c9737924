package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/govledger/govledger/gateway/internal/config"
	"github.com/govledger/govledger/gateway/internal/testpki"
	"github.com/govledger/govledger/network/profile"
)

// writeProfile writes a profile for ProcurementMSP whose users live in dir;
// users without a key are non-custodial.
func writeProfile(t *testing.T, dir string, keyless ...string) string {
	t.Helper()
	p := &profile.Profile{
		MSPID:   "ProcurementMSP",
		Channel: "public-services",
		Peers: []profile.Endpoint{{Name: "peer0", MSPID: "ProcurementMSP", Address: "127.0.0.1:1",
			TLSCACert: filepath.Join(dir, "tlsca.pem"), ServerName: "peer0.procurement.govledger.example"}},
		Chaincodes: []profile.Chaincode{{Name: "noop"}, {Name: "procurement", Collections: []profile.Collection{{Name: "bids", Members: []string{"ProcurementMSP", "AuditOfficeMSP"}}}}},
		Users:      map[string]profile.User{},
	}
	for _, name := range []string{"Admin", "buyer1", "external1"} {
		cert, keys := testpki.WriteMSP(t, filepath.Join(dir, name), testpki.New(t, name), 0o600)
		for _, k := range keyless {
			if k == name {
				require.NoError(t, os.RemoveAll(keys))
			}
		}
		p.Users[name] = profile.User{CertPath: cert, KeyDir: keys}
	}
	raw, err := p.Marshal()
	require.NoError(t, err)
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "profiles"), 0o750))
	path := filepath.Join(dir, "profiles", "ProcurementMSP.json")
	require.NoError(t, os.WriteFile(path, raw, 0o600))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "tlsca.pem"), testpki.New(t, "tlsca").CertPEM, 0o600))
	return path
}

func TestLoadWallet(t *testing.T) {
	prof, err := profile.Load(writeProfile(t, t.TempDir(), "external1"))
	require.NoError(t, err)
	w, err := loadWallet(prof)
	require.NoError(t, err)
	require.Equal(t, []string{"Admin", "buyer1", "external1"}, w.Names())
	ext, err := w.Identity("external1")
	require.NoError(t, err)
	require.False(t, ext.Custodial())
}

func TestChaincodesOf(t *testing.T) {
	dir := t.TempDir()
	prof, err := profile.Load(writeProfile(t, dir))
	require.NoError(t, err)
	cfg := config.Defaults()
	cfg.Profile = filepath.Join(dir, "profiles", "ProcurementMSP.json")

	t.Run("serves every chaincode of the profile by default", func(t *testing.T) {
		ccs, members, err := chaincodesOf(&cfg, prof)
		require.NoError(t, err)
		require.Equal(t, []string{"noop", "procurement"}, ccs)
		orgs, ok := members.Lookup("procurement", "bids")
		require.True(t, ok)
		require.Equal(t, []string{"AuditOfficeMSP", "ProcurementMSP"}, orgs)
	})

	t.Run("serves a configured subset", func(t *testing.T) {
		c := cfg
		c.Chaincodes = []string{"noop"}
		ccs, _, err := chaincodesOf(&c, prof)
		require.NoError(t, err)
		require.Equal(t, []string{"noop"}, ccs)
	})

	t.Run("refuses a chaincode the profile does not list", func(t *testing.T) {
		c := cfg
		c.Chaincodes = []string{"payroll"}
		_, _, err := chaincodesOf(&c, prof)
		require.ErrorContains(t, err, "payroll")
	})

	t.Run("reads no members of chaincodes it does not serve", func(t *testing.T) {
		c := cfg
		c.Chaincodes = []string{"noop"}
		_, members, err := chaincodesOf(&c, prof)
		require.NoError(t, err)
		_, ok := members.Lookup("procurement", "bids")
		require.False(t, ok)
	})
}

func TestRun(t *testing.T) {
	t.Run("explains a missing profile", func(t *testing.T) {
		t.Setenv("GOVLEDGER_PROFILE", filepath.Join(t.TempDir(), "none.json"))
		require.ErrorContains(t, run(""), "govnet up")
	})

	t.Run("refuses a profile of another organisation", func(t *testing.T) {
		t.Setenv("GOVLEDGER_PROFILE", writeProfile(t, t.TempDir()))
		t.Setenv("GOVLEDGER_ORG", "AuditOfficeMSP")
		require.ErrorContains(t, run(""), "AuditOfficeMSP")
	})

	t.Run("needs a custodial service user", func(t *testing.T) {
		t.Setenv("GOVLEDGER_PROFILE", writeProfile(t, t.TempDir(), "Admin"))
		require.ErrorContains(t, run(""), "service user")
	})

	t.Run("needs a known service user", func(t *testing.T) {
		t.Setenv("GOVLEDGER_PROFILE", writeProfile(t, t.TempDir()))
		t.Setenv("GOVLEDGER_SERVICE_USER", "ghost")
		require.ErrorContains(t, run(""), "ghost")
	})

	t.Run("reports a bad configuration file", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "gw.yaml")
		require.NoError(t, os.WriteFile(path, []byte("nonsense: true\n"), 0o600))
		require.ErrorIs(t, run(path), config.ErrInvalid)
	})

	t.Run("reports a listen address in use", func(t *testing.T) {
		dir := t.TempDir()
		t.Setenv("GOVLEDGER_PROFILE", writeProfile(t, dir))
		t.Setenv("GOVLEDGER_STATE_FILE", filepath.Join(dir, "state", "gw.db"))
		t.Setenv("GOVLEDGER_AUDIT_LOG", filepath.Join(dir, "state", "audit.jsonl"))
		t.Setenv("GOVLEDGER_LISTEN", "256.0.0.1:1")
		require.ErrorContains(t, run(""), "listen")
	})
}
