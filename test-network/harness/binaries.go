package harness

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
)

// toolModules are the Go modules that pin the commands the network runs,
// each with its commands. Fabric and Fabric CA need different versions of
// shared dependencies (viper), so each has a module of its own.
var toolModules = []struct {
	dir      string
	commands []string
}{
	{"test-network/tools/fabric", []string{
		"github.com/hyperledger/fabric/cmd/peer",
		"github.com/hyperledger/fabric/cmd/orderer",
		"github.com/hyperledger/fabric/cmd/configtxgen",
		"github.com/hyperledger/fabric/cmd/osnadmin",
	}},
	{"test-network/tools/fabric-ca", []string{
		"github.com/hyperledger/fabric-ca/cmd/fabric-ca-server",
		"github.com/hyperledger/fabric-ca/cmd/fabric-ca-client",
	}},
}

// Binaries locates the built Fabric commands and Fabric's sample node
// configuration (core.yaml, orderer.yaml) that node settings override.
type Binaries struct {
	Dir       string // peer, orderer, configtxgen, osnadmin, fabric-ca-server, fabric-ca-client
	ConfigDir string // core.yaml and orderer.yaml from the pinned Fabric's sampleconfig
}

// Path is the full path of a command.
func (b Binaries) Path(cmd string) string { return filepath.Join(b.Dir, cmd) }

// LocateBinaries says where the pinned Fabric commands of this checkout live:
// <root>/.cache/fabric/<pin>/, where <pin> is a hash of the tools module's
// go.mod and go.sum and of the Go version, so a changed pin builds afresh and
// an unchanged one never rebuilds.
func LocateBinaries(root string) (Binaries, error) {
	pin, err := pinHash(root)
	if err != nil {
		return Binaries{}, err
	}
	base := filepath.Join(root, ".cache", "fabric", pin)
	return Binaries{Dir: filepath.Join(base, "bin"), ConfigDir: filepath.Join(base, "config")}, nil
}

// Ensure builds the pinned Fabric commands and copies Fabric's sample node
// configuration unless they are there already.
func (b Binaries) Ensure(ctx context.Context, root string, log io.Writer) error {
	if b.complete() {
		return nil
	}
	_, _ = fmt.Fprintf(log, "building pinned Fabric binaries into %s (first time: a few minutes)\n", b.Dir)
	for _, m := range toolModules {
		args := append([]string{"build", "-trimpath", "-o", b.Dir + string(os.PathSeparator)}, m.commands...)
		if err := run(ctx, filepath.Join(root, m.dir), log, "go", args...); err != nil {
			return fmt.Errorf("build Fabric binaries: %w", err)
		}
	}
	out, err := output(ctx, filepath.Join(root, toolModules[0].dir), "go", "list", "-m", "-f", "{{.Dir}}", "github.com/hyperledger/fabric")
	if err != nil {
		return fmt.Errorf("locate Fabric module: %w", err)
	}
	for _, f := range []string{"core.yaml", "orderer.yaml"} {
		if err := copyFile(filepath.Join(strings.TrimSpace(out), "sampleconfig", f), filepath.Join(b.ConfigDir, f)); err != nil {
			return err
		}
	}
	return nil
}

func (b Binaries) complete() bool {
	for _, m := range toolModules {
		for _, c := range m.commands {
			if _, err := os.Stat(b.Path(filepath.Base(c))); err != nil {
				return false
			}
		}
	}
	for _, f := range []string{"core.yaml", "orderer.yaml"} {
		if _, err := os.Stat(filepath.Join(b.ConfigDir, f)); err != nil {
			return false
		}
	}
	return true
}

func pinHash(root string) (string, error) {
	h := sha256.New()
	for _, m := range toolModules {
		for _, f := range []string{"go.mod", "go.sum"} {
			data, err := os.ReadFile(filepath.Join(root, m.dir, f))
			if err != nil {
				return "", fmt.Errorf("read Fabric pin: %w", err)
			}
			h.Write(data)
		}
	}
	h.Write([]byte(runtime.Version()))
	return hex.EncodeToString(h.Sum(nil))[:16], nil
}

// BuildGo builds Go main packages of the repository into dir (go's build
// cache makes an unchanged package cheap to rebuild).
func BuildGo(ctx context.Context, root, dir string, log io.Writer, pkgs ...string) error {
	args := []string{"build", "-o", dir + string(os.PathSeparator)}
	for _, p := range pkgs {
		args = append(args, "./"+filepath.ToSlash(p))
	}
	return run(ctx, root, log, "go", args...)
}

func run(ctx context.Context, dir string, log io.Writer, name string, args ...string) error {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	var buf strings.Builder
	cmd.Stdout = &buf
	cmd.Stderr = &buf
	if err := cmd.Run(); err != nil {
		_, _ = fmt.Fprint(log, buf.String())
		return fmt.Errorf("%s %s: %w", name, strings.Join(args, " "), err)
	}
	return nil
}

func output(ctx context.Context, dir, name string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	out, err := cmd.Output()
	return string(out), err
}

func copyFile(src, dst string) error {
	data, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o750); err != nil {
		return err
	}
	return os.WriteFile(dst, data, 0o600)
}

// FindRoot returns the repository root: the nearest folder at or above the
// working directory whose go.mod declares the GovLedger module.
func FindRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if b, err := os.ReadFile(filepath.Join(dir, "go.mod")); err == nil && strings.Contains(string(b), "module github.com/govledger/govledger\n") {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("not inside the GovLedger repository")
		}
		dir = parent
	}
}
