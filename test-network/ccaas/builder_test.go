package ccaas_test

import (
	"encoding/json"
	"github.com/govledger/govledger/test-network/internal/testpki"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/govledger/govledger/test-network/ccaas"
	"github.com/govledger/govledger/test-network/ccpackage"
)

const (
	plainConnection = `{"address":"127.0.0.1:9999","dial_timeout":"10s","tls_required":false}`
	ccaasMetadata   = `{"type":"ccaas","label":"govledger_1.0"}`
	tenderIndex     = `{"index":{"fields":["docType","deadline"]},"ddoc":"tenderDoc","name":"byDeadline","type":"json"}`
	indexPath       = "META-INF/statedb/couchdb/indexes/byDeadline.json"
)

// writeTree creates files (slash-separated paths relative to dir).
func writeTree(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, body := range files {
		path := filepath.Join(dir, filepath.FromSlash(name))
		require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
		require.NoError(t, os.WriteFile(path, []byte(body), 0o644))
	}
}

func symlinkTo(t *testing.T, target, link string) {
	t.Helper()
	require.NoError(t, os.MkdirAll(filepath.Dir(link), 0o755))
	require.NoError(t, os.WriteFile(target, []byte(plainConnection), 0o644))
	require.NoError(t, os.Symlink(target, link))
}

// requireFileError checks err is about path and matches every target.
func requireFileError(t *testing.T, err error, path string, targets ...error) {
	t.Helper()
	var fe *ccaas.FileError
	require.ErrorAs(t, err, &fe)
	require.Equal(t, path, fe.Path)
	for _, target := range targets {
		require.ErrorIs(t, err, target)
	}
}

// requireField checks err carries a *ccpackage.FieldError for field.
func requireField(t *testing.T, err error, field string) {
	t.Helper()
	var fe *ccpackage.FieldError
	require.ErrorAs(t, err, &fe)
	require.Equal(t, field, fe.Field)
}

func mtlsConnection(t *testing.T, pki testpki.PKI) string {
	t.Helper()
	data, err := json.Marshal(ccpackage.Connection{ //nolint:gosec // G117: connection.json carries the (test) client key by design
		Address: "procurement.cc.test:9999", TLSRequired: true, ClientAuthRequired: true,
		ClientKey: pki.ClientKey, ClientCert: pki.ClientCert, RootCert: pki.RootCert,
	})
	require.NoError(t, err)
	return string(data)
}

func TestDetect(t *testing.T) {
	tests := []struct {
		name     string
		metadata *string // nil: no metadata.json
		symlink  bool
		want     []error // nil: detected
		field    string
	}{
		{name: "detects type ccaas", metadata: new(ccaasMetadata)},
		{name: "detects the type in any case", metadata: new(`{"type":"CCaaS","label":"x"}`)},
		{name: "declines a golang package", metadata: new(`{"type":"golang","path":"example.com/cc","label":"x"}`), want: []error{ccaas.ErrNotDetected}},
		{name: "declines a package without a type", metadata: new(`{"label":"x"}`), want: []error{ccaas.ErrNotDetected}},
		{name: "fails when metadata.json is missing", want: []error{fs.ErrNotExist}},
		{name: "fails on metadata.json that is not JSON", metadata: new(`{"type":`), want: []error{ccpackage.ErrInvalid}, field: "type"},
		{name: "fails on a type that is not a string", metadata: new(`{"type":["ccaas"]}`), want: []error{ccpackage.ErrInvalid}, field: "type"},
		{name: "refuses a symlinked metadata.json", symlink: true, want: []error{ccpackage.ErrInvalid}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "metadata.json")
			if tc.metadata != nil {
				writeTree(t, dir, map[string]string{"metadata.json": *tc.metadata})
			}
			if tc.symlink {
				symlinkTo(t, filepath.Join(t.TempDir(), "elsewhere.json"), path)
			}
			err := ccaas.Detect(dir)
			if tc.want == nil {
				require.NoError(t, err)
				return
			}
			requireFileError(t, err, path, tc.want...)
			if tc.field != "" {
				requireField(t, err, tc.field)
			}
		})
	}
}

