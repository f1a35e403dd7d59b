package schedule_test

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
	"github.com/ombud/ombud/internal/dbtest"
	"github.com/ombud/ombud/internal/routing"
	"github.com/ombud/ombud/internal/schedule"
	"github.com/ombud/ombud/internal/sla"
	"github.com/ombud/ombud/internal/ticket"
	"github.com/ombud/ombud/internal/wfm"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

func actorOf(a agent.Agent) authz.Actor {
	return authz.Actor{Kind: authz.KindAgent, ID: a.ID, Role: a.Role, Name: a.Name}
}

func clk(h, m int) schedule.Clock { return schedule.Clock(h*60 + m) }

func weekdays(s schedule.Shift) [7]*schedule.Shift {
	var p [7]*schedule.Shift
	for wd := time.Monday; wd <= time.Friday; wd++ {
		sh := s
		p[wd] = &sh
	}
	return p
}

// TestScheduleStore runs a week of a small team on both engines: patterns
// in the agents' zone with a holiday from the business calendar, time off
// that a lead approves (and the coverage it removes against a staffing plan
// made from real ticket history), a swap, adherence and occupancy from the
// recorded availability and ticket events, and routing skipping an agent
// outside their shift.
func TestScheduleStore(t *testing.T) {
	oslo, err := time.LoadLocation("Europe/Oslo")
	if err != nil {
		t.Fatal(err)
	}
	for _, engine := range dbtest.Engines {
		t.Run(engine.String(), func(t *testing.T) {
			ctx := context.Background()
			var now atomic.Int64
			set := func(tm time.Time) { now.Store(tm.UnixMilli()) }
			set(time.Date(2030, 1, 9, 9, 0, 0, 0, oslo)) // a Wednesday
			e := apptest.NewWithClock(t, engine, func() time.Time { return time.UnixMilli(now.Load()).UTC() }, nil)
			svc := e.Sys.Schedule
			lead, ag := actorOf(e.Agents[authz.Manager]), actorOf(e.Agents[authz.Agent])
			zone := "Europe/Oslo"
			for _, a := range []agent.Agent{e.Agents[authz.Manager], e.Agents[authz.Agent]} {
				if _, err := e.Sys.Agents.UpdateAgent(ctx, authz.System, a.ID, agent.AgentPatch{TimeZone: &zone}); err != nil {
					t.Fatal(err)
				}
			}
			cal, err := e.Sys.SLA.CreateCalendar(ctx, authz.System, sla.CalendarInput{Name: "Oslo", TimeZone: zone,
				Schedule: sla.Schedule{Mon: []sla.Interval{{Start: "08:00", End: "16:00"}}},
				Holidays: []sla.Holiday{{Date: "2030-01-16", Name: "Test day"}}})
			if err != nil {
				t.Fatal(err)
			}
			// History for the staffing plan: 4 phone calls at 10:00 on
			// every weekday of the last 8 weeks.
			for w := 1; w <= 8; w++ {
				for d := range 5 {
					day := time.Date(2030, 1, 7-7*w+d, 10, 5, 0, 0, oslo)
					for k := range 4 {
						set(day.Add(time.Duration(k) * time.Minute))
						if _, err := e.Sys.Tickets.Create(ctx, authz.System, ticket.CreateInput{Subject: "Call", Description: "x", Channel: "phone",
							Requester: &ticket.RequesterInput{Email: fmt.Sprintf("c%d@example.org", k)}}); err != nil {
							t.Fatal(err)
						}
					}
				}
			}
			set(time.Date(2030, 1, 9, 9, 0, 0, 0, oslo))

			// Patterns: the agent 08:00–16:00 with a half-hour break and
			// the calendar's holidays; the lead 12:00–20:00.
			if _, err := svc.SetPattern(ctx, ag, ag.ID, schedule.PatternInput{}); apperr.CodeOf(err) != apperr.CodeForbidden {
				t.Fatalf("an agent edits a pattern: %v", err)
			}
			bad := weekdays(schedule.Shift{Start: clk(8, 0), End: clk(16, 0), BreakStart: clk(20, 0), BreakMinutes: 30})
			if _, err := svc.SetPattern(ctx, lead, ag.ID, schedule.PatternInput{Days: bad}); apperr.As(err) == nil || apperr.As(err).Fields["monday"] == "" {
				t.Fatalf("break outside the shift: %v", err)
			}
			if _, err := svc.SetPattern(ctx, lead, ag.ID, schedule.PatternInput{CalendarID: &cal.ID,
				Days: weekdays(schedule.Shift{Start: clk(8, 0), End: clk(16, 0), BreakStart: clk(12, 0), BreakMinutes: 30})}); err != nil {
				t.Fatal(err)
			}
			if _, err := svc.SetPattern(ctx, lead, lead.ID, schedule.PatternInput{Days: weekdays(schedule.Shift{Start: clk(12, 0), End: clk(20, 0)})}); err != nil {
				t.Fatal(err)
			}

			// Time off: the agent asks for Tuesday, sees only their own,
			// may not approve; the lead approves.
			to, err := svc.RequestTimeOff(ctx, ag, schedule.TimeOffInput{From: "2030-01-15", To: "2030-01-15", Reason: "Dentist"})
			if err != nil || to.Status != schedule.Pending || to.AgentID != ag.ID {
				t.Fatalf("request: %+v %v", to, err)
			}
			if _, err := svc.RequestTimeOff(ctx, ag, schedule.TimeOffInput{AgentID: lead.ID, From: "2030-01-15", To: "2030-01-15"}); apperr.CodeOf(err) != apperr.CodeForbidden {
				t.Fatalf("an agent asks for someone else: %v", err)
			}
			if _, err := svc.DecideTimeOff(ctx, ag, to.ID, schedule.Decision{Status: schedule.Approved}); apperr.CodeOf(err) != apperr.CodeForbidden {
				t.Fatalf("an agent approves: %v", err)
			}
			plan := wfm.PlanInput{Channel: "phone", AHT: 300, Level: 80, Seconds: 20, Shrinkage: 30}
			in := schedule.CoverageInput{Week: "2030-01-14", Plan: plan}
			before, err := svc.Coverage(ctx, lead, in)
			if err != nil {
				t.Fatal(err)
			}
			tue := before.Days[1].Slots[20] // 10:00
			if tue.Needed == 0 || tue.Scheduled != 1 {
				t.Fatalf("Tuesday 10:00 before the approval: %+v", tue)
			}
			if got, err := svc.DecideTimeOff(ctx, lead, to.ID, schedule.Decision{Status: schedule.Approved}); err != nil || got.Status != schedule.Approved {
				t.Fatalf("approve: %+v %v", got, err)
			}
			if _, err := svc.DecideTimeOff(ctx, lead, to.ID, schedule.Decision{Status: schedule.Declined}); apperr.CodeOf(err) != apperr.CodeConflict {
				t.Fatalf("decided twice: %v", err)
			}
			after, err := svc.Coverage(ctx, lead, in)
			if err != nil {
				t.Fatal(err)
			}
			if s := after.Days[1].Slots[20]; s.Scheduled != 0 || s.Gap != tue.Gap+1 {
				t.Errorf("Tuesday 10:00 after the approval: %+v (before %+v)", s, tue)
			}
			if after.Days[1].Slots[2].Planned && after.Days[1].Slots[2].Needed != 0 {
				t.Errorf("01:00 needs nobody: %+v", after.Days[1].Slots[2])
			}
			mine, err := svc.ListTimeOff(ctx, ag, "")
			if err != nil || len(mine) != 1 {
				t.Fatalf("own list: %v %v", mine, err)
			}

			// A swap on Thursday, approved: the agent works the lead's
			// 12:00–20:00 and the lead the agent's 08:00–16:00.
			sw, err := svc.RequestSwap(ctx, ag, schedule.SwapInput{PartnerID: lead.ID, Date: "2030-01-17", Note: "School play"})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := svc.DecideSwap(ctx, lead, sw.ID, schedule.Decision{Status: schedule.Approved}); err != nil {
				t.Fatal(err)
			}
			r, err := svc.Roster(ctx, ag, "2030-01-14", 7)
			if err != nil {
				t.Fatal(err)
			}
			days := map[int64][]schedule.Day{}
			for _, ra := range r.Agents {
				days[ra.ID] = ra.Days
			}
			label := func(d schedule.Day) string {
				if d.Shift == nil {
					return d.Off
				}
				return d.Shift.Label() + " " + d.Shift.BreakLabel()
			}
			want := []string{"08:00–16:00 12:00–12:30", "time_off", "holiday", "12:00–20:00 ", "08:00–16:00 12:00–12:30", "off", "off"}
			for i, w := range want {
				if got := label(days[ag.ID][i]); got != w {
					t.Errorf("agent %s: %q, want %q", days[ag.ID][i].Date, got, w)
				}
			}
			if got := label(days[lead.ID][3]); got != "08:00–16:00 12:00–12:30" {
				t.Errorf("lead on the swapped day: %q", got)
			}
			if days[ag.ID][2].Holiday != "Test day" {
				t.Errorf("holiday name: %q", days[ag.ID][2].Holiday)
			}

			// Adherence on Monday from availability events: online
			// 08:30–12:00, away on the break, online 12:30–15:00, offline,
			// online again 17:00–18:00 (outside the shift). Ticket events
			// at 09:05 and 09:10 (one block) and 17:20.
			tk, err := e.Sys.Tickets.Create(ctx, authz.System, ticket.CreateInput{Subject: "Work", Description: "x", Channel: "email",
				Requester: &ticket.RequesterInput{Email: "w@example.org"}})
			if err != nil {
				t.Fatal(err)
			}
			avail := func(h, m int, st string) {
				t.Helper()
				set(time.Date(2030, 1, 14, h, m, 0, 0, oslo))
				if _, err := e.Sys.Routing.SetAvailability(ctx, ag, ag.ID, st); err != nil {
					t.Fatal(err)
				}
			}
			note := func(h, m int) {
				t.Helper()
				set(time.Date(2030, 1, 14, h, m, 0, 0, oslo))
				if _, err := e.Sys.Tickets.AddComment(ctx, ag, tk.ID, ticket.CommentInput{Body: "working on it", Public: new(bool)}); err != nil {
					t.Fatal(err)
				}
			}
			avail(8, 30, "online")
			note(9, 5)
			note(9, 10)
			avail(12, 0, "away")
			avail(12, 30, "online")
			avail(15, 0, "offline")
			avail(17, 0, "online")
			note(17, 20)
			avail(18, 0, "offline")
			set(time.Date(2030, 1, 15, 9, 0, 0, 0, oslo))
			rep, err := svc.Adherence(ctx, lead, "2030-01-14")
			if err != nil {
				t.Fatal(err)
			}
			var got schedule.Adherence
			for _, a := range rep.Agents {
				if a.AgentID == ag.ID {
					got = a
				}
			}
			if got.Scheduled != 450 || got.InShift != 360 || got.Online != 420 || got.Active != 30 {
				t.Errorf("adherence minutes: %+v", got)
			}
			if got.AdherencePct == nil || math.Abs(*got.AdherencePct-80) > 1e-9 || math.Abs(*got.OccupancyPct-100*30.0/420) > 1e-9 {
				t.Errorf("percentages: %v %v", got.AdherencePct, got.OccupancyPct)
			}
			if _, err := svc.Adherence(ctx, ag, "2030-01-14"); apperr.CodeOf(err) != apperr.CodeForbidden {
				t.Errorf("an agent reads adherence: %v", err)
			}

			// Routing: a round-robin team of the agent alone. Friday 07:00
			// is before the shift: no offer; at 09:00 the ticket is theirs.
			team, err := e.Sys.Agents.CreateTeam(ctx, authz.System, agent.TeamInput{Name: "Phones", AgentIDs: []int64{ag.ID}})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := e.Sys.Routing.PutSettings(ctx, authz.System, team.ID, routing.SettingsInput{Method: routing.RoundRobin}); err != nil {
				t.Fatal(err)
			}
			set(time.Date(2030, 1, 18, 6, 55, 0, 0, oslo))
			if _, err := e.Sys.Routing.SetAvailability(ctx, ag, ag.ID, "online"); err != nil {
				t.Fatal(err)
			}
			set(time.Date(2030, 1, 18, 7, 0, 0, 0, oslo))
			nt, err := e.Sys.Tickets.Create(ctx, authz.System, ticket.CreateInput{Subject: "Early", Description: "x", Channel: "email", TeamID: &team.ID,
				Requester: &ticket.RequesterInput{Email: "early@example.org"}})
			if err != nil {
				t.Fatal(err)
			}
			if id, err := e.Sys.Routing.Assign(ctx, nt.ID); err != nil || id != 0 {
				t.Fatalf("before the shift: assigned to %d (%v)", id, err)
			}
			set(time.Date(2030, 1, 18, 12, 10, 0, 0, oslo)) // on the break
			if id, err := e.Sys.Routing.Assign(ctx, nt.ID); err != nil || id != 0 {
				t.Fatalf("on the break: assigned to %d (%v)", id, err)
			}
			set(time.Date(2030, 1, 18, 9, 0, 0, 0, oslo))
			if id, err := e.Sys.Routing.Assign(ctx, nt.ID); err != nil || id != ag.ID {
				t.Fatalf("on shift: assigned to %d (%v), want %d", id, err, ag.ID)
			}
		})
	}
}
