package deid

import (
	"encoding/json"
	"fmt"
	"hash/crc32"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func readBundle(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	require.NoError(t, err)
	return data
}

func TestFromFHIRMapsBundles(t *testing.T) {
	key := func(id string) string { return Pseudonym(testSecret, id) }
	tests := []struct {
		name   string
		file   string
		cfg    Config
		want   []Report
		hidden []string // raw identifiers in the bundle that must not reach the output
	}{
		{
			name: "maps a patient with a linked positive lab into one report",
			file: "normal.json",
			cfg:  safeHarborConfig(),
			want: []Report{{
				Condition: &Condition{System: SystemICD10, Code: "J10.1"},
				OnsetWeek: "2026-W07", AgeBand: "45-49", Sex: SexFemale, Region: "021",
				Lab:        &LabResult{Code: "92142-9", Interpretation: Positive},
				PatientKey: key("us-ssn|000-12-3456"),
			}},
			hidden: []string{"Okafor", "Adaeze", "MRN0012345", "000-12-3456", "1980", "02139", "617", "example.com",
				"Massachusetts", "Cambridge", "Lindqvist", "1234567893", "pat-1001", "6b1f0c6e", "2026-02-12", "Elm"},
		},
		{
			name: "bands a 94-year-old as 90+ and pseudonymises the MRN with its system",
			file: "ninety_plus.json",
			cfg:  safeHarborConfig(),
			want: []Report{{
				Condition: &Condition{System: SystemICD10, Code: "I21.9"},
				OnsetWeek: "2026-W02", AgeBand: AgeBandOver89, Sex: SexMale, Region: "100",
				PatientKey: key("https://mercy-general.example.org/mrn|MG-0045821"),
			}},
			hidden: []string{"Brennan", "MG-0045821", "000-99-0001", "1931", "10025", "4501", "94"},
		},
		{
			name: "suppresses a small-population ZIP prefix to 000",
			file: "small_population_zip.json",
			cfg:  safeHarborConfig(),
			want: []Report{{
				OnsetWeek: "2026-W11", AgeBand: "20-24", Sex: SexOther, Region: SuppressedRegion,
				Lab:        &LabResult{Code: "94500-6", Interpretation: Negative},
				PatientKey: key("https://health.example.gov/national-health-id|NHI 4417 2093 8810"),
			}},
			hidden: []string{"4417", "05901", "059", "Island", "2003"},
		},
		{
			name: "keeps a small-population prefix that is not configured",
			file: "small_population_zip.json",
			cfg:  Config{},
			want: []Report{{
				OnsetWeek: "2026-W11", AgeBand: "20-24", Sex: SexOther, Region: "059",
				Lab:        &LabResult{Code: "94500-6", Interpretation: Negative},
				PatientKey: key("https://health.example.gov/national-health-id|NHI 4417 2093 8810"),
			}},
		},
		{
			name: "reports unknown age, sex and region when the patient lacks them",
			file: "missing_birthdate.json",
			cfg:  safeHarborConfig(),
			want: []Report{{
				Condition: &Condition{System: SystemSNOMED, Code: "840539006"},
				OnsetWeek: "2026-W08", AgeBand: AgeBandUnknown, Sex: SexUnknown, Region: SuppressedRegion,
				PatientKey: key("https://st-luke.example.org/patients|SL-778812"),
			}},
			hidden: []string{"SL-778812", "Grand Central"},
		},
		{
			name: "emits each condition and each unattached lab in entry order",
			file: "multiple_conditions.json",
			cfg:  safeHarborConfig(),
			want: []Report{
				{
					Condition: &Condition{System: SystemICD10, Code: "J10.1"},
					OnsetWeek: "2026-W05", AgeBand: "5-9", Sex: SexMale, Region: "606",
					Lab:        &LabResult{Code: "92142-9", Interpretation: Positive},
					PatientKey: key("us-ssn|000551234"),
				},
				{
					// 23:30 at UTC-6 on Sunday 1 February is still week 5 where it happened.
					Condition: &Condition{System: SystemICD10, Code: "J18.9"},
					OnsetWeek: "2026-W05", AgeBand: "5-9", Sex: SexMale, Region: "606",
					PatientKey: key("us-ssn|000551234"),
				},
				{
					OnsetWeek: "2026-W05", AgeBand: "5-9", Sex: SexMale, Region: "606",
					Lab:        &LabResult{Code: "94500-6", Interpretation: Negative},
					PatientKey: key("us-ssn|000551234"),
				},
			},
			hidden: []string{"551234", "60614", "2019", "A41.9", "8310-5"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := FromFHIR(readBundle(t, tc.file), testSecret, tc.cfg)
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
			out, err := json.Marshal(got)
			require.NoError(t, err)
			for _, raw := range tc.hidden {
				require.NotContains(t, string(out), raw)
			}
		})
	}
}

func TestFromFHIRRejectsBundles(t *testing.T) {
	tests := []struct {
		name   string
		bundle []byte
		secret []byte
		cfg    Config
		target error
		path   string
	}{
		{name: "rejects a condition coded only in a local system", bundle: readBundle(t, "unknown_coding.json"),
			target: ErrUnsupported, path: "entry[1].resource.code.coding"},
		{name: "rejects truncated JSON", bundle: readBundle(t, "malformed.json"), target: ErrMalformed},
		{name: "rejects a short secret", bundle: readBundle(t, "normal.json"), secret: []byte("short"), target: ErrConfig},
		{name: "rejects an invalid config", bundle: readBundle(t, "normal.json"),
			cfg: Config{SmallPopulationPrefixes: []string{"12"}}, target: ErrConfig},
		{name: "rejects a bundle over the size limit", bundle: append(readBundle(t, "normal.json"), make([]byte, MaxBundleBytes)...),
			target: ErrLimit},
		{name: "rejects invalid UTF-8", bundle: []byte("{\"resourceType\":\"Bundle\xff\"}"), target: ErrMalformed},
		{name: "rejects trailing data", bundle: []byte(`{"resourceType":"Bundle"} {}`), target: ErrMalformed},
		{name: "rejects a JSON array", bundle: []byte(`[]`), target: ErrMalformed},
		{name: "rejects another resource type", bundle: []byte(`{"resourceType":"Patient"}`), target: ErrMalformed, path: "resourceType"},
		{name: "rejects a repeated key", bundle: []byte(`{"resourceType":"Bundle","entry":[{"resource":{"resourceType":"Patient","birthDate":"1990-01-01","birthDate":"1950-01-01"}}]}`),
			target: ErrMalformed, path: "entry[0].resource"},
		{name: "rejects deep nesting", bundle: []byte(`{"resourceType":"Bundle","x":` + strings.Repeat("[", MaxBundleDepth) + strings.Repeat("]", MaxBundleDepth) + `}`),
			target: ErrLimit},
		{name: "rejects too many values", bundle: []byte(`{"resourceType":"Bundle","x":[` + strings.Repeat("0,", MaxBundleValues) + `0]}`),
			target: ErrLimit, path: "x[99997]"},
		{name: "rejects too many entries", bundle: []byte(`{"resourceType":"Bundle","entry":[` + strings.Repeat("{},", MaxBundleEntries) + `{}]}`),
			target: ErrLimit, path: "entry"},
		{name: "rejects entries that are not an array", bundle: []byte(`{"resourceType":"Bundle","entry":{}}`), target: ErrMalformed, path: "entry"},
		{name: "rejects an entry that is not an object", bundle: []byte(`{"resourceType":"Bundle","entry":[1]}`), target: ErrMalformed, path: "entry[0]"},
		{name: "rejects a null resource", bundle: []byte(`{"resourceType":"Bundle","entry":[{"resource":null}]}`), target: ErrMalformed, path: "entry[0].resource"},
		{name: "rejects a resource without a type", bundle: []byte(`{"resourceType":"Bundle","entry":[{"resource":{}}]}`), target: ErrMalformed, path: "entry[0].resource.resourceType"},
		{name: "rejects a resource type that is not a string", bundle: []byte(`{"resourceType":"Bundle","entry":[{"resource":{"resourceType":7}}]}`),
			target: ErrMalformed, path: "entry[0].resource.resourceType"},
		{name: "rejects a bad resource id", bundle: bundleOf(patientJSON("p", `"id":"a b"`)), target: ErrMalformed, path: "entry[0].resource.id"},
		{name: "rejects a duplicated fullUrl", bundle: bundleOf(patientJSON("p", ""), patientJSON("p", "")), target: ErrMalformed, path: "entry[1].fullUrl"},
		{name: "rejects an unknown gender", bundle: bundleOf(patientJSON("p", `"gender":"F"`)), target: ErrMalformed, path: "entry[0].resource.gender"},
		{name: "rejects a gender that is not a string", bundle: bundleOf(patientJSON("p", `"gender":1`)), target: ErrMalformed, path: "entry[0].resource.gender"},
		{name: "rejects an impossible birth date", bundle: bundleOf(patientJSON("p", `"birthDate":"1990-02-30"`)), target: ErrMalformed, path: "entry[0].resource.birthDate"},
		{name: "rejects a birth date with a time", bundle: bundleOf(patientJSON("p", `"birthDate":"1990-02-03T10:00:00Z"`)), target: ErrMalformed, path: "entry[0].resource.birthDate"},
		{name: "rejects a non-US postal code", bundle: bundleOf(patientJSON("p", `"address":[{"postalCode":"SW1A 1AA"}]`)),
			target: ErrUnsupported, path: "entry[0].resource.address[0].postalCode"},
		{name: "rejects addresses that are not objects", bundle: bundleOf(patientJSON("p", `"address":["x"]`)), target: ErrMalformed, path: "entry[0].resource.address[0]"},
		{name: "rejects an address use that is not a string", bundle: bundleOf(patientJSON("p", `"address":[{"use":1}]`)), target: ErrMalformed, path: "entry[0].resource.address[0].use"},
		{name: "rejects a postal code that is not a string", bundle: bundleOf(patientJSON("p", `"address":[{"postalCode":2139}]`)), target: ErrMalformed, path: "entry[0].resource.address[0].postalCode"},
		{name: "rejects a patient without a usable identifier", bundle: []byte(`{"resourceType":"Bundle","entry":[{"resource":{"resourceType":"Patient","identifier":[{"value":"123"}]}}]}`),
			target: ErrUnsupported, path: "entry[0].resource.identifier"},
		{name: "rejects an identifier that normalises to nothing", bundle: []byte(`{"resourceType":"Bundle","entry":[{"resource":{"resourceType":"Patient","identifier":[{"system":"https://h.example/mrn","value":" - "}]}}]}`),
			target: ErrMalformed, path: "entry[0].resource.identifier[0].value"},
		{name: "rejects an identifier type that is not an object", bundle: []byte(`{"resourceType":"Bundle","entry":[{"resource":{"resourceType":"Patient","identifier":[{"system":"s","value":"1","type":[]}]}}]}`),
			target: ErrMalformed, path: "entry[0].resource.identifier[0].type"},
		{name: "rejects an identifier value that is not a string", bundle: []byte(`{"resourceType":"Bundle","entry":[{"resource":{"resourceType":"Patient","identifier":[{"system":"s","value":1}]}}]}`),
			target: ErrMalformed, path: "entry[0].resource.identifier[0].value"},
		{name: "rejects a coding that is not an object", bundle: bundleOf(patientJSON("p", ""), conditionJSON("p", `"code":{"coding":[1]},"onsetDateTime":"2026-02-03"`)),
			target: ErrMalformed, path: "entry[1].resource.code.coding[0]"},
		{name: "rejects an unresolved subject", bundle: bundleOf(patientJSON("p", ""), conditionJSON("q", icdCode+`,"onsetDateTime":"2026-02-03"`)),
			target: ErrMalformed, path: "entry[1].resource.subject.reference"},
		{name: "rejects a missing subject", bundle: []byte(`{"resourceType":"Bundle","entry":[{"resource":{"resourceType":"Condition"}}]}`),
			target: ErrMalformed, path: "entry[0].resource.subject.reference"},
		{name: "rejects a contained subject", bundle: bundleOf(patientJSON("p", ""), conditionJSON("#p", icdCode+`,"onsetDateTime":"2026-02-03"`)),
			target: ErrUnsupported, path: "entry[1].resource.subject.reference"},
		{name: "rejects a subject that is not a patient", bundle: bundleOf(patientJSON("p", ""), conditionJSON("c1", icdCode+`,"onsetDateTime":"2026-02-03"`)),
			target: ErrMalformed, path: "entry[1].resource.subject.reference"},
		{name: "rejects an invalid ICD-10 code", bundle: bundleOf(patientJSON("p", ""), conditionJSON("p", `"code":{"coding":[{"system":"http://hl7.org/fhir/sid/icd-10","code":"1A07.1"}]},"onsetDateTime":"2026-02-03"`)),
			target: ErrMalformed, path: "entry[1].resource.code.coding[0].code"},
		{name: "rejects an invalid SNOMED CT code", bundle: bundleOf(patientJSON("p", ""), conditionJSON("p", `"code":{"coding":[{"system":"http://snomed.info/sct","code":"840539005"}]},"onsetDateTime":"2026-02-03"`)),
			target: ErrMalformed, path: "entry[1].resource.code.coding[0].code"},
		{name: "rejects a condition without any date", bundle: bundleOf(patientJSON("p", ""), conditionJSON("p", icdCode)),
			target: ErrMalformed, path: "entry[1].resource.onsetDateTime"},
		{name: "rejects an onset with only month precision", bundle: bundleOf(patientJSON("p", ""), conditionJSON("p", icdCode+`,"onsetDateTime":"2026-02"`)),
			target: ErrMalformed, path: "entry[1].resource.onsetDateTime"},
		{name: "rejects an onset time without a zone", bundle: bundleOf(patientJSON("p", ""), conditionJSON("p", icdCode+`,"onsetDateTime":"2026-02-03T10:00:00"`)),
			target: ErrMalformed, path: "entry[1].resource.onsetDateTime"},
		{name: "rejects a malformed onset period", bundle: bundleOf(patientJSON("p", ""), conditionJSON("p", icdCode+`,"onsetPeriod":{"start":"soon"}`)),
			target: ErrMalformed, path: "entry[1].resource.onsetPeriod.start"},
		{name: "rejects an onset period that is not an object", bundle: bundleOf(patientJSON("p", ""), conditionJSON("p", icdCode+`,"onsetPeriod":"2026"`)),
			target: ErrMalformed, path: "entry[1].resource.onsetPeriod"},
		{name: "rejects an onset before birth", bundle: bundleOf(patientJSON("p", `"birthDate":"2026-03"`), conditionJSON("p", icdCode+`,"onsetDateTime":"2026-02-03"`)),
			target: ErrMalformed, path: "entry[1].resource.onsetDateTime"},
		{name: "rejects an onset in a year the gate refuses", bundle: bundleOf(patientJSON("p", ""), conditionJSON("p", icdCode+`,"onsetDateTime":"1850-02-03"`)),
			target: ErrFormat, path: "entry[1]"},
		{name: "rejects evidence about another patient",
			bundle: bundleOf(patientJSON("p", ""), patientJSON("q", ""), labJSON("o1", "q", `"interpretation":[{"coding":[{"system":"`+uriInterp+`","code":"POS"}]}]`),
				conditionJSON("p", icdCode+`,"onsetDateTime":"2026-02-03","evidence":[{"detail":[{"reference":"o1"}]}]`)),
			target: ErrMalformed, path: "entry[3].resource.evidence[0].detail[0].reference"},
		{name: "rejects evidence that is not a list", bundle: bundleOf(patientJSON("p", ""), conditionJSON("p", icdCode+`,"onsetDateTime":"2026-02-03","evidence":{}`)),
			target: ErrMalformed, path: "entry[1].resource.evidence"},
		{name: "rejects a lab without a LOINC coding", bundle: bundleOf(patientJSON("p", ""), strings.Replace(labJSON("o1", "p", posInterp), uriLOINC, "http://example.org/lab", 1)),
			target: ErrUnsupported, path: "entry[1].resource.code.coding"},
		{name: "rejects a lab with a bad LOINC check digit", bundle: bundleOf(patientJSON("p", ""), strings.Replace(labJSON("o1", "p", posInterp), "92142-9", "92142-8", 1)),
			target: ErrMalformed, path: "entry[1].resource.code.coding[0].code"},
		{name: "rejects a lab without a qualitative result", bundle: bundleOf(patientJSON("p", ""), labJSON("o1", "p", `"valueQuantity":{"value":3}`)),
			target: ErrUnsupported, path: "entry[1].resource.interpretation"},
		{name: "rejects a lab whose value contradicts its interpretation",
			bundle: bundleOf(patientJSON("p", ""), labJSON("o1", "p", posInterp+`,"valueCodeableConcept":{"coding":[{"system":"http://snomed.info/sct","code":"260385009"}]}`)),
			target: ErrMalformed, path: "entry[1].resource.valueCodeableConcept"},
		{name: "rejects contradictory interpretations",
			bundle: bundleOf(patientJSON("p", ""), labJSON("o1", "p", `"interpretation":[{"coding":[{"system":"`+uriInterp+`","code":"POS"},{"system":"`+uriInterp+`","code":"NEG"}]}]`)),
			target: ErrMalformed, path: "entry[1].resource.interpretation[0]"},
		{name: "rejects a lab without a date", bundle: bundleOf(patientJSON("p", ""), strings.Replace(labJSON("o1", "p", posInterp), `"effectiveDateTime":"2026-02-04",`, "", 1)),
			target: ErrMalformed, path: "entry[1].resource.effectiveDateTime"},
		{name: "rejects a lab category that is not a list", bundle: bundleOf(patientJSON("p", ""), `{"fullUrl":"o","resource":{"resourceType":"Observation","category":{}}}`),
			target: ErrMalformed, path: "entry[1].resource.category"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			secret := tc.secret
			if secret == nil {
				secret = testSecret
			}
			reports, err := FromFHIR(tc.bundle, secret, tc.cfg)
			require.ErrorIs(t, err, tc.target)
			require.Nil(t, reports)
			if tc.path != "" {
				var pe *PathError
				require.ErrorAs(t, err, &pe)
				require.Equal(t, tc.path, pe.Path)
				require.True(t, strings.HasPrefix(err.Error(), tc.path+": "), err.Error())
			}
		})
	}
}

