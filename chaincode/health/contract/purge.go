package contract

import (
	"errors"
	"fmt"
	"time"

	"github.com/hyperledger/fabric-chaincode-go/v2/shim"

	"github.com/govledger/govledger/chaincode/ccerror"
	"github.com/govledger/govledger/chaincode/health"
	"github.com/govledger/govledger/chaincode/internal/ledger"
	"github.com/govledger/govledger/chaincode/internal/txn"
	"github.com/govledger/govledger/chaincode/internal/validate"
)

// Purge is what PurgeExpired did.
type Purge struct {
	RecordIDs []string `json:"recordIds"`
	// Before is the retention cutoff: records received earlier were expired.
	Before time.Time `json:"before"`
	// More is true when expired records remain; call again.
	More bool `json:"more"`
}

// PurgeExpired purges up to pageSize (1 to 100, 0 for 20) records received
// before the retention cutoff, oldest first, with PurgePrivateData, so no
// peer keeps them. Public references stay, marked purged with their hash, and
// so do the aggregate counts. Duplicate-suppression state of the purged
// records' patients is pruned to the retention period too.
//
//govledger:collection healthRecords
func (c *Contract) PurgeExpired(ctx *txn.Context, pageSize int32) (*Purge, error) {
	p, err := purgeExpired(ctx, pageSize)
	return p, ccerror.From(err)
}

func purgeExpired(ctx *txn.Context, pageSize int32) (*Purge, error) {
	stub := ctx.GetStub()
	if pageSize == 0 {
		pageSize = ledger.DefaultPageSize
	}
	if err := validate.InRange("pageSize", pageSize, 1, ledger.MaxPageSize); err != nil {
		return nil, err
	}
	settings, err := loadSettings(stub)
	if err != nil {
		return nil, err
	}
	now, err := ctx.Now()
	if err != nil {
		return nil, err
	}
	cutoff := settings.Config.Retention(now)
	expired, more, err := expiredRecords(stub, receivedValue(cutoff), int(pageSize))
	if err != nil {
		return nil, err
	}
	res := &Purge{RecordIDs: []string{}, Before: cutoff, More: more}
	for _, e := range expired {
		if err := purgeRecord(stub, e[1], e[0], health.WeekOf(cutoff), now); err != nil {
			return nil, err
		}
		res.RecordIDs = append(res.RecordIDs, e[1])
	}
	if len(expired) == 0 {
		return res, nil
	}
	return res, ctx.Emit("caserecord", expired[0][1], "purged", "retention", res)
}

// expiredRecords returns up to limit (received, id) entries received before
// cutoff, oldest first, and whether more remain. The index is ordered by
// time, so the scan stops at the first entry that is not expired.
func expiredRecords(stub shim.ChaincodeStubInterface, cutoff string, limit int) ([][]string, bool, error) {
	it, err := stub.GetStateByPartialCompositeKey(refsByReceived.Name, nil)
	if err != nil {
		return nil, false, fmt.Errorf("scan records by time received: %w", err)
	}
	defer it.Close()
	var out [][]string
	for it.HasNext() {
		kv, err := it.Next()
		if err != nil {
			return nil, false, fmt.Errorf("scan records by time received: %w", err)
		}
		_, v, err := ledger.SplitKey(kv.GetKey())
		if err != nil {
			return nil, false, err
		}
		if v[0] >= cutoff {
			return out, false, nil
		}
		if len(out) == limit {
			return out, true, nil
		}
		out = append(out, v)
	}
	return out, false, nil
}

func purgeRecord(stub shim.ChaincodeStubInterface, id, received string, keepFrom health.Week, now time.Time) error {
	ref, key, err := getRef(stub, id)
	if err != nil {
		// %v on purpose: an index entry whose record is missing is corrupt state, so the
		// cause's NOT_FOUND must not reach the caller; ccerror reports it as INTERNAL.
		return fmt.Errorf("index entry of record %s: %v", id, err) //nolint:errorlint // see above
	}
	pkey, err := recordKey(id)
	if err != nil {
		return err
	}
	rec, err := ledger.GetPrivate[health.CaseRecord](stub, Collection, pkey)
	switch {
	case errors.Is(err, ledger.ErrNotFound):
		// Gone already (blockToLive): nothing to prune; the reference still
		// has to say so.
	case err != nil:
		return err
	default:
		if err := pruneEpisodes(stub, rec, keepFrom); err != nil {
			return err
		}
	}
	if err := purgePrivate(stub, pkey); err != nil {
		return err
	}
	ref.Status, ref.PurgedAt = health.RecordPurged, now
	if err := ledger.Put(stub, key, ref); err != nil {
		return err
	}
	return refsByReceived.Delete(stub, received, id)
}

// pruneEpisodes drops the episodes of rec's patient and condition that fall
// before the retention period, and the entry itself when none remain, so the
// patient key does not outlive the records it came from.
func pruneEpisodes(stub shim.ChaincodeStubInterface, rec health.CaseRecord, keepFrom health.Week) error {
	if rec.Condition == "" {
		return nil
	}
	key, err := ledger.Key(objEpisodes, rec.Report.PatientKey, rec.Condition)
	if err != nil {
		return err
	}
	eps, err := ledger.GetPrivate[health.Episodes](stub, Collection, key)
	if errors.Is(err, ledger.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if eps, err = eps.Since(keepFrom); err != nil {
		return err
	}
	if len(eps.Weeks) == 0 {
		return purgePrivate(stub, key)
	}
	return ledger.PutPrivate(stub, Collection, key, eps)
}
