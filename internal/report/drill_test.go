package report_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/dbtest"
	"github.com/ombud/ombud/internal/page"
	"github.com/ombud/ombud/internal/report"
	"github.com/ombud/ombud/internal/sla"
	"github.com/ombud/ombud/internal/ticket"
)

// people is a second team and agent beside the fixture's, and six
// tickets answered and solved by hand-picked delays (Oslo, Monday 2 to
// Wednesday 4 March 2026, winter time; business hours Monday to Friday
// 08:00–16:00). Each ticket is answered by its assignee:
//
//	ticket team    agent  created     first reply       solved            (calendar s / business s)
//	T1     Support Ingrid Mon 09:00   09:10  600/600     with the reply    600/600
//	T2     Support Ingrid Mon 10:00   10:20  1200/1200   11:00             3600/3600
//	T3     Support Ingrid Mon 15:30   16:20  3000/1800   with the reply    3000/1800
//	T4     Support Ola    Mon 11:00   13:00  7200/7200   with the reply    7200/7200
//	T5     Billing Ola    Tue 09:00   09:40  2400/2400   not solved; Ola writes again at 10:00
//	T6     Billing Ola    Tue 17:00   Wed 08:30 55800/1800 with the reply  55800/1800
type people struct {
	fixture
	ola     authz.Actor
	billing int64
	ids     []int64
}

