package sla

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/ombud/ombud/internal/apperr"
)

func zone(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func at(loc *time.Location, y int, m time.Month, d, h, mi int) time.Time {
	return time.Date(y, m, d, h, mi, 0, 0, loc)
}

func iv(start, end string) []Interval { return []Interval{{start, end}} }

func weekdays(ivs ...Interval) Schedule {
	return Schedule{Mon: ivs, Tue: ivs, Wed: ivs, Thu: ivs, Fri: ivs}
}

func everyDay(ivs ...Interval) Schedule {
	return Schedule{Mon: ivs, Tue: ivs, Wed: ivs, Thu: ivs, Fri: ivs, Sat: ivs, Sun: ivs}
}

func mustCalendar(t testing.TB, tz string, s Schedule, hs ...Holiday) *Calendar {
	t.Helper()
	c, err := NewCalendar(tz, s, hs)
	if err != nil {
		t.Fatalf("NewCalendar(%s): %v", tz, err)
	}
	return c
}

// The calendars the tables use.
type calendars struct {
	office, officeHol, split, allDay, nightOslo, nightNY, gapOslo, gapNY, fridayNight, officeNY *Calendar
}

func testCalendars(t testing.TB) calendars {
	easter := []Holiday{
		{Date: "2026-04-02", Name: "Maundy Thursday"},
		{Date: "2026-04-03", Name: "Good Friday"},
		{Date: "2026-04-06", Name: "Easter Monday"},
		{Date: "2020-05-01", Name: "Labour Day", Yearly: true},
		{Date: "2020-12-25", Name: "Christmas Day", Yearly: true},
		{Date: "2020-12-26", Name: "Boxing Day", Yearly: true},
	}
	return calendars{
		office:      mustCalendar(t, "Europe/Oslo", weekdays(Interval{"08:00", "16:00"})),
		officeHol:   mustCalendar(t, "Europe/Oslo", weekdays(Interval{"08:00", "16:00"}), easter...),
		split:       mustCalendar(t, "Europe/Oslo", weekdays(Interval{"08:00", "12:00"}, Interval{"13:00", "17:00"})),
		allDay:      mustCalendar(t, "Europe/Oslo", everyDay(Interval{"00:00", "24:00"})),
		nightOslo:   mustCalendar(t, "Europe/Oslo", Schedule{Sat: iv("22:00", "06:00")}),
		nightNY:     mustCalendar(t, "America/New_York", Schedule{Sat: iv("22:00", "06:00")}),
		gapOslo:     mustCalendar(t, "Europe/Oslo", Schedule{Sun: iv("02:30", "04:00")}),
		gapNY:       mustCalendar(t, "America/New_York", Schedule{Sun: iv("01:00", "03:00")}),
		fridayNight: mustCalendar(t, "Europe/Oslo", Schedule{Fri: iv("22:00", "02:00"), Sat: iv("10:00", "14:00")}),
		officeNY:    mustCalendar(t, "America/New_York", weekdays(Interval{"09:00", "17:00"})),
	}
}

func TestCalendarAdd(t *testing.T) {
	oslo, ny := zone(t, "Europe/Oslo"), zone(t, "America/New_York")
	c := testCalendars(t)
	satHoliday := mustCalendar(t, "Europe/Oslo", Schedule{Fri: iv("22:00", "02:00"), Sat: iv("10:00", "14:00")},
		Holiday{Date: "2026-03-07"})
	friHoliday := mustCalendar(t, "Europe/Oslo", Schedule{Fri: iv("22:00", "02:00"), Sat: iv("10:00", "14:00")},
		Holiday{Date: "2026-03-06"})
	tests := []struct {
		name  string
		cal   *Calendar
		start time.Time
		d     time.Duration
		want  time.Time
	}{
		{"inside an interval", c.office, at(oslo, 2026, 3, 2, 9, 0), 2 * time.Hour, at(oslo, 2026, 3, 2, 11, 0)},
		{"over the night", c.office, at(oslo, 2026, 3, 2, 15, 0), 2 * time.Hour, at(oslo, 2026, 3, 3, 9, 0)},
		{"before opening", c.office, at(oslo, 2026, 3, 2, 6, 0), time.Hour, at(oslo, 2026, 3, 2, 9, 0)},
		{"after closing on Friday", c.office, at(oslo, 2026, 3, 6, 17, 0), time.Hour, at(oslo, 2026, 3, 9, 9, 0)},
		{"weekend start ends at close", c.office, at(oslo, 2026, 3, 7, 12, 0), 8 * time.Hour, at(oslo, 2026, 3, 9, 16, 0)},
		{"exactly a day from opening", c.office, at(oslo, 2026, 3, 2, 8, 0), 8 * time.Hour, at(oslo, 2026, 3, 2, 16, 0)},
		{"one second more opens the next day", c.office, at(oslo, 2026, 3, 2, 8, 0), 8*time.Hour + time.Second, at(oslo, 2026, 3, 3, 8, 0).Add(time.Second)},
		{"zero outside hours", c.office, at(oslo, 2026, 3, 7, 12, 0), 0, at(oslo, 2026, 3, 7, 12, 0)},
		{"zero inside hours", c.office, at(oslo, 2026, 3, 2, 10, 0), 0, at(oslo, 2026, 3, 2, 10, 0)},
		{"sub-second start", c.office, at(oslo, 2026, 3, 2, 10, 0).Add(123 * time.Millisecond), time.Minute, at(oslo, 2026, 3, 2, 10, 1).Add(123 * time.Millisecond)},
		{"over spring forward", c.office, at(oslo, 2026, 3, 27, 15, 0), 2 * time.Hour, at(oslo, 2026, 3, 30, 9, 0)},
		{"over fall back", c.office, at(oslo, 2026, 10, 23, 15, 0), 2 * time.Hour, at(oslo, 2026, 10, 26, 9, 0)},
		{"New York spring forward", c.officeNY, at(ny, 2026, 3, 6, 16, 0), 2 * time.Hour, at(ny, 2026, 3, 9, 10, 0)},
		{"New York fall back", c.officeNY, at(ny, 2026, 10, 30, 16, 0), 2 * time.Hour, at(ny, 2026, 11, 2, 10, 0)},
		{"one-off holidays (Easter)", c.officeHol, at(oslo, 2026, 4, 1, 15, 0), 2 * time.Hour, at(oslo, 2026, 4, 7, 9, 0)},
		{"yearly holiday in a later year", c.officeHol, at(oslo, 2028, 4, 28, 15, 0), 2 * time.Hour, at(oslo, 2028, 5, 2, 9, 0)},
		{"yearly holiday on a Friday", c.officeHol, at(oslo, 2026, 12, 24, 15, 0), 2 * time.Hour, at(oslo, 2026, 12, 28, 9, 0)},
		{"split shift lunch", c.split, at(oslo, 2026, 3, 2, 11, 0), 2 * time.Hour, at(oslo, 2026, 3, 2, 14, 0)},
		{"split shift starts at lunch", c.split, at(oslo, 2026, 3, 2, 12, 30), 30 * time.Minute, at(oslo, 2026, 3, 2, 13, 30)},
		{"500 business hours", c.office, at(oslo, 2026, 3, 2, 8, 0), 500 * time.Hour, at(oslo, 2026, 5, 27, 12, 0)},
		{"500 business hours with holidays", c.officeHol, at(oslo, 2026, 3, 2, 8, 0), 500 * time.Hour, at(oslo, 2026, 6, 2, 12, 0)},
		{"10000 business hours", c.office, at(oslo, 2026, 3, 2, 8, 0), 10000 * time.Hour, at(oslo, 2030, 12, 13, 16, 0)},
		{"24/7 over spring forward", c.allDay, at(oslo, 2026, 3, 29, 0, 0), 3 * time.Hour, at(oslo, 2026, 3, 29, 4, 0)},
		{"24/7 over fall back", c.allDay, at(oslo, 2026, 10, 25, 0, 0), 3 * time.Hour, time.Date(2026, 10, 25, 1, 0, 0, 0, time.UTC)}, // 02:00 CET, the second one
		{"24/7 a whole fall-back day is 25 hours", c.allDay, at(oslo, 2026, 10, 25, 0, 0), 25 * time.Hour, at(oslo, 2026, 10, 26, 0, 0)},
		{"night shift over spring forward", c.nightOslo, at(oslo, 2026, 3, 28, 12, 0), 7 * time.Hour, at(oslo, 2026, 3, 29, 6, 0)},
		{"night shift over fall back", c.nightOslo, at(oslo, 2026, 10, 24, 12, 0), 9 * time.Hour, at(oslo, 2026, 10, 25, 6, 0)},
		{"New York night shift spring", c.nightNY, at(ny, 2026, 3, 7, 23, 0), 6 * time.Hour, at(ny, 2026, 3, 8, 6, 0)},
		{"New York night shift fall", c.nightNY, at(ny, 2026, 10, 31, 23, 0), 8 * time.Hour, at(ny, 2026, 11, 1, 6, 0)},
		{"interval starting in the skipped hour", c.gapOslo, at(oslo, 2026, 3, 29, 0, 0), 30 * time.Minute, at(oslo, 2026, 3, 29, 3, 30)},
		{"interval starting in the repeated hour", c.gapOslo, at(oslo, 2026, 10, 25, 0, 0), 2 * time.Hour, time.Date(2026, 10, 25, 2, 30, 0, 0, time.UTC)},
		{"New York interval over the skipped hour", c.gapNY, at(ny, 2026, 3, 8, 0, 0), time.Hour, at(ny, 2026, 3, 8, 3, 0)},
		{"New York interval over the repeated hour", c.gapNY, at(ny, 2026, 11, 1, 0, 0), 3 * time.Hour, time.Date(2026, 11, 1, 8, 0, 0, 0, time.UTC)},
		{"overnight spills into Saturday", c.fridayNight, at(oslo, 2026, 3, 6, 21, 0), 5 * time.Hour, at(oslo, 2026, 3, 7, 11, 0)},
		{"start inside the spill", c.fridayNight, at(oslo, 2026, 3, 7, 1, 0), 2 * time.Hour, at(oslo, 2026, 3, 7, 11, 0)},
		{"holiday on Saturday keeps Friday night", satHoliday, at(oslo, 2026, 3, 6, 21, 0), 5 * time.Hour, at(oslo, 2026, 3, 13, 23, 0)},
		{"holiday on Friday cancels its night", friHoliday, at(oslo, 2026, 3, 6, 21, 0), 5 * time.Hour, at(oslo, 2026, 3, 13, 23, 0)},
		{"holiday on Friday, the Saturday still counts", friHoliday, at(oslo, 2026, 3, 6, 21, 0), 3 * time.Hour, at(oslo, 2026, 3, 7, 13, 0)},
		{"always open", AlwaysOpen(), at(oslo, 2026, 3, 29, 1, 0), 90 * time.Minute, at(oslo, 2026, 3, 29, 1, 0).Add(90 * time.Minute)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.cal.Add(tt.start, tt.d)
			if !got.Equal(tt.want) {
				t.Fatalf("Add(%v, %v) = %v, want %v", tt.start, tt.d, got.In(tt.want.Location()), tt.want)
			}
			if e := tt.cal.Elapsed(tt.start, got); e != tt.d {
				t.Fatalf("Elapsed(start, Add) = %v, want %v", e, tt.d)
			}
		})
	}
}

