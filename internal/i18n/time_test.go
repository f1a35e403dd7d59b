package i18n

import (
	"testing"
	"time"
)

func TestFormatTime(t *testing.T) {
	mon := time.Date(2006, time.January, 2, 15, 4, 5, 0, time.UTC)
	sun := time.Date(2026, time.August, 30, 9, 7, 0, 0, time.UTC)
	may := time.Date(2026, time.May, 1, 0, 0, 0, 0, time.UTC) // Friday
	tests := []struct {
		locale string
		t      time.Time
		want   string
	}{
		{"en", mon, "Mon 2 Jan 15:04"},
		{"nb", mon, "ma. 2. jan. 15:04"},
		{"da", mon, "ma. 2. jan. 15:04"},
		{"sv", mon, "mån 2 jan 15:04"},
		{"sl", mon, "pon., 2. jan. 15:04"},
		{"en", sun, "Sun 30 Aug 09:07"},
		{"nb", sun, "sø. 30. aug. 09:07"},
		{"da", sun, "sø. 30. aug. 09:07"},
		{"sv", sun, "sön 30 aug 09:07"},
		{"sl", sun, "ned., 30. avg. 09:07"},
		{"nb", may, "fr. 1. mai 00:00"},
		{"da", may, "fr. 1. maj 00:00"},
		{"sl", may, "pet., 1. maj 00:00"},
		{"nb-NO", mon, "ma. 2. jan. 15:04"},
		{"no", mon, "ma. 2. jan. 15:04"},
		{"fr", mon, "Mon 2 Jan 15:04"},
		{"", mon, "Mon 2 Jan 15:04"},
	}
	for _, tt := range tests {
		t.Run(tt.locale+" "+tt.want, func(t *testing.T) {
			if got := FormatTime(tt.locale, tt.t); got != tt.want {
				t.Errorf("FormatTime(%q, %v) = %q, want %q", tt.locale, tt.t, got, tt.want)
			}
		})
	}
}

func TestFormatDateTime(t *testing.T) {
	mon := time.Date(2006, time.January, 2, 15, 4, 5, 0, time.UTC)
	for locale, want := range map[string]string{
		"en": "Mon 2 Jan 2006 15:04",
		"nb": "ma. 2. jan. 2006 15:04",
		"da": "ma. 2. jan. 2006 15:04",
		"sv": "mån 2 jan 2006 15:04",
		"sl": "pon., 2. jan. 2006 15:04",
	} {
		if got := FormatDateTime(locale, mon); got != want {
			t.Errorf("FormatDateTime(%q) = %q, want %q", locale, got, want)
		}
	}
}

func TestFormatNear(t *testing.T) {
	oslo, err := time.LoadLocation("Europe/Oslo")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, time.March, 10, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		t    time.Time
		want string
	}{
		{"this year", time.Date(2026, time.January, 2, 15, 4, 0, 0, time.UTC), "Fri 2 Jan 15:04"},
		{"last year", time.Date(2025, time.December, 31, 22, 0, 0, 0, time.UTC), "Wed 31 Dec 2025 22:00"},
		// New Year's Eve 23:30 UTC is already next year in Oslo.
		{"year of the reader's zone", time.Date(2025, time.December, 31, 23, 30, 0, 0, time.UTC).In(oslo), "Thu 1 Jan 00:30"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := FormatNear("en", tt.t, now); got != tt.want {
				t.Errorf("FormatNear(%v) = %q, want %q", tt.t, got, tt.want)
			}
		})
	}
}
