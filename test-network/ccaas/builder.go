// Package ccaas is a Fabric external builder for chaincode that runs as a
// service, written from Fabric's external builder protocol (docs/source
// cc_launcher.md and cc_service.md). The peer runs bin/detect, bin/build and
// bin/release in turn; because release hands back chaincode/server/
// connection.json, the peer dials the chaincode server and never calls run.
//
// Packages are the ones test-network/ccpackage builds: metadata.json of type
// "ccaas", and a code.tar.gz holding connection.json and, optionally, CouchDB
// indexes under META-INF/statedb/couchdb.
package ccaas

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/govledger/govledger/test-network/ccpackage"
)

// ErrNotDetected means the package is not for this builder; detect reports
// it with exit status 1 so the peer tries its next builder.
var ErrNotDetected = errors.New("not a chaincode-as-a-service package")

// FileError names the file a builder step could not read, accept or write.
type FileError struct {
	Path string
	Err  error
}

// Error prefixes every line of the cause with the path, because the peer
// logs builder stderr line by line and each line should stand on its own.
func (e *FileError) Error() string {
	lines := strings.Split(e.Err.Error(), "\n")
	for i, line := range lines {
		lines[i] = e.Path + ": " + line
	}
	return strings.Join(lines, "\n")
}

// Unwrap returns the cause, for errors.Is and errors.As.
func (e *FileError) Unwrap() error { return e.Err }

// ReleaseConnectionFile is where, below RELEASE_OUTPUT_DIR, the peer looks
// for the chaincode server's address (Fabric's
// externalbuilder.CCServerReleaseDir plus connection.json).
const ReleaseConnectionFile = "chaincode/server/connection.json"

// maxMetadataSize bounds metadata.json, which holds a type and a label.
const maxMetadataSize = 64 << 10

// Private key material may be in connection.json, so everything the builder
// writes is readable by the peer's user alone, as the peer's own folders are.
const (
	fileMode = 0o600
	dirMode  = 0o700
)

// Detect reports, with a nil error, whether the package whose metadata.json
// lies in metadataDir is a ccaas package: its "type" must be "ccaas" in any
// case. Any other type gives an error matching ErrNotDetected.
func Detect(metadataDir string) error {
	path := filepath.Join(metadataDir, ccpackage.MetadataFile)
	data, err := readRegular(path, maxMetadataSize)
	if err != nil {
		return &FileError{Path: path, Err: err}
	}
	var md struct {
		Type string `json:"type"`
	}
	if err := json.Unmarshal(data, &md); err != nil {
		return &FileError{Path: path, Err: &ccpackage.FieldError{Field: "type", Rule: "must be a string in a JSON object", Err: err}}
	}
	if !strings.EqualFold(md.Type, ccpackage.Type) {
		return &FileError{Path: path, Err: fmt.Errorf("%w: field \"type\" is %q, not %q", ErrNotDetected, md.Type, ccpackage.Type)}
	}
	return nil
}

// Build validates the extracted package in sourceDir and copies what release
// needs into outputDir: connection.json byte for byte, and META-INF when
// present, whose files must all be valid CouchDB index definitions.
func Build(sourceDir, metadataDir, outputDir string) error {
	if err := Detect(metadataDir); err != nil {
		return err
	}
	connection, err := readConnection(filepath.Join(sourceDir, ccpackage.ConnectionFile))
	if err != nil {
		return err
	}
	if err := writeFile(filepath.Join(outputDir, ccpackage.ConnectionFile), connection); err != nil {
		return err
	}
	return copyIndexes(filepath.Join(sourceDir, ccpackage.MetaInfDir), filepath.Join(outputDir, ccpackage.MetaInfDir))
}

