package harness

import (
	"context"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/govledger/govledger/network/topology"
)

// testNetwork is the repository's topology with a state and a binary folder
// of the test's own, so nothing it starts or finds is a real network's.
func testNetwork(t *testing.T, gateways bool) *Network {
	t.Helper()
	root, err := FindRoot()
	require.NoError(t, err)
	top, err := topology.Load(filepath.Join(root, "network", "topology.yaml"))
	require.NoError(t, err)
	state := t.TempDir()
	return &Network{
		Root: t.TempDir(), State: state, Topology: top, Log: io.Discard,
		Layout:       topology.Layout{Root: filepath.Join(state, "crypto")},
		withGateways: gateways,
		gatewayPort:  GatewayBasePort,
	}
}

func envOf(p *Process) map[string]string {
	out := map[string]string{}
	for _, kv := range p.Env {
		k, v, _ := strings.Cut(kv, "=")
		out[k] = v
	}
	return out
}

func TestGateways(t *testing.T) {
	n := testNetwork(t, false)
	gws := n.Gateways()

	t.Run("one per application organisation on consecutive ports", func(t *testing.T) {
		require.Len(t, gws, len(n.Topology.Orgs))
		for i, g := range gws {
			require.Equal(t, n.Topology.Orgs[i].MSPID, g.MSPID)
			require.Equal(t, "127.0.0.1:"+strconv.Itoa(GatewayBasePort+i), g.Address)
			require.Equal(t, "http://"+g.Address, g.URL())
		}
	})
	t.Run("only the regulator's is read-only", func(t *testing.T) {
		for _, g := range gws {
			require.Equal(t, g.MSPID == "RegulatorMSP", g.ReadOnly, g.MSPID)
			require.Equal(t, strconv.FormatBool(g.ReadOnly), envOf(g.Process)["GOVLEDGER_READ_ONLY"])
		}
	})
	t.Run("lists the organisation's users", func(t *testing.T) {
		g, err := n.Gateway("HospitalMSP")
		require.NoError(t, err)
		require.Equal(t, []string{"reporter1", "reporter2", "clinician1"}, g.Users)
		require.Equal(t, "dev-reporter1", DevAPIKey(g.Users[0]))
	})
	t.Run("refuses an organisation without a gateway", func(t *testing.T) {
		_, err := n.Gateway("OrdererMSP")
		require.ErrorContains(t, err, "OrdererMSP")
	})
	t.Run("runs the gateway on the local configuration with the network's state paths", func(t *testing.T) {
		g, err := n.Gateway("AuditOfficeMSP")
		require.NoError(t, err)
		p := g.Process
		require.Equal(t, "gateway.AuditOfficeMSP", p.Name)
		require.Equal(t, "gateway", p.Kind)
		require.Equal(t, filepath.Join(n.Root, ".cache", "govledger", "bin", "govledger-gateway"), p.Path)
		require.Equal(t, []string{"-config", filepath.Join(n.Root, "gateway", "config", "local.yaml")}, p.Args)
		require.Equal(t, "http://127.0.0.1:8084/readyz", p.Health)
		env := envOf(p)
		require.Equal(t, "AuditOfficeMSP", env["GOVLEDGER_ORG"])
		require.Equal(t, "127.0.0.1:8084", env["GOVLEDGER_LISTEN"])
		require.Equal(t, n.ProfilePath("AuditOfficeMSP"), env["GOVLEDGER_PROFILE"])
		require.Equal(t, filepath.Join(n.State, "gateway", "AuditOfficeMSP", "gateway.db"), env["GOVLEDGER_STATE_FILE"])
		require.Equal(t, filepath.Join(n.State, "gateway", "AuditOfficeMSP", "audit.jsonl"), env["GOVLEDGER_AUDIT_LOG"])
		shutdown, err := time.ParseDuration(env["GOVLEDGER_TIMEOUT_SHUTDOWN"])
		require.NoError(t, err)
		require.Less(t, shutdown, 10*time.Second, "the gateway drains before Stop's grace runs out")
	})
}

// fakeGateway runs a copy of sleep at the gateway binary's path and records
// it as the organisation's gateway, as Process.Start would.
func fakeGateway(t *testing.T, n *Network, mspID string) {
	t.Helper()
	g, err := n.Gateway(mspID)
	require.NoError(t, err)
	sleep, err := exec.LookPath("sleep")
	require.NoError(t, err)
	bin, err := os.ReadFile(sleep)
	require.NoError(t, err)
	require.NoError(t, os.MkdirAll(filepath.Dir(g.Process.Path), 0o750))
	require.NoError(t, os.WriteFile(g.Process.Path, bin, 0o700))
	cmd := exec.Command(g.Process.Path, "30")
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	require.NoError(t, os.MkdirAll(filepath.Join(n.State, "pids"), 0o750))
	require.NoError(t, os.WriteFile(g.Process.pidFile(n.State), []byte(strconv.Itoa(cmd.Process.Pid)+"\n"+g.Process.Path+"\n"), 0o600))
	require.True(t, g.Process.Running(n.State))
}

func gatewayNames(ps []*Process) []string {
	var out []string
	for _, p := range ps {
		if p.Kind == "gateway" {
			out = append(out, p.Name)
		}
	}
	return out
}

func TestProcessesListGatewaysThatBelongToTheNetwork(t *testing.T) {
	t.Run("leaves them out when not asked for and none runs", func(t *testing.T) {
		require.Empty(t, gatewayNames(testNetwork(t, false).Processes()))
	})
	t.Run("lists every gateway last when asked for", func(t *testing.T) {
		ps := testNetwork(t, true).Processes()
		require.Len(t, gatewayNames(ps), 6)
		require.Equal(t, "gateway.RegulatorMSP", ps[len(ps)-1].Name)
	})
	t.Run("lists every gateway once one runs, so Status shows them and Stop stops them", func(t *testing.T) {
		n := testNetwork(t, false)
		fakeGateway(t, n, "HospitalMSP")
		require.Len(t, gatewayNames(n.Processes()), 6)

		require.NoError(t, n.Stop())
		g, err := n.Gateway("HospitalMSP")
		require.NoError(t, err)
		require.False(t, g.Process.Running(n.State))
		require.Empty(t, gatewayNames(n.Processes()))
	})
}

func TestCheckGatewayPorts(t *testing.T) {
	t.Run("names a busy port's holder", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
		defer func() { _ = ln.Close() }()
		addr, ok := ln.Addr().(*net.TCPAddr)
		require.True(t, ok, "a TCP listener has a TCP address")
		n := testNetwork(t, true)
		n.gatewayPort = addr.Port
		err = n.checkGatewayPorts()
		require.ErrorContains(t, err, "port "+ln.Addr().String()+" (gateway of ProcurementMSP) is busy: held by pid "+strconv.Itoa(os.Getpid()))
	})
	t.Run("accepts a port its own running gateway holds", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
		defer func() { _ = ln.Close() }()
		addr, ok := ln.Addr().(*net.TCPAddr)
		require.True(t, ok, "a TCP listener has a TCP address")
		n := testNetwork(t, true)
		n.gatewayPort = addr.Port
		fakeGateway(t, n, "ProcurementMSP")
		// The ports after ours may be anyone's; ours must not be reported.
		if err := n.checkGatewayPorts(); err != nil {
			require.NotContains(t, err.Error(), "gateway of ProcurementMSP")
		}
	})
}

func TestStartGatewaysNeedsTheNetworkUp(t *testing.T) {
	err := testNetwork(t, true).StartGateways(context.Background())
	require.ErrorContains(t, err, "the network is not up")
}
