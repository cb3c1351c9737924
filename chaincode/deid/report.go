package deid

// Code systems of Condition.System.
const (
	SystemICD10  = "icd-10"    // WHO ICD-10 and its ICD-10-CM refinement
	SystemSNOMED = "snomed-ct" // SNOMED CT concept ids
)

// Values of Report.Sex, matching FHIR administrative gender.
const (
	SexFemale  = "female"
	SexMale    = "male"
	SexOther   = "other"
	SexUnknown = "unknown"
)

// Values of LabResult.Interpretation.
const (
	Positive      = "positive"
	Negative      = "negative"
	Indeterminate = "indeterminate"
)

// Report is one de-identified case report. Every field is a closed vocabulary
// or a strict code format: there is deliberately no free-text field, because
// free text is where names and other identifiers leak. A report carries a
// condition, a lab result, or both; Check enforces all of this.
type Report struct {
	Condition  *Condition `json:"condition,omitempty"`
	OnsetWeek  string     `json:"onsetWeek"` // ISO week of onset, e.g. 2026-W07
	AgeBand    string     `json:"ageBand"`   // 0-4 … 85-89, 90+, or unknown
	Sex        string     `json:"sex"`       // female, male, other, unknown
	Region     string     `json:"region"`    // 3-digit ZIP prefix, 000 when suppressed
	Lab        *LabResult `json:"lab,omitempty"`
	PatientKey string     `json:"patientKey"` // Pseudonym output
}

// Condition is the diagnosis of a case report.
type Condition struct {
	System string `json:"system"` // SystemICD10 or SystemSNOMED
	Code   string `json:"code"`
}

// LabResult is a qualitative laboratory result.
type LabResult struct {
	Code           string `json:"code"`           // LOINC code of the test
	Interpretation string `json:"interpretation"` // Positive, Negative or Indeterminate
}

var (
	sexes           = map[string]bool{SexFemale: true, SexMale: true, SexOther: true, SexUnknown: true}
	interpretations = map[string]bool{Positive: true, Negative: true, Indeterminate: true}
	systems         = map[string]bool{SystemICD10: true, SystemSNOMED: true}
)
