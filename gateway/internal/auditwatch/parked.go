package auditwatch

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/govledger/govledger/chaincode/audit"
)

// ErrParkedFile is wrapped by every failure to record a parked flag; the
// watcher stops rather than move past a flag it could not record.
var ErrParkedFile = errors.New("audit watch parked file")

// Parked is one line of the parked file: a red flag the watcher gave up on,
// with what it knew when it did.
type Parked struct {
	// EventID is the procurement event that carried the flag,
	// "<block>:<txId>".
	EventID string `json:"eventId"`
	// Flag is the flag as OpenRequestFromRedFlag takes it; empty when the
	// event itself could not be read.
	Flag audit.RedFlag `json:"flag"`
	// RequestID is the id the request would have, so a request filed by
	// hand can use it and a later replay still finds it.
	RequestID    string `json:"requestId,omitempty"`
	Agency       string `json:"agency,omitempty"`
	EngagementID string `json:"engagementId,omitempty"`
	// Step and Code are those of the last *RefusalError.
	Step     string    `json:"step"`
	Code     string    `json:"code"`
	Reason   string    `json:"reason"`
	Attempts int       `json:"attempts"`
	ParkedAt time.Time `json:"parkedAt"`
}

// parkedLog appends Parked lines to a file, each synced before it returns.
type parkedLog struct {
	path string
}

func (l parkedLog) add(p Parked) error {
	line, err := json.Marshal(p)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrParkedFile, err)
	}
	f, err := os.OpenFile(filepath.Clean(l.path), os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrParkedFile, err)
	}
	if _, err := f.Write(append(line, '\n')); err != nil {
		_ = f.Close()
		return fmt.Errorf("%w: %w", ErrParkedFile, err)
	}
	if err := f.Sync(); err != nil {
		_ = f.Close()
		return fmt.Errorf("%w: %w", ErrParkedFile, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("%w: %w", ErrParkedFile, err)
	}
	return nil
}
