// Command netbench records the local network's figures: time from nothing to
// a ready channel with every chaincode committed (binaries cached), resident
// memory of every process at idle, and the noop contract's committed
// throughput at several client counts, submitted straight through the Fabric
// Gateway SDK. It prints a table and writes bench/results/network.json.
//
// It brings up a network of its own in a temporary state folder, so nothing
// may be listening on the topology's ports.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/hyperledger/fabric-gateway/pkg/client"

	"github.com/govledger/govledger/test-network/harness"
	"github.com/govledger/govledger/test-network/loadgen"
)

// Report is the content of bench/results/network.json.
type Report struct {
	Date         string             `json:"date"`
	Machine      string             `json:"machine"`
	Consensus    string             `json:"consensus"`
	BatchTimeout string             `json:"batch_timeout"`
	StartupSecs  float64            `json:"startup_seconds"`
	IdleRSSMiB   map[string]float64 `json:"idle_rss_mib"`
	IdleRSSTotal float64            `json:"idle_rss_total_mib"`
	NoopSubmits  []loadgen.Result   `json:"noop_submit"`
}

func main() {
	if err := run(); err != nil {
		_, _ = fmt.Fprintln(os.Stderr, "netbench:", err)
		os.Exit(1)
	}
}

func run() error {
	levels := flag.String("clients", "1,16,64", "comma-separated client counts")
	duration := flag.Duration("duration", 20*time.Second, "measured time per client count")
	warmup := flag.Duration("warmup", 3*time.Second, "unmeasured warm-up per client count")
	out := flag.String("out", "bench/results/network.json", "result file, relative to the repository root")
	consensus := flag.String("consensus", os.Getenv("GOVLEDGER_CONSENSUS"), "etcdraft or BFT")
	topo := flag.String("topology", os.Getenv("GOVLEDGER_TOPOLOGY"), "topology file (default network/topology.yaml)")
	flag.Parse()

	root, err := harness.FindRoot()
	if err != nil {
		return err
	}
	state, err := os.MkdirTemp("", "govledger-bench-")
	if err != nil {
		return err
	}
	net, err := harness.New(harness.Options{Root: root, State: state, Topology: *topo, Consensus: *consensus, Log: os.Stderr})
	if err != nil {
		return err
	}
	ctx := context.Background()
	// Binaries are built before the clock starts: the figure is for a
	// machine that has them cached.
	if err := net.Bin.Ensure(ctx, root, os.Stderr); err != nil {
		return err
	}
	start := time.Now()
	upErr := net.Up(ctx)
	startup := time.Since(start)
	defer func() {
		if err := net.Down(); err != nil {
			_, _ = fmt.Fprintln(os.Stderr, "network down:", err)
		}
	}()
	if upErr != nil {
		return upErr
	}
	rep := Report{
		Date: time.Now().UTC().Format(time.RFC3339), Machine: machine(),
		Consensus: net.Topology.Ordering.Consensus, BatchTimeout: net.Topology.Channel.Batch.Timeout.String(),
		StartupSecs: round(startup.Seconds()), IdleRSSMiB: map[string]float64{},
	}
	time.Sleep(5 * time.Second)
	for _, s := range net.Status(ctx) {
		mib := round(float64(s.RSS) / (1 << 20))
		rep.IdleRSSMiB[s.Name] = mib
		rep.IdleRSSTotal = round(rep.IdleRSSTotal + mib)
	}

	contracts, closeAll, err := noopContracts(net)
	if err != nil {
		return err
	}
	defer closeAll()
	value := strings.Repeat("x", 100)
	for _, f := range strings.Split(*levels, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil {
			return fmt.Errorf("-clients: %w", err)
		}
		op := func(ctx context.Context, c, i int) (string, error) {
			contract := contracts[c%len(contracts)]
			key := fmt.Sprintf("bench-%d-%d-%d", n, c, i)
			_, commit, err := contract.SubmitAsync("Noop:Put", client.WithArguments(key, value))
			if err != nil {
				return errorKind(err), err
			}
			status, err := commit.Status()
			if err != nil {
				return errorKind(err), err
			}
			if !status.Successful {
				return status.Code.String(), fmt.Errorf("transaction %s: %s", status.TransactionID, status.Code)
			}
			return "", nil
		}
		r, err := loadgen.Run(ctx, loadgen.Config{Name: "noop-submit-sdk", Concurrency: n, Duration: *duration, Warmup: *warmup}, op)
		if err != nil {
			return err
		}
		_, _ = fmt.Fprintf(os.Stderr, "%d clients: %.1f tx/s\n", n, r.TPS)
		rep.NoopSubmits = append(rep.NoopSubmits, r)
	}
	print(rep)
	data, err := json.MarshalIndent(rep, "", "  ")
	if err != nil {
		return err
	}
	path := *out
	if !filepath.IsAbs(path) {
		path = filepath.Join(root, path)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return err
	}
	return os.WriteFile(path, append(data, '\n'), 0o600)
}

