package catalog_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/govledger/govledger/gateway/internal/catalog"
	"github.com/govledger/govledger/gateway/internal/fakeledger"
)

func members(chaincode, collection string) ([]string, bool) {
	if chaincode == "procurement" && collection == "sealedBids" {
		return []string{"ProcurementMSP", "AuditOfficeMSP"}, true
	}
	return nil, false
}

func load(t *testing.T, file, name string) *catalog.Chaincode {
	t.Helper()
	raw := fakeledger.ProcurementMetadata
	if file != "procurement.json" {
		var err error
		raw, err = os.ReadFile("testdata/" + file)
		require.NoError(t, err)
	}
	cc, err := catalog.Parse(name, raw, members)
	require.NoError(t, err)
	return cc
}

func procurement(t *testing.T) *catalog.Catalog {
	t.Helper()
	return catalog.New(load(t, "procurement.json", "procurement"))
}

func TestParse(t *testing.T) {
	t.Run("derives one route per transaction and hides the system contract", func(t *testing.T) {
		cc := load(t, "procurement.json", "procurement")
		var routes []string
		for _, fn := range cc.Functions() {
			routes = append(routes, fn.Route())
		}
		require.Equal(t, []string{"Award", "CreateTender", "GetTender", "ListTenders", "SubmitBid", "audit.RecordFinding"}, routes)
		require.Equal(t, "procurement", cc.Title)
	})

	t.Run("reads kinds, private inputs and collection endorsers from tags", func(t *testing.T) {
		c := procurement(t)
		get, err := c.Lookup("procurement", "GetTender")
		require.NoError(t, err)
		require.Equal(t, catalog.KindEvaluate, get.Kind)
		require.Equal(t, "tender:GetTender", get.Qualified())

		bid, err := c.Lookup("procurement", "SubmitBid")
		require.NoError(t, err)
		require.Equal(t, catalog.KindSubmit, bid.Kind)
		require.Equal(t, []string{"sealedBids"}, bid.Collections)
		require.Equal(t, []string{"AuditOfficeMSP", "ProcurementMSP"}, bid.EndorsingOrgs)
		require.Len(t, bid.Secrets, 2)
		require.Equal(t, catalog.Secret{Key: "bid", SchemaRef: "SealedBid"}.Key, bid.Secrets[0].Key)
		require.True(t, bid.Secrets[1].Optional)
		require.True(t, bid.ReturnsString())

		finding, err := c.Lookup("procurement", "audit.RecordFinding")
		require.NoError(t, err)
		require.Equal(t, "audit:RecordFinding", finding.Qualified())
	})

	t.Run("accepts the metadata contractapi reflects without a metadata file", func(t *testing.T) {
		cc := load(t, "reflected.json", "tenders")
		fn, err := catalog.New(cc).Lookup("tenders", "CreateTender")
		require.NoError(t, err)
		require.Equal(t, "param0", fn.Params[0].Name)
	})

	bad := []struct {
		name     string
		metadata string
		where    string
	}{
		{"rejects metadata that is not JSON", `{`, ""},
		{"rejects a collection the profile does not define", `{"contracts":{"c":{"name":"c","default":true,"transactions":[{"name":"F","tag":["collection:nope"]}]}}}`, "transaction c:F"},
		{"rejects a transient schema that is not a component", `{"contracts":{"c":{"name":"c","default":true,"transactions":[{"name":"F","tag":["transient:x:Missing"]}]}}}`, "transaction c:F"},
		{"rejects a parameter named like the transient member", `{"contracts":{"c":{"name":"c","default":true,"transactions":[{"name":"F","parameters":[{"name":"transient","schema":{"type":"string"}}]}]}}}`, "transaction c:F"},
		{"rejects a transaction name that cannot be a route", `{"contracts":{"c":{"name":"c","default":true,"transactions":[{"name":"a/b"}]}}}`, "transaction c:a/b"},
		{"rejects a key declared twice", `{"contracts":{"c":{"name":"c","default":true,"transactions":[{"name":"F","tag":["transient:k","transient:k?"]}]}}}`, "transaction c:F"},
		{"rejects a schema the validator cannot compile", `{"contracts":{"c":{"name":"c","default":true,"transactions":[{"name":"F","parameters":[{"name":"p","schema":{"$ref":"#/components/schemas/Nope"}}]}]}}}`, "transaction c:F"},
		{"rejects collections without a common member", `{"contracts":{"c":{"name":"c","default":true,"transactions":[{"name":"F","tag":["collection:a","collection:b"]}]}}}`, "transaction c:F"},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			_, err := catalog.Parse("cc", []byte(tc.metadata), func(_, c string) ([]string, bool) {
				switch c {
				case "a":
					return []string{"AMSP"}, true
				case "b":
					return []string{"BMSP"}, true
				}
				return nil, false
			})
			var me *catalog.MetadataError
			require.ErrorAs(t, err, &me)
			require.Equal(t, tc.where, me.Where)
			require.Contains(t, err.Error(), "cc")
		})
	}

	t.Run("rejects a chaincode name that cannot be a path segment", func(t *testing.T) {
		_, err := catalog.Parse("../x", []byte(`{}`), nil)
		var me *catalog.MetadataError
		require.ErrorAs(t, err, &me)
	})
}

