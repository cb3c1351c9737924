package contract

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/hyperledger/fabric-chaincode-go/v2/shim"

	"github.com/govledger/govledger/chaincode/ccerror"
	"github.com/govledger/govledger/chaincode/health"
	"github.com/govledger/govledger/chaincode/internal/event"
	"github.com/govledger/govledger/chaincode/internal/ledger"
	"github.com/govledger/govledger/chaincode/internal/txn"
	"github.com/govledger/govledger/chaincode/internal/validate"
)

// SubmitResult is what a reporter learns: no counts, no duplicate verdict,
// because a submitted transaction's response is written into the block.
type SubmitResult struct {
	RecordID string   `json:"recordId"`
	SHA256   string   `json:"sha256"`
	Alerts   []string `json:"alerts,omitempty" metadata:",optional"` // IDs of alerts this report raised
}

// RecordEvent is the data of caserecord.submitted.
type RecordEvent struct {
	RecordID string `json:"recordId"`
	SHA256   string `json:"sha256"`
}

// AccessEvent is the data of caserecord.accessed.
type AccessEvent struct {
	ReceiptID string `json:"receiptId"`
	Purpose   string `json:"purpose"`
}

// OutbreakAlert is the data of alert.raised: everything a subscriber needs to
// act, and nothing private. AlsoRaised lists further alerts the same report
// raised, since a transaction has one event.
type OutbreakAlert struct {
	AlertID    string        `json:"alertId"`
	Condition  string        `json:"condition"`
	Region     string        `json:"region"`
	Week       string        `json:"week"`
	CountBand  string        `json:"countBand"`
	RuleID     string        `json:"ruleId"`
	Method     health.Method `json:"method"`
	Statistic  int64         `json:"statistic,omitempty"`
	AlsoRaised []string      `json:"alsoRaised,omitempty"`
}

// SubmitCaseReport stores the case report carried in the transient map
// under "report", once the deid gate has passed it (see the package doc). It
// takes no arguments: a report in an argument would be on the ledger.
//
//govledger:transient report
//govledger:collection healthRecords
func (c *Contract) SubmitCaseReport(ctx *txn.Context) (*SubmitResult, error) {
	r, err := submitCaseReport(ctx)
	return r, ccerror.From(err)
}

func submitCaseReport(ctx *txn.Context) (*SubmitResult, error) {
	stub := ctx.GetStub()
	a, err := callerOf(ctx)
	if err != nil {
		return nil, err
	}
	submitter, err := a.hospital("SubmitCaseReport")
	if err != nil {
		return nil, err
	}
	raw, err := transient(stub, TransientReport)
	if err != nil {
		return nil, err
	}
	settings, err := loadSettings(stub)
	if err != nil {
		return nil, err
	}
	cfg := settings.Config
	report, err := cfg.Gate(raw)
	if err != nil {
		return nil, err
	}
	now, err := ctx.Now()
	if err != nil {
		return nil, err
	}
	onset, err := health.ParseWeek("report.onsetWeek", report.OnsetWeek)
	if err != nil {
		return nil, err
	}
	if health.WeekOf(now).Before(onset) {
		return nil, validate.Fail("report.onsetWeek", health.RuleNotFuture, "must not be later than the week of submission")
	}

	txID := stub.GetTxID()
	rec := health.CaseRecord{ID: health.RecordID(txID), Report: report, ReceivedAt: now, Submitter: submitter}
	condition, isCase := health.ConditionOf(report)
	if isCase {
		rec.Condition = condition
		if rec.Counted, err = countEpisode(stub, report.PatientKey, condition, onset, cfg.DuplicateWindowWeeks); err != nil {
			return nil, err
		}
	}
	value, err := json.Marshal(rec)
	if err != nil {
		return nil, fmt.Errorf("encode case record: %w", err)
	}
	sum := sha256.Sum256(value)
	digest := hex.EncodeToString(sum[:])
	if err := storeRecord(stub, rec, value, digest); err != nil {
		return nil, err
	}

	res := &SubmitResult{RecordID: rec.ID, SHA256: digest}
	var alerts []health.Alert
	if rec.Counted {
		if alerts, err = count(ctx, cell{condition: condition, region: report.Region, week: onset}, cfg.MinCellSize); err != nil {
			return nil, err
		}
	}
	if len(alerts) == 0 {
		return res, ctx.Emit("caserecord", rec.ID, "submitted", "", RecordEvent{RecordID: rec.ID, SHA256: digest})
	}
	for _, al := range alerts {
		res.Alerts = append(res.Alerts, al.ID)
	}
	first := alerts[0]
	ev := OutbreakAlert{AlertID: first.ID, Condition: first.Condition, Region: first.Region, Week: first.Week,
		CountBand: first.CountBand, RuleID: first.RuleID, Method: first.Method, Statistic: first.Statistic}
	if len(alerts) > 1 {
		ev.AlsoRaised = res.Alerts[1:]
	}
	return res, ctx.Emit(event.EntityAlert, first.ID, "raised", first.RuleID, ev)
}

