package harness

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/govledger/govledger/network/topology"
)

// ownBinDir holds GovLedger's own binaries: the external builder and the
// chaincode servers.
func (n *Network) ownBinDir() string { return filepath.Join(n.Root, ".cache", "govledger", "bin") }

// builderDir is the ccaas external builder the peers are configured with.
func (n *Network) builderDir() string { return filepath.Join(n.State, "builders", "ccaas") }

func (n *Network) buildOwnBinaries(ctx context.Context) error {
	pkgs := []string{"test-network/cmd/ccaas-builder"}
	for _, cc := range n.Topology.Chaincodes {
		pkgs = append(pkgs, cc.Path)
	}
	if err := BuildGo(ctx, n.Root, n.ownBinDir(), n.Log, pkgs...); err != nil {
		return fmt.Errorf("build GovLedger binaries: %w", err)
	}
	for _, cc := range n.Topology.Chaincodes {
		if err := n.writeContractMetadata(cc); err != nil {
			return err
		}
	}
	bin := filepath.Join(n.builderDir(), "bin")
	if err := os.MkdirAll(bin, 0o750); err != nil {
		return err
	}
	for _, step := range []string{"detect", "build", "release"} {
		link := filepath.Join(bin, step)
		_ = os.Remove(link)
		if err := os.Symlink(filepath.Join(n.ownBinDir(), "ccaas-builder"), link); err != nil {
			return err
		}
	}
	return nil
}

func (n *Network) nodeDir(nd node) string {
	return n.Layout.NodeDir(nd.org.MSPID, nd.kind+"s", nd.Name)
}

func (n *Network) dataDir(nd node) string {
	return filepath.Join(n.State, "data", nd.Name+"."+nd.org.Domain)
}

func (nd node) procName() string { return nd.Name + "." + nd.org.key() }

func (n *Network) ordererProcess(nd node) *Process {
	dir := n.nodeDir(nd)
	data := n.dataDir(nd)
	tlsCA := n.Layout.TLSCACert(nd.org.MSPID)
	env := fabricEnv(n.Bin.ConfigDir, map[string]string{
		"ORDERER_GENERAL_LISTENADDRESS":             nd.Host,
		"ORDERER_GENERAL_LISTENPORT":                strconv.Itoa(nd.Port),
		"ORDERER_GENERAL_LOCALMSPID":                nd.org.MSPID,
		"ORDERER_GENERAL_LOCALMSPDIR":               filepath.Join(dir, "msp"),
		"ORDERER_GENERAL_TLS_ENABLED":               "true",
		"ORDERER_GENERAL_TLS_CERTIFICATE":           topology.TLSCert(dir),
		"ORDERER_GENERAL_TLS_PRIVATEKEY":            topology.TLSKey(dir),
		"ORDERER_GENERAL_TLS_ROOTCAS":               "[" + tlsCA + "]",
		"ORDERER_GENERAL_CLUSTER_CLIENTCERTIFICATE": topology.TLSCert(dir),
		"ORDERER_GENERAL_CLUSTER_CLIENTPRIVATEKEY":  topology.TLSKey(dir),
		"ORDERER_GENERAL_CLUSTER_ROOTCAS":           "[" + tlsCA + "]",
		"ORDERER_FILELEDGER_LOCATION":               filepath.Join(data, "ledger"),
		"ORDERER_CONSENSUS_WALDIR":                  filepath.Join(data, "wal"),
		"ORDERER_CONSENSUS_SNAPDIR":                 filepath.Join(data, "snapshot"),
		"ORDERER_CHANNELPARTICIPATION_ENABLED":      "true",
		"ORDERER_ADMIN_LISTENADDRESS":               hostPort(nd.Host, nd.AdminPort),
		"ORDERER_ADMIN_TLS_ENABLED":                 "true",
		"ORDERER_ADMIN_TLS_CERTIFICATE":             topology.TLSCert(dir),
		"ORDERER_ADMIN_TLS_PRIVATEKEY":              topology.TLSKey(dir),
		"ORDERER_ADMIN_TLS_ROOTCAS":                 "[" + tlsCA + "]",
		"ORDERER_ADMIN_TLS_CLIENTAUTHREQUIRED":      "true",
		"ORDERER_ADMIN_TLS_CLIENTROOTCAS":           "[" + tlsCA + "]",
		"ORDERER_OPERATIONS_LISTENADDRESS":          hostPort(nd.Host, nd.OperationsPort),
		"ORDERER_METRICS_PROVIDER":                  "prometheus",
		"FABRIC_LOGGING_SPEC":                       "info",
	})
	return &Process{
		Name: nd.procName(), Kind: "orderer", Path: n.Bin.Path("orderer"), Env: env,
		Address: nd.Address(), Health: "http://" + hostPort(nd.Host, nd.OperationsPort) + "/healthz",
	}
}

