package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/govledger/govledger/network/profile"
	"github.com/govledger/govledger/network/topology"
)

const realTopology = "../../topology.yaml"

// withCollection writes a copy of the real topology whose procurement
// chaincode has a private data collection.
func withCollection(t *testing.T) string {
	t.Helper()
	data, err := os.ReadFile(realTopology)
	require.NoError(t, err)
	doc := strings.Replace(string(data), "    address: 127.0.0.1:9901\n",
		"    address: 127.0.0.1:9901\n    collections:\n      - {name: bids, members: [ProcurementMSP, AuditOfficeMSP], requiredPeerCount: 1, maxPeerCount: 2}\n", 1)
	require.NotEqual(t, string(data), doc)
	path := filepath.Join(t.TempDir(), "topology.yaml")
	require.NoError(t, os.WriteFile(path, []byte(doc), 0o600))
	return path
}

func netgen(args ...string) (int, string, string) {
	var stdout, stderr bytes.Buffer
	code := run(args, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

func TestNetgenWritesEveryFile(t *testing.T) {
	out := t.TempDir()
	code, stdout, stderr := netgen("-topology", withCollection(t), "-crypto", "crypto", "-out", out)
	require.Equal(t, 0, code, stderr)
	require.Empty(t, stderr)

	require.FileExists(t, filepath.Join(out, "configtx.yaml"))
	require.FileExists(t, filepath.Join(out, "collections", "procurement.json"))
	require.NoFileExists(t, filepath.Join(out, "collections", "noop.json"), "noop has no collections")
	for _, id := range []string{"ProcurementMSP", "PublicHealthMSP", "HospitalMSP", "SocialServicesMSP", "AuditOfficeMSP", "RegulatorMSP"} {
		require.FileExists(t, filepath.Join(out, "profiles", id+".json"))
	}
	top, err := topology.Load(withCollection(t))
	require.NoError(t, err)
	files := 1 + len(top.Orgs) // configtx.yaml and one profile per org
	for _, cc := range top.Chaincodes {
		if len(cc.Collections) > 0 {
			files++
		}
	}
	require.Len(t, strings.Split(strings.TrimSpace(stdout), "\n"), files, "one line per file written")

	t.Run("with absolute crypto paths", func(t *testing.T) {
		abs, err := filepath.Abs("crypto")
		require.NoError(t, err)
		ctx, err := os.ReadFile(filepath.Join(out, "configtx.yaml"))
		require.NoError(t, err)
		require.Contains(t, string(ctx), "MSPDir: "+filepath.Join(abs, "ProcurementMSP", "msp"))
		p, err := profile.Load(filepath.Join(out, "profiles", "RegulatorMSP.json"))
		require.NoError(t, err)
		require.True(t, p.ReadOnly)
		require.Equal(t, filepath.Join(abs, "RegulatorMSP", "tlsca.pem"), p.Peers[0].TLSCACert)
	})
	t.Run("and removes files the topology no longer calls for", func(t *testing.T) {
		stale := filepath.Join(out, "profiles", "TaxMSP.json")
		require.NoError(t, os.WriteFile(stale, []byte("{}"), 0o600))
		keep := filepath.Join(out, "profiles", "README.txt")
		require.NoError(t, os.WriteFile(keep, []byte("mine"), 0o600))

		code, _, stderr := netgen("-topology", realTopology, "-crypto", "crypto", "-out", out)
		require.Equal(t, 0, code, stderr)
		require.NoFileExists(t, stale)
		require.NoFileExists(t, filepath.Join(out, "collections", "procurement.json"))
		require.FileExists(t, keep, "only generated JSON is removed")
	})
}

func TestNetgenSwitchesToBFT(t *testing.T) {
	out := t.TempDir()
	code, _, stderr := netgen("-topology", realTopology, "-crypto", "/crypto", "-out", out, "-consensus", topology.ConsensusBFT)
	require.Equal(t, 0, code, stderr)
	ctx, err := os.ReadFile(filepath.Join(out, "configtx.yaml"))
	require.NoError(t, err)
	require.Contains(t, string(ctx), "OrdererType: BFT")
	require.Contains(t, string(ctx), "Identity: /crypto/OrdererMSP/orderers/orderer3/msp/signcerts/cert.pem")
}

func TestNetgenWarnsAboutASingleRaftNode(t *testing.T) {
	data, err := os.ReadFile(realTopology)
	require.NoError(t, err)
	doc := strings.Replace(string(data), "    - {name: orderer1, port: 7060, adminPort: 7063, operationsPort: 9441}\n    - {name: orderer2, port: 7070, adminPort: 7073, operationsPort: 9442}\n  bftOrderers:", "  bftOrderers:", 1)
	require.NotEqual(t, string(data), doc)
	path := filepath.Join(t.TempDir(), "topology.yaml")
	require.NoError(t, os.WriteFile(path, []byte(doc), 0o600))

	code, _, stderr := netgen("-topology", path, "-crypto", "/crypto", "-out", t.TempDir())
	require.Equal(t, 0, code)
	require.Contains(t, stderr, "warning: ordering.orderers: 1 Raft consenter(s)")
}

func TestNetgenFails(t *testing.T) {
	data, err := os.ReadFile(realTopology)
	require.NoError(t, err)
	clash := filepath.Join(t.TempDir(), "clash.yaml")
	require.NoError(t, os.WriteFile(clash, []byte(strings.Replace(string(data), "port: 7230,", "port: 7200,", 1)), 0o600))

	cases := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"on a port clash, naming the field", []string{"-topology", clash, "-crypto", "c", "-out", t.TempDir()}, 1,
			"orgs[2].peers[0].port: 7200 already used by orgs[0].peers[0].port"},
		{"on a missing topology file", []string{"-topology", "nope.yaml", "-crypto", "c", "-out", t.TempDir()}, 1, "no such file"},
		{"on an unknown consensus type", []string{"-topology", realTopology, "-crypto", "c", "-out", t.TempDir(), "-consensus", "kafka"}, 1, "unknown consensus type"},
		{"without -crypto", []string{"-topology", realTopology, "-out", t.TempDir()}, 2, "-crypto and -out are required"},
		{"with a stray argument", []string{"-crypto", "c", "-out", "o", "extra"}, 2, "no arguments are taken"},
		{"on an unknown flag", []string{"-nope"}, 2, "flag provided but not defined"},
		{"when the output folder cannot be made", []string{"-topology", realTopology, "-crypto", "c", "-out", filepath.Join(realTopology, "sub")}, 1, "create output folder"},
	}
	for _, c := range cases {
		t.Run("fails "+c.name, func(t *testing.T) {
			code, stdout, stderr := netgen(c.args...)
			require.Equal(t, c.code, code)
			require.Empty(t, stdout)
			require.Contains(t, stderr, c.want)
		})
	}
}
