package health

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/govledger/govledger/chaincode/ccerror"
	"github.com/govledger/govledger/chaincode/deid"
	"github.com/govledger/govledger/chaincode/internal/validate"
)

// Submitter is the hospital that reported a case: its organisation and the
// agency attribute of the reporter's certificate. It is no secret: every
// transaction on the channel names its creator.
type Submitter struct {
	MSPID  string `json:"mspId"`
	Agency string `json:"agency"`
}

// CaseRecord is a stored case report: private data, in the collection only.
type CaseRecord struct {
	ID     string      `json:"id"`
	Report deid.Report `json:"report"`
	// Condition is the key the record counts under ("" when it counts
	// nowhere); Counted is false for duplicates and non-cases.
	Condition  string    `json:"condition,omitempty"`
	Counted    bool      `json:"counted"`
	ReceivedAt time.Time `json:"receivedAt"`
	Submitter  Submitter `json:"submitter"`
}

// RecordStatus says whether a record's private value is still held.
type RecordStatus string

// Record statuses.
const (
	RecordHeld   RecordStatus = "held"
	RecordPurged RecordStatus = "purged"
)

// CaseRef is the public trace of a case record: its identifier and the
// SHA-256 of its private value, so any organisation can check a copy it was
// shown, even after the value is purged. It deliberately holds no condition,
// region, week or patient key.
type CaseRef struct {
	ID         string       `json:"id"`
	Collection string       `json:"collection"`
	SHA256     string       `json:"sha256"`
	ReceivedAt time.Time    `json:"receivedAt"`
	Submitter  Submitter    `json:"submitter"`
	Status     RecordStatus `json:"status"`
	PurgedAt   time.Time    `json:"purgedAt,omitzero" metadata:",optional"`
}

// RecordID derives a record's identifier from the transaction that stored
// it: the same on every endorser, unique per transaction, and free of any
// report content.
func RecordID(txID string) string { return derivedID("CR-", "case-record", txID) }

// ReceiptID derives an access receipt's identifier from its transaction.
func ReceiptID(txID string) string { return derivedID("RC-", "access-receipt", txID) }

func derivedID(prefix, domain, txID string) string {
	sum := sha256.Sum256([]byte(domain + "\x00" + txID))
	return prefix + hex.EncodeToString(sum[:20])
}

// Purposes a private record may be read for. A closed vocabulary, because
// receipts are public and a free-text purpose ("checking on J. Smith") would
// leak what the collection protects.
const (
	PurposeOutbreakInvestigation = "outbreak-investigation"
	PurposeCaseFollowUp          = "case-follow-up"
	PurposeContactTracing        = "contact-tracing"
	PurposeDataQuality           = "data-quality"
	PurposeLegalRequest          = "legal-request"
)

// Purposes lists the accepted read purposes.
func Purposes() []string {
	return []string{PurposeOutbreakInvestigation, PurposeCaseFollowUp, PurposeContactTracing,
		PurposeDataQuality, PurposeLegalRequest}
}

// ReceiptValidity is how long after its receipt a reader may fetch the
// record.
const ReceiptValidity = 15 * time.Minute

// Reader is who read a record.
type Reader struct {
	MSPID  string `json:"mspId"`
	ID     string `json:"id"`
	Role   string `json:"role"`
	Agency string `json:"agency,omitempty" metadata:",optional"`
}

// AccessReceipt is the public record that someone read a private record:
// who, when, why and which record.
type AccessReceipt struct {
	ID         string    `json:"id"`
	RecordID   string    `json:"recordId"`
	Purpose    string    `json:"purpose"`
	Reader     Reader    `json:"reader"`
	At         time.Time `json:"at"`
	ValidUntil time.Time `json:"validUntil"`
	TxID       string    `json:"txId"`
}

// NewReceipt validates purpose and returns the receipt of transaction txID.
func NewReceipt(recordID, purpose string, reader Reader, at time.Time, txID string) (AccessReceipt, error) {
	if err := validate.OneOf("purpose", purpose, Purposes()...); err != nil {
		return AccessReceipt{}, err
	}
	at = at.UTC()
	return AccessReceipt{
		ID: ReceiptID(txID), RecordID: recordID, Purpose: purpose, Reader: reader,
		At: at, ValidUntil: at.Add(ReceiptValidity), TxID: txID,
	}, nil
}

// ErrReceiptHolder refuses a receipt presented by someone other than the
// reader it was issued to.
var ErrReceiptHolder = fmt.Errorf("receipt issued to another reader: %w", ccerror.ErrPermissionDenied)

// Admits checks that the receipt lets reader fetch the record at time at:
// it was issued to the same identity and at lies within its validity.
func (r AccessReceipt) Admits(reader Reader, at time.Time) error {
	if r.Reader.MSPID != reader.MSPID || r.Reader.ID != reader.ID {
		return fmt.Errorf("receipt %s: %w", r.ID, ErrReceiptHolder)
	}
	if at.Before(r.At) || at.After(r.ValidUntil) {
		return ccerror.Precondition("receipt-expired",
			fmt.Sprintf("receipt %s is valid from %s to %s; read the record again", r.ID,
				r.At.Format(time.RFC3339), r.ValidUntil.Format(time.RFC3339)))
	}
	return nil
}
