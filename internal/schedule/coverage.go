package schedule

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/audit"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/wfm"
)

// CoverageInput asks for one week's coverage: the staffing plan's settings
// (channel, handle time, service level, shrinkage) and the week's Monday.
type CoverageInput struct {
	Week string        `json:"week"` // YYYY-MM-DD, a Monday (another day means its week)
	Plan wfm.PlanInput `json:"plan"`
}

// Slot is one 30-minute interval of coverage.
type Slot struct {
	Start     string `json:"start"` // HH:MM in the plan's zone
	Required  int    `json:"required"`
	Needed    int    `json:"needed"`    // required with shrinkage: agents to schedule
	Scheduled int    `json:"scheduled"` // agents working (not on a break)
	Gap       int    `json:"gap"`       // needed − scheduled when short, else 0
	Planned   bool   `json:"planned"`   // the plan covers this interval (today or later)
}

// CoverageDay is one day of coverage.
type CoverageDay struct {
	Date     string  `json:"date"`
	Slots    []Slot  `json:"slots"`
	GapSlots int     `json:"gap_slots"` // intervals short of agents
	GapHours float64 `json:"gap_hours"` // agent-hours short
	PeakGap  int     `json:"peak_gap"`
}

// Coverage is a week's scheduled agents against the requirement.
type Coverage struct {
	Week     string        `json:"week"`
	Zone     string        `json:"zone"`
	Channel  string        `json:"channel"`
	Days     []CoverageDay `json:"days"`
	GapHours float64       `json:"gap_hours"`
}

// requirement is the plan's need per interval of the week, in its zone.
type requirement struct {
	loc      *time.Location
	zone     string
	week     time.Time
	required [7][48]int
	needed   [7][48]int
	planned  [7][48]bool
}

// slotTime is the middle of interval i of day d: an agent counts for an
// interval when working at its middle.
func (r *requirement) slotTime(d, i int) time.Time {
	return at(addDays(r.week, d), i*30+15, r.loc)
}

// maxWeeksAhead is how far the staffing plan reaches.
const maxWeeksAhead = 6

func (s *Service) requirement(ctx context.Context, actor authz.Actor, in CoverageInput) (*requirement, error) {
	if s.plan == nil {
		return nil, apperr.InvalidField("plan", "no staffing plan is available")
	}
	wd, ok := parseDate(in.Week)
	if !ok {
		return nil, apperr.InvalidField("week", "must be a date (YYYY-MM-DD)")
	}
	week := WeekStart(wd)
	// The plan starts today in its zone: ask for enough weeks to reach the
	// end of the week, and find today by asking for one week first.
	probe := in.Plan
	probe.Weeks = 1
	p, err := s.plan.Plan(ctx, actor, probe)
	if err != nil {
		return nil, err
	}
	if len(p.Days) == 0 {
		return nil, apperr.InvalidField("week", "no plan")
	}
	today := p.Days[0].Date
	weeks := int(math.Ceil(addDays(week, 7).Sub(today).Hours() / 24 / 7))
	if weeks > maxWeeksAhead {
		return nil, apperr.InvalidField("week", "must be within 6 weeks from today")
	}
	if weeks > 1 {
		in.Plan.Weeks = weeks
		if p, err = s.plan.Plan(ctx, actor, in.Plan); err != nil {
			return nil, err
		}
	}
	loc, err := time.LoadLocation(p.Zone)
	if err != nil {
		loc = time.UTC
	}
	r := &requirement{loc: loc, zone: p.Zone, week: week}
	for _, pd := range p.Days {
		d := int(math.Round(pd.Date.Sub(week).Hours() / 24))
		if d < 0 || d >= 7 {
			continue
		}
		for i, iv := range pd.Intervals {
			if i < 48 {
				r.required[d][i], r.needed[d][i], r.planned[d][i] = iv.Required, iv.Scheduled, true
			}
		}
	}
	return r, nil
}

// scheduledGrid counts the agents working at the middle of each interval.
func (r *requirement) scheduledGrid(res map[int64][]Day) [7][48]int {
	var g [7][48]int
	for d := range 7 {
		for i := range 48 {
			t := r.slotTime(d, i)
			for _, days := range res {
				for _, day := range days {
					if day.Working(t) {
						g[d][i]++
						break
					}
				}
			}
		}
	}
	return g
}

