package schedule

import (
	"context"
	"fmt"
	"time"

	"github.com/ombud/ombud/internal/db"
)

// Agent is a scheduled agent and the rules their days resolve from.
type Agent struct {
	ID         int64
	Name       string
	Zone       string
	Loc        *time.Location
	CalendarID *int64
	Pattern    [7]*Shift // by time.Weekday
	// Holiday names the calendar's holiday on a date (YYYY-MM-DD), or "".
	Holiday   func(date time.Time) string
	Overrides map[string]Override
	TimeOff   [][2]string // approved, inclusive YYYY-MM-DD ranges
}

// Override is a one-off change of one day.
type Override struct {
	Off    bool   `json:"off"`
	Shift  Shift  `json:"shift"`
	Note   string `json:"note"`
	Source string `json:"source"` // manual or proposal
}

// Swap is an approved trade of two agents' shifts on one date.
type Swap struct {
	Date                   string
	RequesterID, PartnerID int64
}

// base resolves the agent's day without swaps. Precedence: approved time
// off, then a one-off change, then a holiday, then the weekly pattern.
func (a *Agent) base(date time.Time) Day {
	ds := date.Format(time.DateOnly)
	d := Day{AgentID: a.ID, Date: ds, Source: "pattern", Off: "off"}
	if a.Holiday != nil {
		d.Holiday = a.Holiday(date)
	}
	for _, r := range a.TimeOff {
		if ds >= r[0] && ds <= r[1] {
			d.Off = "time_off"
			return d
		}
	}
	if o, ok := a.Overrides[ds]; ok {
		d.Source, d.Note = "change", o.Note
		if o.Source == "proposal" {
			d.Source = "proposal"
		}
		if !o.Off {
			d.place(date, o.Shift, a.Loc)
		}
		return d
	}
	if d.Holiday != "" {
		d.Off = "holiday"
		return d
	}
	if s := a.Pattern[date.Weekday()]; s != nil {
		d.place(date, *s, a.Loc)
	}
	return d
}

// Resolve works out every agent's days from from to to (inclusive, dates
// in each agent's own zone) and applies the approved swaps. The result is
// indexed by agent id, one Day per date in order.
func Resolve(agents []*Agent, swaps []Swap, from, to time.Time) map[int64][]Day {
	out := make(map[int64][]Day, len(agents))
	byID := make(map[int64]*Agent, len(agents))
	n := int(to.Sub(from).Hours()/24+0.5) + 1
	for _, a := range agents {
		byID[a.ID] = a
		days := make([]Day, 0, max(n, 0))
		for d := from; !d.After(to); d = addDays(d, 1) {
			days = append(days, a.base(d))
		}
		out[a.ID] = days
	}
	for _, sw := range swaps {
		d, ok := parseDate(sw.Date)
		if !ok || d.Before(from) || d.After(to) {
			continue
		}
		ra, pa := byID[sw.RequesterID], byID[sw.PartnerID]
		if ra == nil || pa == nil {
			continue
		}
		k := int(d.Sub(from).Hours()/24 + 0.5)
		r, p := out[ra.ID][k], out[pa.ID][k]
		// A day off for time off is not traded away: the absence stays.
		if r.Off == "time_off" || p.Off == "time_off" {
			continue
		}
		out[ra.ID][k].takeFrom(p, ra.Loc)
		out[pa.ID][k].takeFrom(r, pa.Loc)
	}
	return out
}

