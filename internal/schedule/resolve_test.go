package schedule

import (
	"testing"
	"time"
)

func mustLoc(t *testing.T, name string) *time.Location {
	t.Helper()
	l, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func date(s string) time.Time { d, _ := parseDate(s); return d }

func everyDay(s Shift) [7]*Shift {
	var p [7]*Shift
	for i := range p {
		sh := s
		p[i] = &sh
	}
	return p
}

// TestPatternAcrossDST: a pattern is wall-clock time in the agent's zone,
// so across the daylight-saving changes the instants move and a shift over
// the change lasts an hour less or more.
func TestPatternAcrossDST(t *testing.T) {
	oslo := mustLoc(t, "Europe/Oslo")
	day := &Agent{ID: 1, Loc: oslo, Pattern: everyDay(Shift{Start: 8 * 60, End: 16 * 60, BreakStart: 12 * 60, BreakMinutes: 30})}
	night := &Agent{ID: 2, Loc: oslo, Pattern: everyDay(Shift{Start: 22 * 60, End: 6 * 60})}
	res := Resolve([]*Agent{day, night}, nil, date("2024-03-30"), date("2024-04-01"))
	tests := []struct {
		name      string
		d         Day
		startUTC  string
		hours     float64
		workHours float64
	}{
		{"day shift before the change", res[1][0], "2024-03-30T07:00:00Z", 8, 7.5},
		{"day shift on the change day", res[1][1], "2024-03-31T06:00:00Z", 8, 7.5},
		{"day shift after", res[1][2], "2024-04-01T06:00:00Z", 8, 7.5},
		{"night shift over the change: one hour shorter", res[2][0], "2024-03-30T21:00:00Z", 7, 7},
		{"night shift after", res[2][1], "2024-03-31T20:00:00Z", 8, 8},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.d.Start.UTC().Format(time.RFC3339); got != tc.startUTC {
				t.Errorf("start = %s, want %s", got, tc.startUTC)
			}
			if got := tc.d.End.Sub(tc.d.Start).Hours(); got != tc.hours {
				t.Errorf("length = %v h, want %v", got, tc.hours)
			}
			if got := tc.d.WorkMinutes() / 60; got != tc.workHours {
				t.Errorf("work = %v h, want %v", got, tc.workHours)
			}
		})
	}
	// Autumn: the night shift over the change lasts nine hours.
	res = Resolve([]*Agent{night}, nil, date("2024-10-26"), date("2024-10-26"))
	if got := res[2][0].End.Sub(res[2][0].Start).Hours(); got != 9 {
		t.Errorf("autumn night = %v h, want 9", got)
	}
	// On the break the agent is not working; before and after they are.
	d := res2(day, "2024-04-02")
	for _, c := range []struct {
		at   string
		want bool
	}{{"2024-04-02T06:00:00Z", true}, {"2024-04-02T10:10:00Z", false}, {"2024-04-02T10:30:00Z", true}, {"2024-04-02T14:00:00Z", false}, {"2024-04-02T05:59:00Z", false}} {
		tt, _ := time.Parse(time.RFC3339, c.at)
		if got := d.Working(tt); got != c.want {
			t.Errorf("working at %s = %v, want %v", c.at, got, c.want)
		}
	}
}

func res2(a *Agent, ds string) Day { return Resolve([]*Agent{a}, nil, date(ds), date(ds))[a.ID][0] }

// TestPrecedence: time off beats a change, a change beats a holiday, a
// holiday beats the pattern; swaps trade instants between zones.
func TestPrecedence(t *testing.T) {
	oslo, ny := mustLoc(t, "Europe/Oslo"), mustLoc(t, "America/New_York")
	a := &Agent{ID: 1, Loc: oslo, Pattern: everyDay(Shift{Start: 8 * 60, End: 16 * 60}),
		Holiday: func(d time.Time) string {
			if d.Format(time.DateOnly) == "2024-05-17" {
				return "Constitution Day"
			}
			return ""
		},
		Overrides: map[string]Override{
			"2024-05-16": {Shift: Shift{Start: 10 * 60, End: 14 * 60}, Source: "manual"},
			"2024-05-18": {Off: true, Source: "manual"},
			"2024-05-20": {Shift: Shift{Start: 9 * 60, End: 17 * 60}, Source: "manual"},
		},
		TimeOff: [][2]string{{"2024-05-20", "2024-05-21"}},
	}
	b := &Agent{ID: 2, Loc: ny, Pattern: everyDay(Shift{Start: 9 * 60, End: 13 * 60})}
	res := Resolve([]*Agent{a, b}, []Swap{{Date: "2024-05-19", RequesterID: 1, PartnerID: 2}}, date("2024-05-16"), date("2024-05-21"))
	want := []struct{ off, label, source string }{
		{"", "10:00–14:00", "change"},
		{"holiday", "", "pattern"},
		{"off", "", "change"},
		{"", "15:00–19:00", "swap"}, // B's 09:00–13:00 New York is 15:00–19:00 in Oslo
		{"time_off", "", "pattern"},
		{"time_off", "", "pattern"},
	}
	for i, w := range want {
		d := res[1][i]
		label := ""
		if d.Shift != nil {
			label = d.Shift.Label()
		}
		if d.Off != w.off || label != w.label || d.Source != w.source {
			t.Errorf("%s: off=%q shift=%q source=%q, want %q %q %q", d.Date, d.Off, label, d.Source, w.off, w.label, w.source)
		}
	}
	if res[1][1].Holiday != "Constitution Day" {
		t.Errorf("holiday name %q", res[1][1].Holiday)
	}
	// B works A's 08:00–16:00 Oslo: 02:00–10:00 in New York.
	if d := res[2][3]; d.Shift == nil || d.Shift.Label() != "02:00–10:00" || d.Source != "swap" {
		t.Errorf("partner after swap: %+v", d)
	}
}

