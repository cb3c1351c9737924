// Package audit writes the gateway's append-only request audit trail: one
// JSON object per line saying who called what, with which outcome and
// transaction id. Entries carry no request bodies, so neither arguments nor
// private data reach the trail.
package audit

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// Entry is one audited request.
type Entry struct {
	Time      time.Time `json:"time"`
	RequestID string    `json:"requestId"`
	Caller    string    `json:"caller,omitempty"`
	User      string    `json:"user,omitempty"`
	Method    string    `json:"method"`
	// Route is the matched route pattern, not the raw path.
	Route     string  `json:"route"`
	Chaincode string  `json:"chaincode,omitempty"`
	Function  string  `json:"function,omitempty"`
	Status    int     `json:"status"`
	Code      string  `json:"code,omitempty"`
	TxID      string  `json:"txId,omitempty"`
	Duration  float64 `json:"durationMs"`
	Remote    string  `json:"remote,omitempty"`
}

// Log appends entries to a writer, one line per Record call.
type Log struct {
	mu     sync.Mutex
	w      io.Writer
	closer io.Closer
}

// Open appends to the file at path, creating it with mode 0600.
func Open(path string) (*Log, error) {
	f, err := os.OpenFile(filepath.Clean(path), os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open audit log: %w", err)
	}
	return &Log{w: f, closer: f}, nil
}

// New writes entries to w (tests, or stdout).
func New(w io.Writer) *Log { return &Log{w: w} }

// Record appends one entry. Each entry is written with a single Write so
// concurrent requests never interleave lines.
func (l *Log) Record(e Entry) error {
	line, err := json.Marshal(e)
	if err != nil {
		return fmt.Errorf("encode audit entry: %w", err)
	}
	line = append(line, '\n')
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.w == nil {
		return errors.New("audit log closed")
	}
	if _, err := l.w.Write(line); err != nil {
		return fmt.Errorf("write audit entry: %w", err)
	}
	return nil
}

// Close flushes the file to disk and closes it.
func (l *Log) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.w = nil
	if l.closer == nil {
		return nil
	}
	if f, ok := l.closer.(*os.File); ok {
		if err := f.Sync(); err != nil {
			_ = f.Close()
			return fmt.Errorf("sync audit log: %w", err)
		}
	}
	return l.closer.Close()
}