// load reads every active agent with a schedule, their pattern, the changes,
// approved time off and swaps touching from..to (dates), and the holidays.
func (s *Service) load(ctx context.Context, q db.Querier, from, to time.Time) ([]*Agent, []Swap, error) {
	rows, err := q.QueryContext(ctx, `SELECT p.agent_id, a.name, a.time_zone, p.calendar_id FROM schedule_patterns p
		JOIN agents a ON a.id = p.agent_id WHERE a.active ORDER BY a.name, a.id`)
	if err != nil {
		return nil, nil, fmt.Errorf("schedule: agents: %w", err)
	}
	var agents []*Agent
	byID := map[int64]*Agent{}
	for rows.Next() {
		a := &Agent{Overrides: map[string]Override{}}
		var cal *int64
		if err := rows.Scan(&a.ID, &a.Name, &a.Zone, &cal); err != nil {
			rows.Close()
			return nil, nil, fmt.Errorf("schedule: agents: %w", err)
		}
		a.CalendarID = cal
		if a.Loc, err = time.LoadLocation(a.Zone); err != nil {
			a.Loc, a.Zone = time.UTC, "UTC"
		}
		agents = append(agents, a)
		byID[a.ID] = a
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, nil, fmt.Errorf("schedule: agents: %w", err)
	}
	if len(agents) == 0 {
		return nil, nil, nil
	}
	if err := s.holidays(ctx, agents); err != nil {
		return nil, nil, err
	}
	rows, err = q.QueryContext(ctx, `SELECT agent_id, weekday, start_min, end_min, break_start_min, break_min FROM schedule_pattern_days`)
	if err != nil {
		return nil, nil, fmt.Errorf("schedule: patterns: %w", err)
	}
	for rows.Next() {
		var id int64
		var wd, st, en, bs, bm int
		if err := rows.Scan(&id, &wd, &st, &en, &bs, &bm); err != nil {
			rows.Close()
			return nil, nil, fmt.Errorf("schedule: patterns: %w", err)
		}
		if a := byID[id]; a != nil && wd >= 0 && wd < 7 {
			a.Pattern[wd] = &Shift{Start: Clock(st), End: Clock(en % 1440), BreakStart: Clock(bs % 1440), BreakMinutes: bm}
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, nil, fmt.Errorf("schedule: patterns: %w", err)
	}
	f, t := from.Format(time.DateOnly), to.Format(time.DateOnly)
	rows, err = q.QueryContext(ctx, `SELECT agent_id, day, off, start_min, end_min, break_start_min, break_min, note, source
		FROM schedule_overrides WHERE day >= ? AND day <= ?`, f, t)
	if err != nil {
		return nil, nil, fmt.Errorf("schedule: changes: %w", err)
	}
	for rows.Next() {
		var id int64
		var day string
		var o Override
		var st, en, bs int
		if err := rows.Scan(&id, &day, &o.Off, &st, &en, &bs, &o.Shift.BreakMinutes, &o.Note, &o.Source); err != nil {
			rows.Close()
			return nil, nil, fmt.Errorf("schedule: changes: %w", err)
		}
		o.Shift.Start, o.Shift.End, o.Shift.BreakStart = Clock(st), Clock(en%1440), Clock(bs%1440)
		if a := byID[id]; a != nil {
			a.Overrides[day] = o
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, nil, fmt.Errorf("schedule: changes: %w", err)
	}
	rows, err = q.QueryContext(ctx, `SELECT agent_id, from_day, to_day FROM schedule_time_off
		WHERE status = 'approved' AND to_day >= ? AND from_day <= ?`, f, t)
	if err != nil {
		return nil, nil, fmt.Errorf("schedule: time off: %w", err)
	}
	for rows.Next() {
		var id int64
		var a, b string
		if err := rows.Scan(&id, &a, &b); err != nil {
			rows.Close()
			return nil, nil, fmt.Errorf("schedule: time off: %w", err)
		}
		if ag := byID[id]; ag != nil {
			ag.TimeOff = append(ag.TimeOff, [2]string{a, b})
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, nil, fmt.Errorf("schedule: time off: %w", err)
	}
	rows, err = q.QueryContext(ctx, `SELECT day, requester_id, partner_id FROM schedule_swaps
		WHERE status = 'approved' AND day >= ? AND day <= ? ORDER BY id`, f, t)
	if err != nil {
		return nil, nil, fmt.Errorf("schedule: swaps: %w", err)
	}
	defer rows.Close()
	var swaps []Swap
	for rows.Next() {
		var sw Swap
		if err := rows.Scan(&sw.Date, &sw.RequesterID, &sw.PartnerID); err != nil {
			return nil, nil, fmt.Errorf("schedule: swaps: %w", err)
		}
		swaps = append(swaps, sw)
	}
	return agents, swaps, rows.Err()
}

// resolve loads and resolves from..to.
func (s *Service) resolve(ctx context.Context, q db.Querier, from, to time.Time) ([]*Agent, map[int64][]Day, error) {
	agents, swaps, err := s.load(ctx, q, from, to)
	if err != nil {
		return nil, nil, err
	}
	return agents, Resolve(agents, swaps, from, to), nil
}

// OffShift answers routing: which of agentIDs have a schedule and are not
// working at t (off, on a break, on holiday or time off). Agents without a
// schedule are never in the answer.
func (s *Service) OffShift(ctx context.Context, q db.Querier, agentIDs []int64, t time.Time) (map[int64]bool, error) {
	// A shift that started yesterday (a night shift) or that starts on
	// tomorrow's date in a zone ahead of UTC may cover t: look a day either side.
	d := civil(t)
	_, days, err := s.resolve(ctx, q, addDays(d, -2), addDays(d, 2))
	if err != nil {
		return nil, err
	}
	off := map[int64]bool{}
	for _, id := range agentIDs {
		ds, ok := days[id]
		if !ok {
			continue
		}
		working := false
		for _, day := range ds {
			if day.Working(t) {
				working = true
				break
			}
		}
		off[id] = !working
	}
	return off, nil
}
