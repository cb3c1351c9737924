// Package memstub is an in-memory Fabric peer for unit tests: a Ledger that
// holds world state, private data, key history and metadata, and a per
// transaction Stub implementing shim.ChaincodeStubInterface with a peer's
// semantics:
//
//   - writes are buffered and invisible to reads of the same transaction;
//     Commit applies them atomically and records history;
//   - commit validates the read set (MVCC): a key or range read by the
//     transaction and changed by another commit since makes Commit fail;
//   - composite keys, range and partial-key queries use Fabric's encoding and
//     byte order; paginated queries return Fabric's bookmarks (the next key,
//     empty when done) and, as on a peer, may not be mixed with writes;
//   - private data is checked against collection membership (memberOnlyRead,
//     memberOnlyWrite) by the creator's MSP, including implicit org
//     collections "_implicit_org_<MSPID>"; hashes are SHA-256 of the value;
//   - GetHistoryForKey returns newest first, as Fabric v2 does.
//
// What it does not model: endorsement policies (validation parameters are
// stored, not enforced), peers that are not members of a collection (they
// would hold no private data; memstub only enforces the client ACL), and
// rich queries (LevelDB has none; the calls fail as on a LevelDB peer).
//
// Network runs a real contractapi chaincode against the ledger through its
// Invoke entry point, so contract tests exercise contractapi's dispatch,
// parameter decoding and BeforeTransaction exactly as deployed:
//
//	net := memstub.New(chaincode)
//	officer := memstub.NewIdentity("AgencyMSP", "alice", map[string]string{"role": "procurement-officer"})
//	res, err := net.Submit(officer, "procurement:CreateTender", `{"id":"T-1"}`)
package memstub

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/hyperledger/fabric-protos-go-apiv2/peer"
)

// Defaults for Config.
const (
	DefaultChannel   = "govchannel"
	DefaultChaincode = "govledger"
)

// DefaultStart is the ledger clock's initial time when Config.Start is zero.
var DefaultStart = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// Config describes the channel and chaincode the ledger belongs to.
type Config struct {
	Channel   string    // DefaultChannel when empty
	Chaincode string    // DefaultChaincode when empty; used in error texts
	Start     time.Time // initial clock; DefaultStart when zero
}

// Collection is a private data collection definition, as in
// collections_config.json.
type Collection struct {
	Name            string
	Members         []string // MSP IDs of member organisations
	MemberOnlyRead  bool
	MemberOnlyWrite bool
}

// implicitPrefix names Fabric's implicit per-organisation collections.
const implicitPrefix = "_implicit_org_"

// ErrMVCCConflict is returned by Commit when another transaction changed
// something this one read, as a peer marks it MVCC_READ_CONFLICT or
// PHANTOM_READ_CONFLICT.
var ErrMVCCConflict = errors.New("memstub: MVCC read conflict")

// ChaincodeHandler answers InvokeChaincode calls to another chaincode.
type ChaincodeHandler func(args [][]byte) *peer.Response

// Ledger is one channel's committed state for one chaincode. It is safe for
// concurrent use; each transaction works on its own Stub.
type Ledger struct {
	mu          sync.Mutex
	cfg         Config
	now         time.Time
	begun       uint64 // transactions begun, for deterministic IDs
	height      uint64 // transactions committed
	state       map[string]versioned
	meta        map[string][]byte
	history     map[string][]historyEntry
	private     map[string]map[string]versioned // collection → key →
	privateMeta map[string]map[string][]byte
	collections map[string]Collection
	chaincodes  map[string]ChaincodeHandler
}

// versioned is a value with the height of the commit that wrote it.
type versioned struct {
	value   []byte
	version uint64
}

type historyEntry struct {
	txID     string
	value    []byte
	time     time.Time
	isDelete bool
}

