package identity

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestStatusLocation(t *testing.T) {
	tests := []struct {
		name          string
		index         uint32
		chunk, offset uint32
	}{
		{"puts index 0 at the start of chunk 0", 0, 0, 0},
		{"puts the last index of chunk 0 in chunk 0", StatusChunkBits - 1, 0, StatusChunkBits - 1},
		{"starts chunk 1 after a full chunk", StatusChunkBits, 1, 0},
		{"handles the largest index", ^uint32(0), ^uint32(0) / StatusChunkBits, StatusChunkBits - 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, o := StatusLocation(tt.index)
			require.Equal(t, tt.chunk, c)
			require.Equal(t, tt.offset, o)
		})
	}
}

func TestStatusChunk(t *testing.T) {
	t.Run("sets the most significant bit first, as the W3C list does", func(t *testing.T) {
		c := NewStatusChunk("SSA", 0)
		require.NoError(t, c.Revoke(0))
		require.NoError(t, c.Revoke(9))
		require.Equal(t, byte(0x80), c.Bits[0])
		require.Equal(t, byte(0x40), c.Bits[1])
	})
	t.Run("reports revoked and unrevoked indexes", func(t *testing.T) {
		c := NewStatusChunk("SSA", 2)
		idx := uint32(2*StatusChunkBits + 77)
		require.NoError(t, c.Revoke(idx))
		got, err := c.Revoked(idx)
		require.NoError(t, err)
		require.True(t, got)
		got, err = c.Revoked(idx + 1)
		require.NoError(t, err)
		require.False(t, got)
	})
	t.Run("refuses to revoke twice", func(t *testing.T) {
		c := NewStatusChunk("SSA", 0)
		require.NoError(t, c.Revoke(5))
		require.ErrorIs(t, c.Revoke(5), ErrAlreadyRevoked)
	})
	t.Run("refuses an index from another chunk", func(t *testing.T) {
		c := NewStatusChunk("SSA", 0)
		require.ErrorIs(t, c.Revoke(StatusChunkBits), ErrInvalid)
		_, err := c.Revoked(StatusChunkBits)
		require.ErrorIs(t, err, ErrInvalid)
	})
	t.Run("refuses a chunk whose stored bits are truncated", func(t *testing.T) {
		c := &StatusChunk{Issuer: "SSA", Bits: []byte{0}}
		_, err := c.Revoked(3)
		require.ErrorIs(t, err, ErrInvalid)
	})
}