func (n *Network) peerProcess(nd node) *Process {
	dir := n.nodeDir(nd)
	data := n.dataDir(nd)
	// Gossip bootstraps from another peer of the same org when there is one.
	bootstrap := nd.Address()
	for _, other := range nd.org.Nodes {
		if other.Name != nd.Name {
			bootstrap = other.Address()
			break
		}
	}
	builders := fmt.Sprintf("[{name: ccaas, path: %s}]", n.builderDir())
	env := fabricEnv(n.Bin.ConfigDir, map[string]string{
		"CORE_PEER_ID":                      nd.Name + "." + nd.org.Domain,
		"CORE_PEER_LISTENADDRESS":           nd.Address(),
		"CORE_PEER_ADDRESS":                 nd.Address(),
		"CORE_PEER_CHAINCODELISTENADDRESS":  hostPort(nd.Host, nd.ChaincodePort),
		"CORE_PEER_CHAINCODEADDRESS":        hostPort(nd.Host, nd.ChaincodePort),
		"CORE_PEER_GOSSIP_BOOTSTRAP":        bootstrap,
		"CORE_PEER_GOSSIP_ENDPOINT":         nd.Address(),
		"CORE_PEER_GOSSIP_EXTERNALENDPOINT": nd.Address(),
		// Cross-org membership forms within seconds instead of the default 25 s.
		"CORE_PEER_GOSSIP_RECONNECTINTERVAL": "2s",
		"CORE_PEER_LOCALMSPID":               nd.org.MSPID,
		"CORE_PEER_MSPCONFIGPATH":            filepath.Join(dir, "msp"),
		"CORE_PEER_TLS_ENABLED":              "true",
		"CORE_PEER_TLS_CERT_FILE":            topology.TLSCert(dir),
		"CORE_PEER_TLS_KEY_FILE":             topology.TLSKey(dir),
		"CORE_PEER_TLS_ROOTCERT_FILE":        n.Layout.TLSCACert(nd.org.MSPID),
		"CORE_PEER_FILESYSTEMPATH":           filepath.Join(data, "production"),
		"CORE_LEDGER_SNAPSHOTS_ROOTDIR":      filepath.Join(data, "snapshots"),
		"CORE_LEDGER_STATE_STATEDATABASE":    "goleveldb",
		"CORE_OPERATIONS_LISTENADDRESS":      hostPort(nd.Host, nd.OperationsPort),
		"CORE_METRICS_PROVIDER":              "prometheus",
		// No Docker: an empty endpoint stops the peer looking for it (else
		// /healthz reports 503); chaincode runs only through external builders.
		"CORE_VM_ENDPOINT":                "",
		"CORE_CHAINCODE_EXTERNALBUILDERS": builders,
		"FABRIC_LOGGING_SPEC":             "info",
	})
	return &Process{
		Name: nd.procName(), Kind: "peer", Path: n.Bin.Path("peer"), Args: []string{"node", "start"}, Env: env,
		Address: nd.Address(), Health: "http://" + hostPort(nd.Host, nd.OperationsPort) + "/healthz",
	}
}

// fabricEnv is the environment of a Fabric process: the caller's PATH and
// HOME, FABRIC_CFG_PATH and the given settings, which override the sample
// configuration file's values.
func fabricEnv(cfgDir string, vars map[string]string) []string {
	env := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"), "FABRIC_CFG_PATH=" + cfgDir}
	for k, v := range vars {
		env = append(env, k+"="+v)
	}
	return env
}

// checkPorts fails with the port and its holder when a listener the topology
// needs is taken by anything but this network's own running processes.
func (n *Network) checkPorts() error {
	ours := map[string]bool{}
	for _, p := range n.Processes() {
		if p.Running(n.State) {
			ours[p.Address] = true
		}
	}
	var errs []error
	for _, l := range n.Topology.Listeners() {
		addr := hostPort(l.Host, l.Port)
		if ours[addr] {
			continue
		}
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			errs = append(errs, fmt.Errorf("port %s (%s) is busy: held by %s", addr, l.Owner, portHolder(l.Port)))
			continue
		}
		_ = ln.Close()
	}
	return errors.Join(errs...)
}

