package health_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/govledger/govledger/chaincode/ccerror"
	"github.com/govledger/govledger/chaincode/deid"
	"github.com/govledger/govledger/chaincode/health"
)

var secret = []byte("govledger-health-test-secret-0123456789")

func report() deid.Report {
	return deid.Report{
		Condition:  &deid.Condition{System: deid.SystemICD10, Code: "J10.1"},
		OnsetWeek:  "2026-W07",
		AgeBand:    "45-49",
		Sex:        deid.SexFemale,
		Region:     "021",
		Lab:        &deid.LabResult{Code: "92142-9", Interpretation: deid.Positive},
		PatientKey: deid.Pseudonym(secret, "us-ssn|000-12-3456"),
	}
}

func week(t *testing.T, s string) health.Week {
	t.Helper()
	w, err := health.ParseWeek("week", s)
	require.NoError(t, err)
	return w
}

// requireField asserts err is an INVALID_ARGUMENT on field with rule.
func requireField(t *testing.T, err error, field, rule string) {
	t.Helper()
	require.ErrorIs(t, err, ccerror.ErrInvalidArgument)
	var ce *ccerror.Error
	require.ErrorAs(t, ccerror.From(err), &ce)
	require.Equal(t, ccerror.InvalidArgument, ce.Code)
	require.Equal(t, field, ce.Field)
	require.Equal(t, rule, ce.Rule)
}
