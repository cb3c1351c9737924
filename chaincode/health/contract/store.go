package contract

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/hyperledger/fabric-chaincode-go/v2/shim"

	"github.com/govledger/govledger/chaincode/health"
	"github.com/govledger/govledger/chaincode/internal/ledger"
	"github.com/govledger/govledger/chaincode/internal/validate"
)

// Object types of keys. caserecord and episodes live in Collection; the rest
// is public state.
const (
	objRecord   = "caserecord"
	objEpisodes = "episodes"
	objRef      = "caseref"
	objAgg      = "agg"
	objRule     = "alertrule"
	objAlert    = "alert"
	objReceipt  = "receipt"
	objSettings = "settings"
)

// Bounds of the scans a transaction makes.
const (
	// MaxCellKeys bounds the delta keys read to count one cell. A cell with
	// more reads as at least this many (Aggregate.Complete false) until
	// CompactAggregate folds it.
	MaxCellKeys = 1000
	// MaxRulesPerCell bounds the rules on one condition and region (or "*"),
	// which every counted report in that cell reads.
	MaxRulesPerCell = 10
	// maxHistory bounds an alert's history read; an alert changes twice.
	maxHistory = 10
)

// rollupAttr is the last attribute of a cell's rollup key, which
// CompactAggregate keeps the folded total in. Transaction IDs are hex and '!'
// sorts before every hex digit, so the rollup never collides with a delta key
// and is the first key of its cell: a scan that stops at MaxCellKeys has
// always read it.
const rollupAttr = "!rollup"

var (
	refsByReceived = ledger.Index{Name: "caseref~received~id", Attrs: []string{"received", "id"}}
	rulesByCell    = ledger.Index{Name: "alertrule~condition~region~id", Attrs: []string{"condition", "region", "id"}}
	alertsByStatus = ledger.Index{Name: "alert~status~id", Attrs: []string{"status", "id"}}
)

// receivedLayout renders times so that byte order is time order.
const receivedLayout = "2006-01-02T15:04:05.000000000Z"

func receivedValue(t time.Time) string { return t.UTC().Format(receivedLayout) }

// delta is the value of an aggregate key: the count it adds to its cell.
type delta struct {
	Count int64 `json:"count"`
}

func recordKey(id string) (string, error) { return ledger.Key(objRecord, id) }
func refKey(id string) (string, error)    { return ledger.Key(objRef, id) }

func loadSettings(stub shim.ChaincodeStubInterface) (health.Settings, error) {
	key, err := ledger.Key(objSettings, Name)
	if err != nil {
		return health.Settings{}, err
	}
	s, err := ledger.Get[health.Settings](stub, key)
	if errors.Is(err, ledger.ErrNotFound) {
		return health.DefaultSettings(), nil
	}
	return s, err
}

func getRef(stub shim.ChaincodeStubInterface, id string) (health.CaseRef, string, error) {
	if err := validate.ID("recordId", id); err != nil {
		return health.CaseRef{}, "", err
	}
	key, err := refKey(id)
	if err != nil {
		return health.CaseRef{}, "", err
	}
	ref, err := ledger.Get[health.CaseRef](stub, key)
	return ref, key, err
}

// cell is one aggregation cell.
type cell struct {
	condition, region string
	week              health.Week
}

func (c cell) attrs() []string { return []string{c.condition, c.region, c.week.String()} }

// count sums the cell's delta and rollup keys, reading at most MaxCellKeys;
// complete is false when it stopped early and the sum is a lower bound. The
// scan is not paginated, so it may run in a transaction that writes.
func (c cell) count(stub shim.ChaincodeStubInterface) (total int64, complete bool, err error) {
	err = c.scan(stub, func(_ string, d delta) { total += d.Count })
	if errors.Is(err, errScanLimit) {
		return total, false, nil
	}
	return total, err == nil, err
}

var errScanLimit = errors.New("scan limit reached")