func TestFromFHIRSelection(t *testing.T) {
	ssnKey := Pseudonym(testSecret, "us-ssn|000-12-3456")
	tests := []struct {
		name  string
		extra string // Patient members
		want  func(Report) bool
	}{
		{"prefers an SSN over an MRN listed first", `"identifier":[{"type":{"coding":[{"system":"` + uriIDType + `","code":"MR"}]},"system":"https://h.example/mrn","value":"M1"},{"system":"` + uriSSN + `","value":"000-12-3456"}]`,
			func(r Report) bool { return r.PatientKey == ssnKey }},
		{"links an SSN marked only by its type code", `"identifier":[{"type":{"coding":[{"system":"` + uriIDType + `","code":"SS"}]},"system":"urn:oid:2.16.840.1.113883.4.1","value":"000123456"}]`,
			func(r Report) bool { return r.PatientKey == ssnKey }},
		{"prefers an MRN over an untyped identifier", `"identifier":[{"system":"https://h.example/visit","value":"V9"},{"type":{"coding":[{"system":"` + uriIDTypeOld + `","code":"MR"}]},"system":"https://h.example/mrn","value":"M1"}]`,
			func(r Report) bool { return r.PatientKey == Pseudonym(testSecret, "https://h.example/mrn|M1") }},
		{"skips a national identifier without a system", `"identifier":[{"type":{"coding":[{"system":"` + uriIDType + `","code":"NI"}]},"value":"N1"},{"system":"https://h.example/mrn","value":"M1"}]`,
			func(r Report) bool { return r.PatientKey == Pseudonym(testSecret, "https://h.example/mrn|M1") }},
		{"prefers the home address", `"address":[{"postalCode":"10001"},{"use":"home","postalCode":"60614"}]`,
			func(r Report) bool { return r.Region == "606" }},
		{"falls back to the first address not marked old", `"address":[{"use":"old","postalCode":"10001"},{"use":"work","postalCode":"60614-1234"}]`,
			func(r Report) bool { return r.Region == "606" }},
		{"suppresses when only old addresses exist", `"address":[{"use":"old","postalCode":"10001"}]`,
			func(r Report) bool { return r.Region == SuppressedRegion }},
		{"suppresses when the chosen address has no postal code", `"address":[{"use":"home","city":"Springfield"}]`,
			func(r Report) bool { return r.Region == SuppressedRegion }},
		{"places a year-only birth date in a band when the whole year fits", `"birthDate":"2010"`,
			func(r Report) bool { return r.AgeBand == "15-19" }},
		{"reports unknown when a year-only birth date straddles two bands", `"birthDate":"2001"`,
			func(r Report) bool { return r.AgeBand == AgeBandUnknown }},
		{"counts a birthday on the onset date", `"birthDate":"2001-02-03"`,
			func(r Report) bool { return r.AgeBand == "25-29" }},
		{"bands the day before a 25th birthday as 20-24", `"birthDate":"2001-02-04"`,
			func(r Report) bool { return r.AgeBand == "20-24" }},
		{"bands a newborn in the birth month as 0-4", `"birthDate":"2026-02"`,
			func(r Report) bool { return r.AgeBand == "0-4" }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			extra := tc.extra
			if !strings.Contains(extra, `"identifier"`) {
				extra += `,"identifier":[{"system":"` + uriSSN + `","value":"000-12-3456"}]`
			}
			bundle := bundleOf(
				`{"fullUrl":"p","resource":{"resourceType":"Patient",`+strings.TrimPrefix(extra, ",")+`}}`,
				conditionJSON("p", icdCode+`,"onsetDateTime":"2026-02-03T08:00:00+01:00"`))
			got, err := FromFHIR(bundle, testSecret, safeHarborConfig())
			require.NoError(t, err)
			require.Len(t, got, 1)
			require.True(t, tc.want(got[0]), "%+v", got[0])
		})
	}
}

