// Package fakeledger is an in-process stand-in for a Fabric network behind the
// gateway's port: chaincodes are Go functions over a versioned key-value world
// state, proposals and transactions are really signed and verified against
// the creator's certificate, transactions are ordered into blocks, validated
// with read-set version checks (so MVCC conflicts happen for real), and
// chaincode events are replayable from any block. Tests drive failure modes
// through explicit fault switches rather than by scripting call sequences.
package fakeledger

import (
	"context"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"sort"
	"sync"

	"github.com/govledger/govledger/gateway/internal/ledger"
)

// Func is a chaincode transaction. It reads and writes through the stub; a
// returned error becomes a chaincode error response with err.Error() as its
// message.
type Func func(stub *Stub) ([]byte, error)

// Chaincode is a fake chaincode: its contract metadata (as GetMetadata would
// return it) and its transactions keyed by qualified name (contract:function).
type Chaincode struct {
	Metadata     []byte
	Transactions map[string]Func
}

// Fault makes a phase misbehave for the next matching calls.
type Fault struct {
	Phase ledger.Phase
	// Err is returned (wrapped in a *ledger.PhaseError) instead of the
	// normal result. For PhaseSubmit with AfterSend, the transaction is
	// ordered anyway: the client just never hears back.
	Err       error
	AfterSend bool
	// Times is how many calls it applies to (1 when 0).
	Times int
}

// Ledger is the fake network. The zero value is not usable; call New.
type Ledger struct {
	mu         sync.Mutex
	changed    chan struct{} // closed and replaced on every new block
	chaincodes map[string]Chaincode
	state      map[string]versioned
	blocks     []block
	statuses   map[string]ledger.Status
	faults     []*Fault
	invalidate []string // validation codes forced on the next commits
	holdCommit bool
	held       []tx
	down       bool
}

type versioned struct {
	value   []byte
	version uint64 // block number of the last write; 0 means absent
}

type block struct {
	number uint64
	txs    []committed
}

type committed struct {
	tx
	code string
}

// New returns a fake network with the given chaincodes and an empty genesis
// block 0.
func New(chaincodes map[string]Chaincode) *Ledger {
	l := &Ledger{
		changed:    make(chan struct{}),
		chaincodes: map[string]Chaincode{},
		state:      map[string]versioned{},
		blocks:     []block{{number: 0}},
		statuses:   map[string]ledger.Status{},
	}
	for name, cc := range chaincodes {
		l.chaincodes[name] = cc
	}
	return l
}

// Inject queues a fault.
func (l *Ledger) Inject(f Fault) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if f.Times == 0 {
		f.Times = 1
	}
	l.faults = append(l.faults, &f)
}

// InvalidateNext makes the next len(codes) commits fail validation with the
// given codes (for example ledger.CodeMVCCReadConflict), as if a concurrent
// transaction had changed what they read.
func (l *Ledger) InvalidateNext(codes ...string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.invalidate = append(l.invalidate, codes...)
}

// HoldCommits makes ordering accept transactions without cutting blocks until
// ReleaseCommits, so commit status waits.
func (l *Ledger) HoldCommits() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.holdCommit = true
}

// ReleaseCommits cuts blocks for every held transaction.
func (l *Ledger) ReleaseCommits() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.holdCommit = false
	held := l.held
	l.held = nil
	for _, t := range held {
		l.commitLocked(t)
	}
}

// SetDown makes every call fail with ledger.ErrUnavailable.
func (l *Ledger) SetDown(down bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.down = down
}

