// Package loadgen drives a fixed number of concurrent clients against a
// transaction function for a bounded time and summarises what committed:
// throughput, latency percentiles and errors by kind. Benchmarks of the
// network, the gateway and each contract share it so their figures compare.
package loadgen

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sort"
	"sync"
	"time"
)

// Op performs one operation for client number client, iteration i. It
// returns an error kind ("" on success) so results can be grouped without
// comparing error strings.
type Op func(ctx context.Context, client, i int) (kind string, err error)

// Config bounds a run.
type Config struct {
	Name        string
	Concurrency int
	// Duration is how long clients keep starting operations; Warmup runs
	// before it and is not counted.
	Duration time.Duration
	Warmup   time.Duration
	// MaxOps stops the run early once this many operations were counted
	// (0: no limit).
	MaxOps int
}

// Result is one run's summary, as written to bench/results.
type Result struct {
	Name        string         `json:"name"`
	Concurrency int            `json:"concurrency"`
	Ops         int            `json:"ops"`
	Seconds     float64        `json:"seconds"`
	TPS         float64        `json:"tps"`
	P50ms       float64        `json:"p50_ms"`
	P95ms       float64        `json:"p95_ms"`
	P99ms       float64        `json:"p99_ms"`
	Errors      int            `json:"errors"`
	ErrorKinds  map[string]int `json:"error_kinds,omitempty"`
	// FirstError is one error message, to explain a non-zero Errors.
	FirstError string `json:"first_error,omitempty"`
}

// ErrConfig reports an unusable Config.
var ErrConfig = errors.New("loadgen: invalid config")

// Run executes op with cfg.Concurrency clients and summarises the counted
// operations; only operations that started after the warm-up and completed
// count, so throughput is committed operations per second of the window.
func Run(ctx context.Context, cfg Config, op Op) (Result, error) {
	if cfg.Concurrency < 1 || cfg.Duration <= 0 || cfg.Warmup < 0 {
		return Result{}, fmt.Errorf("%w: concurrency %d, duration %s, warmup %s", ErrConfig, cfg.Concurrency, cfg.Duration, cfg.Warmup)
	}
	start := time.Now()
	countFrom := start.Add(cfg.Warmup)
	stopAt := countFrom.Add(cfg.Duration)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	var (
		mu        sync.Mutex
		latencies []time.Duration
		kinds     = map[string]int{}
		errCount  int
		firstErr  string
		counted   int
		lastEnd   time.Time
	)
	var wg sync.WaitGroup
	for c := 0; c < cfg.Concurrency; c++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ctx.Err() == nil; i++ {
				t0 := time.Now()
				if !t0.Before(stopAt) {
					return
				}
				kind, err := op(ctx, c, i)
				t1 := time.Now()
				if t0.Before(countFrom) {
					continue
				}
				mu.Lock()
				counted++
				if t1.After(lastEnd) {
					lastEnd = t1
				}
				if kind != "" || err != nil {
					errCount++
					kinds[or(kind, "error")]++
					if firstErr == "" && err != nil {
						firstErr = err.Error()
					}
				} else {
					latencies = append(latencies, t1.Sub(t0))
				}
				if cfg.MaxOps > 0 && counted >= cfg.MaxOps {
					cancel()
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	window := lastEnd.Sub(countFrom).Seconds()
	if window <= 0 {
		window = cfg.Duration.Seconds()
	}
	sort.Slice(latencies, func(i, j int) bool { return latencies[i] < latencies[j] })
	r := Result{
		Name: cfg.Name, Concurrency: cfg.Concurrency, Ops: len(latencies), Seconds: round(window),
		TPS:   round(float64(len(latencies)) / window),
		P50ms: ms(percentile(latencies, 50)), P95ms: ms(percentile(latencies, 95)), P99ms: ms(percentile(latencies, 99)),
		Errors: errCount, FirstError: firstErr,
	}
	if len(kinds) > 0 {
		r.ErrorKinds = kinds
	}
	return r, nil
}

// percentile uses the nearest-rank method on sorted samples.
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	// Clamped both ways so that p outside 0..100 (or NaN) cannot index
	// outside the samples.
	rank := int(math.Ceil(p / 100 * float64(len(sorted))))
	rank = min(max(rank, 1), len(sorted))
	return sorted[rank-1]
}

func ms(d time.Duration) float64 { return round(float64(d) / float64(time.Millisecond)) }

func round(f float64) float64 { return math.Round(f*100) / 100 }

func or(s, def string) string {
	if s != "" {
		return s
	}
	return def
}
