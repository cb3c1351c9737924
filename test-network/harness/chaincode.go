package harness

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/govledger/govledger/chaincode/catalog"
	"github.com/govledger/govledger/network/topology"
	"github.com/govledger/govledger/test-network/ccpackage"
)

// chaincodeDir holds a chaincode server's TLS pair.
func (n *Network) chaincodeDir(cc topology.Chaincode) string {
	return filepath.Join(n.Layout.OrgDir(n.Topology.Ordering.MSPID), "chaincodes", cc.Name)
}

func label(cc topology.Chaincode) string { return cc.Name + "_" + cc.Version }

// chaincodeWorkDir is the chaincode server's working directory, where
// contractapi finds META-INF/metadata.json.
func (n *Network) chaincodeWorkDir(cc topology.Chaincode) string {
	return filepath.Join(n.Root, ".cache", "govledger", "chaincode", cc.Name)
}

// writeContractMetadata gives the chaincode server its contract metadata
// with real parameter names and the gateway's tags (see chaincode/catalog),
// replacing the file atomically: a server starting meanwhile reads the old
// file or the new one, never half of one.
func (n *Network) writeContractMetadata(cc topology.Chaincode) error {
	md, err := catalog.Metadata(cc.Name, n.Root)
	if err != nil {
		return fmt.Errorf("chaincode %s metadata: %w", cc.Name, err)
	}
	file := filepath.Join(n.chaincodeWorkDir(cc), "META-INF", "metadata.json")
	if err := os.MkdirAll(filepath.Dir(file), 0o750); err != nil {
		return err
	}
	tmp := file + ".tmp"
	if err := os.WriteFile(tmp, md, 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, file)
}

// chaincodePackage builds the chaincode's deterministic CCaaS package: the
// same topology and CA give the same bytes and so the same package ID.
func (n *Network) chaincodePackage(cc topology.Chaincode) ([]byte, string, error) {
	root, err := os.ReadFile(n.Layout.CACert(n.Topology.Ordering.MSPID))
	if err != nil {
		return nil, "", fmt.Errorf("chaincode %s: read TLS root: %w", cc.Name, err)
	}
	pkg, err := ccpackage.Build(ccpackage.Spec{
		Label: label(cc),
		Connection: ccpackage.Connection{
			Address: cc.Address, DialTimeout: "10s", TLSRequired: true, RootCert: string(root),
		},
	})
	if err != nil {
		return nil, "", err
	}
	return pkg, ccpackage.PackageID(label(cc), pkg), nil
}

func (n *Network) chaincodeProcess(cc topology.Chaincode, packageID string) *Process {
	dir := n.chaincodeDir(cc)
	return &Process{
		Name: "chaincode." + cc.Name, Kind: "chaincode", Path: filepath.Join(n.ownBinDir(), filepath.Base(cc.Path)),
		// The variables chaincode/internal/server reads.
		Env: []string{
			"PATH=" + os.Getenv("PATH"),
			"CHAINCODE_ID=" + packageID,
			"CHAINCODE_SERVER_ADDRESS=" + cc.Address,
			"CHAINCODE_TLS_CERT=" + topology.TLSCert(dir),
			"CHAINCODE_TLS_KEY=" + topology.TLSKey(dir),
		},
		Dir:     n.chaincodeWorkDir(cc),
		Address: cc.Address,
	}
}

// Deploy rebuilds and restarts the chaincode servers and brings every
// chaincode definition on the channel up to the topology: install where the
// package is missing, approve for each org that has not, commit when the
// committed sequence is behind. A chaincode's code changes need only the
// restart (its package holds just the address); a changed definition
// (policy, collections) needs its sequence bumped in the topology.
func (n *Network) Deploy(ctx context.Context) error {
	if err := n.buildOwnBinaries(ctx); err != nil {
		return err
	}
	for _, cc := range n.Topology.Chaincodes {
		if err := n.chaincodeProcess(cc, "").Stop(n.State, 5*time.Second); err != nil {
			return err
		}
	}
	if err := n.deployAll(ctx); err != nil {
		return err
	}
	return n.awaitReady(ctx)
}

func (n *Network) deployAll(ctx context.Context) error {
	return parallel(n.Topology.Chaincodes, func(cc topology.Chaincode) error { return n.deploy(ctx, cc) })
}

