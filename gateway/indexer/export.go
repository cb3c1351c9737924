package indexer

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// Format is an audit report format.
type Format string

// The report formats.
const (
	FormatJSON Format = "json"
	FormatCSV  Format = "csv"
)

// ParseFormat accepts "json" or "csv".
func ParseFormat(s string) (Format, error) {
	switch f := Format(strings.ToLower(s)); f {
	case FormatJSON, FormatCSV:
		return f, nil
	}
	return "", &QueryError{Field: "format", Rule: fmt.Sprintf("%q is not json or csv", s)}
}

// ExportSummary describes a written report.
type ExportSummary struct {
	// Actions is how many actions the report lists.
	Actions int `json:"actions"`
	// IndexedBlocks is the number of blocks the report covers (0 through
	// IndexedBlocks-1): the checkpoint when the export started.
	IndexedBlocks uint64 `json:"indexedBlocks"`
}

// CSVHeader is the column row of a CSV report.
var CSVHeader = []string{
	"block_number", "block_hash", "tx_index", "tx_id", "channel", "type", "timestamp", "creator_msp", "subject",
	"attributes", "chaincode", "function", "validation_code", "validation", "writes", "malformed",
}

// Export writes an audit report of every action matching q (Limit is the
// page size used to read it, MaxPageSize if zero; Cursor must be empty). The report is pinned to
// the blocks indexed when it starts, so it is reproducible while indexing
// continues. Each row carries its block number, block hash and transaction
// index: fetch that block from any peer, check that the SHA-256 of its DER
// header is the block hash, and decode transaction tx_index to re-verify
// the row.
//
// The JSON form is {"query":…,"indexedBlocks":N,"actions":[…],"count":k}
// with actions as Action encodes them. The CSV form has CSVHeader columns;
// attributes and writes are JSON, and any cell a spreadsheet would run as a
// formula (starting with = + - @ tab or CR) is prefixed with a single quote.
func Export(ctx context.Context, store Store, q Query, format Format, w io.Writer) (ExportSummary, error) {
	if _, err := ParseFormat(string(format)); err != nil {
		return ExportSummary{}, err
	}
	if q.Cursor != "" {
		return ExportSummary{}, &QueryError{Field: "cursor", Rule: "an export covers the whole query; leave it empty"}
	}
	if err := q.Validate(); err != nil {
		return ExportSummary{}, err
	}
	cp, err := store.Checkpoint(ctx)
	if err != nil {
		return ExportSummary{}, err
	}
	if q.BeforeBlock == 0 || q.BeforeBlock > cp.NextBlock {
		q.BeforeBlock = cp.NextBlock
	}
	if q.Limit == 0 {
		q.Limit = MaxPageSize
	}
	sum := ExportSummary{IndexedBlocks: q.BeforeBlock}
	bw := bufio.NewWriter(w)
	var out reportWriter
	if format == FormatJSON {
		out = &jsonReport{w: bw}
	} else {
		out = &csvReport{w: csv.NewWriter(bw)}
	}
	if err := out.begin(q, sum.IndexedBlocks); err != nil {
		return sum, fmt.Errorf("export: %w", err)
	}
	// An empty index has no block to pin to: BeforeBlock 0 would mean
	// "unbounded", so skip the query.
	for q.BeforeBlock > 0 {
		page, err := store.Query(ctx, q)
		if err != nil {
			return sum, fmt.Errorf("export: %w", err)
		}
		for _, a := range page.Actions {
			if err := out.action(a); err != nil {
				return sum, fmt.Errorf("export: block %d tx %d: %w", a.BlockNumber, a.TxIndex, err)
			}
			sum.Actions++
		}
		if page.Next == "" {
			break
		}
		q.Cursor = page.Next
	}
	if err := out.end(sum.Actions); err != nil {
		return sum, fmt.Errorf("export: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return sum, fmt.Errorf("export: %w", err)
	}
	return sum, nil
}

type reportWriter interface {
	begin(q Query, indexedBlocks uint64) error
	action(a Action) error
	end(count int) error
}

type jsonReport struct {
	w       *bufio.Writer
	written int
}

// encode renders v without HTML escaping, so keys and names read as they
// are on the ledger.
func encode(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

func (r *jsonReport) begin(q Query, indexedBlocks uint64) error {
	qb, err := encode(q)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(r.w, "{\"query\":%s,\"indexedBlocks\":%d,\"actions\":[", qb, indexedBlocks)
	return err
}

func (r *jsonReport) action(a Action) error {
	b, err := encode(a)
	if err != nil {
		return err
	}
	if r.written > 0 {
		if err := r.w.WriteByte(','); err != nil {
			return err
		}
	}
	r.written++
	if _, err := r.w.WriteString("\n"); err != nil {
		return err
	}
	_, err = r.w.Write(b)
	return err
}

func (r *jsonReport) end(count int) error {
	_, err := fmt.Fprintf(r.w, "\n],\"count\":%d}\n", count)
	return err
}

type csvReport struct {
	w *csv.Writer
}

func (r *csvReport) begin(Query, uint64) error {
	return r.w.Write(CSVHeader)
}

func (r *csvReport) action(a Action) error {
	attrs, err := encode(a.Attributes)
	if err != nil {
		return err
	}
	if a.Attributes == nil {
		attrs = []byte("{}")
	}
	writes, err := encode(a.Writes)
	if err != nil {
		return err
	}
	if a.Writes == nil {
		writes = []byte("[]")
	}
	row := []string{
		strconv.FormatUint(a.BlockNumber, 10), a.BlockHash.String(), strconv.Itoa(a.TxIndex), a.TxID, a.Channel, a.Type,
		timeText(a.Timestamp), a.CreatorMSPID, a.Subject, string(attrs), a.Chaincode, a.Function,
		strconv.Itoa(int(a.ValidationCode)), a.Validation, string(writes), a.Malformed,
	}
	for i, cell := range row {
		row[i] = defuse(cell)
	}
	return r.w.Write(row)
}

func (r *csvReport) end(int) error {
	r.w.Flush()
	return r.w.Error()
}

// defuse stops spreadsheets from evaluating ledger text as a formula
// (OWASP CSV injection): anyone who can submit a transaction chooses
// function names and keys.
func defuse(cell string) string {
	if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
		return "'" + cell
	}
	return cell
}
