package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/govledger/govledger/gateway/indexer"
)

const defaultDB = "govledger-audit.db"

// filterFlags are the query criteria shared by query and export.
type filterFlags struct {
	msp, subject, chaincode, key string
	from, to                     string
	beforeBlock                  uint64
}

func (f *filterFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.msp, "msp", "", "creator MSP ID")
	fs.StringVar(&f.subject, "subject", "", "creator certificate common name (needs -msp)")
	fs.StringVar(&f.chaincode, "chaincode", "", "chaincode: actions of the contract, or with -key on one entity")
	fs.StringVar(&f.key, "key", "", "ledger key written (needs -chaincode); private data matched by key hash")
	fs.StringVar(&f.from, "from", "", "earliest transaction timestamp, RFC 3339 (inclusive)")
	fs.StringVar(&f.to, "to", "", "latest transaction timestamp, RFC 3339 (exclusive)")
	fs.Uint64Var(&f.beforeBlock, "before-block", 0, "only blocks below this number (0: no bound)")
}

func (f *filterFlags) query() (indexer.Query, error) {
	q := indexer.Query{MSPID: f.msp, Subject: f.subject, Chaincode: f.chaincode, Key: f.key, BeforeBlock: f.beforeBlock}
	for _, t := range []struct {
		flag, value string
		dst         *time.Time
	}{{"-from", f.from, &q.From}, {"-to", f.to, &q.To}} {
		if t.value == "" {
			continue
		}
		v, err := time.Parse(time.RFC3339Nano, t.value)
		if err != nil {
			return indexer.Query{}, fmt.Errorf("%w: %s: %q is not an RFC 3339 time", errUsage, t.flag, t.value)
		}
		*t.dst = v
	}
	return q, nil
}

// openIndex opens the SQLite index named by -db.
func openIndex(ctx context.Context, path string) (*indexer.SQLiteStore, error) {
	if path == "" {
		return nil, fmt.Errorf("%w: -db is required", errUsage)
	}
	return indexer.OpenSQLite(ctx, path)
}

func runCommand(ctx context.Context, args []string, _, stderr io.Writer) (retErr error) {
	fs := newFlagSet("run", stderr)
	var conn connFlags
	conn.register(fs)
	db := fs.String("db", defaultDB, "SQLite index file")
	maxRetry := fs.Duration("max-retry", 30*time.Second, "longest wait between reconnection attempts")
	verbose := fs.Bool("v", false, "log every indexed block")
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := conn.validate(); err != nil {
		return err
	}
	if *maxRetry < time.Second {
		return fmt.Errorf("%w: -max-retry must be at least 1s", errUsage)
	}
	level := slog.LevelInfo
	if *verbose {
		level = slog.LevelDebug
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))

	store, err := openIndex(ctx, *db)
	if err != nil {
		return err
	}
	defer func() {
		// The follower writes the index, so a failed close is reported.
		if cerr := store.Close(); cerr != nil {
			retErr = errors.Join(retErr, fmt.Errorf("close index: %w", cerr))
		}
	}()
	c, err := conn.connect()
	if err != nil {
		return err
	}
	defer func() { _ = c.Close() }()
	ix, err := indexer.NewForNetwork(c.network, store, indexer.WithLogger(log))
	if err != nil {
		return err
	}
	log.Info("following channel", "channel", c.network.Name(), "peer", c.peer.Name, "peer_msp", c.peer.MSPID, "db", *db)
	return follow(ctx, ix, store, log, *maxRetry)
}

// follow runs the indexer until ctx ends, reconnecting after a dropped
// stream with exponential backoff that resets once blocks flow again.
func follow(ctx context.Context, ix *indexer.Indexer, store indexer.Store, log *slog.Logger, maxRetry time.Duration) error {
	delay := time.Second
	for {
		before, err := store.Checkpoint(ctx)
		if err != nil {
			return stopped(ctx, err)
		}
		err = ix.Run(ctx)
		if ctx.Err() != nil {
			log.Info("stopped")
			return nil
		}
		if !errors.Is(err, indexer.ErrSourceUnavailable) {
			return err
		}
		if after, cpErr := store.Checkpoint(ctx); cpErr == nil && after.NextBlock > before.NextBlock {
			delay = time.Second
			log.Warn("block stream ended, reconnecting", "in", delay, "error", err)
		} else {
			// The Gateway SDK drops the peer's reason for closing the
			// stream, so point at the usual ones.
			log.Warn("block stream closed before any block, retrying; the peer log has the reason "+
				"(user not a channel reader, wrong channel, TLS)", "in", delay, "error", err)
		}
		select {
		case <-ctx.Done():
			log.Info("stopped")
			return nil
		case <-time.After(delay):
		}
		delay = min(2*delay, maxRetry)
	}
}

