package deid

import (
	"fmt"
	"strconv"
	"time"
)

// MinWeekYear is the earliest ISO week-numbering year a report may carry.
const MinWeekYear = 1900

// AgeBandUnknown is the age band of a patient whose age cannot be placed in a
// single band, for example because the birth date is missing or only a year.
const AgeBandUnknown = "unknown"

// AgeBandOver89 is the single band for everyone aged 90 or more: Safe Harbor
// forbids disclosing any age above 89.
const AgeBandOver89 = "90+"

// Week formats the ISO week containing the calendar date of t, in t's own
// location, as YYYY-Www. Callers in chaincode pass the transaction timestamp,
// never the wall clock.
func Week(t time.Time) string {
	y, w := t.ISOWeek()
	return fmt.Sprintf("%04d-W%02d", y, w)
}

// validWeek reports whether s is YYYY-Www naming a week that exists, in a year
// from MinWeekYear.
func validWeek(s string) bool {
	if len(s) != 8 || s[4] != '-' || s[5] != 'W' || !allDigits(s[:4]) || !allDigits(s[6:]) {
		return false
	}
	year, _ := strconv.Atoi(s[:4])
	week, _ := strconv.Atoi(s[6:])
	return year >= MinWeekYear && week >= 1 && week <= weeksInYear(year)
}

// weeksInYear is 52 or 53: December 28 always falls in the last ISO week.
func weeksInYear(year int) int {
	_, w := time.Date(year, time.December, 28, 0, 0, 0, 0, time.UTC).ISOWeek()
	return w
}

// AgeBand returns the five-year band ("0-4" … "85-89") for an age in whole
// years, or AgeBandOver89 from 90 on. A negative age is an error.
func AgeBand(age int) (string, error) {
	switch {
	case age < 0:
		return "", fmt.Errorf("%w: age must not be negative", ErrFormat)
	case age >= 90:
		return AgeBandOver89, nil
	}
	lo := age / 5 * 5
	return fmt.Sprintf("%d-%d", lo, lo+4), nil
}

// ageBands is the closed vocabulary of Report.AgeBand.
var ageBands = func() map[string]bool {
	bands := map[string]bool{AgeBandOver89: true, AgeBandUnknown: true}
	for age := 0; age < 90; age += 5 {
		b, _ := AgeBand(age)
		bands[b] = true
	}
	return bands
}()

// civilDate is a calendar date without time or zone: FHIR dates are local to
// the patient's care setting, and converting them to UTC would move events
// across week boundaries.
type civilDate struct {
	year  int
	month time.Month
	day   int
}

func (d civilDate) time() time.Time {
	return time.Date(d.year, d.month, d.day, 0, 0, 0, 0, time.UTC)
}

// before reports whether d is strictly earlier than o.
func (d civilDate) before(o civilDate) bool { return d.time().Before(o.time()) }

// wholeYears is the age in completed years on date on, for someone born on
// birth; someone born on 29 February turns a year older on 1 March in common
// years.
func wholeYears(birth, on civilDate) int {
	years := on.year - birth.year
	if on.month < birth.month || (on.month == birth.month && on.day < birth.day) {
		years--
	}
	return years
}

// partialDate is a FHIR date that may be only a year or a year and month.
// precision counts the components present: 1, 2 or 3.
type partialDate struct {
	civilDate
	precision int
}

// earliest and latest are the first and last days the partial date may mean.
func (p partialDate) earliest() civilDate {
	d := p.civilDate
	if p.precision < 2 {
		d.month = time.January
	}
	if p.precision < 3 {
		d.day = 1
	}
	return d
}

func (p partialDate) latest() civilDate {
	d := p.civilDate
	if p.precision < 2 {
		d.month = time.December
	}
	if p.precision < 3 {
		// Day 0 of the next month is the last day of this one.
		d.day = time.Date(d.year, d.month+1, 0, 0, 0, 0, 0, time.UTC).Day()
	}
	return d
}
