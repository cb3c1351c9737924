package health

import (
	"fmt"
	"strconv"
	"time"

	"github.com/govledger/govledger/chaincode/deid"
	"github.com/govledger/govledger/chaincode/internal/validate"
)

// MaxWeekYear is the last ISO week-numbering year a week may carry: four
// digits keep the text form fixed-width, so byte order is time order in keys.
const MaxWeekYear = 9999

// Week is an ISO 8601 week (Monday to Sunday, week 1 holding the year's first
// Thursday). Its text form, "2026-W07", is what keys, records and clients use.
// The zero Week is not a valid week; obtain one from ParseWeek or WeekOf.
type Week struct {
	year, week int
}

// ParseWeek parses "YYYY-Www" for a week that exists (week 53 only in long
// years), in years deid accepts up to MaxWeekYear. Errors are
// *validate.FieldError on field.
func ParseWeek(field, s string) (Week, error) {
	fail := func() (Week, error) {
		return Week{}, validate.Fail(field, RuleWeek,
			fmt.Sprintf("must be an ISO week YYYY-Www that exists, year %d to %d", deid.MinWeekYear, MaxWeekYear))
	}
	if len(s) != 8 || s[4] != '-' || s[5] != 'W' || !digits(s[:4]) || !digits(s[6:]) {
		return fail()
	}
	y, _ := strconv.Atoi(s[:4])
	w, _ := strconv.Atoi(s[6:])
	if y < deid.MinWeekYear || w < 1 || w > weeksIn(y) {
		return fail()
	}
	return Week{year: y, week: w}, nil
}

// WeekOf is the ISO week holding t's calendar date in UTC. Chaincode passes
// the transaction timestamp, never the wall clock.
func WeekOf(t time.Time) Week {
	y, w := t.UTC().ISOWeek()
	return Week{year: y, week: w}
}

// String renders the week as "YYYY-Www".
func (w Week) String() string { return fmt.Sprintf("%04d-W%02d", w.year, w.week) }

// Add returns the week n weeks later (earlier for negative n).
func (w Week) Add(n int) Week { return WeekOf(w.monday().AddDate(0, 0, 7*n)) }

// Sub returns the number of weeks from o to w: positive when w is later.
func (w Week) Sub(o Week) int {
	// Unix seconds, not time.Sub: a Duration overflows across ~292 years.
	return int((w.monday().Unix() - o.monday().Unix()) / (7 * 24 * 60 * 60))
}

// Before reports whether w is earlier than o.
func (w Week) Before(o Week) bool { return w.Sub(o) < 0 }

// monday is 00:00 UTC on the week's Monday. January 4 is always in week 1.
func (w Week) monday() time.Time {
	jan4 := time.Date(w.year, time.January, 4, 0, 0, 0, 0, time.UTC)
	sinceMonday := (int(jan4.Weekday()) + 6) % 7
	return jan4.AddDate(0, 0, 7*(w.week-1)-sinceMonday)
}

// weeksIn is 52 or 53: December 28 is always in the year's last ISO week.
func weeksIn(year int) int {
	_, w := time.Date(year, time.December, 28, 0, 0, 0, 0, time.UTC).ISOWeek()
	return w
}

func digits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}
