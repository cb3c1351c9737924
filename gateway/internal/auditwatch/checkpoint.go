package auditwatch

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/govledger/govledger/gateway/internal/ledger"
)

// ErrCheckpoint is wrapped by every failure to read or write the checkpoint.
var ErrCheckpoint = errors.New("audit watch checkpoint")

// maxTxIDLen bounds a stored transaction id; Fabric's are 64 hex digits.
const maxTxIDLen = 128

// checkpointState is the Fabric Gateway SDK FileCheckpointer's file format.
type checkpointState struct {
	BlockNumber   uint64 `json:"blockNumber"`
	TransactionID string `json:"transactionId"`
}

// checkpointFile keeps the watcher's position in one file.
type checkpointFile struct {
	path string
}

// load returns the stored position, or false when there is none yet.
func (c checkpointFile) load() (ledger.Position, bool, error) {
	raw, err := os.ReadFile(c.path)
	if errors.Is(err, fs.ErrNotExist) {
		return ledger.Position{}, false, nil
	}
	if err != nil {
		return ledger.Position{}, false, fmt.Errorf("%w: %w", ErrCheckpoint, err)
	}
	var s checkpointState
	if err := json.Unmarshal(raw, &s); err != nil {
		return ledger.Position{}, false, fmt.Errorf("%w: %s: not a checkpoint: %w", ErrCheckpoint, c.path, err)
	}
	if len(s.TransactionID) > maxTxIDLen {
		return ledger.Position{}, false, fmt.Errorf("%w: %s: transactionId longer than %d characters", ErrCheckpoint, c.path, maxTxIDLen)
	}
	return ledger.Position{Block: s.BlockNumber, AfterTxID: s.TransactionID}, true, nil
}

// save replaces the file with p: written to a temporary file in the same
// folder, synced, renamed over the old one, and the folder synced, so a crash
// leaves one whole position or the other.
func (c checkpointFile) save(p ledger.Position) error {
	raw, err := json.Marshal(checkpointState{BlockNumber: p.Block, TransactionID: p.AfterTxID})
	if err != nil {
		return fmt.Errorf("%w: %w", ErrCheckpoint, err)
	}
	dir := filepath.Dir(c.path)
	tmp, err := os.CreateTemp(dir, filepath.Base(c.path)+".*.tmp")
	if err != nil {
		return fmt.Errorf("%w: %w", ErrCheckpoint, err)
	}
	defer func() { _ = os.Remove(tmp.Name()) }() // gone after the rename; cleans up a failed save
	if _, err := tmp.Write(raw); err != nil {
		_ = tmp.Close()
		return fmt.Errorf("%w: %w", ErrCheckpoint, err)
	}
	if err := tmp.Sync(); err != nil {
		_ = tmp.Close()
		return fmt.Errorf("%w: %w", ErrCheckpoint, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("%w: %w", ErrCheckpoint, err)
	}
	if err := os.Rename(tmp.Name(), c.path); err != nil {
		return fmt.Errorf("%w: %w", ErrCheckpoint, err)
	}
	return syncDir(dir)
}

// syncDir makes a rename in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(filepath.Clean(dir))
	if err != nil {
		return fmt.Errorf("%w: %w", ErrCheckpoint, err)
	}
	defer func() { _ = d.Close() }()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("%w: sync %s: %w", ErrCheckpoint, dir, err)
	}
	return nil
}
