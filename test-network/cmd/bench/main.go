// Command bench is `make bench`: GovLedger's live-network benchmark. It
// brings a network up from nothing in a temporary state folder, starts one
// govledger-gateway per organisation, and measures, side by side in one
// run so that every figure that matters is a ratio:
//
//  1. the limit: noop submits straight through the Fabric Gateway SDK at
//     1, 16, 64 and 256 clients;
//  2. the same submits, and evaluations both ways, through the gateways'
//     HTTP API: gateway against direct;
//  3. the main write and main paged query of every contract at 64
//     clients: against noop;
//  4. a paged listing and a single-key read at 1 000 and then 100 000
//     stored records (noop Seed and List): 100k against 1k;
//  5. peak resident memory of the gateways and of every chaincode server.
//
// It writes bench/results/latest.json, latest.md and latest.png, prints the
// targets as PASS or MISS, and takes the network down. Only one network can
// run on a machine: it waits for the orderer port to be free first and
// never stops a process it did not start.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/govledger/govledger/test-network/harness"
	"github.com/govledger/govledger/test-network/loadgen"
)

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		_, _ = fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

// options are the command's flags.
type options struct {
	levels        []int
	duration      time.Duration
	warmup        time.Duration
	evalDuration  time.Duration
	domainClients int
	scaleClients  int
	bigRecords    int
	smallRecords  int
	out           string
	wait          time.Duration
	gateway       bool
	consensus     string
	topology      string
}

// Bounds of the flags, so that a typo cannot start an hour-long run.
const (
	maxClients  = 1024
	maxDuration = 5 * time.Minute
	maxRecords  = 1_000_000
)

// errFlag is wrapped by every flag error.
var errFlag = errors.New("invalid flag")

func parseFlags(args []string, stderr io.Writer) (options, error) {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var o options
	levels := fs.String("clients", "1,16,64,256", "comma-separated client counts for noop submits and evaluations")
	fs.DurationVar(&o.duration, "duration", 8*time.Second, "measured time of each submit run")
	fs.DurationVar(&o.warmup, "warmup", 2*time.Second, "unmeasured warm-up before each run")
	fs.DurationVar(&o.evalDuration, "eval-duration", 5*time.Second, "measured time of each evaluation run")
	fs.IntVar(&o.domainClients, "domain-clients", 64, "clients of the domain runs")
	fs.IntVar(&o.scaleClients, "scale-clients", 16, "clients of the scale runs")
	fs.IntVar(&o.smallRecords, "small", 1000, "records of the small ledger (a multiple of the seed batch)")
	fs.IntVar(&o.bigRecords, "big", 100_000, "records of the big ledger (a multiple of the seed batch)")
	fs.StringVar(&o.out, "out", "bench/results", "result folder, relative to the repository root")
	fs.DurationVar(&o.wait, "wait", 5*time.Minute, "how long to wait for another network to release the ports")
	fs.BoolVar(&o.gateway, "gateway", true, "measure through the GovLedger gateways too")
	fs.StringVar(&o.consensus, "consensus", os.Getenv("GOVLEDGER_CONSENSUS"), "etcdraft or BFT")
	fs.StringVar(&o.topology, "topology", os.Getenv("GOVLEDGER_TOPOLOGY"), "topology file (default network/topology.yaml)")
	if err := fs.Parse(args); err != nil {
		return options{}, fmt.Errorf("%w: %w", errFlag, err)
	}
	if fs.NArg() > 0 {
		return options{}, fmt.Errorf("%w: unexpected argument %q", errFlag, fs.Arg(0))
	}
	for _, f := range strings.Split(*levels, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 || n > maxClients {
			return options{}, fmt.Errorf("%w: -clients: %q is not a client count between 1 and %d", errFlag, f, maxClients)
		}
		o.levels = append(o.levels, n)
	}
	for _, c := range []struct {
		name string
		v    int
	}{{"-domain-clients", o.domainClients}, {"-scale-clients", o.scaleClients}} {
		if c.v < 1 || c.v > maxClients {
			return options{}, fmt.Errorf("%w: %s must be between 1 and %d", errFlag, c.name, maxClients)
		}
	}
	for _, d := range []struct {
		name string
		v    time.Duration
		min  time.Duration
	}{{"-duration", o.duration, time.Second}, {"-eval-duration", o.evalDuration, time.Second}, {"-warmup", o.warmup, 0}, {"-wait", o.wait, 0}} {
		if d.v < d.min || d.v > maxDuration {
			return options{}, fmt.Errorf("%w: %s must be between %s and %s", errFlag, d.name, d.min, maxDuration)
		}
	}
	for _, r := range []struct {
		name string
		v    int
	}{{"-small", o.smallRecords}, {"-big", o.bigRecords}} {
		if r.v < seedBatch || r.v > maxRecords || r.v%seedBatch != 0 {
			return options{}, fmt.Errorf("%w: %s must be a multiple of %d up to %d", errFlag, r.name, seedBatch, maxRecords)
		}
	}
	return o, nil
}

