package memstub

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"slices"
	"unicode/utf8"

	"github.com/hyperledger/fabric-chaincode-go/v2/shim"
	"github.com/hyperledger/fabric-protos-go-apiv2/ledger/queryresult"
	"github.com/hyperledger/fabric-protos-go-apiv2/peer"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// Stub is one transaction's view of a Ledger. It implements
// shim.ChaincodeStubInterface. A Stub is used by one goroutine, like the
// stub a peer hands to chaincode.
type Stub struct {
	l    *Ledger
	opts TxOptions
	args [][]byte

	reads     map[string]uint64            // key → version read (0: absent)
	pvtReads  map[string]map[string]uint64 // collection → key → version
	ranges    []rangeRead
	writes    map[string][]byte // nil value: delete
	meta      map[string][]byte
	pvtWrites map[string]map[string]pvtWrite
	pvtMeta   map[string]map[string][]byte
	event     *peer.ChaincodeEvent

	wrote, paginated, pvtQueried bool
	done                         bool
}

type pvtWrite struct {
	value []byte // nil: delete
	purge bool
}

// rangeRead is a range query to re-check at commit for phantoms: the keys
// in [start, end) (or [start, last] when a page stopped early) must still
// be exactly those seen, at the versions seen.
type rangeRead struct {
	start, end string
	stopped    bool // a page limit ended the scan before end
	seen       []keyVersion
}

type keyVersion struct {
	key     string
	version uint64
}

var _ shim.ChaincodeStubInterface = (*Stub)(nil)

// Constants of the shim's key encoding.
const (
	minUnicode         = "\x00"
	maxUnicode         = "\U0010FFFF"
	emptyKeySubstitute = "\x01"
)

// ErrDone reports use of a Stub after Commit.
var ErrDone = errors.New("memstub: transaction already committed")

// ErrUnsupported reports a stub call that has no in-memory meaning.
var ErrUnsupported = errors.New("memstub: not supported")

func (s *Stub) live() error {
	if s.done {
		return ErrDone
	}
	return nil
}

// checkKey rejects what the shim could not send to a peer: protobuf string
// fields must be valid UTF-8.
func checkKey(key string) error {
	if !utf8.ValidString(key) {
		return fmt.Errorf("key [%x] is not valid UTF-8", key)
	}
	return nil
}

// checkWrite enforces the peer's transaction simulator rules for writes.
func (s *Stub) checkWrite(key string) error {
	if err := s.live(); err != nil {
		return err
	}
	if err := checkKey(key); err != nil {
		return err
	}
	if s.pvtQueried {
		return fmt.Errorf("txid [%s]: unsupported transaction. Transaction has already performed queries on pvt data. Writes are not allowed", s.opts.TxID)
	}
	if s.paginated {
		return fmt.Errorf("txid [%s]: unsupported transaction. Transaction has already performed a paginated query. Writes are not allowed", s.opts.TxID)
	}
	s.wrote = true
	return nil
}

// GetArgs returns the function name and arguments as bytes.
func (s *Stub) GetArgs() [][]byte { return s.args }

// GetStringArgs returns the function name and arguments.
func (s *Stub) GetStringArgs() []string {
	out := make([]string, 0, len(s.args))
	for _, a := range s.args {
		out = append(out, string(a))
	}
	return out
}

// GetFunctionAndParameters splits the arguments like the shim does.
func (s *Stub) GetFunctionAndParameters() (string, []string) {
	all := s.GetStringArgs()
	if len(all) == 0 {
		return "", []string{}
	}
	return all[0], all[1:]
}

// GetArgsSlice concatenates the arguments.
func (s *Stub) GetArgsSlice() ([]byte, error) {
	var out []byte
	for _, a := range s.args {
		out = append(out, a...)
	}
	return out, nil
}

// GetTxID returns the transaction ID.
func (s *Stub) GetTxID() string { return s.opts.TxID }

// GetChannelID returns the channel name.
func (s *Stub) GetChannelID() string { return s.l.cfg.Channel }

// InvokeChaincode calls a handler registered with Ledger.RegisterChaincode
// and returns an error response when there is none.
func (s *Stub) InvokeChaincode(chaincodeName string, args [][]byte, channel string) *peer.Response {
	name := chaincodeName
	if channel != "" && channel != s.l.cfg.Channel {
		name += "/" + channel
	}
	s.l.mu.Lock()
	h, ok := s.l.chaincodes[name]
	s.l.mu.Unlock()
	if !ok {
		return shim.Error(fmt.Sprintf("memstub: chaincode %s is not registered (see Ledger.RegisterChaincode)", name))
	}
	return h(args)
}

