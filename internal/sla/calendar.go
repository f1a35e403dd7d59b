package sla

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"
	_ "time/tzdata" // business calendars name IANA zones; they must load on hosts without zoneinfo
	"unicode/utf8"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/textcheck"
)

// Interval is one stretch of business hours on a weekday in the calendar's
// local wall time, "08:00" to "16:00". An end before the start runs past
// midnight into the next day ("22:00" to "02:00" on Friday ends early
// Saturday); "24:00" ends at midnight.
type Interval struct {
	Start string `json:"start"`
	End   string `json:"end"`
}

// Schedule is the weekly business hours: any number of intervals per weekday
// (split shifts), none on a closed day.
type Schedule struct {
	Mon []Interval `json:"mon"`
	Tue []Interval `json:"tue"`
	Wed []Interval `json:"wed"`
	Thu []Interval `json:"thu"`
	Fri []Interval `json:"fri"`
	Sat []Interval `json:"sat"`
	Sun []Interval `json:"sun"`
}

// dayNames are the schedule's JSON keys indexed by time.Weekday.
var dayNames = [7]string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}

// weekOrder lists the weekdays as people read a week, for error order.
var weekOrder = [7]time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday, time.Sunday}

func (s *Schedule) day(w time.Weekday) *[]Interval {
	switch w {
	case time.Monday:
		return &s.Mon
	case time.Tuesday:
		return &s.Tue
	case time.Wednesday:
		return &s.Wed
	case time.Thursday:
		return &s.Thu
	case time.Friday:
		return &s.Fri
	case time.Saturday:
		return &s.Sat
	}
	return &s.Sun
}

// normalize turns absent days into empty lists so the JSON shows every day.
func (s *Schedule) normalize() {
	for w := range 7 {
		if d := s.day(time.Weekday(w)); *d == nil {
			*d = []Interval{}
		}
	}
}

// Holiday is a date on which the weekly schedule does not apply. A yearly
// holiday recurs on the same month and day (the year in Date is ignored; a
// yearly 29 February is observed in leap years only).
type Holiday struct {
	Date   string `json:"date"` // YYYY-MM-DD
	Name   string `json:"name"`
	Yearly bool   `json:"yearly"`
}

// Limits on a calendar's definition.
const (
	maxIntervalsPerDay = 12
	maxHolidays        = 1000
	maxHolidayName     = 200
)

const (
	daySeconds  = 24 * 60 * 60
	weekSeconds = 7 * daySeconds
	// maxOffset bounds any UTC offset a zone has ever used (LMT included),
	// with room to spare.
	maxOffset = 26 * 60 * 60
	// maxIdleDays is how many consecutive days without business time Add
	// crosses before it gives up (a schedule whose every working day is a
	// holiday): more than any real closure, enough for a yearly 29 February.
	maxIdleDays = 9 * 366
)

// Never is what Add returns when business time never accrues again.
var Never = time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC)

// span is one schedule interval as seconds after the local midnight of the
// day it starts; end may pass 24:00 (an overnight interval).
type span struct{ start, end int64 }

type monthDay struct {
	month time.Month
	day   int
}

// Calendar measures business time: the weekly schedule in a time zone,
// minus holidays. It is immutable and safe for concurrent use.
//
// Wall times become instants by this rule: an interval runs from the moment
// the local clock first reads its start to the moment it first reads its
// end. So a night shift across the spring-forward hour is an hour shorter,
// one across the fall-back hour an hour longer, and a start inside the
// skipped hour means the moment the clocks jump. An interval belongs to the
// day it starts on: a holiday on Friday cancels Friday's 22:00–02:00 shift
// including its hours on Saturday, a holiday on Saturday does not.
type Calendar struct {
	loc    *time.Location
	always bool
	days   [7][]span // by time.Weekday, sorted by start
	weekly time.Duration
	oneOff map[int64]bool // civil day numbers
	dates  []int64        // oneOff sorted
	yearly map[monthDay]bool
	yDays  []monthDay // yearly sorted
}

// AlwaysOpen is the 24/7 calendar: business time is elapsed time.
func AlwaysOpen() *Calendar { return &Calendar{loc: time.UTC, always: true} }

