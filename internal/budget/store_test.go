package budget_test

import (
	"context"
	"fmt"
	"math"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ombud/ombud/internal/agent"
	"github.com/ombud/ombud/internal/app/apptest"
	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/budget"
	"github.com/ombud/ombud/internal/dbtest"
	"github.com/ombud/ombud/internal/schedule"
	"github.com/ombud/ombud/internal/ticket"
	"github.com/ombud/ombud/internal/wfm"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

func actorOf(a agent.Agent) authz.Actor {
	return authz.Actor{Kind: authz.KindAgent, ID: a.ID, Role: a.Role, Name: a.Name}
}

func ptr(f float64) *float64 { return &f }

// TestBudgetStore runs the budget on both engines: a lead sets rates (an
// agent may neither read nor set them), the schedule of two agents is
// priced for next week and for a past month whose tickets give the cost per
// ticket and channel, a what-if with a higher service level and more volume
// needs more agents, and the headcount plan starts from the scheduled team.
func TestBudgetStore(t *testing.T) {
	for _, engine := range dbtest.Engines {
		t.Run(engine.String(), func(t *testing.T) {
			ctx := context.Background()
			var now atomic.Int64
			set := func(tm time.Time) { now.Store(tm.UnixMilli()) }
			e := apptest.NewWithClock(t, engine, func() time.Time { return time.UnixMilli(now.Load()).UTC() }, nil)
			svc := e.Sys.Budget
			lead, ag := actorOf(e.Agents[authz.Manager]), actorOf(e.Agents[authz.Agent])

			// History: 4 phone calls at 10:05 UTC on every weekday of the 8
			// weeks before Wednesday 9 January 2030, and one email a day in
			// December 2029's first week.
			create := func(at time.Time, ch string, k int) {
				t.Helper()
				set(at)
				if _, err := e.Sys.Tickets.Create(ctx, authz.System, ticket.CreateInput{Subject: "Hello", Description: "x", Channel: ch,
					Requester: &ticket.RequesterInput{Email: fmt.Sprintf("c%d@example.org", k)}}); err != nil {
					t.Fatal(err)
				}
			}
			decPhone, decEmail := 0, 0
			for w := 1; w <= 8; w++ {
				for d := range 5 {
					day := time.Date(2030, 1, 7-7*w+d, 10, 5, 0, 0, time.UTC)
					for k := range 4 {
						create(day.Add(time.Duration(k)*time.Minute), "phone", k)
						if day.Month() == time.December {
							decPhone++
						}
					}
				}
			}
			for d := 3; d <= 7; d++ {
				create(time.Date(2029, 12, d, 14, 0, 0, 0, time.UTC), "email", 9)
				decEmail++
			}
			set(time.Date(2030, 1, 9, 9, 0, 0, 0, time.UTC))

			if _, err := svc.Rates(ctx, ag); apperr.CodeOf(err) != apperr.CodeForbidden {
				t.Fatalf("an agent reads the rates: %v", err)
			}
			if _, err := svc.SetRates(ctx, ag, budget.RatesInput{Roles: map[string]float64{"agent": 1}}); apperr.CodeOf(err) != apperr.CodeForbidden {
				t.Fatalf("an agent sets rates: %v", err)
			}
			_, err := svc.SetRates(ctx, lead, budget.RatesInput{Currency: "kroner", Roles: map[string]float64{"boss": 1, "agent": -1}, HandleTimes: map[string]int{"fax": 5}})
			if fe := apperr.As(err); fe == nil || fe.Fields["currency"] == "" || fe.Fields["roles.boss"] == "" || fe.Fields["roles.agent"] == "" || fe.Fields["handle_times.fax"] == "" {
				t.Fatalf("bad rates: %v", err)
			}
			r, err := svc.SetRates(ctx, lead, budget.RatesInput{Currency: "nok", Roles: map[string]float64{"agent": 200, "manager": 300},
				Agents: []budget.AgentOverride{{AgentID: ag.ID, HourlyRate: ptr(250)}}, HandleTimes: map[string]int{"email": 600}})
			if err != nil {
				t.Fatal(err)
			}
			if r.Currency != "NOK" || r.AgentRate(ag.ID) != 250 || r.AgentRate(lead.ID) != 300 || r.RoleRate("agent") != 200 || r.HandleTimes["email"] != 600 || r.HandleTimes["phone"] != 300 {
				t.Fatalf("rates: %+v", r)
			}

			// Both work Monday–Friday 09:00–17:00 with a half-hour break: 7.5 h a day.
			var days [7]*schedule.Shift
			for wd := time.Monday; wd <= time.Friday; wd++ {
				days[wd] = &schedule.Shift{Start: 9 * 60, End: 17 * 60, BreakStart: 12 * 60, BreakMinutes: 30}
			}
			for _, id := range []int64{ag.ID, lead.ID} {
				if _, err := e.Sys.Schedule.SetPattern(ctx, lead, id, schedule.PatternInput{Days: days}); err != nil {
					t.Fatal(err)
				}
			}
			plan := wfm.PlanInput{Channel: "phone", Weeks: 2, AHT: 300, Level: 80, Seconds: 20, Shrinkage: 30}
			if _, err := svc.Project(ctx, ag, "2030-01-14", 7, plan); apperr.CodeOf(err) != apperr.CodeForbidden {
				t.Fatalf("an agent sees the cost: %v", err)
			}
			p, err := svc.Project(ctx, lead, "2030-01-14", 7, plan)
			if err != nil {
				t.Fatal(err)
			}
			// 37.5 h × 250 + 37.5 h × 300 = 9375 + 11250.
			if p.ScheduledHours != 75 || p.ScheduledCost != 20625 || p.Currency != "NOK" || len(p.Agents) != 2 {
				t.Errorf("projection: %+v", p)
			}
			if p.ForecastDays != 7 || p.RequiredHours <= 0 || p.RequiredCost != budget.Round2(p.RequiredHours*200) {
				t.Errorf("required: %v days, %v h, %v", p.ForecastDays, p.RequiredHours, p.RequiredCost)
			}
			if want := budget.Round2(20625.0 / 7 * 365.25 / 12); p.MonthlyScheduledCost != want {
				t.Errorf("monthly %v, want %v", p.MonthlyScheduledCost, want)
			}

			// December 2029 has 21 weekdays: 157.5 h each, 157.5 × 550 = 86625.
			a, err := svc.Actual(ctx, lead, "2029-12")
			if err != nil {
				t.Fatal(err)
			}
			if a.ScheduledHours != 315 || a.Cost != 86625 || a.Tickets != decPhone+decEmail {
				t.Fatalf("actual: %+v (phone %d, email %d)", a, decPhone, decEmail)
			}
			work := float64(decPhone*300 + decEmail*600)
			for _, c := range a.Channels {
				n, aht := decPhone, 300
				if c.Channel == "email" {
					n, aht = decEmail, 600
				}
				if c.Tickets != n || c.PerTicket != budget.Round2(86625*float64(aht)/work) {
					t.Errorf("channel %+v", c)
				}
			}
			if _, err := svc.Actual(ctx, lead, "2029-13"); apperr.As(err) == nil || apperr.As(err).Fields["month"] == "" {
				t.Errorf("bad month: %v", err)
			}

			// What-if: 95 % in 20 s and twice the calls need more agents.
			wi, err := svc.WhatIf(ctx, lead, plan, wfm.Scenario{Level: 95, Seconds: 20, VolumeChange: 100})
			if err != nil {
				t.Fatal(err)
			}
			if wi.Scenario.PeakAgents <= wi.Current.PeakAgents || wi.Scenario.Cost <= wi.Current.Cost || math.Abs(wi.Scenario.Volume-2*wi.Current.Volume) > 1 {
				t.Errorf("what-if: %+v", wi)
			}
			if _, err := svc.WhatIf(ctx, lead, plan, wfm.Scenario{Level: 120, Seconds: 20}); apperr.As(err) == nil || apperr.As(err).Fields["what_if_level"] == "" {
				t.Errorf("bad what-if: %v", err)
			}

			hp, err := svc.Headcount(ctx, lead, budget.HeadcountRequest{Plan: plan, Months: 3, Headcount: -1, Attrition: 10, LeadWeeks: 4, FTEHours: 37.5})
			if err != nil {
				t.Fatal(err)
			}
			if hp.Headcount != 2 || len(hp.Months) != 3 || hp.Months[0].Month != "2030-02" || hp.WeeklyHours <= 0 {
				t.Errorf("headcount: %+v", hp)
			}
			if _, err := svc.Headcount(ctx, lead, budget.HeadcountRequest{Plan: plan, Months: 0, FTEHours: 0}); apperr.As(err) == nil || apperr.As(err).Fields["months"] == "" || apperr.As(err).Fields["fte_hours"] == "" {
				t.Errorf("bad headcount: %v", err)
			}
		})
	}
}
