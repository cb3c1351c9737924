package contract

import (
	"errors"
	"fmt"

	"github.com/hyperledger/fabric-chaincode-go/v2/shim"

	"github.com/govledger/govledger/chaincode/ccerror"
	"github.com/govledger/govledger/chaincode/health"
	"github.com/govledger/govledger/chaincode/internal/ledger"
	"github.com/govledger/govledger/chaincode/internal/txn"
	"github.com/govledger/govledger/chaincode/internal/validate"
)

// Aggregate is the count of one cell as the caller may see it.
type Aggregate struct {
	Condition string `json:"condition"`
	Region    string `json:"region"`
	Week      string `json:"week"`
	// Display is what to show: the count, "<k" when suppressed for the
	// caller, with a trailing "+" when Complete is false.
	Display string `json:"display"`
	// Suppressed is true when Display hides a count below k.
	Suppressed bool `json:"suppressed"`
	// Exact is true for members of the collection's organisations, who get
	// Count; for everyone else Count is absent.
	Exact bool  `json:"exact"`
	Count int64 `json:"count,omitempty" metadata:",optional"`
	// Complete is false when the cell holds more than MaxCellKeys keys and
	// the count is a lower bound until CompactAggregate folds it.
	Complete bool `json:"complete"`
}

func parseCell(condition, region, week string) (cell, error) {
	w, err := health.ParseWeek("week", week)
	if err != nil {
		return cell{}, err
	}
	if err := validate.All(
		health.ValidateCondition("condition", condition),
		health.ValidateRegion("region", region, false),
	); err != nil {
		return cell{}, err
	}
	return cell{condition: condition, region: region, week: w}, nil
}

// GetAggregate returns the number of counted reports of condition in region
// with onset in week ("2026-W07"): exact for members of the collection's
// organisations, suppressed below k for everyone else.
func (c *Contract) GetAggregate(ctx *txn.Context, condition, region, week string) (*Aggregate, error) {
	a, err := getAggregate(ctx, condition, region, week)
	return a, ccerror.From(err)
}

func getAggregate(ctx *txn.Context, condition, region, week string) (*Aggregate, error) {
	stub := ctx.GetStub()
	a, err := callerOf(ctx)
	if err != nil {
		return nil, err
	}
	cl, err := parseCell(condition, region, week)
	if err != nil {
		return nil, err
	}
	settings, err := loadSettings(stub)
	if err != nil {
		return nil, err
	}
	n, complete, err := cl.count(stub)
	if err != nil {
		return nil, err
	}
	out := &Aggregate{Condition: condition, Region: region, Week: cl.week.String(), Complete: complete}
	if a.member() {
		out.Exact, out.Count, out.Display = true, n, fmt.Sprint(n)
	} else {
		out.Display = health.Suppressed(n, settings.Config.MinCellSize)
		out.Suppressed = n < int64(settings.Config.MinCellSize)
	}
	if !complete {
		out.Display += "+"
	}
	return out, nil
}

// Compaction is what CompactAggregate did. It carries no count: a submitted
// transaction's response is written into the block.
type Compaction struct {
	Condition string `json:"condition"`
	Region    string `json:"region"`
	Week      string `json:"week"`
	Folded    int    `json:"folded"`   // delta keys folded into the rollup
	Complete  bool   `json:"complete"` // false: more remain, call again
}

// CompactAggregate folds up to MaxCellKeys delta keys of a cell into its
// rollup key, so that a busy cell stays cheap to count. Reports landing in
// the cell meanwhile conflict with it only if they evaluate rules; compact
// past weeks.
func (c *Contract) CompactAggregate(ctx *txn.Context, condition, region, week string) (*Compaction, error) {
	r, err := compactAggregate(ctx, condition, region, week)
	return r, ccerror.From(err)
}

func compactAggregate(ctx *txn.Context, condition, region, week string) (*Compaction, error) {
	stub := ctx.GetStub()
	cl, err := parseCell(condition, region, week)
	if err != nil {
		return nil, err
	}
	rollup, err := ledger.Key(objAgg, append(cl.attrs(), rollupAttr)...)
	if err != nil {
		return nil, err
	}
	var (
		total int64
		fold  []string
	)
	err = cl.scan(stub, func(key string, d delta) {
		total += d.Count
		if key != rollup {
			fold = append(fold, key)
		}
	})
	complete := !errors.Is(err, errScanLimit)
	if err != nil && complete {
		return nil, err
	}
	res := &Compaction{Condition: condition, Region: region, Week: cl.week.String(), Folded: len(fold), Complete: complete}
	if len(fold) == 0 {
		return res, nil
	}
	if err := deleteKeys(stub, fold); err != nil {
		return nil, err
	}
	if err := ledger.Put(stub, rollup, delta{Count: total}); err != nil {
		return nil, err
	}
	id := condition + "/" + region + "/" + res.Week
	return res, ctx.Emit("aggregate", id, "compacted", "", res)
}

func deleteKeys(stub shim.ChaincodeStubInterface, keys []string) error {
	for _, k := range keys {
		if err := stub.DelState(k); err != nil {
			return &ledger.KeyError{Key: k, Err: fmt.Errorf("delete state: %w", err)}
		}
	}
	return nil
}