func TestFromFHIRSkipsWhatIsNotACaseReport(t *testing.T) {
	tests := []struct {
		name    string
		entries []string
		want    int
	}{
		{"returns no reports for an empty bundle", nil, 0},
		{"skips a refuted condition", []string{patientJSON("p", ""), conditionJSON("p", icdCode+`,"onsetDateTime":"2026-02-03","verificationStatus":{"coding":[{"system":"`+uriConditionVer+`","code":"refuted"}]}`)}, 0},
		{"skips an entered-in-error condition", []string{patientJSON("p", ""), conditionJSON("p", icdCode+`,"verificationStatus":{"coding":[{"system":"`+uriConditionVer+`","code":"entered-in-error"}]}`)}, 0},
		{"skips a cancelled lab", []string{patientJSON("p", ""), strings.Replace(labJSON("o", "p", posInterp), `"final"`, `"cancelled"`, 1)}, 0},
		{"skips an observation outside the laboratory category", []string{patientJSON("p", ""), strings.Replace(labJSON("o", "p", posInterp), "laboratory", "vital-signs", 1)}, 0},
		{"ignores evidence that is not a lab in the bundle", []string{patientJSON("p", ""), conditionJSON("p", icdCode+`,"onsetDateTime":"2026-02-03","evidence":[{"detail":[{"reference":"#x"},{"reference":"p"}]}]`)}, 1},
		{"attaches a lab to two conditions that both cite it first", []string{patientJSON("p", ""), labJSON("o", "p", posInterp),
			conditionJSON("p", icdCode+`,"onsetDateTime":"2026-02-03","evidence":[{"detail":[{"reference":"o"}]}]`),
			conditionJSON("p", icdCode+`,"onsetDateTime":"2026-02-05","evidence":[{"detail":[{"reference":"o"}]}]`)}, 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := FromFHIR(bundleOf(tc.entries...), testSecret, Config{})
			require.NoError(t, err)
			require.NotNil(t, got)
			require.Len(t, got, tc.want)
		})
	}
}

