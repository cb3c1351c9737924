// Package ledger is GovLedger's typed access to Fabric world state.
//
// Values are stored as JSON produced by encoding/json from structs. That
// encoding is deterministic, which every endorser must agree on byte for byte:
// struct fields come out in declaration order and map keys are sorted by
// encoding/json. Do not store types with custom MarshalJSON methods that
// break this, and keep floats out of money (use integer minor units).
//
// Primary keys are composite keys (Key) so that every entity type is a
// separate range the peer can page through. Secondary indexes (Index) are
// composite keys with an empty-ish value, because the LevelDB state database
// GovLedger runs on has no rich queries.
//
// Reads see committed state only: a value written earlier in the same
// transaction is not visible, exactly as on a peer. Create therefore checks
// committed state; a contract must not create the same key twice in one
// transaction.
package ledger

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/govledger/govledger/chaincode/ccerror"
	"github.com/hyperledger/fabric-chaincode-go/v2/shim"
)

// Sentinel errors. Each wraps the matching ccerror sentinel so that
// ccerror.From classifies it; they are distinct values so callers can tell a
// ledger miss from other NOT_FOUND causes.
var (
	ErrNotFound   = fmt.Errorf("%w", ccerror.ErrNotFound)
	ErrExists     = fmt.Errorf("%w", ccerror.ErrAlreadyExists)
	ErrInvalidKey = fmt.Errorf("invalid key: %w", ccerror.ErrInvalidArgument)
)

// KeyError says which key an operation failed on.
type KeyError struct {
	Key string
	Err error
}

// Error shows the key readably: composite keys as type/attr/attr.
func (e *KeyError) Error() string {
	return fmt.Sprintf("%s: %v", DisplayKey(e.Key), e.Err)
}

// Unwrap returns the cause, usually ErrNotFound or ErrExists.
func (e *KeyError) Unwrap() error { return e.Err }

// Get reads the value at key into a T. It fails with a *KeyError wrapping
// ErrNotFound when the key has no value.
func Get[T any](stub shim.ChaincodeStubInterface, key string) (T, error) {
	var v T
	b, err := stub.GetState(key)
	if err != nil {
		return v, &KeyError{Key: key, Err: fmt.Errorf("read state: %w", err)}
	}
	if len(b) == 0 {
		return v, &KeyError{Key: key, Err: ErrNotFound}
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return v, &KeyError{Key: key, Err: fmt.Errorf("decode stored value: %w", err)}
	}
	return v, nil
}

// Exists reports whether key has a committed value.
func Exists(stub shim.ChaincodeStubInterface, key string) (bool, error) {
	b, err := stub.GetState(key)
	if err != nil {
		return false, &KeyError{Key: key, Err: fmt.Errorf("read state: %w", err)}
	}
	return len(b) > 0, nil
}

// Put writes v as JSON at key, replacing any value.
func Put(stub shim.ChaincodeStubInterface, key string, v any) error {
	b, err := encode(v)
	if err != nil {
		return &KeyError{Key: key, Err: err}
	}
	if err := stub.PutState(key, b); err != nil {
		return &KeyError{Key: key, Err: fmt.Errorf("write state: %w", err)}
	}
	return nil
}

// Create writes v at key and fails with a *KeyError wrapping ErrExists when
// key already has a committed value.
func Create(stub shim.ChaincodeStubInterface, key string, v any) error {
	ok, err := Exists(stub, key)
	if err != nil {
		return err
	}
	if ok {
		return &KeyError{Key: key, Err: ErrExists}
	}
	return Put(stub, key, v)
}

// Delete removes key and fails with a *KeyError wrapping ErrNotFound when it
// has no value. Reading first also puts the key in the read set, so a
// concurrent change makes this transaction fail validation.
func Delete(stub shim.ChaincodeStubInterface, key string) error {
	ok, err := Exists(stub, key)
	if err != nil {
		return err
	}
	if !ok {
		return &KeyError{Key: key, Err: ErrNotFound}
	}
	if err := stub.DelState(key); err != nil {
		return &KeyError{Key: key, Err: fmt.Errorf("delete state: %w", err)}
	}
	return nil
}

// GetPrivate reads key from a private data collection into a T. The peer
// refuses the read when the caller's organisation may not read the
// collection; that error is returned wrapped.
func GetPrivate[T any](stub shim.ChaincodeStubInterface, collection, key string) (T, error) {
	var v T
	b, err := stub.GetPrivateData(collection, key)
	if err != nil {
		return v, &KeyError{Key: key, Err: fmt.Errorf("read private data in %s: %w", collection, err)}
	}
	if len(b) == 0 {
		return v, &KeyError{Key: key, Err: ErrNotFound}
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return v, &KeyError{Key: key, Err: fmt.Errorf("decode private value: %w", err)}
	}
	return v, nil
}

// PutPrivate writes v as JSON at key in a private data collection. Only the
// hash of the value goes on the channel ledger; see PrivateHash.
func PutPrivate(stub shim.ChaincodeStubInterface, collection, key string, v any) error {
	b, err := encode(v)
	if err != nil {
		return &KeyError{Key: key, Err: err}
	}
	if err := stub.PutPrivateData(collection, key, b); err != nil {
		return &KeyError{Key: key, Err: fmt.Errorf("write private data in %s: %w", collection, err)}
	}
	return nil
}

// DeletePrivate removes key from a private data collection.
func DeletePrivate(stub shim.ChaincodeStubInterface, collection, key string) error {
	if err := stub.DelPrivateData(collection, key); err != nil {
		return &KeyError{Key: key, Err: fmt.Errorf("delete private data in %s: %w", collection, err)}
	}
	return nil
}

// PrivateHash returns the SHA-256 of the committed private value at key. Any
// organisation on the channel may read it, member of the collection or not,
// which is how a non-member checks a value it was shown off-chain. It fails
// with ErrNotFound when there is no value.
func PrivateHash(stub shim.ChaincodeStubInterface, collection, key string) ([]byte, error) {
	h, err := stub.GetPrivateDataHash(collection, key)
	if err != nil {
		return nil, &KeyError{Key: key, Err: fmt.Errorf("read private data hash in %s: %w", collection, err)}
	}
	if len(h) == 0 {
		return nil, &KeyError{Key: key, Err: ErrNotFound}
	}
	return h, nil
}

// Now is the transaction's timestamp in UTC: the client's proposal time,
// identical on every endorser. Chaincode must never read the wall clock.
func Now(stub shim.ChaincodeStubInterface) (time.Time, error) {
	ts, err := stub.GetTxTimestamp()
	if err != nil {
		return time.Time{}, fmt.Errorf("ledger: transaction timestamp: %w", err)
	}
	if err := ts.CheckValid(); err != nil {
		return time.Time{}, fmt.Errorf("ledger: transaction timestamp: %w", err)
	}
	return ts.AsTime().UTC(), nil
}

func encode(v any) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("encode value: %w", err)
	}
	if len(b) == 0 || string(b) == "null" {
		// Fabric treats an empty value as a delete; null would read back as
		// a zero value. Neither is what a caller storing nil meant.
		return nil, errors.New("encode value: refusing to store null")
	}
	return b, nil
}