func TestLookup(t *testing.T) {
	c := procurement(t)
	tests := []struct {
		name, chaincode, route string
		want                   error
	}{
		{"reports an unknown chaincode", "payroll", "Pay", catalog.ErrUnknownChaincode},
		{"reports an unknown function", "procurement", "Delete", catalog.ErrUnknownFunction},
		{"does not expose the system contract", "procurement", "org.hyperledger.fabric.GetMetadata", catalog.ErrUnknownFunction},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := c.Lookup(tc.chaincode, tc.route)
			require.ErrorIs(t, err, tc.want)
			var nf *catalog.NotFoundError
			require.ErrorAs(t, err, &nf)
			require.Contains(t, nf.Error(), tc.chaincode)
		})
	}
}

func body(t *testing.T, s string) catalog.Input {
	t.Helper()
	var members map[string]json.RawMessage
	require.NoError(t, json.Unmarshal([]byte(s), &members))
	in, err := catalog.InputFromMembers(members)
	require.NoError(t, err)
	return in
}

func TestBind(t *testing.T) {
	c := procurement(t)
	fn := func(route string) *catalog.Function {
		f, err := c.Lookup("procurement", route)
		require.NoError(t, err)
		return f
	}

	good := []struct {
		name      string
		route     string
		body      string
		args      []string
		transient map[string]string
	}{
		{"sends strings unquoted and objects as compact JSON", "CreateTender",
			`{"tender": {"id": "T1", "title": "Roads", "budget": 1000, "deadline": "2026-01-01T00:00:00Z"}}`,
			[]string{`{"id":"T1","title":"Roads","budget":1000,"deadline":"2026-01-01T00:00:00Z"}`}, nil},
		{"orders arguments by the metadata, not the body", "Award",
			`{"final": true, "winner": "SUP-A", "tenderId": "T1"}`,
			[]string{"T1", "SUP-A", "true"}, nil},
		{"normalises integers written as decimals", "ListTenders",
			`{"pageSize": 1e1, "bookmark": ""}`,
			[]string{"10", ""}, nil},
		{"sends private inputs only as transient data", "SubmitBid",
			`{"tenderId": "T1", "transient": {"bid": {"amount": 5, "currency": "EUR"}, "note": "sealed"}}`,
			[]string{"T1"}, map[string]string{"bid": `{"amount":5,"currency":"EUR"}`, "note": "sealed"}},
		{"lets an optional private input be left out", "SubmitBid",
			`{"tenderId": "T1", "transient": {"bid": {"amount": 5, "currency": "EUR"}}}`,
			[]string{"T1"}, map[string]string{"bid": `{"amount":5,"currency":"EUR"}`}},
	}
	for _, tc := range good {
		t.Run(tc.name, func(t *testing.T) {
			inv, err := fn(tc.route).Bind(body(t, tc.body))
			require.NoError(t, err)
			var args []string
			for _, a := range inv.Args {
				args = append(args, string(a))
			}
			require.Equal(t, tc.args, args)
			if tc.transient == nil {
				require.Nil(t, inv.Transient)
				return
			}
			got := map[string]string{}
			for k, v := range inv.Transient {
				got[k] = string(v)
			}
			require.Equal(t, tc.transient, got)
		})
	}

	bad := []struct {
		name  string
		route string
		body  string
		want  error
		field string
		rule  string
	}{
		{"rejects a member that is not a parameter", "GetTender", `{"id": "T1", "extra": 1}`, catalog.ErrMalformedInput, "extra", "unknown_field"},
		{"rejects private inputs to a function that takes none", "Award", `{"tenderId":"T","winner":"W","final":true,"transient":{"x":1}}`, catalog.ErrMalformedInput, "transient.x", "unknown_field"},
		{"names a missing parameter", "Award", `{"tenderId": "T1", "winner": "W"}`, catalog.ErrInvalidValue, "final", "required"},
		{"names a wrongly typed parameter", "Award", `{"tenderId": "T1", "winner": "W", "final": "yes"}`, catalog.ErrInvalidValue, "final", "invalid_type"},
		{"names a missing nested member", "CreateTender", `{"tender": {"id": "T1", "title": "x", "budget": 1}}`, catalog.ErrInvalidValue, "tender.deadline", "required"},
		{"names an unknown nested member", "CreateTender", `{"tender": {"id": "T1", "title": "x", "budget": 1, "deadline": "2026-01-01T00:00:00Z", "owner": "me"}}`, catalog.ErrInvalidValue, "tender.owner", "additional_property_not_allowed"},
		{"enforces schema bounds", "ListTenders", `{"pageSize": 1000, "bookmark": ""}`, catalog.ErrInvalidValue, "pageSize", "number_lte"},
		{"enforces integer formats", "audit.RecordFinding", `{"ref": "F1", "severity": 1e30}`, catalog.ErrInvalidValue, "severity", "format"},
		{"names a missing private input", "SubmitBid", `{"tenderId": "T1"}`, catalog.ErrInvalidValue, "transient.bid", "required"},
		{"validates a private input against its schema", "SubmitBid", `{"tenderId": "T1", "transient": {"bid": {"amount": "lots", "currency": "EUR"}}}`, catalog.ErrInvalidValue, "transient.bid.amount", "invalid_type"},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			_, err := fn(tc.route).Bind(body(t, tc.body))
			require.ErrorIs(t, err, tc.want)
			var ie *catalog.InputError
			require.ErrorAs(t, err, &ie)
			require.Equal(t, tc.field, ie.Field())
			require.Equal(t, tc.rule, ie.Violations[0].Rule)
			require.Contains(t, ie.Error(), tc.field)
		})
	}

	t.Run("rejects a transient member that is not an object", func(t *testing.T) {
		_, err := catalog.InputFromMembers(map[string]json.RawMessage{"transient": json.RawMessage(`[1]`)})
		require.ErrorIs(t, err, catalog.ErrMalformedInput)
	})

	t.Run("counts further violations in the message", func(t *testing.T) {
		_, err := fn("Award").Bind(body(t, `{}`))
		require.ErrorContains(t, err, "and 2 more")
	})
}

