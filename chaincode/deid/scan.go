package deid

import (
	"regexp"
	"strconv"
	"strings"
	"unicode"
)

// The scanner looks for Safe Harbor identifiers in one field value. It is a
// heuristic by nature; it is tuned to never fire on values the strict formats
// accept and to fire on the usual shapes of each identifier. Go's regexp is
// RE2, so scanning is linear in the input whatever an attacker sends.

type detector struct {
	rule Rule
	re   *regexp.Regexp
}

// Ages 90 to 149 as a standalone number.
const over89 = `(?:9[0-9]|1[0-4][0-9])`

// structuredDetectors run on every field, in order; the first match decides
// the rule. Order matters where shapes overlap: an IPv4 address and an OID
// must be claimed before the dotted-date pattern sees them, a MAC address before the
// time-of-day pattern, a time of day before the IPv6 pattern.
var structuredDetectors = []detector{
	{RulePhoto, regexp.MustCompile(`data:image/|ivborw0kggo|/9j/4|\br0lgod`)},
	{RuleBiometric, regexp.MustCompile(`\b(?:biometrics?|finger ?prints?|thumb ?prints?|palm ?prints?|voice ?prints?|face ?prints?|retina[l]?|iris|minutiae|dna profile)\b`)},
	{RuleEmail, regexp.MustCompile(`[^\s@]@[^\s@]`)},
	{RuleURL, regexp.MustCompile(`[a-z][a-z0-9+.-]*://|\bwww\.|\b(?:mailto|https?|ftp|file):|\b[a-z0-9-]+\.(?:com|org|net|gov|edu|mil|int|io|info|biz|us|uk|ca|co|health|me|ly)\b`)},
	{RuleIP, regexp.MustCompile(`\b(?:25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])(?:\.(?:25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])){3}\b`)},
	{RuleUniqueCode, regexp.MustCompile(`\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b|\burn:|\boid:|\b[0-2](?:\.[0-9]+){4,}\b`)},
	{RuleDevice, regexp.MustCompile(`\b(?:[0-9a-f]{2}[:-]){5}[0-9a-f]{2}\b|\(01\)\s?[0-9]{14}|\b(?:serial|s/n|imei|udi|device id|mac address)\b`)},
	{RuleNationalID, regexp.MustCompile(`\b[0-9]{3}[\s.-][0-9]{2}[\s.-][0-9]{4}\b|\b[a-z]{2}\s?[0-9]{2}\s?[0-9]{2}\s?[0-9]{2}\s?[a-d]\b|\b(?:ssn|social security|passport|national id|nhs number|tax id|itin)\b`)},
	{RuleAge, regexp.MustCompile(`\b` + over89 + `\s*(?:y|yo|yr|yrs|year|years)\b|\bage[ds]?\s*[:=]?\s*` + over89 + `\b`)},
	{RuleDate, regexp.MustCompile(
		`\b[0-9]{4}[-/.][0-9]{1,2}[-/.][0-9]{1,2}(?:\b|t)` + // 2026-02-14, 2026/2/14, 2026-02-14T…
			`|\b[0-9]{1,2}[-/.][0-9]{1,2}[-/.][0-9]{2,4}\b` + // 14/02/2026, 2.14.26
			`|\b[0-9]{4}-?w[0-9]{2}-?[1-7]\b` + // ISO week date with weekday
			`|\b[0-9]{4}-[0-9]{3}\b` + // ordinal date 2026-045
			`|(?:\b|t)[0-9]{1,2}:[0-9]{2}\b` + // time of day, also after the T of a datetime
			`|\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s*[0-9]{1,2}\b` +
			`|\b[0-9]{1,2}(?:st|nd|rd|th)?\s*(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\b` +
			`|\b(?:dob|birth ?date|date of birth|born|admitted|discharged|deceased)\b`)},
	{RulePhone, regexp.MustCompile(`\+\s?[0-9][0-9\s().-]{6,}[0-9]|\([0-9]{3}\)\s?[0-9]{3}[\s.-]?[0-9]{4}|\b[0-9]{3}[\s.-][0-9]{3}[\s.-][0-9]{4}\b|\b[0-9]{3}[\s.-][0-9]{4}\b|\b(?:tel|phone|fax|mobile|cell)\b`)},
	{RulePostalCode, regexp.MustCompile(`\b[0-9]{5}[\s-][0-9]{4}\b|\b[a-z]{1,2}[0-9][a-z0-9]?\s*[0-9][a-z]{2}\b|\b[a-z][0-9][a-z]\s?[0-9][a-z][0-9]\b|\b(?:zip|zipcode|postcode|postal code)\b`)},
	{RuleAddress, regexp.MustCompile(`\b[0-9]{1,6}\s+(?:[a-z0-9.'-]+\s+){0,4}(?:street|st|avenue|ave|road|rd|boulevard|blvd|lane|ln|drive|dr|court|ct|way|place|pl|terrace|highway|hwy|parkway|pkwy|circle|cir|square|sq)\b|\bp\.?\s?o\.?\s+box\b|\b(?:apt|apartment|suite|ste|unit)\b\s*#?\s*[a-z0-9]|\b(?:address|addr)\b`)},
	{RuleRecordNumber, regexp.MustCompile(`\b(?:mrn|medical record|acct|account|member id|subscriber|policy|claim|health plan|beneficiary|hicn|mbi)\b|#\s?[0-9]{3,}`)},
	{RuleVehicle, regexp.MustCompile(`\b(?:vin|licen[cs]e plate|plate|vehicle)\b`)},
	{RuleLicense, regexp.MustCompile(`\b(?:licen[cs]e|lic|certificate|cert|dea|npi|registration)\b`)},
	{RuleIP, regexp.MustCompile(`\b(?:[0-9a-f]{1,4}:){2,7}[0-9a-f]{1,4}\b|::`)},
	{RuleName, regexp.MustCompile(`\b(?:mr|mrs|ms|miss|mx|dr|prof)\.?\s+[a-z]|\b(?:name|surname|given name|family name)\b`)},
}