// stopped treats an error caused by shutdown as a clean stop.
func stopped(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return nil
	}
	return err
}

func verifyCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("verify", stderr)
	var conn connFlags
	conn.register(fs)
	db := fs.String("db", defaultDB, "SQLite index file")
	timeout := fs.Duration("timeout", 10*time.Minute, "give up if the peer has not served every indexed block by then")
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := conn.validate(); err != nil {
		return err
	}
	if *timeout <= 0 {
		return fmt.Errorf("%w: -timeout must be positive", errUsage)
	}
	store, err := openIndex(ctx, *db)
	if err != nil {
		return err
	}
	defer func() { _ = store.Close() }()
	c, err := conn.connect()
	if err != nil {
		return err
	}
	defer func() { _ = c.Close() }()
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	rep, err := indexer.Verify(ctx, indexer.NewNetworkSource(c.network), store)
	if err != nil {
		return fmt.Errorf("against %s/%s: %w", c.peer.MSPID, c.peer.Name, err)
	}
	return writeJSON(stdout, struct {
		Peer string `json:"peer"`
		indexer.Report
	}{c.peer.MSPID + "/" + c.peer.Name, rep})
}

func queryCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("query", stderr)
	var filters filterFlags
	filters.register(fs)
	db := fs.String("db", defaultDB, "SQLite index file")
	limit := fs.Int("limit", indexer.DefaultPageSize, fmt.Sprintf("page size, at most %d", indexer.MaxPageSize))
	cursor := fs.String("cursor", "", "the next cursor of the previous page")
	if err := parse(fs, args); err != nil {
		return err
	}
	q, err := filters.query()
	if err != nil {
		return err
	}
	q.Limit, q.Cursor = *limit, *cursor
	if err := q.Validate(); err != nil {
		return fmt.Errorf("%w: %w", errUsage, err)
	}
	store, err := openIndex(ctx, *db)
	if err != nil {
		return err
	}
	defer func() { _ = store.Close() }()
	page, err := store.Query(ctx, q)
	if err != nil {
		return err
	}
	if page.Actions == nil {
		page.Actions = []indexer.Action{}
	}
	return writeJSON(stdout, page)
}

func exportCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("export", stderr)
	var filters filterFlags
	filters.register(fs)
	db := fs.String("db", defaultDB, "SQLite index file")
	formatName := fs.String("format", "json", "report format: json or csv")
	out := fs.String("out", "", "report file (default standard output)")
	if err := parse(fs, args); err != nil {
		return err
	}
	format, err := indexer.ParseFormat(*formatName)
	if err != nil {
		return fmt.Errorf("%w: %w", errUsage, err)
	}
	q, err := filters.query()
	if err != nil {
		return err
	}
	if err := q.Validate(); err != nil {
		return fmt.Errorf("%w: %w", errUsage, err)
	}
	store, err := openIndex(ctx, *db)
	if err != nil {
		return err
	}
	defer func() { _ = store.Close() }()
	if *out == "" {
		sum, err := indexer.Export(ctx, store, q, format, stdout)
		if err != nil {
			return err
		}
		return summarise(stderr, sum)
	}
	return exportToFile(ctx, store, q, format, *out, stderr)
}

// exportToFile writes the report beside its destination and renames it
// into place, so a failed export never leaves a truncated report behind.
func exportToFile(ctx context.Context, store indexer.Store, q indexer.Query, format indexer.Format, path string, stderr io.Writer) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	// After a successful rename the temporary name is gone, so the error is expected.
	defer func() { _ = os.Remove(tmp.Name()) }()
	sum, err := indexer.Export(ctx, store, q, format, tmp)
	if err != nil {
		_ = tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	return summarise(stderr, sum)
}

func summarise(w io.Writer, sum indexer.ExportSummary) error {
	if sum.IndexedBlocks == 0 {
		_, err := fmt.Fprintln(w, "exported 0 actions: the index is empty")
		return err
	}
	_, err := fmt.Fprintf(w, "exported %d actions from blocks 0-%d\n", sum.Actions, sum.IndexedBlocks-1)
	return err
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}
