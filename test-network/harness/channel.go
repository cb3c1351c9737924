package harness

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/govledger/govledger/network/configgen"
	"github.com/govledger/govledger/network/profile"
	"github.com/govledger/govledger/network/topology"
)

func (n *Network) genesisBlock() string { return filepath.Join(n.ConfigDir(), "genesis.block") }

// generate writes configtx.yaml, the channel's genesis block, collection
// configs and the gateway connection profiles from the topology.
func (n *Network) generate(ctx context.Context) error {
	cfg := n.ConfigDir()
	if err := os.MkdirAll(cfg, 0o750); err != nil {
		return err
	}
	tx, err := configgen.ConfigTx(n.Topology, n.Layout)
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(cfg, "configtx.yaml"), tx, 0o600); err != nil {
		return err
	}
	cmd := exec.CommandContext(ctx, n.Bin.Path("configtxgen"), "-profile", configgen.ProfileName,
		"-outputBlock", n.genesisBlock(), "-channelID", n.Topology.Channel.Name, "-configPath", cfg)
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("configtxgen: %w: %s", err, lastLines(string(out), 10))
	}
	for _, cc := range n.Topology.Chaincodes {
		if len(cc.Collections) == 0 {
			continue
		}
		data, err := configgen.Collections(cc)
		if err != nil {
			return err
		}
		if err := os.MkdirAll(filepath.Dir(n.collectionsFile(cc)), 0o750); err != nil {
			return err
		}
		if err := os.WriteFile(n.collectionsFile(cc), data, 0o600); err != nil {
			return err
		}
	}
	return n.writeProfiles()
}

func (n *Network) collectionsFile(cc topology.Chaincode) string {
	return filepath.Join(n.ConfigDir(), "collections", cc.Name+".json")
}

func (n *Network) writeProfiles() error {
	for _, o := range n.Topology.Orgs {
		p, err := profile.Build(n.Topology, n.Layout, o.MSPID)
		if err != nil {
			return err
		}
		data, err := json.MarshalIndent(p, "", "  ")
		if err != nil {
			return err
		}
		if err := os.MkdirAll(filepath.Dir(n.ProfilePath(o.MSPID)), 0o750); err != nil {
			return err
		}
		if err := os.WriteFile(n.ProfilePath(o.MSPID), data, 0o600); err != nil {
			return err
		}
	}
	return nil
}

// joinChannel joins every orderer through the channel participation API and
// every peer with its org admin. Anchor peers are in the genesis block.
func (n *Network) joinChannel(ctx context.Context) error {
	ord := n.ordering()
	adminTLS := filepath.Join(filepath.Dir(n.Layout.UserMSPDir(ord.MSPID, topology.AdminUser)), "tls")
	err := parallel(ord.Nodes, func(nd node) error {
		cmd := exec.CommandContext(ctx, n.Bin.Path("osnadmin"), "channel", "join",
			"--channelID", n.Topology.Channel.Name, "--config-block", n.genesisBlock(),
			"-o", hostPort(nd.Host, nd.AdminPort), "--ca-file", n.Layout.TLSCACert(ord.MSPID),
			"--client-cert", filepath.Join(adminTLS, "server.crt"), "--client-key", filepath.Join(adminTLS, "server.key"))
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("osnadmin join %s: %w: %s", nd.procName(), err, lastLines(string(out), 5))
		}
		return nil
	})
	if err != nil {
		return err
	}
	return parallel(n.peers(), func(nd node) error {
		_, err := n.peerCLI(ctx, nd, "channel", "join", "-b", n.genesisBlock())
		return err
	})
}

// peerCLI runs the peer command as the admin of nd's org against nd.
func (n *Network) peerCLI(ctx context.Context, nd node, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, n.Bin.Path("peer"), args...)
	cmd.Env = n.adminEnv(nd)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return out, fmt.Errorf("peer %s %s on %s: %w: %s", args[0], args[1], nd.procName(), err, lastLines(stderr.String(), 8))
	}
	return out, nil
}

func (n *Network) adminEnv(nd node) []string {
	return fabricEnv(n.Bin.ConfigDir, map[string]string{
		"CORE_PEER_LOCALMSPID":        nd.org.MSPID,
		"CORE_PEER_MSPCONFIGPATH":     n.Layout.UserMSPDir(nd.org.MSPID, topology.AdminUser),
		"CORE_PEER_ADDRESS":           nd.Address(),
		"CORE_PEER_TLS_ENABLED":       "true",
		"CORE_PEER_TLS_ROOTCERT_FILE": n.Layout.TLSCACert(nd.org.MSPID),
		"FABRIC_LOGGING_SPEC":         "warning",
	})
}
