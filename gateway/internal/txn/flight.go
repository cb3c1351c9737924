package txn

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/govledger/govledger/gateway/internal/ledger"
)

// ErrNeedsResubmit: an unfinished operation must be endorsed again but the
// gateway cannot do it alone, because it never stores private inputs or
// because it holds no key for the caller. The client's retry with the same
// Idempotency-Key resumes it.
var ErrNeedsResubmit = errors.New("operation must be resubmitted by its client")

// flight is one operation being worked on by one goroutine. Its record is
// only written by that goroutine; readers take snapshots under Service.mu.
type flight struct {
	rec    *record
	signer Signer
	call   Call
	sent   chan struct{} // closed once the transaction is ordered, or at the end
	done   chan struct{}
	isSent bool
	err    error // set before done closes
}

// begin finds or starts the flight for a custodial submit. It returns a
// finished record instead when the idempotency key already has an outcome.
func (s *Service) begin(signer Signer, call Call, key string, fp []byte) (*flight, *record, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.draining {
		return nil, nil, ErrShuttingDown
	}
	if key != "" {
		if f := s.byKey[string(scopeKey(call.Caller, key))]; f != nil {
			if !bytes.Equal(f.rec.Fingerprint, fp) {
				return nil, nil, &KeyReusedError{Key: key}
			}
			f.adopt(signer, call)
			return f, nil, nil
		}
		rec, err := s.store.byKey(call.Caller, key)
		switch {
		case errors.Is(err, errNoRecord):
		case err != nil:
			return nil, nil, err
		case !bytes.Equal(rec.Fingerprint, fp):
			return nil, nil, &KeyReusedError{Key: key}
		case rec.final():
			return nil, rec, nil
		case s.byID[rec.ID] != nil:
			f := s.byID[rec.ID]
			f.adopt(signer, call)
			return f, nil, nil
		default:
			return s.launch(rec, signer, call), nil, nil
		}
	}
	now := s.now()
	rec := &record{
		Caller: call.Caller, User: signer.Name(), Key: key, Fingerprint: fp,
		Chaincode: call.Chaincode, Function: call.Function, Transaction: call.Transaction,
		Args: call.Args, EndorsingOrgs: call.EndorsingOrgs, HasTransient: len(call.Transient) > 0,
		State: StatePending, Created: now, Updated: now,
	}
	return s.launch(rec, signer, call), nil, nil
}

// adopt hands a resumed flight the signer and private inputs of a client
// retry, so it can re-endorse if it has to; s.mu must be held.
func (f *flight) adopt(signer Signer, call Call) {
	if f.signer == nil || (len(f.call.Transient) == 0 && len(call.Transient) > 0) {
		f.signer, f.call = signer, call
	}
}

// launch starts a flight; s.mu must be held.
func (s *Service) launch(rec *record, signer Signer, call Call) *flight {
	f := &flight{rec: rec.clone(), signer: signer, call: call, sent: make(chan struct{}), done: make(chan struct{})}
	if rec.Key != "" {
		s.byKey[string(scopeKey(rec.Caller, rec.Key))] = f
	}
	if rec.ID != "" {
		s.byID[rec.ID] = f
	}
	s.wg.Add(1)
	s.obs.Submits(1)
	go s.fly(f)
	return f
}

// await waits for the flight to be ordered (async) or finished (sync).
func (s *Service) await(ctx context.Context, f *flight, async bool) (*Receipt, error) {
	wait := f.done
	if async {
		wait = f.sent
	}
	select {
	case <-wait:
	case <-ctx.Done():
		s.mu.Lock()
		txID := f.rec.TxID
		s.mu.Unlock()
		return nil, &PendingError{TxID: txID, Err: ctx.Err()}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	r := receiptOf(f.rec)
	select {
	case <-f.done:
		if f.err != nil {
			return nil, f.err
		}
	default:
	}
	return r, nil
}

// fly drives one operation until it is final or cannot progress now.
func (s *Service) fly(f *flight) {
	defer s.wg.Done()
	defer s.obs.Submits(-1)
	err := s.run(f)
	s.mu.Lock()
	f.err = err
	if f.rec.Key != "" && s.byKey[string(scopeKey(f.rec.Caller, f.rec.Key))] == f {
		delete(s.byKey, string(scopeKey(f.rec.Caller, f.rec.Key)))
	}
	if s.byID[f.rec.ID] == f {
		delete(s.byID, f.rec.ID)
	}
	if !f.isSent {
		close(f.sent)
	}
	close(f.done)
	s.mu.Unlock()
	if err != nil {
		s.log.Warn("submit did not complete", "tx_id", f.rec.TxID, "chaincode", f.rec.Chaincode, "function", f.rec.Function, "error", err)
	}
}

// update publishes a new version of the flight's record.
func (s *Service) update(f *flight, mutate func(r *record)) *record {
	s.mu.Lock()
	defer s.mu.Unlock()
	mutate(f.rec)
	f.rec.Updated = s.now()
	if f.rec.ID != "" && s.byID[f.rec.ID] == nil {
		s.byID[f.rec.ID] = f
	}
	return f.rec.clone()
}

func (s *Service) markSent(f *flight) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !f.isSent {
		f.isSent = true
		close(f.sent)
	}
}