func TestFromFHIRResolvesRelativeReferences(t *testing.T) {
	bundle := bundleOf(
		`{"resource":{"resourceType":"Patient","id":"abc","identifier":[{"system":"`+uriSSN+`","value":"000-12-3456"}]}}`,
		`{"resource":{"resourceType":"Observation","id":"o-1","status":"final","category":[{"coding":[{"code":"laboratory"}]}],"code":{"coding":[{"system":"`+uriLOINC+`","code":"94500-6"}]},"subject":{"reference":"Patient/abc"},"effectiveInstant":"2026-02-04T10:00:00.5Z",`+posInterp+`}}`,
		`{"resource":{"resourceType":"Condition","subject":{"reference":"Patient/abc"},"code":{"coding":[{"system":"http://snomed.info/sct","code":"840539006"}]},"recordedDate":"2026-02-05","evidence":[{"detail":[{"reference":"Observation/o-1"}]}]}}`)
	got, err := FromFHIR(bundle, testSecret, Config{})
	require.NoError(t, err)
	require.Equal(t, []Report{{
		Condition: &Condition{System: SystemSNOMED, Code: "840539006"},
		OnsetWeek: "2026-W06", AgeBand: AgeBandUnknown, Sex: SexUnknown, Region: SuppressedRegion,
		Lab:        &LabResult{Code: "94500-6", Interpretation: Positive},
		PatientKey: Pseudonym(testSecret, "us-ssn|000123456"),
	}}, got)
}