var (
	separatedDigits = regexp.MustCompile(`[0-9]+(?:[\s./-][0-9]+)+`)
	base64Run       = regexp.MustCompile(`[a-z0-9+/]{40,}={0,2}`)
	alnumWord       = regexp.MustCompile(`[a-z0-9]+`)
	prefixedNumber  = regexp.MustCompile(`^[a-z]{1,5}[0-9]{5,}$`)
	vin             = regexp.MustCompile(`^[a-hj-npr-z0-9]{17}$`)
	// Medicare Beneficiary Identifier: 11 characters in a fixed digit/letter
	// pattern.
	mbi = regexp.MustCompile(`^[1-9][a-z][a-z0-9][0-9][a-z][a-z0-9][0-9][a-z][a-z][0-9][0-9]$`)
)

// scanIdentifiers returns the first identifier rule the folded value matches.
// longCodeOK says the whole value is a valid long code of the field's own
// format (a SNOMED CT concept id, a LOINC code, a patient key); such a value
// is itself a digit or hex run, so only the rules about long runs and opaque
// tokens are skipped for it. Every other detector still runs.
func scanIdentifiers(folded string, longCodeOK bool) (Rule, bool) {
	for _, d := range structuredDetectors {
		if d.re.MatchString(folded) {
			return d.rule, true
		}
	}
	if longCodeOK {
		return "", false
	}
	for _, m := range separatedDigits.FindAllString(folded, -1) {
		if countDigits(m) >= 7 {
			return RuleRecordNumber, true
		}
	}
	for _, m := range base64Run.FindAllString(folded, -1) {
		switch {
		case isHex(strings.TrimRight(m, "=")):
			return RuleUniqueCode, true
		case strings.ContainsAny(m, "0123456789") && strings.IndexFunc(m, isASCIILetter) >= 0:
			return RulePhoto, true
		}
	}
	for _, w := range alnumWord.FindAllString(folded, -1) {
		if rule, ok := classifyWord(w); ok {
			return rule, true
		}
	}
	return "", false
}

