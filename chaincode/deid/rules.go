package deid

// Rule names one check of the gate. Identifier rules follow the letters of
// the Safe Harbor list in 45 CFR 164.514(b)(2)(i); the package doc maps each
// letter to its rule.
type Rule string

// Identifier rules: a match means the field may disclose who the patient is.
const (
	RuleName            Rule = "safe-harbor-a-name"                // free text outside a closed vocabulary, titles
	RuleAddress         Rule = "safe-harbor-b-street-address"      // street, PO box, apartment
	RulePostalCode      Rule = "safe-harbor-b-postal-code"         // full ZIP, ZIP+4, UK or Canadian postcode
	RuleSmallPopulation Rule = "safe-harbor-b-small-population"    // 3-digit prefix of an area under 20,000 people
	RuleDate            Rule = "safe-harbor-c-date"                // a date or time finer than a week
	RuleAge             Rule = "safe-harbor-c-age-over-89"         // an exact age, or a band, above 89
	RulePhone           Rule = "safe-harbor-de-phone-or-fax"       // telephone and fax numbers
	RuleEmail           Rule = "safe-harbor-f-email"               // e-mail addresses
	RuleNationalID      Rule = "safe-harbor-g-national-id"         // SSN and other national identifiers
	RuleRecordNumber    Rule = "safe-harbor-hij-record-number"     // medical record, health plan, account numbers
	RuleLicense         Rule = "safe-harbor-k-certificate-license" // certificate and licence numbers
	RuleVehicle         Rule = "safe-harbor-l-vehicle"             // VINs and licence plates
	RuleDevice          Rule = "safe-harbor-m-device"              // device serials, IMEI, MAC, UDI
	RuleURL             Rule = "safe-harbor-n-url"                 // web addresses
	RuleIP              Rule = "safe-harbor-o-ip-address"          // IPv4 and IPv6 addresses
	RuleBiometric       Rule = "safe-harbor-p-biometric"           // finger, voice, iris prints
	RulePhoto           Rule = "safe-harbor-q-photo"               // images and long encoded blobs
	RuleUniqueCode      Rule = "safe-harbor-r-unique-code"         // UUIDs, OIDs, long opaque codes
)

// Format rules: a match means the field is malformed.
const (
	RuleRequired       Rule = "required"          // a report needs a condition or a lab result
	RuleCodeSystem     Rule = "code-system"       // condition.system is icd-10 or snomed-ct
	RuleICD10          Rule = "icd-10-code"       // ICD-10 code shape
	RuleSNOMED         Rule = "snomed-ct-concept" // SNOMED CT concept id with Verhoeff check digit
	RuleISOWeek        Rule = "iso-week"          // YYYY-Www, a week that exists, year from 1900
	RuleAgeBand        Rule = "age-band"          // five-year band, 90+, or unknown
	RuleSex            Rule = "sex"               // female, male, other, unknown
	RuleRegion         Rule = "region"            // three digits
	RuleLOINC          Rule = "loinc-code"        // LOINC code with mod-10 check digit
	RuleInterpretation Rule = "interpretation"    // positive, negative, indeterminate
	RulePatientKey     Rule = "patient-key"       // 64 lowercase hex digits
)

// Identifier reports whether r is a Safe Harbor identifier rule, as opposed
// to a format rule.
func (r Rule) Identifier() bool {
	switch r {
	case RuleName, RuleAddress, RulePostalCode, RuleSmallPopulation, RuleDate, RuleAge,
		RulePhone, RuleEmail, RuleNationalID, RuleRecordNumber, RuleLicense, RuleVehicle,
		RuleDevice, RuleURL, RuleIP, RuleBiometric, RulePhoto, RuleUniqueCode:
		return true
	}
	return false
}

func (r Rule) description() string {
	switch r {
	case RuleName:
		return "value outside the field's closed vocabulary is treated as free text that may carry a name"
	case RuleAddress:
		return "looks like a street address"
	case RulePostalCode:
		return "looks like a full postal code"
	case RuleSmallPopulation:
		return "postal prefix of a small-population area must be reported as 000"
	case RuleDate:
		return "looks like a date or time finer than a week"
	case RuleAge:
		return "discloses an age over 89"
	case RulePhone:
		return "looks like a telephone or fax number"
	case RuleEmail:
		return "looks like an e-mail address"
	case RuleNationalID:
		return "looks like a social security or national identity number"
	case RuleRecordNumber:
		return "looks like a medical record, health plan or account number"
	case RuleLicense:
		return "looks like a certificate or licence number"
	case RuleVehicle:
		return "looks like a vehicle identifier or licence plate"
	case RuleDevice:
		return "looks like a device identifier or serial number"
	case RuleURL:
		return "looks like a URL"
	case RuleIP:
		return "looks like an IP address"
	case RuleBiometric:
		return "refers to a biometric identifier"
	case RulePhoto:
		return "looks like an encoded image or binary blob"
	case RuleUniqueCode:
		return "looks like a unique identifying code"
	case RuleRequired:
		return "a report needs a condition, a lab result, or both"
	case RuleCodeSystem:
		return "must be icd-10 or snomed-ct"
	case RuleICD10:
		return "must be an ICD-10 code such as J10.1"
	case RuleSNOMED:
		return "must be a SNOMED CT concept id: 6 to 18 digits, concept partition, valid Verhoeff check digit"
	case RuleISOWeek:
		return "must be an existing ISO week YYYY-Www from 1900"
	case RuleAgeBand:
		return "must be a five-year band 0-4 to 85-89, 90+, or unknown"
	case RuleSex:
		return "must be female, male, other or unknown"
	case RuleRegion:
		return "must be a 3-digit postal prefix"
	case RuleLOINC:
		return "must be a LOINC code with a valid check digit, such as 94500-6"
	case RuleInterpretation:
		return "must be positive, negative or indeterminate"
	case RulePatientKey:
		return "must be 64 lowercase hexadecimal digits"
	}
	return "unknown rule"
}