// count adds the report's delta key to its cell, a blind write of a key no
// other transaction touches, and evaluates the cell's rules.
func count(ctx *txn.Context, c cell, k int) ([]health.Alert, error) {
	stub := ctx.GetStub()
	key, err := ledger.Key(objAgg, append(c.attrs(), stub.GetTxID())...)
	if err != nil {
		return nil, err
	}
	if err := ledger.Put(stub, key, delta{Count: 1}); err != nil {
		return nil, err
	}
	return raiseAlerts(ctx, c, k)
}

// transient returns the raw transient entry key; the deid decoder is stricter
// than validate.DecodeJSON and reports report fields by path.
func transient(stub shim.ChaincodeStubInterface, key string) ([]byte, error) {
	m, err := stub.GetTransient()
	if err != nil {
		return nil, fmt.Errorf("read transient map: %w", err)
	}
	raw, ok := m[key]
	if !ok || len(raw) == 0 {
		return nil, validate.Fail("transient."+key, validate.RuleRequired, "must be supplied in the transient map")
	}
	return raw, nil
}

// countEpisode applies duplicate suppression: it reports whether the report
// counts and, if so, records its onset week in the patient's episodes.
func countEpisode(stub shim.ChaincodeStubInterface, patientKey, condition string, onset health.Week, window int) (bool, error) {
	key, err := ledger.Key(objEpisodes, patientKey, condition)
	if err != nil {
		return false, err
	}
	eps, err := ledger.GetPrivate[health.Episodes](stub, Collection, key)
	if err != nil && !errors.Is(err, ledger.ErrNotFound) {
		return false, err
	}
	dup, err := eps.Duplicate(onset, window)
	if err != nil || dup {
		return false, err
	}
	if eps, err = eps.With(onset); err != nil {
		return false, err
	}
	return true, ledger.PutPrivate(stub, Collection, key, eps)
}

func storeRecord(stub shim.ChaincodeStubInterface, rec health.CaseRecord, value []byte, digest string) error {
	pkey, err := recordKey(rec.ID)
	if err != nil {
		return err
	}
	if err := putPrivateRaw(stub, pkey, value); err != nil {
		return err
	}
	key, err := refKey(rec.ID)
	if err != nil {
		return err
	}
	ref := health.CaseRef{ID: rec.ID, Collection: Collection, SHA256: digest, ReceivedAt: rec.ReceivedAt,
		Submitter: rec.Submitter, Status: health.RecordHeld}
	if err := ledger.Create(stub, key, ref); err != nil {
		return err
	}
	return refsByReceived.Put(stub, receivedValue(rec.ReceivedAt), rec.ID)
}

// ReadCaseReport records that the caller reads a record, and why, and returns
// the receipt GetCaseReport asks for. It is a submit: the receipt is the log.
func (c *Contract) ReadCaseReport(ctx *txn.Context, recordID, purpose string) (*health.AccessReceipt, error) {
	r, err := readCaseReport(ctx, recordID, purpose)
	return r, ccerror.From(err)
}

func readCaseReport(ctx *txn.Context, recordID, purpose string) (*health.AccessReceipt, error) {
	stub := ctx.GetStub()
	a, err := callerOf(ctx)
	if err != nil {
		return nil, err
	}
	ref, _, err := getRef(stub, recordID)
	if err != nil {
		return nil, err
	}
	if err := a.mayRead("ReadCaseReport", ref); err != nil {
		return nil, err
	}
	if err := held(stub, ref); err != nil {
		return nil, err
	}
	now, err := ctx.Now()
	if err != nil {
		return nil, err
	}
	rc, err := health.NewReceipt(ref.ID, purpose, a.reader(), now, stub.GetTxID())
	if err != nil {
		return nil, err
	}
	key, err := ledger.Key(objReceipt, ref.ID, rc.ID)
	if err != nil {
		return nil, err
	}
	if err := ledger.Create(stub, key, rc); err != nil {
		return nil, err
	}
	return &rc, ctx.Emit("caserecord", ref.ID, "accessed", purpose, AccessEvent{ReceiptID: rc.ID, Purpose: purpose})
}

// held fails with FAILED_PRECONDITION when the record's private value is gone:
// purged by retention, or dropped by the collection's blockToLive.
func held(stub shim.ChaincodeStubInterface, ref health.CaseRef) error {
	if ref.Status == health.RecordPurged {
		return ccerror.Precondition("record-purged", "record "+ref.ID+" was purged under the retention policy")
	}
	pkey, err := recordKey(ref.ID)
	if err != nil {
		return err
	}
	if _, err := ledger.PrivateHash(stub, Collection, pkey); errors.Is(err, ledger.ErrNotFound) {
		return ccerror.Precondition("record-expired", "record "+ref.ID+" has expired from the collection")
	} else if err != nil {
		return err
	}
	return nil
}

