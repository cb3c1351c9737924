package indexer

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"testing"

	"github.com/hyperledger/fabric-protos-go-apiv2/ledger/rwset/kvrwset"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// jsonReportDoc is the shape of a JSON report.
type jsonReportDoc struct {
	Query         Query    `json:"query"`
	IndexedBlocks uint64   `json:"indexedBlocks"`
	Actions       []Action `json:"actions"`
	Count         int      `json:"count"`
}

func TestExportJSON(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	s, _ := openStore(t)
	indexAll(t, s, f.chain.blocks)

	t.Run("lists every matching action with block number and hash, across pages", func(t *testing.T) {
		var out bytes.Buffer
		q := Query{MSPID: "ProcurementMSP", Limit: 2}
		sum, err := Export(ctx, s, q, FormatJSON, &out)
		require.NoError(t, err)
		require.Equal(t, ExportSummary{Actions: 5, IndexedBlocks: 5}, sum)

		var doc jsonReportDoc
		require.NoError(t, json.Unmarshal(out.Bytes(), &doc))
		require.Equal(t, 5, doc.Count)
		require.Equal(t, uint64(5), doc.IndexedBlocks)
		require.Equal(t, "ProcurementMSP", doc.Query.MSPID)
		require.Equal(t, uint64(5), doc.Query.BeforeBlock, "the report is pinned to the checkpoint")
		all, err := s.Query(ctx, Query{MSPID: "ProcurementMSP"})
		require.NoError(t, err)
		require.Equal(t, all.Actions, doc.Actions, "the report reads back as the indexed actions")
		for _, a := range doc.Actions {
			rec, err := s.Block(ctx, a.BlockNumber)
			require.NoError(t, err)
			require.Equal(t, rec.Hash, a.BlockHash)
		}
		require.Contains(t, out.String(), `"key":"tender\u0000T-1\u0000"`)
	})
	t.Run("writes an empty list for an empty index", func(t *testing.T) {
		empty, _ := openStore(t)
		var out bytes.Buffer
		sum, err := Export(ctx, empty, Query{}, FormatJSON, &out)
		require.NoError(t, err)
		require.Equal(t, ExportSummary{}, sum)
		var doc jsonReportDoc
		require.NoError(t, json.Unmarshal(out.Bytes(), &doc))
		require.Empty(t, doc.Actions)
		require.Zero(t, doc.Count)
	})
	t.Run("keeps a report pinned to an earlier block", func(t *testing.T) {
		var out bytes.Buffer
		sum, err := Export(ctx, s, Query{MSPID: "ProcurementMSP", BeforeBlock: 2}, FormatJSON, &out)
		require.NoError(t, err)
		require.Equal(t, ExportSummary{Actions: 2, IndexedBlocks: 2}, sum)
	})
}

func TestExportCSV(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	mallory := newIdentity(t, "ProcurementMSP", "=HYPERLINK(\"http://evil\")", map[string]string{"role": "supplier"})
	f.chain.add(t, f.invoke(t, "tx-formula", mallory, timestamppb.New(f.t0), "procurement", []string{"+SUM(A1:A9)", "x"},
		nsWrites{namespace: "procurement", writes: []*kvrwset.KVWrite{{Key: "@cmd"}}}))
	s, _ := openStore(t)
	indexAll(t, s, f.chain.blocks)

	var out bytes.Buffer
	sum, err := Export(ctx, s, Query{}, FormatCSV, &out)
	require.NoError(t, err)
	require.Equal(t, 8, sum.Actions)
	rows, err := csv.NewReader(&out).ReadAll()
	require.NoError(t, err)

	t.Run("starts with the header and has one row per action", func(t *testing.T) {
		require.Equal(t, CSVHeader, rows[0])
		require.Len(t, rows, 9)
	})
	t.Run("carries block number, hash, transaction index and id", func(t *testing.T) {
		rec, err := s.Block(ctx, 2)
		require.NoError(t, err)
		row := rows[5] // block 2 tx 1
		require.Equal(t, []string{"2", rec.Hash.String(), "1", "tx-case", testChannel, "ENDORSER_TRANSACTION",
			"2026-03-01T09:30:00Z", "HospitalMSP", "reporter1", `{"agency":"HOSP1","role":"reporter"}`,
			"publichealth", "ReportCase", "0", "VALID"}, row[:14])
		var writes []Write
		require.NoError(t, json.Unmarshal([]byte(row[14]), &writes))
		require.Equal(t, []Write{
			{Namespace: "publichealth", Key: "case-count\x00HOSP1\x00", Kind: WritePut},
			{Namespace: "publichealth", Collection: "caseReports", KeyHash: keyHash("C-9"), Kind: WritePut},
		}, writes)
	})
	t.Run("defuses cells a spreadsheet would evaluate", func(t *testing.T) {
		row := rows[8]
		require.Equal(t, `'=HYPERLINK("http://evil")`, row[8])
		require.Equal(t, "'+SUM(A1:A9)", row[11])
		require.Equal(t, `[{"namespace":"procurement","key":"@cmd","kind":"put"}]`, row[14], "JSON cells start with a bracket")
	})
	t.Run("writes empty JSON for a transaction without attributes or writes", func(t *testing.T) {
		require.Equal(t, "{}", rows[1][9])
		require.Equal(t, "[]", rows[1][14])
	})
}

func TestExportRejects(t *testing.T) {
	ctx := context.Background()
	s, _ := openStore(t)
	tests := []struct {
		name   string
		q      Query
		format Format
		field  string
	}{
		{"rejects an unknown format", Query{}, Format("xml"), "format"},
		{"rejects a cursor", Query{Cursor: "abc"}, FormatJSON, "cursor"},
		{"rejects an invalid query", Query{Subject: "x"}, FormatCSV, "subject"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Export(ctx, s, tc.q, tc.format, &bytes.Buffer{})
			var qe *QueryError
			require.ErrorAs(t, err, &qe)
			require.Equal(t, tc.field, qe.Field)
		})
	}
	t.Run("reports a writer that fails", func(t *testing.T) {
		f := newFixture(t)
		indexAll(t, s, f.chain.blocks)
		_, err := Export(ctx, s, Query{}, FormatJSON, failingWriter{})
		require.ErrorIs(t, err, errDiskFull)
	})
}

var errDiskFull = errors.New("disk full")

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errDiskFull }

func TestParseFormat(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Format
	}{{"json", FormatJSON}, {"CSV", FormatCSV}} {
		t.Run("accepts "+tc.in, func(t *testing.T) {
			got, err := ParseFormat(tc.in)
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
		})
	}
	t.Run("rejects anything else", func(t *testing.T) {
		_, err := ParseFormat("pdf")
		require.ErrorIs(t, err, ErrInvalidQuery)
	})
}