func TestBuild(t *testing.T) {
	pki := testpki.New(t)
	mtls := mtlsConnection(t, pki)
	tests := []struct {
		name     string
		source   map[string]string
		metadata string
		setup    func(t *testing.T, src, out string)
		wantOut  map[string]string // relative to the output folder, on success
		errPath  string            // relative to the source folder ("out:" for the output)
		want     []error
		field    string
	}{
		{
			name:     "copies a plaintext connection.json byte for byte",
			source:   map[string]string{"connection.json": plainConnection},
			metadata: ccaasMetadata,
			wantOut:  map[string]string{"connection.json": plainConnection},
		},
		{
			name:     "copies a mutual TLS connection.json",
			source:   map[string]string{"connection.json": mtls},
			metadata: ccaasMetadata,
			wantOut:  map[string]string{"connection.json": mtls},
		},
		{
			name: "copies index definitions below META-INF",
			source: map[string]string{
				"connection.json": plainConnection,
				indexPath:         tenderIndex,
				"META-INF/statedb/couchdb/collections/bids/indexes/byBidder.json": `{"index":{"fields":["bidder"]}}`,
			},
			metadata: ccaasMetadata,
			wantOut: map[string]string{
				"connection.json": plainConnection,
				indexPath:         tenderIndex,
				"META-INF/statedb/couchdb/collections/bids/indexes/byBidder.json": `{"index":{"fields":["bidder"]}}`,
			},
		},
		{
			name:     "fails when the package is not ccaas",
			source:   map[string]string{"connection.json": plainConnection},
			metadata: `{"type":"golang"}`,
			errPath:  "md:metadata.json",
			want:     []error{ccaas.ErrNotDetected},
		},
		{
			name:     "fails when connection.json is missing",
			source:   map[string]string{"code.go": "package main"},
			metadata: ccaasMetadata,
			errPath:  "connection.json",
			want:     []error{fs.ErrNotExist},
		},
		{
			name:     "fails on connection.json that is not JSON",
			source:   map[string]string{"connection.json": `address: 127.0.0.1:9999`},
			metadata: ccaasMetadata,
			errPath:  "connection.json",
			want:     []error{ccpackage.ErrInvalid},
		},
		{
			name:     "fails on an oversized connection.json",
			source:   map[string]string{"connection.json": `{"address":"` + strings.Repeat("a", ccpackage.MaxConnectionSize) + `"}`},
			metadata: ccaasMetadata,
			errPath:  "connection.json",
			want:     []error{ccpackage.ErrInvalid},
		},
		{
			name:     "fails on connection.json without an address",
			source:   map[string]string{"connection.json": `{"tls_required":false}`},
			metadata: ccaasMetadata,
			errPath:  "connection.json",
			want:     []error{ccpackage.ErrInvalid},
			field:    "address",
		},
		{
			name: "fails on a root certificate that is not PEM",
			source: map[string]string{"connection.json": `{"address":"cc.test:9999","tls_required":true,` +
				`"root_cert":"-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n-----END CERTIFICATE-----\n"}`},
			metadata: ccaasMetadata,
			errPath:  "connection.json",
			want:     []error{ccpackage.ErrInvalid},
			field:    "root_cert",
		},
		{
			name: "fails on a client key that does not match the certificate",
			source: map[string]string{"connection.json": func() string {
				var c map[string]any
				require.NoError(t, json.Unmarshal([]byte(mtls), &c))
				c["client_key"] = pki.StrayKey
				data, err := json.Marshal(c)
				require.NoError(t, err)
				return string(data)
			}()},
			metadata: ccaasMetadata,
			errPath:  "connection.json",
			want:     []error{ccpackage.ErrInvalid},
			field:    "client_key",
		},
		{
			name:     "refuses a symlinked connection.json",
			metadata: ccaasMetadata,
			setup: func(t *testing.T, src, _ string) {
				symlinkTo(t, filepath.Join(t.TempDir(), "outside.json"), filepath.Join(src, "connection.json"))
			},
			errPath: "connection.json",
			want:    []error{ccpackage.ErrInvalid},
		},
		{
			name:     "refuses a META-INF file outside statedb/couchdb",
			source:   map[string]string{"connection.json": plainConnection, "META-INF/MANIFEST.MF": "x"},
			metadata: ccaasMetadata,
			errPath:  "META-INF/MANIFEST.MF",
			want:     []error{ccpackage.ErrInvalid},
		},
		{
			name:     "refuses an index that is not JSON",
			source:   map[string]string{"connection.json": plainConnection, indexPath: `{"index":`},
			metadata: ccaasMetadata,
			errPath:  indexPath,
			want:     []error{ccpackage.ErrInvalid},
			field:    indexPath,
		},
		{
			name:     "refuses an index file without the .json extension",
			source:   map[string]string{"connection.json": plainConnection, "META-INF/statedb/couchdb/indexes/x.txt": tenderIndex},
			metadata: ccaasMetadata,
			errPath:  "META-INF/statedb/couchdb/indexes/x.txt",
			want:     []error{ccpackage.ErrInvalid},
			field:    "META-INF/statedb/couchdb/indexes/x.txt",
		},
		{
			name:     "refuses a symlink inside META-INF",
			source:   map[string]string{"connection.json": plainConnection},
			metadata: ccaasMetadata,
			setup: func(t *testing.T, src, _ string) {
				symlinkTo(t, filepath.Join(t.TempDir(), "outside.json"), filepath.Join(src, filepath.FromSlash(indexPath)))
			},
			errPath: indexPath,
			want:    []error{ccpackage.ErrInvalid},
		},
		{
			name:     "fails when the output folder cannot be written",
			source:   map[string]string{"connection.json": plainConnection},
			metadata: ccaasMetadata,
			setup: func(t *testing.T, _, out string) {
				require.NoError(t, os.Remove(out))
				require.NoError(t, os.WriteFile(out, nil, 0o644))
			},
			errPath: "out:connection.json",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			src, md, out := t.TempDir(), t.TempDir(), t.TempDir()
			writeTree(t, src, tc.source)
			writeTree(t, md, map[string]string{"metadata.json": tc.metadata})
			if tc.setup != nil {
				tc.setup(t, src, out)
			}
			err := ccaas.Build(src, md, out)
			if tc.errPath == "" {
				require.NoError(t, err)
				requireTree(t, out, tc.wantOut)
				return
			}
			requireFileError(t, err, resolve(tc.errPath, src, md, out), tc.want...)
			if tc.field != "" {
				requireField(t, err, tc.field)
			}
		})
	}
}