// Location is the calendar's time zone.
func (c *Calendar) Location() *time.Location { return c.loc }

// LoadZone loads an IANA time zone name, refusing "" and "Local" (the
// server's own zone is no business setting).
func LoadZone(name string) (*time.Location, error) {
	if name == "" || name == "Local" || strings.TrimSpace(name) != name {
		return nil, fmt.Errorf("sla: %q is not an IANA time zone", name)
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, fmt.Errorf("sla: time zone %q: %w", name, err)
	}
	return loc, nil
}

// parseClock parses "HH:MM" into seconds after midnight; "24:00" only when
// allowEnd.
func parseClock(s string, allowEnd bool) (int64, bool) {
	if len(s) != 5 || s[2] != ':' {
		return 0, false
	}
	for _, i := range []int{0, 1, 3, 4} {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
	}
	h := int64(s[0]-'0')*10 + int64(s[1]-'0')
	m := int64(s[3]-'0')*10 + int64(s[4]-'0')
	switch {
	case m > 59:
		return 0, false
	case h == 24 && m == 0 && allowEnd:
		return daySeconds, true
	case h > 23:
		return 0, false
	}
	return h*3600 + m*60, true
}

// NewCalendar validates a calendar definition and builds it. Errors name
// the JSON field: time_zone, schedule.mon[0].end, holidays[2].date.
func NewCalendar(timeZone string, sched Schedule, holidays []Holiday) (*Calendar, error) {
	fe := apperr.FieldErrors{}
	c := &Calendar{oneOff: map[int64]bool{}, yearly: map[monthDay]bool{}}
	loc, err := LoadZone(timeZone)
	if err != nil {
		if timeZone == "" {
			fe.Add("time_zone", "is required")
		} else {
			fe.Add("time_zone", "must be an IANA time zone such as Europe/Oslo or America/New_York")
		}
	}
	c.loc = loc

	// Every interval on a circle of one week (Sunday 00:00 = 0), to find
	// overlaps across midnight and from Sunday night into Monday.
	type placed struct {
		start, end int64
		field      string
	}
	var all []placed
	total := 0
	for _, w := range weekOrder {
		ivs := *sched.day(w)
		if len(ivs) > maxIntervalsPerDay {
			fe.Add("schedule."+dayNames[w], fmt.Sprintf("at most %d intervals a day", maxIntervalsPerDay))
			continue
		}
		for i, iv := range ivs {
			field := fmt.Sprintf("schedule.%s[%d]", dayNames[w], i)
			start, ok1 := parseClock(iv.Start, false)
			if !ok1 {
				fe.Add(field+".start", "must be a time HH:MM from 00:00 to 23:59")
			}
			end, ok2 := parseClock(iv.End, true)
			if !ok2 {
				fe.Add(field+".end", "must be a time HH:MM from 00:00 to 24:00")
			}
			if !ok1 || !ok2 {
				continue
			}
			if end == start {
				fe.Add(field+".end", "must differ from start (a whole day is 00:00 to 24:00)")
				continue
			}
			if end < start {
				end += daySeconds // overnight
			}
			c.days[w] = append(c.days[w], span{start, end})
			c.weekly += time.Duration(end-start) * time.Second
			base := int64(w) * daySeconds
			all = append(all, placed{base + start, base + end, field})
			total++
		}
	}
	if total == 0 && len(fe) == 0 {
		fe.Add("schedule", "needs at least one interval")
	}
	sort.Slice(all, func(i, j int) bool { return all[i].start < all[j].start })
	for i := range all {
		next := all[(i+1)%len(all)]
		nextStart := next.start
		if i == len(all)-1 {
			nextStart += weekSeconds
		}
		if len(all) > 1 && all[i].end > nextStart {
			fe.Add(next.field, "overlaps "+all[i].field)
		}
	}
	for w := range c.days {
		slices.SortFunc(c.days[w], func(a, b span) int { return int(a.start - b.start) })
	}

	if len(holidays) > maxHolidays {
		fe.Add("holidays", fmt.Sprintf("at most %d holidays", maxHolidays))
		holidays = nil
	}
	for i, h := range holidays {
		field := fmt.Sprintf("holidays[%d]", i)
		if utf8.RuneCountInString(h.Name) > maxHolidayName {
			fe.Add(field+".name", fmt.Sprintf("must be at most %d characters", maxHolidayName))
		} else if msg := textcheck.Line(h.Name); msg != "" {
			fe.Add(field+".name", msg)
		}
		d, err := time.Parse(time.DateOnly, h.Date)
		if err != nil {
			fe.Add(field+".date", "must be a date YYYY-MM-DD")
			continue
		}
		if h.Yearly {
			md := monthDay{d.Month(), d.Day()}
			if c.yearly[md] {
				fe.Add(field+".date", "is repeated")
			}
			c.yearly[md] = true
			continue
		}
		dn := dayNumber(d.Year(), d.Month(), d.Day())
		if c.oneOff[dn] {
			fe.Add(field+".date", "is repeated")
		}
		c.oneOff[dn] = true
	}
	if err := fe.Err(); err != nil {
		return nil, err
	}
	for dn := range c.oneOff {
		c.dates = append(c.dates, dn)
	}
	slices.Sort(c.dates)
	for md := range c.yearly {
		c.yDays = append(c.yDays, md)
	}
	slices.SortFunc(c.yDays, func(a, b monthDay) int {
		if a.month != b.month {
			return int(a.month - b.month)
		}
		return a.day - b.day
	})
	return c, nil
}

