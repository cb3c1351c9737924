// Package txn is the contractapi glue every GovLedger contract uses: a
// transaction Context that knows the caller, the transaction time and how to
// emit the transaction's event, and Guard, which enforces the contract's
// access policy before any function runs.
//
// # How a GovLedger contract is written
//
// This is the pattern every contract copies. The platform packages are:
//
//   - ccerror: the error wire format. Every exported contract function ends
//     in ccerror.From(err), which classifies the error (INVALID_ARGUMENT,
//     NOT_FOUND, ALREADY_EXISTS, PERMISSION_DENIED, FAILED_PRECONDITION,
//     INTERNAL) and renders it as JSON the gateway parses.
//   - validate: hostile-input checks. Arguments that are documents arrive as
//     JSON strings and go through validate.DecodeJSON (strict: unknown
//     fields, trailing data, repeated keys and oversized input are refused);
//     fields are then checked with validate.All(validate.ID(...), ...).
//   - access: one declarative Policy table per contract, enforced by Guard.
//   - ledger: typed world-state access (Get/Put/Create/Delete, private data),
//     composite primary keys (ledger.Key), secondary indexes (ledger.Index)
//     and paged listings (ledger.List, ledger.ListIndex).
//   - event: the one event per transaction, "<entity>.<action>".
//   - memstub: the in-memory peer contract tests run against.
//
// Wiring:
//
//	type Contract struct{ txn.Contract }
//
//	var policy = access.Policy{
//		"CreateTender": {Write: true, Roles: []access.Grant{{MSPID: "AgencyMSP", Role: "procurement-officer"}}},
//		"GetTender":    {Roles: []access.Grant{{MSPID: access.AnyMSP, Role: access.AnyRole}}},
//		"ListTenders":  {Roles: []access.Grant{{MSPID: access.AnyMSP, Role: access.AnyRole}}},
//	}
//
//	// NewContract sets the transaction Context, the Guard of policy, and
//	// tags the functions policy does not mark as writes "evaluate".
//	func New() *Contract { return &Contract{Contract: txn.NewContract("procurement", policy)} }
//
// A write function: decode, validate, read, check the state machine, write,
// index, emit, and classify the error in one place.
//
//	func (c *Contract) CreateTender(ctx *txn.Context, input string) (*Tender, error) {
//		t, err := createTender(ctx, input)
//		return t, ccerror.From(err)
//	}
//
//	func createTender(ctx *txn.Context, input string) (*Tender, error) {
//		var in TenderInput
//		if err := validate.DecodeJSON("input", input, &in); err != nil {
//			return nil, err
//		}
//		if err := in.Validate(); err != nil { // validate.All(...)
//			return nil, err
//		}
//		now, err := ctx.Now() // never time.Now()
//		...
//		key, err := ledger.Key("tender", in.ID)
//		...
//		if err := ledger.Create(ctx.GetStub(), key, t); err != nil {
//			return nil, err // ALREADY_EXISTS
//		}
//		if err := byStatus.Put(ctx.GetStub(), string(t.Status), t.ID); err != nil {
//			return nil, err
//		}
//		return t, ctx.Emit("tender", t.ID, "published", "procurement-act/s12", t)
//	}
//
// State-machine and deadline violations are FAILED_PRECONDITION:
//
//	return ccerror.Precondition("bidding-closed", "bids closed at "+t.Deadline.Format(time.RFC3339))
//
// A listing function is evaluate-only (Fabric refuses paginated queries in
// transactions that write) and returns a named page type, because
// contractapi cannot describe generic types:
//
//	type TenderPage struct{ ledger.Page[Tender] }
//
//	func (c *Contract) ListTenders(ctx *txn.Context, status string, size int32, bookmark string) (*TenderPage, error) {
//		p, err := ledger.ListIndex[Tender](ctx.GetStub(), byStatus, []string{status},
//			ledger.PageRequest{Size: size, Bookmark: bookmark},
//			func(v []string) (string, error) { return ledger.Key("tender", v[1]) })
//		if err != nil {
//			return nil, ccerror.From(err)
//		}
//		return &TenderPage{p}, nil
//	}
//
// Private inputs (bid prices, personal data) travel in the transient map,
// never in arguments, which are recorded on the ledger: ctx.Transient("bid",
// &bid), then ledger.PutPrivate into a collection. Publish only hashes
// (ledger.PrivateHash) and identifiers in public state and events.
//
// Tests run the real contractapi dispatch on memstub:
//
//	cc, _ := contractapi.NewChaincode(procurement.New())
//	net := memstub.New(cc)
//	officer := memstub.NewIdentity("AgencyMSP", "alice", map[string]string{"role": "procurement-officer", "agency": "health"})
//	res, err := net.Submit(officer, "procurement:CreateTender", `{"id":"T-1",...}`)
//	_, err = net.Submit(officer, "procurement:CreateTender", `{"id":"T-1",...}`)
//	require.ErrorIs(t, err, ccerror.ErrAlreadyExists)
//
// And each contract's tests call policy.Validate() and cover, per function,
// one caller who is admitted and one who is not.
package txn
