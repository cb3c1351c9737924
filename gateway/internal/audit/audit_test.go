package audit_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/govledger/govledger/gateway/internal/audit"
)

func TestLog(t *testing.T) {
	t.Run("appends one JSON line per entry across reopenings", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "audit.jsonl")
		for i := range 2 {
			l, err := audit.Open(path)
			require.NoError(t, err)
			require.NoError(t, l.Record(audit.Entry{Time: time.Unix(int64(i), 0).UTC(), RequestID: "r", Caller: "key:a", Method: "POST", Route: "/v1/{chaincode}/{function}", Status: 200, TxID: "tx"}))
			require.NoError(t, l.Close())
		}
		raw, err := os.ReadFile(path)
		require.NoError(t, err)
		lines := 0
		sc := bufio.NewScanner(bytes.NewReader(raw))
		for sc.Scan() {
			var e audit.Entry
			require.NoError(t, json.Unmarshal(sc.Bytes(), &e))
			require.Equal(t, "tx", e.TxID)
			lines++
		}
		require.Equal(t, 2, lines)
		info, err := os.Stat(path)
		require.NoError(t, err)
		require.Equal(t, os.FileMode(0o600), info.Mode().Perm())
	})

	t.Run("never interleaves concurrent entries", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "audit.jsonl")
		l, err := audit.Open(path)
		require.NoError(t, err)
		var wg sync.WaitGroup
		for range 50 {
			wg.Go(func() { _ = l.Record(audit.Entry{Method: "GET", Route: "/x", Status: 200}) })
		}
		wg.Wait()
		require.NoError(t, l.Close())
		f, err := os.Open(path)
		require.NoError(t, err)
		defer func() { _ = f.Close() }()
		sc := bufio.NewScanner(f)
		n := 0
		for sc.Scan() {
			require.True(t, json.Valid(sc.Bytes()))
			n++
		}
		require.Equal(t, 50, n)
	})

	t.Run("refuses entries after close", func(t *testing.T) {
		l, err := audit.Open(filepath.Join(t.TempDir(), "a"))
		require.NoError(t, err)
		require.NoError(t, l.Close())
		require.Error(t, l.Record(audit.Entry{}))
	})

	t.Run("fails to open a folder", func(t *testing.T) {
		_, err := audit.Open(t.TempDir())
		require.Error(t, err)
	})
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, os.ErrClosed }

func TestNew(t *testing.T) {
	t.Run("writes to any writer", func(t *testing.T) {
		var buf bytes.Buffer
		l := audit.New(&buf)
		require.NoError(t, l.Record(audit.Entry{Method: "GET", Route: "/healthz", Status: 200}))
		require.Contains(t, buf.String(), `"route":"/healthz"`)
		require.NoError(t, l.Close())
	})

	t.Run("reports a failed write", func(t *testing.T) {
		require.ErrorIs(t, audit.New(failingWriter{}).Record(audit.Entry{}), os.ErrClosed)
	})
}