func peopleScenario(t *testing.T, d *db.DB) people {
	t.Helper()
	ctx := context.Background()
	p := people{fixture: setup(t, d)}
	if _, err := p.slas.CreateCalendar(ctx, p.admin, decode[sla.CalendarInput](t, `{"name":"Oslo office","time_zone":"Europe/Oslo",
		"schedule":{"mon":[{"start":"08:00","end":"16:00"}],"tue":[{"start":"08:00","end":"16:00"}],"wed":[{"start":"08:00","end":"16:00"}],
		"thu":[{"start":"08:00","end":"16:00"}],"fri":[{"start":"08:00","end":"16:00"}]}}`)); err != nil {
		t.Fatal(err)
	}
	err := d.Write(ctx, func(tx *db.Tx) error {
		ola, err := tx.InsertID(ctx, `INSERT INTO agents (email, name, role, created_at, updated_at) VALUES ('ola@ombud.test', 'Ola', 'agent', 1, 1)`)
		if err != nil {
			return err
		}
		p.ola = authz.Actor{Kind: authz.KindAgent, ID: ola, Role: authz.Agent}
		p.billing, err = tx.InsertID(ctx, `INSERT INTO teams (name, created_at, updated_at) VALUES ('Billing', 1, 1)`)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	day := func(d, h, m int) time.Time { return time.Date(2026, 3, d, h, m, 0, 0, oslo) }
	create := func(when time.Time, team int64, assignee authz.Actor) int64 {
		t.Helper()
		p.clk.set(when)
		tk, err := p.tickets.Create(ctx, p.agent, ticket.CreateInput{Subject: "Question", Description: "Hello", Channel: "email",
			TeamID: &team, AssigneeID: &assignee.ID, Tags: []string{"people"},
			Requester: &ticket.RequesterInput{Email: "kari@example.no", Name: "Kari"}})
		if err != nil {
			t.Fatal(err)
		}
		p.ids = append(p.ids, tk.ID)
		return tk.ID
	}
	reply := func(when time.Time, who authz.Actor, id int64, status ticket.Status) {
		t.Helper()
		p.clk.set(when)
		if _, err := p.tickets.AddComment(ctx, who, id, ticket.CommentInput{Body: "Answer", Public: ptr(true), Status: status}); err != nil {
			t.Fatal(err)
		}
	}
	t1 := create(day(2, 9, 0), p.team, p.agent)
	reply(day(2, 9, 10), p.agent, t1, ticket.StatusSolved)
	t2 := create(day(2, 10, 0), p.team, p.agent)
	reply(day(2, 10, 20), p.agent, t2, "")
	p.clk.set(day(2, 11, 0))
	solved := ticket.StatusSolved
	if _, err := p.tickets.Update(ctx, p.agent, t2, ticket.Patch{Status: &solved}); err != nil {
		t.Fatal(err)
	}
	t4 := create(day(2, 11, 0), p.team, p.ola)
	reply(day(2, 13, 0), p.ola, t4, ticket.StatusSolved)
	t3 := create(day(2, 15, 30), p.team, p.agent)
	reply(day(2, 16, 20), p.agent, t3, ticket.StatusSolved)
	t5 := create(day(3, 9, 0), p.billing, p.ola)
	reply(day(3, 9, 40), p.ola, t5, "")
	reply(day(3, 10, 0), p.ola, t5, "")
	t6 := create(day(3, 17, 0), p.billing, p.ola)
	reply(day(4, 8, 30), p.ola, t6, ticket.StatusSolved)
	p.clk.set(day(6, 12, 0))
	if _, err := p.reports.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	return p
}

// stats are a row's first reply and resolution figures in seconds:
// median, median in business hours, mean, mean in business hours.
type stats struct {
	FirstReply, Resolution [4]float64
}

func statsOf(f report.Figures) stats {
	v := func(p *float64) float64 {
		if p == nil {
			return -1
		}
		return *p
	}
	return stats{
		FirstReply: [4]float64{v(f.FirstReplyMed), v(f.FirstReplyMedBH), v(f.FirstReplyAvg), v(f.FirstReplyAvgBH)},
		Resolution: [4]float64{v(f.ResolutionMed), v(f.ResolutionMedBH), v(f.ResolutionAvg), v(f.ResolutionAvgBH)},
	}
}

// TestBreakdownMedians: the team and agent tables' medians and means,
// each computed from the row's own facts, checked against the values
// worked out by hand from the table above — through the roll-up (no
// filter), the one-dimension roll-up with the facts (a team filter while
// grouping by agent) and the facts of a tag; and each row's median is
// the overview's median filtered to that row.
func TestBreakdownMedians(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		p := peopleScenario(t, d)
		week := report.Filter{From: time.Date(2026, 3, 2, 0, 0, 0, 0, oslo), To: time.Date(2026, 3, 9, 0, 0, 0, 0, oslo), Loc: oslo}
		id := func(n int64) string { return strconv.FormatInt(n, 10) }
		byAgent := map[string]stats{
			// First replies 600, 1200, 3000 (business 600, 1200, 1800);
			// resolutions 600, 3600, 3000 (business 600, 3600, 1800).
			id(p.agent.ID): {FirstReply: [4]float64{1200, 1200, 1600, 1200}, Resolution: [4]float64{3000, 1800, 2400, 2000}},
			// First replies 7200, 2400, 55800 (business 7200, 2400, 1800);
			// resolutions 7200, 55800 (business 7200, 1800).
			id(p.ola.ID): {FirstReply: [4]float64{7200, 2400, 21800, 3800}, Resolution: [4]float64{31500, 4500, 31500, 4500}},
		}
		byTeam := map[string]stats{
			// First replies 600, 1200, 3000, 7200 (business 600, 1200,
			// 1800, 7200); resolutions 600, 3600, 3000, 7200 (business 600,
			// 3600, 1800, 7200). The mean is over the four tickets, not
			// the mean of Ingrid's and Ola's means (4,400 s).
			id(p.team): {FirstReply: [4]float64{2100, 1500, 3000, 2700}, Resolution: [4]float64{3300, 2700, 3600, 3300}},
			// First replies 2400, 55800 (business 2400, 1800); one
			// resolution 55800 (business 1800).
			id(p.billing): {FirstReply: [4]float64{29100, 2100, 29100, 2100}, Resolution: [4]float64{55800, 1800, 55800, 1800}},
		}
		// Ola within Support: T4 alone.
		olaInSupport := map[string]stats{
			id(p.agent.ID): byAgent[id(p.agent.ID)],
			id(p.ola.ID):   {FirstReply: [4]float64{7200, 7200, 7200, 7200}, Resolution: [4]float64{7200, 7200, 7200, 7200}},
		}
		support := week
		support.TeamID = p.team
		tagged := week
		tagged.Tag = "people"
		for _, tc := range []struct {
			name string
			f    report.Filter
			by   string
			want map[string]stats
		}{
			{"by agent", week, "agent", byAgent},
			{"by team", week, "team", byTeam},
			{"by agent within a team", support, "agent", olaInSupport},
			{"by agent, tagged", tagged, "agent", byAgent},
			{"by team, tagged", tagged, "team", byTeam},
		} {
			t.Run(tc.name, func(t *testing.T) {
				rows, err := p.reports.BreakdownMedians(ctx, p.admin, tc.f, tc.by)
				if err != nil {
					t.Fatal(err)
				}
				got := map[string]stats{}
				for _, r := range rows {
					got[r.Key] = statsOf(r.Figures)
					// The row's median is the overview's, filtered to it.
					g := tc.f
					switch tc.by {
					case "agent":
						g.AgentID, _ = strconv.ParseInt(r.Key, 10, 64)
					case "team":
						g.TeamID, _ = strconv.ParseInt(r.Key, 10, 64)
					}
					fig, err := p.reports.Figures(ctx, p.admin, g)
					if err != nil {
						t.Fatal(err)
					}
					if diff := cmp.Diff(statsOf(fig), got[r.Key]); diff != "" {
						t.Errorf("%s %s: breakdown differs from the filtered overview (-overview +breakdown):\n%s", tc.by, r.Key, diff)
					}
				}
				if diff := cmp.Diff(tc.want, got); diff != "" {
					t.Errorf("(-want +got):\n%s", diff)
				}
			})
		}
		// The plain breakdown stays without medians (the roll-ups only).
		rows, err := p.reports.Breakdown(ctx, p.admin, week, "agent")
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rows {
			if r.Figures.FirstReplyMed != nil || r.Figures.ResolutionMed != nil {
				t.Errorf("Breakdown row %s has medians", r.Key)
			}
		}
		if _, err := p.reports.BreakdownMedians(ctx, p.agent, week, "agent"); err == nil {
			t.Error("an agent read the medians")
		}
	})
}

