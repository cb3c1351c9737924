// Package ledger holds the values and errors that cross the gateway's Fabric
// port: what the transaction service and the event dispatcher hand to a
// ledger adapter and get back. The ports themselves are declared by their
// consumers; the real adapter (package fabric) and the in-process fake
// (package fakeledger) both speak these types.
//
// Every proposal and transaction is signed offline: the adapter builds the
// bytes and their digest, the signer (the gateway's wallet for custodial
// callers, the client itself otherwise) signs the digest, and the adapter
// sends the signed bytes. The adapter never holds a caller's key.
package ledger

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Creator is the identity a proposal is created for.
type Creator struct {
	MSPID string
	// Certificate is the PEM-encoded X.509 enrolment certificate.
	Certificate []byte
}

// ProposalSpec says what to invoke.
type ProposalSpec struct {
	Chaincode string
	// Transaction is the qualified name contract:function.
	Transaction string
	Args        [][]byte
	// Transient is private input, sent to endorsers only.
	Transient map[string][]byte
	// EndorsingOrgs restricts endorsement; empty lets the Fabric gateway
	// choose peers that satisfy the policy.
	EndorsingOrgs []string
	Creator       Creator
}

// Unsigned is a proposal or a transaction waiting for its signature.
type Unsigned struct {
	TxID string
	// Bytes is the serialized message the adapter can rebuild it from.
	Bytes []byte
	// Digest is what the creator signs.
	Digest []byte
}

// Signed is an Unsigned message with the creator's signature over Digest.
type Signed struct {
	Bytes     []byte
	Signature []byte
}

// Endorsed is a transaction endorsed by enough peers, waiting to be signed and
// sent to ordering.
type Endorsed struct {
	Unsigned
	// Result is the chaincode's return value.
	Result []byte
}

// Status is the committed outcome of a transaction.
type Status struct {
	TxID  string
	Block uint64
	// Code is the Fabric validation code name (VALID, MVCC_READ_CONFLICT, ...).
	Code string
}

// Valid reports whether the transaction's writes were applied.
func (s Status) Valid() bool { return s.Code == CodeValid }

// Validation codes the gateway acts on; other codes are passed through.
const (
	CodeValid               = "VALID"
	CodeMVCCReadConflict    = "MVCC_READ_CONFLICT"
	CodePhantomReadConflict = "PHANTOM_READ_CONFLICT"
)

// Retryable reports whether a commit failed only because another
// transaction changed what this one read, so a fresh endorsement may succeed.
func (s Status) Retryable() bool {
	return s.Code == CodeMVCCReadConflict || s.Code == CodePhantomReadConflict
}

// Position is where an event stream starts: the events of Block after the
// one of transaction AfterTxID (all of Block when AfterTxID is empty).
type Position struct {
	Block     uint64
	AfterTxID string
}

// Event is one chaincode event. Fabric keeps at most one event per
// transaction, so <block>:<txId> identifies it for good.
type Event struct {
	Block     uint64
	TxID      string
	Chaincode string
	Name      string
	Payload   []byte
}

// ID is the event's stable identifier, also the checkpoint to resume after it.
func (e Event) ID() string { return strconv.FormatUint(e.Block, 10) + ":" + e.TxID }

// Position is the stream position just after this event.
func (e Event) Position() Position { return Position{Block: e.Block, AfterTxID: e.TxID} }

// ErrBadEventID is wrapped when an event id cannot be parsed.
var ErrBadEventID = errors.New("malformed event id")

// ParseEventID turns an event id back into the position just after it.
func ParseEventID(id string) (Position, error) {
	block, tx, ok := strings.Cut(id, ":")
	n, err := strconv.ParseUint(block, 10, 64)
	if !ok || err != nil || tx == "" || len(tx) > 128 {
		return Position{}, fmt.Errorf("%w %q: want <block>:<txId>", ErrBadEventID, id)
	}
	return Position{Block: n, AfterTxID: tx}, nil
}

// Phase names a step of a transaction's life on the network.
type Phase string

// The phases; each has its own timeout in the adapter.
const (
	PhaseEvaluate     Phase = "evaluate"
	PhaseEndorse      Phase = "endorse"
	PhaseSubmit       Phase = "submit"
	PhaseCommitStatus Phase = "commit"
	PhaseEvents       Phase = "events"
)

// Sentinels adapters wrap (inside *PhaseError) so the service can tell
// outcomes apart without looking at messages.
var (
	// ErrUnavailable: no peer or orderer could be reached.
	ErrUnavailable = errors.New("ledger unavailable")
	// ErrRejected: the network refused the request (bad signature, policy
	// failure, malformed transaction).
	ErrRejected = errors.New("rejected by the network")
	// ErrPermissionDenied: the creator may not perform the call (ACL).
	ErrPermissionDenied = errors.New("permission denied by the network")
	// ErrNotFound: the network does not know the transaction or chaincode.
	ErrNotFound = errors.New("not found on the network")
)

// PhaseError is a failure in one phase of one transaction. A timeout carries
// context.DeadlineExceeded in its chain.
type PhaseError struct {
	Phase Phase
	TxID  string
	// Err classifies the failure (one of the sentinels above, a
	// *ChaincodeError, or a context error) and carries the cause.
	Err error
}

func (e *PhaseError) Error() string {
	if e.TxID == "" {
		return fmt.Sprintf("%s: %v", e.Phase, e.Err)
	}
	return fmt.Sprintf("%s of transaction %s: %v", e.Phase, e.TxID, e.Err)
}

func (e *PhaseError) Unwrap() error { return e.Err }

// Timeout reports whether the phase ran out of time.
func (e *PhaseError) Timeout() bool { return errors.Is(e.Err, context.DeadlineExceeded) }

// ChaincodeError is an error the chaincode itself returned (a non-200
// response). Message is its text, which for GovLedger chaincodes embeds a
// ccerror JSON body.
type ChaincodeError struct {
	Status  int32
	Message string
}

func (e *ChaincodeError) Error() string {
	return fmt.Sprintf("chaincode returned status %d: %s", e.Status, e.Message)
}

// CommitError is a transaction that was ordered but not applied.
type CommitError struct {
	Status Status
}

func (e *CommitError) Error() string {
	return fmt.Sprintf("transaction %s in block %d was invalidated: %s", e.Status.TxID, e.Status.Block, e.Status.Code)
}
