package indexer

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"time"
	"unicode/utf8"
)

// Store is where the index lives. Implementations must make Commit atomic
// (a block's record, its actions and the checkpoint together or not at all)
// and idempotent for a block already stored with the same hash.
type Store interface {
	// Checkpoint is where indexing resumes.
	Checkpoint(ctx context.Context) (Checkpoint, error)
	// Commit stores a verified block and its actions and advances the
	// checkpoint past it. A block below the checkpoint is accepted only if
	// its hash matches the stored one (*ConflictError otherwise) and changes
	// nothing; a block above it is a *GapError.
	Commit(ctx context.Context, block BlockRecord, actions []Action) error
	// Block returns a stored block record, or ErrNotFound.
	Block(ctx context.Context, number uint64) (BlockRecord, error)
	// BlockActions returns a stored block's actions in transaction order.
	BlockActions(ctx context.Context, number uint64) ([]Action, error)
	// Query returns one page of the actions matching q, in ledger order.
	Query(ctx context.Context, q Query) (Page, error)
}

// Checkpoint is the indexer's position: every block below NextBlock is
// stored, and LastHash is the header hash of block NextBlock-1 (empty when
// nothing is stored), which the next block's previous hash must equal.
type Checkpoint struct {
	NextBlock uint64 `json:"nextBlock"`
	LastHash  Hash   `json:"lastHash,omitempty"`
}

// Store errors callers can test with errors.Is.
var (
	// ErrNotFound is returned for a block the store does not hold.
	ErrNotFound = errors.New("not in the index")
	// ErrGap is wrapped by *GapError.
	ErrGap = errors.New("block out of sequence")
	// ErrConflict is wrapped by *ConflictError.
	ErrConflict = errors.New("block conflicts with the indexed chain")
	// ErrInvalidQuery is wrapped by *QueryError.
	ErrInvalidQuery = errors.New("invalid audit query")
	// ErrSchemaTooNew is returned when a database was migrated by a newer
	// version of this package.
	ErrSchemaTooNew = errors.New("index schema is newer than this program")
)

// GapError reports a block that would leave a hole in the index.
type GapError struct {
	// Want is the next block the index needs; Got is the block offered.
	Want, Got uint64
}

func (e *GapError) Error() string {
	return fmt.Sprintf("%v: got block %d, the index needs block %d next", ErrGap, e.Got, e.Want)
}

// Unwrap makes every GapError match ErrGap.
func (e *GapError) Unwrap() error { return ErrGap }

// ConflictError reports a re-delivered block whose hash differs from the
// one already indexed at that height: the source serves a different chain.
type ConflictError struct {
	Block       uint64
	Stored, Got Hash
}

func (e *ConflictError) Error() string {
	return fmt.Sprintf("%v: block %d has hash %s, the index holds %s", ErrConflict, e.Block, e.Got, e.Stored)
}

// Unwrap makes every ConflictError match ErrConflict.
func (e *ConflictError) Unwrap() error { return ErrConflict }

// QueryError names the query field that breaks a rule.
type QueryError struct {
	Field string
	Rule  string
}

func (e *QueryError) Error() string {
	return fmt.Sprintf("%v: %s: %s", ErrInvalidQuery, e.Field, e.Rule)
}

// Unwrap makes every QueryError match ErrInvalidQuery.
func (e *QueryError) Unwrap() error { return ErrInvalidQuery }

// Page sizes: a query asks for at most MaxPageSize actions at a time.
const (
	DefaultPageSize = 100
	MaxPageSize     = 1000
	// maxFilterBytes bounds each text filter; MSP IDs, names and keys are
	// far shorter.
	maxFilterBytes = 1024
)

// Query selects actions. Criteria combine with AND; an empty query pages
// through every action. Results are in ledger order (block, then
// transaction index) whatever the criteria.
type Query struct {
	// MSPID and Subject select the creator: Subject (the certificate's
	// common name) requires MSPID.
	MSPID   string `json:"mspId,omitempty"`
	Subject string `json:"subject,omitempty"`
	// Chaincode alone selects actions of a contract: transactions that
	// invoked it or wrote into its namespace. With Key it selects actions
	// on an entity: transactions that wrote Key in that namespace,
	// including private data writes whose key hash is SHA-256(Key).
	Chaincode string `json:"chaincode,omitempty"`
	Key       string `json:"key,omitempty"`
	// From and To bound the transaction timestamp to [From, To); either
	// may be zero.
	From time.Time `json:"from,omitzero"`
	To   time.Time `json:"to,omitzero"`
	// BeforeBlock, when not zero, limits the query to blocks below it, so
	// a report is pinned to what was indexed when it started.
	BeforeBlock uint64 `json:"beforeBlock,omitempty"`
	// Limit is the page size: 0 means DefaultPageSize, at most MaxPageSize.
	Limit int `json:"-"`
	// Cursor is Page.Next of the previous page, or empty for the first.
	Cursor string `json:"-"`
}

