package indexer

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/hyperledger/fabric-protos-go-apiv2/common"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/proto"
)

func TestHeaderHash(t *testing.T) {
	// The DER bytes are written out by hand from X.690 so the test does not
	// trust encoding/asn1 to be what Fabric hashes.
	data32 := bytes.Repeat([]byte{0xaa}, 32)
	tests := []struct {
		name   string
		header *common.BlockHeader
		der    []byte
	}{
		{
			name:   "hashes a small header as SEQUENCE { INTEGER, OCTET STRING, OCTET STRING }",
			header: &common.BlockHeader{Number: 1, PreviousHash: []byte{1, 2}, DataHash: []byte{3}},
			der:    []byte{0x30, 0x0a, 0x02, 0x01, 0x01, 0x04, 0x02, 0x01, 0x02, 0x04, 0x01, 0x03},
		},
		{
			name:   "encodes the genesis block's missing previous hash as an empty OCTET STRING",
			header: &common.BlockHeader{Number: 0, DataHash: []byte{9}},
			der:    []byte{0x30, 0x08, 0x02, 0x01, 0x00, 0x04, 0x00, 0x04, 0x01, 0x09},
		},
		{
			name:   "pads a number with its high bit set so it stays positive",
			header: &common.BlockHeader{Number: 128, DataHash: data32},
			der:    append([]byte{0x30, 0x28, 0x02, 0x02, 0x00, 0x80, 0x04, 0x00, 0x04, 0x20}, data32...),
		},
		{
			name:   "encodes the largest block number as nine INTEGER bytes",
			header: &common.BlockHeader{Number: ^uint64(0)},
			der:    []byte{0x30, 0x0f, 0x02, 0x09, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x04, 0x00, 0x04, 0x00},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := HeaderHash(tc.header)
			require.NoError(t, err)
			want := sha256.Sum256(tc.der)
			require.Equal(t, Hash(want[:]), got)
		})
	}
	t.Run("rejects a missing header", func(t *testing.T) {
		_, err := HeaderHash(nil)
		require.Error(t, err)
	})
}

func TestDataHash(t *testing.T) {
	t.Run("hashes the envelopes concatenated in order", func(t *testing.T) {
		want := sha256.Sum256([]byte("firstsecond"))
		require.Equal(t, Hash(want[:]), DataHash(&common.BlockData{Data: [][]byte{[]byte("first"), []byte("second")}}))
	})
	t.Run("hashes an empty block as the hash of nothing", func(t *testing.T) {
		want := sha256.Sum256(nil)
		require.Equal(t, Hash(want[:]), DataHash(&common.BlockData{}))
	})
}

func TestHashText(t *testing.T) {
	t.Run("renders and parses lowercase hex in JSON", func(t *testing.T) {
		h := Hash{0xde, 0xad, 0xbe, 0xef}
		b, err := json.Marshal(h)
		require.NoError(t, err)
		require.JSONEq(t, `"deadbeef"`, string(b))
		var back Hash
		require.NoError(t, json.Unmarshal(b, &back))
		require.Equal(t, h, back)
		require.Equal(t, "deadbeef", h.String())
	})
	t.Run("rejects text that is not hex", func(t *testing.T) {
		var h Hash
		require.Error(t, h.UnmarshalText([]byte("zz")))
	})
}

func TestChainVerification(t *testing.T) {
	f := newFixture(t)
	clone := func() []*common.Block {
		out := make([]*common.Block, len(f.chain.blocks))
		for i, b := range f.chain.blocks {
			out[i] = proto.CloneOf(b)
		}
		return out
	}
	tests := []struct {
		name   string
		tamper func(blocks []*common.Block)
		block  uint64
		field  string
	}{
		{
			name: "rejects a block whose transaction was altered after ordering",
			tamper: func(blocks []*common.Block) {
				env := blocks[2].Data.Data[1]
				env[len(env)-1] ^= 0x01
			},
			block: 2, field: "data_hash",
		},
		{
			name: "rejects a block with a transaction removed",
			tamper: func(blocks []*common.Block) {
				blocks[3].Data.Data = blocks[3].Data.Data[:0]
				blocks[3].Metadata.Metadata[common.BlockMetadataIndex_TRANSACTIONS_FILTER] = nil
			},
			block: 3, field: "data_hash",
		},
		{
			name: "rejects a block whose data hash was recomputed but no longer links to its successor",
			tamper: func(blocks []*common.Block) {
				blocks[2].Data.Data = blocks[2].Data.Data[:1]
				blocks[2].Metadata.Metadata[common.BlockMetadataIndex_TRANSACTIONS_FILTER] = []byte{0}
				blocks[2].Header.DataHash = DataHash(blocks[2].Data)
			},
			block: 3, field: "previous_hash",
		},
		{
			name: "rejects a block that does not point at its predecessor",
			tamper: func(blocks []*common.Block) {
				blocks[4].Header.PreviousHash = bytes.Repeat([]byte{0}, 32)
			},
			block: 4, field: "previous_hash",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			blocks := clone()
			tc.tamper(blocks)
			store, _ := openStore(t)
			ix, err := New(&fakeSource{blocks: blocks}, store, testChannel)
			require.NoError(t, err)

			err = ix.Run(context.Background())

			var chainErr *ChainError
			require.ErrorAs(t, err, &chainErr)
			require.ErrorIs(t, err, ErrBrokenChain)
			require.Equal(t, tc.block, chainErr.Block)
			require.Equal(t, tc.field, chainErr.Field)
			require.NotEqual(t, chainErr.Want, chainErr.Got)
			require.Contains(t, err.Error(), fmt.Sprintf("block %d", tc.block))
			cp, err := store.Checkpoint(context.Background())
			require.NoError(t, err)
			require.Equal(t, tc.block, cp.NextBlock, "nothing from the broken block on is indexed")
			_, err = store.Block(context.Background(), tc.block)
			require.ErrorIs(t, err, ErrNotFound)
		})
	}
	t.Run("accepts the untampered chain and checkpoints the last header hash", func(t *testing.T) {
		store, _ := openStore(t)
		indexAll(t, store, f.chain.blocks)
		cp, err := store.Checkpoint(context.Background())
		require.NoError(t, err)
		last, err := HeaderHash(f.chain.blocks[len(f.chain.blocks)-1].Header)
		require.NoError(t, err)
		require.Equal(t, uint64(len(f.chain.blocks)), cp.NextBlock)
		require.Equal(t, hex.EncodeToString(last), cp.LastHash.String())
	})
}