// GetCaseReport returns a record's stored JSON, exactly the bytes whose
// SHA-256 its CaseRef publishes, to the holder of a committed receipt from
// ReadCaseReport. Evaluate it; never submit it.
func (c *Contract) GetCaseReport(ctx *txn.Context, recordID, receiptID string) (string, error) {
	s, err := getCaseReport(ctx, recordID, receiptID)
	return s, ccerror.From(err)
}

func getCaseReport(ctx *txn.Context, recordID, receiptID string) (string, error) {
	stub := ctx.GetStub()
	a, err := callerOf(ctx)
	if err != nil {
		return "", err
	}
	ref, _, err := getRef(stub, recordID)
	if err != nil {
		return "", err
	}
	if err := a.mayRead("GetCaseReport", ref); err != nil {
		return "", err
	}
	if err := validate.ID("receiptId", receiptID); err != nil {
		return "", err
	}
	key, err := ledger.Key(objReceipt, ref.ID, receiptID)
	if err != nil {
		return "", err
	}
	rc, err := ledger.Get[health.AccessReceipt](stub, key)
	if err != nil {
		return "", err
	}
	now, err := ctx.Now()
	if err != nil {
		return "", err
	}
	if err := rc.Admits(a.reader(), now); err != nil {
		return "", err
	}
	if ref.Status == health.RecordPurged {
		return "", ccerror.Precondition("record-purged", "record "+ref.ID+" was purged under the retention policy")
	}
	pkey, err := recordKey(ref.ID)
	if err != nil {
		return "", err
	}
	value, err := stub.GetPrivateData(Collection, pkey)
	if err != nil {
		return "", &ledger.KeyError{Key: pkey, Err: fmt.Errorf("read private data in %s: %w", Collection, err)}
	}
	if len(value) == 0 {
		return "", ccerror.Precondition("record-expired", "record "+ref.ID+" has expired from the collection")
	}
	return string(value), nil
}

// GetCaseRef returns a record's public reference.
func (c *Contract) GetCaseRef(ctx *txn.Context, recordID string) (*health.CaseRef, error) {
	ref, _, err := getRef(ctx.GetStub(), recordID)
	if err != nil {
		return nil, ccerror.From(err)
	}
	return &ref, nil
}

// HashCheck is the answer of VerifyRecordHash.
type HashCheck struct {
	RecordID string              `json:"recordId"`
	Match    bool                `json:"match"`
	Status   health.RecordStatus `json:"status"`
	// Source is "private-data-hash" when the peer's hash of the held value
	// was compared, "reference" when the value is gone and the hash published
	// at submission was.
	Source string `json:"source"`
}

// VerifyRecordHash tells anyone whether sha256 (64 lower-case hex digits) is
// the hash of a record's private value, without revealing the value.
func (c *Contract) VerifyRecordHash(ctx *txn.Context, recordID, digest string) (*HashCheck, error) {
	h, err := verifyRecordHash(ctx, recordID, digest)
	return h, ccerror.From(err)
}

func verifyRecordHash(ctx *txn.Context, recordID, digest string) (*HashCheck, error) {
	stub := ctx.GetStub()
	if err := validate.SHA256Hex("sha256", digest); err != nil {
		return nil, err
	}
	ref, _, err := getRef(stub, recordID)
	if err != nil {
		return nil, err
	}
	known, source := ref.SHA256, "reference"
	if ref.Status == health.RecordHeld {
		pkey, err := recordKey(ref.ID)
		if err != nil {
			return nil, err
		}
		h, err := ledger.PrivateHash(stub, Collection, pkey)
		switch {
		case err == nil:
			known, source = hex.EncodeToString(h), "private-data-hash"
			if known != ref.SHA256 {
				return nil, fmt.Errorf("record %s: private data hash differs from the published reference", ref.ID)
			}
		case !errors.Is(err, ledger.ErrNotFound):
			return nil, err
		}
	}
	return &HashCheck{RecordID: ref.ID, Match: known == digest, Status: ref.Status, Source: source}, nil
}

// ReceiptPage is one page of access receipts.
type ReceiptPage struct {
	ledger.Page[health.AccessReceipt]
}

// ListAccessReceipts lists who read a record and why, in receipt ID order
// (each receipt carries its time). It is how oversight checks that every
// read had a purpose.
func (c *Contract) ListAccessReceipts(ctx *txn.Context, recordID string, size int32, bookmark string) (*ReceiptPage, error) {
	if err := validate.ID("recordId", recordID); err != nil {
		return nil, ccerror.From(err)
	}
	p, err := ledger.List[health.AccessReceipt](ctx.GetStub(), objReceipt, []string{recordID},
		ledger.PageRequest{Size: size, Bookmark: bookmark})
	if err != nil {
		return nil, ccerror.From(err)
	}
	return &ReceiptPage{p}, nil
}
