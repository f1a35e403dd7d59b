package i18n

import (
	"math"
	"strconv"
	"strings"
	"time"

	"golang.org/x/text/language"
	"golang.org/x/text/message"
	"golang.org/x/text/number"
)

// Numbers as a locale writes them (CLDR, through golang.org/x/text):
// grouping and decimal separators, the percent sign's spacing, and short
// duration units for report figures.

// durationUnits are a language's abbreviations for seconds, minutes,
// hours and days, as a dashboard cell writes them ("1 h 25 min").
var durationUnits = map[string][4]string{
	"en": {"s", "min", "h", "d"},
	"nb": {"s", "min", "t", "d"},
	"da": {"s", "min", "t", "d"},
	"sv": {"s", "min", "h", "d"},
	"sl": {"s", "min", "h", "d"},
}

func baseOf(locale string) string {
	base, _, _ := strings.Cut(strings.ToLower(strings.TrimSpace(locale)), "-")
	if base == "no" || base == "nn" {
		base = "nb"
	}
	if _, ok := durationUnits[base]; ok {
		return base
	}
	return Fallback
}

func printer(locale string) *message.Printer {
	return message.NewPrinter(language.Make(baseOf(locale)))
}

// FormatCount writes a whole number with the locale's grouping: "12,345"
// in English, "12 345" in Norwegian, "12.345" in Danish.
func FormatCount(locale string, n int64) string {
	return printer(locale).Sprint(number.Decimal(n))
}

// FormatNumber writes v with at most digits decimals: "2.5", "2,5".
func FormatNumber(locale string, v float64, digits int) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "—"
	}
	return printer(locale).Sprint(number.Decimal(v, number.MaxFractionDigits(digits)))
}

// FormatPercent writes a ratio (0..1) as a percentage with at most one
// decimal: "85.3%", "85,3 %".
func FormatPercent(locale string, ratio float64) string {
	if math.IsNaN(ratio) || math.IsInf(ratio, 0) {
		return "—"
	}
	return printer(locale).Sprint(number.Percent(ratio, number.MaxFractionDigits(1)))
}

// FormatDuration writes seconds in at most two units, the larger first:
// "45 s", "25 min", "1 h 25 min", "2 d 3 h" (in Norwegian "1 t 25 min").
// The smaller unit is left out when it is zero; the value is rounded to
// the smaller unit.
func FormatDuration(locale string, secs float64) string {
	if math.IsNaN(secs) || math.IsInf(secs, 0) {
		return "—"
	}
	u := durationUnits[baseOf(locale)]
	sign := ""
	if secs < 0 {
		sign, secs = "−", -secs
	}
	s := int64(math.Round(secs))
	two := func(big, small int64, bu, su string) string {
		out := strconv.FormatInt(big, 10) + "\u00a0" + bu
		if small > 0 {
			out += " " + strconv.FormatInt(small, 10) + "\u00a0" + su
		}
		return sign + out
	}
	switch {
	case s < 60:
		return sign + strconv.FormatInt(s, 10) + "\u00a0" + u[0]
	case s < 3600:
		m := (s + 30) / 60
		if m == 60 {
			return sign + "1\u00a0" + u[2]
		}
		return sign + strconv.FormatInt(m, 10) + "\u00a0" + u[1]
	case s < 86400:
		m := (s + 30) / 60
		if m >= 24*60 {
			return sign + "1\u00a0" + u[3]
		}
		return two(m/60, m%60, u[2], u[1])
	}
	h := (s + 1800) / 3600
	return two(h/24, h%24, u[3], u[2])
}

// FormatDay writes a date without weekday or time, as chart axes and
// report periods show it: "2 Mar", "2. mar.", with year "2 Mar 2026".
func FormatDay(locale string, t time.Time, year bool) string {
	s := styleOf(locale)
	out := strconv.Itoa(t.Day())
	if strings.Contains(s.layout, "%[2]d.") {
		out += "."
	}
	out += " " + s.months[t.Month()-1]
	if year {
		out += " " + strconv.Itoa(t.Year())
	}
	return out
}

// FormatMonth writes a month and its year: "Mar 2026", "mar. 2026".
func FormatMonth(locale string, t time.Time) string {
	return styleOf(locale).months[t.Month()-1] + " " + strconv.Itoa(t.Year())
}

// Weekday is a weekday's short name: "Mon", "ma.", "mån", "pon.".
func Weekday(locale string, d time.Weekday) string {
	return styleOf(locale).weekdays[d]
}