// Height is the number of blocks, genesis included: the number of the next
// block.
func (l *Ledger) Height(ctx context.Context) (uint64, error) {
	if err := l.fault(ctx, ledger.PhaseEvents, ""); err != nil {
		return 0, err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	return uint64(len(l.blocks)), nil
}

// TxRecord is a transaction as ordered into a block.
type TxRecord struct {
	TxID  string
	Block uint64
	Code  string
	// Function is the qualified transaction name.
	Function string
	// Args are the transaction's arguments; EndorsingOrgs the organisations
	// the client asked to endorse it. Private (transient) input never reaches
	// a transaction, as on Fabric.
	Args          [][]byte
	EndorsingOrgs []string
	Creator       ledger.Creator
}

// Transactions lists every ordered transaction, duplicates and invalid ones
// included, in ledger order.
func (l *Ledger) Transactions() []TxRecord {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []TxRecord
	for _, b := range l.blocks {
		for _, t := range b.txs {
			out = append(out, TxRecord{TxID: t.ID, Block: b.number, Code: t.code, Function: t.Spec.Transaction, Args: t.Spec.Args, EndorsingOrgs: t.Spec.EndorsingOrgs, Creator: t.Spec.Creator})
		}
	}
	return out
}

// Value reads the committed world state.
func (l *Ledger) Value(chaincode, key string) ([]byte, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	v, ok := l.state[chaincode+"\x00"+key]
	return v.value, ok && v.version > 0
}

// proposal and tx are the fake's wire messages, JSON-encoded as the
// Unsigned/Signed bytes.
type proposal struct {
	ID    string              `json:"id"`
	Spec  ledger.ProposalSpec `json:"spec"`
	Nonce []byte              `json:"nonce"`
}

type tx struct {
	ID      string              `json:"id"`
	Spec    ledger.ProposalSpec `json:"spec"`
	Reads   map[string]uint64   `json:"reads"`
	Writes  map[string][]byte   `json:"writes"`
	Deletes []string            `json:"deletes"`
	Result  []byte              `json:"result"`
	Event   *ledger.Event       `json:"event"`
}

// NewProposal builds a proposal for spec. Like Fabric, the transaction id is
// the hash of a random nonce and the creator.
func (l *Ledger) NewProposal(spec ledger.ProposalSpec) (ledger.Unsigned, error) {
	if len(spec.Creator.Certificate) == 0 || spec.Creator.MSPID == "" {
		return ledger.Unsigned{}, errors.New("fakeledger: proposal needs a creator")
	}
	nonce := make([]byte, 24)
	if _, err := rand.Read(nonce); err != nil {
		return ledger.Unsigned{}, err
	}
	h := sha256.New()
	h.Write(nonce)
	h.Write([]byte(spec.Creator.MSPID))
	h.Write(spec.Creator.Certificate)
	p := proposal{ID: hex.EncodeToString(h.Sum(nil)), Spec: spec, Nonce: nonce}
	raw, err := json.Marshal(p)
	if err != nil {
		return ledger.Unsigned{}, err
	}
	digest := sha256.Sum256(raw)
	return ledger.Unsigned{TxID: p.ID, Bytes: raw, Digest: digest[:]}, nil
}

// Evaluate runs a signed proposal against the committed state.
func (l *Ledger) Evaluate(ctx context.Context, signed ledger.Signed) ([]byte, error) {
	p, err := l.openProposal(ledger.PhaseEvaluate, signed)
	if err != nil {
		return nil, err
	}
	if err := l.fault(ctx, ledger.PhaseEvaluate, p.ID); err != nil {
		return nil, err
	}
	t, err := l.simulate(p)
	if err != nil {
		return nil, &ledger.PhaseError{Phase: ledger.PhaseEvaluate, TxID: p.ID, Err: err}
	}
	return t.Result, nil
}

// Endorse simulates a signed proposal and returns the transaction to sign.
func (l *Ledger) Endorse(ctx context.Context, signed ledger.Signed) (ledger.Endorsed, error) {
	p, err := l.openProposal(ledger.PhaseEndorse, signed)
	if err != nil {
		return ledger.Endorsed{}, err
	}
	if err := l.fault(ctx, ledger.PhaseEndorse, p.ID); err != nil {
		return ledger.Endorsed{}, err
	}
	t, err := l.simulate(p)
	if err != nil {
		return ledger.Endorsed{}, &ledger.PhaseError{Phase: ledger.PhaseEndorse, TxID: p.ID, Err: err}
	}
	raw, err := json.Marshal(t)
	if err != nil {
		return ledger.Endorsed{}, err
	}
	digest := sha256.Sum256(raw)
	return ledger.Endorsed{Unsigned: ledger.Unsigned{TxID: t.ID, Bytes: raw, Digest: digest[:]}, Result: t.Result}, nil
}

// ParseTransaction reads an endorsed transaction's id and result.
func (l *Ledger) ParseTransaction(raw []byte) (ledger.Endorsed, error) {
	var t tx
	if err := json.Unmarshal(raw, &t); err != nil || t.ID == "" {
		return ledger.Endorsed{}, &ledger.PhaseError{Phase: ledger.PhaseSubmit, Err: fmt.Errorf("%w: undecodable transaction", ledger.ErrRejected)}
	}
	digest := sha256.Sum256(raw)
	return ledger.Endorsed{Unsigned: ledger.Unsigned{TxID: t.ID, Bytes: raw, Digest: digest[:]}, Result: t.Result}, nil
}

// Submit sends a signed transaction to ordering. Sending the same transaction
// twice orders it twice; the second copy is invalidated as DUPLICATE_TXID,
// exactly as Fabric does.
func (l *Ledger) Submit(ctx context.Context, signed ledger.Signed) error {
	var t tx
	if err := json.Unmarshal(signed.Bytes, &t); err != nil {
		return &ledger.PhaseError{Phase: ledger.PhaseSubmit, Err: fmt.Errorf("%w: undecodable transaction", ledger.ErrRejected)}
	}
	if err := verify(t.Spec.Creator, signed); err != nil {
		return &ledger.PhaseError{Phase: ledger.PhaseSubmit, TxID: t.ID, Err: err}
	}
	f := l.takeFault(ledger.PhaseSubmit)
	if f != nil && !f.AfterSend {
		return &ledger.PhaseError{Phase: ledger.PhaseSubmit, TxID: t.ID, Err: f.Err}
	}
	l.mu.Lock()
	if l.down {
		l.mu.Unlock()
		return &ledger.PhaseError{Phase: ledger.PhaseSubmit, TxID: t.ID, Err: ledger.ErrUnavailable}
	}
	if l.holdCommit {
		l.held = append(l.held, t)
	} else {
		l.commitLocked(t)
	}
	l.mu.Unlock()
	if f != nil {
		return &ledger.PhaseError{Phase: ledger.PhaseSubmit, TxID: t.ID, Err: f.Err}
	}
	return ctx.Err()
}

// CommitStatus waits until the transaction is in a block, like Fabric's
// CommitStatus, and returns the status of its first copy.
func (l *Ledger) CommitStatus(ctx context.Context, txID string) (ledger.Status, error) {
	if err := l.fault(ctx, ledger.PhaseCommitStatus, txID); err != nil {
		return ledger.Status{}, err
	}
	for {
		l.mu.Lock()
		if l.down {
			l.mu.Unlock()
			return ledger.Status{}, &ledger.PhaseError{Phase: ledger.PhaseCommitStatus, TxID: txID, Err: ledger.ErrUnavailable}
		}
		st, ok := l.statuses[txID]
		changed := l.changed
		l.mu.Unlock()
		if ok {
			return st, nil
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return ledger.Status{}, &ledger.PhaseError{Phase: ledger.PhaseCommitStatus, TxID: txID, Err: ctx.Err()}
		}
	}
}

// Metadata returns a chaincode's contract metadata, as evaluating
// org.hyperledger.fabric:GetMetadata would.
func (l *Ledger) Metadata(ctx context.Context, chaincode string) ([]byte, error) {
	if err := l.fault(ctx, ledger.PhaseEvaluate, ""); err != nil {
		return nil, err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	cc, ok := l.chaincodes[chaincode]
	if !ok {
		return nil, &ledger.PhaseError{Phase: ledger.PhaseEvaluate, Err: fmt.Errorf("%w: chaincode %s", ledger.ErrNotFound, chaincode)}
	}
	return cc.Metadata, nil
}

// SetChaincode installs or upgrades a chaincode.
func (l *Ledger) SetChaincode(name string, cc Chaincode) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.chaincodes[name] = cc
}

// Ready fails while the network is down.
func (l *Ledger) Ready(context.Context) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.down {
		return ledger.ErrUnavailable
	}
	return nil
}

