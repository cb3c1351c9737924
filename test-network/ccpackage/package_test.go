package ccpackage_test

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/govledger/govledger/test-network/ccpackage"
	"github.com/govledger/govledger/test-network/internal/testpki"
)

const tenderIndex = `{"index":{"fields":["docType",{"deadline":"desc"}]},"ddoc":"tenderDoc","name":"byDeadline","type":"json"}`

// entry is one tar member with the header fields determinism depends on.
type entry struct {
	Name     string
	Typeflag byte
	Mode     int64
	UID, GID int
	Uname    string
	Gname    string
	ModTime  time.Time
	Body     []byte
}

// readTarGz reads a gzip'd tar, checking the gzip header carries nothing
// that varies between builds.
func readTarGz(t *testing.T, data []byte) []entry {
	t.Helper()
	gz, err := gzip.NewReader(bytes.NewReader(data))
	require.NoError(t, err)
	require.Empty(t, gz.Name, "gzip header must not carry a file name")
	require.True(t, gz.ModTime.IsZero(), "gzip header must not carry a time")
	tr := tar.NewReader(gz)
	var entries []entry
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		require.NoError(t, err)
		body, err := io.ReadAll(tr)
		require.NoError(t, err)
		entries = append(entries, entry{
			Name: h.Name, Typeflag: h.Typeflag, Mode: h.Mode, UID: h.Uid, GID: h.Gid,
			Uname: h.Uname, Gname: h.Gname, ModTime: h.ModTime.UTC(), Body: body,
		})
	}
	return entries
}

// fabricLabel is persistence.LabelRegexp, copied so the test checks the
// package against Fabric's rule rather than against the code under test.
var fabricLabel = regexp.MustCompile(`^[[:alnum:]][[:alnum:]_.+-]*$`)

// parseLikeFabric applies the checks of Fabric's
// persistence.ParseChaincodePackage, which `peer lifecycle chaincode install`
// runs on the peer: regular files only, metadata.json decodes, code.tar.gz
// present, label valid.
func parseLikeFabric(pkg []byte) (label string, code []byte, err error) {
	gz, err := gzip.NewReader(bytes.NewReader(pkg))
	if err != nil {
		return "", nil, err
	}
	tr := tar.NewReader(gz)
	var md *struct {
		Type, Path, Label string
	}
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return "", nil, err
		}
		if h.Typeflag != tar.TypeReg {
			return "", nil, fmt.Errorf("tar entry %s is not a regular file", h.Name)
		}
		body, err := io.ReadAll(tr)
		if err != nil {
			return "", nil, err
		}
		switch h.Name {
		case "metadata.json":
			md = &struct{ Type, Path, Label string }{}
			if err := json.Unmarshal(body, md); err != nil {
				return "", nil, err
			}
		case "code.tar.gz":
			code = body
		}
	}
	if code == nil || md == nil {
		return "", nil, fmt.Errorf("package lacks code.tar.gz or metadata.json")
	}
	if !fabricLabel.MatchString(md.Label) {
		return "", nil, fmt.Errorf("invalid label %q", md.Label)
	}
	return md.Label, code, nil
}

// validPathLikeFabric is externalbuilder.ValidPath: the peer refuses to
// extract absolute or escaping names.
func validPathLikeFabric(name string) bool {
	clean := filepath.Clean(name)
	return !filepath.IsAbs(clean) && clean != ".." && !strings.HasPrefix(clean, "../")
}

func plainSpec() ccpackage.Spec {
	return ccpackage.Spec{
		Label:      "govledger_1.0",
		Connection: ccpackage.Connection{Address: "127.0.0.1:9999", DialTimeout: "10s"},
		Indexes:    map[string][]byte{"indexes/byDeadline.json": []byte(tenderIndex)},
	}
}

