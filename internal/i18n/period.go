package i18n

import (
	"strconv"
	"strings"
	"time"
)

// monthNames are the months' full names, for a whole month ("October
// 2026", "oktober 2026").
var monthNames = map[string][12]string{
	"en": {"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"},
	"nb": {"januar", "februar", "mars", "april", "mai", "juni", "juli", "august", "september", "oktober", "november", "desember"},
	"sv": {"januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september", "oktober", "november", "december"},
	"da": {"januar", "februar", "marts", "april", "maj", "juni", "juli", "august", "september", "oktober", "november", "december"},
	"sl": {"januar", "februar", "marec", "april", "maj", "junij", "julij", "avgust", "september", "oktober", "november", "december"},
}

// ordinalDot are the languages that write a day of the month with a dot.
var ordinalDot = map[string]bool{"nb": true, "da": true, "sl": true}

// FormatPeriod names the days first to last in locale: "12–18 Oct 2026",
// "28 Sep – 4 Oct 2026", "29 Dec 2025 – 4 Jan 2026" in English, "12.–18.
// okt. 2026" in Norwegian; a whole month is "October 2026" ("oktober
// 2026").
func FormatPeriod(locale string, first, last time.Time, month bool) string {
	s := styleOf(locale)
	base, _, _ := strings.Cut(strings.ToLower(strings.TrimSpace(locale)), "-")
	if base == "no" || base == "nn" {
		base = "nb"
	}
	if _, ok := monthNames[base]; !ok {
		base = Fallback
	}
	if month {
		return monthNames[base][first.Month()-1] + " " + strconv.Itoa(first.Year())
	}
	day := func(t time.Time) string {
		if ordinalDot[base] {
			return strconv.Itoa(t.Day()) + "."
		}
		return strconv.Itoa(t.Day())
	}
	dm := func(t time.Time) string { return day(t) + " " + s.months[t.Month()-1] }
	dmy := func(t time.Time) string { return dm(t) + " " + strconv.Itoa(t.Year()) }
	switch {
	case first.Year() != last.Year():
		return dmy(first) + " – " + dmy(last)
	case first.Month() != last.Month():
		return dm(first) + " – " + dmy(last)
	}
	return day(first) + "–" + dmy(last)
}
