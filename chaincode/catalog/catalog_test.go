package catalog_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"
	"github.com/hyperledger/fabric-contract-api-go/v2/metadata"
	"github.com/stretchr/testify/require"

	"github.com/govledger/govledger/chaincode/catalog"
	"github.com/govledger/govledger/chaincode/internal/memstub"
	"github.com/govledger/govledger/network/topology"
)

// repoRoot is the repository root seen from this package's directory, made
// absolute so tests that change directory still find the source.
func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	require.NoError(t, err)
	return root
}

// reflectedParam is contractapi's name for a parameter it reflected.
var reflectedParam = regexp.MustCompile(`"param[0-9]+"`)

func TestAll(t *testing.T) {
	t.Run("lists exactly the chaincodes of the network topology", func(t *testing.T) {
		topo, err := topology.Load(filepath.Join(repoRoot(t), "network", "topology.yaml"))
		require.NoError(t, err)
		var want, got []string
		for _, cc := range topo.Chaincodes {
			want = append(want, cc.Name)
		}
		for _, c := range catalog.All() {
			got = append(got, c.Name)
		}
		require.ElementsMatch(t, want, got)
	})
	t.Run("is in name order", func(t *testing.T) {
		names := []string{}
		for _, c := range catalog.All() {
			names = append(names, c.Name)
		}
		require.True(t, slices.IsSorted(names), "names %v", names)
	})
	t.Run("hands out a copy the caller may change", func(t *testing.T) {
		all := catalog.All()
		all[0].Name = "changed"
		all[0].Contracts[0].Dir = "elsewhere"
		again := catalog.All()
		require.NotEqual(t, "changed", again[0].Name)
		require.NotEqual(t, "elsewhere", again[0].Contracts[0].Dir)
	})
}

func TestLookup(t *testing.T) {
	tests := []struct {
		name, chaincode string
		found           bool
		contract        string
	}{
		{"finds a chaincode by its topology name", "health", true, "health"},
		{"finds the noop baseline and its contract name", "noop", true, "Noop"},
		{"does not find a name outside the catalog", "ledger", false, ""},
		{"is case-sensitive, as chaincode names are", "Health", false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, ok := catalog.Lookup(tt.chaincode)
			require.Equal(t, tt.found, ok)
			if tt.found {
				require.Equal(t, tt.chaincode, c.Name)
				require.NotNil(t, c.New)
				require.Equal(t, tt.contract, c.Contracts[0].Name)
			}
		})
	}
}

// transaction finds a transaction of the metadata.
func transaction(t *testing.T, md metadata.ContractChaincodeMetadata, contract, name string) metadata.TransactionMetadata {
	t.Helper()
	for _, tx := range md.Contracts[contract].Transactions {
		if tx.Name == name {
			return tx
		}
	}
	require.Failf(t, "transaction missing", "%s:%s", contract, name)
	return metadata.TransactionMetadata{}
}

func paramNames(tx metadata.TransactionMetadata) []string {
	names := []string{}
	for _, p := range tx.Parameters {
		names = append(names, p.Name)
	}
	return names
}

