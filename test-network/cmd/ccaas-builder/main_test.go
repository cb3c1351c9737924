package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/govledger/govledger/test-network/ccaas"
	"github.com/govledger/govledger/test-network/ccpackage"
)

const tenderIndex = `{"index":{"fields":["docType","deadline"]},"ddoc":"tenderDoc","name":"byDeadline","type":"json"}`

// buildBinary compiles this command once for the test.
func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "ccaas-builder")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	require.NoError(t, err, string(out))
	return bin
}

// installBuilder lays the binary out as a peer's externalBuilders path
// expects: <dir>/bin/{detect,build,release}, as symlinks.
func installBuilder(t *testing.T, bin string) string {
	t.Helper()
	dir := t.TempDir()
	require.NoError(t, os.Mkdir(filepath.Join(dir, "bin"), 0o755))
	for _, name := range []string{"detect", "build", "release"} {
		require.NoError(t, os.Symlink(bin, filepath.Join(dir, "bin", name)))
	}
	return dir
}

// buildContext is the scratch layout the peer's externalbuilder creates for
// one package: the code extracted into src, metadata.json into metadata, and
// empty bld and release folders.
type buildContext struct {
	Src, Metadata, Bld, Release string
}

// unpack does what the peer does on install and build: split the package,
// write metadata.json verbatim, and extract code.tar.gz (regular files and
// folders only, no escaping paths).
func unpack(t *testing.T, pkg []byte) buildContext {
	t.Helper()
	root := t.TempDir()
	bc := buildContext{
		Src:      filepath.Join(root, "src"),
		Metadata: filepath.Join(root, "metadata"),
		Bld:      filepath.Join(root, "bld"),
		Release:  filepath.Join(root, "release"),
	}
	for _, dir := range []string{bc.Src, bc.Metadata, bc.Bld, bc.Release} {
		require.NoError(t, os.Mkdir(dir, 0o700))
	}
	files := untar(t, pkg)
	require.NoError(t, os.WriteFile(filepath.Join(bc.Metadata, "metadata.json"), files["metadata.json"], 0o700))
	for name, body := range untar(t, files["code.tar.gz"]) {
		require.False(t, filepath.IsAbs(name) || strings.HasPrefix(filepath.Clean(name), ".."), name)
		path := filepath.Join(bc.Src, filepath.FromSlash(name))
		require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o700))
		require.NoError(t, os.WriteFile(path, body, 0o644))
	}
	return bc
}

func untar(t *testing.T, data []byte) map[string][]byte {
	t.Helper()
	gz, err := gzip.NewReader(bytes.NewReader(data))
	require.NoError(t, err)
	tr := tar.NewReader(gz)
	files := map[string][]byte{}
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return files
		}
		require.NoError(t, err)
		require.Equal(t, byte(tar.TypeReg), h.Typeflag, h.Name)
		files[h.Name], err = io.ReadAll(tr)
		require.NoError(t, err)
	}
}

// run starts a builder program the way the peer does: by path, with only
// PATH propagated, and returns its exit status and stderr.
func run(t *testing.T, program string, args ...string) (int, string) {
	t.Helper()
	cmd := exec.Command(program, args...)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH")}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return exit.ExitCode(), stderr.String()
	}
	require.NoError(t, err)
	return 0, stderr.String()
}

func TestBuilderBinary(t *testing.T) {
	bin := buildBinary(t)
	builder := installBuilder(t, bin)
	detect := filepath.Join(builder, "bin", "detect")
	build := filepath.Join(builder, "bin", "build")
	release := filepath.Join(builder, "bin", "release")

	spec := ccpackage.Spec{
		Label:      "procurement_1.0",
		Connection: ccpackage.Connection{Address: "127.0.0.1:9999", DialTimeout: "5s"},
		Indexes:    map[string][]byte{"indexes/byDeadline.json": []byte(tenderIndex)},
	}
	pkg, err := ccpackage.Build(spec)
	require.NoError(t, err)

	t.Run("detects, builds and releases a ccaas package end to end", func(t *testing.T) {
		bc := unpack(t, pkg)
		code, stderr := run(t, detect, bc.Src, bc.Metadata)
		require.Equal(t, ccaas.ExitOK, code, stderr)
		code, stderr = run(t, build, bc.Src, bc.Metadata, bc.Bld)
		require.Equal(t, ccaas.ExitOK, code, stderr)
		code, stderr = run(t, release, bc.Bld, bc.Release)
		require.Equal(t, ccaas.ExitOK, code, stderr)

		released, err := os.ReadFile(filepath.Join(bc.Release, "chaincode", "server", "connection.json"))
		require.NoError(t, err)
		got, err := ccpackage.ParseConnection(released)
		require.NoError(t, err)
		require.Equal(t, spec.Connection, got)
		index, err := os.ReadFile(filepath.Join(bc.Release, "statedb", "couchdb", "indexes", "byDeadline.json"))
		require.NoError(t, err)
		require.Equal(t, tenderIndex, string(index))
	})

	t.Run("works from a copy as well as a symlink", func(t *testing.T) {
		body, err := os.ReadFile(bin)
		require.NoError(t, err)
		copied := filepath.Join(t.TempDir(), "detect")
		require.NoError(t, os.WriteFile(copied, body, 0o755))
		bc := unpack(t, pkg)
		code, stderr := run(t, copied, bc.Src, bc.Metadata)
		require.Equal(t, ccaas.ExitOK, code, stderr)
	})

	t.Run("declines a package of another type with status 1", func(t *testing.T) {
		bc := unpack(t, pkg)
		require.NoError(t, os.WriteFile(filepath.Join(bc.Metadata, "metadata.json"), []byte(`{"type":"golang","label":"x"}`), 0o600))
		code, stderr := run(t, detect, bc.Src, bc.Metadata)
		require.Equal(t, ccaas.ExitFailure, code)
		require.Contains(t, stderr, `"golang"`)
	})

	t.Run("fails the build on a bad connection.json, naming file and field", func(t *testing.T) {
		bc := unpack(t, pkg)
		connection := filepath.Join(bc.Src, "connection.json")
		require.NoError(t, os.WriteFile(connection, []byte(`{"address":"127.0.0.1:9999","tls_required":true}`), 0o600))
		code, stderr := run(t, build, bc.Src, bc.Metadata, bc.Bld)
		require.Equal(t, ccaas.ExitFailure, code)
		require.Contains(t, stderr, connection)
		require.Contains(t, stderr, `field "root_cert"`)
	})

	t.Run("fails the release when build left nothing", func(t *testing.T) {
		bc := unpack(t, pkg)
		code, stderr := run(t, release, bc.Bld, bc.Release)
		require.Equal(t, ccaas.ExitFailure, code)
		require.Contains(t, stderr, filepath.Join(bc.Bld, "connection.json"))
	})

	t.Run("refuses to run under any other name", func(t *testing.T) {
		code, stderr := run(t, bin, "a", "b")
		require.Equal(t, ccaas.ExitUsage, code)
		require.Contains(t, stderr, "bin/detect")
	})
}
