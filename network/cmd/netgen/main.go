// Command netgen generates a GovLedger network's configuration from its
// topology:
//
//	go run ./network/cmd/netgen -topology network/topology.yaml -crypto <dir> -out <dir> [-consensus BFT]
//
// It writes <out>/configtx.yaml, <out>/collections/<chaincode>.json (only
// for chaincodes with private data collections) and
// <out>/profiles/<mspID>.json, and removes generated JSON files that the
// topology no longer calls for. Crypto material is not generated here: the
// files refer to where the network runner enrols it (topology.Layout below
// -crypto). An invalid topology exits with status 1 and one line per broken
// rule, each naming its field.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/govledger/govledger/network/configgen"
	"github.com/govledger/govledger/network/profile"
	"github.com/govledger/govledger/network/topology"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run is main without the process: it returns the exit status.
func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("netgen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	topoPath := fs.String("topology", "network/topology.yaml", "topology file")
	crypto := fs.String("crypto", "", "root of the crypto material (topology.Layout), required")
	out := fs.String("out", "", "output folder, required")
	consensus := fs.String("consensus", "", "override the topology's consensus type: etcdraft or BFT")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *crypto == "" || *out == "" || fs.NArg() > 0 {
		_, _ = fmt.Fprintln(stderr, "netgen: -crypto and -out are required and no arguments are taken")
		fs.Usage()
		return 2
	}
	written, err := generate(*topoPath, *crypto, *out, *consensus, stderr)
	if err != nil {
		var ve *topology.ValidationError
		if errors.As(err, &ve) {
			_, _ = fmt.Fprintf(stderr, "netgen: %s is invalid:\n", *topoPath)
			for _, f := range ve.Fields {
				_, _ = fmt.Fprintf(stderr, "  %s\n", f)
			}
			return 1
		}
		_, _ = fmt.Fprintf(stderr, "netgen: %v\n", err)
		return 1
	}
	for _, f := range written {
		if _, err := fmt.Fprintln(stdout, f); err != nil {
			_, _ = fmt.Fprintf(stderr, "netgen: %v\n", err)
			return 1
		}
	}
	return 0
}

// generate writes every file and returns their paths in writing order.
func generate(topoPath, crypto, out, consensus string, warn io.Writer) ([]string, error) {
	t, err := topology.Load(topoPath)
	if err != nil {
		return nil, err
	}
	if consensus != "" {
		if t, err = t.WithConsensus(consensus); err != nil {
			return nil, err
		}
	}
	for _, w := range t.Warnings() {
		_, _ = fmt.Fprintf(warn, "netgen: warning: %s\n", w)
	}
	// configtxgen resolves relative paths against configtx.yaml's folder,
	// not the caller's, so every path written is absolute.
	root, err := filepath.Abs(crypto)
	if err != nil {
		return nil, fmt.Errorf("crypto folder: %w", err)
	}
	l := topology.Layout{Root: root}

	files := map[string][]byte{}
	var order []string
	put := func(path string, data []byte) {
		files[path] = data
		order = append(order, path)
	}

	ctx, err := configgen.ConfigTx(t, l)
	if err != nil {
		return nil, err
	}
	put(filepath.Join(out, "configtx.yaml"), ctx)
	for _, cc := range t.Chaincodes {
		data, err := configgen.Collections(cc)
		if err != nil {
			return nil, err
		}
		if data != nil {
			put(filepath.Join(out, "collections", cc.Name+".json"), data)
		}
	}
	for _, o := range t.Orgs {
		p, err := profile.Build(t, l, o.MSPID)
		if err != nil {
			return nil, err
		}
		data, err := p.Marshal()
		if err != nil {
			return nil, err
		}
		put(filepath.Join(out, "profiles", o.MSPID+".json"), data)
	}

	for _, dir := range []string{out, filepath.Join(out, "collections"), filepath.Join(out, "profiles")} {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return nil, fmt.Errorf("create output folder: %w", err)
		}
	}
	for _, path := range order {
		if err := os.WriteFile(path, files[path], 0o600); err != nil {
			return nil, fmt.Errorf("write %s: %w", path, err)
		}
	}
	for _, sub := range []string{"collections", "profiles"} {
		if err := removeStale(filepath.Join(out, sub), files); err != nil {
			return nil, err
		}
	}
	return order, nil
}

// removeStale deletes JSON files in dir that this run did not write, so a
// chaincode that lost its collections leaves no config for the runner to
// pick up.
func removeStale(dir string, keep map[string][]byte) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("list %s: %w", dir, err)
	}
	for _, e := range entries {
		path := filepath.Join(dir, e.Name())
		if !e.Type().IsRegular() || !strings.HasSuffix(e.Name(), ".json") {
			continue
		}
		if _, ok := keep[path]; ok {
			continue
		}
		if err := os.Remove(path); err != nil {
			return fmt.Errorf("remove stale %s: %w", path, err)
		}
	}
	return nil
}
