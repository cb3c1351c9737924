package memstub

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"slices"

	"github.com/hyperledger/fabric-chaincode-go/v2/shim"
	"github.com/hyperledger/fabric-protos-go-apiv2/ledger/queryresult"
)

var errNoCollection = errors.New("collection must not be an empty string")

// access checks that collection exists and that the creator's organisation
// may read (or write) it; s.l.mu is held.
func (s *Stub) access(collection string, write bool) error {
	if collection == "" {
		return errNoCollection
	}
	c, err := s.l.collection(collection)
	if err != nil {
		return err
	}
	member := slices.Contains(c.Members, s.opts.Creator.MSPID)
	if !write && c.MemberOnlyRead && !member {
		return fmt.Errorf("tx creator does not have read access permission on privatedata in chaincodeName:%s collectionName: %s", s.l.cfg.Chaincode, collection)
	}
	if write && c.MemberOnlyWrite && !member {
		return fmt.Errorf("tx creator does not have write access permission on privatedata in chaincodeName:%s collectionName: %s", s.l.cfg.Chaincode, collection)
	}
	return nil
}

func (s *Stub) recordPvtRead(collection, key string, version uint64) {
	if s.pvtReads[collection] == nil {
		s.pvtReads[collection] = map[string]uint64{}
	}
	if _, seen := s.pvtReads[collection][key]; !seen {
		s.pvtReads[collection][key] = version
	}
}

// GetPrivateData returns the committed value of key in collection.
func (s *Stub) GetPrivateData(collection, key string) ([]byte, error) {
	if err := s.live(); err != nil {
		return nil, err
	}
	if err := checkKey(key); err != nil {
		return nil, err
	}
	s.l.mu.Lock()
	defer s.l.mu.Unlock()
	if err := s.access(collection, false); err != nil {
		return nil, err
	}
	v := s.l.private[collection][key]
	s.recordPvtRead(collection, key, v.version)
	return slices.Clone(v.value), nil
}

// GetMultiplePrivateData returns the committed values of keys in collection.
func (s *Stub) GetMultiplePrivateData(collection string, keys ...string) ([][]byte, error) {
	if len(keys) == 0 {
		return nil, nil
	}
	out := make([][]byte, len(keys))
	for i, k := range keys {
		v, err := s.GetPrivateData(collection, k)
		if err != nil {
			return nil, err
		}
		out[i] = v
	}
	return out, nil
}

// GetPrivateDataHash returns the SHA-256 of the committed value of key, nil
// when absent. Any organisation may read hashes.
func (s *Stub) GetPrivateDataHash(collection, key string) ([]byte, error) {
	if err := s.live(); err != nil {
		return nil, err
	}
	if err := checkKey(key); err != nil {
		return nil, err
	}
	if collection == "" {
		return nil, errNoCollection
	}
	s.l.mu.Lock()
	defer s.l.mu.Unlock()
	if _, err := s.l.collection(collection); err != nil {
		return nil, err
	}
	v, ok := s.l.private[collection][key]
	s.recordPvtRead(collection, key, v.version)
	if !ok {
		return nil, nil
	}
	sum := sha256.Sum256(v.value)
	return sum[:], nil
}

func (s *Stub) pvtWrite(collection, key string, w pvtWrite) error {
	if err := s.checkWrite(key); err != nil {
		return err
	}
	s.l.mu.Lock()
	err := s.access(collection, true)
	s.l.mu.Unlock()
	if err != nil {
		return err
	}
	if s.pvtWrites[collection] == nil {
		s.pvtWrites[collection] = map[string]pvtWrite{}
	}
	s.pvtWrites[collection][key] = w
	return nil
}

// PutPrivateData buffers a private write; an empty value is a delete.
func (s *Stub) PutPrivateData(collection, key string, value []byte) error {
	if collection == "" {
		return errNoCollection
	}
	if key == "" {
		return errors.New("key must not be an empty string")
	}
	var v []byte
	if len(value) > 0 {
		v = slices.Clone(value)
	}
	return s.pvtWrite(collection, key, pvtWrite{value: v})
}