func TestMetadataOfTheGovLedgerChaincodes(t *testing.T) {
	root := repoRoot(t)
	tests := []struct {
		name                string
		chaincode, contract string
		transaction         string
		params              []string
		tags                []string
	}{
		{"names parameters as the Go method does", "procurement", "procurement", "Award",
			[]string{"tenderID", "supplierID", "justification"}, []string{"submit", "SUBMIT"}},
		{"skips an unnamed transaction context", "noop", "Noop", "Ping", []string{}, []string{"submit", "SUBMIT"}},
		{"keeps grouped parameters in order", "noop", "Noop", "Put", []string{"key", "value"}, []string{"submit", "SUBMIT"}},
		{"keeps evaluate tags", "noop", "Noop", "List",
			[]string{"prefix", "pageSize", "bookmark"}, []string{"evaluate", "EVALUATE"}},
		{"declares the health report as a private input written to its collection", "health", "health", "SubmitCaseReport",
			[]string{}, []string{"submit", "SUBMIT", "collection:healthRecords", "transient:report"}},
		{"declares the collection a purge writes", "health", "health", "PurgeExpired",
			[]string{"pageSize"}, []string{"submit", "SUBMIT", "collection:healthRecords"}},
		{"declares the evidence of an application", "benefits", "benefits", "SubmitApplication",
			[]string{"input"}, []string{"submit", "SUBMIT", "transient:evidence"}},
		{"declares the evidence of a reassessment", "benefits", "benefits", "ReassessApplication",
			[]string{"id"}, []string{"submit", "SUBMIT", "transient:evidence"}},
		{"leaves the system contract alone", "audit", contractapi.SystemContractName, "GetMetadata",
			[]string{}, []string{"evaluate", "EVALUATE"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw, err := catalog.Metadata(tt.chaincode, root)
			require.NoError(t, err)
			var md metadata.ContractChaincodeMetadata
			require.NoError(t, json.Unmarshal(raw, &md))
			tx := transaction(t, md, tt.contract, tt.transaction)
			require.Equal(t, tt.params, paramNames(tx))
			require.Equal(t, tt.tags, tx.Tag)
		})
	}

	for _, c := range catalog.All() {
		t.Run("gives "+c.Name+" stable metadata with no reflected names and its title", func(t *testing.T) {
			first, err := c.Metadata(root)
			require.NoError(t, err)
			again, err := catalog.Metadata(c.Name, root)
			require.NoError(t, err)
			require.Equal(t, first, again)
			require.NotRegexp(t, reflectedParam, string(first))
			var md metadata.ContractChaincodeMetadata
			require.NoError(t, json.Unmarshal(first, &md))
			require.True(t, strings.HasPrefix(md.Info.Title, "GovLedger "), "title %q", md.Info.Title)
			require.Contains(t, md.Contracts, contractapi.SystemContractName)
		})
	}

	t.Run("names only collections the topology defines for the chaincode", func(t *testing.T) {
		topo, err := topology.Load(filepath.Join(root, "network", "topology.yaml"))
		require.NoError(t, err)
		for _, cc := range topo.Chaincodes {
			raw, err := catalog.Metadata(cc.Name, root)
			require.NoError(t, err)
			var md metadata.ContractChaincodeMetadata
			require.NoError(t, json.Unmarshal(raw, &md))
			for _, contract := range md.Contracts {
				for _, tx := range contract.Transactions {
					for _, tag := range tx.Tag {
						name, ok := strings.CutPrefix(tag, "collection:")
						if ok {
							require.True(t, slices.ContainsFunc(cc.Collections, func(c topology.Collection) bool { return c.Name == name }),
								"%s:%s writes collection %s, which the topology does not define", cc.Name, tx.Name, name)
						}
					}
				}
			}
		}
	})

	t.Run("refuses a chaincode outside the catalog", func(t *testing.T) {
		_, err := catalog.Metadata("ledger", root)
		require.ErrorIs(t, err, catalog.ErrUnknownChaincode)
	})
}

// TestContractapiServesTheMetadata is the proof that the file works: placed
// where contractapi looks for it, the chaincode accepts it (contractapi
// validates it against its schema and compiles every parameter schema) and
// GetMetadata serves the real names.
func TestContractapiServesTheMetadata(t *testing.T) {
	root := repoRoot(t)
	files := map[string][]byte{}
	for _, c := range catalog.All() {
		raw, err := c.Metadata(root)
		require.NoError(t, err)
		files[c.Name] = raw
	}
	for _, c := range catalog.All() {
		t.Run("serves the names of "+c.Name, func(t *testing.T) {
			dir := t.TempDir()
			require.NoError(t, os.MkdirAll(filepath.Join(dir, "META-INF"), 0o750))
			require.NoError(t, os.WriteFile(filepath.Join(dir, "META-INF", "metadata.json"), files[c.Name], 0o600))
			t.Chdir(dir)

			cc, err := c.New()
			require.NoError(t, err)
			res, err := memstub.New(cc).Evaluate(memstub.Identity{}, contractapi.SystemContractName+":GetMetadata")
			require.NoError(t, err)
			require.JSONEq(t, string(files[c.Name]), string(res.Payload))
			require.NotRegexp(t, reflectedParam, string(res.Payload))
		})
	}
	t.Run("still decodes arguments by position under the new names", func(t *testing.T) {
		dir := t.TempDir()
		require.NoError(t, os.MkdirAll(filepath.Join(dir, "META-INF"), 0o750))
		require.NoError(t, os.WriteFile(filepath.Join(dir, "META-INF", "metadata.json"), files["noop"], 0o600))
		t.Chdir(dir)

		c, ok := catalog.Lookup("noop")
		require.True(t, ok)
		cc, err := c.New()
		require.NoError(t, err)
		net := memstub.New(cc)
		caller := memstub.NewIdentity("ProcurementMSP", "buyer1", nil)
		_, err = net.Submit(caller, "Noop:Put", "k1", "v1")
		require.NoError(t, err)
		res, err := net.Evaluate(caller, "Noop:Get", "k1")
		require.NoError(t, err)
		require.Equal(t, "v1", string(res.Payload))
		_, err = net.Submit(caller, "Noop:Seed", "p", "not a number")
		require.ErrorContains(t, err, "count", "a bad argument is reported under its real name")
	})
	t.Run("refuses to generate where contractapi would read a metadata file", func(t *testing.T) {
		for _, folder := range []string{"META-INF", "contract-metadata"} {
			dir := t.TempDir()
			require.NoError(t, os.MkdirAll(filepath.Join(dir, folder), 0o750))
			require.NoError(t, os.WriteFile(filepath.Join(dir, folder, "metadata.json"), files["noop"], 0o600))
			t.Chdir(dir)
			_, err := catalog.Metadata("noop", root)
			require.ErrorIs(t, err, catalog.ErrWorkingDirMetadata, folder)
		}
	})
}