// ChaincodeEvents streams the events of valid transactions of one chaincode,
// from a position (nil: from the next block) until ctx ends.
func (l *Ledger) ChaincodeEvents(ctx context.Context, chaincode string, from *ledger.Position) (<-chan ledger.Event, error) {
	if err := l.fault(ctx, ledger.PhaseEvents, ""); err != nil {
		return nil, err
	}
	l.mu.Lock()
	next := uint64(len(l.blocks))
	after := ""
	if from != nil {
		next, after = from.Block, from.AfterTxID
	}
	l.mu.Unlock()
	out := make(chan ledger.Event)
	go func() {
		defer close(out)
		for {
			l.mu.Lock()
			var b *block
			if next < uint64(len(l.blocks)) {
				b = &l.blocks[next]
			}
			changed := l.changed
			l.mu.Unlock()
			if b == nil {
				select {
				case <-changed:
					continue
				case <-ctx.Done():
					return
				}
			}
			skipping := after != ""
			for _, t := range b.txs {
				if skipping {
					skipping = t.ID != after
					continue
				}
				if t.code != ledger.CodeValid || t.Event == nil || t.Spec.Chaincode != chaincode {
					continue
				}
				ev := *t.Event
				ev.Block, ev.TxID, ev.Chaincode = b.number, t.ID, chaincode
				select {
				case out <- ev:
				case <-ctx.Done():
					return
				}
			}
			next, after = next+1, ""
		}
	}()
	return out, nil
}

