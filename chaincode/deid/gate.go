package deid

// Check is the de-identification gate: it returns nil only when every field of
// r is in its strict format and no field looks like a Safe Harbor identifier.
// Otherwise it returns the first *Violation in field order (condition.system,
// condition.code, onsetWeek, ageBand, sex, region, lab.code,
// lab.interpretation, patientKey), wrapping ErrIdentifier or ErrFormat, or an
// ErrConfig error when cfg is invalid.
//
// Each field is scanned for identifiers before its format is checked, so the
// rule reported for, say, an SSN typed into the region field is the SSN rule;
// and a value that fails its format but contains letters is reported as
// possible free text (RuleName), since no field accepts free text.
func Check(r Report, cfg Config) error {
	if err := cfg.Validate(); err != nil {
		return err
	}
	if r.Condition == nil && r.Lab == nil {
		return &Violation{Field: "condition", Rule: RuleRequired}
	}
	for _, f := range fields(r, cfg) {
		if rule, bad := f.judge(); bad {
			return &Violation{Field: f.name, Rule: rule}
		}
	}
	return nil
}

// field is one report value with what the gate needs to judge it.
type field struct {
	name       string
	value      string
	valid      bool // the value is in the field's strict format
	formatRule Rule // the rule reported when it is not
	longCode   bool // the format is a long digit or hex code (see scanIdentifiers)
	ageField   bool // any number above 89 is an age
	suppress   bool // a valid value that Config says must be reported as 000
}

func fields(r Report, cfg Config) []field {
	var fs []field
	if c := r.Condition; c != nil {
		codeValid, codeRule := false, RuleCodeSystem
		switch c.System {
		case SystemICD10:
			codeValid, codeRule = ValidICD10(c.Code), RuleICD10
		case SystemSNOMED:
			codeValid, codeRule = ValidSNOMED(c.Code), RuleSNOMED
		}
		fs = append(fs,
			field{name: "condition.system", value: c.System, valid: systems[c.System], formatRule: RuleCodeSystem},
			field{name: "condition.code", value: c.Code, valid: codeValid, formatRule: codeRule, longCode: codeValid})
	}
	fs = append(fs,
		field{name: "onsetWeek", value: r.OnsetWeek, valid: validWeek(r.OnsetWeek), formatRule: RuleISOWeek},
		field{name: "ageBand", value: r.AgeBand, valid: ageBands[r.AgeBand], formatRule: RuleAgeBand, ageField: true},
		field{name: "sex", value: r.Sex, valid: sexes[r.Sex], formatRule: RuleSex},
		field{name: "region", value: r.Region, valid: threeDigits.MatchString(r.Region), formatRule: RuleRegion,
			suppress: cfg.suppressed(r.Region)})
	if l := r.Lab; l != nil {
		codeValid := ValidLOINC(l.Code)
		fs = append(fs,
			field{name: "lab.code", value: l.Code, valid: codeValid, formatRule: RuleLOINC, longCode: codeValid},
			field{name: "lab.interpretation", value: l.Interpretation, valid: interpretations[l.Interpretation], formatRule: RuleInterpretation})
	}
	keyValid := validPatientKey(r.PatientKey)
	return append(fs, field{name: "patientKey", value: r.PatientKey, valid: keyValid, formatRule: RulePatientKey, longCode: keyValid})
}

// judge returns the rule f breaks, identifier rules first.
func (f field) judge() (Rule, bool) {
	folded := fold(f.value)
	if rule, found := scanIdentifiers(folded, f.longCode); found {
		return rule, true
	}
	if f.ageField && f.value != AgeBandOver89 && mentionsAgeOver89(folded) {
		return RuleAge, true
	}
	switch {
	case f.valid && f.suppress:
		return RuleSmallPopulation, true
	case f.valid:
		return "", false
	case hasLetterRun(folded):
		return RuleName, true
	}
	return f.formatRule, true
}
