package contract

import (
	"strings"
	"unicode"

	"github.com/govledger/govledger/chaincode/procurement"
)

// Event entities.
const (
	entityTender      = "tender"
	entityBid         = "bid"
	entityDeclaration = "declaration"
	entityChallenge   = "challenge"
	entityContract    = "contract"
	entityDeliverable = "deliverable"
	entityPayment     = "payment"
)

// flagEvent is a red flag inside an event's Data; Event is the name the
// flag has as an event of its own, "redflag.<kind in kebab case>".
type flagEvent struct {
	Event string `json:"event"`
	procurement.RedFlag
}

// eventData is the Data of every procurement event: the tender's state
// after the transaction, what the action touched, and any red flags.
type eventData struct {
	TenderID    string             `json:"tenderId"`
	Status      procurement.Status `json:"status"`
	Revision    int64              `json:"revision"`
	SupplierID  string             `json:"supplierId,omitempty"`
	EvaluatorID string             `json:"evaluatorId,omitempty"`
	MilestoneID string             `json:"milestoneId,omitempty"`
	Version     int64              `json:"version,omitempty"`
	Outcome     string             `json:"outcome,omitempty"`
	Amount      *procurement.Money `json:"amount,omitempty"`
	RedFlags    []flagEvent        `json:"redFlags,omitempty"`
}

// emit sets the transaction's one event. d gets the tender's state and the
// flags filled in.
func (x *tx) emit(entity, id, action string, t *procurement.Tender, d eventData, flags []procurement.RedFlag) error {
	d.TenderID, d.Status, d.Revision = t.ID, t.Status, t.Revision
	for _, f := range flags {
		d.RedFlags = append(d.RedFlags, flagEvent{Event: "redflag." + kebab(string(f.Kind)), RedFlag: f})
	}
	return x.ctx.Emit(entity, id, action, "", d)
}

// kebab turns a camelCase kind into an event name part: singleBid ->
// single-bid.
func kebab(s string) string {
	var b strings.Builder
	for _, r := range s {
		if unicode.IsUpper(r) {
			b.WriteByte('-')
			r = unicode.ToLower(r)
		}
		b.WriteRune(r)
	}
	return b.String()
}
