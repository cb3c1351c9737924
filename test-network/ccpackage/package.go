// Package ccpackage builds chaincode-as-a-service install packages that are
// byte-for-byte reproducible, so a chaincode's package ID is the same on every
// run and every machine, and defines connection.json, the document those
// packages carry to tell the peer where the chaincode server listens.
//
// The layout is what Fabric's persistence.ParseChaincodePackage accepts and
// what the external builder in test-network/ccaas consumes:
//
//	<label>.tar.gz
//	├── code.tar.gz
//	│   ├── META-INF/statedb/couchdb/...   optional CouchDB index definitions
//	│   └── connection.json
//	└── metadata.json                      {"type":"ccaas","label":"<label>"}
package ccpackage

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"time"
)

// Names inside a package, fixed by Fabric and by the ccaas builder.
const (
	// MetadataFile is the package's top-level metadata document.
	MetadataFile = "metadata.json"
	// CodePackageFile is the inner archive the peer extracts for builders.
	CodePackageFile = "code.tar.gz"
	// ConnectionFile sits at the root of code.tar.gz.
	ConnectionFile = "connection.json"
	// MetaInfDir holds state database metadata inside code.tar.gz; Fabric reads
	// CouchDB indexes from META-INF/statedb/couchdb.
	MetaInfDir = "META-INF"
	// Type is the metadata.json type the ccaas builder detects.
	Type = "ccaas"
)

// Metadata is metadata.json. Fabric only reads Label (for the package ID);
// Type is what the external builder's detect step matches.
type Metadata struct {
	Type  string `json:"type"`
	Label string `json:"label"`
}

// Spec is everything that goes into one package.
type Spec struct {
	// Label names the package and prefixes its package ID.
	Label string
	// Connection is written as code.tar.gz/connection.json.
	Connection Connection
	// Indexes maps a path below IndexDir — for example
	// "indexes/byAgency.json" or "collections/bids/indexes/byBidder.json" — to
	// a CouchDB index definition (see ValidateIndex).
	Indexes map[string][]byte
}

// labelPattern is Fabric's persistence.LabelRegexp; the peer refuses to
// install a package whose label does not match.
var labelPattern = regexp.MustCompile(`^[[:alnum:]][[:alnum:]_.+-]*$`)

// ValidateLabel applies the rule the peer applies at install time.
func ValidateLabel(label string) error {
	if !labelPattern.MatchString(label) {
		return &FieldError{Field: "label", Rule: "must start with a letter or digit and contain only letters, digits and . + - _"}
	}
	return nil
}

// PackageID is the identifier the peer assigns on install: the label, a colon
// and the hex SHA-256 of the whole package file, as Fabric's
// persistence.PackageID computes it.
func PackageID(label string, pkg []byte) string {
	sum := sha256.Sum256(pkg)
	return label + ":" + hex.EncodeToString(sum[:])
}

// Build validates spec and returns the package bytes. Equal specs give equal
// bytes: entries are sorted, owners, times and modes are fixed, and the gzip
// headers carry no name or time. The gzip stream depends on Go's
// compress/flate, so a Go upgrade could, in principle, change package IDs.
func Build(spec Spec) ([]byte, error) {
	if err := ValidateLabel(spec.Label); err != nil {
		return nil, err
	}
	if err := spec.Connection.Validate(); err != nil {
		return nil, err
	}
	// The client key belongs in connection.json: it is the key the peer
	// presents to the chaincode server, in Fabric's CCaaS format.
	connection, err := json.MarshalIndent(spec.Connection, "", "  ") //nolint:gosec // G117: the format requires the key
	if err != nil {
		return nil, fmt.Errorf("encode %s: %w", ConnectionFile, err)
	}
	code := map[string][]byte{ConnectionFile: append(connection, '\n')}
	// Sorted so that, of several bad indexes, the same one is reported.
	for _, name := range slices.Sorted(maps.Keys(spec.Indexes)) {
		index := spec.Indexes[name]
		if err := ValidateIndex(name, index); err != nil {
			return nil, err
		}
		code[IndexDir+"/"+name] = index
	}
	codeArchive, err := tarGz(code)
	if err != nil {
		return nil, fmt.Errorf("write %s: %w", CodePackageFile, err)
	}
	metadata, err := json.Marshal(Metadata{Type: Type, Label: spec.Label})
	if err != nil {
		return nil, fmt.Errorf("encode %s: %w", MetadataFile, err)
	}
	pkg, err := tarGz(map[string][]byte{MetadataFile: metadata, CodePackageFile: codeArchive})
	if err != nil {
		return nil, fmt.Errorf("write package: %w", err)
	}
	return pkg, nil
}

// epoch is the modification time of every entry; a fixed time keeps the
// archive independent of when it was built.
var epoch = time.Unix(0, 0).UTC()

// tarGz writes files as regular 0644 root-owned USTAR entries in byte order
// of their names. Parent directories get no entries of their own: Fabric's
// extractor creates them.
func tarGz(files map[string][]byte) ([]byte, error) {
	var buf bytes.Buffer
	gz, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		return nil, err
	}
	tw := tar.NewWriter(gz)
	for _, name := range slices.Sorted(maps.Keys(files)) {
		header := &tar.Header{
			Typeflag: tar.TypeReg,
			Name:     name,
			Size:     int64(len(files[name])),
			Mode:     0o644,
			ModTime:  epoch,
			Format:   tar.FormatUSTAR,
		}
		if err := tw.WriteHeader(header); err != nil {
			return nil, fmt.Errorf("header %s: %w", name, err)
		}
		if _, err := tw.Write(files[name]); err != nil {
			return nil, fmt.Errorf("content %s: %w", name, err)
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	if err := gz.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
