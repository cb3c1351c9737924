package ledger

import (
	"encoding/base64"
	"encoding/json"
	"fmt"

	"github.com/govledger/govledger/chaincode/internal/validate"
	"github.com/hyperledger/fabric-chaincode-go/v2/shim"
	"github.com/hyperledger/fabric-protos-go-apiv2/peer"
)

// Page sizes. Every listing is paged so no call reads an unbounded range.
const (
	DefaultPageSize = 20
	MaxPageSize     = 100
)

// maxUnicode ends the range of a partial composite key, as in the shim.
const maxUnicode = "\U0010FFFF"

// PageRequest asks for one page of a listing. A zero Size means
// DefaultPageSize; Bookmark is empty for the first page and otherwise the
// Bookmark of the previous Page.
type PageRequest struct {
	Size     int32  `json:"size,omitempty"`
	Bookmark string `json:"bookmark,omitempty"`
}

// Page is one page of a listing. Bookmark is empty on the last page.
// Count is len(Items), kept in the JSON for clients that only want the size.
//
// contractapi cannot describe generic types in its metadata, so a contract
// function returns a named type that embeds the instantiation:
//
//	type TenderPage struct{ ledger.Page[Tender] }
type Page[T any] struct {
	Items    []T    `json:"items"`
	Bookmark string `json:"bookmark"`
	Count    int    `json:"count"`
}

// List returns a page of the entities of objectType whose primary key starts
// with attrs (none for all of them), in key order.
//
// Fabric allows paginated queries only in read-only transactions: a
// transaction that lists may not write, and one that has written may not
// list. Call listings from evaluate-only contract functions.
func List[T any](stub shim.ChaincodeStubInterface, objectType string, attrs []string, req PageRequest) (Page[T], error) {
	start, err := Key(objectType, attrs...)
	if err != nil {
		return Page[T]{}, err
	}
	return collect(start, start+maxUnicode, req,
		func(size int32, bookmark string) (shim.StateQueryIteratorInterface, *peer.QueryResponseMetadata, error) {
			return stub.GetStateByPartialCompositeKeyWithPagination(objectType, attrs, size, bookmark)
		},
		decodeValue[T])
}

// ListRange returns a page of the simple (non-composite) keys in
// [start, end), in key order; an empty end means no upper bound. The same
// read-only rule as List applies.
func ListRange[T any](stub shim.ChaincodeStubInterface, start, end string, req PageRequest) (Page[T], error) {
	lo := start
	if lo == "" {
		// The shim's substitute for an empty start key: the first simple key.
		lo = "\x01"
	}
	return collect(lo, end, req,
		func(size int32, bookmark string) (shim.StateQueryIteratorInterface, *peer.QueryResponseMetadata, error) {
			return stub.GetStateByRangeWithPagination(start, end, size, bookmark)
		},
		decodeValue[T])
}

// ListIndex returns a page of the entities an index lists under prefix (a
// leading subset of its values), in index order. primary turns an entry's
// values into the entity's primary key, e.g.
//
//	func(v []string) (string, error) { return ledger.Key("tender", v[1]) }
//
// A page costs one index page plus one read per item. The same read-only rule
// as List applies.
func ListIndex[T any](stub shim.ChaincodeStubInterface, ix Index, prefix []string, req PageRequest,
	primary func(values []string) (string, error)) (Page[T], error) {
	if len(prefix) > len(ix.Attrs) {
		return Page[T]{}, fmt.Errorf("ledger: index %s has %d attributes, prefix has %d", ix.Name, len(ix.Attrs), len(prefix))
	}
	start, err := Key(ix.Name, prefix...)
	if err != nil {
		return Page[T]{}, err
	}
	return collect(start, start+maxUnicode, req,
		func(size int32, bookmark string) (shim.StateQueryIteratorInterface, *peer.QueryResponseMetadata, error) {
			return stub.GetStateByPartialCompositeKeyWithPagination(ix.Name, prefix, size, bookmark)
		},
		func(key string, _ []byte) (T, error) {
			var zero T
			_, values, err := SplitKey(key)
			if err != nil {
				return zero, err
			}
			pk, err := primary(values)
			if err != nil {
				return zero, fmt.Errorf("ledger: index %s entry %s: %w", ix.Name, DisplayKey(key), err)
			}
			v, err := Get[T](stub, pk)
			if err != nil {
				// A dangling entry is a contract bug, not the caller's
				// NOT_FOUND: report it without wrapping ErrNotFound.
				return zero, fmt.Errorf("ledger: index %s entry %s: %v", ix.Name, DisplayKey(key), err) //nolint:errorlint // not wrapped on purpose, see above
			}
			return v, nil
		})
}

func decodeValue[T any](key string, value []byte) (T, error) {
	var v T
	if err := json.Unmarshal(value, &v); err != nil {
		return v, &KeyError{Key: key, Err: fmt.Errorf("decode stored value: %w", err)}
	}
	return v, nil
}

type pagedQuery func(size int32, bookmark string) (shim.StateQueryIteratorInterface, *peer.QueryResponseMetadata, error)

// collect runs one paged query over [lo, hi) and decodes its results. The
// bookmark a client sends must lie in that range: the peer starts the scan at
// the bookmark, so a forged one could otherwise reach other key spaces.
func collect[T any](lo, hi string, req PageRequest, query pagedQuery, decode func(key string, value []byte) (T, error)) (Page[T], error) {
	size, bookmark, err := req.resolve(lo, hi)
	if err != nil {
		return Page[T]{}, err
	}
	it, meta, err := query(size, bookmark)
	if err != nil {
		return Page[T]{}, fmt.Errorf("ledger: paged query: %w", err)
	}
	defer it.Close()
	page := Page[T]{Items: make([]T, 0, size)}
	for it.HasNext() {
		kv, err := it.Next()
		if err != nil {
			return Page[T]{}, fmt.Errorf("ledger: paged query: %w", err)
		}
		v, err := decode(kv.GetKey(), kv.GetValue())
		if err != nil {
			return Page[T]{}, err
		}
		page.Items = append(page.Items, v)
	}
	page.Count = len(page.Items)
	if next := meta.GetBookmark(); next != "" {
		page.Bookmark = base64.RawURLEncoding.EncodeToString([]byte(next))
	}
	return page, nil
}

// resolve validates r against the range [lo, hi) and returns the page size
// and the raw bookmark key. Bookmarks travel base64url-encoded because the
// keys inside them hold NUL bytes.
func (r PageRequest) resolve(lo, hi string) (int32, string, error) {
	size := r.Size
	if size == 0 {
		size = DefaultPageSize
	}
	if size < 1 || size > MaxPageSize {
		return 0, "", validate.Fail("page.size", validate.RuleRange, fmt.Sprintf("must be between 1 and %d", MaxPageSize))
	}
	if r.Bookmark == "" {
		return size, "", nil
	}
	raw, err := base64.RawURLEncoding.DecodeString(r.Bookmark)
	key := string(raw)
	if err != nil || key < lo || (hi != "" && key >= hi) {
		return 0, "", validate.Fail("page.bookmark", validate.RuleBookmark, "must be the bookmark of a previous page of the same listing")
	}
	return size, key, nil
}
