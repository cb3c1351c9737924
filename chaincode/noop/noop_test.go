package noop_test

import (
	"encoding/base64"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/govledger/govledger/chaincode/ccerror"
	"github.com/govledger/govledger/chaincode/internal/ledger"
	"github.com/govledger/govledger/chaincode/internal/memstub"
	"github.com/govledger/govledger/chaincode/noop"
)

func newNetwork(t testing.TB) *memstub.Network {
	t.Helper()
	cc, err := noop.Chaincode()
	require.NoError(t, err)
	return memstub.New(cc)
}

var user = memstub.NewIdentity("ProcurementMSP", "buyer1", map[string]string{"role": "buyer"})

func TestNoop(t *testing.T) {
	net := newNetwork(t)

	t.Run("a put is read back after commit", func(t *testing.T) {
		_, err := net.Submit(user, "Noop:Put", "k", "v")
		require.NoError(t, err)
		res, err := net.Evaluate(user, "Noop:Get", "k")
		require.NoError(t, err)
		require.Equal(t, "v", string(res.Payload))
	})
	t.Run("a missing key reads empty", func(t *testing.T) {
		res, err := net.Evaluate(user, "Noop:Get", "missing")
		require.NoError(t, err)
		require.Empty(t, res.Payload)
	})
	t.Run("ping succeeds", func(t *testing.T) {
		_, err := net.Submit(user, "Noop:Ping")
		require.NoError(t, err)
	})
	for _, tc := range []struct {
		name, key, value, field string
	}{
		{"rejects an empty key", "", "v", "key"},
		{"rejects an oversized value", "k", strings.Repeat("x", noop.MaxValue+1), "value"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := net.Submit(user, "Noop:Put", tc.key, tc.value)
			requireInvalid(t, err, tc.field)
		})
	}
}

func requireInvalid(t *testing.T, err error, field string) {
	t.Helper()
	require.ErrorIs(t, err, ccerror.ErrInvalidArgument)
	var ce *ccerror.Error
	require.ErrorAs(t, err, &ce)
	require.Equal(t, field, ce.Field)
}

func TestSeed(t *testing.T) {
	net := newNetwork(t)

	t.Run("writes count keys in one transaction, readable one by one", func(t *testing.T) {
		_, err := net.Submit(user, "Noop:Seed", "seed-a", "1000")
		require.NoError(t, err)
		for _, i := range []int{0, 1, 517, 999} {
			res, err := net.Evaluate(user, "Noop:Get", noop.SeedKey("seed-a", i))
			require.NoError(t, err)
			require.Equal(t, noop.SeedValue, string(res.Payload))
		}
		res, err := net.Evaluate(user, "Noop:Get", noop.SeedKey("seed-a", 1000))
		require.NoError(t, err)
		require.Empty(t, res.Payload, "no key beyond count")
	})
	t.Run("seeding a prefix again rewrites the same keys", func(t *testing.T) {
		_, err := net.Submit(user, "Noop:Seed", "seed-b", "3")
		require.NoError(t, err)
		_, err = net.Submit(user, "Noop:Seed", "seed-b", "3")
		require.NoError(t, err)
		require.Len(t, listAll(t, net, "seed-b", 100), 3)
	})
	for _, tc := range []struct {
		name, prefix, count, field string
	}{
		{"rejects an empty prefix", "", "1", "prefix"},
		{"rejects a prefix with characters outside an identifier", "a/b", "1", "prefix"},
		{"rejects a prefix longer than 64 characters", strings.Repeat("p", 65), "1", "prefix"},
		{"rejects a zero count", "p", "0", "count"},
		{"rejects a negative count", "p", "-5", "count"},
		{"rejects more keys than one transaction may seed", "p", strconv.Itoa(noop.MaxSeed + 1), "count"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := net.Submit(user, "Noop:Seed", tc.prefix, tc.count)
			requireInvalid(t, err, tc.field)
		})
	}
}

func list(t testing.TB, net *memstub.Network, prefix string, size int32, bookmark string) (noop.Page, error) {
	t.Helper()
	res, err := net.Evaluate(user, "Noop:List", prefix, strconv.Itoa(int(size)), bookmark)
	if err != nil {
		return noop.Page{}, err
	}
	var p noop.Page
	require.NoError(t, res.JSON(&p))
	return p, nil
}

