package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

// watched is a process whose memory and CPU the monitor samples.
type watched struct {
	Name string
	Kind string // ca, orderer, peer, chaincode, gateway or bench
	PID  func() (int, error)
}

// monitor samples the resident memory of every watched process from
// /proc, keeping the peak over the whole run and over the current window,
// so a phase (the gateway at 256 clients) can report its own peak.
type monitor struct {
	mu     sync.Mutex
	procs  []watched
	peak   map[string]int64
	window map[string]int64
}

func newMonitor(procs []watched) *monitor {
	return &monitor{procs: procs, peak: map[string]int64{}, window: map[string]int64{}}
}

// add watches more processes, e.g. gateways started after the network.
func (m *monitor) add(procs ...watched) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.procs = append(m.procs, procs...)
}

// run samples every interval until ctx ends.
func (m *monitor) run(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		m.sample()
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func (m *monitor) sample() {
	m.mu.Lock()
	procs := append([]watched(nil), m.procs...)
	m.mu.Unlock()
	rss := map[string]int64{}
	for _, p := range procs {
		pid, err := p.PID()
		if err != nil {
			continue
		}
		if v, err := readRSS(pid); err == nil {
			rss[p.Name] = v
		}
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	for name, v := range rss {
		m.peak[name] = max(m.peak[name], v)
		m.window[name] = max(m.window[name], v)
	}
}

// startWindow forgets the current window's peaks.
func (m *monitor) startWindow() {
	m.sample()
	m.mu.Lock()
	defer m.mu.Unlock()
	m.window = map[string]int64{}
}

// windowPeaks returns each process's peak since startWindow.
func (m *monitor) windowPeaks() map[string]int64 {
	m.sample()
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make(map[string]int64, len(m.window))
	for k, v := range m.window {
		out[k] = v
	}
	return out
}

// peaks returns each process's peak over the run and its kind.
func (m *monitor) peaks() (map[string]int64, map[string]string) {
	m.sample()
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make(map[string]int64, len(m.peak))
	kinds := map[string]string{}
	for k, v := range m.peak {
		out[k] = v
	}
	for _, p := range m.procs {
		kinds[p.Name] = p.Kind
	}
	return out, kinds
}

// cpu returns the CPU time (user + system) each process has used so far,
// summed by kind, so a phase's cost per operation can be split between the
// gateway, the peers, the orderers, the chaincode servers and the load
// generator itself.
func (m *monitor) cpu() map[string]time.Duration {
	m.mu.Lock()
	procs := append([]watched(nil), m.procs...)
	m.mu.Unlock()
	out := map[string]time.Duration{}
	for _, p := range procs {
		pid, err := p.PID()
		if err != nil {
			continue
		}
		if d, err := readCPU(pid); err == nil {
			out[p.Kind] += d
		}
	}
	return out
}

// readRSS reads VmRSS from /proc/<pid>/status, in bytes.
func readRSS(pid int) (int64, error) {
	b, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "status"))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			if err != nil {
				return 0, fmt.Errorf("parse VmRSS of pid %d: %w", pid, err)
			}
			return kb * 1024, nil
		}
	}
	return 0, fmt.Errorf("no VmRSS for pid %d", pid)
}

// clockTick is USER_HZ, the unit of utime and stime in /proc/<pid>/stat;
// it is 100 on every Linux architecture Go supports.
const clockTick = 10 * time.Millisecond

var errStat = errors.New("unexpected /proc/<pid>/stat format")

// readCPU reads utime + stime from /proc/<pid>/stat.
func readCPU(pid int) (time.Duration, error) {
	b, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "stat"))
	if err != nil {
		return 0, err
	}
	return parseStatCPU(b)
}

// parseStatCPU extracts utime + stime. The command name in parentheses may
// hold spaces, so fields are counted after its closing parenthesis: state
// is field 3, utime 14 and stime 15.
func parseStatCPU(stat []byte) (time.Duration, error) {
	i := bytes.LastIndexByte(stat, ')')
	if i < 0 {
		return 0, errStat
	}
	f := strings.Fields(string(stat[i+1:]))
	if len(f) < 13 {
		return 0, errStat
	}
	utime, err1 := strconv.ParseInt(f[11], 10, 64)
	stime, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, errStat
	}
	return time.Duration(utime+stime) * clockTick, nil
}

func selfPID() (int, error) { return os.Getpid(), nil }