func (n *Network) startCAs(ctx context.Context, fresh bool) error {
	var procs []*Process
	for _, o := range n.orgs() {
		p := n.caProcess(*o)
		if !p.Running(n.State) {
			if err := p.Start(n.State); err != nil {
				return err
			}
		}
		procs = append(procs, p)
	}
	if err := n.awaitHealthy(ctx, procs); err != nil {
		return err
	}
	if !fresh {
		return nil
	}
	return parallel(n.orgs(), func(o *org) error { return n.enrolOrg(ctx, *o) })
}

func (n *Network) startNodes(ctx context.Context) error {
	var procs []*Process
	for _, nd := range n.ordering().Nodes {
		procs = append(procs, n.ordererProcess(nd))
	}
	for _, nd := range n.peers() {
		procs = append(procs, n.peerProcess(nd))
	}
	for _, p := range procs {
		if p.Running(n.State) {
			continue
		}
		if err := p.Start(n.State); err != nil {
			return err
		}
	}
	return n.awaitHealthy(ctx, procs)
}

// awaitHealthy polls each process's /healthz until it answers 200, failing
// early with the log's tail when a process dies.
func (n *Network) awaitHealthy(ctx context.Context, procs []*Process) error {
	ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	client := &http.Client{Timeout: 2 * time.Second}
	return parallel(procs, func(p *Process) error {
		for {
			if !p.Running(n.State) {
				// Give the reaper a moment to record how it ended.
				time.Sleep(100 * time.Millisecond)
				return fmt.Errorf("%s exited (%s); log %s:\n%s", p.Name, or(p.ExitStatus(n.State), "status unknown"), p.LogFile(n.State), tail(p.LogFile(n.State), 15))
			}
			if p.Health == "" {
				return nil
			}
			req, _ := http.NewRequestWithContext(ctx, http.MethodGet, p.Health, nil)
			if resp, err := client.Do(req); err == nil {
				_ = resp.Body.Close()
				if resp.StatusCode == http.StatusOK {
					return nil
				}
			}
			select {
			case <-ctx.Done():
				return fmt.Errorf("%s not healthy at %s: %w; log %s:\n%s", p.Name, p.Health, ctx.Err(), p.LogFile(n.State), tail(p.LogFile(n.State), 15))
			case <-time.After(100 * time.Millisecond):
			}
		}
	})
}

// parallel runs f for every item at once and joins their errors.
func parallel[T any](items []T, f func(T) error) error {
	errs := make([]error, len(items))
	var wg sync.WaitGroup
	for i, it := range items {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = f(it)
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

func tail(path string, n int) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	return lastLines(string(b), n)
}

// portHolder names the process listening on a TCP port, from /proc.
func portHolder(port int) string {
	inodes := map[string]bool{}
	for _, f := range []string{"/proc/net/tcp", "/proc/net/tcp6"} {
		b, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		for _, line := range strings.Split(string(b), "\n")[1:] {
			fields := strings.Fields(line)
			if len(fields) < 10 || fields[3] != "0A" { // 0A = LISTEN
				continue
			}
			_, hexPort, ok := strings.Cut(fields[1], ":")
			if p, err := strconv.ParseInt(hexPort, 16, 32); ok && err == nil && int(p) == port {
				inodes["socket:["+fields[9]+"]"] = true
			}
		}
	}
	procs, _ := os.ReadDir("/proc")
	for _, d := range procs {
		pid, err := strconv.Atoi(d.Name())
		if err != nil {
			continue
		}
		fds, _ := os.ReadDir(filepath.Join("/proc", d.Name(), "fd"))
		for _, fd := range fds {
			target, err := os.Readlink(filepath.Join("/proc", d.Name(), "fd", fd.Name()))
			if err == nil && inodes[target] {
				cmd, _ := os.ReadFile(filepath.Join("/proc", d.Name(), "cmdline"))
				exe, _, _ := strings.Cut(string(cmd), "\x00")
				return fmt.Sprintf("pid %d (%s)", pid, exe)
			}
		}
	}
	return "an unknown process"
}
