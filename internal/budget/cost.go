package budget

import (
	"context"
	"math"
	"sort"
	"time"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/schedule"
	"github.com/ombud/ombud/internal/wfm"
)

// Planner makes staffing plans (wfm.Service).
type Planner interface {
	Plan(ctx context.Context, actor authz.Actor, in wfm.PlanInput) (wfm.Plan, error)
	WhatIf(ctx context.Context, actor authz.Actor, in wfm.PlanInput, sc wfm.Scenario) (wfm.Plan, wfm.Plan, error)
}

// Roster resolves the team's schedule (schedule.Service).
type Roster interface {
	Roster(ctx context.Context, actor authz.Actor, from string, days int) (schedule.Roster, error)
}

// AgentCost is one agent's scheduled hours and their cost.
type AgentCost struct {
	AgentID    int64   `json:"agent_id"`
	Name       string  `json:"name"`
	Hours      float64 `json:"hours"`
	HourlyRate float64 `json:"hourly_rate"`
	Cost       float64 `json:"cost"`
}

// Projection is the cost of a period's schedule and of the forecast's need.
type Projection struct {
	From     string      `json:"from"`
	Days     int         `json:"days"`
	Currency string      `json:"currency"`
	Channel  string      `json:"channel"`
	Agents   []AgentCost `json:"agents"`
	// The schedule: working hours (breaks excluded) × each agent's rate.
	ScheduledHours float64 `json:"scheduled_hours"`
	ScheduledCost  float64 `json:"scheduled_cost"`
	// The forecast: scheduled agent-hours the plan needs (shrinkage
	// included) on the period's days it covers × the agent role's rate.
	ForecastDays  int     `json:"forecast_days"`
	RequiredHours float64 `json:"required_hours"`
	RequiredRate  float64 `json:"required_rate"`
	RequiredCost  float64 `json:"required_cost"`
	// Per average month (cost per day × 365.25/12).
	MonthlyScheduledCost float64 `json:"monthly_scheduled_cost"`
	MonthlyRequiredCost  float64 `json:"monthly_required_cost"`
}

// planWeeks is how many weeks of plan reach the day to (from today).
func planWeeks(today, to time.Time) int {
	return min(6, max(1, int(math.Ceil((to.Sub(today).Hours()/24+1)/7))))
}

// Project prices days days of schedule from from, and the forecast's need
// for the same days with the plan in (schedule.manage).
func (s *Service) Project(ctx context.Context, actor authz.Actor, from string, days int, in wfm.PlanInput) (Projection, error) {
	if err := authz.Check(actor, authz.ScheduleManage); err != nil {
		return Projection{}, err
	}
	f, err := time.Parse(time.DateOnly, from)
	if err != nil {
		return Projection{}, apperr.InvalidField("from", "must be a date (YYYY-MM-DD)")
	}
	rates, err := s.rates(ctx, s.db)
	if err != nil {
		return Projection{}, err
	}
	ros, err := s.sched.Roster(ctx, actor, from, days)
	if err != nil {
		return Projection{}, err
	}
	p := Projection{From: from, Days: days, Currency: rates.Currency, Channel: in.Channel, RequiredRate: rates.RoleRate(string(authz.Agent))}
	for _, a := range ros.Agents {
		ac := AgentCost{AgentID: a.ID, Name: a.Name, Hours: a.Hours, HourlyRate: rates.AgentRate(a.ID)}
		ac.Cost = Round2(ac.Hours * ac.HourlyRate)
		p.Agents = append(p.Agents, ac)
		p.ScheduledHours += ac.Hours
		p.ScheduledCost += ac.Cost
	}
	to := f.AddDate(0, 0, days-1)
	now := s.now()
	in.Weeks = planWeeks(time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC), to)
	plan, err := s.plans.Plan(ctx, actor, in)
	if err != nil {
		return Projection{}, err
	}
	for _, d := range plan.Days {
		if !d.Date.Before(f) && !d.Date.After(to) {
			p.ForecastDays++
			p.RequiredHours += d.AgentHours
		}
	}
	p.ScheduledCost = Round2(p.ScheduledCost)
	p.RequiredCost = Round2(p.RequiredHours * p.RequiredRate)
	p.MonthlyScheduledCost = Round2(Monthly(p.ScheduledCost, days))
	p.MonthlyRequiredCost = Round2(Monthly(p.RequiredCost, p.ForecastDays))
	return p, nil
}

