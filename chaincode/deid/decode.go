package deid

import "slices"

// MaxReportBytes bounds an encoded Report. A valid report is under 400 bytes;
// the slack lets the gate see, and name, a smuggled identifier rather than
// reject a merely large record.
const MaxReportBytes = 4096

var reportLimits = jsonLimits{maxBytes: MaxReportBytes, maxDepth: 2, maxValues: 32}

// DecodeReport parses a Report from JSON as produced by encoding/json, and
// rejects anything else: unknown or repeated keys, keys in another case,
// non-string fields, invalid UTF-8, trailing data, or more than
// MaxReportBytes. Errors are *PathError wrapping ErrMalformed or ErrLimit.
// DecodeReport checks structure only; run Check on the result before trusting
// its content.
func DecodeReport(data []byte) (Report, error) {
	tree, err := decodeTree(data, reportLimits)
	if err != nil {
		return Report{}, err
	}
	root := node{v: tree}
	if root.object() == nil {
		return Report{}, pathErr("", ErrMalformed, "a report must be a JSON object")
	}
	if err := onlyKeys(root, "condition", "onsetWeek", "ageBand", "sex", "region", "lab", "patientKey"); err != nil {
		return Report{}, err
	}
	var r Report
	if err := decodeStrings(root, false, []stringField{{"onsetWeek", &r.OnsetWeek}, {"ageBand", &r.AgeBand},
		{"sex", &r.Sex}, {"region", &r.Region}, {"patientKey", &r.PatientKey}}); err != nil {
		return Report{}, err
	}
	if c := root.child("condition"); c.present() {
		r.Condition = &Condition{}
		if err := decodeStrings(c, true, []stringField{{"system", &r.Condition.System}, {"code", &r.Condition.Code}}); err != nil {
			return Report{}, err
		}
	}
	if l := root.child("lab"); l.present() {
		r.Lab = &LabResult{}
		if err := decodeStrings(l, true, []stringField{{"code", &r.Lab.Code}, {"interpretation", &r.Lab.Interpretation}}); err != nil {
			return Report{}, err
		}
	}
	return r, nil
}

type stringField struct {
	key string
	dst *string
}

// decodeStrings fills string members in a fixed order, so that the error for
// a record with several bad fields is the same on every peer. A nested object
// (closed) may hold no other keys.
func decodeStrings(n node, closed bool, fs []stringField) error {
	if n.object() == nil {
		return pathErr(n.path, ErrMalformed, "must be an object")
	}
	if closed {
		keys := make([]string, len(fs))
		for i, f := range fs {
			keys[i] = f.key
		}
		if err := onlyKeys(n, keys...); err != nil {
			return err
		}
	}
	for _, f := range fs {
		s, err := n.str(f.key)
		if err != nil {
			return err
		}
		*f.dst = s
	}
	return nil
}

// onlyKeys rejects members other than allowed. The error names the object,
// not the unknown key, which is input and could itself be an identifier.
func onlyKeys(n node, allowed ...string) error {
	for k := range n.object() {
		if !slices.Contains(allowed, k) {
			return pathErr(n.path, ErrMalformed, "has an unknown field")
		}
	}
	return nil
}
