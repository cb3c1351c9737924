package identity

import (
	"fmt"

	"github.com/govledger/govledger/chaincode/ccerror"
)

// StatusChunkBits is how many attestations one stored chunk of a status list
// covers. 8192 bits is 1 KiB: small enough to rewrite on every revocation,
// large enough that a busy issuer needs few keys.
const StatusChunkBits = 8192

// ErrAlreadyRevoked reports a revocation of an attestation whose bit is
// already set. Revocation is permanent, so the second attempt is refused
// rather than silently repeated.
var ErrAlreadyRevoked = fmt.Errorf("attestation already revoked: %w", ccerror.ErrPrecondition)

// StatusChunk is one chunk of an issuer's revocation bitstring. A chunk that
// was never written is all zeros, so callers create one with NewStatusChunk
// on first revocation.
type StatusChunk struct {
	Issuer string `json:"issuer"`
	Chunk  uint32 `json:"chunk"`
	Bits   []byte `json:"bits"` // StatusChunkBits/8 bytes, most significant bit first
}

// StatusLocation returns the chunk holding index and the bit offset within it.
func StatusLocation(index uint32) (chunk, offset uint32) {
	return index / StatusChunkBits, index % StatusChunkBits
}

// NewStatusChunk returns chunk number chunk of issuer's list with no bits set.
func NewStatusChunk(issuer string, chunk uint32) *StatusChunk {
	return &StatusChunk{Issuer: issuer, Chunk: chunk, Bits: make([]byte, StatusChunkBits/8)}
}

// Revoke sets the bit for index. It refuses an index outside this chunk and
// one already revoked.
func (c *StatusChunk) Revoke(index uint32) error {
	byteAt, mask, err := c.locate(index)
	if err != nil {
		return err
	}
	if c.Bits[byteAt]&mask != 0 {
		return fmt.Errorf("%w: %s index %d", ErrAlreadyRevoked, c.Issuer, index)
	}
	c.Bits[byteAt] |= mask
	return nil
}

// Revoked reports whether index is revoked. An index outside the chunk, or a
// chunk whose stored bits are short, reports an error rather than a guess.
func (c *StatusChunk) Revoked(index uint32) (bool, error) {
	byteAt, mask, err := c.locate(index)
	if err != nil {
		return false, err
	}
	return c.Bits[byteAt]&mask != 0, nil
}

func (c *StatusChunk) locate(index uint32) (int, byte, error) {
	chunk, offset := StatusLocation(index)
	if chunk != c.Chunk {
		return 0, 0, invalid("statusListIndex", "%d is not in chunk %d", index, c.Chunk)
	}
	if len(c.Bits) != StatusChunkBits/8 {
		return 0, 0, invalid("bits", "must be %d bytes", StatusChunkBits/8)
	}
	return int(offset / 8), byte(0x80) >> (offset % 8), nil
}
