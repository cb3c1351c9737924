package memstub

import (
	"fmt"
	"slices"
)

// Commit validates the transaction's reads against the ledger and applies
// its writes atomically, recording history. On a read conflict nothing is
// applied and the error wraps ErrMVCCConflict. A Stub commits at most once;
// a transaction whose chaincode failed is simply never committed.
func (s *Stub) Commit() error {
	if err := s.live(); err != nil {
		return err
	}
	l := s.l
	l.mu.Lock()
	defer l.mu.Unlock()
	if err := s.validate(); err != nil {
		return err
	}
	s.done = true
	l.height++
	ver := l.height
	for _, k := range sortedKeys(s.writes) {
		v := s.writes[k]
		if v == nil {
			delete(l.state, k)
			delete(l.meta, k)
		} else {
			l.state[k] = versioned{value: v, version: ver}
		}
		l.history[k] = append(l.history[k], historyEntry{txID: s.opts.TxID, value: v, time: s.opts.Time, isDelete: v == nil})
	}
	for k, ep := range s.meta {
		if len(ep) == 0 {
			delete(l.meta, k)
		} else {
			l.meta[k] = ep
		}
	}
	for coll, writes := range s.pvtWrites {
		if l.private[coll] == nil {
			l.private[coll] = map[string]versioned{}
		}
		for k, w := range writes {
			if w.value == nil {
				delete(l.private[coll], k)
				if w.purge {
					delete(l.privateMeta[coll], k)
				}
			} else {
				l.private[coll][k] = versioned{value: w.value, version: ver}
			}
		}
	}
	for coll, metas := range s.pvtMeta {
		if l.privateMeta[coll] == nil {
			l.privateMeta[coll] = map[string][]byte{}
		}
		for k, ep := range metas {
			l.privateMeta[coll][k] = ep
		}
	}
	return nil
}

// validate is the peer's MVCC check; l.mu is held.
func (s *Stub) validate() error {
	l := s.l
	for _, k := range sortedKeys(s.reads) {
		if l.state[k].version != s.reads[k] {
			return fmt.Errorf("%w: key %q changed since it was read", ErrMVCCConflict, k)
		}
	}
	for _, coll := range sortedKeys(s.pvtReads) {
		for _, k := range sortedKeys(s.pvtReads[coll]) {
			if l.private[coll][k].version != s.pvtReads[coll][k] {
				return fmt.Errorf("%w: private key %q in %s changed since it was read", ErrMVCCConflict, k, coll)
			}
		}
	}
	for _, rr := range s.ranges {
		var now []keyVersion
		for _, k := range inRange(l.state, rr.start, rr.end) {
			if rr.stopped && len(rr.seen) > 0 && k > rr.seen[len(rr.seen)-1].key {
				break
			}
			now = append(now, keyVersion{k, l.state[k].version})
		}
		if !slices.Equal(now, rr.seen) {
			return fmt.Errorf("%w: range [%q, %q) changed since it was read (phantom read)", ErrMVCCConflict, rr.start, rr.end)
		}
	}
	return nil
}
