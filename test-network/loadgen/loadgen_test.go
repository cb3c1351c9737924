package loadgen

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestRun(t *testing.T) {
	t.Run("counts successes and groups errors by kind", func(t *testing.T) {
		var n atomic.Int64
		op := func(context.Context, int, int) (string, error) {
			if n.Add(1)%4 == 0 {
				return "MVCC_READ_CONFLICT", errors.New("conflict")
			}
			time.Sleep(time.Millisecond)
			return "", nil
		}
		r, err := Run(context.Background(), Config{Name: "x", Concurrency: 4, Duration: 100 * time.Millisecond}, op)
		require.NoError(t, err)
		require.Positive(t, r.Ops)
		require.Positive(t, r.Errors)
		require.Equal(t, r.Errors, r.ErrorKinds["MVCC_READ_CONFLICT"])
		require.Equal(t, "conflict", r.FirstError)
		require.Positive(t, r.TPS)
		require.LessOrEqual(t, r.P50ms, r.P95ms)
		require.LessOrEqual(t, r.P95ms, r.P99ms)
	})
	t.Run("stops at MaxOps", func(t *testing.T) {
		op := func(context.Context, int, int) (string, error) { return "", nil }
		r, err := Run(context.Background(), Config{Concurrency: 2, Duration: time.Minute, MaxOps: 50}, op)
		require.NoError(t, err)
		require.GreaterOrEqual(t, r.Ops, 50)
		require.Less(t, r.Ops, 60)
	})
	t.Run("does not count the warm-up", func(t *testing.T) {
		var calls atomic.Int64
		op := func(context.Context, int, int) (string, error) {
			calls.Add(1)
			time.Sleep(5 * time.Millisecond)
			return "", nil
		}
		r, err := Run(context.Background(), Config{Concurrency: 1, Warmup: 50 * time.Millisecond, Duration: 50 * time.Millisecond}, op)
		require.NoError(t, err)
		require.Less(t, int64(r.Ops), calls.Load())
	})
	t.Run("rejects a config without clients", func(t *testing.T) {
		_, err := Run(context.Background(), Config{Duration: time.Second}, nil)
		require.ErrorIs(t, err, ErrConfig)
	})
}

func TestPercentile(t *testing.T) {
	ds := []time.Duration{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}
	for _, tc := range []struct {
		p    float64
		want time.Duration
	}{{50, 5}, {95, 10}, {99, 10}, {10, 1}, {0, 1}} {
		require.Equal(t, tc.want, percentile(ds, tc.p), "p%v", tc.p)
	}
	require.Zero(t, percentile(nil, 50))
}