func TestCalendarElapsed(t *testing.T) {
	oslo, ny := zone(t, "Europe/Oslo"), zone(t, "America/New_York")
	c := testCalendars(t)
	tests := []struct {
		name     string
		cal      *Calendar
		from, to time.Time
		want     time.Duration
	}{
		{"same instant", c.office, at(oslo, 2026, 3, 2, 9, 0), at(oslo, 2026, 3, 2, 9, 0), 0},
		{"backwards", c.office, at(oslo, 2026, 3, 2, 12, 0), at(oslo, 2026, 3, 2, 9, 0), 0},
		{"within a day", c.office, at(oslo, 2026, 3, 2, 9, 0), at(oslo, 2026, 3, 2, 12, 30), 3*time.Hour + 30*time.Minute},
		{"outside hours only", c.office, at(oslo, 2026, 3, 2, 16, 30), at(oslo, 2026, 3, 3, 7, 59), 0},
		{"a week", c.office, at(oslo, 2026, 3, 2, 0, 0), at(oslo, 2026, 3, 9, 0, 0), 40 * time.Hour},
		{"the spring-forward week", c.office, at(oslo, 2026, 3, 23, 0, 0), at(oslo, 2026, 3, 30, 12, 0), 44 * time.Hour},
		{"split shift day", c.split, at(oslo, 2026, 3, 2, 7, 0), at(oslo, 2026, 3, 2, 18, 0), 8 * time.Hour},
		{"Easter week with holidays", c.officeHol, at(oslo, 2026, 3, 30, 0, 0), at(oslo, 2026, 4, 13, 0, 0), 56 * time.Hour},
		{"500 hours back", c.office, at(oslo, 2026, 3, 2, 8, 0), at(oslo, 2026, 5, 27, 12, 0), 500 * time.Hour},
		{"three years", c.office, at(oslo, 2026, 1, 5, 0, 0), at(oslo, 2029, 1, 1, 0, 0), 156 * 40 * time.Hour},
		{"three years with yearly holidays", c.officeHol, at(oslo, 2026, 1, 5, 0, 0), at(oslo, 2029, 1, 1, 0, 0),
			// 156 weeks less Easter 2026 (3 weekdays), 1 May on weekdays in
			// 2026 (Fri), 2027 (Sat: no), 2028 (Mon), Christmas on weekdays:
			// 2026 Fri 25, 2027 Sat/Sun: none, 2028 Mon 25 and Tue 26.
			(156*5 - 3 - 2 - 3) * 8 * time.Hour},
		{"24/7 spring-forward day", c.allDay, at(oslo, 2026, 3, 28, 12, 0), at(oslo, 2026, 3, 29, 12, 0), 23 * time.Hour},
		{"24/7 fall-back day", c.allDay, at(oslo, 2026, 10, 24, 12, 0), at(oslo, 2026, 10, 25, 12, 0), 25 * time.Hour},
		{"24/7 a year", c.allDay, at(oslo, 2026, 1, 1, 0, 0), at(oslo, 2027, 1, 1, 0, 0), 365 * 24 * time.Hour},
		{"night shift spring", c.nightOslo, at(oslo, 2026, 3, 27, 0, 0), at(oslo, 2026, 3, 30, 0, 0), 7 * time.Hour},
		{"night shift fall", c.nightOslo, at(oslo, 2026, 10, 23, 0, 0), at(oslo, 2026, 10, 26, 0, 0), 9 * time.Hour},
		{"New York night spring", c.nightNY, at(ny, 2026, 3, 6, 0, 0), at(ny, 2026, 3, 9, 0, 0), 7 * time.Hour},
		{"New York night fall", c.nightNY, at(ny, 2026, 10, 30, 0, 0), at(ny, 2026, 11, 2, 0, 0), 9 * time.Hour},
		{"starts in the skipped hour", c.gapOslo, at(oslo, 2026, 3, 29, 0, 0), at(oslo, 2026, 3, 30, 0, 0), time.Hour},
		{"starts in the repeated hour", c.gapOslo, at(oslo, 2026, 10, 25, 0, 0), at(oslo, 2026, 10, 26, 0, 0), 150 * time.Minute},
		{"an ordinary Sunday", c.gapOslo, at(oslo, 2026, 3, 22, 0, 0), at(oslo, 2026, 3, 23, 0, 0), 90 * time.Minute},
		{"New York skipped hour", c.gapNY, at(ny, 2026, 3, 8, 0, 0), at(ny, 2026, 3, 9, 0, 0), time.Hour},
		{"New York repeated hour", c.gapNY, at(ny, 2026, 11, 1, 0, 0), at(ny, 2026, 11, 2, 0, 0), 3 * time.Hour},
		{"overnight from Friday", c.fridayNight, at(oslo, 2026, 3, 6, 23, 0), at(oslo, 2026, 3, 7, 12, 0), 5 * time.Hour},
		{"always open", AlwaysOpen(), at(oslo, 2026, 3, 28, 12, 0), at(oslo, 2026, 3, 29, 12, 0), 23 * time.Hour},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.cal.Elapsed(tt.from, tt.to); got != tt.want {
				t.Fatalf("Elapsed(%v, %v) = %v, want %v", tt.from, tt.to, got, tt.want)
			}
		})
	}
}

