package health_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/govledger/govledger/chaincode/health"
)

func TestEpisodesDuplicate(t *testing.T) {
	counted := health.Episodes{Weeks: []string{"2026-W10"}}
	tests := []struct {
		name   string
		eps    health.Episodes
		onset  string
		window int
		dup    bool
	}{
		{"counts a first report", health.Episodes{}, "2026-W10", 4, false},
		{"suppresses the same week", counted, "2026-W10", 4, true},
		{"suppresses a later week inside the window", counted, "2026-W13", 4, true},
		{"counts a later week at the window's edge", counted, "2026-W14", 4, false},
		{"suppresses an earlier week that arrives late", counted, "2026-W07", 4, true},
		{"counts an earlier week outside the window", counted, "2026-W06", 4, false},
		{"with a one-week window suppresses only the same week", counted, "2026-W11", 1, false},
		{"checks every counted episode, not just the last", health.Episodes{Weeks: []string{"2026-W01", "2026-W20"}}, "2026-W02", 4, true},
		{"measures across a year end in weeks, not week numbers", health.Episodes{Weeks: []string{"2025-W52"}}, "2026-W03", 4, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dup, err := tt.eps.Duplicate(week(t, tt.onset), tt.window)
			require.NoError(t, err)
			require.Equal(t, tt.dup, dup)
		})
	}
}

func TestEpisodesWith(t *testing.T) {
	t.Run("keeps weeks sorted whatever the arrival order", func(t *testing.T) {
		eps, err := health.Episodes{Weeks: []string{"2026-W10"}}.With(week(t, "2025-W40"))
		require.NoError(t, err)
		require.Equal(t, []string{"2025-W40", "2026-W10"}, eps.Weeks)
	})
	t.Run("does not repeat a week", func(t *testing.T) {
		eps, err := health.Episodes{Weeks: []string{"2026-W10"}}.With(week(t, "2026-W10"))
		require.NoError(t, err)
		require.Equal(t, []string{"2026-W10"}, eps.Weeks)
	})
	t.Run("keeps only the newest MaxEpisodes weeks", func(t *testing.T) {
		var eps health.Episodes
		start := week(t, "2020-W01")
		for i := range health.MaxEpisodes + 3 {
			var err error
			eps, err = eps.With(start.Add(10 * i))
			require.NoError(t, err)
		}
		require.Len(t, eps.Weeks, health.MaxEpisodes)
		require.Equal(t, start.Add(30).String(), eps.Weeks[0])
		require.Equal(t, start.Add(10*(health.MaxEpisodes+2)).String(), eps.Weeks[health.MaxEpisodes-1])
	})
}

func TestEpisodesSince(t *testing.T) {
	eps := health.Episodes{Weeks: []string{"2023-W05", "2024-W30", "2026-W10"}}
	tests := []struct {
		name   string
		cutoff string
		want   []string
	}{
		{"drops weeks before the cutoff", "2024-W30", []string{"2024-W30", "2026-W10"}},
		{"keeps everything after an early cutoff", "2020-W01", []string{"2023-W05", "2024-W30", "2026-W10"}},
		{"empties when everything expired", "2027-W01", []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := eps.Since(week(t, tt.cutoff))
			require.NoError(t, err)
			require.Equal(t, tt.want, got.Weeks)
		})
	}
}

func TestEpisodesCorrupt(t *testing.T) {
	bad := health.Episodes{Weeks: []string{"2026-W10", "not-a-week"}}
	w := week(t, "2026-W10")
	_, dupErr := bad.Duplicate(w, 4)
	_, withErr := bad.With(w)
	_, sinceErr := bad.Since(w)
	for i, err := range []error{dupErr, withErr, sinceErr} {
		t.Run(fmt.Sprintf("reports stored corruption as internal (%d)", i), func(t *testing.T) {
			require.ErrorIs(t, err, health.ErrStored)
		})
	}
}
