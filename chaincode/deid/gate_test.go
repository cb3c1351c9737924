package deid

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

var testSecret = []byte("govledger-test-secret-0123456789-abcdef")

func validReport() Report {
	return Report{
		Condition:  &Condition{System: SystemICD10, Code: "J10.1"},
		OnsetWeek:  "2026-W07",
		AgeBand:    "45-49",
		Sex:        SexFemale,
		Region:     "021",
		Lab:        &LabResult{Code: "92142-9", Interpretation: Positive},
		PatientKey: Pseudonym(testSecret, "us-ssn|000-12-3456"),
	}
}

func safeHarborConfig() Config { return Config{SmallPopulationPrefixes: SafeHarbor2000Prefixes()} }

func TestCheckAcceptsEveryVocabularyValue(t *testing.T) {
	cfg := safeHarborConfig()
	var variants []Report
	for band := range ageBands {
		r := validReport()
		r.AgeBand = band
		variants = append(variants, r)
	}
	for sex := range sexes {
		r := validReport()
		r.Sex = sex
		variants = append(variants, r)
	}
	for interp := range interpretations {
		r := validReport()
		r.Lab.Interpretation = interp
		variants = append(variants, r)
	}
	for _, code := range []string{"840539006", "6142004", "38341003", "195967001", "233604007"} {
		r := validReport()
		r.Condition = &Condition{System: SystemSNOMED, Code: code}
		variants = append(variants, r)
	}
	for _, code := range []string{"A00", "B05.9", "I21.9", "S72.001A", "Z99.89", "C4A.0", "J09.X2"} {
		r := validReport()
		r.Condition.Code = code
		variants = append(variants, r)
	}
	for _, week := range []string{"1900-W01", "2020-W53", "2026-W01", "2026-W53"} {
		r := validReport()
		r.OnsetWeek = week
		variants = append(variants, r)
	}
	for _, region := range []string{"000", "021", "999", "100"} {
		r := validReport()
		r.Region = region
		variants = append(variants, r)
	}
	for _, code := range []string{"94500-6", "2345-7", "94309-2", "5195-3"} {
		r := validReport()
		r.Lab.Code = code
		variants = append(variants, r)
	}
	onlyCondition := validReport()
	onlyCondition.Lab = nil
	onlyLab := validReport()
	onlyLab.Condition = nil
	variants = append(variants, onlyCondition, onlyLab)
	for i := 0; i < 50; i++ {
		r := validReport()
		r.PatientKey = Pseudonym(testSecret, strings.Repeat("7", i+1))
		variants = append(variants, r)
	}
	for _, r := range variants {
		require.NoError(t, Check(r, cfg), "%+v", r)
	}
}