// listAll follows bookmarks to the end and returns every key in order.
func listAll(t *testing.T, net *memstub.Network, prefix string, size int32) []string {
	t.Helper()
	var keys []string
	bookmark := ""
	for range 1000 {
		p, err := list(t, net, prefix, size, bookmark)
		require.NoError(t, err)
		require.LessOrEqual(t, p.Count, int(size))
		require.Len(t, p.Items, p.Count)
		for _, e := range p.Items {
			keys = append(keys, e.Key)
		}
		if p.Bookmark == "" {
			return keys
		}
		bookmark = p.Bookmark
	}
	t.Fatal("listing did not end")
	return nil
}

func TestList(t *testing.T) {
	net := newNetwork(t)
	_, err := net.Submit(user, "Noop:Seed", "list-a", "250")
	require.NoError(t, err)
	_, err = net.Submit(user, "Noop:Seed", "list-b", "5")
	require.NoError(t, err)
	_, err = net.Submit(user, "Noop:Put", "list-a-extra", "written by Put")
	require.NoError(t, err)

	t.Run("pages through every key under the prefix in key order", func(t *testing.T) {
		keys := listAll(t, net, "list-a-0", 100)
		require.Len(t, keys, 250)
		for i, k := range keys {
			require.Equal(t, noop.SeedKey("list-a", i), k)
		}
	})
	t.Run("includes keys that Put wrote and excludes other prefixes", func(t *testing.T) {
		keys := listAll(t, net, "list-a", 100)
		require.Len(t, keys, 251)
		require.Equal(t, "list-a-extra", keys[250])
	})
	t.Run("returns values with keys", func(t *testing.T) {
		p, err := list(t, net, "list-b", 2, "")
		require.NoError(t, err)
		require.Equal(t, []noop.Entry{{Key: "list-b-0000", Value: noop.SeedValue}, {Key: "list-b-0001", Value: noop.SeedValue}}, p.Items)
		require.NotEmpty(t, p.Bookmark)
	})
	t.Run("a zero page size means the default", func(t *testing.T) {
		p, err := list(t, net, "list-a", 0, "")
		require.NoError(t, err)
		require.Equal(t, ledger.DefaultPageSize, p.Count)
	})
	t.Run("an unknown prefix lists nothing", func(t *testing.T) {
		p, err := list(t, net, "none", 10, "")
		require.NoError(t, err)
		require.Empty(t, p.Items)
		require.Empty(t, p.Bookmark)
	})

	otherListing, err := list(t, net, "list-b", 2, "")
	require.NoError(t, err)
	for _, tc := range []struct {
		name, prefix string
		size         int32
		bookmark     string
		field        string
	}{
		{"rejects an empty prefix", "", 10, "", "prefix"},
		{"rejects a prefix with characters outside an identifier", "a\x00", 10, "", "prefix"},
		{"rejects a page larger than the maximum", "list-a", ledger.MaxPageSize + 1, "", "pageSize"},
		{"rejects a negative page size", "list-a", -1, "", "pageSize"},
		{"rejects a bookmark that is not base64url", "list-a", 10, "%%%", "bookmark"},
		{"rejects a bookmark of another listing", "list-a", 10, otherListing.Bookmark, "bookmark"},
		{"rejects a bookmark before the prefix", "list-b", 10, base64.RawURLEncoding.EncodeToString([]byte("list-a-0001")), "bookmark"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := list(t, net, tc.prefix, tc.size, tc.bookmark)
			requireInvalid(t, err, tc.field)
		})
	}
}

func TestMetadata(t *testing.T) {
	net := newNetwork(t)
	res, err := net.Evaluate(user, "org.hyperledger.fabric:GetMetadata")
	require.NoError(t, err)
	var md struct {
		Contracts map[string]struct {
			Transactions []struct {
				Name string   `json:"name"`
				Tag  []string `json:"tag"`
			} `json:"transactions"`
		} `json:"contracts"`
	}
	require.NoError(t, res.JSON(&md))
	tags := map[string][]string{}
	for _, tx := range md.Contracts["Noop"].Transactions {
		tags[tx.Name] = tx.Tag
	}

	for _, tc := range []struct {
		name, function, kind string
	}{
		{"tags Get for evaluation", "Get", "EVALUATE"},
		{"tags List for evaluation, as paged queries must be read-only", "List", "EVALUATE"},
		{"tags Put for submission", "Put", "SUBMIT"},
		{"tags Seed for submission", "Seed", "SUBMIT"},
		{"tags Ping for submission", "Ping", "SUBMIT"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			require.Contains(t, tags, tc.function)
			require.Contains(t, tags[tc.function], tc.kind)
		})
	}
}

func BenchmarkPut(b *testing.B) {
	net := newNetwork(b)
	value := strings.Repeat("x", 100)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := net.Submit(user, "Noop:Put", "k", value); err != nil {
			b.Fatal(err)
		}
	}
}
