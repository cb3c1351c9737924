package procurement

import (
	"math"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestMajorUnits(t *testing.T) {
	tests := []struct {
		name string
		m    Money
		want string
	}{
		{"writes cents with two decimals", Money{123450, "EUR"}, "1234.50"},
		{"pads amounts below one unit", Money{5, "EUR"}, "0.05"},
		{"writes zero", Money{0, "USD"}, "0.00"},
		{"writes zero-decimal currencies as integers", Money{1500, "JPY"}, "1500"},
		{"writes three-decimal currencies", Money{1234, "KWD"}, "1.234"},
		{"writes four-decimal currencies", Money{12, "CLF"}, "0.0012"},
		{"keeps the sign of negative amounts", Money{-250, "EUR"}, "-2.50"},
		{"writes the largest amount exactly", Money{math.MaxInt64, "EUR"}, "92233720368547758.07"},
		{"writes the smallest amount exactly", Money{math.MinInt64, "EUR"}, "-92233720368547758.08"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.want, tc.m.MajorUnits())
		})
	}
}

func TestMulCapped(t *testing.T) {
	tests := []struct {
		name        string
		a, b, limit int64
		want        int64
	}{
		{"multiplies below the limit", 3, 1000, 5000, 3000},
		{"caps at the limit", 6, 1000, 5000, 5000},
		{"is zero when a factor is zero", 0, 1000, 5000, 0},
		{"is zero for no penalty per day", 9, 0, 5000, 0},
		{"caps instead of overflowing", math.MaxInt64, math.MaxInt64, 7, 7},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.want, mulCapped(tc.a, tc.b, tc.limit))
		})
	}
}

func TestKnownCurrency(t *testing.T) {
	for code, want := range map[string]bool{"EUR": true, "USD": true, "JPY": true, "eur": false, "XXX": false, "": false} {
		t.Run("answers "+code, func(t *testing.T) {
			require.Equal(t, want, knownCurrency(code))
		})
	}
}
