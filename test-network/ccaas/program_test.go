package ccaas_test

import (
	"bytes"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/govledger/govledger/test-network/ccaas"
)

func TestMainExitStatus(t *testing.T) {
	src, md, bld, rel := t.TempDir(), t.TempDir(), t.TempDir(), t.TempDir()
	writeTree(t, src, map[string]string{"connection.json": plainConnection})
	writeTree(t, md, map[string]string{"metadata.json": ccaasMetadata})
	built := t.TempDir()
	writeTree(t, built, map[string]string{"connection.json": plainConnection})
	golang := t.TempDir()
	writeTree(t, golang, map[string]string{"metadata.json": `{"type":"golang"}`})
	broken := t.TempDir()
	writeTree(t, broken, map[string]string{"connection.json": `{"address":"nowhere"}`})

	tests := []struct {
		name    string
		program string
		args    []string
		want    int
		stderr  []string // substrings; none when empty
	}{
		{name: "detect succeeds on a ccaas package", program: "detect", args: []string{src, md}, want: ccaas.ExitOK},
		{name: "build succeeds on a valid package", program: "build", args: []string{src, md, bld}, want: ccaas.ExitOK},
		{name: "release succeeds on build output", program: "release", args: []string{built, rel}, want: ccaas.ExitOK},
		{
			name: "detect declines another type with status 1", program: "detect", args: []string{src, golang}, want: ccaas.ExitFailure,
			stderr: []string{filepath.Join(golang, "metadata.json"), `"golang"`},
		},
		{
			name: "build names the file and field it rejects", program: "build", args: []string{broken, md, t.TempDir()}, want: ccaas.ExitFailure,
			stderr: []string{"build failed", filepath.Join(broken, "connection.json"), `field "address"`},
		},
		{
			name: "release fails on an empty build folder", program: "release", args: []string{t.TempDir(), t.TempDir()}, want: ccaas.ExitFailure,
			stderr: []string{"release failed", "connection.json"},
		},
		{
			name: "refuses an unknown program name", program: "ccaas-builder", args: []string{src, md}, want: ccaas.ExitUsage,
			stderr: []string{`"ccaas-builder"`, "bin/detect"},
		},
		{
			name: "refuses a missing argument", program: "build", args: []string{src, md}, want: ccaas.ExitUsage,
			stderr: []string{"usage: build CHAINCODE_SOURCE_DIR CHAINCODE_METADATA_DIR BUILD_OUTPUT_DIR"},
		},
		{
			name: "refuses an empty argument", program: "release", args: []string{built, ""}, want: ccaas.ExitUsage,
			stderr: []string{"RELEASE_OUTPUT_DIR must not be empty"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var stderr bytes.Buffer
			require.Equal(t, tc.want, ccaas.Main(tc.program, tc.args, &stderr))
			if len(tc.stderr) == 0 {
				require.Empty(t, stderr.String())
			}
			for _, s := range tc.stderr {
				require.Contains(t, stderr.String(), s)
			}
		})
	}
}