// TestFactPaging: the drill-down pages through every fact, however small
// the page, in EachFact's order without repeats; the ticket view lists each
// ticket behind a figure once; the count matches.
func TestFactPaging(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		p := peopleScenario(t, d)
		week := report.Filter{From: time.Date(2026, 3, 2, 0, 0, 0, 0, oslo), To: time.Date(2026, 3, 9, 0, 0, 0, 0, oslo), Loc: oslo}
		key := func(x report.Fact) string {
			return strconv.FormatInt(x.TicketID, 10) + "/" + x.Kind + "/" + strconv.Itoa(x.N)
		}
		for _, tc := range []struct {
			name    string
			kind    string
			mod     func(*report.Filter)
			facts   int
			tickets []int // indexes into p.ids, in order of their first fact
		}{
			// Seven replies on six tickets: T5 has two.
			{"replies", report.KindReply, func(*report.Filter) {}, 7, []int{0, 1, 2, 3, 4, 5}},
			{"replies by Ola", report.KindReply, func(g *report.Filter) { g.AgentID = p.ola.ID }, 4, []int{2, 4, 5}},
			{"replies, tagged", report.KindReply, func(g *report.Filter) { g.Tag = "people" }, 7, []int{0, 1, 2, 3, 4, 5}},
			{"created", report.KindCreated, func(*report.Filter) {}, 6, []int{0, 1, 2, 3, 4, 5}},
			{"every fact of Billing", "", func(g *report.Filter) { g.TeamID = p.billing }, -1, []int{4, 5}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				g := week
				tc.mod(&g)
				var all []string
				if err := p.reports.EachFact(ctx, p.admin, g, tc.kind, func(x report.Fact) error {
					all = append(all, key(x))
					return nil
				}); err != nil {
					t.Fatal(err)
				}
				if tc.facts >= 0 && len(all) != tc.facts {
					t.Fatalf("%d facts, want %d: %v", len(all), tc.facts, all)
				}
				n, err := p.reports.FactCount(ctx, p.admin, g, tc.kind)
				if err != nil {
					t.Fatal(err)
				}
				if n != int64(len(all)) {
					t.Errorf("FactCount %d, want %d", n, len(all))
				}
				for _, size := range []int{1, 2, 3, 100} {
					var paged []string
					pr := page.Request{Limit: size}
					pages := 0
					for {
						l, err := p.reports.FactPage(ctx, p.admin, g, tc.kind, pr)
						if err != nil {
							t.Fatal(err)
						}
						pages++
						for _, x := range l.Data {
							paged = append(paged, key(x))
						}
						if l.NextCursor == nil {
							break
						}
						if pages > 100 {
							t.Fatal("paging does not end")
						}
						c, err := page.Decode(*l.NextCursor)
						if err != nil {
							t.Fatal(err)
						}
						if got := report.PageOffset(c); got != len(paged) {
							t.Errorf("page %d of %d: offset %d, want %d", pages, size, got, len(paged))
						}
						pr.Cursor = c
					}
					if diff := cmp.Diff(all, paged); diff != "" {
						t.Errorf("pages of %d (-all +paged):\n%s", size, diff)
					}
					var tickets []int64
					pr = page.Request{Limit: size}
					for {
						l, err := p.reports.FactTickets(ctx, p.admin, g, tc.kind, pr)
						if err != nil {
							t.Fatal(err)
						}
						for _, x := range l.Data {
							tickets = append(tickets, x.TicketID)
						}
						if l.NextCursor == nil {
							break
						}
						if len(tickets) > 100 {
							t.Fatal("paging does not end")
						}
						if pr.Cursor, err = page.Decode(*l.NextCursor); err != nil {
							t.Fatal(err)
						}
					}
					var want []int64
					for _, i := range tc.tickets {
						want = append(want, p.ids[i])
					}
					if diff := cmp.Diff(want, tickets); diff != "" {
						t.Errorf("tickets in pages of %d (-want +got):\n%s", size, diff)
					}
				}
			})
		}
		// p.ids is in creation order: T1, T2, T4, T3, T5, T6.
		if _, err := p.reports.FactPage(ctx, p.admin, week, report.KindReply, page.Request{Limit: 2, Cursor: &page.Cursor{ID: 1, Str: "nonsense"}}); err == nil {
			t.Error("a forged cursor was taken")
		}
		if _, err := p.reports.FactPage(ctx, p.agent, week, report.KindReply, page.Request{Limit: 2}); err == nil {
			t.Error("an agent read the facts")
		}
	})
}
