package txn_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/govledger/govledger/chaincode/ccerror"
	"github.com/govledger/govledger/chaincode/internal/access"
	"github.com/govledger/govledger/chaincode/internal/event"
	"github.com/govledger/govledger/chaincode/internal/ledger"
	"github.com/govledger/govledger/chaincode/internal/memstub"
	"github.com/govledger/govledger/chaincode/internal/txn"
	"github.com/govledger/govledger/chaincode/internal/validate"
	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"
	"github.com/stretchr/testify/require"
)

// Note is a tiny entity for exercising the glue end to end.
type Note struct {
	ID     string `json:"id"`
	Text   string `json:"text"`
	Author string `json:"author"`
}

// NotePage is the named page type contractapi needs.
type NotePage struct{ ledger.Page[Note] }

type noteInput struct {
	ID   string `json:"id"`
	Text string `json:"text"`
}

type secret struct {
	PIN string `json:"pin"`
}

// Notes is a minimal contract wired the way every GovLedger contract is.
type Notes struct{ contractapi.Contract }

var notePolicy = access.Policy{
	"Create":        {Write: true, Roles: []access.Grant{{MSPID: "AgencyMSP", Role: "clerk"}, {MSPID: access.AnyMSP, Role: "auditor"}}},
	"Get":           {Roles: []access.Grant{{MSPID: access.AnyMSP, Role: access.AnyRole}}},
	"List":          {Roles: []access.Grant{{MSPID: access.AnyMSP, Role: access.AnyRole}}},
	"StoreSecret":   {Write: true, Roles: []access.Grant{{MSPID: "AgencyMSP", Role: "clerk"}}},
	"EmitTwice":     {Write: true, Roles: []access.Grant{{MSPID: "AgencyMSP", Role: "clerk"}}},
	"WhoAmI":        {Roles: []access.Grant{{MSPID: access.AnyMSP, Role: access.AnyRole}}},
	"NotInContract": {Roles: []access.Grant{{MSPID: access.AnyMSP, Role: access.AnyRole}}},
}

func newNotes() *Notes {
	c := &Notes{}
	c.Name = "notes"
	c.TransactionContextHandler = new(txn.Context)
	c.BeforeTransaction = txn.Guard(notePolicy)
	return c
}

func (c *Notes) Create(ctx *txn.Context, input string) (*Note, error) {
	n, err := c.create(ctx, input)
	return n, ccerror.From(err)
}

func (c *Notes) create(ctx *txn.Context, input string) (*Note, error) {
	var in noteInput
	if err := validate.DecodeJSON("input", input, &in); err != nil {
		return nil, err
	}
	if err := validate.All(validate.ID("id", in.ID), validate.Required("text", in.Text), validate.MaxLen("text", in.Text, 50)); err != nil {
		return nil, err
	}
	caller, err := ctx.Caller()
	if err != nil {
		return nil, err
	}
	key, err := ledger.Key("note", in.ID)
	if err != nil {
		return nil, err
	}
	n := &Note{ID: in.ID, Text: in.Text, Author: caller.Subject}
	if err := ledger.Create(ctx.GetStub(), key, n); err != nil {
		return nil, err
	}
	return n, ctx.Emit("note", in.ID, "created", "notes-rule-1", map[string]string{"text": in.Text})
}

func (c *Notes) Get(ctx *txn.Context, id string) (*Note, error) {
	key, err := ledger.Key("note", id)
	if err != nil {
		return nil, ccerror.From(err)
	}
	n, err := ledger.Get[Note](ctx.GetStub(), key)
	if err != nil {
		return nil, ccerror.From(err)
	}
	return &n, nil
}

func (c *Notes) List(ctx *txn.Context, size int32, bookmark string) (*NotePage, error) {
	p, err := ledger.List[Note](ctx.GetStub(), "note", nil, ledger.PageRequest{Size: size, Bookmark: bookmark})
	if err != nil {
		return nil, ccerror.From(err)
	}
	return &NotePage{p}, nil
}

func (c *Notes) StoreSecret(ctx *txn.Context, id string) error {
	var s secret
	if err := ctx.Transient("secret", &s); err != nil {
		return ccerror.From(err)
	}
	return ccerror.From(ledger.PutPrivate(ctx.GetStub(), "_implicit_org_AgencyMSP", id, s))
}