// dayNumber is the civil date's days since 1970-01-01.
func dayNumber(y int, m time.Month, d int) int64 {
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / daySeconds
}

func civil(dn int64) (int, time.Month, int) {
	return time.Unix(dn*daySeconds, 0).UTC().Date()
}

func weekday(dn int64) time.Weekday {
	return time.Weekday(((dn+4)%7 + 7) % 7) // 1970-01-01 was a Thursday
}

// localDay is the civil day number of t's date on the calendar's wall clock.
func (c *Calendar) localDay(t time.Time) int64 {
	y, m, d := t.In(c.loc).Date()
	return dayNumber(y, m, d)
}

// instant returns the first moment at which the local clock reads wall
// (seconds since 1970-01-01 00:00 of local wall time) or later. Within one
// zone period the clock reads wall at wall−offset; periods are visited in
// order, so the first that contains its candidate holds the earliest
// reading, and a candidate before its period's start means wall lies in a
// gap the period's start jumps over.
func (c *Calendar) instant(wall int64) time.Time {
	t := time.Unix(wall-maxOffset, 0).In(c.loc)
	for range 64 {
		_, end := t.ZoneBounds()
		_, off := t.Zone()
		cand := wall - int64(off)
		if cand < t.Unix() {
			return t.UTC()
		}
		if end.IsZero() || cand < end.Unix() {
			return time.Unix(cand, 0).UTC()
		}
		t = end
	}
	// Unreachable with real zone data (a few periods cover 52 hours).
	_, off := t.Zone()
	return time.Unix(wall-int64(off), 0).UTC()
}

func (c *Calendar) isHoliday(dn int64) bool {
	if len(c.oneOff) == 0 && len(c.yearly) == 0 {
		return false
	}
	if c.oneOff[dn] {
		return true
	}
	if len(c.yearly) == 0 {
		return false
	}
	_, m, d := civil(dn)
	return c.yearly[monthDay{m, d}]
}

// nextHoliday returns the first holiday on or after dn, or -1 for none.
func (c *Calendar) nextHoliday(dn int64) int64 {
	best := int64(-1)
	if i, _ := slices.BinarySearch(c.dates, dn); i < len(c.dates) {
		best = c.dates[i]
	}
	if len(c.yDays) > 0 {
		y, _, _ := civil(dn)
		// Nine years reach a 29 February from anywhere (1900 and 2100 are
		// not leap years).
	years:
		for yy := y; yy <= y+9; yy++ {
			for _, md := range c.yDays {
				t := time.Date(yy, md.month, md.day, 0, 0, 0, 0, time.UTC)
				if t.Day() != md.day {
					continue // 29 February outside a leap year
				}
				if n := t.Unix() / daySeconds; n >= dn {
					if best < 0 || n < best {
						best = n
					}
					break years
				}
			}
		}
	}
	return best
}

