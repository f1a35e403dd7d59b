package i18n

import (
	"fmt"
	"strings"
	"time"
)

// dateStyle is how one language writes a weekday, a day of the month and a
// month: its abbreviated names and the punctuation around them (CLDR's
// abbreviated forms, trimmed where a helpdesk list needs them short).
type dateStyle struct {
	weekdays [7]string  // Sunday first, as time.Weekday counts
	months   [12]string // January first
	// layout places the parts: %[1]s weekday, %[2]d day, %[3]s month,
	// %[4]s the year part ("" or " 2006"), %[5]s the clock.
	layout string
}

var dateStyles = map[string]dateStyle{
	"en": {
		weekdays: [7]string{"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"},
		months:   [12]string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"},
		layout:   "%[1]s %[2]d %[3]s%[4]s %[5]s",
	},
	"nb": {
		weekdays: [7]string{"sø.", "ma.", "ti.", "on.", "to.", "fr.", "lø."},
		months:   [12]string{"jan.", "feb.", "mar.", "apr.", "mai", "jun.", "jul.", "aug.", "sep.", "okt.", "nov.", "des."},
		layout:   "%[1]s %[2]d. %[3]s%[4]s %[5]s",
	},
	"da": {
		weekdays: [7]string{"sø.", "ma.", "ti.", "on.", "to.", "fr.", "lø."},
		months:   [12]string{"jan.", "feb.", "mar.", "apr.", "maj", "jun.", "jul.", "aug.", "sep.", "okt.", "nov.", "dec."},
		layout:   "%[1]s %[2]d. %[3]s%[4]s %[5]s",
	},
	"sv": {
		weekdays: [7]string{"sön", "mån", "tis", "ons", "tors", "fre", "lör"},
		months:   [12]string{"jan", "feb", "mar", "apr", "maj", "jun", "jul", "aug", "sep", "okt", "nov", "dec"},
		layout:   "%[1]s %[2]d %[3]s%[4]s %[5]s",
	},
	"sl": {
		weekdays: [7]string{"ned.", "pon.", "tor.", "sre.", "čet.", "pet.", "sob."},
		months:   [12]string{"jan.", "feb.", "mar.", "apr.", "maj", "jun.", "jul.", "avg.", "sep.", "okt.", "nov.", "dec."},
		layout:   "%[1]s, %[2]d. %[3]s%[4]s %[5]s",
	},
}

func styleOf(locale string) dateStyle {
	base, _, _ := strings.Cut(strings.ToLower(strings.TrimSpace(locale)), "-")
	if base == "no" || base == "nn" {
		base = "nb"
	}
	if s, ok := dateStyles[base]; ok {
		return s
	}
	return dateStyles[Fallback]
}

func format(locale string, t time.Time, year bool) string {
	s := styleOf(locale)
	y := ""
	if year {
		y = fmt.Sprintf(" %d", t.Year())
	}
	return fmt.Sprintf(s.layout, s.weekdays[t.Weekday()], t.Day(), s.months[t.Month()-1], y, t.Format("15:04"))
}

// FormatTime writes t (already in the reader's time zone) the way locale
// writes a weekday, date and time without the year: "Mon 2 Jan 15:04",
// "ma. 2. jan. 15:04", "mån 2 jan 15:04", "pon., 2. jan. 15:04". Unknown
// locales get English.
func FormatTime(locale string, t time.Time) string { return format(locale, t, false) }

// FormatDateTime is FormatTime with the year: "Mon 2 Jan 2006 15:04".
func FormatDateTime(locale string, t time.Time) string { return format(locale, t, true) }

// FormatNear is FormatTime for times in now's year and FormatDateTime for
// the others, so a list of recent times stays short and an old one is
// never mistaken for this year's.
func FormatNear(locale string, t, now time.Time) string {
	return format(locale, t, t.Year() != now.In(t.Location()).Year())
}