func (c *Notes) EmitTwice(ctx *txn.Context) error {
	if err := ctx.Emit("note", "x", "touched", "", nil); err != nil {
		return ccerror.From(err)
	}
	return ccerror.From(ctx.Emit("note", "x", "touched", "", nil))
}

func (c *Notes) WhoAmI(ctx *txn.Context) (string, error) {
	caller, err := ctx.Caller()
	if err != nil {
		return "", ccerror.From(err)
	}
	b, _ := json.Marshal(map[string]string{"msp": caller.MSPID, "role": caller.Role(), "agency": caller.Agency(), "supplier": caller.SupplierID()})
	return string(b), nil
}

var (
	clerk     = memstub.NewIdentity("AgencyMSP", "clerk1", map[string]string{"role": "clerk", "agency": "health"})
	outsider  = memstub.NewIdentity("SupplierMSP", "bob", map[string]string{"role": "bidder", "supplierId": "S-1"})
	regulator = memstub.NewIdentity("RegulatorMSP", "carol", map[string]string{"role": "auditor"})
)

func newNet(t *testing.T) *memstub.Network {
	t.Helper()
	cc, err := contractapi.NewChaincode(newNotes())
	require.NoError(t, err)
	return memstub.New(cc)
}

// requireCode returns the chaincode error by value: callers that only check
// the code drop it, and a dropped value is not a dropped error.
func requireCode(t *testing.T, err error, code ccerror.Code) ccerror.Error {
	t.Helper()
	var ce *ccerror.Error
	require.ErrorAs(t, err, &ce, "error %v carries no chaincode error", err)
	require.Equal(t, code, ce.Code, ce.Message)
	return *ce
}