func TestCheckRejectsIdentifiers(t *testing.T) {
	type mutation func(*Report)
	set := func(field string, v string) mutation {
		return func(r *Report) {
			switch field {
			case "condition.system":
				r.Condition.System = v
			case "condition.code":
				r.Condition.Code = v
			case "onsetWeek":
				r.OnsetWeek = v
			case "ageBand":
				r.AgeBand = v
			case "sex":
				r.Sex = v
			case "region":
				r.Region = v
			case "lab.code":
				r.Lab.Code = v
			case "lab.interpretation":
				r.Lab.Interpretation = v
			case "patientKey":
				r.PatientKey = v
			}
		}
	}
	tests := []struct {
		name  string
		field string
		value string
		rule  Rule
	}{
		{"rejects a personal name in the sex field", "sex", "Jane Doe", RuleName},
		{"rejects a title and surname", "condition.code", "Dr. Smith", RuleName},
		{"rejects a city name as free text", "region", "Cambridge", RuleName},
		{"rejects accented free text", "sex", "Zoë", RuleName},
		{"rejects a street address", "condition.code", "12 Elm Street", RuleAddress},
		{"rejects a PO box", "lab.code", "PO Box 118", RuleAddress},
		{"rejects a full ZIP code in region", "region", "02139", RulePostalCode},
		{"rejects ZIP+4", "region", "02139-4307", RulePostalCode},
		{"rejects a UK postcode", "region", "SW1A 1AA", RulePostalCode},
		{"rejects a Canadian postcode", "region", "K1A 0B1", RulePostalCode},
		{"rejects an ISO date in the week field", "onsetWeek", "2026-02-14", RuleDate},
		{"rejects an ISO week date with a weekday", "onsetWeek", "2026-W07-3", RuleDate},
		{"rejects a compact week date with a weekday", "onsetWeek", "2026W073", RuleDate},
		{"rejects a US date", "condition.code", "2/14/2026", RuleDate},
		{"rejects a compact date", "lab.code", "20260214", RuleDate},
		{"rejects a written date", "sex", "Feb 14", RuleDate},
		{"rejects an ordinal date", "onsetWeek", "2026-045", RuleDate},
		{"rejects a time of day", "onsetWeek", "2026-W07 10:30", RuleDate},
		{"rejects a date inside a datetime", "onsetWeek", "2026-02-14T10:30:00Z", RuleDate},
		{"rejects an exact age over 89", "ageBand", "93", RuleAge},
		{"rejects a five-year band over 89", "ageBand", "90-94", RuleAge},
		{"rejects a band that starts over 89", "ageBand", "100+", RuleAge},
		{"rejects an age written with units", "sex", "93 yo", RuleAge},
		{"rejects a NANP phone number", "condition.code", "(617) 555-0142", RulePhone},
		{"rejects an international phone number", "lab.code", "+44 20 7946 0958", RulePhone},
		{"rejects a local phone number", "region", "555-0142", RulePhone},
		{"rejects a ten-digit run as a phone number", "region", "6175550142", RulePhone},
		{"rejects an e-mail address", "sex", "a.okafor@example.com", RuleEmail},
		{"rejects an SSN", "region", "123-45-6789", RuleNationalID},
		{"rejects a bare nine-digit SSN", "condition.code", "123456789", RuleNationalID},
		{"rejects a UK national insurance number", "lab.code", "QQ 12 34 56 C", RuleNationalID},
		{"rejects an MRN-like token", "condition.code", "MRN0012345", RuleRecordNumber},
		{"rejects a labelled account number", "lab.interpretation", "acct 12", RuleRecordNumber},
		{"rejects a long digit run", "lab.code", "1234567", RuleRecordNumber},
		{"rejects a grouped card number", "lab.code", "4111 1111 1111 1111", RuleRecordNumber},
		{"rejects a Medicare beneficiary id", "condition.code", "1EG4TE5MK73", RuleRecordNumber},
		{"rejects a hash-prefixed number", "region", "#4417", RuleRecordNumber},
		{"rejects a licence label", "sex", "Licence", RuleLicense},
		{"rejects a DEA-style number", "condition.code", "AB1234563", RuleRecordNumber},
		{"rejects a VIN", "condition.code", "1HGCM82633A004352", RuleVehicle},
		{"rejects a VIN label", "sex", "VIN", RuleVehicle},
		{"rejects a MAC address", "lab.code", "00:1A:2B:3C:4D:5E", RuleDevice},
		{"rejects a GS1 UDI", "lab.code", "(01)00844588003288", RuleDevice},
		{"rejects an IMEI-length run", "lab.code", "490154203237518", RuleDevice},
		{"rejects an IMEI label", "sex", "IMEI", RuleDevice},
		{"rejects a URL", "condition.code", "https://ehr.example.org/p/1", RuleURL},
		{"rejects a bare domain", "sex", "example.com", RuleURL},
		{"rejects an IPv4 address", "region", "10.0.0.1", RuleIP},
		{"rejects an IPv6 address", "lab.code", "fe80::1ff:fe23:4567:890a", RuleIP},
		{"rejects a full IPv6 address", "lab.code", "2001:0db8:85a3:0000:0000:8a2e:0370:7334", RuleIP},
		{"rejects a biometric reference", "sex", "fingerprint", RuleBiometric},
		{"rejects a data URI image", "sex", "data:image/png;base64,iVBORw0KGgo", RulePhoto},
		{"rejects a JPEG base64 blob", "condition.code", "/9j/4AAQSkZJRgABAQ", RulePhoto},
		{"rejects a long base64 run", "patientKey", "QmFzZTY0IGVuY29kZWQgYmlvbWV0cmljIHRlbXBsYXRlIGRhdGE=", RulePhoto},
		{"rejects a UUID", "condition.code", "6b1f0c6e-3d5a-4c8e-9a61-0f2d7c1e4b10", RuleUniqueCode},
		{"rejects an OID", "lab.code", "2.16.840.1.113883", RuleUniqueCode},
		{"rejects a URN", "lab.code", "urn:x", RuleUniqueCode},
		{"rejects an uppercase hex key", "patientKey", strings.Repeat("AB12", 16), RuleUniqueCode},
		{"rejects a long opaque token", "condition.code", "X7K2P9Q4R8T1", RuleUniqueCode},
		{"rejects a small-population prefix", "region", "036", RuleSmallPopulation},
		{"rejects digits hidden by a zero-width space", "region", "123\u200b45\u200b6789", RuleNationalID},
		{"rejects full-width digits", "region", "１２３-４５-６７８９", RuleNationalID},
		{"rejects other scripts' digits", "region", "٠٢١٣٩", RulePostalCode},
		{"rejects an SSN spaced with no-break spaces", "region", "123\u00a045\u00a06789", RuleNationalID},
		{"rejects a number with a check letter", "condition.code", "12345678X", RuleRecordNumber},
		{"rejects an SSN with a Unicode dash", "region", "123\u201345\u20136789", RuleNationalID},
	}
	cfg := safeHarborConfig()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := validReport()
			set(tc.field, tc.value)(&r)
			err := Check(r, cfg)
			var v *Violation
			require.ErrorAs(t, err, &v)
			require.Equal(t, tc.field, v.Field)
			require.Equal(t, tc.rule, v.Rule)
			require.ErrorIs(t, err, ErrIdentifier)
			require.NotErrorIs(t, err, ErrFormat)
			require.NotContains(t, err.Error(), tc.value, "errors must not echo the value")
		})
	}
}

