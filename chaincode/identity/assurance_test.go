package identity

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestAssuranceLevel(t *testing.T) {
	tests := []struct {
		name  string
		level AssuranceLevel
		min   AssuranceLevel
		meets bool
	}{
		{"high meets substantial", AssuranceHigh, AssuranceSubstantial, true},
		{"substantial meets substantial", AssuranceSubstantial, AssuranceSubstantial, true},
		{"low does not meet substantial", AssuranceLow, AssuranceSubstantial, false},
		{"an unknown level meets nothing", AssuranceLevel("medium"), AssuranceLow, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.meets, tt.level.AtLeast(tt.min))
		})
	}
	t.Run("validates only the eIDAS levels", func(t *testing.T) {
		for _, l := range []AssuranceLevel{AssuranceLow, AssuranceSubstantial, AssuranceHigh} {
			require.NoError(t, l.Validate("assuranceLevel"))
		}
		require.ErrorIs(t, AssuranceLevel("High").Validate("assuranceLevel"), ErrInvalid)
	})
}