// GetState returns the committed value of key; writes of this transaction
// are not visible.
func (s *Stub) GetState(key string) ([]byte, error) {
	if err := s.live(); err != nil {
		return nil, err
	}
	if err := checkKey(key); err != nil {
		return nil, err
	}
	s.l.mu.Lock()
	defer s.l.mu.Unlock()
	v := s.l.state[key]
	if _, seen := s.reads[key]; !seen {
		s.reads[key] = v.version
	}
	return slices.Clone(v.value), nil
}

// GetMultipleStates returns the committed values of keys, nil for absent
// ones, in the order given.
func (s *Stub) GetMultipleStates(keys ...string) ([][]byte, error) {
	if len(keys) == 0 {
		return nil, nil
	}
	out := make([][]byte, len(keys))
	for i, k := range keys {
		v, err := s.GetState(k)
		if err != nil {
			return nil, err
		}
		out[i] = v
	}
	return out, nil
}

// PutState buffers a write. An empty value is a delete, as in Fabric's
// write set.
func (s *Stub) PutState(key string, value []byte) error {
	if key == "" {
		return errors.New("key must not be an empty string")
	}
	if err := s.checkWrite(key); err != nil {
		return err
	}
	if len(value) == 0 {
		s.writes[key] = nil
		return nil
	}
	s.writes[key] = slices.Clone(value)
	return nil
}

// DelState buffers a delete.
func (s *Stub) DelState(key string) error {
	if err := s.checkWrite(key); err != nil {
		return err
	}
	s.writes[key] = nil
	return nil
}

// SetStateValidationParameter stores a key-level endorsement policy. It is
// recorded, not enforced.
func (s *Stub) SetStateValidationParameter(key string, ep []byte) error {
	if err := s.checkWrite(key); err != nil {
		return err
	}
	s.meta[key] = slices.Clone(ep)
	return nil
}

// GetStateValidationParameter returns the committed key-level endorsement
// policy of key, nil when none.
func (s *Stub) GetStateValidationParameter(key string) ([]byte, error) {
	if err := s.live(); err != nil {
		return nil, err
	}
	s.l.mu.Lock()
	defer s.l.mu.Unlock()
	return slices.Clone(s.l.meta[key]), nil
}

// validateSimpleKeys is the shim's guard against range queries reaching
// into the composite key namespace.
func validateSimpleKeys(keys ...string) error {
	for _, k := range keys {
		if len(k) > 0 && k[0] == minUnicode[0] {
			return fmt.Errorf("first character of the key [%s] contains a null character which is not allowed", k)
		}
	}
	return nil
}

// GetStateByRange iterates committed keys in [startKey, endKey) in byte
// order; an empty endKey means no upper bound. Like the shim, it refuses keys
// in the composite key namespace.
func (s *Stub) GetStateByRange(startKey, endKey string) (shim.StateQueryIteratorInterface, error) {
	if startKey == "" {
		startKey = emptyKeySubstitute
	}
	if err := validateSimpleKeys(startKey, endKey); err != nil {
		return nil, err
	}
	it, _, err := s.rangeQuery(startKey, endKey, 0, "", false)
	return it, err
}

// GetStateByRangeWithPagination returns one page of [startKey, endKey).
func (s *Stub) GetStateByRangeWithPagination(startKey, endKey string, pageSize int32,
	bookmark string) (shim.StateQueryIteratorInterface, *peer.QueryResponseMetadata, error) {
	if startKey == "" {
		startKey = emptyKeySubstitute
	}
	if err := validateSimpleKeys(startKey, endKey); err != nil {
		return nil, nil, err
	}
	return s.rangeQuery(startKey, endKey, pageSize, bookmark, true)
}

// GetStateByPartialCompositeKey iterates the composite keys that start with
// objectType and attributes.
func (s *Stub) GetStateByPartialCompositeKey(objectType string, keys []string) (shim.StateQueryIteratorInterface, error) {
	start, err := shim.CreateCompositeKey(objectType, keys)
	if err != nil {
		return nil, err
	}
	it, _, err := s.rangeQuery(start, start+maxUnicode, 0, "", false)
	return it, err
}

