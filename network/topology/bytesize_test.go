package topology_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/govledger/govledger/network/topology"
)

func TestParseByteSize(t *testing.T) {
	cases := []struct {
		in   string
		want uint32
	}{
		{"42", 42},
		{"512K", 512 << 10},
		{"512kb", 512 << 10},
		{"10 MB", 10 << 20},
		{"2m", 2 << 20},
		{"3 GB", 3 << 30},
		{" 1 MB ", 1 << 20},
		{"4294967295", 4294967295},
	}
	for _, c := range cases {
		t.Run("reads "+c.in, func(t *testing.T) {
			got, err := topology.ParseByteSize(c.in)
			require.NoError(t, err)
			require.Equal(t, c.want, got)
		})
	}
	for _, in := range []string{"", "MB", "ten MB", "10 TB", "-1", "1.5 MB", "4 GB", "4294967296", "99999999999999999999"} {
		t.Run("rejects "+in, func(t *testing.T) {
			_, err := topology.ParseByteSize(in)
			require.ErrorIs(t, err, topology.ErrByteSize)
		})
	}
}