func TestContract(t *testing.T) {
	t.Run("creates through the real dispatch and emits the event with actor, tx and time", func(t *testing.T) {
		net := newNet(t)
		res, err := net.Submit(clerk, "notes:Create", `{"id":"N1","text":"hello"}`)
		require.NoError(t, err)
		var n Note
		require.NoError(t, res.JSON(&n))
		require.Equal(t, Note{ID: "N1", Text: "hello", Author: "clerk1"}, n)
		require.Equal(t, "note.created", res.Event.GetEventName())
		e, err := event.Parse(res.Event.GetPayload())
		require.NoError(t, err)
		require.Equal(t, event.Actor{MSPID: "AgencyMSP", ID: e.Actor.ID, Role: "clerk", Agency: "health"}, e.Actor)
		require.NotEmpty(t, e.Actor.ID)
		require.Equal(t, res.TxID, e.TxID)
		require.Equal(t, net.Ledger.Now(), e.Time)
		require.Equal(t, "notes-rule-1", e.Rule)
		require.JSONEq(t, `{"text":"hello"}`, string(e.Data))
	})
	t.Run("reports a duplicate as ALREADY_EXISTS and commits nothing", func(t *testing.T) {
		net := newNet(t)
		_, err := net.Submit(clerk, "notes:Create", `{"id":"N1","text":"hello"}`)
		require.NoError(t, err)
		h := net.Ledger.Height()
		_, err = net.Submit(clerk, "notes:Create", `{"id":"N1","text":"again"}`)
		requireCode(t, err, ccerror.AlreadyExists)
		require.ErrorIs(t, err, ccerror.ErrAlreadyExists)
		require.Equal(t, h, net.Ledger.Height())
	})
	t.Run("reports invalid input with field and rule", func(t *testing.T) {
		net := newNet(t)
		ce := requireCode(t, func() error { _, err := net.Submit(clerk, "notes:Create", `{"id":"N1","text":""}`); return err }(), ccerror.InvalidArgument)
		require.Equal(t, "text", ce.Field)
		require.Equal(t, validate.RuleRequired, ce.Rule)
		_, err := net.Submit(clerk, "notes:Create", `{"id":"N1","text":"x","admin":true}`)
		ce = requireCode(t, err, ccerror.InvalidArgument)
		require.Equal(t, "input", ce.Field)
	})
	t.Run("reports a missing entity as NOT_FOUND", func(t *testing.T) {
		_, err := newNet(t).Evaluate(clerk, "notes:Get", "nope")
		requireCode(t, err, ccerror.NotFound)
	})
	t.Run("lists with a named page type and bookmarks", func(t *testing.T) {
		net := newNet(t)
		for _, id := range []string{"a", "b", "c"} {
			_, err := net.Submit(clerk, "notes:Create", `{"id":"`+id+`","text":"t"}`)
			require.NoError(t, err)
		}
		res, err := net.Evaluate(outsider, "notes:List", "2", "")
		require.NoError(t, err)
		var p NotePage
		require.NoError(t, res.JSON(&p))
		require.Equal(t, 2, p.Count)
		require.NotEmpty(t, p.Bookmark)
		res, err = net.Evaluate(outsider, "notes:List", "2", p.Bookmark)
		require.NoError(t, err)
		require.NoError(t, res.JSON(&p))
		require.Equal(t, []Note{{ID: "c", Text: "t", Author: "clerk1"}}, p.Items)
		require.Empty(t, p.Bookmark)
		_, err = net.Evaluate(outsider, "notes:List", "500", "")
		requireCode(t, err, ccerror.InvalidArgument)
	})
	t.Run("reads private input from the transient map", func(t *testing.T) {
		net := newNet(t)
		_, err := net.WithTransient(map[string][]byte{"secret": []byte(`{"pin":"1234"}`)}).Submit(clerk, "notes:StoreSecret", "s1")
		require.NoError(t, err)
		require.JSONEq(t, `{"pin":"1234"}`, string(net.Ledger.PrivateData("_implicit_org_AgencyMSP", "s1")))

		_, err = net.Submit(clerk, "notes:StoreSecret", "s2")
		ce := requireCode(t, err, ccerror.InvalidArgument)
		require.Equal(t, "transient.secret", ce.Field)
		require.Equal(t, validate.RuleRequired, ce.Rule)

		_, err = net.WithTransient(map[string][]byte{"secret": []byte(`{"pin":1}`)}).Submit(clerk, "notes:StoreSecret", "s3")
		ce = requireCode(t, err, ccerror.InvalidArgument)
		require.Equal(t, "transient.secret", ce.Field)
		require.NotContains(t, ce.Message, "1234")
	})
	t.Run("refuses a second event in one transaction", func(t *testing.T) {
		net := newNet(t)
		_, err := net.Submit(clerk, "notes:EmitTwice")
		ce := requireCode(t, err, ccerror.Internal)
		require.Contains(t, ce.Message, "already emitted note.touched")
		require.Zero(t, net.Ledger.Height())
	})
}

func TestGuard(t *testing.T) {
	net := newNet(t)
	tests := []struct {
		name     string
		id       memstub.Identity
		function string
		args     []string
		code     ccerror.Code // empty: admitted
	}{
		{"admits a granted caller", clerk, "notes:Create", []string{`{"id":"g1","text":"x"}`}, ""},
		{"checks a lower-case function under its dispatched name", clerk, "notes:create", []string{`{"id":"g2","text":"x"}`}, ""},
		{"denies a caller with the wrong MSP", outsider, "notes:Create", []string{`{"id":"g3","text":"x"}`}, ccerror.PermissionDenied},
		{"denies the regulator a write even when granted", regulator, "notes:Create", []string{`{"id":"g4","text":"x"}`}, ccerror.PermissionDenied},
		{"admits the regulator to reads", regulator, "notes:WhoAmI", nil, ""},
		{"denies a caller without identity", memstub.Identity{}, "notes:WhoAmI", nil, ccerror.PermissionDenied},
		{"denies an unknown function without revealing whether it exists", clerk, "notes:DropTables", nil, ccerror.PermissionDenied},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := net.Submit(tc.id, tc.function, tc.args...)
			if tc.code == "" {
				require.NoError(t, err)
				return
			}
			requireCode(t, err, tc.code)
		})
	}
	t.Run("the guard's identity is the one functions see", func(t *testing.T) {
		res, err := net.Evaluate(outsider, "notes:WhoAmI")
		require.NoError(t, err)
		var got map[string]string
		require.NoError(t, json.Unmarshal(res.Payload, &got))
		require.Equal(t, map[string]string{"msp": "SupplierMSP", "role": "bidder", "agency": "", "supplier": "S-1"}, got)
	})
	t.Run("leaves the system contract's metadata reachable", func(t *testing.T) {
		res, err := net.Evaluate(outsider, "org.hyperledger.fabric:GetMetadata")
		require.NoError(t, err)
		require.Contains(t, string(res.Payload), `"notes"`)
	})
	t.Run("leaves contractapi's own errors for names it cannot route", func(t *testing.T) {
		_, err := net.Evaluate(clerk, "nosuchcontract:Fn")
		require.ErrorContains(t, err, "Contract not found with name nosuchcontract")
		_, err = net.Evaluate(clerk, "notes:")
		require.ErrorContains(t, err, "Blank function name")
	})
	t.Run("a policy entry without a method still fails in contractapi", func(t *testing.T) {
		_, err := net.Evaluate(clerk, "notes:NotInContract")
		require.ErrorContains(t, err, "Function NotInContract not found in contract notes")
	})
	t.Run("the example policy is well formed", func(t *testing.T) {
		require.NoError(t, notePolicy.Validate())
	})
}