func TestRelease(t *testing.T) {
	tests := []struct {
		name    string
		build   map[string]string
		wantOut map[string]string
		errPath string
		want    []error
		field   string
	}{
		{
			name:    "puts connection.json where the peer looks for the chaincode server",
			build:   map[string]string{"connection.json": plainConnection},
			wantOut: map[string]string{"chaincode/server/connection.json": plainConnection},
		},
		{
			name:  "releases indexes to statedb/couchdb as the peer expects",
			build: map[string]string{"connection.json": plainConnection, indexPath: tenderIndex},
			wantOut: map[string]string{
				"chaincode/server/connection.json":        plainConnection,
				"statedb/couchdb/indexes/byDeadline.json": tenderIndex,
			},
		},
		{
			name:    "fails when the build output has no connection.json",
			build:   map[string]string{indexPath: tenderIndex},
			errPath: "connection.json",
			want:    []error{fs.ErrNotExist},
		},
		{
			name:    "fails on an invalid connection.json in the build output",
			build:   map[string]string{"connection.json": `{"address":"127.0.0.1:99999"}`},
			errPath: "connection.json",
			want:    []error{ccpackage.ErrInvalid},
			field:   "address",
		},
		{
			name:    "fails on an invalid index in the build output",
			build:   map[string]string{"connection.json": plainConnection, indexPath: `{"index":{"fields":[]}}`},
			errPath: indexPath,
			want:    []error{ccpackage.ErrInvalid},
			field:   indexPath,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			bld, rel := t.TempDir(), t.TempDir()
			writeTree(t, bld, tc.build)
			err := ccaas.Release(bld, rel)
			if tc.errPath == "" {
				require.NoError(t, err)
				requireTree(t, rel, tc.wantOut)
				return
			}
			requireFileError(t, err, filepath.Join(bld, filepath.FromSlash(tc.errPath)), tc.want...)
			if tc.field != "" {
				requireField(t, err, tc.field)
			}
		})
	}
}

// resolve turns a test's error path into an absolute one: "md:" and "out:"
// prefixes pick the metadata or output folder, otherwise the source folder.
func resolve(rel, src, md, out string) string {
	dir := src
	if r, ok := strings.CutPrefix(rel, "md:"); ok {
		dir, rel = md, r
	} else if r, ok := strings.CutPrefix(rel, "out:"); ok {
		dir, rel = out, r
	}
	return filepath.Join(dir, filepath.FromSlash(rel))
}

// requireTree checks dir holds exactly files, each private to its owner.
func requireTree(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	got := map[string]string{}
	require.NoError(t, filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		require.NoError(t, err)
		if d.IsDir() {
			return nil
		}
		info, err := d.Info()
		require.NoError(t, err)
		require.Equal(t, fs.FileMode(0o600), info.Mode().Perm(), path)
		body, err := os.ReadFile(path)
		require.NoError(t, err)
		rel, err := filepath.Rel(dir, path)
		require.NoError(t, err)
		got[filepath.ToSlash(rel)] = string(body)
		return nil
	}))
	require.Equal(t, files, got)
}
