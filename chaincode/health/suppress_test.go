package health_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/govledger/govledger/chaincode/health"
)

func TestSuppressed(t *testing.T) {
	tests := []struct {
		name  string
		count int64
		k     int
		want  string
	}{
		{"hides zero, so no cases looks like a few", 0, 5, "<5"},
		{"hides a single case", 1, 5, "<5"},
		{"hides the count just below k", 4, 5, "<5"},
		{"shows k itself", 5, 5, "5"},
		{"shows larger counts exactly", 1234, 5, "1234"},
		{"follows a configured k", 10, 11, "<11"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.want, health.Suppressed(tt.count, tt.k))
		})
	}
}

func TestBand(t *testing.T) {
	tests := []struct {
		name  string
		count int64
		k     int
		want  string
	}{
		{"suppresses below k", 4, 5, "<5"},
		{"starts the first band at k", 5, 5, "5-9"},
		{"ends the first band before 10", 9, 5, "5-9"},
		{"bands by the 1-2-5 series", 10, 5, "10-19"},
		{"reaches 20-49", 49, 5, "20-49"},
		{"reaches the hundreds", 150, 5, "100-199"},
		{"reaches the thousands", 1500, 5, "1000-1999"},
		{"starts at an odd k", 3, 3, "3-4"},
		{"joins the series after an odd k", 7, 3, "5-9"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.want, health.Band(tt.count, tt.k))
		})
	}
}