// Staffing is one side of a what-if.
type Staffing struct {
	Level        float64 `json:"level"`
	Seconds      float64 `json:"seconds"`
	SLAHours     float64 `json:"sla_hours"`
	VolumeChange float64 `json:"volume_change"`
	Volume       float64 `json:"volume"`       // contacts over the plan
	PeakAgents   int     `json:"peak_agents"`  // most agents to schedule in one interval
	AgentHours   float64 `json:"agent_hours"`  // scheduled agent-hours (shrinkage included)
	AvgAgents    float64 `json:"avg_agents"`   // agent-hours ÷ hours of the plan's open intervals
	Cost         float64 `json:"cost"`         // agent-hours × the agent role's rate
	MonthlyCost  float64 `json:"monthly_cost"` // per average month
}

// WhatIf compares the current plan with a scenario side by side.
type WhatIf struct {
	Channel    string   `json:"channel"`
	Weeks      int      `json:"weeks"`
	Currency   string   `json:"currency"`
	HourlyRate float64  `json:"hourly_rate"`
	Current    Staffing `json:"current"`
	Scenario   Staffing `json:"scenario"`
}

func staffing(p wfm.Plan, change, rate float64) Staffing {
	st := Staffing{Level: p.In.Level, Seconds: p.In.Seconds, SLAHours: p.In.SLAHours, VolumeChange: change}
	open := 0
	for _, d := range p.Days {
		st.Volume += d.Volume
		st.PeakAgents = max(st.PeakAgents, d.PeakSched)
		st.AgentHours += d.AgentHours
		for _, iv := range d.Intervals {
			if iv.Scheduled > 0 {
				open++
			}
		}
	}
	if open > 0 {
		st.AvgAgents = math.Round(st.AgentHours/(float64(open)/2)*10) / 10
	}
	st.Volume = math.Round(st.Volume)
	st.Cost = Round2(st.AgentHours * rate)
	st.MonthlyCost = Round2(Monthly(st.Cost, len(p.Days)))
	return st
}

// WhatIf prices the plan in and the scenario sc from the same forecast
// (schedule.manage).
func (s *Service) WhatIf(ctx context.Context, actor authz.Actor, in wfm.PlanInput, sc wfm.Scenario) (WhatIf, error) {
	if err := authz.Check(actor, authz.ScheduleManage); err != nil {
		return WhatIf{}, err
	}
	rates, err := s.rates(ctx, s.db)
	if err != nil {
		return WhatIf{}, err
	}
	cur, alt, err := s.plans.WhatIf(ctx, actor, in, sc)
	if err != nil {
		return WhatIf{}, err
	}
	rate := rates.RoleRate(string(authz.Agent))
	return WhatIf{Channel: in.Channel, Weeks: in.Weeks, Currency: rates.Currency, HourlyRate: rate,
		Current: staffing(cur, 0, rate), Scenario: staffing(alt, sc.VolumeChange, rate)}, nil
}

// ChannelCost is one channel's part of a month's cost.
type ChannelCost struct {
	Channel   string  `json:"channel"`
	Tickets   int     `json:"tickets"`
	AHT       int     `json:"handle_time"`
	Cost      float64 `json:"cost"`
	PerTicket float64 `json:"cost_per_ticket"`
}

// Actual is a past month's cost per ticket and per channel.
type Actual struct {
	Month          string        `json:"month"` // YYYY-MM
	Currency       string        `json:"currency"`
	ScheduledHours float64       `json:"scheduled_hours"`
	Cost           float64       `json:"cost"`
	Tickets        int           `json:"tickets"`
	PerTicket      float64       `json:"cost_per_ticket"`
	Channels       []ChannelCost `json:"channels"`
}

// Actual prices month's schedule (the agents' working hours × their
// rates) and divides it by the tickets created that month (UTC), split
// among channels by tickets × handle time (schedule.manage).
func (s *Service) Actual(ctx context.Context, actor authz.Actor, month string) (Actual, error) {
	if err := authz.Check(actor, authz.ScheduleManage); err != nil {
		return Actual{}, err
	}
	m, err := time.Parse("2006-01", month)
	if err != nil {
		return Actual{}, apperr.InvalidField("month", "must be a month (YYYY-MM)")
	}
	rates, err := s.rates(ctx, s.db)
	if err != nil {
		return Actual{}, err
	}
	end := m.AddDate(0, 1, 0)
	ros, err := s.sched.Roster(ctx, actor, m.Format(time.DateOnly), int(end.Sub(m).Hours()/24))
	if err != nil {
		return Actual{}, err
	}
	a := Actual{Month: month, Currency: rates.Currency}
	for _, ag := range ros.Agents {
		a.ScheduledHours += ag.Hours
		a.Cost += ag.Hours * rates.AgentRate(ag.ID)
	}
	a.Cost = Round2(a.Cost)
	tickets := map[string]int{}
	err = each(ctx, s.db, `SELECT t.channel, COUNT(*) FROM ticket_events e JOIN tickets t ON t.id = e.ticket_id
		WHERE e.type = 'created' AND e.at >= ? AND e.at < ? GROUP BY t.channel`, func(sc func(...any) error) error {
		var ch string
		var n int
		err := sc(&ch, &n)
		tickets[ch] = n
		a.Tickets += n
		return err
	}, db.Millis(m), db.Millis(end))
	if err != nil {
		return Actual{}, err
	}
	if a.Tickets > 0 {
		a.PerTicket = Round2(a.Cost / float64(a.Tickets))
	}
	share, per := Split(a.Cost, tickets, rates.HandleTimes)
	for ch, n := range tickets {
		a.Channels = append(a.Channels, ChannelCost{Channel: ch, Tickets: n, AHT: rates.HandleTimes[ch], Cost: Round2(share[ch]), PerTicket: Round2(per[ch])})
	}
	sort.Slice(a.Channels, func(i, j int) bool { return a.Channels[i].Channel < a.Channels[j].Channel })
	return a, nil
}

