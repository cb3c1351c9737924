package health_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/govledger/govledger/chaincode/health"
)

func TestParseWeek(t *testing.T) {
	for _, s := range []string{"2026-W07", "2026-W01", "2020-W53", "2026-W53", "1900-W01", "9999-W52"} {
		t.Run("accepts "+s, func(t *testing.T) {
			w, err := health.ParseWeek("week", s)
			require.NoError(t, err)
			require.Equal(t, s, w.String())
		})
	}
	for name, s := range map[string]string{
		"a week 53 in a short year": "2025-W53",
		"week zero":                 "2026-W00",
		"week 54":                   "2026-W54",
		"a year before 1900":        "1899-W10",
		"a lower-case w":            "2026-w07",
		"a one-digit week":          "2026-W7",
		"a weekday suffix":          "2026-W07-1",
		"a calendar date":           "2026-02-14",
		"letters in the year":       "20X6-W07",
		"letters in the week":       "2026-W0X",
		"the empty string":          "",
	} {
		t.Run("rejects "+name, func(t *testing.T) {
			_, err := health.ParseWeek("report.onsetWeek", s)
			requireField(t, err, "report.onsetWeek", health.RuleWeek)
		})
	}
}

func TestWeekArithmetic(t *testing.T) {
	tests := []struct {
		name string
		from string
		add  int
		want string
	}{
		{"stays put for zero", "2026-W07", 0, "2026-W07"},
		{"moves within a year", "2026-W07", 3, "2026-W10"},
		{"goes back across a new year", "2026-W01", -1, "2025-W52"},
		{"enters week 53 of a long year", "2020-W52", 1, "2020-W53"},
		{"leaves week 53 for week 1", "2020-W53", 1, "2021-W01"},
		{"goes back nine weeks for an EARS C2 baseline", "2026-W03", -9, "2025-W46"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			from := week(t, tt.from)
			got := from.Add(tt.add)
			require.Equal(t, tt.want, got.String())
			require.Equal(t, tt.add, got.Sub(from))
			require.Equal(t, tt.add < 0, got.Before(from))
		})
	}
	t.Run("measures centuries without overflowing", func(t *testing.T) {
		require.Equal(t, 5218, week(t, "2000-W01").Sub(week(t, "1900-W01")))
	})
}

func TestWeekOf(t *testing.T) {
	tests := []struct {
		name string
		at   time.Time
		want string
	}{
		{"a Monday starts its week", time.Date(2026, 2, 9, 0, 0, 0, 0, time.UTC), "2026-W07"},
		{"a Sunday night ends its week", time.Date(2026, 2, 15, 23, 59, 59, 0, time.UTC), "2026-W07"},
		{"early January can belong to the previous year", time.Date(2021, 1, 3, 12, 0, 0, 0, time.UTC), "2020-W53"},
		{"late December can belong to the next year", time.Date(2024, 12, 30, 12, 0, 0, 0, time.UTC), "2025-W01"},
		{"a zoned time is read in UTC", time.Date(2026, 2, 16, 0, 30, 0, 0, time.FixedZone("CET", 3600)), "2026-W07"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.want, health.WeekOf(tt.at).String())
		})
	}
}