func TestBuildIsDeterministic(t *testing.T) {
	t.Run("gives byte-identical packages for equal specs", func(t *testing.T) {
		first, err := ccpackage.Build(plainSpec())
		require.NoError(t, err)
		second, err := ccpackage.Build(plainSpec())
		require.NoError(t, err)
		require.Equal(t, first, second)
	})
	t.Run("keeps the package ID of a known spec stable", func(t *testing.T) {
		pkg, err := ccpackage.Build(plainSpec())
		require.NoError(t, err)
		// Pinned: a change here changes every package ID the network derives.
		require.Equal(t,
			"govledger_1.0:8010134b894ad72753568ac381e25a72a6a6ed34db677900a63f919b9f9977b8",
			ccpackage.PackageID("govledger_1.0", pkg))
	})
	t.Run("does not depend on the order indexes were added", func(t *testing.T) {
		a := plainSpec()
		a.Indexes = map[string][]byte{}
		b := plainSpec()
		b.Indexes = map[string][]byte{}
		names := []string{"indexes/a.json", "indexes/b.json", "collections/bids/indexes/c.json", "indexes/d.json"}
		for i := range names {
			a.Indexes[names[i]] = []byte(tenderIndex)
			b.Indexes[names[len(names)-1-i]] = []byte(tenderIndex)
		}
		pa, err := ccpackage.Build(a)
		require.NoError(t, err)
		pb, err := ccpackage.Build(b)
		require.NoError(t, err)
		require.Equal(t, pa, pb)
	})
	t.Run("changes the package ID when the connection changes", func(t *testing.T) {
		spec := plainSpec()
		base, err := ccpackage.Build(spec)
		require.NoError(t, err)
		spec.Connection.Address = "127.0.0.1:9998"
		moved, err := ccpackage.Build(spec)
		require.NoError(t, err)
		require.NotEqual(t, ccpackage.PackageID(spec.Label, base), ccpackage.PackageID(spec.Label, moved))
	})
}

func TestPackageID(t *testing.T) {
	tests := []struct {
		name  string
		label string
		pkg   []byte
		want  string
	}{
		{
			name:  "is the label, a colon and the hex SHA-256 of the package",
			label: "mycc",
			pkg:   []byte("abc"),
			want:  "mycc:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
		},
		{
			name:  "hashes an empty package",
			label: "x",
			pkg:   nil,
			want:  "x:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.want, ccpackage.PackageID(tc.label, tc.pkg))
		})
	}
	t.Run("matches an independent hash of a built package", func(t *testing.T) {
		pkg, err := ccpackage.Build(plainSpec())
		require.NoError(t, err)
		sum := sha256.Sum256(pkg)
		require.Equal(t, "govledger_1.0:"+hex.EncodeToString(sum[:]), ccpackage.PackageID("govledger_1.0", pkg))
	})
}

func TestBuildLayout(t *testing.T) {
	pki := testpki.New(t)
	spec := ccpackage.Spec{
		Label: "procurement_2.1",
		Connection: ccpackage.Connection{
			Address: "procurement.cc.test:9999", TLSRequired: true, ClientAuthRequired: true,
			ClientKey: pki.ClientKey, ClientCert: pki.ClientCert, RootCert: pki.RootCert,
		},
		Indexes: map[string][]byte{
			"indexes/byDeadline.json":                []byte(tenderIndex),
			"collections/bids/indexes/byBidder.json": []byte(`{"index":{"fields":["bidder"]}}`),
		},
	}
	pkg, err := ccpackage.Build(spec)
	require.NoError(t, err)

	t.Run("passes the peer's install-time package parser", func(t *testing.T) {
		label, _, err := parseLikeFabric(pkg)
		require.NoError(t, err)
		require.Equal(t, spec.Label, label)
	})

	outer := readTarGz(t, pkg)
	epoch := time.Unix(0, 0).UTC()
	t.Run("holds exactly code.tar.gz and metadata.json, sorted, as fixed root-owned files", func(t *testing.T) {
		require.Len(t, outer, 2)
		require.Equal(t, "code.tar.gz", outer[0].Name)
		require.Equal(t, "metadata.json", outer[1].Name)
		for _, e := range outer {
			require.Equal(t, entry{Name: e.Name, Typeflag: tar.TypeReg, Mode: 0o644, ModTime: epoch, Body: e.Body}, e)
		}
	})
	t.Run("labels metadata.json with the ccaas type", func(t *testing.T) {
		require.JSONEq(t, `{"type":"ccaas","label":"procurement_2.1"}`, string(outer[1].Body))
	})

	inner := readTarGz(t, outer[0].Body)
	t.Run("puts indexes under META-INF/statedb/couchdb and connection.json at the root, sorted", func(t *testing.T) {
		var names []string
		for _, e := range inner {
			names = append(names, e.Name)
			require.True(t, validPathLikeFabric(e.Name), e.Name)
			require.Equal(t, entry{Name: e.Name, Typeflag: tar.TypeReg, Mode: 0o644, ModTime: epoch, Body: e.Body}, e)
		}
		require.Equal(t, []string{
			"META-INF/statedb/couchdb/collections/bids/indexes/byBidder.json",
			"META-INF/statedb/couchdb/indexes/byDeadline.json",
			"connection.json",
		}, names)
		require.Equal(t, tenderIndex, string(inner[1].Body))
	})
	t.Run("writes a connection.json that parses back to the spec", func(t *testing.T) {
		got, err := ccpackage.ParseConnection(inner[2].Body)
		require.NoError(t, err)
		require.Equal(t, spec.Connection, got)
	})
}

