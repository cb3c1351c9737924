package harness

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"time"
)

// GatewayBasePort is the HTTP port of the first application organisation's
// gateway; the others follow in topology order. With the default topology:
// ProcurementMSP 8080, PublicHealthMSP 8081, HospitalMSP 8082,
// SocialServicesMSP 8083, AuditOfficeMSP 8084, RegulatorMSP 8085. No node of
// the topology listens in the 8xxx range.
const GatewayBasePort = 8080

// GatewayConfig is the configuration every gateway of the local network
// starts from (relative to the repository root): the public development API
// keys dev-<user>. Environment overrides make it one organisation's.
const GatewayConfig = "gateway/config/local.yaml"

// APIKeyHeader and the dev-<user> keys of GatewayConfig authenticate callers
// of the local network's gateways.
const APIKeyHeader = "X-API-Key" //nolint:gosec // G101: a header name, not a credential

// DevAPIKey is the public development API key GatewayConfig maps to user.
func DevAPIKey(user string) string { return "dev-" + user }

// gatewayShutdown is how long a stopping gateway drains in-flight submits:
// well inside the grace Stop gives a process before it kills it.
const gatewayShutdown = 5 * time.Second

const gatewayPackage = "gateway/cmd/govledger-gateway"

// Gateway is one application organisation's govledger-gateway: a process of
// the network like its peers, serving the organisation's users over HTTP
// through the organisation's own peers.
type Gateway struct {
	// MSPID is the organisation the gateway serves.
	MSPID string
	// ReadOnly marks the gateway of an observer organisation (the
	// regulator): it refuses every submit with 403 READ_ONLY.
	ReadOnly bool
	// Address is the gateway's host:port.
	Address string
	// Users are the organisation's enrolled users, each with the API key
	// DevAPIKey(user).
	Users []string
	// Process runs the gateway.
	Process *Process

	port int
}

// URL is the gateway's base URL.
func (g Gateway) URL() string { return "http://" + g.Address }

// Gateways lists one gateway per application organisation, in topology
// order.
func (n *Network) Gateways() []Gateway {
	out := make([]Gateway, 0, len(n.Topology.Orgs))
	for i, o := range n.Topology.Orgs {
		g := Gateway{
			MSPID:    o.MSPID,
			ReadOnly: o.ReadOnly,
			Address:  hostPort(n.Topology.Host, n.gatewayPort+i),
			port:     n.gatewayPort + i,
		}
		for _, u := range o.Users {
			g.Users = append(g.Users, u.Name)
		}
		g.Process = n.gatewayProcess(g)
		out = append(out, g)
	}
	return out
}

// Gateway finds the gateway of an organisation.
func (n *Network) Gateway(mspID string) (Gateway, error) {
	for _, g := range n.Gateways() {
		if g.MSPID == mspID {
			return g, nil
		}
	}
	return Gateway{}, fmt.Errorf("no gateway for %s: not an application organisation", mspID)
}

// gatewayStateDir holds a gateway's journal and audit log.
func (n *Network) gatewayStateDir(mspID string) string {
	return filepath.Join(n.State, "gateway", mspID)
}

func (n *Network) gatewayProcess(g Gateway) *Process {
	dir := n.gatewayStateDir(g.MSPID)
	return &Process{
		Name: "gateway." + g.MSPID, Kind: "gateway",
		Path: filepath.Join(n.ownBinDir(), filepath.Base(gatewayPackage)),
		Args: []string{"-config", filepath.Join(n.Root, GatewayConfig)},
		// Every path is absolute, so the state folder need not be the
		// repository's .state.
		Env: []string{
			"PATH=" + os.Getenv("PATH"),
			"GOVLEDGER_ORG=" + g.MSPID,
			"GOVLEDGER_LISTEN=" + g.Address,
			"GOVLEDGER_PROFILE=" + n.ProfilePath(g.MSPID),
			"GOVLEDGER_STATE_FILE=" + filepath.Join(dir, "gateway.db"),
			"GOVLEDGER_AUDIT_LOG=" + filepath.Join(dir, "audit.jsonl"),
			"GOVLEDGER_READ_ONLY=" + strconv.FormatBool(g.ReadOnly),
			"GOVLEDGER_TIMEOUT_SHUTDOWN=" + gatewayShutdown.String(),
		},
		Dir:     n.Root,
		Address: g.Address,
		Health:  "http://" + g.Address + "/readyz",
	}
}

// gatewayProcesses are the gateways' processes when they belong to the
// network: Options.Gateways asks for them, or one of them runs (started by
// StartGateways, `govnet run` or an earlier Up), so that Status lists them
// and Stop stops them whichever command started them.
func (n *Network) gatewayProcesses() []*Process {
	var out []*Process
	running := false
	for _, g := range n.Gateways() {
		out = append(out, g.Process)
		running = running || g.Process.Running(n.State)
	}
	if !n.withGateways && !running {
		return nil
	}
	return out
}

// StartGateways builds the gateway, starts every gateway that is not
// running and waits until each answers /readyz (a peer reachable, every
// chaincode's metadata loaded). The network must be up: a gateway loads its
// organisation's connection profile and wallet from the state folder.
func (n *Network) StartGateways(ctx context.Context) error {
	if !n.Ready() {
		return errors.New("start gateways: the network is not up")
	}
	if err := n.checkGatewayPorts(); err != nil {
		return err
	}
	if err := BuildGo(ctx, n.Root, n.ownBinDir(), n.Log, gatewayPackage); err != nil {
		return fmt.Errorf("build the gateway: %w", err)
	}
	var procs []*Process
	for _, g := range n.Gateways() {
		if !g.Process.Running(n.State) {
			if err := g.Process.Start(n.State); err != nil {
				return err
			}
		}
		procs = append(procs, g.Process)
	}
	return n.awaitHealthy(ctx, procs)
}

// checkGatewayPorts fails with the port and its holder when a gateway's
// address is taken by anything but that gateway.
func (n *Network) checkGatewayPorts() error {
	var errs []error
	for _, g := range n.Gateways() {
		if g.Process.Running(n.State) {
			continue
		}
		ln, err := net.Listen("tcp", g.Address)
		if err != nil {
			errs = append(errs, fmt.Errorf("port %s (gateway of %s) is busy: held by %s", g.Address, g.MSPID, portHolder(g.port)))
			continue
		}
		_ = ln.Close()
	}
	return errors.Join(errs...)
}
