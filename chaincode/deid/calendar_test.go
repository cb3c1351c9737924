package deid

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestWeek(t *testing.T) {
	tests := []struct {
		name string
		at   time.Time
		want string
	}{
		{"puts 1 January 2026 (a Thursday) in week 1", time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC), "2026-W01"},
		{"puts 29 December 2025 in week 1 of 2026", time.Date(2025, 12, 29, 0, 0, 0, 0, time.UTC), "2026-W01"},
		{"puts 1 January 2027 in week 53 of 2026", time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC), "2026-W53"},
		{"uses the date in the time's own zone", time.Date(2026, 2, 1, 23, 30, 0, 0, time.FixedZone("CST", -6*3600)), "2026-W05"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { require.Equal(t, tc.want, Week(tc.at)) })
	}
}

func TestValidWeek(t *testing.T) {
	tests := []struct {
		week string
		want bool
	}{
		{"2026-W53", true}, {"2025-W53", false}, {"2020-W53", true}, {"2026-W00", false},
		{"1900-W01", true}, {"1899-W52", false}, {"2026-w07", false}, {"2026W07", false},
		{"2026-W7", false}, {"02026-W07", false}, {"abcd-W01", false}, {"", false},
	}
	for _, tc := range tests {
		t.Run("judges "+tc.week, func(t *testing.T) { require.Equal(t, tc.want, validWeek(tc.week)) })
	}
}

func TestAgeBand(t *testing.T) {
	tests := []struct {
		age  int
		want string
	}{{0, "0-4"}, {4, "0-4"}, {5, "5-9"}, {47, "45-49"}, {89, "85-89"}, {90, "90+"}, {117, "90+"}}
	for _, tc := range tests {
		t.Run("bands age "+tc.want, func(t *testing.T) {
			got, err := AgeBand(tc.age)
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
			require.True(t, ageBands[got])
		})
	}
	t.Run("rejects a negative age", func(t *testing.T) {
		_, err := AgeBand(-1)
		require.ErrorIs(t, err, ErrFormat)
	})
	t.Run("has twenty bands including unknown", func(t *testing.T) { require.Len(t, ageBands, 20) })
}

func TestWholeYears(t *testing.T) {
	leap := civilDate{2004, time.February, 29}
	require.Equal(t, 21, wholeYears(leap, civilDate{2026, time.February, 28}), "a leap-day birthday comes on 1 March in common years")
	require.Equal(t, 22, wholeYears(leap, civilDate{2026, time.March, 1}))
	require.Equal(t, 22, wholeYears(leap, civilDate{2026, time.December, 31}))
}

func TestParseFHIRDate(t *testing.T) {
	tests := []struct {
		name     string
		in       string
		withTime bool
		ok       bool
		want     partialDate
	}{
		{"parses a year", "1980", false, true, partialDate{civilDate{1980, time.January, 1}, 1}},
		{"parses a month", "1980-05", false, true, partialDate{civilDate{1980, time.May, 1}, 2}},
		{"parses a day", "1980-05-17", false, true, partialDate{civilDate{1980, time.May, 17}, 3}},
		{"parses a leap day", "2024-02-29", false, true, partialDate{civilDate{2024, time.February, 29}, 3}},
		{"keeps the local date of a dateTime", "2026-02-01T23:30:00-06:00", true, true, partialDate{civilDate{2026, time.February, 1}, 3}},
		{"parses fractional seconds and Z", "2026-02-01T23:30:00.123Z", true, true, partialDate{civilDate{2026, time.February, 1}, 3}},
		{"parses a +14:00 zone", "2026-02-01T00:00:00+14:00", true, true, partialDate{civilDate{2026, time.February, 1}, 3}},
		{"rejects a time in a date", "2026-02-01T10:00:00Z", false, false, partialDate{}},
		{"rejects a time without zone", "2026-02-01T10:00:00", true, false, partialDate{}},
		{"rejects a +15:00 zone", "2026-02-01T10:00:00+15:00", true, false, partialDate{}},
		{"rejects 29 February in a common year", "2026-02-29", false, false, partialDate{}},
		{"rejects month 13", "2026-13", false, false, partialDate{}},
		{"rejects month 00", "2026-00-10", false, false, partialDate{}},
		{"rejects day 00", "2026-01-00", false, false, partialDate{}},
		{"rejects year 0000", "0000", false, false, partialDate{}},
		{"rejects a slash date", "2026/02/01", false, false, partialDate{}},
		{"rejects empty", "", false, false, partialDate{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := parseFHIRDate(tc.in, tc.withTime)
			require.Equal(t, tc.ok, ok)
			require.Equal(t, tc.want, got)
		})
	}
}

func TestPartialDateRange(t *testing.T) {
	year := partialDate{civilDate{2024, time.January, 1}, 1}
	require.Equal(t, civilDate{2024, time.December, 31}, year.latest())
	month := partialDate{civilDate{2024, time.February, 1}, 2}
	require.Equal(t, civilDate{2024, time.February, 29}, month.latest())
	require.Equal(t, civilDate{2024, time.February, 1}, month.earliest())
}
