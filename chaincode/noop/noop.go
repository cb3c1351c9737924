// Package noop is the throughput baseline: a contract that does the least a
// transaction can do (one blind write, one read), so every other figure can
// be read as a ratio of what the network itself allows. Seed and List give
// the live benchmark a large ledger cheaply, so the cost of a paged listing
// can be compared at 1 000 and 100 000 stored records.
package noop

import (
	"encoding/base64"
	"fmt"
	"strings"

	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"

	"github.com/govledger/govledger/chaincode/ccerror"
	"github.com/govledger/govledger/chaincode/internal/ledger"
	"github.com/govledger/govledger/chaincode/internal/validate"
)

// MaxValue bounds a stored value; the benchmark writes 100 bytes.
const MaxValue = 4096

// MaxSeed bounds the keys one Seed writes: 1 000 keys of SeedValue make a
// write set of about 120 KB, well inside a block, and a bigger ledger is a
// matter of more transactions rather than a bigger one.
const MaxSeed = 1000

// SeedValue is what Seed stores under every key: 100 bytes, the size the
// benchmark's Put writes, so seeded and written records cost the same.
var SeedValue = strings.Repeat("s", 100)

// Contract is the noop contract.
type Contract struct {
	contractapi.Contract
}

// GetEvaluateTransactions tags the read-only functions "evaluate" in the
// contract metadata, so the GovLedger gateway serves them as queries. List
// must be: Fabric refuses a paginated query in a transaction that writes.
func (c *Contract) GetEvaluateTransactions() []string {
	return []string{"Get", "List"}
}

// Put writes value under key without reading first (a blind write), so
// concurrent clients never conflict.
func (c *Contract) Put(ctx contractapi.TransactionContextInterface, key, value string) error {
	if err := validate.All(validate.Required("key", key), validate.MaxLen("value", value, MaxValue)); err != nil {
		return ccerror.From(err)
	}
	return ctx.GetStub().PutState(key, []byte(value))
}

// Get returns the value stored under key, empty when there is none.
func (c *Contract) Get(ctx contractapi.TransactionContextInterface, key string) (string, error) {
	v, err := ctx.GetStub().GetState(key)
	if err != nil {
		return "", fmt.Errorf("get %q: %w", key, err)
	}
	return string(v), nil
}

// Ping does nothing: the cost of a transaction with no state access.
func (c *Contract) Ping(contractapi.TransactionContextInterface) error { return nil }

// SeedKey is the key Seed writes for index i of prefix. The index is
// zero-padded so that key order is index order.
func SeedKey(prefix string, i int) string { return fmt.Sprintf("%s-%04d", prefix, i) }

// Seed blind-writes SeedValue under SeedKey(prefix, 0) .. SeedKey(prefix,
// count-1) in one transaction. Seeding again with the same prefix rewrites
// the same keys, so a repeated seed never grows the ledger twice.
func (c *Contract) Seed(ctx contractapi.TransactionContextInterface, prefix string, count int) error {
	if err := validate.All(validate.ID("prefix", prefix), validate.InRange("count", count, 1, MaxSeed)); err != nil {
		return ccerror.From(err)
	}
	stub := ctx.GetStub()
	value := []byte(SeedValue)
	for i := range count {
		if err := stub.PutState(SeedKey(prefix, i), value); err != nil {
			return fmt.Errorf("seed %s: %w", SeedKey(prefix, i), err)
		}
	}
	return nil
}

// Entry is one stored key and its value.
type Entry struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// Page is one page of List. Bookmark is empty on the last page.
type Page struct {
	Items    []Entry `json:"items"`
	Bookmark string  `json:"bookmark"`
	Count    int     `json:"count"`
}

// rangeEnd ends the range of keys that start with a prefix, as the shim
// ends a partial composite key.
const rangeEnd = "\U0010FFFF"

// List returns up to pageSize (0: ledger.DefaultPageSize, at most
// ledger.MaxPageSize) of the keys that start with prefix, in key order,
// starting after the previous page's bookmark ("" for the first page).
func (c *Contract) List(ctx contractapi.TransactionContextInterface, prefix string, pageSize int32, bookmark string) (*Page, error) {
	if pageSize == 0 {
		pageSize = ledger.DefaultPageSize
	}
	if err := validate.All(validate.ID("prefix", prefix), validate.InRange("pageSize", pageSize, 1, ledger.MaxPageSize)); err != nil {
		return nil, ccerror.From(err)
	}
	lo, hi := prefix, prefix+rangeEnd
	start := ""
	if bookmark != "" {
		raw, err := base64.RawURLEncoding.DecodeString(bookmark)
		// The peer resumes the scan at the bookmark, so one from another
		// listing (or forged) would read outside the prefix.
		if err != nil || string(raw) < lo || string(raw) >= hi {
			return nil, ccerror.From(validate.Fail("bookmark", validate.RuleBookmark, "must be the bookmark of a previous page of the same listing"))
		}
		start = string(raw)
	}
	it, meta, err := ctx.GetStub().GetStateByRangeWithPagination(lo, hi, pageSize, start)
	if err != nil {
		return nil, fmt.Errorf("list %q: %w", prefix, err)
	}
	defer func() { _ = it.Close() }()
	page := &Page{Items: make([]Entry, 0, pageSize)}
	for it.HasNext() {
		kv, err := it.Next()
		if err != nil {
			return nil, fmt.Errorf("list %q: %w", prefix, err)
		}
		page.Items = append(page.Items, Entry{Key: kv.GetKey(), Value: string(kv.GetValue())})
	}
	page.Count = len(page.Items)
	if next := meta.GetBookmark(); next != "" {
		page.Bookmark = base64.RawURLEncoding.EncodeToString([]byte(next))
	}
	return page, nil
}

// Chaincode returns the noop chaincode ready to serve.
func Chaincode() (*contractapi.ContractChaincode, error) {
	c := &Contract{}
	c.Name = "Noop"
	cc, err := contractapi.NewChaincode(c)
	if err != nil {
		return nil, fmt.Errorf("noop chaincode: %w", err)
	}
	cc.Info.Title = "GovLedger noop"
	cc.Info.Version = "1.0.0"
	return cc, nil
}
