package deid

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestConfigValidate(t *testing.T) {
	require.NoError(t, Config{}.Validate())
	require.NoError(t, safeHarborConfig().Validate())
	require.Len(t, SafeHarbor2000Prefixes(), 17)
}

func TestConfigRegion(t *testing.T) {
	cfg := safeHarborConfig()
	tests := []struct {
		name   string
		postal string
		want   string
	}{
		{"keeps the prefix of a five-digit ZIP", "02139", "021"},
		{"keeps the prefix of a ZIP+4", "02139-4307", "021"},
		{"keeps the prefix of a nine-digit ZIP", "021394307", "021"},
		{"suppresses a small-population prefix", "03601", SuppressedRegion},
		{"suppresses the last listed prefix", "89301", SuppressedRegion},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := cfg.Region(tc.postal)
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
		})
	}
	for _, bad := range []string{"", "0213", "021390", "02139-43", "SW1A 1AA", " 02139", "02139 4307"} {
		t.Run("rejects "+bad, func(t *testing.T) {
			_, err := cfg.Region(bad)
			require.ErrorIs(t, err, ErrFormat)
			if bad != "" {
				require.NotContains(t, err.Error(), bad)
			}
		})
	}
}