// classifyWord judges one maximal run of ASCII letters and digits.
func classifyWord(w string) (Rule, bool) {
	digits := countDigits(w)
	if digits == len(w) {
		return classifyDigitRun(w)
	}
	if digits == 0 {
		return "", false
	}
	switch {
	case vin.MatchString(w):
		return RuleVehicle, true
	case mbi.MatchString(w), prefixedNumber.MatchString(w):
		return RuleRecordNumber, true
	case len(w) >= 12:
		return RuleUniqueCode, true
	case digits >= 7:
		return RuleRecordNumber, true
	}
	return "", false
}

// classifyDigitRun judges a run of digits by its length: the lengths of the
// common identifiers are distinctive enough to name the likely one.
func classifyDigitRun(w string) (Rule, bool) {
	switch n := len(w); {
	case n == 8 && plausibleCompactDate(w):
		return RuleDate, true
	case n == 5 || n == 6:
		return RulePostalCode, true
	case n == 9:
		return RuleNationalID, true
	case n == 10 || n == 11:
		return RulePhone, true
	case n == 15:
		return RuleDevice, true
	case n >= 7:
		return RuleRecordNumber, true
	}
	return "", false
}

// plausibleCompactDate recognises YYYYMMDD, MMDDYYYY and DDMMYYYY.
func plausibleCompactDate(w string) bool {
	num := func(s string) int { n, _ := strconv.Atoi(s); return n }
	okYMD := func(y, m, d int) bool { return y >= 1850 && y <= 2199 && m >= 1 && m <= 12 && d >= 1 && d <= 31 }
	return okYMD(num(w[:4]), num(w[4:6]), num(w[6:])) ||
		okYMD(num(w[4:]), num(w[:2]), num(w[2:4])) ||
		okYMD(num(w[4:]), num(w[2:4]), num(w[:2]))
}

var anyNumber = regexp.MustCompile(`[0-9]+`)

// mentionsAgeOver89 finds any number from 90 up; in the age band field such a
// number can only be an age, and every age above 89 must read "90+".
func mentionsAgeOver89(folded string) bool {
	for _, m := range anyNumber.FindAllString(folded, -1) {
		m = strings.TrimLeft(m, "0")
		if len(m) > 2 || (len(m) == 2 && m >= "90") {
			return true
		}
	}
	return false
}

func countDigits(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			n++
		}
	}
	return n
}

func isHex(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

func isASCIILetter(r rune) bool { return r >= 'a' && r <= 'z' }

// fold prepares a value for scanning so that look-alike characters cannot
// smuggle an identifier past ASCII patterns: invisible format characters are
// dropped (a zero-width space must not split an SSN), full-width forms map to
// ASCII, other scripts' digits become 0, Unicode spaces and dashes become
// ASCII ones, and letters are lower-cased. The folded value is only scanned,
// never stored.
func fold(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case unicode.Is(unicode.Cf, r):
			continue
		case r >= 0xFF01 && r <= 0xFF5E:
			r -= 0xFF01 - 0x21
		case r <= unicode.MaxASCII:
			// ASCII needs only lower-casing.
		case unicode.IsDigit(r):
			r = '0'
		case unicode.IsSpace(r):
			r = ' '
		case unicode.Is(unicode.Pd, r):
			r = '-'
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}

// hasLetterRun reports two letters in a row: enough to spell a name or a
// word, which no format field accepts outside its vocabulary.
func hasLetterRun(s string) bool {
	prev := false
	for _, r := range s {
		cur := unicode.IsLetter(r)
		if cur && prev {
			return true
		}
		prev = cur
	}
	return false
}