// noopContracts connects one Gateway per endorsing org (its first peer, a
// user of that org), so load spreads over the orgs' peers as agencies would.
func noopContracts(net *harness.Network) ([]*client.Contract, func(), error) {
	var contracts []*client.Contract
	var closers []func()
	closeAll := func() {
		for _, c := range closers {
			c()
		}
	}
	for _, o := range net.Topology.EndorsingOrgs() {
		if len(o.Users) == 0 {
			continue
		}
		gw, conn, err := net.Connect(o.MSPID, o.Peers[0].Name, o.Users[0].Name)
		if err != nil {
			closeAll()
			return nil, nil, err
		}
		closers = append(closers, func() { _ = gw.Close(); _ = conn.Close() })
		contracts = append(contracts, gw.GetNetwork(net.Topology.Channel.Name).GetContract("noop"))
	}
	if len(contracts) == 0 {
		return nil, nil, errors.New("no endorsing org with a user to submit as")
	}
	return contracts, closeAll, nil
}

func errorKind(err error) string {
	var (
		endorse *client.EndorseError
		submit  *client.SubmitError
		status  *client.CommitStatusError
	)
	switch {
	case errors.As(err, &endorse):
		return "endorse"
	case errors.As(err, &submit):
		return "submit"
	case errors.As(err, &status):
		return "commit_status"
	case errors.Is(err, context.DeadlineExceeded):
		return "timeout"
	}
	return "other"
}

func print(r Report) {
	w := tabwriter.NewWriter(os.Stdout, 0, 2, 2, ' ', tabwriter.AlignRight)
	_, _ = fmt.Fprintf(w, "startup from nothing (cached binaries)\t%.1f s\t\n", r.StartupSecs)
	_, _ = fmt.Fprintf(w, "idle RSS, all %d processes\t%.0f MiB\t\n", len(r.IdleRSSMiB), r.IdleRSSTotal)
	_ = w.Flush()
	w = tabwriter.NewWriter(os.Stdout, 0, 2, 2, ' ', tabwriter.AlignRight)
	_, _ = fmt.Fprintln(w, "clients\ttx/s\tp50 ms\tp95 ms\tp99 ms\terrors\t")
	for _, s := range r.NoopSubmits {
		_, _ = fmt.Fprintf(w, "%d\t%.1f\t%.1f\t%.1f\t%.1f\t%d\t\n", s.Concurrency, s.TPS, s.P50ms, s.P95ms, s.P99ms, s.Errors)
	}
	_ = w.Flush()
}

func machine() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	cores := 0
	model := ""
	if err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if strings.HasPrefix(l, "processor") {
				cores++
			}
			if m, ok := strings.CutPrefix(l, "model name"); ok && model == "" {
				model = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(m), ":"))
			}
		}
	}
	return fmt.Sprintf("%d cores, %s", cores, model)
}

func round(f float64) float64 { return float64(int64(f*100+0.5)) / 100 }