func TestInputFromQuery(t *testing.T) {
	c := procurement(t)
	list, err := c.Lookup("procurement", "ListTenders")
	require.NoError(t, err)

	t.Run("converts query values by parameter type", func(t *testing.T) {
		in, err := list.InputFromQuery(url.Values{"pageSize": {"20"}, "bookmark": {"20"}})
		require.NoError(t, err)
		inv, err := list.Bind(in)
		require.NoError(t, err)
		require.Equal(t, [][]byte{[]byte("20"), []byte("20")}, inv.Args)
	})

	t.Run("lets a non-JSON value fail the schema instead of the parser", func(t *testing.T) {
		in, err := list.InputFromQuery(url.Values{"pageSize": {"many"}, "bookmark": {""}})
		require.NoError(t, err)
		_, err = list.Bind(in)
		var ie *catalog.InputError
		require.ErrorAs(t, err, &ie)
		require.Equal(t, "pageSize", ie.Field())
	})

	refused := []struct {
		name string
		q    url.Values
		rule string
	}{
		{"refuses a repeated parameter", url.Values{"bookmark": {"a", "b"}}, "repeated"},
		{"refuses private inputs in a URL", url.Values{"transient": {"{}"}}, "transient_in_query"},
	}
	for _, tc := range refused {
		t.Run(tc.name, func(t *testing.T) {
			_, err := list.InputFromQuery(tc.q)
			var ie *catalog.InputError
			require.ErrorAs(t, err, &ie)
			require.ErrorIs(t, err, catalog.ErrMalformedInput)
			require.Equal(t, tc.rule, ie.Violations[0].Rule)
		})
	}
}

