package reports_test

import (
	"fmt"
	"net/http"
	"regexp"
	"testing"

	agentsvc "github.com/ombud/ombud/internal/agent"
	"github.com/ombud/ombud/internal/app/apptest"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/dbtest"
	"github.com/ombud/ombud/internal/web/webtest"
)

// TestReportPages: a manager reads the dashboards over tickets created
// and answered through the API; the numbers match what happened, every
// chart is SVG with its table, filters narrow the figures, a bad filter
// is a 400 naming the field, and every count drills down to its tickets.
func TestReportPages(t *testing.T) {
	for _, engine := range dbtest.Engines {
		t.Run(engine.String(), func(t *testing.T) {
			e := apptest.New(t, engine)
			ctx := t.Context()
			newTicket := func(subject, channel string, tags []string) int64 {
				t.Helper()
				st, body := e.Do(t, authz.Agent, "POST", "/api/v1/tickets", map[string]any{
					"subject": subject, "description": "Where is my parcel?", "channel": channel, "priority": "normal", "type": "question",
					"requester": map[string]any{"email": "kari@example.no", "name": "Kari"}, "tags": tags,
				})
				if st != http.StatusCreated {
					t.Fatalf("create %s: %d %v", subject, st, body["_raw"])
				}
				return int64(body["id"].(float64))
			}
			reply := func(role authz.Role, id int64, status string) {
				t.Helper()
				in := map[string]any{"body": "We are on it.", "public": true}
				if status != "" {
					in["status"] = status
				}
				if st, body := e.Do(t, role, "POST", fmt.Sprintf("/api/v1/tickets/%d/comments", id), in); st != http.StatusCreated {
					t.Fatalf("reply to %d: %d %v", id, st, body["_raw"])
				}
			}
			mail1 := newTicket("Parcel lost", "email", []string{"shipping"})
			mail2 := newTicket("Parcel late", "email", nil)
			chat := newTicket("Refund please", "chat", []string{"refund"})
			reply(authz.Agent, mail1, "solved")
			reply(authz.Manager, mail2, "")
			reply(authz.Agent, chat, "")
			if _, err := e.Sys.Reports.Refresh(ctx); err != nil {
				t.Fatal(err)
			}

			// A goal shows on the overview with its status.
			if st, body := e.Do(t, authz.Manager, "POST", "/api/v1/report-goals", map[string]any{"metric": "solved", "op": ">=", "target": 1}); st != http.StatusCreated {
				t.Fatalf("goal: %d %v", st, body["_raw"])
			}
			manager := webtest.SignIn(t, e, authz.Manager)
			qa := webtest.SignIn(t, e, authz.QAReviewer)
			agent := webtest.SignIn(t, e, authz.Agent)
			svg := `<svg class="chart `
			webtest.RunPages(t, []webtest.PageCase{
				{Name: "overview", Who: manager, Method: "GET", Path: "/reports", Status: http.StatusOK,
					Want: []string{"<h1>Reports</h1>", svg + "bar-chart", svg + "line-chart", `role="img"`, `aria-current="page">Overview</a>`,
						`href="/reports/facts?kind=created"`, "Created and solved tickets", "Show the numbers", `<details class="chart-numbers">`,
						`id="f-range"`, `<option value="30d" selected>Last 30 days</option>`, `href="/reports"`,
						`<h2 id="goals-h">Goals</h2>`, `<th scope="row">Tickets solved</th>`, `<span class="badge met">met</span>`},
					NotWant: []string{"tickets pending"}},
				{Name: "qa reviewer may read", Who: qa, Method: "GET", Path: "/reports/agents", Status: http.StatusOK,
					Want: []string{"<h1>Agent performance</h1>"}},
				{Name: "agents", Who: manager, Method: "GET", Path: "/reports/agents", Status: http.StatusOK,
					Want: []string{`<th scope="row">Test agent</th>`, `<th scope="row">Test manager</th>`, svg + "bar-chart", "Created and solved by agent",
						fmt.Sprintf(`href="/reports/facts?agent_id=%d&amp;kind=reply"`, e.Agents[authz.Agent].ID)}},
				{Name: "agents sorted", Who: manager, Method: "GET", Path: "/reports/agents?sort=replies&dir=asc", Status: http.StatusOK,
					Want: []string{`aria-sort="ascending"`, `href="/reports/agents?dir=desc&amp;sort=replies#table"`}},
				{Name: "team", Who: manager, Method: "GET", Path: "/reports/team", Status: http.StatusOK,
					Want: []string{`<th scope="row">No team</th>`, svg + "bar-chart"}},
				{Name: "sla", Who: manager, Method: "GET", Path: "/reports/sla", Status: http.StatusOK,
					Want: []string{"<h1>SLA attainment</h1>", svg + "line-chart", "No SLA targets were decided in this period."}},
				{Name: "backlog", Who: manager, Method: "GET", Path: "/reports/backlog", Status: http.StatusOK,
					Want: []string{svg + "line-chart", svg + "histogram", "Unsolved tickets now, by age", "Under 1 day"}},
				{Name: "channels", Who: manager, Method: "GET", Path: "/reports/channels", Status: http.StatusOK,
					Want: []string{`<th scope="row">Email</th>`, `<th scope="row">Chat</th>`, `href="/reports/facts?channel=chat&amp;kind=created"`,
						`<a href="/reports/backlog?channel=chat">1</a>`}},
				{Name: "live chat without chats", Who: manager, Method: "GET", Path: "/reports/chat", Status: http.StatusOK,
					Want: []string{"<h1>Live chat</h1>", "Chats offered", "Median wait to first agent message", "No chats were offered in this period.",
						`href="/reports/facts?kind=chat_missed"`}},
				{Name: "chat drill-down", Who: manager, Method: "GET", Path: "/reports/facts?kind=chat_offered", Status: http.StatusOK,
					Want: []string{"<h1>Chats offered</h1>"}},
				{Name: "heatmap", Who: manager, Method: "GET", Path: "/reports/heatmap", Status: http.StatusOK,
					Want: []string{svg + "heat-grid", `<rect class="cell`, " created</title>", "Tickets created by weekday and hour (UTC)"}},
				{Name: "tags", Who: manager, Method: "GET", Path: "/reports/tags", Status: http.StatusOK,
					Want: []string{`<th scope="row"><a href="/reports?tag=shipping">shipping</a></th>`, `href="/reports/facts?kind=created&amp;tag=refund"`}},
				{Name: "drill-down", Who: manager, Method: "GET", Path: "/reports/facts?kind=created", Status: http.StatusOK,
					Want: []string{"<h1>Tickets created</h1>", fmt.Sprintf(`href="/tickets/%d"`, mail1), fmt.Sprintf(`href="/tickets/%d"`, mail2),
						fmt.Sprintf(`href="/tickets/%d"`, chat), "3 facts.", `<input type="hidden" name="kind" value="created">`}},
				{Name: "drill-down by channel", Who: manager, Method: "GET", Path: "/reports/facts?kind=created&channel=chat", Status: http.StatusOK,
					Want:    []string{fmt.Sprintf(`href="/tickets/%d"`, chat), "1 facts."},
					NotWant: []string{fmt.Sprintf(`href="/tickets/%d"`, mail1)}},
				{Name: "drill-down of first replies", Who: manager, Method: "GET", Path: "/reports/facts?kind=first_reply", Status: http.StatusOK,
					Want: []string{"<h1>First replies</h1>", "Test agent", "Test manager", "In business hours"}},
				{Name: "bad from", Who: manager, Method: "GET", Path: "/reports?range=custom&from=yesterday", Status: http.StatusBadRequest,
					Want: []string{"The filter has an error", `<a href="#f-from">Start date</a>`, "must be a date (2026-03-01) or an RFC 3339 time",
						`aria-invalid="true"`, `value="yesterday"`},
					NotWant: []string{svg}},
				{Name: "bad channel", Who: manager, Method: "GET", Path: "/reports/agents?channel=pigeon", Status: http.StatusBadRequest,
					Want: []string{`<a href="#f-channel">Channel</a>`}},
				{Name: "bad range", Who: manager, Method: "GET", Path: "/reports/sla?range=forever", Status: http.StatusBadRequest,
					Want: []string{`<a href="#f-range">Period</a>`}},
				{Name: "bad kind", Who: manager, Method: "GET", Path: "/reports/facts?kind=nope", Status: http.StatusBadRequest,
					Want: []string{"The filter has an error", "kind"}},
				{Name: "agent refused", Who: agent, Method: "GET", Path: "/reports", Status: http.StatusForbidden},
				{Name: "agent refused drill-down", Who: agent, Method: "GET", Path: "/reports/facts?kind=created", Status: http.StatusForbidden},
				{Name: "no reports link for agents", Who: agent, Method: "GET", Path: "/tickets", Status: http.StatusOK,
					NotWant: []string{`href="/reports"`}},
			})

			// In Norwegian: the words, and numbers as Norwegians write them.
			if _, err := e.Sys.Agents.CreateAgent(ctx, authz.System, agentsvc.AgentInput{Email: "nora@ombud.test", Name: "Nora",
				Role: authz.Manager, Locale: "nb", Password: apptest.Password}); err != nil {
				t.Fatal(err)
			}
			nora := webtest.SignInEmail(t, e, "nora@ombud.test")
			webtest.RunPages(t, []webtest.PageCase{
				{Name: "nb overview", Who: nora, Method: "GET", Path: "/reports", Status: http.StatusOK,
					Want: []string{`<html lang="nb">`, "<title>Rapporter · Ombud</title>", "<h1>Rapporter</h1>", "Opprettede saker", "Oversikt</a>",
						"Siste 30 dager", "Vis tallene", "Opprettede og løste saker"},
					NotWant: []string{"Tickets created", "Show the numbers"}},
				{Name: "nb drill-down", Who: nora, Method: "GET", Path: "/reports/facts?kind=solved", Status: http.StatusOK,
					Want: []string{"<title>Løste saker · Ombud</title>", "I åpningstiden", "1 fakta."}},
				{Name: "nb bad date", Who: nora, Method: "GET", Path: "/reports?range=custom&to=2026-13-01", Status: http.StatusBadRequest,
					Want: []string{"Filteret har en feil", "må være en dato (2026-03-01) eller et RFC 3339-tidspunkt"}},
			})

			// The key figures: the tile's value, all tickets and only chat.
			tile := func(path, label string) string {
				t.Helper()
				st, body, _ := manager.Do(t, "GET", path, nil)
				if st != http.StatusOK {
					t.Fatalf("%s: status %d", path, st)
				}
				m := regexp.MustCompile(`kpi-label">` + regexp.QuoteMeta(label) + `</span>\s*<span class="kpi-value">([^<]*)<`).FindStringSubmatch(body)
				if m == nil {
					t.Fatalf("%s: no %q tile\n%s", path, label, webtest.Excerpt(body))
				}
				return m[1]
			}
			for _, tc := range []struct{ path, label, want string }{
				{"/reports", "Tickets created", "3"},
				{"/reports", "Tickets solved", "1"},
				{"/reports", "Backlog at the end", "2"},
				{"/reports?channel=chat", "Tickets created", "1"},
				{"/reports?channel=chat", "Tickets solved", "0"},
				{"/reports?channel=email&tag=shipping", "Tickets created", "1"},
				{"/reports?range=last_month", "Tickets created", "0"},
			} {
				if got := tile(tc.path, tc.label); got != tc.want {
					t.Errorf("%s: %s = %q, want %q", tc.path, tc.label, got, tc.want)
				}
			}
			// A ticket the refresher has not counted yet is announced.
			newTicket("Not counted yet", "web", nil)
			webtest.RunPages(t, []webtest.PageCase{{Name: "pending", Who: manager, Method: "GET", Path: "/reports", Status: http.StatusOK,
				Want: []string{`role="status">Updating — 1 tickets pending</p>`}}})

			// The period's trend: created is new against an empty previous
			// period, which is no improvement (a volume has no direction);
			// a backlog that grows from none is a decline.
			_, body, _ := manager.Do(t, "GET", "/reports", nil)
			for label, want := range map[string]string{"Tickets created": "trend-neutral", "Backlog at the end": "trend-bad"} {
				m := regexp.MustCompile(`(?s)kpi-label">` + label + `</span>.*?class="kpi-change ([a-z-]+)"`).FindStringSubmatch(body)
				if m == nil || m[1] != want {
					t.Errorf("overview: %s tile trend %v, want %s\n%s", label, m, want, webtest.Excerpt(body))
				}
			}
		})
	}
}