// NewLedger returns an empty ledger.
func NewLedger(cfg Config) *Ledger {
	if cfg.Channel == "" {
		cfg.Channel = DefaultChannel
	}
	if cfg.Chaincode == "" {
		cfg.Chaincode = DefaultChaincode
	}
	if cfg.Start.IsZero() {
		cfg.Start = DefaultStart
	}
	return &Ledger{
		cfg:         cfg,
		now:         cfg.Start.UTC(),
		state:       map[string]versioned{},
		meta:        map[string][]byte{},
		history:     map[string][]historyEntry{},
		private:     map[string]map[string]versioned{},
		privateMeta: map[string]map[string][]byte{},
		collections: map[string]Collection{},
		chaincodes:  map[string]ChaincodeHandler{},
	}
}

// DefineCollection adds or replaces a private data collection. Using a
// collection that was never defined fails, as on a peer.
func (l *Ledger) DefineCollection(c Collection) {
	l.mu.Lock()
	defer l.mu.Unlock()
	c.Members = slices.Clone(c.Members)
	l.collections[c.Name] = c
}

// RegisterChaincode answers InvokeChaincode(name, args, channel) with h.
// name is the chaincode name; for another channel register "name/channel".
func (l *Ledger) RegisterChaincode(name string, h ChaincodeHandler) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.chaincodes[name] = h
}

// Now is the ledger clock: the timestamp transactions get unless TxOptions
// sets one. It only moves when told to, so tests are deterministic.
func (l *Ledger) Now() time.Time {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.now
}

// SetTime sets the ledger clock.
func (l *Ledger) SetTime(t time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.now = t.UTC()
}

// Advance moves the ledger clock forward by d.
func (l *Ledger) Advance(d time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.now = l.now.Add(d)
}

// Height is the number of committed transactions.
func (l *Ledger) Height() uint64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.height
}

// State returns the committed value of key, nil when absent, for test
// assertions that bypass the chaincode.
func (l *Ledger) State(key string) []byte {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.state[key].value)
}

// PrivateData returns the committed value of key in collection, nil when
// absent, bypassing access control.
func (l *Ledger) PrivateData(collection, key string) []byte {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.private[collection][key].value)
}

// TxOptions describes a transaction proposal.
type TxOptions struct {
	Creator   Identity          // who submits; the zero Identity has no creator
	Function  string            // first argument, e.g. "procurement:CreateTender"
	Args      []string          // remaining arguments
	Transient map[string][]byte // transient map (private inputs)
	Time      time.Time         // proposal timestamp; the ledger clock when zero
	TxID      string            // derived deterministically when empty
}

// Begin starts a transaction.
func (l *Ledger) Begin(opts TxOptions) *Stub {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.begun++
	if opts.TxID == "" {
		sum := sha256.Sum256(fmt.Appendf(nil, "memstub/%s/%d", l.cfg.Channel, l.begun))
		opts.TxID = hex.EncodeToString(sum[:])
	}
	if opts.Time.IsZero() {
		opts.Time = l.now
	}
	args := make([][]byte, 0, 1+len(opts.Args))
	if opts.Function != "" || len(opts.Args) > 0 {
		args = append(args, []byte(opts.Function))
	}
	for _, a := range opts.Args {
		args = append(args, []byte(a))
	}
	return &Stub{
		l:         l,
		opts:      opts,
		args:      args,
		reads:     map[string]uint64{},
		pvtReads:  map[string]map[string]uint64{},
		writes:    map[string][]byte{},
		meta:      map[string][]byte{},
		pvtWrites: map[string]map[string]pvtWrite{},
		pvtMeta:   map[string]map[string][]byte{},
	}
}

// collection returns the definition of name; l.mu is held.
func (l *Ledger) collection(name string) (Collection, error) {
	if c, ok := l.collections[name]; ok {
		return c, nil
	}
	if msp, ok := strings.CutPrefix(name, implicitPrefix); ok && msp != "" {
		return Collection{Name: name, Members: []string{msp}, MemberOnlyRead: true, MemberOnlyWrite: true}, nil
	}
	return Collection{}, fmt.Errorf("collection %s not defined in the collection config for chaincode %s", name, l.cfg.Chaincode)
}

// sortedKeys returns the keys of m in byte order, which is LevelDB's order.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
