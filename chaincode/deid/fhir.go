package deid

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Limits on bundles accepted by FromFHIR. A case-report bundle is a few
// kilobytes; the limits leave room for verbose senders and none for abuse.
const (
	MaxBundleBytes   = 1 << 20 // encoded size
	MaxBundleDepth   = 32      // nesting of JSON objects and arrays
	MaxBundleValues  = 100_000 // JSON values of every kind
	MaxBundleEntries = 500     // Bundle.entry elements
)

var bundleLimits = jsonLimits{maxBytes: MaxBundleBytes, maxDepth: MaxBundleDepth, maxValues: MaxBundleValues}

// FHIR canonical URIs this mapping understands.
const (
	uriICD10        = "http://hl7.org/fhir/sid/icd-10"
	uriICD10CM      = "http://hl7.org/fhir/sid/icd-10-cm"
	uriSNOMED       = "http://snomed.info/sct"
	uriLOINC        = "http://loinc.org"
	uriSSN          = "http://hl7.org/fhir/sid/us-ssn"
	uriIDType       = "http://terminology.hl7.org/CodeSystem/v2-0203"
	uriIDTypeOld    = "http://hl7.org/fhir/v2/0203"
	uriObsCategory  = "http://terminology.hl7.org/CodeSystem/observation-category"
	uriInterp       = "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation"
	uriInterpOld    = "http://hl7.org/fhir/v3/ObservationInterpretation"
	uriConditionVer = "http://terminology.hl7.org/CodeSystem/condition-ver-status"
)

// ssnNamespace is the pseudonym namespace of US social security numbers,
// whichever way a hospital marks them, so that SSNs link across hospitals.
const ssnNamespace = "us-ssn"

var (
	// v3 ObservationInterpretation codes with a qualitative meaning; the
	// others (H, L, N, …) describe quantitative results and are ignored.
	interpretationCodes = map[string]string{
		"POS": Positive, "DET": Positive,
		"NEG": Negative, "ND": Negative,
		"IND": Indeterminate, "E": Indeterminate,
	}
	// SNOMED CT qualifier values used as Observation.valueCodeableConcept.
	resultConcepts = map[string]string{
		"10828004": Positive, "260373001": Positive, // positive, detected
		"260385009": Negative, "260415000": Negative, // negative, not detected
		"82334004": Indeterminate, "419984006": Indeterminate, // indeterminate, inconclusive
	}
)