// HeadcountRequest asks for a headcount plan.
type HeadcountRequest struct {
	Plan      wfm.PlanInput
	Months    int
	Headcount int // -1: the agents on the schedule
	Attrition float64
	LeadWeeks int
	FTEHours  float64
	Growth    float64
}

// HeadcountPlan is the plan a lead takes to management.
type HeadcountPlan struct {
	Channel     string           `json:"channel"`
	Currency    string           `json:"currency"`
	HourlyRate  float64          `json:"hourly_rate"`
	WeeklyHours float64          `json:"weekly_hours"` // the forecast's scheduled agent-hours a week
	Headcount   int              `json:"headcount"`
	Attrition   float64          `json:"attrition"`
	LeadWeeks   int              `json:"lead_weeks"`
	FTEHours    float64          `json:"fte_hours"`
	Growth      float64          `json:"growth"`
	Hires       int              `json:"hires"`
	Months      []HeadcountMonth `json:"months"`
}

// Headcount plans hires for the coming months from the forecast's weekly
// need (schedule.manage). The first month is the next calendar month.
func (s *Service) Headcount(ctx context.Context, actor authz.Actor, in HeadcountRequest) (HeadcountPlan, error) {
	if err := authz.Check(actor, authz.ScheduleManage); err != nil {
		return HeadcountPlan{}, err
	}
	fe := apperr.FieldErrors{}
	if in.Months < 1 || in.Months > 24 {
		fe.Add("months", "must be between 1 and 24")
	}
	if in.Headcount < -1 || in.Headcount > 100000 {
		fe.Add("headcount", "must be between 0 and 100000")
	}
	if in.Attrition < 0 || in.Attrition > 50 || math.IsNaN(in.Attrition) {
		fe.Add("attrition", "must be between 0 and 50")
	}
	if in.LeadWeeks < 0 || in.LeadWeeks > 52 {
		fe.Add("lead_weeks", "must be between 0 and 52")
	}
	if in.FTEHours < 1 || in.FTEHours > 80 {
		fe.Add("fte_hours", "must be between 1 and 80")
	}
	if in.Growth < -50 || in.Growth > 100 || math.IsNaN(in.Growth) {
		fe.Add("growth", "must be between -50 and 100")
	}
	if err := fe.Err(); err != nil {
		return HeadcountPlan{}, err
	}
	rates, err := s.rates(ctx, s.db)
	if err != nil {
		return HeadcountPlan{}, err
	}
	plan, err := s.plans.Plan(ctx, actor, in.Plan)
	if err != nil {
		return HeadcountPlan{}, err
	}
	var hours float64
	for _, d := range plan.Days {
		hours += d.AgentHours
	}
	now := s.now()
	hc := in.Headcount
	if hc < 0 {
		ros, err := s.sched.Roster(ctx, actor, now.Format(time.DateOnly), 1)
		if err != nil {
			return HeadcountPlan{}, err
		}
		hc = len(ros.Agents)
	}
	rate := rates.RoleRate(string(authz.Agent))
	out := HeadcountPlan{Channel: in.Plan.Channel, Currency: rates.Currency, HourlyRate: rate, Headcount: hc,
		Attrition: in.Attrition, LeadWeeks: in.LeadWeeks, FTEHours: in.FTEHours, Growth: in.Growth}
	if len(plan.Days) > 0 {
		out.WeeklyHours = math.Round(hours/float64(len(plan.Days))*7*10) / 10
	}
	out.Months = Headcount(HeadcountInput{Start: now.AddDate(0, 1, 1-now.Day()), Months: in.Months, WeeklyHours: out.WeeklyHours,
		Growth: in.Growth, FTEHours: in.FTEHours, Headcount: float64(hc), Attrition: in.Attrition, LeadWeeks: in.LeadWeeks, Today: now, HourlyRate: rate})
	for _, m := range out.Months {
		out.Hires += m.Hires
	}
	return out, nil
}
