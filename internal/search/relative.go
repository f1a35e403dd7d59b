package search

import (
	"strconv"
	"strings"
	"time"
)

// Relative dates are read in the agent's zone against the store's clock:
//
//	created>7d          after the instant 7 days ago (the last 7 days)
//	updated<24h         before the instant 24 hours ago (not touched for a day)
//	created:today       within the period; also yesterday, this_week,
//	                    last_week (weeks start on Monday), this_month,
//	                    last_month, this_year, last_year
//	updated<yesterday   before the period starts; > is after it ends
//
// An age's unit may be spelled out (4hours, 2days, 1week), as Zendesk
// users type it. Ages count hours exactly and days and weeks on the calendar, so "7d" at
// 10:00 is 10:00 a week ago even across a change to summer time.

// periods are the named periods.
var periods = []string{"today", "yesterday", "this_week", "last_week", "this_month", "last_month", "this_year", "last_year"}

func isPeriod(rel string) bool {
	for _, p := range periods {
		if p == rel {
			return true
		}
	}
	return false
}

// maxAge bounds an age's number (about 27 years in days) so that no
// arithmetic overflows and a typo is caught.
const maxAge = 10000

// relative reads a relative date: ok is false for anything that does not
// look like one (an absolute date), err reports one that looks relative but
// is not valid.
func relative(v string) (rel string, ok bool, err error) {
	v = strings.ReplaceAll(strings.ToLower(v), "-", "_")
	if isPeriod(v) {
		return v, true, nil
	}
	if v == "" || v[0] < '0' || v[0] > '9' {
		return "", false, nil
	}
	i := 0
	for i < len(v) && v[i] >= '0' && v[i] <= '9' {
		i++
	}
	unit := v[i:]
	if unit == "" || strings.ContainsAny(unit, "0123456789_:") {
		return "", false, nil // a date such as 2026_01_01 is not relative
	}
	switch unit {
	case "h", "hour", "hours":
		unit = "h"
	case "d", "day", "days":
		unit = "d"
	case "w", "week", "weeks":
		unit = "w"
	default:
		return "", true, errBadAge
	}
	n, perr := strconv.Atoi(v[:i])
	if perr != nil || n <= 0 || n > maxAge {
		return "", true, errBadAge
	}
	return strconv.Itoa(n) + unit, true, nil
}

type badAge struct{}

func (badAge) Error() string { return "bad age" }

var errBadAge error = badAge{}

// Resolve fixes a relative date term at now: Time is the instant (an age)
// or the period's start, End the period's end (zero for an age). Other
// terms come back unchanged.
func (t Term) Resolve(now time.Time) Term {
	if t.Rel == "" {
		return t
	}
	loc := t.Loc
	if loc == nil {
		loc = time.UTC
	}
	n := now.In(loc)
	day := func(offset int) time.Time {
		return time.Date(n.Year(), n.Month(), n.Day()+offset, 0, 0, 0, 0, loc)
	}
	month := func(offset int) time.Time {
		return time.Date(n.Year(), n.Month()+time.Month(offset), 1, 0, 0, 0, 0, loc)
	}
	year := func(offset int) time.Time { return time.Date(n.Year()+offset, 1, 1, 0, 0, 0, 0, loc) }
	monday := -((int(n.Weekday()) + 6) % 7) // days back to this week's Monday
	var from, to time.Time
	switch t.Rel {
	case "today":
		from, to = day(0), day(1)
	case "yesterday":
		from, to = day(-1), day(0)
	case "this_week":
		from, to = day(monday), day(monday+7)
	case "last_week":
		from, to = day(monday-7), day(monday)
	case "this_month":
		from, to = month(0), month(1)
	case "last_month":
		from, to = month(-1), month(0)
	case "this_year":
		from, to = year(0), year(1)
	case "last_year":
		from, to = year(-1), year(0)
	default:
		k, _ := strconv.Atoi(t.Rel[:len(t.Rel)-1])
		switch t.Rel[len(t.Rel)-1] {
		case 'h':
			from = n.Add(-time.Duration(k) * time.Hour)
		case 'd':
			from = n.AddDate(0, 0, -k)
		case 'w':
			from = n.AddDate(0, 0, -7*k)
		}
	}
	t.Time, t.End = from.UTC(), time.Time{}
	if !to.IsZero() {
		t.End = to.UTC()
	}
	return t
}

// Bounds is a resolved relative date term as the half-open range [from,
// to) of matching times; a zero bound is open. An age is one instant, so
// "> 7d" starts just after it (the store counts milliseconds).
func (t Term) Bounds() (from, to time.Time) {
	period := !t.End.IsZero()
	switch t.Op {
	case OpIs:
		return t.Time, t.End
	case OpGe:
		return t.Time, time.Time{}
	case OpGt:
		if period {
			return t.End, time.Time{}
		}
		return t.Time.Add(time.Millisecond), time.Time{}
	case OpLt:
		return time.Time{}, t.Time
	case OpLe:
		if period {
			return time.Time{}, t.End
		}
		return time.Time{}, t.Time.Add(time.Millisecond)
	}
	return time.Time{}, time.Time{}
}

// HasRelativeDate reports whether query (in the search language) holds a
// relative date, whose matches change as time passes without any ticket
// changing (caches of its counts must expire).
func HasRelativeDate(query string) bool {
	q, err := Parse(query)
	if err != nil {
		return false
	}
	for _, t := range q.Terms {
		if t.Rel != "" {
			return true
		}
	}
	return false
}
