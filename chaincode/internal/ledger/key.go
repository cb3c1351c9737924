package ledger

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/hyperledger/fabric-chaincode-go/v2/shim"
)

// compositeNS starts every composite key; Fabric reserves it so simple keys
// can never collide with composite ones.
const compositeNS = "\x00"

// Key builds the primary key of an entity: a composite key of its type and
// identifying attributes, e.g. Key("tender", "T-1") or
// Key("bid", tenderID, bidID). It is the encoding of
// stub.CreateCompositeKey. Attributes holding U+0000 or U+10FFFF, or invalid
// UTF-8, fail with ErrInvalidKey; validate IDs first to report such input
// against the field it came from.
func Key(objectType string, attrs ...string) (string, error) {
	if objectType == "" {
		return "", fmt.Errorf("%w: object type must not be empty", ErrInvalidKey)
	}
	k, err := shim.CreateCompositeKey(objectType, attrs)
	if err != nil {
		return "", fmt.Errorf("%w: %w", ErrInvalidKey, err)
	}
	return k, nil
}

// SplitKey is the inverse of Key. It fails with ErrInvalidKey for a key that
// is not composite.
func SplitKey(key string) (objectType string, attrs []string, err error) {
	if !strings.HasPrefix(key, compositeNS) || !strings.HasSuffix(key, compositeNS) || len(key) < 2 {
		return "", nil, fmt.Errorf("%w: not a composite key", ErrInvalidKey)
	}
	parts := strings.Split(key[1:len(key)-1], compositeNS)
	return parts[0], parts[1:], nil
}

// DisplayKey renders a key for messages: a composite key as
// "type/attr/attr", a simple key quoted. Keys are identifiers, never private
// data, so showing them to the caller is safe.
func DisplayKey(key string) string {
	t, attrs, err := SplitKey(key)
	if err != nil {
		return strconv.Quote(key)
	}
	return strings.Join(append([]string{t}, attrs...), "/")
}