func run(args []string, stdout, stderr io.Writer) error {
	opts, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	began := time.Now()

	root, err := harness.FindRoot()
	if err != nil {
		return err
	}
	state, err := os.MkdirTemp("", "govledger-bench-")
	if err != nil {
		return err
	}
	nw, err := harness.New(harness.Options{Root: root, State: state, Topology: opts.topology, Consensus: opts.consensus, Log: stderr})
	if err != nil {
		return err
	}
	if err := nw.Bin.Ensure(ctx, root, stderr); err != nil {
		return err
	}
	orderer := nw.Topology.Consenters()[0]
	if err := waitForFreePort(ctx, hostPort(nw.Topology.Host, orderer.Port), opts.wait, stderr); err != nil {
		return err
	}
	upErr := nw.Up(ctx)
	defer func() {
		if err := nw.Down(); err != nil {
			_, _ = fmt.Fprintln(stderr, "network down:", err)
		}
	}()
	if upErr != nil {
		return upErr
	}

	b := &bench{
		opts: opts, net: nw, sdk: newSDKPool(nw), log: stderr,
		run: strconv.FormatInt(time.Now().UnixNano()%1e12, 36),
		rep: &Report{
			Date: time.Now().UTC().Format(time.RFC3339), Machine: machine(),
			Consensus: nw.Topology.Ordering.Consensus, BatchTimeout: nw.Topology.Channel.Batch.Timeout.String(),
			Settings: fmt.Sprintf("clients %v, %s measured + %s warm-up per submit run, %s per evaluation run",
				opts.levels, opts.duration, opts.warmup, opts.evalDuration),
		},
	}
	defer b.sdk.Close()
	b.note("Direct runs spread clients over the endorsing organisations' first peers, gateway runs over the same organisations' gateways (%s puts every client on %s's gateway alone).", noopPutOneGateway, buyer.MSPID)
	b.note("Gateways run with the per-caller rate limit lifted; everything else is gateway/config/local.yaml.")
	b.note("Domain contracts' endorsement policies ask for two organisations, noop's for one: %s is noop endorsed by two, the baseline that separates the policy's cost from the contract's.", noopPutTwoEndorsers)
	b.note("The load generator runs on the same cores as the network: its CPU is the bench column of CPU ms/op.")
	b.mon = newMonitor(watchedNetwork(nw))
	monCtx, stopMon := context.WithCancel(ctx)
	defer stopMon()
	go b.mon.run(monCtx, 250*time.Millisecond)

	if opts.gateway {
		if err := b.startGateways(ctx); err != nil {
			b.note("gateway figures missing: %v", err)
			_, _ = fmt.Fprintln(stderr, "gateways:", err)
		}
	}
	for _, phase := range []struct {
		name string
		run  func(context.Context) error
	}{
		{"noop submits", b.noopSubmits},
		{"noop evaluations", b.noopEvaluations},
		{"noop with two endorsers", b.noopTwoEndorsers},
		{"procurement", b.procurement},
		{"health", b.health},
		{"audit", b.audit},
		{"benefits", b.benefits},
		{"scale", b.scale},
	} {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := phase.run(ctx); err != nil {
			// One broken phase must not cost the figures of the others.
			b.note("%s: %v", phase.name, err)
			_, _ = fmt.Fprintf(stderr, "%s failed: %v\n", phase.name, err)
		}
	}

	peaks, kinds := b.mon.peaks()
	b.rep.Memory = memoryRows(peaks, kinds, b.gateway256)
	b.rep.Seconds = round2(time.Since(began).Seconds())
	b.rep.computeRatios()
	b.rep.evaluateTargets()
	out := opts.out
	if !filepath.IsAbs(out) {
		out = filepath.Join(root, out)
	}
	if err := b.rep.write(out); err != nil {
		return err
	}
	b.rep.printTargets(stdout)
	_, _ = fmt.Fprintf(stdout, "results: %s\n", filepath.Join(out, "latest.md"))
	return nil
}

// bench is one run's state.
type bench struct {
	opts options
	net  *harness.Network
	sdk  *sdkPool
	gw   *gatewayClient
	mon  *monitor
	log  io.Writer
	// run makes the ids of this run unique on the ledger.
	run string
	rep *Report
	// gateway256 is each gateway's peak RSS while 256 clients submitted.
	gateway256 map[string]int64
	mu         sync.Mutex
}

func (b *bench) note(format string, args ...any) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.rep.Notes = append(b.rep.Notes, fmt.Sprintf(format, args...))
}

// spec describes one measured run.
type spec struct {
	name     string
	group    string
	via      string
	kind     string
	clients  int
	duration time.Duration
	warmup   time.Duration
	// maxOps stops a run that draws from a pool before the pool runs out.
	maxOps int
}

