package indexer

import (
	"bytes"
	"crypto/sha256"
	"encoding/asn1"
	"encoding/hex"
	"errors"
	"fmt"
	"math/big"

	"github.com/hyperledger/fabric-protos-go-apiv2/common"
)

// Hash is a SHA-256 digest. It renders as lowercase hex in JSON, CSV and
// errors, the form `peer channel getinfo` and block explorers print.
type Hash []byte

// String is the lowercase hex form.
func (h Hash) String() string { return hex.EncodeToString(h) }

// MarshalText renders the hash as lowercase hex.
func (h Hash) MarshalText() ([]byte, error) {
	out := make([]byte, hex.EncodedLen(len(h)))
	hex.Encode(out, h)
	return out, nil
}

// UnmarshalText parses the hex form, so exported reports read back.
func (h *Hash) UnmarshalText(text []byte) error {
	out := make([]byte, hex.DecodedLen(len(text)))
	if _, err := hex.Decode(out, text); err != nil {
		return fmt.Errorf("hash: %w", err)
	}
	*h = out
	return nil
}

// ErrBrokenChain is wrapped by every *ChainError.
var ErrBrokenChain = errors.New("block hash chain is broken")

// ChainError names the block whose header does not match the chain: its data
// hash is not the hash of its data, or its previous hash is not the hash of
// the previous block's header.
type ChainError struct {
	Block uint64
	// Field is "data_hash" or "previous_hash".
	Field string
	// Want is what the chain requires; Got is what the header says.
	Want, Got Hash
}

func (e *ChainError) Error() string {
	return fmt.Sprintf("%v at block %d: header %s is %s, want %s", ErrBrokenChain, e.Block, e.Field, e.Got, e.Want)
}

// Unwrap makes every ChainError match ErrBrokenChain.
func (e *ChainError) Unwrap() error { return ErrBrokenChain }

// asn1Header is the DER shape Fabric hashes for a block header
// (protoutil.BlockHeaderBytes); the field order is part of the hash.
type asn1Header struct {
	Number       *big.Int
	PreviousHash []byte
	DataHash     []byte
}

// HeaderHash is a block's hash as Fabric defines it: SHA-256 over the ASN.1
// DER sequence (number, previous_hash, data_hash). The next block's
// previous_hash must equal it.
func HeaderHash(h *common.BlockHeader) (Hash, error) {
	if h == nil {
		return nil, errors.New("block header is missing")
	}
	der, err := asn1.Marshal(asn1Header{
		Number:       new(big.Int).SetUint64(h.GetNumber()),
		PreviousHash: h.GetPreviousHash(),
		DataHash:     h.GetDataHash(),
	})
	if err != nil {
		return nil, fmt.Errorf("encode block header %d: %w", h.GetNumber(), err)
	}
	sum := sha256.Sum256(der)
	return sum[:], nil
}

// DataHash is SHA-256 over the block's envelopes concatenated in order
// (protoutil.ComputeBlockDataHash).
func DataHash(d *common.BlockData) Hash {
	h := sha256.New()
	for _, env := range d.GetData() {
		h.Write(env)
	}
	return h.Sum(nil)
}

// checkLink verifies that block extends a chain whose last header hash is
// prev (ignored for the genesis block, which has no predecessor) and that
// its data hash covers its data. It returns the block's header hash.
func checkLink(block *common.Block, prev Hash) (Hash, error) {
	n := block.GetHeader().GetNumber()
	if want := DataHash(block.GetData()); !bytes.Equal(want, block.GetHeader().GetDataHash()) {
		return nil, &ChainError{Block: n, Field: "data_hash", Want: want, Got: block.GetHeader().GetDataHash()}
	}
	if n > 0 && !bytes.Equal(prev, block.GetHeader().GetPreviousHash()) {
		return nil, &ChainError{Block: n, Field: "previous_hash", Want: prev, Got: block.GetHeader().GetPreviousHash()}
	}
	return HeaderHash(block.GetHeader())
}
