package txn

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Buckets of the transaction journal. ops holds one record per submit
// operation keyed by its id (the first transaction id); the others index it.
var (
	bucketOps     = []byte("txn.ops")
	bucketKeys    = []byte("txn.idempotency")
	bucketTxIDs   = []byte("txn.txids")
	bucketPending = []byte("txn.pending")
	bucketMeta    = []byte("txn.meta")
	keySalt       = []byte("fingerprint-salt")
)

// record is the durable state of one submit operation. It never holds
// private (transient) data: only a salted fingerprint of it.
type record struct {
	ID            string    `json:"id"`
	Caller        string    `json:"caller"`
	User          string    `json:"user,omitempty"`
	Key           string    `json:"key,omitempty"`
	Fingerprint   []byte    `json:"fingerprint"`
	Chaincode     string    `json:"chaincode"`
	Function      string    `json:"function"`
	Transaction   string    `json:"transaction"`
	Args          [][]byte  `json:"args,omitempty"`
	EndorsingOrgs []string  `json:"endorsingOrgs,omitempty"`
	HasTransient  bool      `json:"hasTransient,omitempty"`
	State         State     `json:"state"`
	TxID          string    `json:"txId"`
	Attempts      []string  `json:"attempts"`
	SignedTx      []byte    `json:"signedTx,omitempty"`
	TxSignature   []byte    `json:"txSignature,omitempty"`
	Result        []byte    `json:"result,omitempty"`
	Block         uint64    `json:"block,omitempty"`
	Code          string    `json:"code,omitempty"`
	Failure       *Failure  `json:"failure,omitempty"`
	Offline       bool      `json:"offline,omitempty"`
	Created       time.Time `json:"created"`
	Updated       time.Time `json:"updated"`
}

func (r *record) final() bool { return r.State == StateCommitted || r.State == StateFailed }

func (r *record) clone() *record {
	c := *r
	c.Attempts = append([]string(nil), r.Attempts...)
	return &c
}

// store persists records in bbolt. Writes go through db.Batch so concurrent
// submits share fsyncs.
type store struct {
	db *bolt.DB
}

func openStore(db *bolt.DB) (*store, []byte, error) {
	var salt []byte
	err := db.Update(func(tx *bolt.Tx) error {
		for _, b := range [][]byte{bucketOps, bucketKeys, bucketTxIDs, bucketPending, bucketMeta} {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		meta := tx.Bucket(bucketMeta)
		if s := meta.Get(keySalt); s != nil {
			salt = bytes.Clone(s)
			return nil
		}
		salt = make([]byte, 32)
		if _, err := rand.Read(salt); err != nil {
			return err
		}
		return meta.Put(keySalt, salt)
	})
	if err != nil {
		return nil, nil, fmt.Errorf("open transaction journal: %w", err)
	}
	return &store{db: db}, salt, nil
}

func scopeKey(caller, key string) []byte { return []byte(caller + "\x00" + key) }

// put writes a record and its indexes.
func (s *store) put(r *record) error {
	raw, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("encode record %s: %w", r.ID, err)
	}
	err = s.db.Batch(func(tx *bolt.Tx) error {
		if err := tx.Bucket(bucketOps).Put([]byte(r.ID), raw); err != nil {
			return err
		}
		if r.Key != "" {
			if err := tx.Bucket(bucketKeys).Put(scopeKey(r.Caller, r.Key), []byte(r.ID)); err != nil {
				return err
			}
		}
		for _, id := range r.Attempts {
			if err := tx.Bucket(bucketTxIDs).Put([]byte(id), []byte(r.ID)); err != nil {
				return err
			}
		}
		if r.final() {
			return tx.Bucket(bucketPending).Delete([]byte(r.ID))
		}
		return tx.Bucket(bucketPending).Put([]byte(r.ID), nil)
	})
	if err != nil {
		return fmt.Errorf("persist record %s: %w", r.ID, err)
	}
	return nil
}

var errNoRecord = errors.New("no record")

func (s *store) get(id string) (*record, error) {
	var r *record
	err := s.db.View(func(tx *bolt.Tx) error {
		var err error
		r, err = readRecord(tx, []byte(id))
		return err
	})
	return r, err
}

// byTxID finds the operation any of whose attempts had this transaction id.
func (s *store) byTxID(txID string) (*record, error) {
	var r *record
	err := s.db.View(func(tx *bolt.Tx) error {
		id := tx.Bucket(bucketTxIDs).Get([]byte(txID))
		if id == nil {
			return errNoRecord
		}
		var err error
		r, err = readRecord(tx, id)
		return err
	})
	return r, err
}

func (s *store) byKey(caller, key string) (*record, error) {
	var r *record
	err := s.db.View(func(tx *bolt.Tx) error {
		id := tx.Bucket(bucketKeys).Get(scopeKey(caller, key))
		if id == nil {
			return errNoRecord
		}
		var err error
		r, err = readRecord(tx, id)
		return err
	})
	return r, err
}

func readRecord(tx *bolt.Tx, id []byte) (*record, error) {
	raw := tx.Bucket(bucketOps).Get(id)
	if raw == nil {
		return nil, errNoRecord
	}
	r := new(record)
	if err := json.Unmarshal(raw, r); err != nil {
		return nil, fmt.Errorf("decode record %s: %w", id, err)
	}
	return r, nil
}

// pending lists unfinished operations, oldest id order.
func (s *store) pending() ([]*record, error) {
	var out []*record
	err := s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketPending).ForEach(func(id, _ []byte) error {
			r, err := readRecord(tx, id)
			if err != nil {
				return err
			}
			out = append(out, r)
			return nil
		})
	})
	return out, err
}

// prune deletes finished operations last updated before cutoff, at most
// limit per call so one pass never holds the write lock for long.
func (s *store) prune(cutoff time.Time, limit int) (int, error) {
	n := 0
	err := s.db.Update(func(tx *bolt.Tx) error {
		ops := tx.Bucket(bucketOps)
		c := ops.Cursor()
		var stale []*record
		for k, v := c.First(); k != nil && len(stale) < limit; k, v = c.Next() {
			var r record
			if err := json.Unmarshal(v, &r); err != nil {
				return fmt.Errorf("decode record %s: %w", k, err)
			}
			if r.final() && r.Updated.Before(cutoff) {
				stale = append(stale, &r)
			}
		}
		for _, r := range stale {
			if err := ops.Delete([]byte(r.ID)); err != nil {
				return err
			}
			if r.Key != "" {
				if err := tx.Bucket(bucketKeys).Delete(scopeKey(r.Caller, r.Key)); err != nil {
					return err
				}
			}
			for _, id := range r.Attempts {
				if err := tx.Bucket(bucketTxIDs).Delete([]byte(id)); err != nil {
					return err
				}
			}
		}
		n = len(stale)
		return nil
	})
	return n, err
}