// measure runs op under loadgen and records the figure. Operations must
// use the bench's context, not the one loadgen passes: loadgen cancels its
// own when maxOps is reached, and an operation cut short would count as an
// error.
func (b *bench) measure(ctx context.Context, s spec, op loadgen.Op) (Figure, error) {
	var executed atomic.Int64
	counted := func(ctx context.Context, c, i int) (string, error) {
		executed.Add(1)
		return op(ctx, c, i)
	}
	cpu0 := b.mon.cpu()
	var before gatewaySnapshot
	var scraped error
	if s.via == viaGateway {
		before, scraped = scrapeGateways(ctx, b.gw.bases)
	}
	r, err := loadgen.Run(ctx, loadgen.Config{Name: s.name, Concurrency: s.clients, Duration: s.duration, Warmup: s.warmup, MaxOps: s.maxOps}, counted)
	if err != nil {
		return Figure{}, err
	}
	cpu1 := b.mon.cpu()
	f := Figure{Result: r, Group: s.group, Via: s.via, Kind: s.kind}
	if s.via == viaGateway && scraped == nil {
		if after, err := scrapeGateways(ctx, b.gw.bases); err == nil {
			f.GatewayMs = breakdown(before, after)
		}
	}
	if n := executed.Load(); n > 0 {
		f.CPUms = map[string]float64{}
		for kind, d := range cpu1 {
			// Kinds that did no work (the CAs) would only clutter the table.
			if ms := round2(float64(d-cpu0[kind]) / float64(time.Millisecond) / float64(n)); ms > 0 {
				f.CPUms[kind] = ms
			}
		}
	}
	b.mu.Lock()
	b.rep.Figures = append(b.rep.Figures, f)
	b.mu.Unlock()
	line := fmt.Sprintf("%-34s %-8s %-7s %4d clients %8.1f /s  p50 %7.1f  p99 %8.1f ms  errors %d",
		s.name, s.kind, s.via, s.clients, r.TPS, r.P50ms, r.P99ms, r.Errors)
	if r.FirstError != "" {
		line += " (" + intMap(r.ErrorKinds) + "; first: " + truncate(r.FirstError, 200) + ")"
	}
	_, _ = fmt.Fprintln(b.log, line)
	return f, nil
}

// setup runs calls with at most parallel at a time and fails on the first
// error: setup transactions are not measured, but every one must commit.
func setup(ctx context.Context, parallel int, calls []func(context.Context) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	sem := make(chan struct{}, parallel)
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		first error
	)
	for _, c := range calls {
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			if err := c(ctx); err != nil {
				mu.Lock()
				if first == nil {
					first = err
					cancel()
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if first != nil {
		return first
	}
	return ctx.Err()
}

// pool hands out items one operation at a time, for runs that consume what
// an earlier run created (a tender is published once).
type pool[T any] struct {
	mu    sync.Mutex
	items []T
	next  int
}

func (p *pool[T]) add(v T) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.items = append(p.items, v)
}

func (p *pool[T]) take() (T, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	var zero T
	if p.next >= len(p.items) {
		return zero, false
	}
	p.next++
	return p.items[p.next-1], true
}

func (p *pool[T]) size() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.items)
}

// errExhausted says a run drew more items than its pool held.
var errExhausted = errors.New("pool exhausted")

// poolRun bounds a run that draws from a pool of n items: it stops after
// n - clients counted operations, so that the operations still in flight
// when it stops find an item too. Warm-up would draw from the pool
// uncounted, so there is none.
func poolRun(s spec, n int) (spec, bool) {
	s.maxOps, s.warmup = n-s.clients, 0
	return s, s.maxOps > 0
}

// waitForFreePort waits until nothing accepts connections on addr: another
// network (another engineer's, or CI's) may be running, and its processes
// are not ours to stop.
func waitForFreePort(ctx context.Context, addr string, wait time.Duration, log io.Writer) error {
	deadline := time.Now().Add(wait)
	for {
		conn, err := net.DialTimeout("tcp", addr, time.Second)
		if err != nil {
			return nil
		}
		_ = conn.Close()
		if time.Now().After(deadline) {
			return fmt.Errorf("%s is still in use after %s: another network is running", addr, wait)
		}
		_, _ = fmt.Fprintf(log, "%s is in use by another network; waiting\n", addr)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(10 * time.Second):
		}
	}
}

func hostPort(host string, port int) string { return net.JoinHostPort(host, strconv.Itoa(port)) }

// watchedNetwork lists the network's processes and this one for the monitor.
func watchedNetwork(nw *harness.Network) []watched {
	var out []watched
	for _, p := range nw.Processes() {
		out = append(out, watched{Name: p.Name, Kind: p.Kind, PID: func() (int, error) { return p.PID(nw.State) }})
	}
	return append(out, watched{Name: "bench", Kind: "bench", PID: selfPID})
}

func machine() string {
	model := ""
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if m, ok := strings.CutPrefix(l, "model name"); ok {
				model = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(m), ":"))
				break
			}
		}
	}
	return fmt.Sprintf("%d cores, %s", runtime.NumCPU(), model)
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
