// Command govnet runs the local GovLedger network: the make targets run,
// network-up, network-down, network-stop, network-status and deploy call it.
//
//	govnet [-state DIR] [-topology FILE] [-consensus etcdraft|BFT] binaries|run|up|down|stop|status|deploy
//
// run is up plus one HTTP gateway per application organisation (ports from
// 8080, the regulator's read-only), and prints how to call them; stop and
// down stop the gateways with everything else.
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
	"io"
	"net/http"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

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
		_, _ = fmt.Fprintln(flag.CommandLine.Output(), "usage: govnet [flags] binaries|run|up|down|stop|status|deploy")
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
	net, err := harness.New(harness.Options{
		Root: root, State: *state, Topology: *topo, Consensus: *consensus, Log: os.Stdout,
		Gateways: flag.Arg(0) == "run",
	})
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
	case "run":
		err := net.Up(ctx)
		if errors.Is(err, harness.ErrAlreadyRunning) {
			fmt.Println("network and gateways are already running")
		} else if err != nil {
			return err
		}
		return tryIt(ctx, os.Stdout, net.Gateways())
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

// tryIt prints where the gateways are and calls to start from: a noop Put
// through the first writing gateway, and the Get of it through the
// read-only one. Parameter names come from the writing gateway's OpenAPI
// document, which follows the chaincode's metadata.
func tryIt(ctx context.Context, w io.Writer, gws []harness.Gateway) error {
	if len(gws) == 0 {
		return errors.New("the topology has no application organisation")
	}
	writer := gws[0]
	if i := slices.IndexFunc(gws, func(g harness.Gateway) bool { return !g.ReadOnly && len(g.Users) > 0 }); i >= 0 {
		writer = gws[i]
	}
	reader := writer
	if i := slices.IndexFunc(gws, func(g harness.Gateway) bool { return g.ReadOnly && len(g.Users) > 0 }); i >= 0 {
		reader = gws[i]
	}
	_, _ = fmt.Fprintf(w, "\nGateways (header %s: dev-<user>; public development keys of this local network only):\n", harness.APIKeyHeader)
	tw := tabwriter.NewWriter(w, 0, 2, 2, ' ', 0)
	for _, g := range gws {
		note := ""
		if g.ReadOnly {
			note = "  (read-only)"
		}
		_, _ = fmt.Fprintf(tw, "  %s\t%s\t%s%s\n", g.MSPID, g.URL(), strings.Join(g.Users, " "), note)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, _ = fmt.Fprintln(w, "\nTry it:")
	put, get, err := noopParams(ctx, writer.URL())
	if err != nil {
		_, _ = fmt.Fprintf(w, "  (no noop example: %v)\n", err)
	} else if len(writer.Users) > 0 && len(reader.Users) > 0 {
		_, _ = fmt.Fprintf(w, "  curl -s -H '%s: %s' -H 'Content-Type: application/json' -d '{%q: \"hello\", %q: \"world\"}' %s/v1/noop/Put\n",
			harness.APIKeyHeader, harness.DevAPIKey(writer.Users[0]), put[0], put[1], writer.URL())
		_, _ = fmt.Fprintf(w, "  curl -s -H '%s: %s' '%s/v1/noop/Get?%s=hello'\n",
			harness.APIKeyHeader, harness.DevAPIKey(reader.Users[0]), reader.URL(), get[0])
	}
	_, _ = fmt.Fprintf(w, "  curl -s %s/v1/openapi.json    # every function, from contract metadata\n", writer.URL())
	_, _ = fmt.Fprintln(w, "\n`make network-status` lists every process; `make network-stop` stops them all, gateways included.")
	return nil
}

// noopParams reads the parameter names of noop's Put (two) and Get (one)
// from a gateway's OpenAPI document: a request body's required members are
// the parameters in order.
func noopParams(ctx context.Context, gateway string) (put, get []string, err error) {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, gateway+"/v1/openapi.json", nil)
	if err != nil {
		return nil, nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer func() { _ = resp.Body.Close() }()
	if resp.StatusCode != http.StatusOK {
		return nil, nil, fmt.Errorf("GET %s/v1/openapi.json: %s", gateway, resp.Status)
	}
	var doc struct {
		Paths map[string]struct {
			Post struct {
				RequestBody struct {
					Content map[string]struct {
						Schema struct {
							Required []string `json:"required"`
						} `json:"schema"`
					} `json:"content"`
				} `json:"requestBody"`
			} `json:"post"`
		} `json:"paths"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 16<<20)).Decode(&doc); err != nil {
		return nil, nil, fmt.Errorf("decode the OpenAPI document: %w", err)
	}
	params := func(path string, n int) ([]string, error) {
		got := doc.Paths[path].Post.RequestBody.Content["application/json"].Schema.Required
		if len(got) != n {
			return nil, fmt.Errorf("%s takes %d parameters, not %d", path, len(got), n)
		}
		return got, nil
	}
	if put, err = params("/v1/noop/Put", 2); err != nil {
		return nil, nil, err
	}
	if get, err = params("/v1/noop/Get", 1); err != nil {
		return nil, nil, err
	}
	return put, get, nil
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
