package collections_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/govledger/govledger/gateway/internal/collections"
)

const procurement = `[
  {"name": "bids", "policy": "OR('ProcurementMSP.member','AuditOfficeMSP.member')", "requiredPeerCount": 1, "maxPeerCount": 2, "blockToLive": 0, "memberOnlyRead": true, "memberOnlyWrite": true}
]`

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "procurement.json"), []byte(procurement), 0o644))

	t.Run("reads members from the member policy", func(t *testing.T) {
		m, err := collections.Load(dir, map[string][]string{"procurement": {"bids"}, "noop": nil})
		require.NoError(t, err)
		orgs, ok := m.Lookup("procurement", "bids")
		require.True(t, ok)
		require.Equal(t, []string{"AuditOfficeMSP", "ProcurementMSP"}, orgs)
		_, ok = m.Lookup("noop", "bids")
		require.False(t, ok)
	})

	bad := []struct {
		name   string
		files  map[string]string
		wanted map[string][]string
		target error
	}{
		{"reports a missing config file", nil, map[string][]string{"audit": {"findings"}}, collections.ErrMissing},
		{"reports a collection absent from its file", map[string]string{"p.json": procurement}, map[string][]string{"p": {"other"}}, collections.ErrMissing},
		{"reports a file that is not JSON", map[string]string{"p.json": "{"}, map[string][]string{"p": {"bids"}}, nil},
		{"reports a bad member policy", map[string]string{"p.json": `[{"name":"bids","policy":"OR("}]`}, map[string][]string{"p": {"bids"}}, nil},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			d := t.TempDir()
			for name, body := range tc.files {
				require.NoError(t, os.WriteFile(filepath.Join(d, name), []byte(body), 0o644))
			}
			_, err := collections.Load(d, tc.wanted)
			require.Error(t, err)
			if tc.target != nil {
				require.ErrorIs(t, err, tc.target)
			}
		})
	}
}
