package catalog_test

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"
	"github.com/hyperledger/fabric-contract-api-go/v2/metadata"
	"github.com/stretchr/testify/require"

	"github.com/govledger/govledger/chaincode/catalog"
)

// Doc is a document parameter, so the fake chaincode has a component schema.
type Doc struct {
	Title string `json:"title"`
}

// fakeContract and otherContract are what the source in fakeSource declares
// as Contract and Other.
type fakeContract struct{ contractapi.Contract }

func (c *fakeContract) Store(_ contractapi.TransactionContextInterface, _ string, _ Doc) error {
	return nil
}

func (c *fakeContract) Ping(contractapi.TransactionContextInterface) error { return nil }

func (c *fakeContract) Count(_ string) (int, error) { return 0, nil }

type otherContract struct{ contractapi.Contract }

func (c *otherContract) Echo(_ contractapi.TransactionContextInterface, text string) (string, error) {
	return text, nil
}

// fakeSource is the Go source of the fake chaincode; cases edit it.
const fakeSource = `package fake

import "github.com/hyperledger/fabric-contract-api-go/v2/contractapi"

// Contract is the fake contract.
type Contract struct{ contractapi.Contract }

// Store keeps a document.
//STORE
func (c *Contract) Store(ctx contractapi.TransactionContextInterface, key string, doc Doc) error { return nil }

// Ping does nothing.
func (c *Contract) Ping(contractapi.TransactionContextInterface) error { return nil }

// Count counts without a context.
func (c *Contract) Count(prefix string) (int, error) { return 0, nil }

func (c *Contract) helper() {}

// Other is the second contract.
type Other struct{ contractapi.Contract }

// Echo answers text.
func (o Other) Echo(ctx contractapi.TransactionContextInterface, text string) (string, error) { return text, nil }

// free is no method.
func free() {}
`

func fakeChaincode(dir string, contracts ...catalog.Contract) catalog.Chaincode {
	return catalog.Chaincode{
		Name: "fake",
		New: func() (*contractapi.ContractChaincode, error) {
			c := &fakeContract{}
			c.Name = "fake"
			o := &otherContract{}
			o.Name = "other"
			return contractapi.NewChaincode(c, o)
		},
		Contracts: contracts,
	}
}

var fakeContracts = []catalog.Contract{
	{Name: "fake", Dir: "fake", Type: "Contract"},
	{Name: "other", Dir: "fake", Type: "Other"},
}

// writeSource writes src as root/fake/fake.go.
func writeSource(t *testing.T, src string) string {
	t.Helper()
	root := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(root, "fake"), 0o750))
	require.NoError(t, os.WriteFile(filepath.Join(root, "fake", "fake.go"), []byte(src), 0o600))
	return root
}

func TestMetadataFromSource(t *testing.T) {
	tests := []struct {
		name        string
		storeDoc    string // replaces //STORE in fakeSource
		params      []string
		tags        []string
		replaceFrom string // optional further edit of the source
		replaceTo   string
	}{
		{name: "names parameters and adds no tags without directives",
			params: []string{"key", "doc"}, tags: []string{"submit", "SUBMIT"}},
		{name: "turns a transient directive into a tag", storeDoc: "//govledger:transient secret",
			params: []string{"key", "doc"}, tags: []string{"submit", "SUBMIT", "transient:secret"}},
		{name: "keeps an optional marker and a schema reference",
			storeDoc: "//govledger:transient note?\n//govledger:transient doc:Doc",
			params:   []string{"key", "doc"}, tags: []string{"submit", "SUBMIT", "transient:doc:Doc", "transient:note?"}},
		{name: "sorts tags and lists a collection once",
			storeDoc: "//govledger:collection zeta\n//govledger:collection alpha.v1\n//govledger:collection zeta",
			params:   []string{"key", "doc"}, tags: []string{"submit", "SUBMIT", "collection:alpha.v1", "collection:zeta"}},
		{name: "takes names from an ungrouped source too", storeDoc: "",
			replaceFrom: "key string, doc Doc", replaceTo: "id string, body Doc",
			params: []string{"id", "body"}, tags: []string{"submit", "SUBMIT"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := strings.Replace(fakeSource, "//STORE", tt.storeDoc, 1)
			if tt.replaceFrom != "" {
				src = strings.Replace(src, tt.replaceFrom, tt.replaceTo, 1)
			}
			raw, err := fakeChaincode("fake", fakeContracts...).Metadata(writeSource(t, src))
			require.NoError(t, err)
			var md metadata.ContractChaincodeMetadata
			require.NoError(t, json.Unmarshal(raw, &md))
			store := transaction(t, md, "fake", "Store")
			require.Equal(t, tt.params, paramNames(store))
			require.Equal(t, tt.tags, store.Tag)
			require.Equal(t, []string{"prefix"}, paramNames(transaction(t, md, "fake", "Count")))
			require.Equal(t, []string{"text"}, paramNames(transaction(t, md, "other", "Echo")))
			require.Empty(t, transaction(t, md, "fake", "Ping").Parameters)
		})
	}
}