func (s *Service) run(f *flight) error {
	for {
		s.mu.Lock()
		needsTx := f.rec.SignedTx == nil
		s.mu.Unlock()
		if needsTx {
			if err := s.endorse(f); err != nil {
				return err
			}
		}
		if err := s.send(f); err != nil {
			return err
		}
		s.markSent(f)
		status, err := s.commitStatus(f)
		if err != nil {
			return &PendingError{TxID: status.TxID, Err: err}
		}
		if status.Valid() {
			return s.persist(f, func(r *record) {
				r.State, r.Block, r.Code = StateCommitted, status.Block, status.Code
			})
		}
		if status.Retryable() && len(f.rec.Attempts) < s.maxAttempts && !f.rec.Offline {
			if !s.canEndorse(f) {
				// A custodial operation resumed without its signer or private
				// inputs: the client's retry with the same key finishes it.
				if err := s.persist(f, func(r *record) {
					r.Block, r.Code, r.SignedTx, r.TxSignature = status.Block, status.Code, nil, nil
				}); err != nil {
					return err
				}
				return ErrNeedsResubmit
			}
			s.obs.Retry(status.Code)
			s.log.Info("re-endorsing after read conflict", "tx_id", status.TxID, "code", status.Code, "attempt", len(f.rec.Attempts)+1)
			s.update(f, func(r *record) {
				r.Block, r.Code, r.SignedTx, r.TxSignature = status.Block, status.Code, nil, nil
			})
			continue
		}
		commitErr := &ledger.CommitError{Status: status}
		if err := s.persist(f, func(r *record) {
			r.State, r.Block, r.Code = StateFailed, status.Block, status.Code
			r.Failure = &Failure{Kind: failCommit, Message: commitErr.Error()}
		}); err != nil {
			return err
		}
		return commitErr
	}
}

func (s *Service) canEndorse(f *flight) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if f.rec.Offline || f.signer == nil || !f.signer.Custodial() {
		return false
	}
	return !f.rec.HasTransient || len(f.call.Transient) > 0
}

// endorse creates, signs and endorses a new transaction and journals it
// before anything is sent to ordering.
func (s *Service) endorse(f *flight) error {
	if !s.canEndorse(f) {
		return ErrNeedsResubmit
	}
	s.mu.Lock()
	signer, call := f.signer, f.call
	s.mu.Unlock()
	prop, err := s.ledger.NewProposal(call.spec(signer.Creator()))
	if err != nil {
		return fmt.Errorf("build proposal: %w", err)
	}
	sig, err := signer.Sign(prop.Digest)
	if err != nil {
		return err
	}
	ctx, cancel := bound(s.ctx, s.timeouts.Endorse)
	start := time.Now()
	endorsed, err := s.ledger.Endorse(ctx, ledger.Signed{Bytes: prop.Bytes, Signature: sig})
	cancel()
	s.obs.Stage(ledger.PhaseEndorse, time.Since(start), err)
	if err != nil {
		if failure, final := failureOf(err); final {
			if perr := s.persist(f, func(r *record) {
				if r.ID == "" {
					r.ID = prop.TxID
				}
				r.TxID, r.State, r.Failure = prop.TxID, StateFailed, failure
				r.Attempts = append(r.Attempts, prop.TxID)
			}); perr != nil {
				return perr
			}
		}
		return err
	}
	txSig, err := signer.Sign(endorsed.Digest)
	if err != nil {
		return err
	}
	return s.persist(f, func(r *record) {
		if r.ID == "" {
			r.ID = endorsed.TxID
		}
		r.TxID, r.SignedTx, r.TxSignature, r.Result = endorsed.TxID, endorsed.Bytes, txSig, endorsed.Result
		r.Block, r.Code = 0, ""
		r.Attempts = append(r.Attempts, endorsed.TxID)
	})
}

// persist applies mutate and writes the record; on a write failure the
// in-memory record is left as it was so nothing unjournalled is ever sent.
func (s *Service) persist(f *flight, mutate func(r *record)) error {
	s.mu.Lock()
	next := f.rec.clone()
	s.mu.Unlock()
	mutate(next)
	next.Updated = s.now()
	if err := s.store.put(next); err != nil {
		return err
	}
	s.update(f, func(r *record) { *r = *next })
	return nil
}

// send submits the journalled transaction. Errors that prove the transaction
// was not ordered are returned; any other failure may have reached the
// orderer, so the commit status decides.
func (s *Service) send(f *flight) error {
	s.mu.Lock()
	signed := ledger.Signed{Bytes: f.rec.SignedTx, Signature: f.rec.TxSignature}
	txID := f.rec.TxID
	s.mu.Unlock()
	ctx, cancel := bound(s.ctx, s.timeouts.Submit)
	start := time.Now()
	err := s.ledger.Submit(ctx, signed)
	cancel()
	s.obs.Stage(ledger.PhaseSubmit, time.Since(start), err)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, ledger.ErrRejected):
		failure, _ := failureOf(err)
		if perr := s.persist(f, func(r *record) { r.State, r.Failure = StateFailed, failure }); perr != nil {
			return perr
		}
		return err
	case errors.Is(err, ledger.ErrUnavailable):
		return err
	default:
		s.log.Warn("submit outcome unknown; settling by commit status", "tx_id", txID, "error", err)
		return nil
	}
}

func (s *Service) commitStatus(f *flight) (ledger.Status, error) {
	s.mu.Lock()
	txID := f.rec.TxID
	s.mu.Unlock()
	ctx, cancel := bound(s.ctx, s.timeouts.CommitStatus)
	defer cancel()
	start := time.Now()
	status, err := s.ledger.CommitStatus(ctx, txID)
	s.obs.Stage(ledger.PhaseCommitStatus, time.Since(start), err)
	if err != nil {
		return ledger.Status{TxID: txID}, err
	}
	status.TxID = txID
	return status, nil
}
