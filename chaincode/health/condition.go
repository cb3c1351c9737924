package health

import (
	"regexp"
	"strings"

	"github.com/govledger/govledger/chaincode/deid"
	"github.com/govledger/govledger/chaincode/internal/validate"
)

// SystemLOINC prefixes the condition key of a positive lab-only report.
const SystemLOINC = "loinc"

// AnyRegion in a rule's region matches every region.
const AnyRegion = "*"

var (
	icd10Category = regexp.MustCompile(`^[A-Z][0-9][0-9AB]$`)
	regionPattern = regexp.MustCompile(`^[0-9]{3}$`)
)

// ConditionOf returns the key of the condition r counts under, and false when
// r counts nowhere (a lab-only report whose result is not positive). r must
// have passed deid.Check. See the package doc for the roll-up rules.
func ConditionOf(r deid.Report) (string, bool) {
	switch {
	case r.Condition != nil && r.Condition.System == deid.SystemICD10 && len(r.Condition.Code) >= 3:
		return deid.SystemICD10 + ":" + r.Condition.Code[:3], true
	case r.Condition != nil:
		return r.Condition.System + ":" + r.Condition.Code, true
	case r.Lab != nil && r.Lab.Interpretation == deid.Positive:
		return SystemLOINC + ":" + r.Lab.Code, true
	}
	return "", false
}

// ValidateCondition checks a condition key as ConditionOf produces them:
// "icd-10:<category>", "snomed-ct:<concept id>" or "loinc:<code>".
func ValidateCondition(field, key string) error {
	system, code, _ := strings.Cut(key, ":")
	ok := false
	switch system {
	case deid.SystemICD10:
		ok = icd10Category.MatchString(code)
	case deid.SystemSNOMED:
		ok = deid.ValidSNOMED(code)
	case SystemLOINC:
		ok = deid.ValidLOINC(code)
	}
	if !ok {
		return validate.Fail(field, RuleCondition,
			"must be icd-10:<three-character category>, snomed-ct:<concept id> or loinc:<code>")
	}
	return nil
}

// ValidateRegion checks a three-digit region; anyRegion also admits AnyRegion.
func ValidateRegion(field, region string, anyRegion bool) error {
	if regionPattern.MatchString(region) || (anyRegion && region == AnyRegion) {
		return nil
	}
	if anyRegion {
		return validate.Fail(field, RuleRegion, `must be a three-digit ZIP prefix or "*"`)
	}
	return validate.Fail(field, RuleRegion, "must be a three-digit ZIP prefix")
}
