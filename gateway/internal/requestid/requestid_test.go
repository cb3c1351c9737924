package requestid_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/govledger/govledger/gateway/internal/requestid"
)

func TestRequestID(t *testing.T) {
	t.Run("keeps a plain client id", func(t *testing.T) {
		require.Equal(t, "abc-123", requestid.FromClient("abc-123"))
	})

	for _, bad := range []string{"", "with space", "new\nline", strings.Repeat("a", 65)} {
		t.Run("replaces an unsafe client id "+strings.ReplaceAll(bad, "\n", `\n`), func(t *testing.T) {
			got := requestid.FromClient(bad)
			require.NotEqual(t, bad, got)
			require.Len(t, got, 24)
		})
	}

	t.Run("adds the id to log records of the request", func(t *testing.T) {
		var buf bytes.Buffer
		log := slog.New(requestid.Handler{Handler: slog.NewJSONHandler(&buf, nil)}).With("svc", "gw").WithGroup("g")
		ctx := requestid.With(context.Background(), "rid-1")
		require.Equal(t, "rid-1", requestid.From(ctx))
		log.InfoContext(ctx, "hello", "k", "v")
		var rec map[string]any
		require.NoError(t, json.Unmarshal(buf.Bytes(), &rec))
		require.Equal(t, "gw", rec["svc"])
		group, ok := rec["g"].(map[string]any)
		require.True(t, ok)
		require.Equal(t, "rid-1", group["request_id"])
	})
}
