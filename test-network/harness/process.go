package harness

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Process is one long-running node of the network (CA, orderer, peer or
// chaincode server). It runs detached from the command that started it, so a
// network brought up by `make network-up` outlives that command; its PID is
// kept in a file so that only this exact process is ever stopped.
type Process struct {
	// Name is unique in the network, e.g. "peer0.procurement".
	Name string
	// Kind is "ca", "orderer", "peer" or "chaincode".
	Kind string
	// Path is the executable.
	Path string
	Args []string
	Env  []string
	Dir  string
	// Address is what the process serves (host:port), for status output.
	Address string
	// Health is the URL of its /healthz endpoint, if it has one.
	Health string
}

// ErrNotRunning says a process has no live PID.
var ErrNotRunning = errors.New("not running")

func (p *Process) pidFile(state string) string { return filepath.Join(state, "pids", p.Name+".pid") }

func (p *Process) exitFile(state string) string { return filepath.Join(state, "logs", p.Name+".exit") }

// ExitStatus says how the process ended ("exit status 1", "signal: killed"),
// when the process that started it saw it end; empty otherwise.
func (p *Process) ExitStatus(state string) string {
	b, err := os.ReadFile(p.exitFile(state))
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(b))
}

// LogFile is where the process's standard output and error go.
func (p *Process) LogFile(state string) string { return filepath.Join(state, "logs", p.Name+".log") }

// Start launches the process detached (its own session) with output appended
// to its log file, and records its PID.
func (p *Process) Start(state string) error {
	for _, d := range []string{filepath.Dir(p.pidFile(state)), filepath.Dir(p.LogFile(state))} {
		if err := os.MkdirAll(d, 0o750); err != nil {
			return err
		}
	}
	logf, err := os.OpenFile(p.LogFile(state), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return fmt.Errorf("start %s: %w", p.Name, err)
	}
	// The child writes through its own descriptor: closing ours cannot lose
	// its output.
	defer func() { _ = logf.Close() }()
	cmd := exec.Command(p.Path, p.Args...)
	cmd.Env = p.Env
	cmd.Dir = p.Dir
	cmd.Stdout = logf
	cmd.Stderr = logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start %s: %w", p.Name, err)
	}
	pid := cmd.Process.Pid
	// Reap the child if it exits while this process is still alive, so it
	// does not linger as a zombie, and note how it ended next to its log.
	go func() {
		_ = cmd.Wait()
		_ = os.WriteFile(p.exitFile(state), []byte(cmd.ProcessState.String()+"\n"), 0o600)
	}()
	// The executable is recorded with the PID: a later PID check compares it
	// with what runs under that PID, even after the binaries were rebuilt
	// elsewhere (a changed pin).
	return os.WriteFile(p.pidFile(state), []byte(strconv.Itoa(pid)+"\n"+p.Path+"\n"), 0o600)
}

// PID returns the live PID of the process, or ErrNotRunning. A PID whose
// process no longer runs the recorded executable (the PID was reused) counts
// as not running, so Stop can never signal a stranger.
func (p *Process) PID(state string) (int, error) {
	b, err := os.ReadFile(p.pidFile(state))
	if errors.Is(err, os.ErrNotExist) {
		return 0, ErrNotRunning
	}
	if err != nil {
		return 0, err
	}
	pidText, exePath, _ := strings.Cut(strings.TrimSpace(string(b)), "\n")
	pid, err := strconv.Atoi(pidText)
	if err != nil || pid <= 0 || exePath == "" {
		return 0, fmt.Errorf("%s: corrupt pid file: %w", p.Name, ErrNotRunning)
	}
	cmdline, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "cmdline"))
	if err != nil {
		return 0, ErrNotRunning
	}
	exe, _, _ := bytes.Cut(cmdline, []byte{0})
	if string(exe) != exePath {
		return 0, ErrNotRunning
	}
	stat, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "stat"))
	if err == nil && isZombie(stat) {
		return 0, ErrNotRunning
	}
	return pid, nil
}

func isZombie(stat []byte) bool {
	// Format: pid (comm) state ...; comm may hold spaces, so find the last ')'.
	i := bytes.LastIndexByte(stat, ')')
	return i >= 0 && i+2 < len(stat) && stat[i+2] == 'Z'
}

// Running reports whether the process is alive.
func (p *Process) Running(state string) bool {
	_, err := p.PID(state)
	return err == nil
}

// Stop sends SIGTERM to the recorded PID, waits up to grace for it to exit,
// then sends SIGKILL. A process that is not running is not an error.
func (p *Process) Stop(state string, grace time.Duration) error {
	pid, err := p.PID(state)
	if errors.Is(err, ErrNotRunning) {
		_ = os.Remove(p.pidFile(state))
		return nil
	}
	if err != nil {
		return err
	}
	if err := syscall.Kill(pid, syscall.SIGTERM); err != nil && !errors.Is(err, syscall.ESRCH) {
		return fmt.Errorf("stop %s (pid %d): %w", p.Name, pid, err)
	}
	deadline := time.Now().Add(grace)
	for time.Now().Before(deadline) {
		if !p.Running(state) {
			return os.Remove(p.pidFile(state))
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil && !errors.Is(err, syscall.ESRCH) {
		return fmt.Errorf("kill %s (pid %d): %w", p.Name, pid, err)
	}
	for i := 0; i < 100 && p.Running(state); i++ {
		time.Sleep(20 * time.Millisecond)
	}
	return os.Remove(p.pidFile(state))
}

// Kill sends SIGKILL at once: tests use it to simulate a crashed node.
func (p *Process) Kill(state string) error {
	pid, err := p.PID(state)
	if err != nil {
		return err
	}
	return syscall.Kill(pid, syscall.SIGKILL)
}

// RSS returns the resident set size of the running process in bytes.
func (p *Process) RSS(state string) (int64, error) {
	pid, err := p.PID(state)
	if err != nil {
		return 0, err
	}
	b, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "status"))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			if err != nil {
				return 0, fmt.Errorf("parse VmRSS of %s: %w", p.Name, err)
			}
			return kb * 1024, nil
		}
	}
	return 0, fmt.Errorf("no VmRSS for %s", p.Name)
}