func TestNewCalendarValidation(t *testing.T) {
	tests := []struct {
		name  string
		tz    string
		s     Schedule
		hs    []Holiday
		field string
	}{
		{"no zone", "", weekdays(Interval{"08:00", "16:00"}), nil, "time_zone"},
		{"bad zone", "Mars/Olympus", weekdays(Interval{"08:00", "16:00"}), nil, "time_zone"},
		{"local zone", "Local", weekdays(Interval{"08:00", "16:00"}), nil, "time_zone"},
		{"empty schedule", "UTC", Schedule{}, nil, "schedule"},
		{"bad start", "UTC", Schedule{Mon: iv("8:00", "16:00")}, nil, "schedule.mon[0].start"},
		{"start 24:00", "UTC", Schedule{Mon: iv("24:00", "16:00")}, nil, "schedule.mon[0].start"},
		{"bad end", "UTC", Schedule{Tue: iv("08:00", "16:60")}, nil, "schedule.tue[0].end"},
		{"end after 24:00", "UTC", Schedule{Tue: iv("08:00", "24:01")}, nil, "schedule.tue[0].end"},
		{"empty interval", "UTC", Schedule{Wed: iv("08:00", "08:00")}, nil, "schedule.wed[0].end"},
		{"overlap in a day", "UTC", Schedule{Thu: []Interval{{"08:00", "12:00"}, {"11:00", "13:00"}}}, nil, "schedule.thu[1]"},
		{"overlap by a spill", "UTC", Schedule{Fri: iv("22:00", "02:00"), Sat: iv("01:00", "05:00")}, nil, "schedule.sat[0]"},
		{"overlap from Sunday into Monday", "UTC", Schedule{Sun: iv("20:00", "09:00"), Mon: iv("08:00", "16:00")}, nil, "schedule.mon[0]"},
		{"bad holiday date", "UTC", weekdays(Interval{"08:00", "16:00"}), []Holiday{{Date: "2026-12-24"}, {Date: "2026-02-30"}, {Date: "x"}}, "holidays[1].date"},
		{"repeated holiday", "UTC", weekdays(Interval{"08:00", "16:00"}), []Holiday{{Date: "2026-12-24"}, {Date: "2026-12-24"}}, "holidays[1].date"},
		{"repeated yearly holiday", "UTC", weekdays(Interval{"08:00", "16:00"}), []Holiday{{Date: "2026-12-24", Yearly: true}, {Date: "2027-12-24", Yearly: true}}, "holidays[1].date"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewCalendar(tt.tz, tt.s, tt.hs)
			e := apperr.As(err)
			if err == nil || e.Code != apperr.CodeInvalid {
				t.Fatalf("err = %v, want invalid", err)
			}
			if _, ok := e.Fields[tt.field]; !ok {
				t.Fatalf("fields = %v, want %s", e.Fields, tt.field)
			}
		})
	}
	// Adjacent intervals and a whole day are fine.
	if _, err := NewCalendar("UTC", Schedule{Mon: []Interval{{"00:00", "12:00"}, {"12:00", "24:00"}}, Tue: iv("00:00", "24:00"), Sun: iv("22:00", "00:00")}, nil); err != nil {
		t.Fatal(err)
	}
}

