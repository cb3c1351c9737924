package txn

import (
	"fmt"
	"reflect"
	"sort"
	"strings"
	"time"
	"unicode"

	"github.com/govledger/govledger/chaincode/ccerror"
	"github.com/govledger/govledger/chaincode/internal/access"
	"github.com/govledger/govledger/chaincode/internal/event"
	"github.com/govledger/govledger/chaincode/internal/ledger"
	"github.com/govledger/govledger/chaincode/internal/validate"
	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"
)

// Context is the transaction context of GovLedger contracts. contractapi
// creates a fresh one for every invocation, so what it caches lives for one
// transaction only.
type Context struct {
	contractapi.TransactionContext

	caller  *access.Caller
	emitted string
}

// Caller is the identity that submitted the transaction, read once per
// transaction.
func (c *Context) Caller() (access.Caller, error) {
	if c.caller == nil {
		caller, err := access.NewCaller(c.GetStub())
		if err != nil {
			return access.Caller{}, err
		}
		c.caller = &caller
	}
	return *c.caller, nil
}

// Now is the transaction timestamp in UTC; see ledger.Now.
func (c *Context) Now() (time.Time, error) {
	return ledger.Now(c.GetStub())
}

// Emit sets the transaction's event for entity id and action, filling in the
// actor, transaction ID and time. rule is the rule or authority the action
// was taken under (may be empty); data is encoded as the event's Data (nil
// for none). A transaction emits one event: a second Emit fails instead of
// silently replacing the first, as Fabric would.
func (c *Context) Emit(entity, id, action, rule string, data any) error {
	e := event.Event{Entity: entity, ID: id, Action: action, Rule: rule, TxID: c.GetStub().GetTxID()}
	if c.emitted != "" {
		return fmt.Errorf("%w: %s: transaction already emitted %s", event.ErrInvalid, e.Name(), c.emitted)
	}
	caller, err := c.Caller()
	if err != nil {
		return err
	}
	e.Actor = event.Actor{MSPID: caller.MSPID, ID: caller.ID, Role: caller.Role(), Agency: caller.Agency()}
	if e.Time, err = c.Now(); err != nil {
		return err
	}
	if data != nil {
		if e.Data, err = event.Data(data); err != nil {
			return err
		}
	}
	if err := event.Emit(c.GetStub(), e); err != nil {
		return err
	}
	c.emitted = e.Name()
	return nil
}

// Transient decodes the transient-map entry key into v with
// validate.DecodeJSON. Private inputs (bid prices, personal data) travel in
// the transient map because arguments are recorded on the ledger. A missing
// entry is an INVALID_ARGUMENT on field "transient.<key>".
func (c *Context) Transient(key string, v any) error {
	field := "transient." + key
	m, err := c.GetStub().GetTransient()
	if err != nil {
		return fmt.Errorf("read transient map: %w", err)
	}
	raw, ok := m[key]
	if !ok {
		return validate.Fail(field, validate.RuleRequired, "must be supplied in the transient map")
	}
	return validate.DecodeJSON(field, string(raw), v)
}

// Guard returns a BeforeTransaction handler that authorizes every call of
// the contract against policy before the function runs. The function name is
// taken from the invocation ("Contract:Function", or "Function" for the
// default contract) and normalised the way contractapi dispatches it (first
// letter upper-cased), so "createTender" is checked as "CreateTender".
//
// Functions absent from policy are denied, and that includes names the
// contract does not have: an unknown function gets PERMISSION_DENIED rather
// than contractapi's "function not found", so probing reveals nothing. The
// system contract (GetMetadata) has its own namespace and is not guarded.
func Guard(policy access.Policy) func(*Context) error {
	return func(ctx *Context) error {
		fn, _ := ctx.GetStub().GetFunctionAndParameters()
		name := FunctionName(fn)
		caller, err := ctx.Caller()
		if err != nil {
			return ccerror.From(fmt.Errorf("%s: %w", name, err))
		}
		return ccerror.From(policy.Authorize(name, caller))
	}
}

// FunctionName extracts the contract function a client named, exactly as
// contractapi does: the part after the last ':' with its first rune
// upper-cased.
func FunctionName(invoked string) string {
	name := invoked[strings.LastIndex(invoked, ":")+1:]
	if name == "" {
		return name
	}
	runes := []rune(name)
	if unicode.IsUpper(runes[0]) {
		return name
	}
	runes[0] = unicode.ToUpper(runes[0])
	return string(runes)
}

// Contract is what every GovLedger contract embeds: contractapi's Contract
// wired to the platform — GovLedger's transaction Context and the Guard of
// the contract's access policy — with the functions that policy does not mark
// as writes tagged "evaluate", so the one table that says who may write also
// says what writes.
type Contract struct {
	contractapi.Contract
	policy access.Policy
}

// NewContract wires a contract named name to policy.
func NewContract(name string, policy access.Policy) Contract {
	c := Contract{policy: policy}
	c.Name = name
	c.TransactionContextHandler = new(Context)
	c.BeforeTransaction = Guard(policy)
	return c
}

// GetEvaluateTransactions tags the policy's reads "evaluate" in the contract
// metadata (contractapi's EvaluationContractInterface).
func (c *Contract) GetEvaluateTransactions() []string { return c.policy.Reads() }

// Transactions lists, sorted, the transactions of a contract that embeds
// Contract: its exported methods other than the platform's. Contract tests
// compare it with the access policy's functions, so no transaction goes
// without a rule and no rule names a function that does not exist.
func Transactions(contract any) []string {
	base := reflect.TypeFor[*Contract]()
	typ := reflect.TypeOf(contract)
	var names []string
	for i := range typ.NumMethod() {
		name := typ.Method(i).Name
		if _, platform := base.MethodByName(name); !platform {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	return names
}
