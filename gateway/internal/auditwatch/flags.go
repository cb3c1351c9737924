package auditwatch

import (
	"encoding/json"
	"fmt"

	"github.com/govledger/govledger/chaincode/audit"
	"github.com/govledger/govledger/gateway/internal/ledger"
)

// maxFlagsPerEvent bounds what one event may ask the watcher to submit; the
// procurement contract raises at most a handful per action.
const maxFlagsPerEvent = 32

// procurementEvent is the part of a procurement event payload the watcher
// reads: {"data": {"tenderId", "redFlags": [{"kind", "tenderId", ...}]}}.
// Other fields are ignored, as event consumers must.
type procurementEvent struct {
	Data struct {
		TenderID string `json:"tenderId"`
		RedFlags []struct {
			Kind     string `json:"kind"`
			TenderID string `json:"tenderId"`
		} `json:"redFlags"`
	} `json:"data"`
}

// eventFlag is one red flag of an event, or why it cannot be used.
type eventFlag struct {
	flag audit.RedFlag
	// err is set for a flag that breaks the audit contract's input rules;
	// it is parked without a submit.
	err error
}

// flagsOf returns the red flags an event carries, as the audit contract takes
// them, each once and in the event's order. The payload comes from the
// network: an error means the event as a whole could not be read.
func flagsOf(ev ledger.Event) ([]eventFlag, error) {
	var p procurementEvent
	if err := json.Unmarshal(ev.Payload, &p); err != nil {
		return nil, fmt.Errorf("event %s %s: payload is not a procurement event: %w", ev.ID(), ev.Name, err)
	}
	if n := len(p.Data.RedFlags); n > maxFlagsPerEvent {
		return nil, fmt.Errorf("event %s %s: %d red flags, at most %d are accepted", ev.ID(), ev.Name, n, maxFlagsPerEvent)
	}
	var out []eventFlag
	seen := map[audit.RedFlag]bool{}
	for i, f := range p.Data.RedFlags {
		tender := f.TenderID
		if tender == "" {
			tender = p.Data.TenderID
		}
		flag := audit.RedFlag{Entity: "tender", ID: tender, Kind: f.Kind}
		if seen[flag] {
			continue
		}
		seen[flag] = true
		ef := eventFlag{flag: flag}
		if err := flag.Validate(); err != nil {
			ef.err = fmt.Errorf("event %s %s: data.redFlags[%d]: %w", ev.ID(), ev.Name, i, err)
		}
		out = append(out, ef)
	}
	return out, nil
}
