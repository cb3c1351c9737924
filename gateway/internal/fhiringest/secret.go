package fhiringest

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/govledger/govledger/chaincode/deid"
)

// maxSecretBytes bounds what LoadSecret reads: a secret is a few dozen
// bytes, so anything larger is the wrong file.
const maxSecretBytes = 4096

// LoadSecret reads the pseudonym secret from path: a regular file that only
// its owner may read or write (mode 0600 or stricter) holding at least
// deid.MinSecretLen bytes. The bytes are used exactly as stored, a trailing
// newline included, because every reporting hospital must derive the same
// patient keys from the same bytes. Errors wrap ErrSecret and never quote
// the content.
func LoadSecret(path string) ([]byte, error) {
	f, err := os.Open(filepath.Clean(path))
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrSecret, err)
	}
	defer func() { _ = f.Close() }()
	// Stat the open file, not the path, so the checks apply to what is read.
	info, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrSecret, err)
	}
	if !info.Mode().IsRegular() {
		return nil, fmt.Errorf("%w: %s is not a regular file", ErrSecret, path)
	}
	if perm := info.Mode().Perm(); perm&0o077 != 0 {
		return nil, fmt.Errorf("%w: %s has mode %v; allow no more than 0600", ErrSecret, path, perm)
	}
	secret, err := io.ReadAll(io.LimitReader(f, maxSecretBytes+1))
	if err != nil {
		return nil, fmt.Errorf("%w: read %s: %w", ErrSecret, path, err)
	}
	switch {
	case len(secret) < deid.MinSecretLen:
		return nil, fmt.Errorf("%w: %s holds fewer than %d bytes", ErrSecret, path, deid.MinSecretLen)
	case len(secret) > maxSecretBytes:
		return nil, fmt.Errorf("%w: %s holds more than %d bytes", ErrSecret, path, maxSecretBytes)
	}
	return secret, nil
}