const (
	icdCode   = `"code":{"coding":[{"system":"http://hl7.org/fhir/sid/icd-10-cm","code":"J10.1"}]}`
	posInterp = `"interpretation":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation","code":"POS"}]}]`
)

func bundleOf(entries ...string) []byte {
	return []byte(`{"resourceType":"Bundle","type":"collection","entry":[` + strings.Join(entries, ",") + `]}`)
}

// patientJSON is a Patient entry whose fullUrl is ref, with extra members.
func patientJSON(ref, extra string) string {
	if extra != "" {
		extra = "," + extra
	}
	return fmt.Sprintf(`{"fullUrl":%q,"resource":{"resourceType":"Patient","identifier":[{"system":"https://h.example/mrn","value":%q}]%s}}`, ref, "M-"+ref, extra)
}

func conditionJSON(subject, extra string) string {
	return fmt.Sprintf(`{"fullUrl":"c%08x","resource":{"resourceType":"Condition","subject":{"reference":%q},%s}}`, crc32.ChecksumIEEE([]byte(extra)), subject, extra)
}

func labJSON(ref, subject, extra string) string {
	return fmt.Sprintf(`{"fullUrl":%q,"resource":{"resourceType":"Observation","status":"final","category":[{"coding":[{"system":"`+uriObsCategory+`","code":"laboratory"}]}],`+
		`"code":{"coding":[{"system":"`+uriLOINC+`","code":"92142-9"}]},"subject":{"reference":%q},"effectiveDateTime":"2026-02-04",%s}}`, ref, subject, extra)
}
