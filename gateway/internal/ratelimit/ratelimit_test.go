package ratelimit_test

import (
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/govledger/govledger/gateway/internal/ratelimit"
)

func TestLimiter(t *testing.T) {
	clock := time.Unix(0, 0)
	now := func() time.Time { return clock }

	t.Run("allows a burst then refuses with the wait", func(t *testing.T) {
		l, err := ratelimit.New(2, 3, now)
		require.NoError(t, err)
		for range 3 {
			require.NoError(t, l.Take("a"))
		}
		err = l.Take("a")
		require.ErrorIs(t, err, ratelimit.ErrLimited)
		var le *ratelimit.LimitedError
		require.ErrorAs(t, err, &le)
		require.Equal(t, 500*time.Millisecond, le.RetryAfter)
		require.Contains(t, le.Error(), "500ms")
	})

	t.Run("refills at the configured rate", func(t *testing.T) {
		l, err := ratelimit.New(2, 1, now)
		require.NoError(t, err)
		require.NoError(t, l.Take("a"))
		require.Error(t, l.Take("a"))
		clock = clock.Add(500 * time.Millisecond)
		require.NoError(t, l.Take("a"))
	})

	t.Run("keeps callers apart", func(t *testing.T) {
		l, err := ratelimit.New(1, 1, now)
		require.NoError(t, err)
		require.NoError(t, l.Take("a"))
		require.NoError(t, l.Take("b"))
	})

	t.Run("forgets idle callers without losing their allowance", func(t *testing.T) {
		l, err := ratelimit.New(1000, 1, now)
		require.NoError(t, err)
		for i := range 10001 {
			require.NoError(t, l.Take(strconv.Itoa(i)))
			clock = clock.Add(time.Millisecond)
		}
		require.NoError(t, l.Take("0"))
	})

	for _, tc := range []struct {
		name  string
		rate  float64
		burst int
	}{{"rejects a zero rate", 0, 1}, {"rejects a zero burst", 1, 0}} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ratelimit.New(tc.rate, tc.burst, nil)
			require.Error(t, err)
		})
	}
}
