package i18n

import (
	"math"
	"strings"
	"testing"
	"time"
)

func TestFormatDuration(t *testing.T) {
	tests := []struct {
		locale string
		secs   float64
		want   string
	}{
		{"en", 0, "0 s"},
		{"en", 45, "45 s"},
		{"en", 59.6, "1 min"},
		{"en", 25 * 60, "25 min"},
		{"en", 3599, "1 h"},
		{"en", 3600 + 25*60, "1 h 25 min"},
		{"en", 2 * 3600, "2 h"},
		{"en", 86399, "1 d"},
		{"en", 2*86400 + 3*3600 + 10*60, "2 d 3 h"},
		{"en", 3 * 86400, "3 d"},
		{"nb", 3600 + 25*60, "1 t 25 min"},
		{"nb-NO", 2*86400 + 3*3600, "2 d 3 t"},
		{"sl", 3600 + 25*60, "1 h 25 min"},
		{"fr", 90 * 60, "1 h 30 min"},
		{"en", -120, "−2 min"},
		{"en", math.NaN(), "—"},
	}
	for _, tt := range tests {
		got := strings.ReplaceAll(FormatDuration(tt.locale, tt.secs), "\u00a0", " ")
		if got != tt.want {
			t.Errorf("FormatDuration(%q, %v) = %q, want %q", tt.locale, tt.secs, got, tt.want)
		}
	}
}

func TestFormatNumbers(t *testing.T) {
	nb := func(s string) string { return strings.ReplaceAll(s, "\u00a0", " ") }
	for _, tt := range []struct{ got, want string }{
		{FormatPercent("en", 0.853), "85.3%"},
		{nb(FormatPercent("nb", 0.853)), "85,3 %"},
		{FormatPercent("en", 1), "100%"},
		{FormatPercent("en", math.Inf(1)), "—"},
		{FormatCount("en", 12345), "12,345"},
		{nb(FormatCount("sv", 12345)), "12 345"},
		{FormatCount("da", 12345), "12.345"},
		{FormatNumber("en", 2.25, 1), "2.2"},
		{FormatNumber("sl", 2.5, 1), "2,5"},
		{FormatNumber("en", 3, 1), "3"},
	} {
		if tt.got != tt.want {
			t.Errorf("got %q, want %q", tt.got, tt.want)
		}
	}
}

func TestFormatDay(t *testing.T) {
	d := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	for _, tt := range []struct{ got, want string }{
		{FormatDay("en", d, false), "2 Mar"},
		{FormatDay("nb", d, true), "2. mar. 2026"},
		{FormatDay("sv", d, false), "2 mar"},
		{FormatMonth("sl", d), "mar. 2026"},
		{Weekday("en", d.Weekday()), "Mon"},
		{Weekday("da", time.Sunday), "sø."},
	} {
		if tt.got != tt.want {
			t.Errorf("got %q, want %q", tt.got, tt.want)
		}
	}
}