// reference measures business time the slow, obvious way: intervals found
// by scanning the clock for the first reading at or after each boundary,
// then summed. It shares nothing with Calendar's arithmetic. The scan steps
// 15 minutes, exact for the zones and schedules used here: their offsets,
// clock changes and interval bounds all fall on quarter hours.
type reference struct {
	loc      *time.Location
	sched    Schedule
	holidays map[string]bool // "2006-01-02" and "01-02" for yearly
}

func (r reference) firstReading(y int, m time.Month, d int, secs int64) time.Time {
	wall := time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Add(time.Duration(secs) * time.Second)
	t := wall.Add(-15 * time.Hour)
	for {
		l := t.In(r.loc)
		reading := time.Date(l.Year(), l.Month(), l.Day(), l.Hour(), l.Minute(), l.Second(), 0, time.UTC)
		if !reading.Before(wall) {
			return t
		}
		t = t.Add(15 * time.Minute)
	}
}

func (r reference) windows(from, to time.Time) []window {
	var out []window
	d := from.In(r.loc)
	day := time.Date(d.Year(), d.Month(), d.Day()-1, 0, 0, 0, 0, time.UTC)
	for ; !day.After(to.UTC().Add(48 * time.Hour)); day = day.AddDate(0, 0, 1) {
		if r.holidays[day.Format("2006-01-02")] || r.holidays[day.Format("01-02")] {
			continue
		}
		for _, iv := range *r.sched.day(day.Weekday()) {
			s, _ := parseClock(iv.Start, false)
			e, _ := parseClock(iv.End, true)
			if e < s {
				e += daySeconds
			}
			out = append(out, window{r.firstReading(day.Year(), day.Month(), day.Day(), s), r.firstReading(day.Year(), day.Month(), day.Day(), e)})
		}
	}
	return out
}

