package deid

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestDecodeReportRoundTrips(t *testing.T) {
	onlyLab := validReport()
	onlyLab.Condition = nil
	onlyCondition := validReport()
	onlyCondition.Lab = nil
	for name, r := range map[string]Report{"full report": validReport(), "lab-only report": onlyLab, "condition-only report": onlyCondition} {
		t.Run("round-trips a "+name, func(t *testing.T) {
			data, err := json.Marshal(r)
			require.NoError(t, err)
			got, err := DecodeReport(data)
			require.NoError(t, err)
			require.Equal(t, r, got)
		})
	}
	t.Run("leaves absent fields empty for the gate to judge", func(t *testing.T) {
		got, err := DecodeReport([]byte(`{"sex":"female"}`))
		require.NoError(t, err)
		require.Equal(t, Report{Sex: SexFemale}, got)
		require.ErrorIs(t, Check(got, Config{}), ErrFormat)
	})
}

func TestDecodeReportRejects(t *testing.T) {
	tests := []struct {
		name   string
		data   string
		target error
		path   string
	}{
		{"rejects an unknown top-level field", `{"sex":"female","name":"Jane Doe"}`, ErrMalformed, ""},
		{"rejects an unknown nested field", `{"lab":{"code":"94500-6","interpretation":"positive","note":"x"}}`, ErrMalformed, "lab"},
		{"rejects a field in another case", `{"Sex":"female"}`, ErrMalformed, ""},
		{"rejects a repeated key", `{"sex":"female","sex":"male"}`, ErrMalformed, ""},
		{"rejects a number where a string belongs", `{"region":21}`, ErrMalformed, "region"},
		{"rejects null where a string belongs", `{"region":null}`, ErrMalformed, "region"},
		{"rejects null for a nested object", `{"lab":null}`, ErrMalformed, "lab"},
		{"rejects a string for a nested object", `{"condition":"J10.1"}`, ErrMalformed, "condition"},
		{"rejects a nested number", `{"condition":{"system":"icd-10","code":1}}`, ErrMalformed, "condition.code"},
		{"rejects nesting beyond a report's shape", `{"lab":{"code":["x"]}}`, ErrLimit, "lab.code"},
		{"rejects an array", `[]`, ErrMalformed, ""},
		{"rejects trailing data", `{} {}`, ErrMalformed, ""},
		{"rejects truncated JSON", `{"sex":`, ErrMalformed, "sex"},
		{"rejects a syntax error", `{"sex" "female"}`, ErrMalformed, "sex"},
		{"rejects invalid UTF-8", "{\"sex\":\"\xc3\x28\"}", ErrMalformed, ""},
		{"rejects an oversized report", `{"sex":"` + strings.Repeat("a", MaxReportBytes) + `"}`, ErrLimit, ""},
		{"rejects too many values", `{"condition":{"system":"` + strings.Repeat(`","system":"`, 40) + `"}}`, ErrMalformed, "condition"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := DecodeReport([]byte(tc.data))
			require.ErrorIs(t, err, tc.target)
			var pe *PathError
			require.ErrorAs(t, err, &pe)
			require.Equal(t, tc.path, pe.Path)
			require.NotContains(t, err.Error(), "Jane")
		})
	}
}

func TestPathErrorNeverShowsOddKeys(t *testing.T) {
	_, err := DecodeReport([]byte(`{"lab":{"Jane Doe 000-12-3456":[1]}}`))
	require.ErrorIs(t, err, ErrLimit)
	require.NotContains(t, err.Error(), "Jane")
	require.Contains(t, err.Error(), "lab.?")
}