type window struct{ start, end time.Time }

// dayWindows appends the business intervals of the schedule day dn (a
// holiday has none) to buf, as instants in order.
func (c *Calendar) dayWindows(dn int64, buf []window) []window {
	buf = buf[:0]
	if c.isHoliday(dn) {
		return buf
	}
	base := dn * daySeconds
	for _, s := range c.days[weekday(dn)] {
		a, b := c.instant(base+s.start), c.instant(base+s.end)
		if b.After(a) {
			buf = append(buf, window{a, b})
		}
	}
	return buf
}

// plainWeeks returns how many whole weeks, at most limit, starting at the
// local midnight of day dn hold exactly the nominal weekly business time:
// no holiday starts in them, and no clock change happens before the end of
// the day after them (overnight intervals spill into it).
func (c *Calendar) plainWeeks(dn, limit int64) int64 {
	if limit <= 0 || c.weekly <= 0 {
		return 0
	}
	t0 := c.instant(dn * daySeconds).In(c.loc)
	_, off := t0.Zone()
	if t0.Unix()+int64(off) != dn*daySeconds {
		return 0 // midnight itself was skipped by a clock change
	}
	k := limit
	if _, end := t0.ZoneBounds(); !end.IsZero() {
		days := (end.Unix() + int64(off) - dn*daySeconds) / daySeconds
		k = min(k, (days-1)/7)
	}
	if h := c.nextHoliday(dn); h >= 0 {
		k = min(k, (h-dn)/7)
	}
	return max(k, 0)
}

// Add returns the instant at which d of business time has elapsed from
// start. Add(start, 0) is start itself, even outside business hours; a
// positive d always ends inside (or at the close of) an interval. If the
// calendar never opens again it returns Never.
func (c *Calendar) Add(start time.Time, d time.Duration) time.Time {
	if d <= 0 {
		return start
	}
	if c.always {
		return start.Add(d)
	}
	first := c.localDay(start)
	cur := start
	rem := d
	idle := 0
	var buf []window
	for dn := first - 1; ; dn++ {
		if dn > first && rem > c.weekly && !cur.After(c.instant(dn*daySeconds)) {
			// Strictly more than the skipped weeks remain, so the answer
			// lies beyond them and is found by the walk below.
			if k := c.plainWeeks(dn, int64((rem-1)/c.weekly)); k > 0 {
				rem -= time.Duration(k) * c.weekly
				dn += 7 * k
				cur = c.instant(dn * daySeconds)
				idle = 0
			}
		}
		buf = c.dayWindows(dn, buf)
		progressed := false
		for _, w := range buf {
			if !w.end.After(cur) {
				continue
			}
			progressed = true
			a := w.start
			if cur.After(a) {
				a = cur
			}
			avail := w.end.Sub(a)
			if avail >= rem {
				return a.Add(rem)
			}
			rem -= avail
			cur = w.end
		}
		if progressed {
			idle = 0
		} else if idle++; idle > maxIdleDays {
			return Never
		}
	}
}

// Elapsed returns the business time between from and to (zero when to is
// not after from).
func (c *Calendar) Elapsed(from, to time.Time) time.Duration {
	if !to.After(from) {
		return 0
	}
	if c.always {
		return to.Sub(from)
	}
	first := c.localDay(from)
	var total time.Duration
	var buf []window
	for dn := first - 1; ; dn++ {
		midnight := c.instant(dn * daySeconds)
		if !midnight.Before(to) {
			return total // every later interval starts at or after to
		}
		if dn > first && !from.After(midnight) && c.weekly > 0 {
			// Whole weeks (and the day their overnight hours spill into)
			// that end before to.
			limit := (c.localDay(to) - 1 - dn) / 7
			if k := c.plainWeeks(dn, limit); k > 0 && !c.instant((dn+7*k+1)*daySeconds).After(to) {
				total += time.Duration(k) * c.weekly
				dn += 7*k - 1
				continue
			}
		}
		buf = c.dayWindows(dn, buf)
		for _, w := range buf {
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
	}
}
