package contract

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/hyperledger/fabric-chaincode-go/v2/shim"

	"github.com/govledger/govledger/chaincode/internal/access"
	"github.com/govledger/govledger/chaincode/internal/ledger"
	"github.com/govledger/govledger/chaincode/internal/txn"
	"github.com/govledger/govledger/chaincode/internal/validate"
	"github.com/govledger/govledger/chaincode/procurement"
)

// Object types of the primary keys.
const (
	objTender      = "tender"
	objBid         = "bid"
	objDeclaration = "declaration"
	objScore       = "score"
	objPerformance = "performance"
	objDirectAward = "directaward"
)

// Secondary indexes of tenders.
var (
	byBuyer    = ledger.Index{Name: "tender~buyer~id", Attrs: []string{"buyer", "id"}}
	byStatus   = ledger.Index{Name: "tender~status~id", Attrs: []string{"status", "id"}}
	bySupplier = ledger.Index{Name: "tender~supplier~id", Attrs: []string{"supplier", "id"}}
)

func tenderOf(values []string) (string, error) { return ledger.Key(objTender, values[1]) }

// tx is one transaction's caller and time.
type tx struct {
	ctx    *txn.Context
	stub   shim.ChaincodeStubInterface
	caller access.Caller
	now    time.Time
}

func begin(ctx *txn.Context) (*tx, error) {
	caller, err := ctx.Caller()
	if err != nil {
		return nil, err
	}
	now, err := ctx.Now()
	if err != nil {
		return nil, err
	}
	return &tx{ctx: ctx, stub: ctx.GetStub(), caller: caller, now: now}, nil
}

// deny refuses the caller for a reason only the state can tell.
func (x *tx) deny(reason string) error {
	fn, _ := x.stub.GetFunctionAndParameters()
	return &access.DeniedError{Function: txn.FunctionName(fn), MSPID: x.caller.MSPID, Role: x.caller.Role(), Reason: reason}
}

// actAs admits a supplier's user to act for supplierID only when its
// certificate says it represents that supplier.
func (x *tx) actAs(supplierID string) error {
	if err := validate.ID("supplierId", supplierID); err != nil {
		return err
	}
	if x.caller.SupplierID() != supplierID {
		return x.deny("a supplier acts only as itself")
	}
	return nil
}

// loadTender reads a tender after checking the id's shape.
func (x *tx) loadTender(id string) (*procurement.Tender, error) { return loadTender(x.stub, id) }

func loadTender(stub shim.ChaincodeStubInterface, id string) (*procurement.Tender, error) {
	if err := validate.ID("tenderId", id); err != nil {
		return nil, err
	}
	key, err := ledger.Key(objTender, id)
	if err != nil {
		return nil, err
	}
	t, err := ledger.Get[procurement.Tender](stub, key)
	if err != nil {
		return nil, err
	}
	return &t, nil
}

// saveTender writes t and moves its status index entry from the status it
// was loaded with.
func (x *tx) saveTender(t *procurement.Tender, was procurement.Status) error {
	key, err := ledger.Key(objTender, t.ID)
	if err != nil {
		return err
	}
	if err := ledger.Put(x.stub, key, t); err != nil {
		return err
	}
	return byStatus.Move(x.stub, []string{string(was), t.ID}, []string{string(t.Status), t.ID})
}

// getOptional reads key into a *T, nil when the key has no value.
func getOptional[T any](stub shim.ChaincodeStubInterface, key string) (*T, error) {
	v, err := ledger.Get[T](stub, key)
	if errors.Is(err, ledger.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &v, nil
}

// all reads every entity under a partial key. It is used only for the sets
// one tender bounds (its bids, declarations and scores: one per supplier or
// evaluator) inside update transactions, where Fabric forbids paged queries.
func all[T any](stub shim.ChaincodeStubInterface, objectType string, attrs ...string) ([]T, error) {
	it, err := stub.GetStateByPartialCompositeKey(objectType, attrs)
	if err != nil {
		return nil, fmt.Errorf("read %s entries: %w", objectType, err)
	}
	defer it.Close()
	var out []T
	for it.HasNext() {
		kv, err := it.Next()
		if err != nil {
			return nil, fmt.Errorf("read %s entries: %w", objectType, err)
		}
		var v T
		if err := json.Unmarshal(kv.GetValue(), &v); err != nil {
			return nil, &ledger.KeyError{Key: kv.GetKey(), Err: fmt.Errorf("decode stored value: %w", err)}
		}
		out = append(out, v)
	}
	return out, nil
}

// openIfDue opens the tender's bids when the reveal period is over and
// nobody has yet, so the first evaluation-stage action performs the
// opening. It returns the opening's red flags.
func (x *tx) openIfDue(t *procurement.Tender) ([]procurement.RedFlag, error) {
	if !procurement.NeedsOpening(t, x.now) {
		return nil, nil
	}
	bids, err := all[procurement.Bid](x.stub, objBid, t.ID)
	if err != nil {
		return nil, err
	}
	return procurement.OpenBids(t, bids, x.now)
}

// directAwardKey files a direct award under its buyer, supplier and month,
// so the splitting look-back reads only the months of its window.
func directAwardKey(a procurement.DirectAward) (string, error) {
	return ledger.Key(objDirectAward, a.BuyerID, a.SupplierID, a.Date.UTC().Format("2006-01"),
		a.Date.UTC().Format(time.RFC3339Nano), a.TenderID)
}

// priorDirectAwards reads the direct awards between buyer and supplier
// dated in the splitting window before now, month by month.
func (x *tx) priorDirectAwards(cfg procurement.Config, buyer, supplier string) ([]procurement.DirectAward, error) {
	start := x.now.UTC().Add(-time.Duration(cfg.SplittingWindowDays) * procurement.Day)
	month := time.Date(start.Year(), start.Month(), 1, 0, 0, 0, 0, time.UTC)
	var out []procurement.DirectAward
	for !month.After(x.now.UTC()) {
		part, err := all[procurement.DirectAward](x.stub, objDirectAward, buyer, supplier, month.Format("2006-01"))
		if err != nil {
			return nil, err
		}
		out = append(out, part...)
		month = month.AddDate(0, 1, 0)
	}
	return out, nil
}

// performance reads a supplier's record, empty when it has none yet.
func performance(stub shim.ChaincodeStubInterface, supplierID string) (procurement.Performance, string, error) {
	key, err := ledger.Key(objPerformance, supplierID)
	if err != nil {
		return procurement.Performance{}, "", err
	}
	p, err := getOptional[procurement.Performance](stub, key)
	if err != nil {
		return procurement.Performance{}, "", err
	}
	if p == nil {
		return procurement.Performance{SupplierID: supplierID}, key, nil
	}
	return *p, key, nil
}