func (r *requirement) coverage(channel string, g [7][48]int) Coverage {
	c := Coverage{Week: r.week.Format(time.DateOnly), Zone: r.zone, Channel: channel}
	for d := range 7 {
		cd := CoverageDay{Date: addDays(r.week, d).Format(time.DateOnly), Slots: make([]Slot, 48)}
		for i := range 48 {
			sl := Slot{Start: Clock(i * 30).String(), Required: r.required[d][i], Needed: r.needed[d][i], Scheduled: g[d][i], Planned: r.planned[d][i]}
			if sl.Planned && sl.Needed > sl.Scheduled {
				sl.Gap = sl.Needed - sl.Scheduled
				cd.GapSlots++
				cd.GapHours += float64(sl.Gap) / 2
				cd.PeakGap = max(cd.PeakGap, sl.Gap)
			}
			cd.Slots[i] = sl
		}
		c.GapHours += cd.GapHours
		c.Days = append(c.Days, cd)
	}
	return c
}

// Coverage compares the week's schedule with the staffing plan (leads).
func (s *Service) Coverage(ctx context.Context, actor authz.Actor, in CoverageInput) (Coverage, error) {
	if err := authz.Check(actor, authz.ScheduleManage); err != nil {
		return Coverage{}, err
	}
	r, err := s.requirement(ctx, actor, in)
	if err != nil {
		return Coverage{}, err
	}
	// Agents' local dates may differ from the plan's by a day either side.
	_, res, err := s.resolve(ctx, s.db, addDays(r.week, -1), addDays(r.week, 7))
	if err != nil {
		return Coverage{}, err
	}
	return r.coverage(in.Plan.Channel, r.scheduledGrid(res)), nil
}

// Proposal is a proposed week: each scheduled agent's shift or day off on
// each of the 7 dates (the agent's own dates), and the coverage it gives.
type Proposal struct {
	Coverage Coverage        `json:"coverage"`
	Agents   []ProposalAgent `json:"agents"`
}

// ProposalAgent is one agent's proposed week.
type ProposalAgent struct {
	ID    int64     `json:"agent_id"`
	Name  string    `json:"name"`
	Days  [7]*Shift `json:"days"`  // Monday first; nil: off
	Limit int       `json:"limit"` // days the agent's pattern works a week
}

// Propose builds a schedule for the week from the agents' patterns that
// covers as much of the requirement as it can (leads); see greedy.
func (s *Service) Propose(ctx context.Context, actor authz.Actor, in CoverageInput) (Proposal, error) {
	if err := authz.Check(actor, authz.ScheduleManage); err != nil {
		return Proposal{}, err
	}
	r, err := s.requirement(ctx, actor, in)
	if err != nil {
		return Proposal{}, err
	}
	agents, base, err := s.resolve(ctx, s.db, r.week, addDays(r.week, 6))
	if err != nil {
		return Proposal{}, err
	}
	prop := greedy(r, agents, base)
	var g [7][48]int
	for _, pa := range prop.Agents {
		var a *Agent
		for _, x := range agents {
			if x.ID == pa.ID {
				a = x
			}
		}
		for d, sh := range pa.Days {
			if sh == nil {
				continue
			}
			var day Day
			day.place(addDays(r.week, d), *sh, a.Loc)
			for dd := range 7 {
				for i := range 48 {
					if day.Working(r.slotTime(dd, i)) {
						g[dd][i]++
					}
				}
			}
		}
	}
	prop.Coverage = r.coverage(in.Plan.Channel, g)
	return prop, nil
}

// option is one shift an agent could work on one day of the week.
type option struct {
	agent   int // index into agents
	day     int
	shift   Shift
	shift30 int   // |offset| from the pattern's start, in half hours
	cover   []int // grid cells (day*48+slot) it works at the middle of
}

