// Package ratelimit is a per-caller token bucket: each caller may make Burst
// requests at once and Rate requests per second sustained.
package ratelimit

import (
	"errors"
	"fmt"
	"math"
	"sync"
	"time"
)

// ErrLimited is wrapped by *LimitedError.
var ErrLimited = errors.New("rate limit exceeded")

// LimitedError tells the caller when a token will be available.
type LimitedError struct {
	RetryAfter time.Duration
}

func (e *LimitedError) Error() string {
	return fmt.Sprintf("rate limit exceeded; retry after %v", e.RetryAfter.Round(time.Millisecond))
}

func (e *LimitedError) Unwrap() error { return ErrLimited }

// maxBuckets bounds memory: beyond it, buckets that have refilled (idle
// callers) are dropped, which loses nothing since a new bucket starts full.
const maxBuckets = 10000

// Limiter holds one bucket per key. The zero value is not usable; call New.
type Limiter struct {
	rate    float64
	burst   float64
	now     func() time.Time
	mu      sync.Mutex
	buckets map[string]*bucket
}

type bucket struct {
	tokens float64
	last   time.Time
}

// New returns a limiter allowing rate requests per second with bursts of
// burst. now may be nil for the wall clock.
func New(rate float64, burst int, now func() time.Time) (*Limiter, error) {
	if rate <= 0 || math.IsInf(rate, 0) || math.IsNaN(rate) || burst < 1 {
		return nil, fmt.Errorf("ratelimit: rate must be positive and burst at least 1 (got %v, %d)", rate, burst)
	}
	if now == nil {
		now = time.Now
	}
	return &Limiter{rate: rate, burst: float64(burst), now: now, buckets: map[string]*bucket{}}, nil
}

// Take spends one token of key's bucket or says how long to wait.
func (l *Limiter) Take(key string) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	b, ok := l.buckets[key]
	if !ok {
		if len(l.buckets) >= maxBuckets {
			l.sweep(now)
		}
		b = &bucket{tokens: l.burst, last: now}
		l.buckets[key] = b
	}
	b.refill(now, l.rate, l.burst)
	if b.tokens >= 1 {
		b.tokens--
		return nil
	}
	wait := time.Duration((1 - b.tokens) / l.rate * float64(time.Second))
	return &LimitedError{RetryAfter: wait}
}

func (b *bucket) refill(now time.Time, rate, burst float64) {
	if elapsed := now.Sub(b.last).Seconds(); elapsed > 0 {
		b.tokens = math.Min(burst, b.tokens+elapsed*rate)
		b.last = now
	}
}

func (l *Limiter) sweep(now time.Time) {
	for k, b := range l.buckets {
		b.refill(now, l.rate, l.burst)
		if b.tokens >= l.burst {
			delete(l.buckets, k)
		}
	}
}