func TestOpenAPI(t *testing.T) {
	c := catalog.New(load(t, "procurement.json", "procurement"), load(t, "reflected.json", "tenders"))
	raw, err := c.OpenAPI(catalog.APIInfo{Title: "GovLedger", Version: "1", ReadOnly: true})
	require.NoError(t, err)

	var doc struct {
		OpenAPI    string                                `json:"openapi"`
		Info       map[string]string                     `json:"info"`
		Paths      map[string]map[string]json.RawMessage `json:"paths"`
		Components struct {
			Schemas map[string]json.RawMessage `json:"schemas"`
		} `json:"components"`
	}
	require.NoError(t, json.Unmarshal(raw, &doc))

	t.Run("is an OpenAPI 3 document", func(t *testing.T) {
		require.Equal(t, "3.0.3", doc.OpenAPI)
		require.Contains(t, doc.Info["description"], "read-only")
	})

	t.Run("describes submits as POST and evaluations as GET and POST", func(t *testing.T) {
		require.Contains(t, doc.Paths["/v1/procurement/CreateTender"], "post")
		require.NotContains(t, doc.Paths["/v1/procurement/CreateTender"], "get")
		require.Contains(t, doc.Paths["/v1/procurement/GetTender"], "get")
		require.Contains(t, doc.Paths["/v1/procurement/GetTender"], "post")
		require.Contains(t, doc.Paths, "/v1/procurement/audit.RecordFinding")
		require.Contains(t, doc.Paths, "/v1/procurement/SubmitBid:prepare")
		require.Contains(t, doc.Paths, "/v1/procurement/SubmitBid:endorse")
		require.Contains(t, doc.Paths, "/v1/procurement/GetTender:evaluate")
		require.Contains(t, doc.Paths, "/v1/tenders/CreateTender")
	})

	t.Run("namespaces component schemas by chaincode and drops $id", func(t *testing.T) {
		require.Contains(t, doc.Components.Schemas, "procurement.Tender")
		require.Contains(t, doc.Components.Schemas, "tenders.Tender")
		require.NotContains(t, string(doc.Components.Schemas["procurement.Tender"]), "$id")
		require.Contains(t, string(doc.Paths["/v1/procurement/CreateTender"]["post"]), `#/components/schemas/procurement.Tender`)
	})

	t.Run("documents private inputs inside the transient member", func(t *testing.T) {
		post := string(doc.Paths["/v1/procurement/SubmitBid"]["post"])
		require.Contains(t, post, `"transient"`)
		require.Contains(t, post, `procurement.SealedBid`)
		require.Contains(t, post, "AuditOfficeMSP")
	})

	t.Run("is byte-for-byte stable", func(t *testing.T) {
		again, err := c.OpenAPI(catalog.APIInfo{Title: "GovLedger", Version: "1", ReadOnly: true})
		require.NoError(t, err)
		require.Equal(t, raw, again)
	})

	t.Run("reports a component schema that is not JSON", func(t *testing.T) {
		cc := load(t, "procurement.json", "procurement")
		cc.Components["Broken"] = json.RawMessage(`{`)
		_, err := catalog.New(cc).OpenAPI(catalog.APIInfo{})
		var me *catalog.MetadataError
		require.ErrorAs(t, err, &me)
	})
}

func TestKind(t *testing.T) {
	require.Equal(t, "evaluate", catalog.KindEvaluate.String())
	require.Equal(t, "submit", catalog.KindSubmit.String())
	require.True(t, catalog.ValidChaincodeName("procurement"))
	require.False(t, catalog.ValidChaincodeName(strings.Repeat("a", 200)))
}

// metadataSource serves metadata from a map; a missing entry is an error.
type metadataSource map[string][]byte

func (m metadataSource) Metadata(_ context.Context, cc string) ([]byte, error) {
	raw, ok := m[cc]
	if !ok {
		return nil, errors.New("chaincode not installed")
	}
	return raw, nil
}

func TestRegistry(t *testing.T) {
	src := metadataSource{"procurement": fakeledger.ProcurementMetadata}
	r := catalog.NewRegistry(src, []string{"procurement", "audit"}, members, catalog.APIInfo{Title: "t", Version: "1"})

	t.Run("starts empty and incomplete", func(t *testing.T) {
		require.ErrorIs(t, r.Complete(), catalog.ErrIncomplete)
		_, err := r.Catalog().Lookup("procurement", "GetTender")
		require.ErrorIs(t, err, catalog.ErrUnknownChaincode)
		require.Contains(t, string(r.OpenAPI()), `"openapi"`)
	})

	t.Run("loads what it can and names what failed", func(t *testing.T) {
		failed := r.Refresh(context.Background())
		require.Len(t, failed, 1)
		require.Contains(t, failed, "audit")
		_, err := r.Catalog().Lookup("procurement", "GetTender")
		require.NoError(t, err)
		require.ErrorContains(t, r.Complete(), "audit")
		require.Contains(t, string(r.OpenAPI()), "/v1/procurement/GetTender")
		require.True(t, r.Serves("audit"))
		require.False(t, r.Serves("payroll"))
	})

	t.Run("keeps working routes when a refresh fails", func(t *testing.T) {
		delete(src, "procurement")
		failed := r.Refresh(context.Background())
		require.Contains(t, failed, "procurement")
		_, err := r.Catalog().Lookup("procurement", "GetTender")
		require.NoError(t, err)
	})

	t.Run("is complete once every chaincode loads", func(t *testing.T) {
		src["procurement"] = fakeledger.ProcurementMetadata
		src["audit"] = []byte(`{"contracts":{"a":{"name":"a","default":true,"transactions":[{"name":"Log","tag":["submit"]}]}}}`)
		require.Empty(t, r.Refresh(context.Background()))
		require.NoError(t, r.Complete())
		_, err := r.Catalog().Lookup("audit", "Log")
		require.NoError(t, err)
	})
}