// scan calls fn for each of the cell's keys in key order, at most
// MaxCellKeys of them, and returns errScanLimit when more remain.
func (c cell) scan(stub shim.ChaincodeStubInterface, fn func(key string, d delta)) error {
	it, err := stub.GetStateByPartialCompositeKey(objAgg, c.attrs())
	if err != nil {
		return fmt.Errorf("scan aggregate cell: %w", err)
	}
	defer it.Close()
	for n := 0; it.HasNext(); n++ {
		if n == MaxCellKeys {
			return errScanLimit
		}
		kv, err := it.Next()
		if err != nil {
			return fmt.Errorf("scan aggregate cell: %w", err)
		}
		var d delta
		if err := json.Unmarshal(kv.GetValue(), &d); err != nil {
			return &ledger.KeyError{Key: kv.GetKey(), Err: fmt.Errorf("decode aggregate delta: %w", err)}
		}
		fn(kv.GetKey(), d)
	}
	return nil
}

// counter caches cell counts within one transaction: the EARS rules of a cell
// share baseline weeks.
type counter struct {
	stub              shim.ChaincodeStubInterface
	condition, region string
	seen              map[health.Week]int64
}

func (c *counter) count(w health.Week) (int64, error) {
	if n, ok := c.seen[w]; ok {
		return n, nil
	}
	n, _, err := cell{c.condition, c.region, w}.count(c.stub)
	if err != nil {
		return 0, err
	}
	c.seen[w] = n
	return n, nil
}

// indexEntries returns up to limit entries of ix under prefix, values only,
// with a non-paginated scan that may run in a transaction that writes.
func indexEntries(stub shim.ChaincodeStubInterface, ix ledger.Index, prefix []string, limit int) ([][]string, error) {
	it, err := stub.GetStateByPartialCompositeKey(ix.Name, prefix)
	if err != nil {
		return nil, fmt.Errorf("scan index %s: %w", ix.Name, err)
	}
	defer it.Close()
	var out [][]string
	for len(out) < limit && it.HasNext() {
		kv, err := it.Next()
		if err != nil {
			return nil, fmt.Errorf("scan index %s: %w", ix.Name, err)
		}
		_, values, err := ledger.SplitKey(kv.GetKey())
		if err != nil {
			return nil, err
		}
		out = append(out, values)
	}
	return out, nil
}

// rulesFor returns the enabled rules watching condition in region: those
// for the region first, then those for every region, each in ID order.
func rulesFor(stub shim.ChaincodeStubInterface, condition, region string) ([]health.Rule, error) {
	var out []health.Rule
	for _, r := range []string{region, health.AnyRegion} {
		entries, err := indexEntries(stub, rulesByCell, []string{condition, r}, MaxRulesPerCell)
		if err != nil {
			return nil, err
		}
		for _, v := range entries {
			rule, _, err := getRule(stub, v[2])
			if err != nil {
				// %v on purpose: an index entry whose rule is missing is corrupt state, so the
				// cause's NOT_FOUND must not reach the caller; ccerror reports it as INTERNAL.
				return nil, fmt.Errorf("rule index entry %s: %v", v[2], err) //nolint:errorlint // see above
			}
			if rule.Enabled {
				out = append(out, rule)
			}
		}
	}
	return out, nil
}

func getRule(stub shim.ChaincodeStubInterface, id string) (health.Rule, string, error) {
	if err := validate.ID("ruleId", id); err != nil {
		return health.Rule{}, "", err
	}
	key, err := ledger.Key(objRule, id)
	if err != nil {
		return health.Rule{}, "", err
	}
	r, err := ledger.Get[health.Rule](stub, key)
	return r, key, err
}

func getAlert(stub shim.ChaincodeStubInterface, id string) (health.Alert, string, error) {
	if err := validate.ID("alertId", id); err != nil {
		return health.Alert{}, "", err
	}
	key, err := ledger.Key(objAlert, id)
	if err != nil {
		return health.Alert{}, "", err
	}
	a, err := ledger.Get[health.Alert](stub, key)
	return a, key, err
}

// putPrivateRaw writes bytes the caller already encoded, so that it can hash
// exactly what is stored.
func putPrivateRaw(stub shim.ChaincodeStubInterface, key string, value []byte) error {
	if err := stub.PutPrivateData(Collection, key, value); err != nil {
		return &ledger.KeyError{Key: key, Err: fmt.Errorf("write private data in %s: %w", Collection, err)}
	}
	return nil
}

func purgePrivate(stub shim.ChaincodeStubInterface, key string) error {
	if err := stub.PurgePrivateData(Collection, key); err != nil {
		return &ledger.KeyError{Key: key, Err: fmt.Errorf("purge private data in %s: %w", Collection, err)}
	}
	return nil
}