func (n *Network) deploy(ctx context.Context, cc topology.Chaincode) error {
	pkg, id, err := n.chaincodePackage(cc)
	if err != nil {
		return err
	}
	proc := n.chaincodeProcess(cc, id)
	if !proc.Running(n.State) {
		if err := proc.Start(n.State); err != nil {
			return err
		}
	}
	pkgFile := filepath.Join(n.State, "packages", label(cc)+".tar.gz")
	if err := os.MkdirAll(filepath.Dir(pkgFile), 0o750); err != nil {
		return err
	}
	if err := os.WriteFile(pkgFile, pkg, 0o600); err != nil {
		return err
	}
	err = parallel(n.peers(), func(nd node) error {
		installed, err := n.installed(ctx, nd)
		if err != nil || installed[id] {
			return err
		}
		_, err = n.peerCLI(ctx, nd, "lifecycle", "chaincode", "install", pkgFile)
		return err
	})
	if err != nil {
		return err
	}
	anchor := n.peers()[0]
	seq, err := n.committedSequence(ctx, anchor, cc)
	if err != nil || seq >= cc.Sequence {
		return err
	}
	approvals, err := n.approvals(ctx, anchor, cc)
	if err != nil {
		return err
	}
	var approvers []node
	for _, o := range n.orgs()[1:] {
		if !approvals[o.MSPID] {
			approvers = append(approvers, o.Nodes[0])
		}
	}
	err = parallel(approvers, func(nd node) error {
		_, err := n.peerCLI(ctx, nd, append([]string{"lifecycle", "chaincode", "approveformyorg", "--package-id", id}, n.definitionArgs(cc)...)...)
		return err
	})
	if err != nil {
		return err
	}
	args := append([]string{"lifecycle", "chaincode", "commit"}, n.definitionArgs(cc)...)
	for _, o := range n.orgs()[1:] {
		args = append(args, "--peerAddresses", o.Nodes[0].Address(), "--tlsRootCertFiles", n.Layout.TLSCACert(o.MSPID))
	}
	_, err = n.peerCLI(ctx, anchor, args...)
	return err
}

// definitionArgs are the chaincode definition and orderer flags shared by
// approveformyorg, checkcommitreadiness and commit.
func (n *Network) definitionArgs(cc topology.Chaincode) []string {
	ord := n.ordering()
	args := []string{
		"-o", ord.Nodes[0].Address(), "--tls", "--cafile", n.Layout.TLSCACert(ord.MSPID),
		"--channelID", n.Topology.Channel.Name, "--name", cc.Name, "--version", cc.Version,
		"--sequence", strconv.Itoa(cc.Sequence),
	}
	if cc.EndorsementPolicy != "" {
		args = append(args, "--signature-policy", cc.EndorsementPolicy)
	}
	if len(cc.Collections) > 0 {
		args = append(args, "--collections-config", n.collectionsFile(cc))
	}
	return args
}

func (n *Network) installed(ctx context.Context, nd node) (map[string]bool, error) {
	out, err := n.peerCLI(ctx, nd, "lifecycle", "chaincode", "queryinstalled", "-O", "json")
	if err != nil {
		return nil, err
	}
	var res struct {
		Installed []struct {
			PackageID string `json:"package_id"`
		} `json:"installed_chaincodes"`
	}
	if err := json.Unmarshal(out, &res); err != nil {
		return nil, fmt.Errorf("queryinstalled on %s: %w", nd.procName(), err)
	}
	ids := map[string]bool{}
	for _, c := range res.Installed {
		ids[c.PackageID] = true
	}
	return ids, nil
}

// committedSequence is the chaincode's committed sequence, 0 when it has
// none yet.
func (n *Network) committedSequence(ctx context.Context, nd node, cc topology.Chaincode) (int, error) {
	out, err := n.peerCLI(ctx, nd, "lifecycle", "chaincode", "querycommitted", "--channelID", n.Topology.Channel.Name, "-O", "json")
	if err != nil {
		return 0, err
	}
	var res struct {
		Definitions []struct {
			Name     string `json:"name"`
			Sequence int    `json:"sequence"`
		} `json:"chaincode_definitions"`
	}
	if err := json.Unmarshal(out, &res); err != nil {
		return 0, fmt.Errorf("querycommitted on %s: %w", nd.procName(), err)
	}
	for _, d := range res.Definitions {
		if d.Name == cc.Name {
			return d.Sequence, nil
		}
	}
	return 0, nil
}

func (n *Network) approvals(ctx context.Context, nd node, cc topology.Chaincode) (map[string]bool, error) {
	out, err := n.peerCLI(ctx, nd, append([]string{"lifecycle", "chaincode", "checkcommitreadiness", "-O", "json"}, n.definitionArgs(cc)...)...)
	if err != nil {
		return nil, err
	}
	var res struct {
		Approvals map[string]bool `json:"approvals"`
	}
	if err := json.Unmarshal(out, &res); err != nil {
		return nil, fmt.Errorf("checkcommitreadiness %s: %w", cc.Name, err)
	}
	return res.Approvals, nil
}
