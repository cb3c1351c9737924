// Package event defines the one chaincode event a GovLedger transaction
// emits and its stable JSON payload.
//
// Fabric keeps only the last SetEvent of a transaction, so a transaction
// emits exactly one event describing what happened. Its name is
// "<entity>.<action>", e.g. "tender.published" or "bid.submitted", and its
// payload is Event as JSON:
//
//	{
//	  "entity": "tender",             // entity type, lower case
//	  "id": "T-2026-0001",            // entity ID
//	  "action": "published",          // past-tense verb, lower case
//	  "actor": {"mspId": "AgencyMSP", "id": "<cid ID>", "role": "procurement-officer", "agency": "health"},
//	  "txId": "<transaction ID>",
//	  "time": "2026-01-31T17:00:00Z", // transaction timestamp, RFC 3339, UTC
//	  "rule": "procurement-act/s12",  // rule or legal authority the action was taken under (optional)
//	  "data": {...}                   // action-specific details (optional); never private data
//	}
//
// Red flags and alerts are events too: entity "redflag" or "alert", action
// "raised" (or "cleared"), Rule naming the detection rule (e.g.
// "single-bid"), ID the flagged entity's ID and Data the evidence. When a
// flag is raised by a transaction that already emits its own event, the
// flags go in that event's Data under "redFlags" instead, since a second
// SetEvent would overwrite the first.
//
// Consumers must ignore fields they do not know; new fields may be added,
// existing ones never change meaning.
package event

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"time"

	"github.com/hyperledger/fabric-chaincode-go/v2/shim"
)

// Entity names for red flags and alerts.
const (
	EntityRedFlag = "redflag"
	EntityAlert   = "alert"
)

// Actor is who caused the event.
type Actor struct {
	MSPID  string `json:"mspId"`
	ID     string `json:"id"`
	Role   string `json:"role,omitempty"`
	Agency string `json:"agency,omitempty"`
}

// Event is the payload of a GovLedger chaincode event.
type Event struct {
	Entity string          `json:"entity"`
	ID     string          `json:"id"`
	Action string          `json:"action"`
	Actor  Actor           `json:"actor"`
	TxID   string          `json:"txId"`
	Time   time.Time       `json:"time"`
	Rule   string          `json:"rule,omitempty"`
	Data   json.RawMessage `json:"data,omitempty"`
}

// ErrInvalid reports an event the contract built wrongly; it is a bug, so
// clients see it as INTERNAL.
var ErrInvalid = errors.New("event: invalid")

var namePart = regexp.MustCompile(`^[a-z][a-z0-9_-]{0,39}$`)

// Name is the chaincode event name, "<entity>.<action>".
func (e Event) Name() string { return e.Entity + "." + e.Action }

// Validate checks the fields every event must have.
func (e Event) Validate() error {
	switch {
	case !namePart.MatchString(e.Entity):
		return fmt.Errorf("%w: entity %q must be lower-case letters, digits, _ or -", ErrInvalid, e.Entity)
	case !namePart.MatchString(e.Action):
		return fmt.Errorf("%w: action %q must be lower-case letters, digits, _ or -", ErrInvalid, e.Action)
	case e.ID == "":
		return fmt.Errorf("%w: %s: id is required", ErrInvalid, e.Name())
	case e.TxID == "":
		return fmt.Errorf("%w: %s: txId is required", ErrInvalid, e.Name())
	case e.Time.IsZero():
		return fmt.Errorf("%w: %s: time is required", ErrInvalid, e.Name())
	case e.Actor.MSPID == "":
		return fmt.Errorf("%w: %s: actor mspId is required", ErrInvalid, e.Name())
	case len(e.Data) > 0 && !json.Valid(e.Data):
		return fmt.Errorf("%w: %s: data is not valid JSON", ErrInvalid, e.Name())
	}
	return nil
}

// Emit validates e and sets it as the transaction's chaincode event,
// replacing any earlier one. Time is stored in UTC.
func Emit(stub shim.ChaincodeStubInterface, e Event) error {
	if err := e.Validate(); err != nil {
		return err
	}
	e.Time = e.Time.UTC()
	payload, err := json.Marshal(e)
	if err != nil {
		return fmt.Errorf("event %s: encode: %w", e.Name(), err)
	}
	if err := stub.SetEvent(e.Name(), payload); err != nil {
		return fmt.Errorf("event %s: %w", e.Name(), err)
	}
	return nil
}

// Data encodes v for Event.Data.
func Data(v any) (json.RawMessage, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("event data: %w", err)
	}
	return b, nil
}

// Parse decodes an event payload, for consumers and tests.
func Parse(payload []byte) (Event, error) {
	var e Event
	if err := json.Unmarshal(payload, &e); err != nil {
		return Event{}, fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	return e, nil
}