// Release hands the peer what Build kept in buildDir: connection.json at
// ReleaseConnectionFile, and the contents of META-INF, when present, at the
// top of releaseDir, so indexes land in statedb/couchdb/... (the peer reads
// the release folder as if it were META-INF). Both are validated again,
// since buildDir is an input like any other.
func Release(buildDir, releaseDir string) error {
	connection, err := readConnection(filepath.Join(buildDir, ccpackage.ConnectionFile))
	if err != nil {
		return err
	}
	if err := writeFile(filepath.Join(releaseDir, filepath.FromSlash(ReleaseConnectionFile)), connection); err != nil {
		return err
	}
	return copyIndexes(filepath.Join(buildDir, ccpackage.MetaInfDir), releaseDir)
}

// readConnection returns connection.json's bytes once they parse and
// validate, so the copy the peer reads is exactly what the package carried.
func readConnection(path string) ([]byte, error) {
	data, err := readRegular(path, ccpackage.MaxConnectionSize)
	if err != nil {
		return nil, &FileError{Path: path, Err: err}
	}
	if _, err := ccpackage.ParseConnection(data); err != nil {
		return nil, &FileError{Path: path, Err: err}
	}
	return data, nil
}

// copyIndexes copies the index definitions below metaInf (a package's
// META-INF) to the same relative paths below dst; a missing metaInf is no
// error. Anything but a directory or a valid index file is refused, because
// Fabric would reject or ignore it and a symlink could point anywhere.
func copyIndexes(metaInf, dst string) error {
	if _, err := os.Lstat(metaInf); errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	return filepath.WalkDir(metaInf, func(path string, entry fs.DirEntry, walkErr error) error {
		if walkErr != nil {
			return &FileError{Path: path, Err: walkErr}
		}
		if entry.IsDir() {
			return nil
		}
		if !entry.Type().IsRegular() {
			return &FileError{Path: path, Err: fmt.Errorf("%w: must be a regular file or directory", ccpackage.ErrInvalid)}
		}
		rel, err := filepath.Rel(metaInf, path)
		if err != nil {
			return &FileError{Path: path, Err: err}
		}
		rel = filepath.ToSlash(rel)
		name, ok := strings.CutPrefix(rel, "statedb/couchdb/")
		if !ok {
			return &FileError{Path: path, Err: fmt.Errorf("%w: only %s/... may be below %s", ccpackage.ErrInvalid, ccpackage.IndexDir, ccpackage.MetaInfDir)}
		}
		data, err := readRegular(path, ccpackage.MaxIndexSize)
		if err != nil {
			return &FileError{Path: path, Err: err}
		}
		if err := ccpackage.ValidateIndex(name, data); err != nil {
			return &FileError{Path: path, Err: err}
		}
		return writeFile(filepath.Join(dst, filepath.FromSlash(rel)), data)
	})
}

// readRegular reads at most limit bytes from a regular file, refusing
// symlinks so a package cannot make the builder read outside its folders.
func readRegular(path string, limit int64) ([]byte, error) {
	info, err := os.Lstat(path)
	if err != nil {
		return nil, err
	}
	if !info.Mode().IsRegular() {
		return nil, fmt.Errorf("%w: must be a regular file", ccpackage.ErrInvalid)
	}
	f, err := os.Open(path) //nolint:gosec // G304: a file of the package the peer hands over; checked below to be the one Lstat saw
	if err != nil {
		return nil, err
	}
	defer func() { _ = f.Close() }() // read only: a failed close loses nothing
	// Lstat and Open look the path up twice: a symlink swapped in between
	// would otherwise redirect the read.
	opened, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !os.SameFile(info, opened) {
		return nil, fmt.Errorf("%w: changed while being read", ccpackage.ErrInvalid)
	}
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("%w: must be at most %d bytes", ccpackage.ErrInvalid, limit)
	}
	return data, nil
}

func writeFile(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), dirMode); err != nil {
		return &FileError{Path: path, Err: err}
	}
	if err := os.WriteFile(path, data, fileMode); err != nil {
		return &FileError{Path: path, Err: err}
	}
	return nil
}
