// Command govnet runs the local GovLedger network: the make targets
// network-up, network-down, network-stop, network-status and deploy call it.
//
//	govnet [-state DIR] [-topology FILE] [-consensus etcdraft|BFT] binaries|up|down|stop|status|deploy
//
// GOVLEDGER_STATE and GOVLEDGER_CONSENSUS set the defaults of -state and
// -consensus.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"text/tabwriter"

	"github.com/govledger/govledger/test-network/harness"
)

func main() {
	if err := run(); err != nil {
		_, _ = fmt.Fprintln(os.Stderr, "govnet:", err)
		os.Exit(1)
	}
}

func run() error {
	state := flag.String("state", os.Getenv("GOVLEDGER_STATE"), "state folder (default <repo>/.state)")
	topo := flag.String("topology", "", "topology file (default <repo>/network/topology.yaml)")
	consensus := flag.String("consensus", os.Getenv("GOVLEDGER_CONSENSUS"), "etcdraft or BFT (default: the topology's)")
	asJSON := flag.Bool("json", false, "status as JSON")
	flag.Usage = func() {
		_, _ = fmt.Fprintln(flag.CommandLine.Output(), "usage: govnet [flags] binaries|up|down|stop|status|deploy")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() != 1 {
		flag.Usage()
		return errors.New("one command expected")
	}
	root, err := harness.FindRoot()
	if err != nil {
		return err
	}
	net, err := harness.New(harness.Options{Root: root, State: *state, Topology: *topo, Consensus: *consensus, Log: os.Stdout})
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	switch flag.Arg(0) {
	case "up":
		err := net.Up(ctx)
		if errors.Is(err, harness.ErrAlreadyRunning) {
			fmt.Println("network is already running; `make network-status` shows it")
			return nil
		}
		return err
	case "binaries":
		return net.Bin.Ensure(ctx, root, os.Stdout)
	case "down":
		return net.Down()
	case "stop":
		return net.Stop()
	case "deploy":
		return net.Deploy(ctx)
	case "status":
		st := net.Status(ctx)
		if *asJSON {
			enc := json.NewEncoder(os.Stdout)
			enc.SetIndent("", "  ")
			return enc.Encode(st)
		}
		// The tabwriter holds the table until Flush, whose error is returned.
		w := tabwriter.NewWriter(os.Stdout, 0, 2, 2, ' ', 0)
		_, _ = fmt.Fprintln(w, "NAME\tKIND\tADDRESS\tPID\tHEALTH\tHEIGHT\tRSS")
		for _, s := range st {
			_, _ = fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", s.Name, s.Kind, s.Address, dash(s.PID), s.Health, dash(s.Height), mib(s.RSS))
		}
		return w.Flush()
	default:
		flag.Usage()
		return fmt.Errorf("unknown command %q", flag.Arg(0))
	}
}

func dash[T int | int64](v T) string {
	if v == 0 {
		return "-"
	}
	return fmt.Sprint(v)
}

func mib(b int64) string {
	if b == 0 {
		return "-"
	}
	return fmt.Sprintf("%.0f MiB", float64(b)/(1<<20))
}
