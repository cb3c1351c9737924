package health_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/govledger/govledger/chaincode/deid"
	"github.com/govledger/govledger/chaincode/health"
)

func TestConditionOf(t *testing.T) {
	tests := []struct {
		name    string
		edit    func(r *deid.Report)
		want    string
		counted bool
	}{
		{"rolls an ICD-10 subcode up to its category", func(r *deid.Report) {}, "icd-10:J10", true},
		{"keeps a three-character ICD-10 code", func(r *deid.Report) { r.Condition.Code = "A00" }, "icd-10:A00", true},
		{"keeps a SNOMED CT concept as reported", func(r *deid.Report) {
			r.Condition = &deid.Condition{System: deid.SystemSNOMED, Code: "840539006"}
		}, "snomed-ct:840539006", true},
		{"counts a positive lab-only report under its LOINC code", func(r *deid.Report) { r.Condition = nil }, "loinc:92142-9", true},
		{"counts a negative lab-only report nowhere", func(r *deid.Report) {
			r.Condition = nil
			r.Lab.Interpretation = deid.Negative
		}, "", false},
		{"counts an indeterminate lab-only report nowhere", func(r *deid.Report) {
			r.Condition = nil
			r.Lab.Interpretation = deid.Indeterminate
		}, "", false},
		{"prefers the condition to a negative lab result", func(r *deid.Report) { r.Lab.Interpretation = deid.Negative }, "icd-10:J10", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := report()
			tt.edit(&r)
			got, counted := health.ConditionOf(r)
			require.Equal(t, tt.want, got)
			require.Equal(t, tt.counted, counted)
			if counted {
				require.NoError(t, health.ValidateCondition("condition", got), "ConditionOf output must validate")
			}
		})
	}
}

func TestValidateCondition(t *testing.T) {
	for _, key := range []string{"icd-10:J10", "icd-10:C4A", "snomed-ct:840539006", "loinc:94500-6"} {
		t.Run("accepts "+key, func(t *testing.T) {
			require.NoError(t, health.ValidateCondition("condition", key))
		})
	}
	for name, key := range map[string]string{
		"an ICD-10 subcode":             "icd-10:J10.1",
		"a lower-case ICD-10 code":      "icd-10:j10",
		"a SNOMED id with a bad check":  "snomed-ct:840539007",
		"a LOINC code with a bad check": "loinc:94500-7",
		"an unknown system":             "cpt:99213",
		"no system":                     "J10",
		"the empty string":              "",
	} {
		t.Run("rejects "+name, func(t *testing.T) {
			requireField(t, health.ValidateCondition("rule.condition", key), "rule.condition", health.RuleCondition)
		})
	}
}

func TestValidateRegion(t *testing.T) {
	tests := []struct {
		name      string
		region    string
		anyRegion bool
		ok        bool
	}{
		{"accepts a ZIP prefix", "021", false, true},
		{"accepts the suppressed region", "000", false, true},
		{"accepts the wildcard where allowed", "*", true, true},
		{"rejects the wildcard elsewhere", "*", false, false},
		{"rejects a full ZIP code", "02139", true, false},
		{"rejects letters", "A21", false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := health.ValidateRegion("region", tt.region, tt.anyRegion)
			if tt.ok {
				require.NoError(t, err)
				return
			}
			requireField(t, err, "region", health.RuleRegion)
		})
	}
}