func TestCheckExemptsOnlyValidLongCodesFromDigitRules(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*Report)
		rule   Rule // "" when the report passes
	}{
		{"accepts a nine-digit SNOMED CT concept id", func(r *Report) { r.Condition = &Condition{System: SystemSNOMED, Code: "840539006"} }, ""},
		{"rejects a nine-digit SNOMED-shaped id with a bad check digit as an SSN",
			func(r *Report) { r.Condition = &Condition{System: SystemSNOMED, Code: "840539005"} }, RuleNationalID},
		{"rejects a SNOMED description id, which is not a concept", func(r *Report) { r.Condition = &Condition{System: SystemSNOMED, Code: "3304015"} }, RuleRecordNumber},
		{"rejects a valid SNOMED CT id filed under icd-10", func(r *Report) { r.Condition.Code = "840539006" }, RuleNationalID},
		{"accepts a five-digit LOINC code", func(r *Report) { r.Lab.Code = "94500-6" }, ""},
		{"rejects a LOINC-shaped code with a bad check digit as a ZIP code", func(r *Report) { r.Lab.Code = "94500-5" }, RulePostalCode},
		{"rejects a valid patient key in the region field", func(r *Report) { r.Region = r.PatientKey }, RuleUniqueCode},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := validReport()
			tc.mutate(&r)
			err := Check(r, Config{})
			if tc.rule == "" {
				require.NoError(t, err)
				return
			}
			var v *Violation
			require.ErrorAs(t, err, &v)
			require.Equal(t, tc.rule, v.Rule)
		})
	}
}

