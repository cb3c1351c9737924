package ledger

import (
	"fmt"
	"slices"

	"github.com/hyperledger/fabric-chaincode-go/v2/shim"
)

// indexValue is what an index entry holds. Fabric treats an empty value as a
// delete, so the fabric-samples convention of a single 0x00 byte marks an
// entry that exists but carries nothing.
var indexValue = []byte{0x00}

// Index is a secondary index kept as composite keys, e.g.
//
//	var byStatus = ledger.Index{Name: "tender~status~id", Attrs: []string{"status", "id"}}
//
// Entries are composite keys Name + values; listing by a prefix of the
// values (ListIndex) uses the peer's partial composite key range, so a page
// costs the same however large the ledger is. The contract keeps entries in
// step with the entity: Put when creating, Move when an indexed attribute
// changes, Delete when removing.
type Index struct {
	Name  string   // composite key object type; by convention "entity~attr~attr"
	Attrs []string // attribute names, documentation and arity check
}

// Key returns the entry key for values, one per attribute.
func (ix Index) Key(values ...string) (string, error) {
	if len(values) != len(ix.Attrs) {
		return "", fmt.Errorf("ledger: index %s takes %d values (%v), got %d", ix.Name, len(ix.Attrs), ix.Attrs, len(values))
	}
	return Key(ix.Name, values...)
}

// Put adds the entry for values.
func (ix Index) Put(stub shim.ChaincodeStubInterface, values ...string) error {
	k, err := ix.Key(values...)
	if err != nil {
		return err
	}
	if err := stub.PutState(k, indexValue); err != nil {
		return &KeyError{Key: k, Err: fmt.Errorf("write index entry: %w", err)}
	}
	return nil
}

// Delete removes the entry for values. Deleting an absent entry is not an
// error: the index is derived data.
func (ix Index) Delete(stub shim.ChaincodeStubInterface, values ...string) error {
	k, err := ix.Key(values...)
	if err != nil {
		return err
	}
	if err := stub.DelState(k); err != nil {
		return &KeyError{Key: k, Err: fmt.Errorf("delete index entry: %w", err)}
	}
	return nil
}

// Move replaces the entry for from with the entry for to, e.g. when a
// tender's status changes. Equal values leave the index untouched, so no
// needless write lands in the transaction.
func (ix Index) Move(stub shim.ChaincodeStubInterface, from, to []string) error {
	if slices.Equal(from, to) {
		return nil
	}
	if err := ix.Delete(stub, from...); err != nil {
		return err
	}
	return ix.Put(stub, to...)
}