// GetStateByPartialCompositeKeyWithPagination returns one page of the
// composite keys that start with objectType and keys.
func (s *Stub) GetStateByPartialCompositeKeyWithPagination(objectType string, keys []string,
	pageSize int32, bookmark string) (shim.StateQueryIteratorInterface, *peer.QueryResponseMetadata, error) {
	start, err := shim.CreateCompositeKey(objectType, keys)
	if err != nil {
		return nil, nil, err
	}
	return s.rangeQuery(start, start+maxUnicode, pageSize, bookmark, true)
}

// GetAllStatesCompositeKeyWithPagination returns one page of all composite
// keys.
func (s *Stub) GetAllStatesCompositeKeyWithPagination(pageSize int32,
	bookmark string) (shim.StateQueryIteratorInterface, *peer.QueryResponseMetadata, error) {
	return s.rangeQuery(minUnicode, minUnicode+maxUnicode, pageSize, bookmark, true)
}

// rangeQuery serves every public range query the way the peer's handler
// does: a query with pagination metadata is paginated unless both page size
// and bookmark are zero; a paginated query starts at the bookmark, stops
// after pageSize results (no limit when pageSize <= 0) and reports the next
// key in range as the bookmark.
func (s *Stub) rangeQuery(start, end string, pageSize int32, bookmark string, withMeta bool) (shim.StateQueryIteratorInterface, *peer.QueryResponseMetadata, error) {
	if err := s.live(); err != nil {
		return nil, nil, err
	}
	if err := checkKey(start + end + bookmark); err != nil {
		return nil, nil, err
	}
	paginated := withMeta && (pageSize != 0 || bookmark != "")
	if paginated {
		if s.wrote {
			return nil, nil, fmt.Errorf("txid [%s]: unsupported transaction. Paginated queries are supported only in a read-only transaction", s.opts.TxID)
		}
		s.paginated = true
		if bookmark != "" {
			start = bookmark
		}
	}
	s.l.mu.Lock()
	defer s.l.mu.Unlock()
	rr := rangeRead{start: start, end: end}
	var kvs []*queryresult.KV
	next := ""
	for _, k := range inRange(s.l.state, start, end) {
		if paginated && pageSize > 0 && len(kvs) == int(pageSize) {
			next = k
			rr.stopped = true
			break
		}
		v := s.l.state[k]
		kvs = append(kvs, &queryresult.KV{Namespace: s.l.cfg.Chaincode, Key: k, Value: slices.Clone(v.value)})
		rr.seen = append(rr.seen, keyVersion{k, v.version})
	}
	s.ranges = append(s.ranges, rr)
	meta := &peer.QueryResponseMetadata{}
	if paginated {
		// A page holds at most pageSize (an int32) results, or the whole
		// in-memory state when pageSize <= 0: far below 2^31 either way.
		meta = &peer.QueryResponseMetadata{FetchedRecordsCount: int32(len(kvs)), Bookmark: next} //nolint:gosec // G115: bounded, see above
	}
	return &stateIterator{kvs: kvs}, meta, nil
}

// inRange returns the keys of m in [start, end) in byte order; an empty end
// is unbounded.
func inRange[V any](m map[string]V, start, end string) []string {
	var keys []string
	for _, k := range sortedKeys(m) {
		if k >= start && (end == "" || k < end) {
			keys = append(keys, k)
		}
	}
	return keys
}

// CreateCompositeKey is the shim's encoding: U+0000, the object type and
// each attribute followed by U+0000.
func (s *Stub) CreateCompositeKey(objectType string, attributes []string) (string, error) {
	return shim.CreateCompositeKey(objectType, attributes)
}

// SplitCompositeKey splits a composite key into object type and attributes.
// Unlike the shim, which panics on a key that is not composite, it returns
// an error.
func (s *Stub) SplitCompositeKey(compositeKey string) (string, []string, error) {
	if len(compositeKey) < 2 || compositeKey[0] != minUnicode[0] || compositeKey[len(compositeKey)-1] != minUnicode[0] {
		return "", nil, fmt.Errorf("memstub: %q is not a composite key", compositeKey)
	}
	var parts []string
	from := 1
	for i := 1; i < len(compositeKey); i++ {
		if compositeKey[i] == minUnicode[0] {
			parts = append(parts, compositeKey[from:i])
			from = i + 1
		}
	}
	return parts[0], parts[1:], nil
}