// DelPrivateData buffers a private delete.
func (s *Stub) DelPrivateData(collection, key string) error {
	if collection == "" {
		return errNoCollection
	}
	return s.pvtWrite(collection, key, pvtWrite{})
}

// PurgePrivateData buffers a purge: on commit the value and its hash are
// gone.
func (s *Stub) PurgePrivateData(collection, key string) error {
	if collection == "" {
		return errNoCollection
	}
	return s.pvtWrite(collection, key, pvtWrite{purge: true})
}

// SetPrivateDataValidationParameter stores a key-level endorsement policy
// for a private key; recorded, not enforced.
func (s *Stub) SetPrivateDataValidationParameter(collection, key string, ep []byte) error {
	if err := s.checkWrite(key); err != nil {
		return err
	}
	s.l.mu.Lock()
	_, err := s.l.collection(collection)
	s.l.mu.Unlock()
	if err != nil {
		return err
	}
	if s.pvtMeta[collection] == nil {
		s.pvtMeta[collection] = map[string][]byte{}
	}
	s.pvtMeta[collection][key] = slices.Clone(ep)
	return nil
}

// GetPrivateDataValidationParameter returns the committed key-level
// endorsement policy of a private key.
func (s *Stub) GetPrivateDataValidationParameter(collection, key string) ([]byte, error) {
	if err := s.live(); err != nil {
		return nil, err
	}
	s.l.mu.Lock()
	defer s.l.mu.Unlock()
	if _, err := s.l.collection(collection); err != nil {
		return nil, err
	}
	return slices.Clone(s.l.privateMeta[collection][key]), nil
}

// GetPrivateDataByRange iterates committed private keys in [startKey,
// endKey). As on a peer, a transaction that queries private data ranges may
// not write, and one that wrote may not query them.
func (s *Stub) GetPrivateDataByRange(collection, startKey, endKey string) (shim.StateQueryIteratorInterface, error) {
	if startKey == "" {
		startKey = emptyKeySubstitute
	}
	if err := validateSimpleKeys(startKey, endKey); err != nil {
		return nil, err
	}
	return s.privateRange(collection, startKey, endKey)
}

// GetPrivateDataByPartialCompositeKey iterates the private composite keys
// that start with objectType and keys.
func (s *Stub) GetPrivateDataByPartialCompositeKey(collection, objectType string, keys []string) (shim.StateQueryIteratorInterface, error) {
	start, err := shim.CreateCompositeKey(objectType, keys)
	if err != nil {
		return nil, err
	}
	return s.privateRange(collection, start, start+maxUnicode)
}

func (s *Stub) privateRange(collection, start, end string) (shim.StateQueryIteratorInterface, error) {
	if err := s.live(); err != nil {
		return nil, err
	}
	if err := checkKey(start + end); err != nil {
		return nil, err
	}
	s.l.mu.Lock()
	defer s.l.mu.Unlock()
	if err := s.access(collection, false); err != nil {
		return nil, err
	}
	if s.wrote {
		return nil, fmt.Errorf("txid [%s]: unsupported transaction. Queries on pvt data is supported only in a read-only transaction", s.opts.TxID)
	}
	s.pvtQueried = true
	data := s.l.private[collection]
	var kvs []*queryresult.KV
	for _, k := range inRange(data, start, end) {
		kvs = append(kvs, &queryresult.KV{Namespace: s.l.cfg.Chaincode, Key: k, Value: slices.Clone(data[k].value)})
	}
	return &stateIterator{kvs: kvs}, nil
}

// GetPrivateDataQueryResult fails: LevelDB has no rich queries.
func (s *Stub) GetPrivateDataQueryResult(string, string) (shim.StateQueryIteratorInterface, error) {
	return nil, errRichQuery
}
