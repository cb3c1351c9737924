package contract_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/govledger/govledger/chaincode/ccerror"
	"github.com/govledger/govledger/chaincode/internal/memstub"
)

// TestAccess calls every function as every kind of caller and checks who is
// refused before the function runs: wrong role, wrong organisation, and the
// regulator for every write. The expected table is written out here, not
// derived from the policy, so that a change to either shows up.
func TestAccess(t *testing.T) {
	callers := map[string]memstub.Identity{
		"reporter1": reporter1, "clinician1": clinician1, "epidemiologist": epi, "health-admin": admin,
		"regulator": regulator, "regulator-as-epidemiologist": regulatorAsEpi, "procurement-buyer": buyer,
		"public-health-reporter": phReporter, "hospital-epidemiologist": hospEpi, "hospital-health-admin": hospAdmin,
		"hospital-user-without-role": memstub.NewIdentity("HospitalMSP", "norole", map[string]string{"agency": "HOSP1"}),
	}
	everyone := []string{}
	for name := range callers {
		everyone = append(everyone, name)
	}
	managers := []string{"epidemiologist", "health-admin"}
	tests := []struct {
		fn       string
		args     []string
		admitted []string
	}{
		{"SubmitCaseReport", nil, []string{"reporter1"}},
		{"ReadCaseReport", []string{"CR-none", "data-quality"}, []string{"clinician1", "epidemiologist"}},
		{"GetCaseReport", []string{"CR-none", "RC-none"}, []string{"clinician1", "epidemiologist"}},
		{"GetCaseRef", []string{"CR-none"}, everyone},
		{"VerifyRecordHash", []string{"CR-none", strings.Repeat("0", 64)}, everyone},
		{"ListAccessReceipts", []string{"CR-none", "0", ""},
			[]string{"epidemiologist", "health-admin", "regulator", "regulator-as-epidemiologist"}},
		{"PurgeExpired", []string{"0"}, []string{"health-admin"}},
		{"GetAggregate", []string{"icd-10:B05", "021", "2026-W10"}, everyone},
		{"CompactAggregate", []string{"icd-10:B05", "021", "2026-W10"}, managers},
		{"CreateAlertRule", []string{"{}"}, managers},
		{"UpdateAlertRule", []string{"{}"}, managers},
		{"DeleteAlertRule", []string{"none"}, managers},
		{"GetAlertRule", []string{"none"}, everyone},
		{"ListAlertRules", []string{"", "0", ""}, everyone},
		{"GetAlert", []string{"AL-none"}, everyone},
		{"ListAlerts", []string{"", "0", ""}, everyone},
		{"GetAlertHistory", []string{"AL-none"}, everyone},
		{"AcknowledgeAlert", []string{"AL-none"}, []string{"epidemiologist"}},
		{"CloseAlert", []string{"AL-none", "resolved"}, []string{"epidemiologist"}},
		{"GetSettings", nil, everyone},
		{"UpdateSettings", []string{"{}"}, []string{"health-admin"}},
	}
	f := newFixture(t)
	for _, tt := range tests {
		for name, id := range callers {
			admitted := slices.Contains(tt.admitted, name)
			verdict := "refuses "
			if admitted {
				verdict = "admits "
			}
			t.Run(tt.fn+" "+verdict+name, func(t *testing.T) {
				_, err := f.net.Evaluate(id, "health:"+tt.fn, tt.args...)
				if admitted {
					require.NotErrorIs(t, err, ccerror.ErrPermissionDenied)
					return
				}
				requireCode(t, err, ccerror.PermissionDenied, "", "access-policy")
			})
		}
	}
	t.Run("refuses a function the contract does not have", func(t *testing.T) {
		_, err := f.net.Evaluate(epi, "health:DumpCollection")
		requireCode(t, err, ccerror.PermissionDenied)
	})
}