// GetQueryResult fails: LevelDB has no rich queries.
func (s *Stub) GetQueryResult(string) (shim.StateQueryIteratorInterface, error) {
	return nil, errRichQuery
}

// GetQueryResultWithPagination fails: LevelDB has no rich queries.
func (s *Stub) GetQueryResultWithPagination(string, int32, string) (shim.StateQueryIteratorInterface, *peer.QueryResponseMetadata, error) {
	return nil, nil, errRichQuery
}

var errRichQuery = fmt.Errorf("%w: ExecuteQuery not supported for leveldb", ErrUnsupported)

// GetHistoryForKey returns the committed history of key, newest first.
func (s *Stub) GetHistoryForKey(key string) (shim.HistoryQueryIteratorInterface, error) {
	if err := s.live(); err != nil {
		return nil, err
	}
	if err := checkKey(key); err != nil {
		return nil, err
	}
	s.l.mu.Lock()
	defer s.l.mu.Unlock()
	h := s.l.history[key]
	mods := make([]*queryresult.KeyModification, 0, len(h))
	for i := len(h) - 1; i >= 0; i-- {
		e := h[i]
		mods = append(mods, &queryresult.KeyModification{
			TxId: e.txID, Value: slices.Clone(e.value), Timestamp: timestamppb.New(e.time), IsDelete: e.isDelete,
		})
	}
	return &historyIterator{mods: mods}, nil
}

// GetCreator returns the serialized identity of the submitter.
func (s *Stub) GetCreator() ([]byte, error) { return s.opts.Creator.Creator(), nil }

// GetTransient returns the transient map.
func (s *Stub) GetTransient() (map[string][]byte, error) { return s.opts.Transient, nil }

// GetBinding is SHA-256 over nonce, creator and epoch 0, as the shim
// computes it; the nonce is derived from the transaction ID.
func (s *Stub) GetBinding() ([]byte, error) {
	epoch := make([]byte, 8) // little-endian 0
	sum := sha256.Sum256(append(append(s.nonce(), s.opts.Creator.Creator()...), epoch...))
	return sum[:], nil
}

func (s *Stub) nonce() []byte {
	sum := sha256.Sum256([]byte("nonce/" + s.opts.TxID))
	return sum[:24]
}

// GetDecorations returns no decorations.
func (s *Stub) GetDecorations() map[string][]byte { return nil }

// GetSignedProposal fails: memstub builds no proposal.
func (s *Stub) GetSignedProposal() (*peer.SignedProposal, error) {
	return nil, fmt.Errorf("%w: GetSignedProposal", ErrUnsupported)
}

// GetTxTimestamp returns the proposal timestamp.
func (s *Stub) GetTxTimestamp() (*timestamppb.Timestamp, error) {
	return timestamppb.New(s.opts.Time), nil
}

// SetEvent sets the transaction's event; the last call wins.
func (s *Stub) SetEvent(name string, payload []byte) error {
	if name == "" {
		return errors.New("event name can not be empty string")
	}
	s.event = &peer.ChaincodeEvent{TxId: s.opts.TxID, ChaincodeId: s.l.cfg.Chaincode, EventName: name, Payload: slices.Clone(payload)}
	return nil
}

// Event is the event the transaction set, nil if none.
func (s *Stub) Event() *peer.ChaincodeEvent { return s.event }

// StartWriteBatch has no effect, as with a peer that does not batch writes.
func (s *Stub) StartWriteBatch() {}

// FinishWriteBatch has no effect.
func (s *Stub) FinishWriteBatch() error { return nil }

type stateIterator struct {
	kvs []*queryresult.KV
	i   int
}

func (it *stateIterator) HasNext() bool { return it.i < len(it.kvs) }
func (it *stateIterator) Close() error  { return nil }
func (it *stateIterator) Next() (*queryresult.KV, error) {
	if it.i >= len(it.kvs) {
		return nil, errors.New("no such key")
	}
	it.i++
	return it.kvs[it.i-1], nil
}

type historyIterator struct {
	mods []*queryresult.KeyModification
	i    int
}

func (it *historyIterator) HasNext() bool { return it.i < len(it.mods) }
func (it *historyIterator) Close() error  { return nil }
func (it *historyIterator) Next() (*queryresult.KeyModification, error) {
	if it.i >= len(it.mods) {
		return nil, errors.New("no such key")
	}
	it.i++
	return it.mods[it.i-1], nil
}