func (l *Ledger) openProposal(phase ledger.Phase, signed ledger.Signed) (proposal, error) {
	var p proposal
	if err := json.Unmarshal(signed.Bytes, &p); err != nil {
		return proposal{}, &ledger.PhaseError{Phase: phase, Err: fmt.Errorf("%w: undecodable proposal", ledger.ErrRejected)}
	}
	if err := verify(p.Spec.Creator, signed); err != nil {
		return proposal{}, &ledger.PhaseError{Phase: phase, TxID: p.ID, Err: err}
	}
	return p, nil
}

// verify checks an ECDSA signature over the SHA-256 digest of the bytes with
// the creator certificate's key, as peers and orderers do.
func verify(creator ledger.Creator, signed ledger.Signed) error {
	block, _ := pem.Decode(creator.Certificate)
	if block == nil {
		return fmt.Errorf("%w: creator certificate is not PEM", ledger.ErrRejected)
	}
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		return fmt.Errorf("%w: creator certificate: %w", ledger.ErrRejected, err)
	}
	pub, ok := cert.PublicKey.(*ecdsa.PublicKey)
	if !ok {
		return fmt.Errorf("%w: creator key is not ECDSA", ledger.ErrRejected)
	}
	digest := sha256.Sum256(signed.Bytes)
	if !ecdsa.VerifyASN1(pub, digest[:], signed.Signature) {
		return fmt.Errorf("%w: signature does not match the creator", ledger.ErrRejected)
	}
	return nil
}

func (l *Ledger) takeFault(phase ledger.Phase) *Fault {
	l.mu.Lock()
	defer l.mu.Unlock()
	for i, f := range l.faults {
		if f.Phase != phase {
			continue
		}
		f.Times--
		if f.Times <= 0 {
			l.faults = append(l.faults[:i], l.faults[i+1:]...)
		}
		return f
	}
	return nil
}

// fault applies a queued fault or the down switch. A fault whose Err is a
// context error waits for ctx to end first, so timeouts are real.
func (l *Ledger) fault(ctx context.Context, phase ledger.Phase, txID string) error {
	l.mu.Lock()
	down := l.down
	l.mu.Unlock()
	if down {
		return &ledger.PhaseError{Phase: phase, TxID: txID, Err: ledger.ErrUnavailable}
	}
	f := l.takeFault(phase)
	if f == nil {
		return nil
	}
	if errors.Is(f.Err, context.DeadlineExceeded) {
		<-ctx.Done()
		return &ledger.PhaseError{Phase: phase, TxID: txID, Err: ctx.Err()}
	}
	return &ledger.PhaseError{Phase: phase, TxID: txID, Err: f.Err}
}