func TestMetadataRefusesSourceThatDoesNotFit(t *testing.T) {
	tests := []struct {
		name      string
		from, to  string // edit of fakeSource; from "" leaves it
		contracts []catalog.Contract
		want      error
		where     string // expected in the message
	}{
		{name: "an unnamed parameter", from: "ctx contractapi.TransactionContextInterface, key string, doc Doc",
			to:   "contractapi.TransactionContextInterface, string, Doc",
			want: catalog.ErrParameterName, where: "transaction Store (fake/fake.go:10)"},
		{name: "a blank parameter name", from: "key string, doc Doc", to: "_ string, doc Doc",
			want: catalog.ErrParameterName, where: "has no name"},
		{name: "a parameter named like the private-input member", from: "key string, doc Doc", to: "transient string, doc Doc",
			want: catalog.ErrParameterName, where: `"transient"`},
		{name: "a parameter name the gateway cannot route", from: "key string, doc Doc", to: "ключ string, doc Doc",
			want: catalog.ErrParameterName, where: "must match"},
		{name: "a method with other parameters than the chaincode's", from: "prefix string)", to: "prefix, suffix, extra string)",
			want: catalog.ErrMismatch, where: "declares 3 parameters"},
		{name: "a transaction with no method in the source", from: "func (o Other) Echo", to: "func (o Other) Shout",
			want: catalog.ErrMismatch, where: "no method Other.Echo"},
		{name: "a transaction whose method is on another type", contracts: []catalog.Contract{
			{Name: "fake", Dir: "fake", Type: "Other"}, {Name: "other", Dir: "fake", Type: "Other"}},
			want: catalog.ErrMismatch, where: "no method Other."},
		{name: "a catalogued contract the chaincode lacks", contracts: append([]catalog.Contract{{Name: "ghost", Dir: "fake", Type: "Contract"}}, fakeContracts...),
			want: catalog.ErrMismatch, where: "contract ghost"},
		{name: "a contract of the chaincode the catalog omits", contracts: fakeContracts[:1],
			want: catalog.ErrMismatch, where: "contract other"},
		{name: "a directive without an argument", from: "//STORE", to: "//govledger:transient",
			want: catalog.ErrDirective, where: "exactly one argument"},
		{name: "a directive with two arguments", from: "//STORE", to: "//govledger:collection a b",
			want: catalog.ErrDirective, where: "exactly one argument"},
		{name: "an unknown directive", from: "//STORE", to: "//govledger:secret key",
			want: catalog.ErrDirective, where: `unknown directive "secret"`},
		{name: "a transient key the gateway refuses", from: "//STORE", to: "//govledger:transient 1st",
			want: catalog.ErrDirective, where: `transient key "1st"`},
		{name: "a schema the metadata lacks", from: "//STORE", to: "//govledger:transient doc:Document",
			want: catalog.ErrDirective, where: `schema "Document"`},
		{name: "a transient key declared twice", from: "//STORE", to: "//govledger:transient doc\n//govledger:transient doc?",
			want: catalog.ErrDirective, where: "declared twice"},
		{name: "a collection name the gateway refuses", from: "//STORE", to: "//govledger:collection _private",
			want: catalog.ErrDirective, where: `collection name "_private"`},
		{name: "a directive on a method that is no transaction", from: "func (c *Contract) helper() {}",
			to: "//govledger:transient doc\nfunc (c *Contract) helper() {}", want: catalog.ErrDirective, where: "Contract.helper is not a transaction"},
		{name: "a directive on a function", from: "func free() {}",
			to: "//govledger:transient doc\nfunc free() {}", want: catalog.ErrDirective, where: "free is not a transaction"},
		{name: "source that does not parse", from: "func free() {}", to: "func free() {",
			want: catalog.ErrSource, where: "fake/fake.go"},
		{name: "a package directory that is missing", contracts: []catalog.Contract{{Name: "fake", Dir: "gone", Type: "Contract"}},
			want: catalog.ErrSource, where: "package gone"},
	}
	for _, tt := range tests {
		t.Run("refuses "+tt.name, func(t *testing.T) {
			src := fakeSource
			if tt.from != "" {
				require.Contains(t, src, tt.from)
				src = strings.Replace(src, tt.from, tt.to, 1)
			}
			contracts := tt.contracts
			if contracts == nil {
				contracts = fakeContracts
			}
			_, err := fakeChaincode("fake", contracts...).Metadata(writeSource(t, src))
			require.ErrorIs(t, err, tt.want)
			var located *catalog.Error
			require.ErrorAs(t, err, &located)
			require.Equal(t, "fake", located.Chaincode)
			require.Contains(t, err.Error(), tt.where)
		})
	}
}

func TestMetadataReportsAChaincodeThatCannotBeBuilt(t *testing.T) {
	broken := errors.New("bad config")
	c := catalog.Chaincode{Name: "broken", New: func() (*contractapi.ContractChaincode, error) { return nil, broken }}
	_, err := c.Metadata(t.TempDir())
	require.ErrorIs(t, err, broken)
	var located *catalog.Error
	require.ErrorAs(t, err, &located)
	require.Equal(t, "broken", located.Chaincode)
	require.Equal(t, "catalog: chaincode broken: build chaincode: bad config", err.Error())
}

func TestErrorNamesWhereTheProblemIs(t *testing.T) {
	err := &catalog.Error{Chaincode: "health", Contract: "health", Transaction: "SubmitCaseReport",
		Position: "chaincode/health/contract/report.go:61", Err: catalog.ErrDirective}
	require.Equal(t, "catalog: chaincode health, contract health, transaction SubmitCaseReport (chaincode/health/contract/report.go:61): invalid directive", err.Error())
	require.ErrorIs(t, err, catalog.ErrDirective)
}
