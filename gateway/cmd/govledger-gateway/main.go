// Command govledger-gateway is the HTTP/JSON gateway an organisation runs
// next to its peers: it authenticates agency applications, maps each to a
// Fabric identity from the organisation's wallet and turns requests into
// endorsed, ordered and committed transactions.
//
//	govledger-gateway [-config gateway.yaml]
//
// Without -config, and without GOVLEDGER_* variables, it serves
// ProcurementMSP of the local test network from the repository root. See
// gateway/README.md for the API, the configuration and the private-input
// convention.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"slices"
	"syscall"

	"google.golang.org/grpc"

	"github.com/govledger/govledger/gateway/internal/app"
	"github.com/govledger/govledger/gateway/internal/collections"
	"github.com/govledger/govledger/gateway/internal/config"
	"github.com/govledger/govledger/gateway/internal/fabric"
	"github.com/govledger/govledger/gateway/internal/requestid"
	"github.com/govledger/govledger/gateway/internal/wallet"
	"github.com/govledger/govledger/network/profile"
)

func main() {
	configPath := flag.String("config", "", "YAML configuration file (optional; GOVLEDGER_* variables override it)")
	flag.Usage = func() {
		out := flag.CommandLine.Output()
		_, _ = fmt.Fprintf(out, "usage: govledger-gateway [-config file]\n\nenvironment overrides:\n")
		for _, v := range config.EnvVars() {
			_, _ = fmt.Fprintf(out, "  %s\n", v)
		}
	}
	flag.Parse()
	if err := run(*configPath); err != nil {
		fmt.Fprintln(os.Stderr, "govledger-gateway:", err)
		os.Exit(1)
	}
}

func run(configPath string) error {
	cfg, err := config.Load(configPath, os.LookupEnv)
	if err != nil {
		return err
	}
	log := slog.New(requestid.Handler{Handler: slog.NewJSONHandler(os.Stdout, &slog.HandlerOptions{Level: cfg.Level()})}).
		With("org", cfg.Org)
	slog.SetDefault(log)

	prof, err := profile.Load(cfg.Profile)
	if err != nil {
		return fmt.Errorf("%w (is the network up? `go run ./test-network/cmd/govnet up` writes it)", err)
	}
	if prof.MSPID != cfg.Org {
		return fmt.Errorf("profile %s belongs to %s, not the configured org %s", cfg.Profile, prof.MSPID, cfg.Org)
	}
	w, err := loadWallet(prof)
	if err != nil {
		return err
	}
	for _, name := range w.Names() {
		id, _ := w.Identity(name)
		log.Info("wallet user", "user", name, "custodial", id.Custodial())
	}
	service, err := w.Identity(cfg.ServiceUser)
	if err != nil {
		return fmt.Errorf("service user: %w", err)
	}
	if !service.Custodial() {
		return fmt.Errorf("service user %s: the gateway needs its key", cfg.ServiceUser)
	}
	chaincodes, members, err := chaincodesOf(cfg, prof)
	if err != nil {
		return err
	}

	var conns []grpc.ClientConnInterface
	for _, p := range prof.OwnPeers() {
		conn, err := fabric.Dial(fabric.Peer{Address: p.Address, TLSCACert: p.TLSCACert, ServerName: p.ServerName})
		if err != nil {
			return err
		}
		defer func() { _ = conn.Close() }() // closing a client connection at exit loses nothing
		conns = append(conns, conn)
	}
	adapter, err := fabric.New(prof.Channel, conns, service,
		fabric.WithEvaluateTimeout(cfg.Timeouts.Evaluate.D()),
		fabric.WithEndorseTimeout(cfg.Timeouts.Endorse.D()),
		fabric.WithSubmitTimeout(cfg.Timeouts.Submit.D()),
		fabric.WithCommitStatusTimeout(cfg.Timeouts.CommitStatus.D()),
	)
	if err != nil {
		return err
	}
	defer adapter.Close()

	// Listen before opening the journal, so a taken port leaves nothing open.
	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	readOnly := cfg.ReadOnly || prof.ReadOnly
	a, err := app.New(cfg, app.Setup{Ledger: adapter, Wallet: w, Chaincodes: chaincodes, Members: members.Lookup, ReadOnly: readOnly},
		app.WithLogger(log))
	if err != nil {
		_ = ln.Close()
		return err
	}
	log.Info("starting", "channel", prof.Channel, "chaincodes", chaincodes, "read_only", readOnly, "peers", len(conns))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return a.Run(ctx, ln)
}

func loadWallet(prof *profile.Profile) (*wallet.Wallet, error) {
	users := make([]wallet.User, 0, len(prof.Users))
	for name, u := range prof.Users {
		users = append(users, wallet.User{Name: name, CertPath: u.CertPath, KeyDir: u.KeyDir})
	}
	slices.SortFunc(users, func(a, b wallet.User) int {
		switch {
		case a.Name < b.Name:
			return -1
		case a.Name > b.Name:
			return 1
		}
		return 0
	})
	return wallet.Load(prof.MSPID, users)
}

// chaincodesOf picks the chaincodes to serve (all of the profile's unless
// configured) and the members of their collections.
func chaincodesOf(cfg *config.Config, prof *profile.Profile) ([]string, collections.Members, error) {
	var all []string
	for _, cc := range prof.Chaincodes {
		all = append(all, cc.Name)
	}
	chosen := cfg.Chaincodes
	if len(chosen) == 0 {
		chosen = all
	}
	for _, cc := range chosen {
		if !slices.Contains(all, cc) {
			return nil, nil, fmt.Errorf("chaincode %q is not in profile %s", cc, cfg.Profile)
		}
	}
	if len(chosen) == 0 {
		return nil, nil, errors.New("no chaincode to serve: the profile lists none")
	}
	return chosen, collections.FromProfile(prof, chosen), nil
}
