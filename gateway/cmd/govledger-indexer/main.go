// Command govledger-indexer builds and serves the ledger-wide audit trail
// (package gateway/indexer): it follows the channel's blocks from a peer
// into a SQLite index, answers audit queries, exports reports and proves the
// index still matches the chain.
//
// Usage:
//
//	govledger-indexer run    -profile P -user U [-peer PEER] [-db FILE] [-max-retry 30s] [-v]
//	govledger-indexer verify -profile P -user U [-peer PEER] [-db FILE] [-timeout 10m]
//	govledger-indexer query  [-db FILE] [filters] [-limit N] [-cursor C]
//	govledger-indexer export [-db FILE] [filters] [-format json|csv] [-out FILE]
//
// run follows the channel until interrupted (SIGINT or SIGTERM), resuming
// from the index's checkpoint and reconnecting with exponential backoff
// when the block stream drops. A broken hash chain, a block conflicting
// with the index, or a malformed block stops it with exit status 1.
//
// verify re-reads the chain from block 0 through the index's checkpoint and
// prints a JSON report, or the first mismatch and exit status 1. Point it at
// another organisation's peer to check the first one's validation codes.
//
// query prints one JSON page ({"actions":[…],"next":"…"}); pass next back
// as -cursor for the following page. export writes the whole result as a
// report pinned to the blocks indexed when it starts.
//
// Connection flags (run, verify):
//
//	-profile  connection profile JSON written by netgen (package network/profile)
//	-user     enrolled user of the profile's organisation to connect as; a
//	          regulator or auditor (e.g. regulator1, auditor1). Any channel
//	          member may read blocks.
//	-peer     peer to read from: a name of the profile organisation's own
//	          peers (peer0) or MSPID/name for another organisation's peer;
//	          default the organisation's first peer
//
// Index flags (all subcommands):
//
//	-db       SQLite index file, created if missing (default govledger-audit.db)
//
// Filters (query, export), combined with AND:
//
//	-msp, -subject       creator MSP ID and certificate common name (subject needs msp)
//	-chaincode           actions of a contract (invoked it or wrote into it)
//	-chaincode -key      actions that wrote that key, private data included by key hash
//	-from, -to           transaction timestamp range [from, to), RFC 3339
//	-before-block N      only blocks below N
//
// Exit status: 0 success, 1 failure, 2 bad usage.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// errUsage marks a command line the program cannot act on (exit status 2).
var errUsage = errors.New("usage")

// commands maps each subcommand to its implementation.
var commands = map[string]func(ctx context.Context, args []string, stdout, stderr io.Writer) error{
	"run":    runCommand,
	"verify": verifyCommand,
	"query":  queryCommand,
	"export": exportCommand,
}

const usage = `usage: govledger-indexer run|verify|query|export [flags]
  run     follow the channel into the index until interrupted
  verify  prove the index matches the chain a peer serves
  query   print one page of matching actions as JSON
  export  write an audit report (json or csv) of every matching action
Run "govledger-indexer <command> -h" for the command's flags.
`

// run executes one command line and returns the exit status.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		_, _ = fmt.Fprint(stderr, usage)
		return 2
	}
	cmd, ok := commands[args[0]]
	if !ok {
		_, _ = fmt.Fprintf(stderr, "govledger-indexer: unknown command %q\n%s", args[0], usage)
		return 2
	}
	err := cmd(ctx, args[1:], stdout, stderr)
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, errUsage):
		_, _ = fmt.Fprintf(stderr, "govledger-indexer %s: %v\n", args[0], err)
		return 2
	default:
		_, _ = fmt.Fprintf(stderr, "govledger-indexer %s: %v\n", args[0], err)
		return 1
	}
}

// newFlagSet returns a flag set that reports errors instead of exiting.
func newFlagSet(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("govledger-indexer "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return fs
}

// parse parses args, turning flag errors into usage errors.
func parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return fmt.Errorf("%w: %w", errUsage, err)
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: unexpected argument %q", errUsage, fs.Arg(0))
	}
	return nil
}