// ByIdentity selects every action of one identity.
func ByIdentity(mspID, subject string) Query { return Query{MSPID: mspID, Subject: subject} }

// OnEntity selects every action that wrote one key of a chaincode.
func OnEntity(chaincode, key string) Query { return Query{Chaincode: chaincode, Key: key} }

// InTimeRange selects every action timestamped in [from, to).
func InTimeRange(from, to time.Time) Query { return Query{From: from, To: to} }

// OfContract selects every action that invoked or wrote into a chaincode.
func OfContract(chaincode string) Query { return Query{Chaincode: chaincode} }

// Page is one page of query results.
type Page struct {
	Actions []Action `json:"actions"`
	// Next is the cursor of the following page; empty on the last page.
	Next string `json:"next,omitempty"`
}

// Validate checks the query's fields and cursor.
func (q Query) Validate() error {
	_, err := q.position()
	return err
}

// PageSize is the effective page size.
func (q Query) PageSize() int {
	if q.Limit == 0 {
		return DefaultPageSize
	}
	return q.Limit
}

// position is where the page starts: after (block, tx) when after is set.
type position struct {
	after    bool
	block    uint64
	tx       uint32
	pageSize int
	// keyHash is SHA-256(Key), how private data writes name the key.
	keyHash Hash
}

const cursorVersion = 1

func (q Query) position() (position, error) {
	for _, f := range []struct{ name, value string }{
		{"mspId", q.MSPID}, {"subject", q.Subject}, {"chaincode", q.Chaincode}, {"key", q.Key},
	} {
		if len(f.value) > maxFilterBytes {
			return position{}, &QueryError{Field: f.name, Rule: fmt.Sprintf("longer than %d bytes", maxFilterBytes)}
		}
		if !utf8.ValidString(f.value) {
			return position{}, &QueryError{Field: f.name, Rule: "is not valid UTF-8"}
		}
	}
	switch {
	case q.Subject != "" && q.MSPID == "":
		return position{}, &QueryError{Field: "subject", Rule: "requires mspId"}
	case q.Key != "" && q.Chaincode == "":
		return position{}, &QueryError{Field: "key", Rule: "requires chaincode"}
	case !q.From.IsZero() && !q.To.IsZero() && !q.To.After(q.From):
		return position{}, &QueryError{Field: "to", Rule: "must be after from"}
	case q.Limit < 0 || q.Limit > MaxPageSize:
		return position{}, &QueryError{Field: "limit", Rule: fmt.Sprintf("must be 0 (default %d) to %d", DefaultPageSize, MaxPageSize)}
	}
	p := position{pageSize: q.PageSize()}
	if q.Key != "" {
		sum := sha256.Sum256([]byte(q.Key))
		p.keyHash = sum[:]
	}
	if q.Cursor == "" {
		return p, nil
	}
	raw, err := base64.RawURLEncoding.DecodeString(q.Cursor)
	if err != nil || len(raw) != 1+8+4+8 || raw[0] != cursorVersion {
		return position{}, &QueryError{Field: "cursor", Rule: "is not a cursor this index issued"}
	}
	if fp := q.fingerprint(); string(raw[13:]) != string(fp[:]) {
		return position{}, &QueryError{Field: "cursor", Rule: "belongs to a different query"}
	}
	p.after, p.block, p.tx = true, binary.BigEndian.Uint64(raw[1:9]), binary.BigEndian.Uint32(raw[9:13])
	return p, nil
}

// cursorAfter is the opaque cursor of the page following action a. It binds
// the query's criteria so a cursor cannot be replayed against another query.
func (q Query) cursorAfter(a Action) string {
	raw := make([]byte, 0, 1+8+4+8)
	raw = append(raw, cursorVersion)
	raw = binary.BigEndian.AppendUint64(raw, a.BlockNumber)
	raw = binary.BigEndian.AppendUint32(raw, uint32(a.TxIndex)) //nolint:gosec // a tx index is below 2^30: a protobuf block is under 2 GiB and each envelope costs at least 2 bytes
	fp := q.fingerprint()
	raw = append(raw, fp[:]...)
	return base64.RawURLEncoding.EncodeToString(raw)
}

func (q Query) fingerprint() [8]byte {
	h := sha256.New()
	for _, s := range []string{q.MSPID, q.Subject, q.Chaincode, q.Key} {
		h.Write(binary.BigEndian.AppendUint64(nil, uint64(len(s))))
		h.Write([]byte(s))
	}
	for _, t := range []time.Time{q.From, q.To} {
		h.Write(binary.BigEndian.AppendUint64(nil, uint64(t.Unix())))       //nolint:gosec // a bit-for-bit reinterpretation for hashing; negative times stay distinct
		h.Write(binary.BigEndian.AppendUint32(nil, uint32(t.Nanosecond()))) //nolint:gosec // Nanosecond is in [0, 1e9), within uint32
	}
	h.Write(binary.BigEndian.AppendUint64(nil, q.BeforeBlock))
	var fp [8]byte
	copy(fp[:], h.Sum(nil))
	return fp
}