// FromFHIR maps a FHIR R4 Bundle to de-identified reports, at the hospital's
// edge, before anything reaches the ledger.
//
// Resources: a Patient gives the patient key (Pseudonym over its preferred
// identifier: an SSN or other national identifier, else a medical record
// number, else any identifier with a system; MRNs are namespaced by their
// system so two hospitals' MRNs never collide), sex (gender; absent is
// unknown), region (postalCode of the home address, else the first address
// not marked old; absent is 000) and age band (birthDate at the event date;
// absent, or too coarse to place in one band, is unknown). A Condition gives a
// report with its ICD-10 (preferred) or SNOMED CT coding and the ISO week of
// onsetDateTime, onsetPeriod.start or recordedDate; refuted and
// entered-in-error Conditions are skipped. An Observation in the laboratory
// category gives a LOINC code and a qualitative interpretation (interpretation
// POS/NEG/IND/DET/ND/E or a SNOMED CT valueCodeableConcept, which must
// agree); other Observations, and cancelled or entered-in-error ones, are
// ignored. A lab Observation rides on the report of each Condition whose
// first laboratory evidence it is, and otherwise becomes a lab-only report
// dated by its effective time. Subjects resolve through entry.fullUrl or
// "Patient/<id>". Dates are taken as written, in the sender's time zone, so
// an onset late on a Sunday stays in that week. Reports come out in entry
// order; a bundle with nothing to report yields an empty slice.
//
// Every report passes Check before it is returned. Errors are *PathError
// naming the FHIR path and wrapping ErrMalformed, ErrLimit, ErrUnsupported
// or the gate's *Violation; an unusable secret or cfg is an ErrConfig error.
// Names, telecoms, addresses and identifiers are read only to derive the
// fields above and never appear in reports or errors.
func FromFHIR(bundle []byte, secret []byte, cfg Config) ([]Report, error) {
	if len(secret) < MinSecretLen {
		return nil, fmt.Errorf("%w: pseudonym secret must be at least %d bytes", ErrConfig, MinSecretLen)
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	tree, err := decodeTree(bundle, bundleLimits)
	if err != nil {
		return nil, err
	}
	m := &mapper{
		secret:     secret,
		cfg:        cfg,
		refs:       map[string]int{},
		patients:   map[int]*patient{},
		labs:       map[int]*labResult{},
		conditions: map[int]*caseCondition{},
	}
	if err := m.readEntries(node{v: tree}); err != nil {
		return nil, err
	}
	steps := []func(int, node) error{m.readPatient, m.readObservation, m.readCondition}
	kinds := []string{"Patient", "Observation", "Condition"}
	for s, step := range steps {
		for i, e := range m.entries {
			if e.kind == kinds[s] {
				if err := step(i, e.resource); err != nil {
					return nil, err
				}
			}
		}
	}
	return m.reports()
}

type entry struct {
	kind     string // resourceType; "" for an entry without a resource
	resource node
}

type patient struct {
	key, sex, region string
	birth            *partialDate
}

type labResult struct {
	patient  *patient
	lab      LabResult
	date     civilDate
	datePath string
	attached bool // the first lab evidence of some Condition
}

type caseCondition struct {
	patient  *patient
	cond     Condition
	date     civilDate
	datePath string
	lab      *labResult
}

type mapper struct {
	secret     []byte
	cfg        Config
	entries    []entry
	refs       map[string]int // fullUrl and Type/id → entry index
	patients   map[int]*patient
	labs       map[int]*labResult
	conditions map[int]*caseCondition
}

var fhirID = regexp.MustCompile(`^[A-Za-z0-9.-]{1,64}$`)

// readEntries checks the Bundle envelope and indexes every entry by the
// references that may point at it.
func (m *mapper) readEntries(root node) error {
	if root.object() == nil {
		return pathErr("", ErrMalformed, "a bundle must be a JSON object")
	}
	if rt, err := root.str("resourceType"); err != nil {
		return err
	} else if rt != "Bundle" {
		return pathErr("resourceType", ErrMalformed, "must be Bundle")
	}
	entries, err := root.objects("entry")
	if err != nil {
		return err
	}
	if len(entries) > MaxBundleEntries {
		return pathErr("entry", ErrLimit, fmt.Sprintf("more than %d entries", MaxBundleEntries))
	}
	m.entries = make([]entry, len(entries))
	for i, e := range entries {
		res, err := e.obj("resource")
		if err != nil {
			return err
		}
		if !res.present() {
			continue // a transaction entry may carry only a request
		}
		kind, err := res.str("resourceType")
		if err != nil {
			return err
		}
		if kind == "" {
			return pathErr(res.path+".resourceType", ErrMalformed, "is required")
		}
		m.entries[i] = entry{kind: kind, resource: res}
		fullURL, err := e.str("fullUrl")
		if err != nil {
			return err
		}
		if err := m.addRef(fullURL, i, e.path+".fullUrl"); err != nil {
			return err
		}
		id, err := res.str("id")
		if err != nil {
			return err
		}
		if id == "" {
			continue
		}
		if !fhirID.MatchString(id) {
			return pathErr(res.path+".id", ErrMalformed, "must be a FHIR id: 1 to 64 letters, digits, '-' or '.'")
		}
		if err := m.addRef(kind+"/"+id, i, res.path+".id"); err != nil {
			return err
		}
	}
	return nil
}

func (m *mapper) addRef(ref string, i int, path string) error {
	if ref == "" {
		return nil
	}
	if j, dup := m.refs[ref]; dup {
		return pathErr(path, ErrMalformed, fmt.Sprintf("duplicates the reference of entry[%d]", j))
	}
	m.refs[ref] = i
	return nil
}

// resolve follows a Reference to an entry of the wanted resource type.
func (m *mapper) resolve(owner node, key, kind string) (int, error) {
	refNode, err := owner.obj(key)
	if err != nil {
		return 0, err
	}
	ref, err := refNode.str("reference")
	if err != nil {
		return 0, err
	}
	path := refNode.path + ".reference"
	switch i, ok := m.refs[ref]; {
	case ref == "":
		return 0, pathErr(path, ErrMalformed, "is required")
	case ref[0] == '#':
		return 0, pathErr(path, ErrUnsupported, "contained resources are not supported")
	case !ok:
		return 0, pathErr(path, ErrMalformed, "does not resolve to an entry of the bundle")
	case m.entries[i].kind != kind:
		return 0, pathErr(path, ErrMalformed, "must refer to a "+kind)
	default:
		return i, nil
	}
}

func (m *mapper) readPatient(i int, res node) error {
	p := &patient{sex: SexUnknown, region: SuppressedRegion}
	gender, err := res.str("gender")
	if err != nil {
		return err
	}
	if gender != "" {
		if !sexes[gender] {
			return pathErr(res.path+".gender", ErrMalformed, "must be male, female, other or unknown")
		}
		p.sex = gender
	}
	birth, err := res.str("birthDate")
	if err != nil {
		return err
	}
	if birth != "" {
		d, ok := parseFHIRDate(birth, false)
		if !ok {
			return pathErr(res.path+".birthDate", ErrMalformed, "must be a FHIR date (YYYY, YYYY-MM or YYYY-MM-DD)")
		}
		p.birth = &d
	}
	if p.region, err = m.region(res); err != nil {
		return err
	}
	if p.key, err = m.patientKey(res); err != nil {
		return err
	}
	m.patients[i] = p
	return nil
}

// region reads the postal code of the home address, else of the first
// address not marked old.
func (m *mapper) region(res node) (string, error) {
	addrs, err := res.objects("address")
	if err != nil {
		return "", err
	}
	chosen, fallback := -1, -1
	for k, a := range addrs {
		use, err := a.str("use")
		if err != nil {
			return "", err
		}
		if use == "home" {
			chosen = k
			break
		}
		if use != "old" && fallback < 0 {
			fallback = k
		}
	}
	if chosen < 0 {
		chosen = fallback
	}
	if chosen < 0 {
		return SuppressedRegion, nil
	}
	postal, err := addrs[chosen].str("postalCode")
	if err != nil || postal == "" {
		return SuppressedRegion, err
	}
	region, err := m.cfg.Region(postal)
	if err != nil {
		return "", pathErr(addrs[chosen].path+".postalCode", ErrUnsupported, "must be a US ZIP code (5 or 9 digits)")
	}
	return region, nil
}

// patientKey pseudonymises the preferred identifier: rank 3 for an SSN or
// national identifier, 2 for a medical record number, 1 for any other
// identifier with a system; the first of the best rank wins.
func (m *mapper) patientKey(res node) (string, error) {
	ids, err := res.objects("identifier")
	if err != nil {
		return "", err
	}
	bestRank, bestNamespace, bestValue, bestPath := 0, "", "", ""
	for _, id := range ids {
		use, err := id.str("use")
		if err != nil {
			return "", err
		}
		system, err := id.str("system")
		if err != nil {
			return "", err
		}
		value, err := id.str("value")
		if err != nil {
			return "", err
		}
		if use == "old" || value == "" {
			continue
		}
		typeCodes, err := codes(id, "type", uriIDType, uriIDTypeOld)
		if err != nil {
			return "", err
		}
		rank, namespace := 0, system
		switch {
		case system == uriSSN || typeCodes["SS"]:
			rank, namespace = 3, ssnNamespace
		case system == "":
		case typeCodes["NI"]:
			rank = 3
		case typeCodes["MR"]:
			rank = 2
		default:
			rank = 1
		}
		if rank > bestRank {
			bestRank, bestNamespace, bestValue, bestPath = rank, namespace, value, id.path+".value"
		}
	}
	if bestRank == 0 {
		return "", pathErr(res.path+".identifier", ErrUnsupported,
			"needs an SSN, national identifier, medical record number or other identifier with a system")
	}
	if normaliseID(bestValue) == "" {
		return "", pathErr(bestPath, ErrMalformed, "is empty once white space and hyphens are removed")
	}
	return Pseudonym(m.secret, bestNamespace+"|"+bestValue), nil
}

// codes collects the codes of a CodeableConcept member whose coding system is
// one of systems.
func codes(owner node, key string, systems ...string) (map[string]bool, error) {
	cc, err := owner.obj(key)
	if err != nil {
		return nil, err
	}
	return conceptCodes(cc, systems...)
}

// conceptCodes collects the codes of a CodeableConcept whose coding system is
// one of systems.
func conceptCodes(cc node, systems ...string) (map[string]bool, error) {
	codings, err := cc.objects("coding")
	if err != nil {
		return nil, err
	}
	out := map[string]bool{}
	for _, c := range codings {
		system, code, err := systemCode(c)
		if err != nil {
			return nil, err
		}
		for _, s := range systems {
			if system == s {
				out[code] = true
			}
		}
	}
	return out, nil
}

func systemCode(coding node) (system, code string, err error) {
	if system, err = coding.str("system"); err != nil {
		return "", "", err
	}
	code, err = coding.str("code")
	return system, code, err
}

func (m *mapper) readObservation(i int, res node) error {
	status, err := res.str("status")
	if err != nil {
		return err
	}
	if status == "cancelled" || status == "entered-in-error" {
		return nil
	}
	isLab := false
	categories, err := res.objects("category")
	if err != nil {
		return err
	}
	for _, c := range categories {
		// Senders often omit the category system; "laboratory" is unambiguous.
		cats, err := conceptCodes(c, uriObsCategory, "")
		if err != nil {
			return err
		}
		isLab = isLab || cats["laboratory"]
	}
	if !isLab {
		return nil
	}
	subject, err := m.resolve(res, "subject", "Patient")
	if err != nil {
		return err
	}
	l := &labResult{patient: m.patients[subject]}
	if l.lab.Code, err = loincCode(res); err != nil {
		return err
	}
	if l.lab.Interpretation, err = qualitative(res); err != nil {
		return err
	}
	if l.date, l.datePath, err = eventDate(res, "effectiveDateTime", "effectivePeriod.start", "effectiveInstant", "issued"); err != nil {
		return err
	}
	m.labs[i] = l
	return nil
}

func loincCode(res node) (string, error) {
	code, err := res.obj("code")
	if err != nil {
		return "", err
	}
	codings, err := code.objects("coding")
	if err != nil {
		return "", err
	}
	for _, c := range codings {
		system, value, err := systemCode(c)
		if err != nil {
			return "", err
		}
		if system != uriLOINC {
			continue
		}
		if !ValidLOINC(value) {
			return "", pathErr(c.path+".code", ErrMalformed, "must be a LOINC code with a valid check digit")
		}
		return value, nil
	}
	return "", pathErr(code.path+".coding", ErrUnsupported, "has no LOINC coding")
}

// qualitative reads the result from interpretation and valueCodeableConcept;
// when both say something they must say the same thing.
func qualitative(res node) (string, error) {
	fromInterp := ""
	interps, err := res.objects("interpretation")
	if err != nil {
		return "", err
	}
	for _, cc := range interps {
		found, err := conceptCodes(cc, uriInterp, uriInterpOld)
		if err != nil {
			return "", err
		}
		if fromInterp, err = agree(fromInterp, found, interpretationCodes, cc.path); err != nil {
			return "", err
		}
	}
	found, err := codes(res, "valueCodeableConcept", uriSNOMED)
	if err != nil {
		return "", err
	}
	fromValue, err := agree("", found, resultConcepts, res.path+".valueCodeableConcept")
	if err != nil {
		return "", err
	}
	switch {
	case fromInterp != "" && fromValue != "" && fromInterp != fromValue:
		return "", pathErr(res.path+".valueCodeableConcept", ErrMalformed, "disagrees with interpretation")
	case fromInterp != "":
		return fromInterp, nil
	case fromValue != "":
		return fromValue, nil
	}
	return "", pathErr(res.path+".interpretation", ErrUnsupported,
		"a lab result needs a POS/NEG/IND/DET/ND/E interpretation or a SNOMED CT qualitative valueCodeableConcept")
}

// agree folds the meanings of found codes into so far, failing on a
// contradiction.
func agree(soFar string, found map[string]bool, meanings map[string]string, path string) (string, error) {
	for code := range found {
		meaning, ok := meanings[code]
		if !ok {
			continue
		}
		if soFar != "" && soFar != meaning {
			return "", pathErr(path, ErrMalformed, "codes contradict each other")
		}
		soFar = meaning
	}
	return soFar, nil
}

func (m *mapper) readCondition(i int, res node) error {
	ver, err := codes(res, "verificationStatus", uriConditionVer)
	if err != nil {
		return err
	}
	if ver["refuted"] || ver["entered-in-error"] {
		return nil
	}
	subject, err := m.resolve(res, "subject", "Patient")
	if err != nil {
		return err
	}
	c := &caseCondition{patient: m.patients[subject]}
	if c.cond, err = conditionCode(res); err != nil {
		return err
	}
	if c.date, c.datePath, err = eventDate(res, "onsetDateTime", "onsetPeriod.start", "recordedDate"); err != nil {
		return err
	}
	if c.lab, err = m.firstLabEvidence(res, subject); err != nil {
		return err
	}
	if c.lab != nil {
		c.lab.attached = true
	}
	m.conditions[i] = c
	return nil
}

// conditionCode prefers the first valid ICD-10 coding, then the first valid
// SNOMED CT one, so that hospitals coding the same case in both systems
// aggregate under the same code.
func conditionCode(res node) (Condition, error) {
	code, err := res.obj("code")
	if err != nil {
		return Condition{}, err
	}
	codings, err := code.objects("coding")
	if err != nil {
		return Condition{}, err
	}
	var icd, snomed *Condition
	var invalid error
	for _, c := range codings {
		system, value, err := systemCode(c)
		if err != nil {
			return Condition{}, err
		}
		switch system {
		case uriICD10, uriICD10CM:
			if ValidICD10(value) && icd == nil {
				icd = &Condition{System: SystemICD10, Code: value}
			} else if !ValidICD10(value) && invalid == nil {
				invalid = pathErr(c.path+".code", ErrMalformed, "must be an ICD-10 code such as J10.1")
			}
		case uriSNOMED:
			if ValidSNOMED(value) && snomed == nil {
				snomed = &Condition{System: SystemSNOMED, Code: value}
			} else if !ValidSNOMED(value) && invalid == nil {
				invalid = pathErr(c.path+".code", ErrMalformed, "must be a SNOMED CT concept id with a valid check digit")
			}
		}
	}
	switch {
	case icd != nil:
		return *icd, nil
	case snomed != nil:
		return *snomed, nil
	case invalid != nil:
		return Condition{}, invalid
	}
	return Condition{}, pathErr(code.path+".coding", ErrUnsupported, "has no ICD-10 or SNOMED CT coding")
}

// firstLabEvidence finds the first evidence detail that is a laboratory
// Observation in the bundle. Evidence pointing elsewhere is supporting
// information, not an error; evidence about another patient is.
func (m *mapper) firstLabEvidence(res node, subject int) (*labResult, error) {
	evidence, err := res.objects("evidence")
	if err != nil {
		return nil, err
	}
	for _, ev := range evidence {
		details, err := ev.objects("detail")
		if err != nil {
			return nil, err
		}
		for _, d := range details {
			ref, err := d.str("reference")
			if err != nil {
				return nil, err
			}
			l := m.labs[m.refIndex(ref)]
			if l == nil {
				continue
			}
			if l.patient != m.patients[subject] {
				return nil, pathErr(d.path+".reference", ErrMalformed, "refers to an Observation about another patient")
			}
			return l, nil
		}
	}
	return nil, nil
}

// refIndex returns the entry a reference names, or -1.
func (m *mapper) refIndex(ref string) int {
	if i, ok := m.refs[ref]; ok {
		return i
	}
	return -1
}

// eventDate reads the first present of the given date members (a dotted key
// reaches one level into an object, as in onsetPeriod.start). The date must
// have day precision: a week cannot be derived from a month.
func eventDate(res node, keys ...string) (civilDate, string, error) {
	for _, key := range keys {
		owner, leaf := res, key
		if parent, child, nested := strings.Cut(key, "."); nested {
			var err error
			if owner, err = res.obj(parent); err != nil {
				return civilDate{}, "", err
			}
			leaf = child
		}
		s, err := owner.str(leaf)
		if err != nil {
			return civilDate{}, "", err
		}
		if s == "" {
			continue
		}
		path := joinPath(owner.path, leaf)
		d, ok := parseFHIRDate(s, true)
		if !ok || d.precision < 3 {
			return civilDate{}, "", pathErr(path, ErrMalformed, "must be a FHIR date or dateTime with at least day precision")
		}
		return d.civilDate, path, nil
	}
	return civilDate{}, "", pathErr(joinPath(res.path, keys[0]), ErrMalformed,
		"is required (or one of "+strings.Join(keys[1:], ", ")+") to derive the week")
}

// fhirDate matches FHIR date and dateTime: a year, optionally month and day,
// and with day precision optionally a time with a mandatory zone.
var fhirDate = regexp.MustCompile(`^([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2})(T(?:[01][0-9]|2[0-3]):[0-5][0-9]:(?:[0-5][0-9]|60)(?:\.[0-9]{1,9})?(?:Z|[+-](?:(?:0[0-9]|1[0-3]):[0-5][0-9]|14:00)))?)?)?$`)

// parseFHIRDate parses a FHIR date, or a dateTime when withTime; the time of
// day is dropped and the date kept as written, in the sender's zone.
func parseFHIRDate(s string, withTime bool) (partialDate, bool) {
	m := fhirDate.FindStringSubmatch(s)
	if m == nil || (m[4] != "" && !withTime) {
		return partialDate{}, false
	}
	year, _ := strconv.Atoi(m[1])
	d := partialDate{civilDate: civilDate{year: year, month: time.January, day: 1}, precision: 1}
	if year == 0 {
		return partialDate{}, false
	}
	if m[2] != "" {
		month, _ := strconv.Atoi(m[2])
		if month < 1 || month > 12 {
			return partialDate{}, false
		}
		d.month, d.precision = time.Month(month), 2
	}
	if m[3] != "" {
		day, _ := strconv.Atoi(m[3])
		if day < 1 || day > d.latest().day {
			return partialDate{}, false
		}
		d.day, d.precision = day, 3
	}
	return d, true
}

// ageBandAt places the patient in an age band on date on. A partial birth
// date spans a range of ages; if the range crosses a band boundary the band
// is unknown rather than a guess.
func ageBandAt(p *patient, on civilDate, onPath string) (string, error) {
	if p.birth == nil {
		return AgeBandUnknown, nil
	}
	if on.before(p.birth.earliest()) {
		return "", pathErr(onPath, ErrMalformed, "is before the patient's birthDate")
	}
	oldest, _ := AgeBand(wholeYears(p.birth.earliest(), on))
	youngest, _ := AgeBand(max(0, wholeYears(p.birth.latest(), on)))
	if oldest != youngest {
		return AgeBandUnknown, nil
	}
	return oldest, nil
}

// reports emits, in entry order, one report per Condition and one per lab
// Observation not attached to a Condition, each checked by the gate.
func (m *mapper) reports() ([]Report, error) {
	out := []Report{}
	for i := range m.entries {
		var (
			p        *patient
			date     civilDate
			datePath string
			r        Report
		)
		if c := m.conditions[i]; c != nil {
			p, date, datePath = c.patient, c.date, c.datePath
			cond := c.cond
			r.Condition = &cond
			if c.lab != nil {
				lab := c.lab.lab
				r.Lab = &lab
			}
		} else if l := m.labs[i]; l != nil && !l.attached {
			p, date, datePath = l.patient, l.date, l.datePath
			lab := l.lab
			r.Lab = &lab
		} else {
			continue
		}
		band, err := ageBandAt(p, date, datePath)
		if err != nil {
			return nil, err
		}
		r.OnsetWeek, r.AgeBand, r.Sex, r.Region, r.PatientKey = Week(date.time()), band, p.sex, p.region, p.key
		if err := Check(r, m.cfg); err != nil {
			return nil, pathErr(fmt.Sprintf("entry[%d]", i), err, "the mapped report failed the de-identification gate")
		}
		out = append(out, r)
	}
	return out, nil
}