func TestCheckRejectsMalformedFields(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*Report)
		field  string
		rule   Rule
	}{
		{"rejects a report with neither condition nor lab", func(r *Report) { r.Condition, r.Lab = nil, nil }, "condition", RuleRequired},
		{"rejects an empty code system", func(r *Report) { r.Condition.System = "" }, "condition.system", RuleCodeSystem},
		{"rejects a code that is not ICD-10 shaped", func(r *Report) { r.Condition.Code = "1A07.1" }, "condition.code", RuleICD10},
		{"rejects an ICD-10 code with a bad extension", func(r *Report) { r.Condition.Code = "J10.1X2345" }, "condition.code", RuleICD10},
		{"rejects a SNOMED id that is too short", func(r *Report) { r.Condition = &Condition{System: SystemSNOMED, Code: "1004"} }, "condition.code", RuleSNOMED},
		{"rejects a week that does not exist", func(r *Report) { r.OnsetWeek = "2025-W53" }, "onsetWeek", RuleISOWeek},
		{"rejects week zero", func(r *Report) { r.OnsetWeek = "2026-W00" }, "onsetWeek", RuleISOWeek},
		{"rejects a week before 1900", func(r *Report) { r.OnsetWeek = "1899-W10" }, "onsetWeek", RuleISOWeek},
		{"rejects a single-digit week", func(r *Report) { r.OnsetWeek = "2026-W7" }, "onsetWeek", RuleISOWeek},
		{"rejects an exact age under 90", func(r *Report) { r.AgeBand = "45" }, "ageBand", RuleAgeBand},
		{"rejects a misaligned band", func(r *Report) { r.AgeBand = "43-47" }, "ageBand", RuleAgeBand},
		{"rejects an empty sex", func(r *Report) { r.Sex = "" }, "sex", RuleSex},
		{"rejects a one-letter sex", func(r *Report) { r.Sex = "F" }, "sex", RuleSex},
		{"rejects a two-digit region", func(r *Report) { r.Region = "02" }, "region", RuleRegion},
		{"rejects a LOINC code with a leading zero", func(r *Report) { r.Lab.Code = "0345-7" }, "lab.code", RuleLOINC},
		{"rejects an empty interpretation", func(r *Report) { r.Lab.Interpretation = "" }, "lab.interpretation", RuleInterpretation},
		{"rejects an empty patient key", func(r *Report) { r.PatientKey = "" }, "patientKey", RulePatientKey},
		{"rejects a short numeric patient key", func(r *Report) { r.PatientKey = "0123" }, "patientKey", RulePatientKey},
		{"rejects a control character", func(r *Report) { r.Sex = "\x00" }, "sex", RuleSex},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := validReport()
			tc.mutate(&r)
			err := Check(r, Config{})
			var v *Violation
			require.ErrorAs(t, err, &v)
			require.Equal(t, tc.field, v.Field)
			require.Equal(t, tc.rule, v.Rule)
			require.ErrorIs(t, err, ErrFormat)
			require.NotErrorIs(t, err, ErrIdentifier)
			require.Contains(t, err.Error(), tc.field)
			require.Contains(t, err.Error(), string(tc.rule))
		})
	}
}

func TestCheckReportsFieldsInOrder(t *testing.T) {
	r := validReport()
	r.Sex = "Jane"
	r.Region = "02139"
	var v *Violation
	require.ErrorAs(t, Check(r, Config{}), &v)
	require.Equal(t, "sex", v.Field, "the first field in order is reported")

	r = validReport()
	r.Region = "036"
	r.PatientKey = ""
	require.ErrorAs(t, Check(r, safeHarborConfig()), &v)
	require.Equal(t, RuleSmallPopulation, v.Rule, "region comes before patientKey")
}

func TestCheckRejectsInvalidConfig(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  Config
	}{
		{"rejects a prefix that is not three digits", Config{SmallPopulationPrefixes: []string{"36"}}},
		{"rejects 000 as a small-population prefix", Config{SmallPopulationPrefixes: []string{"000"}}},
		{"rejects a duplicated prefix", Config{SmallPopulationPrefixes: []string{"036", "036"}}},
		{"rejects an oversized list", Config{SmallPopulationPrefixes: make([]string, MaxSmallPopulationPrefixes+1)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := Check(validReport(), tc.cfg)
			require.ErrorIs(t, err, ErrConfig)
			var v *Violation
			require.NotErrorAs(t, err, &v)
		})
	}
}

func TestRuleDescriptions(t *testing.T) {
	all := []Rule{RuleName, RuleAddress, RulePostalCode, RuleSmallPopulation, RuleDate, RuleAge, RulePhone,
		RuleEmail, RuleNationalID, RuleRecordNumber, RuleLicense, RuleVehicle, RuleDevice, RuleURL, RuleIP,
		RuleBiometric, RulePhoto, RuleUniqueCode, RuleRequired, RuleCodeSystem, RuleICD10, RuleSNOMED,
		RuleISOWeek, RuleAgeBand, RuleSex, RuleRegion, RuleLOINC, RuleInterpretation, RulePatientKey}
	seen := map[string]bool{}
	for _, r := range all {
		t.Run("describes "+string(r), func(t *testing.T) {
			d := r.description()
			require.NotEqual(t, "unknown rule", d)
			require.False(t, seen[d], "descriptions are distinct")
			seen[d] = true
		})
	}
	require.Equal(t, "unknown rule", Rule("nope").description())
	require.False(t, Rule("nope").Identifier())
}
