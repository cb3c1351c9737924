package deid

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// requireStable asserts what every accepted report must satisfy: it encodes,
// decodes to itself, and passes the gate again.
func requireStable(t *testing.T, r Report, cfg Config) {
	t.Helper()
	data, err := json.Marshal(r)
	require.NoError(t, err)
	back, err := DecodeReport(data)
	require.NoError(t, err)
	require.Equal(t, r, back)
	require.NoError(t, Check(back, cfg))
}

func FuzzCheck(f *testing.F) {
	v := validReport()
	f.Add(v.Condition.System, v.Condition.Code, v.OnsetWeek, v.AgeBand, v.Sex, v.Region, v.Lab.Code, v.Lab.Interpretation, v.PatientKey, true, true)
	f.Add("snomed-ct", "840539006", "2020-W53", "90+", "unknown", "000", "", "", v.PatientKey, true, false)
	f.Add("", "", "2026-W01", "0-4", "male", "100", "94500-6", "negative", v.PatientKey, false, true)
	f.Add("icd-10", "123-45-6789", "2026-02-14", "93", "Jane Doe", "02139", "MRN0012345", "x@y.z", "https://e.x", true, true)
	cfg := safeHarborConfig()
	f.Fuzz(func(t *testing.T, system, code, week, band, sex, region, labCode, interp, key string, hasCond, hasLab bool) {
		r := Report{OnsetWeek: week, AgeBand: band, Sex: sex, Region: region, PatientKey: key}
		if hasCond {
			r.Condition = &Condition{System: system, Code: code}
		}
		if hasLab {
			r.Lab = &LabResult{Code: labCode, Interpretation: interp}
		}
		if err := Check(r, cfg); err != nil {
			var viol *Violation
			require.ErrorAs(t, err, &viol)
			return
		}
		requireStable(t, r, cfg)
	})
}

func FuzzDecodeReport(f *testing.F) {
	good, err := json.Marshal(validReport())
	require.NoError(f, err)
	f.Add(good)
	f.Add([]byte(`{"lab":{"code":"94500-6","interpretation":"negative"},"onsetWeek":"2026-W11","ageBand":"unknown","sex":"other","region":"000","patientKey":""}`))
	f.Add([]byte(`{"sex":"female","sex":"male"}`))
	f.Add([]byte(`{"condition":null}`))
	f.Add([]byte(`[{"a":[[[[1]]]]}]`))
	cfg := safeHarborConfig()
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := DecodeReport(data)
		if err != nil {
			var pe *PathError
			require.ErrorAs(t, err, &pe)
			return
		}
		if Check(r, cfg) != nil {
			return
		}
		requireStable(t, r, cfg)
	})
}

func FuzzFromFHIR(f *testing.F) {
	files, err := filepath.Glob(filepath.Join("testdata", "*.json"))
	require.NoError(f, err)
	for _, name := range files {
		data, err := os.ReadFile(name)
		require.NoError(f, err)
		f.Add(data)
	}
	f.Add(bundleOf(patientJSON("p", `"birthDate":"2001"`), labJSON("o", "p", posInterp),
		conditionJSON("p", icdCode+`,"onsetDateTime":"2026-02-03","evidence":[{"detail":[{"reference":"o"}]}]`)))
	cfg := safeHarborConfig()
	f.Fuzz(func(t *testing.T, data []byte) {
		reports, err := FromFHIR(data, testSecret, cfg)
		if err != nil {
			var pe *PathError
			require.ErrorAs(t, err, &pe)
			require.Nil(t, reports)
			return
		}
		for _, r := range reports {
			requireStable(t, r, cfg)
		}
	})
}
