package schedule

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/db"
)

// Adherence is one agent's day measured against their schedule, in minutes.
type Adherence struct {
	AgentID   int64   `json:"agent_id"`
	Name      string  `json:"name"`
	Date      string  `json:"date"`
	Scheduled float64 `json:"scheduled_minutes"` // working time on shift, breaks excluded
	InShift   float64 `json:"adherent_minutes"`  // online while scheduled to work
	Online    float64 `json:"online_minutes"`    // online at any time of the day
	Active    float64 `json:"active_minutes"`    // online 15-minute blocks with a ticket event by the agent
	// Percentages; nil when the denominator is zero.
	AdherencePct   *float64 `json:"adherence_pct"`   // InShift / Scheduled
	OccupancyPct   *float64 `json:"occupancy_pct"`   // Active / Online
	UtilisationPct *float64 `json:"utilisation_pct"` // Active / Scheduled
}

// AdherenceReport is a day's adherence per agent and for the team.
type AdherenceReport struct {
	Date   string      `json:"date"`
	Agents []Adherence `json:"agents"`
	Team   Adherence   `json:"team"`
}

// activeBlock is the block length for active time.
const activeBlock = 15 * time.Minute

type span struct{ from, to time.Time }

func overlap(a, b span) float64 {
	f, t := a.from, a.to
	if b.from.After(f) {
		f = b.from
	}
	if b.to.Before(t) {
		t = b.to
	}
	if !t.After(f) {
		return 0
	}
	return t.Sub(f).Minutes()
}

func pct(n, d float64) *float64 {
	if d <= 0 {
		return nil
	}
	v := 100 * n / d
	return &v
}

// working splits a day into the spans the agent works (the break cut out).
func working(d Day) []span {
	if d.Shift == nil {
		return nil
	}
	if d.BreakEnd.IsZero() {
		return []span{{d.Start, d.End}}
	}
	return []span{{d.Start, d.BreakStart}, {d.BreakEnd, d.End}}
}

// Adherence measures every scheduled agent on date (their own calendar day)
// from the availability events and ticket events (leads). See
// docs/workforce.md for the definitions.
func (s *Service) Adherence(ctx context.Context, actor authz.Actor, date string) (AdherenceReport, error) {
	if err := authz.Check(actor, authz.ScheduleManage); err != nil {
		return AdherenceReport{}, err
	}
	d, ok := parseDate(date)
	if !ok {
		return AdherenceReport{}, apperr.InvalidField("date", "must be a date (YYYY-MM-DD)")
	}
	agents, res, err := s.resolve(ctx, s.db, addDays(d, -1), addDays(d, 1))
	if err != nil {
		return AdherenceReport{}, err
	}
	rep := AdherenceReport{Date: d.Format(time.DateOnly), Team: Adherence{Name: "team", Date: d.Format(time.DateOnly)}}
	now := s.now()
	for _, a := range agents {
		window := span{at(d, 0, a.Loc), at(d, 1440, a.Loc)}
		if window.to.After(now) {
			window.to = now // the future has no availability yet
		}
		ad := Adherence{AgentID: a.ID, Name: a.Name, Date: rep.Date}
		var shifts []span
		for _, day := range res[a.ID] {
			if day.Date == rep.Date {
				for _, w := range working(day) {
					ad.Scheduled += w.to.Sub(w.from).Minutes()
					shifts = append(shifts, w)
				}
			}
		}
		online, err := s.online(ctx, a.ID, window)
		if err != nil {
			return AdherenceReport{}, err
		}
		for _, o := range online {
			ad.Online += o.to.Sub(o.from).Minutes()
			for _, w := range shifts {
				ad.InShift += overlap(o, w)
			}
		}
		if ad.Active, err = s.active(ctx, a.ID, window, online); err != nil {
			return AdherenceReport{}, err
		}
		ad.AdherencePct, ad.OccupancyPct, ad.UtilisationPct = pct(ad.InShift, ad.Scheduled), pct(ad.Active, ad.Online), pct(ad.Active, ad.Scheduled)
		rep.Agents = append(rep.Agents, ad)
		t := &rep.Team
		t.Scheduled += ad.Scheduled
		t.InShift += ad.InShift
		t.Online += ad.Online
		t.Active += ad.Active
	}
	t := &rep.Team
	t.AdherencePct, t.OccupancyPct, t.UtilisationPct = pct(t.InShift, t.Scheduled), pct(t.Active, t.Online), pct(t.Active, t.Scheduled)
	return rep, nil
}

// online returns the spans within w the agent was online, from the
// availability events: the last event before w sets the starting state
// (offline when there is none).
func (s *Service) online(ctx context.Context, agentID int64, w span) ([]span, error) {
	state := "offline"
	var last int64
	err := s.db.QueryRowContext(ctx, `SELECT availability, at FROM agent_availability_events WHERE agent_id = ? AND at < ? ORDER BY at DESC, id DESC LIMIT 1`,
		agentID, db.Millis(w.from)).Scan(&state, &last)
	if err != nil && !isNoRows(err) {
		return nil, fmt.Errorf("schedule: availability %d: %w", agentID, err)
	}
	rows, err := s.db.QueryContext(ctx, `SELECT availability, at FROM agent_availability_events WHERE agent_id = ? AND at >= ? AND at < ? ORDER BY at, id`,
		agentID, db.Millis(w.from), db.Millis(w.to))
	if err != nil {
		return nil, fmt.Errorf("schedule: availability %d: %w", agentID, err)
	}
	defer rows.Close()
	var out []span
	since := w.from
	for rows.Next() {
		var st string
		var ms int64
		if err := rows.Scan(&st, &ms); err != nil {
			return nil, fmt.Errorf("schedule: availability %d: %w", agentID, err)
		}
		t := db.Time(ms)
		if state == "online" && t.After(since) {
			out = append(out, span{since, t})
		}
		state, since = st, t
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("schedule: availability %d: %w", agentID, err)
	}
	if state == "online" && w.to.After(since) {
		out = append(out, span{since, w.to})
	}
	return out, nil
}

// active counts, in minutes, the 15-minute blocks (from the window's start)
// in which the agent wrote a ticket event (a reply, note, status or field
// change) while online, cut to the online time.
func (s *Service) active(ctx context.Context, agentID int64, w span, online []span) (float64, error) {
	if len(online) == 0 {
		return 0, nil
	}
	rows, err := s.db.QueryContext(ctx, `SELECT at FROM ticket_events WHERE actor_type = 'agent' AND actor_id = ? AND at >= ? AND at < ? ORDER BY at`,
		agentID, db.Millis(w.from), db.Millis(w.to))
	if err != nil {
		return 0, fmt.Errorf("schedule: activity %d: %w", agentID, err)
	}
	defer rows.Close()
	blocks := map[int64]bool{}
	for rows.Next() {
		var ms int64
		if err := rows.Scan(&ms); err != nil {
			return 0, fmt.Errorf("schedule: activity %d: %w", agentID, err)
		}
		blocks[(ms-db.Millis(w.from))/activeBlock.Milliseconds()] = true
	}
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("schedule: activity %d: %w", agentID, err)
	}
	keys := make([]int64, 0, len(blocks))
	for k := range blocks {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i] < keys[j] })
	total := 0.0
	for _, k := range keys {
		b := span{w.from.Add(time.Duration(k) * activeBlock), w.from.Add(time.Duration(k+1) * activeBlock)}
		for _, o := range online {
			total += overlap(b, o)
		}
	}
	return total, nil
}