// TestCoverageAndGreedy: coverage counts working agents per interval
// against a requirement, and the greedy proposal covers it within each
// agent's contract.
func TestCoverageAndGreedy(t *testing.T) {
	utc := time.UTC
	r := &requirement{loc: utc, zone: "UTC", week: date("2030-01-07")}
	// Monday to Friday: 1 agent needed 09:00–19:00, 2 from 11:00 to 17:00.
	for d := range 5 {
		for i := 18; i < 38; i++ {
			r.planned[d][i] = true
			r.needed[d][i], r.required[d][i] = 1, 1
			if i >= 22 && i < 34 {
				r.needed[d][i] = 2
			}
		}
	}
	weekdays := func(s Shift) [7]*Shift {
		var p [7]*Shift
		for wd := time.Monday; wd <= time.Friday; wd++ {
			sh := s
			p[wd] = &sh
		}
		return p
	}
	a := &Agent{ID: 1, Name: "A", Loc: utc, Pattern: weekdays(Shift{Start: 9 * 60, End: 17 * 60})}
	b := &Agent{ID: 2, Name: "B", Loc: utc, Pattern: weekdays(Shift{Start: 9 * 60, End: 17 * 60})}
	agents := []*Agent{a, b}
	res := Resolve(agents, nil, r.week, addDays(r.week, 6))
	cov := r.coverage("phone", r.scheduledGrid(res))
	// The patterns leave 17:00–19:00 short by one each weekday: 4 slots.
	if cov.Days[0].GapSlots != 4 || cov.Days[0].PeakGap != 1 || cov.GapHours != 10 {
		t.Errorf("coverage gaps: day0 %d slots peak %d, week %v h", cov.Days[0].GapSlots, cov.Days[0].PeakGap, cov.GapHours)
	}
	// Approved time off for B on Monday: the gap grows by 8 agent-hours.
	b.TimeOff = [][2]string{{"2030-01-07", "2030-01-07"}}
	res = Resolve(agents, nil, r.week, addDays(r.week, 6))
	cov = r.coverage("phone", r.scheduledGrid(res))
	if cov.Days[0].GapSlots != 16 || cov.Days[0].GapHours != 8 {
		t.Errorf("with time off: %d slots, %v h", cov.Days[0].GapSlots, cov.Days[0].GapHours)
	}
	// The proposal moves one agent's shift two hours later on the other
	// days to cover the evening, keeps within five days each, and leaves
	// Monday to A alone (B is away): no gap is left on Tuesday to Friday.
	p := greedy(r, agents, res)
	if p.Agents[1].Days[0] != nil {
		t.Errorf("B proposed on a day of time off: %+v", p.Agents[1].Days[0])
	}
	for _, pa := range p.Agents {
		n := 0
		for _, d := range pa.Days {
			if d != nil {
				n++
			}
		}
		if n > pa.Limit {
			t.Errorf("%s: %d days over the contract of %d", pa.Name, n, pa.Limit)
		}
	}
	for d := 1; d < 5; d++ {
		x, y := p.Agents[0].Days[d], p.Agents[1].Days[d]
		if x == nil || y == nil {
			t.Fatalf("day %d: both should work: %v %v", d, x, y)
		}
		labels := map[string]bool{x.Label(): true, y.Label(): true}
		if !labels["09:00–17:00"] || !labels["11:00–19:00"] {
			t.Errorf("day %d: %s and %s; want one at 09:00 and one later", d, x.Label(), y.Label())
		}
	}
}