func TestFunctionName(t *testing.T) {
	tests := []struct{ in, want string }{
		{"notes:Create", "Create"},
		{"notes:create", "Create"},
		{"Create", "Create"},
		{"a:b:create", "Create"},
		{"notes:", ""},
		{"", ""},
		{"élan", "Élan"},
	}
	for _, tc := range tests {
		t.Run("maps "+tc.in, func(t *testing.T) {
			require.Equal(t, tc.want, txn.FunctionName(tc.in))
		})
	}
}

func TestNowAndCaller(t *testing.T) {
	t.Run("fail without a usable transaction", func(t *testing.T) {
		ctx := &txn.Context{}
		ctx.SetStub(memstub.NewLedger(memstub.Config{}).Begin(memstub.TxOptions{}))
		_, err := ctx.Caller()
		require.ErrorIs(t, err, access.ErrNoIdentity)
		require.ErrorIs(t, ctx.Emit("note", "x", "touched", "", nil), access.ErrNoIdentity)
	})
	t.Run("Emit reports data that cannot be encoded and a bad time", func(t *testing.T) {
		ctx := &txn.Context{}
		ctx.SetStub(memstub.NewLedger(memstub.Config{}).Begin(memstub.TxOptions{Creator: clerk}))
		require.Error(t, ctx.Emit("note", "x", "touched", "", make(chan int)))
		require.ErrorIs(t, ctx.Emit("Bad Entity", "x", "touched", "", nil), event.ErrInvalid)

		ctx = &txn.Context{}
		ctx.SetStub(memstub.NewLedger(memstub.Config{}).Begin(memstub.TxOptions{Creator: clerk, Time: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)}))
		_, err := ctx.Now()
		require.Error(t, err)
		require.Error(t, ctx.Emit("note", "x", "touched", "", nil))
	})
}

func TestNewContractWiresThePlatformAndTagsReads(t *testing.T) {
	p := access.Policy{
		"Write": {Write: true, Roles: []access.Grant{{MSPID: "AgencyMSP", Role: "officer"}}},
		"Read":  {Roles: []access.Grant{{MSPID: access.AnyMSP, Role: access.AnyRole}}},
	}
	c := txn.NewContract("sample", p)
	require.Equal(t, "sample", c.GetName())
	require.IsType(t, new(txn.Context), c.GetTransactionContextHandler())
	require.NotNil(t, c.GetBeforeTransaction())
	require.Equal(t, []string{"Read"}, c.GetEvaluateTransactions())
}

type sampleContract struct{ txn.Contract }

func (c *sampleContract) Write(*txn.Context) error          { return nil }
func (c *sampleContract) Read(*txn.Context) (string, error) { return "", nil }

func TestTransactionsListsOnlyTheContractsOwnMethods(t *testing.T) {
	c := &sampleContract{Contract: txn.NewContract("sample", nil)}
	require.Equal(t, []string{"Read", "Write"}, txn.Transactions(c))
}