func (l *Ledger) simulate(p proposal) (tx, error) {
	l.mu.Lock()
	cc, ok := l.chaincodes[p.Spec.Chaincode]
	l.mu.Unlock()
	if !ok {
		return tx{}, fmt.Errorf("%w: chaincode %s", ledger.ErrNotFound, p.Spec.Chaincode)
	}
	fn, ok := cc.Transactions[p.Spec.Transaction]
	if !ok {
		return tx{}, &ledger.ChaincodeError{Status: 500, Message: fmt.Sprintf("Function %s not found in contract", p.Spec.Transaction)}
	}
	stub := &Stub{l: l, chaincode: p.Spec.Chaincode, spec: p.Spec, TxID: p.ID, reads: map[string]uint64{}, writes: map[string][]byte{}, deletes: map[string]bool{}}
	result, err := fn(stub)
	if err != nil {
		return tx{}, &ledger.ChaincodeError{Status: 500, Message: err.Error()}
	}
	t := tx{ID: p.ID, Spec: p.Spec, Reads: stub.reads, Writes: stub.writes, Result: result, Event: stub.event}
	for k := range stub.deletes {
		t.Deletes = append(t.Deletes, k)
	}
	sort.Strings(t.Deletes)
	// Private data never leaves the endorsers; only its writes do.
	t.Spec.Transient = nil
	return t, nil
}

// commitLocked orders t into a new block and validates it.
func (l *Ledger) commitLocked(t tx) {
	number := uint64(len(l.blocks))
	code := ledger.CodeValid
	switch {
	case l.statuses[t.ID].TxID != "":
		code = "DUPLICATE_TXID"
	case len(l.invalidate) > 0:
		code, l.invalidate = l.invalidate[0], l.invalidate[1:]
	default:
		for k, v := range t.Reads {
			if l.state[k].version != v {
				code = ledger.CodeMVCCReadConflict
				break
			}
		}
	}
	if code == ledger.CodeValid {
		for k, v := range t.Writes {
			l.state[k] = versioned{value: v, version: number}
		}
		for _, k := range t.Deletes {
			delete(l.state, k)
		}
	}
	if code != "DUPLICATE_TXID" {
		l.statuses[t.ID] = ledger.Status{TxID: t.ID, Block: number, Code: code}
	}
	l.blocks = append(l.blocks, block{number: number, txs: []committed{{tx: t, code: code}}})
	close(l.changed)
	l.changed = make(chan struct{})
}

// Stub is a transaction's view of the world state during simulation.
type Stub struct {
	l         *Ledger
	chaincode string
	spec      ledger.ProposalSpec
	// TxID is the transaction being simulated.
	TxID    string
	reads   map[string]uint64
	writes  map[string][]byte
	deletes map[string]bool
	event   *ledger.Event
}

// Args are the transaction's arguments.
func (s *Stub) Args() [][]byte { return s.spec.Args }

// Transient is the proposal's private input.
func (s *Stub) Transient() map[string][]byte { return s.spec.Transient }

// Creator is the identity that signed the proposal.
func (s *Stub) Creator() ledger.Creator { return s.spec.Creator }

// Get reads a key (own writes first) and records its version.
func (s *Stub) Get(key string) []byte {
	k := s.chaincode + "\x00" + key
	if v, ok := s.writes[k]; ok {
		return v
	}
	if s.deletes[k] {
		return nil
	}
	s.l.mu.Lock()
	v := s.l.state[k]
	s.l.mu.Unlock()
	s.reads[k] = v.version
	return v.value
}

// Put writes a key.
func (s *Stub) Put(key string, value []byte) {
	k := s.chaincode + "\x00" + key
	delete(s.deletes, k)
	s.writes[k] = value
}

// Delete removes a key.
func (s *Stub) Delete(key string) {
	k := s.chaincode + "\x00" + key
	delete(s.writes, k)
	s.deletes[k] = true
}

// SetEvent sets the transaction's chaincode event (one per transaction).
func (s *Stub) SetEvent(name string, payload []byte) {
	s.event = &ledger.Event{Name: name, Payload: payload}
}
