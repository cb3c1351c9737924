package deid

import "regexp"

// icd10Pattern is the ICD-10 shape agreed for GovLedger. The U chapter is
// included: WHO assigns its emergency codes there (U07.1 is COVID-19), and
// those are exactly what surveillance must accept.
var icd10Pattern = regexp.MustCompile(`^[A-Z][0-9][0-9AB](\.[0-9A-Z]{1,4})?$`)

// ValidICD10 reports whether code has the shape of an ICD-10 (or ICD-10-CM)
// code. It checks shape only; it does not know which codes exist.
func ValidICD10(code string) bool { return icd10Pattern.MatchString(code) }

// ValidSNOMED reports whether id is a SNOMED CT concept identifier: 6 to 18
// digits without a leading zero, a concept partition identifier (00 for the
// international release, 10 for a namespace extension) in the two digits
// before the last, and a valid Verhoeff check digit. The partition and check
// digit matter beyond hygiene: a concept id is a long digit run, so the gate
// can only tell it from a record number by these checks.
func ValidSNOMED(id string) bool {
	n := len(id)
	if n < 6 || n > 18 || id[0] == '0' || !allDigits(id) {
		return false
	}
	if partition := id[n-3 : n-1]; partition != "00" && partition != "10" {
		return false
	}
	return verhoeffValid(id)
}

// ValidLOINC reports whether code is a LOINC code: one to six digits, a hyphen
// and a mod-10 (Luhn) check digit over the digits.
func ValidLOINC(code string) bool {
	n := len(code)
	if n < 3 || n > 8 || code[n-2] != '-' {
		return false
	}
	body := code[:n-2]
	if body[0] == '0' || !allDigits(body) || !allDigits(code[n-1:]) {
		return false
	}
	return luhnValid(body + code[n-1:])
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// Verhoeff dihedral-group tables, as published by Verhoeff (1969) and used by
// SNOMED International for component identifiers.
var (
	verhoeffD = [10][10]byte{
		{0, 1, 2, 3, 4, 5, 6, 7, 8, 9},
		{1, 2, 3, 4, 0, 6, 7, 8, 9, 5},
		{2, 3, 4, 0, 1, 7, 8, 9, 5, 6},
		{3, 4, 0, 1, 2, 8, 9, 5, 6, 7},
		{4, 0, 1, 2, 3, 9, 5, 6, 7, 8},
		{5, 9, 8, 7, 6, 0, 4, 3, 2, 1},
		{6, 5, 9, 8, 7, 1, 0, 4, 3, 2},
		{7, 6, 5, 9, 8, 2, 1, 0, 4, 3},
		{8, 7, 6, 5, 9, 3, 2, 1, 0, 4},
		{9, 8, 7, 6, 5, 4, 3, 2, 1, 0},
	}
	verhoeffP = [8][10]byte{
		{0, 1, 2, 3, 4, 5, 6, 7, 8, 9},
		{1, 5, 7, 6, 2, 8, 3, 0, 9, 4},
		{5, 8, 0, 3, 7, 9, 6, 1, 4, 2},
		{8, 9, 1, 6, 0, 4, 3, 5, 2, 7},
		{9, 4, 5, 3, 1, 2, 6, 8, 7, 0},
		{4, 2, 8, 6, 5, 7, 3, 9, 0, 1},
		{2, 7, 9, 3, 8, 0, 6, 4, 1, 5},
		{7, 0, 4, 6, 9, 1, 3, 2, 5, 8},
	}
)

// verhoeffValid checks a digit string whose last digit is a Verhoeff check
// digit. The caller guarantees only ASCII digits.
func verhoeffValid(digits string) bool {
	var c byte
	for i := 0; i < len(digits); i++ {
		d := digits[len(digits)-1-i] - '0'
		c = verhoeffD[c][verhoeffP[i%8][d]]
	}
	return c == 0
}

// luhnValid checks a digit string whose last digit is a Luhn check digit. The
// caller guarantees only ASCII digits.
func luhnValid(digits string) bool {
	sum := 0
	for i := 0; i < len(digits); i++ {
		d := int(digits[len(digits)-1-i] - '0')
		if i%2 == 1 {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return sum%10 == 0
}
