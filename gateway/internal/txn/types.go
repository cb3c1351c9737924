// Package txn turns validated calls into endorsed, ordered and committed
// Fabric transactions. It owns the gateway's transaction semantics:
//
//   - a submit is done only when a commit status says so;
//   - every signed transaction is journalled (bbolt) before it is first sent,
//     so an ambiguous outcome (a timeout after sending) is settled by the
//     commit status of that very transaction id, and a resend reuses the same
//     signed bytes, never a second transaction;
//   - Idempotency-Key: the same key from the same caller returns the same
//     outcome, across restarts;
//   - MVCC_READ_CONFLICT and PHANTOM_READ_CONFLICT are re-endorsed and
//     resubmitted as new transactions a bounded number of times.
//
// The ledger is reached through the Ledger port, implemented by package
// fabric (the Fabric Gateway SDK) and by package fakeledger in tests.
package txn

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/govledger/govledger/gateway/internal/ledger"
)

// Ledger is the port to the Fabric network. Every message is signed offline:
// the service signs digests with the caller's wallet key, or the caller does.
type Ledger interface {
	// NewProposal builds an unsigned proposal; it does no I/O.
	NewProposal(spec ledger.ProposalSpec) (ledger.Unsigned, error)
	Evaluate(ctx context.Context, proposal ledger.Signed) ([]byte, error)
	Endorse(ctx context.Context, proposal ledger.Signed) (ledger.Endorsed, error)
	// ParseTransaction reads the id and result of an endorsed transaction.
	ParseTransaction(tx []byte) (ledger.Endorsed, error)
	Submit(ctx context.Context, tx ledger.Signed) error
	// CommitStatus waits for the transaction to be committed.
	CommitStatus(ctx context.Context, txID string) (ledger.Status, error)
}

// Signer signs for one wallet user.
type Signer interface {
	Name() string
	Creator() ledger.Creator
	Custodial() bool
	Sign(digest []byte) ([]byte, error)
}

// Observer receives measurements; package metrics implements it.
type Observer interface {
	// Stage records one Fabric phase's duration and whether it failed.
	Stage(phase ledger.Phase, d time.Duration, err error)
	// Retry records a re-endorsement after a read conflict.
	Retry(code string)
	// Submits records the change of the number of submits in flight.
	Submits(delta int)
}

// Call is one validated invocation.
type Call struct {
	// Caller identifies the authenticated client; idempotency keys and
	// receipts are scoped to it.
	Caller string
	// Chaincode and Function (the route) name the call for receipts and
	// logs; Transaction is the qualified name sent to the chaincode.
	Chaincode     string
	Function      string
	Transaction   string
	Args          [][]byte
	Transient     map[string][]byte
	EndorsingOrgs []string
}

func (c Call) spec(creator ledger.Creator) ledger.ProposalSpec {
	return ledger.ProposalSpec{
		Chaincode:     c.Chaincode,
		Transaction:   c.Transaction,
		Args:          c.Args,
		Transient:     c.Transient,
		EndorsingOrgs: c.EndorsingOrgs,
		Creator:       creator,
	}
}

// State is where an operation is in its life.
type State string

// States of an operation. Only committed and failed are final.
const (
	StatePending   State = "pending"
	StateCommitted State = "committed"
	StateFailed    State = "failed"
)

// Receipt is what a client learns about a submit.
type Receipt struct {
	// ID is the operation id: the first transaction id it used.
	ID string
	// TxID is the transaction id of the latest attempt.
	TxID      string
	Attempts  []string
	Caller    string
	Chaincode string
	Function  string
	State     State
	Result    []byte
	Block     uint64
	// Code is the validation code of the latest commit status.
	Code string
	// Err is set when State is failed, or when the latest attempt's outcome
	// is still unknown.
	Err     error
	Created time.Time
	Updated time.Time
}

// Failure is a stored final error, rebuilt into a typed error on replay.
type Failure struct {
	Kind    string `json:"kind"`
	Message string `json:"message"`
	Status  int32  `json:"status,omitempty"`
	Phase   string `json:"phase,omitempty"`
}

// Failure kinds.
const (
	failChaincode  = "chaincode"
	failCommit     = "commit"
	failPermission = "permission"
	failRejected   = "rejected"
)

// Sentinel errors of the service.
var (
	// ErrKeyReused: an idempotency key was sent again with a different
	// request.
	ErrKeyReused = errors.New("idempotency key reused with a different request")
	// ErrShuttingDown: the service is draining and takes no new submits.
	ErrShuttingDown = errors.New("gateway is shutting down")
	// ErrNoReceipt: no operation with that transaction id is visible to the
	// caller.
	ErrNoReceipt = errors.New("no such transaction")
	// ErrNotCustodial: the caller's wallet user has no key in the gateway;
	// it must sign through the prepare/endorse/submit flow.
	ErrNotCustodial = errors.New("caller must sign its own transactions")
)

// PendingError says a submit was sent but its outcome is not known yet; the
// receipt will tell. It wraps the cause (typically a timeout).
type PendingError struct {
	TxID string
	Err  error
}

func (e *PendingError) Error() string {
	return fmt.Sprintf("transaction %s outcome not known yet: %v", e.TxID, e.Err)
}

func (e *PendingError) Unwrap() error { return e.Err }

// KeyReusedError names the key that was reused.
type KeyReusedError struct {
	Key string
}

func (e *KeyReusedError) Error() string {
	return fmt.Sprintf("idempotency key %q was already used for a different request", e.Key)
}

func (e *KeyReusedError) Unwrap() error { return ErrKeyReused }

// Timeouts bound each Fabric phase. Zero leaves a phase unbounded.
type Timeouts struct {
	Evaluate     time.Duration
	Endorse      time.Duration
	Submit       time.Duration
	CommitStatus time.Duration
}

// DefaultTimeouts match the Fabric Gateway SDK's recommendations.
var DefaultTimeouts = Timeouts{
	Evaluate:     5 * time.Second,
	Endorse:      15 * time.Second,
	Submit:       5 * time.Second,
	CommitStatus: time.Minute,
}
