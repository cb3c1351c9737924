package harness

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func sleeper(t *testing.T) *Process {
	t.Helper()
	path, err := exec.LookPath("sleep")
	require.NoError(t, err)
	return &Process{Name: "sleeper", Kind: "test", Path: path, Args: []string{"30"}}
}

func TestProcess(t *testing.T) {
	t.Run("starts detached, records its PID and stops by it", func(t *testing.T) {
		state := t.TempDir()
		p := sleeper(t)
		require.NoError(t, p.Start(state))
		pid, err := p.PID(state)
		require.NoError(t, err)
		require.Positive(t, pid)
		require.True(t, p.Running(state))
		rss, err := p.RSS(state)
		require.NoError(t, err)
		require.Positive(t, rss)

		require.NoError(t, p.Stop(state, 5*time.Second))
		require.False(t, p.Running(state))
		_, err = os.Stat(p.pidFile(state))
		require.ErrorIs(t, err, os.ErrNotExist)
	})
	t.Run("stopping a process that is not running is not an error", func(t *testing.T) {
		require.NoError(t, sleeper(t).Stop(t.TempDir(), time.Second))
	})
	t.Run("never signals a PID now held by another executable", func(t *testing.T) {
		state := t.TempDir()
		p := sleeper(t)
		require.NoError(t, os.MkdirAll(filepath.Join(state, "pids"), 0o750))
		// Our own PID runs the test binary, not sleep: it must count as not running.
		require.NoError(t, os.WriteFile(p.pidFile(state), []byte(strconv.Itoa(os.Getpid())+"\n"+p.Path+"\n"), 0o600))
		_, err := p.PID(state)
		require.ErrorIs(t, err, ErrNotRunning)
		require.NoError(t, p.Stop(state, time.Second))
	})
	t.Run("a corrupt pid file reads as not running", func(t *testing.T) {
		state := t.TempDir()
		p := sleeper(t)
		require.NoError(t, os.MkdirAll(filepath.Join(state, "pids"), 0o750))
		require.NoError(t, os.WriteFile(p.pidFile(state), []byte("not a pid"), 0o600))
		_, err := p.PID(state)
		require.ErrorIs(t, err, ErrNotRunning)
	})
	t.Run("kill ends the process at once", func(t *testing.T) {
		state := t.TempDir()
		p := sleeper(t)
		require.NoError(t, p.Start(state))
		require.NoError(t, p.Kill(state))
		require.Eventually(t, func() bool { return !p.Running(state) }, 5*time.Second, 20*time.Millisecond)
	})
}

func TestPortHolderNamesTheListeningProcess(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer func() { _ = ln.Close() }()
	addr, ok := ln.Addr().(*net.TCPAddr)
	require.True(t, ok, "a TCP listener has a TCP address")
	port := addr.Port
	exe, err := os.Executable()
	require.NoError(t, err)
	require.Equal(t, fmt.Sprintf("pid %d (%s)", os.Getpid(), exe), portHolder(port))
}

func TestMetricsSelectsSeriesByNameAndLabels(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = fmt.Fprint(w, `# HELP gossip_membership_total_peers_known x
# TYPE gossip_membership_total_peers_known gauge
gossip_membership_total_peers_known{channel="public-services"} 6
gossip_membership_total_peers_known{channel="other"} 2
gossip_membership_total_peers_known_extra{channel="public-services"} 9
ledger_blockchain_height{channel="public-services"} 12
`)
	}))
	defer srv.Close()
	ctx := context.Background()
	v, err := metrics(ctx, srv.URL, "gossip_membership_total_peers_known", map[string]string{"channel": "public-services"})
	require.NoError(t, err)
	require.Equal(t, []float64{6}, v)
	v, err = metrics(ctx, srv.URL, "ledger_blockchain_height", nil)
	require.NoError(t, err)
	require.Equal(t, []float64{12}, v)
	_, err = metrics(ctx, "http://127.0.0.1:1/metrics", "x", nil)
	require.Error(t, err)
}

func TestAttrFlagMarksEveryAttributeForTheCertificateInKeyOrder(t *testing.T) {
	require.Equal(t, "agency=MOF:ecert,role=supplier:ecert,supplierId=SUP-A:ecert",
		attrFlag(map[string]string{"supplierId": "SUP-A", "role": "supplier", "agency": "MOF"}))
	require.Empty(t, attrFlag(nil))
}

func TestIsZombie(t *testing.T) {
	require.True(t, isZombie([]byte("123 (peer) Z 1 2 3")))
	require.True(t, isZombie([]byte("123 (a) b) Z 1")))
	require.False(t, isZombie([]byte("123 (peer) S 1 2 3")))
}

func TestNewLoadsTheRepositoryTopology(t *testing.T) {
	root, err := FindRoot()
	require.NoError(t, err)
	n, err := New(Options{Root: root, State: t.TempDir()})
	require.NoError(t, err)
	require.Equal(t, "public-services", n.Topology.Channel.Name)
	names := map[string]bool{}
	for _, p := range n.Processes() {
		require.False(t, names[p.Name], "process names are unique: %s", p.Name)
		names[p.Name] = true
	}
	require.True(t, names["peer0.regulator"])
	require.True(t, names["orderer2.ordererorg"])
	require.False(t, n.Running())

	bft, err := New(Options{Root: root, State: t.TempDir(), Consensus: "BFT"})
	require.NoError(t, err)
	require.Len(t, bft.ordering().Nodes, 4)
}