func TestBuildRejects(t *testing.T) {
	tests := []struct {
		name  string
		edit  func(*ccpackage.Spec)
		field string
	}{
		{"rejects an empty label", func(s *ccpackage.Spec) { s.Label = "" }, "label"},
		{"rejects a label the peer would refuse", func(s *ccpackage.Spec) { s.Label = "gov ledger:1" }, "label"},
		{"rejects a label starting with punctuation", func(s *ccpackage.Spec) { s.Label = "_govledger" }, "label"},
		{"rejects an invalid connection", func(s *ccpackage.Spec) { s.Connection.Address = "nowhere" }, "address"},
		{
			"rejects an index outside the places Fabric reads",
			func(s *ccpackage.Spec) { s.Indexes = map[string][]byte{"../escape.json": []byte(tenderIndex)} },
			"META-INF/statedb/couchdb/../escape.json",
		},
		{
			"rejects an index that is not JSON",
			func(s *ccpackage.Spec) { s.Indexes = map[string][]byte{"indexes/x.json": []byte("{")} },
			"META-INF/statedb/couchdb/indexes/x.json",
		},
		{
			"reports the first bad index in name order",
			func(s *ccpackage.Spec) {
				s.Indexes = map[string][]byte{"indexes/b.json": []byte("{"), "indexes/a.json": []byte("[]")}
			},
			"META-INF/statedb/couchdb/indexes/a.json",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			spec := plainSpec()
			tc.edit(&spec)
			pkg, err := ccpackage.Build(spec)
			require.Nil(t, pkg)
			require.ErrorIs(t, err, ccpackage.ErrInvalid)
			require.Equal(t, []string{tc.field}, fieldsOf(err))
		})
	}
}

func TestValidateIndex(t *testing.T) {
	tests := []struct {
		name       string
		path       string
		definition string
		wantRule   string // empty: valid
	}{
		{"accepts a chaincode-wide index", "indexes/byDeadline.json", tenderIndex, ""},
		{"accepts a collection index", "collections/private_bids/indexes/x.json", `{"index":{"fields":["bidder"]}}`, ""},
		{"accepts a partial filter selector", "indexes/x.json", `{"index":{"fields":["a"],"partial_filter_selector":{"a":1}}}`, ""},
		{"rejects a file without the .json extension", "indexes/x.txt", tenderIndex, "must be"},
		{"rejects a file outside indexes", "views/x.json", tenderIndex, "must be"},
		{"rejects a nested index folder", "indexes/deep/x.json", tenderIndex, "must be"},
		{"rejects an escaping path", "indexes/../../x.json", tenderIndex, "must be"},
		{"rejects a JSON array", "indexes/x.json", `[]`, "must be a JSON object"},
		{"rejects a definition without an index member", "indexes/x.json", `{"name":"x"}`, `must have an "index" member`},
		{"rejects an unknown member", "indexes/x.json", `{"index":{"fields":["a"]},"owner":"me"}`, `member "owner"`},
		{"rejects a type other than json", "indexes/x.json", `{"index":{"fields":["a"]},"type":"text"}`, `member "type"`},
		{"rejects a non-string ddoc", "indexes/x.json", `{"index":{"fields":["a"]},"ddoc":1}`, `member "ddoc"`},
		{"rejects empty fields", "indexes/x.json", `{"index":{"fields":[]}}`, `member "index"`},
		{"rejects an empty field name", "indexes/x.json", `{"index":{"fields":[""]}}`, `member "index"`},
		{"rejects a field that is neither a name nor a sort", "indexes/x.json", `{"index":{"fields":[7]}}`, `member "index"`},
		{"rejects a sort object with two fields", "indexes/x.json", `{"index":{"fields":[{"a":"asc","b":"asc"}]}}`, `member "index"`},
		{"rejects a sort order other than asc or desc", "indexes/x.json", `{"index":{"fields":[{"a":"up"}]}}`, `member "index"`},
		{"rejects an oversized definition", "indexes/x.json", `{"index":{"fields":["` + strings.Repeat("a", ccpackage.MaxIndexSize) + `"]}}`, "at most"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := ccpackage.ValidateIndex(tc.path, []byte(tc.definition))
			if tc.wantRule == "" {
				require.NoError(t, err)
				return
			}
			var fe *ccpackage.FieldError
			require.ErrorAs(t, err, &fe)
			require.ErrorIs(t, err, ccpackage.ErrInvalid)
			require.Equal(t, ccpackage.IndexDir+"/"+tc.path, fe.Field)
			require.Contains(t, fe.Rule, tc.wantRule)
		})
	}
}
