// Package schedule keeps the agents' shifts: a weekly pattern per agent in
// the agent's own time zone (with a break), one-off changes per day,
// time-off requests and shift swaps that a lead approves, and the holidays
// of a business calendar. From them it resolves who works when, and serves
// the team schedule, routing's on-shift check, coverage against the staffing
// requirement (internal/wfm) with a proposed schedule, adherence and
// occupancy from the availability events, and a per-agent iCalendar feed.
// docs/workforce.md describes the rules.
package schedule

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Clock is a time of day in minutes from midnight; JSON "HH:MM".
type Clock int

// String formats the clock as HH:MM (a minute count past a day wraps).
func (c Clock) String() string {
	m := int(c) % 1440
	return fmt.Sprintf("%02d:%02d", m/60, m%60)
}

// ParseClock reads "HH:MM" (00:00–23:59).
func ParseClock(s string) (Clock, error) {
	h, m, ok := strings.Cut(strings.TrimSpace(s), ":")
	hh, err1 := strconv.Atoi(h)
	mm, err2 := strconv.Atoi(m)
	if !ok || err1 != nil || err2 != nil || hh < 0 || hh > 23 || mm < 0 || mm > 59 || len(m) != 2 {
		return 0, fmt.Errorf("schedule: %q is not a time of day (HH:MM)", s)
	}
	return Clock(hh*60 + mm), nil
}

// MarshalJSON writes "HH:MM".
func (c Clock) MarshalJSON() ([]byte, error) { return json.Marshal(c.String()) }

// UnmarshalJSON reads "HH:MM"; anything else is refused by Validate as -1.
func (c *Clock) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		*c = -1
		return nil
	}
	v, err := ParseClock(s)
	if err != nil {
		v = -1
	}
	*c = v
	return nil
}

// Shift is one working day's wall-clock times in the agent's zone. End at
// or before Start means the shift ends the next day (a night shift).
type Shift struct {
	Start        Clock `json:"start"`
	End          Clock `json:"end"`
	BreakStart   Clock `json:"break_start"`
	BreakMinutes int   `json:"break_minutes"` // 0: no break
}

// Limits of a shift.
const (
	maxShiftMinutes = 16 * 60
	maxBreakMinutes = 180
)

// Length is the shift's span in minutes, break included.
func (s Shift) Length() int {
	n := int(s.End) - int(s.Start)
	if n <= 0 {
		n += 1440
	}
	return n
}

// breakOffset is the break's start in minutes after the shift's start.
func (s Shift) breakOffset() int {
	n := int(s.BreakStart) - int(s.Start)
	if n < 0 {
		n += 1440
	}
	return n
}

// Problem says what is wrong with the shift, or "".
func (s Shift) Problem() string {
	switch {
	case s.Start < 0 || s.Start >= 1440 || s.End < 0 || s.End >= 1440:
		return "must be a time of day (HH:MM)"
	case s.Length() > maxShiftMinutes:
		return "must be at most 16 hours long"
	case s.BreakMinutes < 0 || s.BreakMinutes > maxBreakMinutes:
		return "break must be 0 to 180 minutes"
	case s.BreakMinutes > 0 && (s.BreakStart < 0 || s.BreakStart >= 1440 || s.breakOffset()+s.BreakMinutes > s.Length()):
		return "break must lie within the shift"
	}
	return ""
}

// Label is "08:00–16:00" with the break when there is one.
func (s Shift) Label() string {
	return s.Start.String() + "–" + s.End.String()
}

// BreakLabel is "12:00–12:30", or "" without a break.
func (s Shift) BreakLabel() string {
	if s.BreakMinutes == 0 {
		return ""
	}
	return s.BreakStart.String() + "–" + Clock(int(s.BreakStart)+s.BreakMinutes).String()
}

// at turns minutes after the local midnight of date into an instant in loc,
// by the wall clock: on a daylight-saving day an 8-hour pattern from
// midnight lasts 7 or 9 real hours, as the clock on the wall says.
func at(date time.Time, minutes int, loc *time.Location) time.Time {
	return time.Date(date.Year(), date.Month(), date.Day(), 0, minutes, 0, 0, loc)
}

// Day is one agent's resolved day: a shift or a day off, as instants.
type Day struct {
	AgentID int64  `json:"agent_id"`
	Date    string `json:"date"` // YYYY-MM-DD in the agent's zone
	// Off is why there is no shift: "off" (pattern or a change),
	// "holiday", "time_off"; "" when working.
	Off        string    `json:"off,omitempty"`
	Shift      *Shift    `json:"shift,omitempty"` // wall clock in the agent's zone
	Start      time.Time `json:"start,omitzero"`
	End        time.Time `json:"end,omitzero"`
	BreakStart time.Time `json:"break_start,omitzero"`
	BreakEnd   time.Time `json:"break_end,omitzero"`
	// Source: pattern, change (a lead's one-off change), proposal (an
	// accepted proposed schedule) or swap.
	Source  string `json:"source"`
	Note    string `json:"note,omitempty"`
	Holiday string `json:"holiday,omitempty"` // the holiday's name, even when worked
}

// Working reports whether the agent works at t (on shift, not on break).
func (d Day) Working(t time.Time) bool {
	if d.Shift == nil || t.Before(d.Start) || !t.Before(d.End) {
		return false
	}
	return d.BreakEnd.IsZero() || t.Before(d.BreakStart) || !t.Before(d.BreakEnd)
}

// WorkMinutes is the shift's length without the break, in real minutes.
func (d Day) WorkMinutes() float64 {
	if d.Shift == nil {
		return 0
	}
	return d.End.Sub(d.Start).Minutes() - d.BreakEnd.Sub(d.BreakStart).Minutes()
}

// place gives the day a shift on date in loc.
func (d *Day) place(date time.Time, s Shift, loc *time.Location) {
	sh := s
	d.Shift = &sh
	d.Off = ""
	d.Start = at(date, int(s.Start), loc)
	d.End = at(date, int(s.Start)+s.Length(), loc)
	d.BreakStart, d.BreakEnd = time.Time{}, time.Time{}
	if s.BreakMinutes > 0 {
		d.BreakStart = at(date, int(s.Start)+s.breakOffset(), loc)
		d.BreakEnd = at(date, int(s.Start)+s.breakOffset()+s.BreakMinutes, loc)
	}
}

// takeFrom gives d the other day's shift instants (a swap), expressed on
// d's agent's wall clock.
func (d *Day) takeFrom(o Day, loc *time.Location) {
	d.Off, d.Shift = o.Off, nil
	if d.Off == "" && o.Shift == nil {
		d.Off = "off"
	}
	d.Start, d.End, d.BreakStart, d.BreakEnd = o.Start, o.End, o.BreakStart, o.BreakEnd
	if o.Shift != nil {
		s := Shift{Start: clockOf(o.Start.In(loc)), End: clockOf(o.End.In(loc))}
		if !o.BreakStart.IsZero() {
			s.BreakStart, s.BreakMinutes = clockOf(o.BreakStart.In(loc)), int(o.BreakEnd.Sub(o.BreakStart).Minutes())
		}
		d.Shift = &s
	}
	d.Source = "swap"
}

func clockOf(t time.Time) Clock { return Clock(t.Hour()*60 + t.Minute()) }

// civil returns the date of t's calendar day as UTC midnight.
func civil(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

// parseDate reads YYYY-MM-DD as UTC midnight.
func parseDate(s string) (time.Time, bool) {
	t, err := time.Parse(time.DateOnly, strings.TrimSpace(s))
	return t, err == nil
}

func addDays(d time.Time, n int) time.Time { return d.AddDate(0, 0, n) }