func (r reference) elapsed(from, to time.Time) time.Duration {
	var total time.Duration
	for _, w := range r.windows(from, to) {
		a, b := w.start, w.end
		if a.Before(from) {
			a = from
		}
		if b.After(to) {
			b = to
		}
		if b.After(a) {
			total += b.Sub(a)
		}
	}
	return total
}

// TestCalendarProperties checks, over random times, that Add and Elapsed
// invert each other, that Add is monotone, and that Elapsed agrees with the
// minute-scanning reference over spans that reach across several weeks
// (so week skipping is exercised) and DST changes.
func TestCalendarProperties(t *testing.T) {
	type def struct {
		tz string
		s  Schedule
		hs []Holiday
	}
	defs := map[string]def{
		"office Oslo":      {"Europe/Oslo", weekdays(Interval{"08:00", "16:00"}), []Holiday{{Date: "2026-04-03"}, {Date: "2000-05-17", Yearly: true}}},
		"split New York":   {"America/New_York", weekdays(Interval{"08:30", "12:00"}, Interval{"13:00", "17:30"}), []Holiday{{Date: "2000-07-04", Yearly: true}}},
		"nights Oslo":      {"Europe/Oslo", Schedule{Fri: iv("22:00", "02:30"), Sat: iv("22:00", "02:00"), Sun: iv("02:30", "04:00")}, nil},
		"nights New York":  {"America/New_York", Schedule{Sat: iv("23:30", "03:00"), Sun: iv("20:00", "08:00"), Wed: iv("01:30", "02:30")}, []Holiday{{Date: "2026-11-07"}}},
		"24/7 Oslo":        {"Europe/Oslo", everyDay(Interval{"00:00", "24:00"}), nil},
		"Lord Howe halves": {"Australia/Lord_Howe", everyDay(Interval{"01:00", "03:00"}, Interval{"09:00", "17:00"}), nil},
	}
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for name, df := range defs {
		rng := rand.New(rand.NewPCG(uint64(len(name)), 2))
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			c := mustCalendar(t, df.tz, df.s, df.hs...)
			ref := reference{loc: c.loc, sched: df.s, holidays: map[string]bool{}}
			for _, h := range df.hs {
				if h.Yearly {
					ref.holidays[h.Date[5:]] = true
				} else {
					ref.holidays[h.Date] = true
				}
			}
			for i := range 60 {
				start := base.Add(time.Duration(rng.Int64N(int64(2 * 365 * 24 * time.Hour))))
				if i%3 == 0 {
					start = start.Truncate(time.Hour) // land on boundaries too
				}
				d1 := time.Duration(rng.Int64N(int64(120 * time.Hour)))
				d2 := d1 + time.Duration(rng.Int64N(int64(time.Hour)))
				a1, a2 := c.Add(start, d1), c.Add(start, d2)
				if a2.Before(a1) {
					t.Fatalf("Add not monotone from %v: %v → %v, %v → %v", start, d1, a1, d2, a2)
				}
				if got := c.Elapsed(start, a1); got != d1 {
					t.Fatalf("Elapsed(%v, Add(%v)) = %v", start, d1, got)
				}
				end := start.Add(time.Duration(rng.Int64N(int64(40 * 24 * time.Hour))))
				if got, want := c.Elapsed(start, end), ref.elapsed(start, end); got != want {
					t.Fatalf("Elapsed(%v, %v) = %v, reference %v", start, end, got, want)
				}
			}
		})
	}
}