// greedy proposes shifts. Each agent may work as many days as their weekly
// pattern has (their contract), at most one shift a day, never on a day of
// approved time off or a holiday. The candidate shifts of an agent on a day
// are the shapes of their pattern (start, length, break), each moved up to
// two hours earlier or later in half-hour steps. Repeatedly the candidate
// that covers the most still-short interval-agents is taken (ties: the
// smaller move, then the earlier day, then the agent first by name), until
// no candidate helps or every contract is used up.
func greedy(r *requirement, agents []*Agent, base map[int64][]Day) Proposal {
	p := Proposal{}
	short := make([]int, 7*48)
	for d := range 7 {
		for i := range 48 {
			if r.planned[d][i] {
				short[d*48+i] = r.needed[d][i]
			}
		}
	}
	var opts []*option
	limit := make([]int, len(agents))
	for ai, a := range agents {
		pa := ProposalAgent{ID: a.ID, Name: a.Name}
		shapes := map[Shift]bool{}
		for _, sh := range a.Pattern {
			if sh != nil {
				shapes[*sh] = true
				limit[ai]++
			}
		}
		pa.Limit = limit[ai]
		p.Agents = append(p.Agents, pa)
		for d := range 7 {
			bd := base[a.ID][d]
			if bd.Off == "time_off" || bd.Off == "holiday" {
				continue
			}
			date := addDays(r.week, d)
			for sh := range shapes {
				for k := -4; k <= 4; k++ {
					moved := sh
					moved.Start = Clock((int(sh.Start) + k*30 + 1440) % 1440)
					moved.End = Clock((int(sh.End) + k*30 + 1440) % 1440)
					if sh.BreakMinutes > 0 {
						moved.BreakStart = Clock((int(sh.BreakStart) + k*30 + 1440) % 1440)
					}
					var day Day
					day.place(date, moved, a.Loc)
					o := &option{agent: ai, day: d, shift: moved, shift30: abs(k)}
					for dd := max(d-1, 0); dd <= min(d+1, 6); dd++ {
						for i := range 48 {
							if day.Working(r.slotTime(dd, i)) {
								o.cover = append(o.cover, dd*48+i)
							}
						}
					}
					opts = append(opts, o)
				}
			}
		}
	}
	used := make([]int, len(agents))
	taken := make([][7]bool, len(agents))
	for {
		var best *option
		bestGain := 0
		for _, o := range opts {
			if used[o.agent] >= limit[o.agent] || taken[o.agent][o.day] {
				continue
			}
			gain := 0
			for _, c := range o.cover {
				if short[c] > 0 {
					gain++
				}
			}
			if gain > bestGain || (gain == bestGain && gain > 0 && better(o, best)) {
				best, bestGain = o, gain
			}
		}
		if best == nil {
			break
		}
		used[best.agent]++
		taken[best.agent][best.day] = true
		sh := best.shift
		p.Agents[best.agent].Days[best.day] = &sh
		for _, c := range best.cover {
			if short[c] > 0 {
				short[c]--
			}
		}
	}
	return p
}

func better(o, b *option) bool {
	if b == nil {
		return true
	}
	if o.shift30 != b.shift30 {
		return o.shift30 < b.shift30
	}
	if o.day != b.day {
		return o.day < b.day
	}
	return o.agent < b.agent
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// AcceptProposal writes the proposal for the week as one-off changes
// (source "proposal") of every scheduled agent's 7 days (leads): a shift, or
// a day off. The lead edits single days afterwards like any change.
// Changes a lead made by hand in that week are kept.
func (s *Service) AcceptProposal(ctx context.Context, actor authz.Actor, in CoverageInput) (Proposal, error) {
	prop, err := s.Propose(ctx, actor, in)
	if err != nil {
		return prop, err
	}
	week, _ := parseDate(prop.Coverage.Week)
	now := s.now()
	err = s.db.Write(ctx, func(tx *db.Tx) error {
		for _, pa := range prop.Agents {
			for d, sh := range pa.Days {
				date := addDays(week, d)
				var src string
				err := tx.QueryRowContext(ctx, `SELECT source FROM schedule_overrides WHERE agent_id = ? AND day = ?`, pa.ID, date.Format(time.DateOnly)).Scan(&src)
				if err == nil && src == "manual" {
					continue
				}
				if err := putOverride(ctx, tx, pa.ID, date, sh == nil, sh, "", "proposal", actor.ID, now); err != nil {
					return err
				}
			}
		}
		return audit.Record(ctx, tx, now, actor, "schedule.proposal_accept", prop.Coverage.Week, map[string]any{"channel": in.Plan.Channel})
	})
	if err != nil {
		return Proposal{}, fmt.Errorf("schedule: accept proposal: %w", err)
	}
	return prop, nil
}