func TestCalendarLongClosure(t *testing.T) {
	// Open only on Mondays, and the next n Mondays are holidays.
	mondays := func(n int) []Holiday {
		var hs []Holiday
		for d := time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC); len(hs) < n; d = d.AddDate(0, 0, 7) {
			hs = append(hs, Holiday{Date: d.Format(time.DateOnly)})
		}
		return hs
	}
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	// 400 Mondays closed (almost eight years): the first open one after.
	c := mustCalendar(t, "UTC", Schedule{Mon: iv("08:00", "16:00")}, mondays(400)...)
	if got, want := c.Add(start, time.Hour), time.Date(2033, 9, 5, 9, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Fatalf("Add = %v, want %v", got, want)
	}
	// 1000 Mondays closed (19 years): Add gives up rather than walk on.
	c = mustCalendar(t, "UTC", Schedule{Mon: iv("08:00", "16:00")}, mondays(maxHolidays)...)
	if got := c.Add(start, time.Hour); !got.Equal(Never) {
		t.Fatalf("Add = %v, want Never", got)
	}
}

// FuzzCalendar builds a calendar from fuzzed bytes and checks Add and
// Elapsed never panic, Add is monotone in d, and Elapsed(start, Add(start,
// d)) == d.
func FuzzCalendar(f *testing.F) {
	f.Add(uint8(1), []byte{1, 32, 64, 5, 88, 8}, uint16(100), int64(12345678), uint32(3600), uint32(7200))
	f.Add(uint8(2), []byte{6, 88, 24, 0, 8, 16}, uint16(59), int64(99999999), uint32(1), uint32(9000000))
	f.Add(uint8(3), []byte{0, 0, 96}, uint16(0), int64(0), uint32(0), uint32(86400*30))
	zones := []string{"UTC", "Europe/Oslo", "America/New_York", "Australia/Lord_Howe", "Asia/Kolkata", "America/Santiago", "Pacific/Apia"}
	f.Fuzz(func(t *testing.T, z uint8, sched []byte, holiday uint16, startMin int64, d1s, d2s uint32) {
		var s Schedule
		for i := 0; i+2 < len(sched) && i < 3*30; i += 3 {
			day := s.day(time.Weekday(sched[i] % 7))
			start := int(sched[i+1]%96) * 15
			end := int(sched[i+2]%97) * 15
			*day = append(*day, Interval{fmt.Sprintf("%02d:%02d", start/60, start%60), fmt.Sprintf("%02d:%02d", end/60, end%60)})
		}
		hd := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, int(holiday%800))
		hs := []Holiday{{Date: hd.Format(time.DateOnly), Yearly: holiday%2 == 0}}
		c, err := NewCalendar(zones[int(z)%len(zones)], s, hs)
		if err != nil {
			return
		}
		const span = 60 * 365 * 24 * 60
		m := startMin % span
		if m < 0 {
			m += span
		}
		start := time.Date(1990, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(m) * time.Minute).Add(time.Duration(holiday) * time.Millisecond)
		d1 := time.Duration(d1s%(3000*3600)) * time.Second
		d2 := time.Duration(d2s%(3000*3600)) * time.Second
		if d2 < d1 {
			d1, d2 = d2, d1
		}
		a1, a2 := c.Add(start, d1), c.Add(start, d2)
		if a2.Before(a1) {
			t.Fatalf("Add not monotone: Add(%v)=%v > Add(%v)=%v", d1, a1, d2, a2)
		}
		if a1.Before(start) {
			t.Fatalf("Add(%v, %v) = %v is before the start", start, d1, a1)
		}
		if a2.Equal(Never) {
			return
		}
		if got := c.Elapsed(start, a2); got != d2 {
			t.Fatalf("Elapsed(%v, Add(%v)=%v) = %v", start, d2, a2, got)
		}
	})
}
