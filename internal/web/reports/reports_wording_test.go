package reports_test

import (
	"fmt"
	"html"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	agentsvc "github.com/ombud/ombud/internal/agent"
	"github.com/ombud/ombud/internal/app/apptest"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/dbtest"
	"github.com/ombud/ombud/internal/i18n"
	"github.com/ombud/ombud/internal/ticket"
	"github.com/ombud/ombud/internal/web/webtest"
)

// TestReportWording: what a lead reads on the report pages can be
// trusted. A rise in created tickets is shown without the colour of an
// improvement, with its move in words for screen readers; a slower first
// reply is a decline; each time says whether it is a median or a mean and
// on which clock, in English, Norwegian and Slovenian; the agent table
// switches between medians and means of the agent's own facts; the
// drill-downs page through every fact and open as a ticket list.
func TestReportWording(t *testing.T) {
	for _, engine := range dbtest.Engines {
		t.Run(engine.String(), func(t *testing.T) {
			clk := &webtest.Clock{}
			e := apptest.NewWithClock(t, engine, clk.Now, nil)
			ctx := t.Context()
			agent := authz.Actor{Kind: authz.KindAgent, ID: e.Agents[authz.Agent].ID, Role: authz.Agent}
			create := func(subject string) int64 {
				t.Helper()
				tk, err := e.Sys.Tickets.Create(ctx, agent, ticket.CreateInput{Subject: subject, Description: "Where is my parcel?",
					Channel: "email", Requester: &ticket.RequesterInput{Email: "kari@example.no", Name: "Kari"}})
				if err != nil {
					t.Fatal(err)
				}
				return tk.ID
			}
			reply := func(id int64) {
				t.Helper()
				public := true
				if _, err := e.Sys.Tickets.AddComment(ctx, agent, id, ticket.CommentInput{Body: "On it.", Public: &public}); err != nil {
					t.Fatal(err)
				}
			}
			day := func(d time.Time) string { return d.UTC().Format("2006-01-02") }
			now := time.Now().UTC()
			// Three weeks ago: 105 tickets, for the drill-downs' pages.
			clk.Add(-20 * 24 * time.Hour)
			var many []int64
			for i := range 105 {
				many = append(many, create(fmt.Sprintf("Bulk %d", i)))
			}
			// The previous week: two tickets, one answered in 30 minutes.
			clk.Add(10 * 24 * time.Hour)
			p1 := create("Before 1")
			create("Before 2")
			clk.Add(30 * time.Minute)
			reply(p1)
			// This week: three tickets answered in 1, 2 and 6 hours —
			// median 2 h, mean 3 h.
			clk.Add(7*24*time.Hour - 30*time.Minute)
			c1, c2, c3 := create("Now 1"), create("Now 2"), create("Now 3")
			clk.Add(time.Hour)
			reply(c1)
			clk.Add(time.Hour)
			reply(c2)
			clk.Add(4 * time.Hour)
			reply(c3)
			clk.Add(3*24*time.Hour - 6*time.Hour)
			if _, err := e.Sys.Reports.Refresh(ctx); err != nil {
				t.Fatal(err)
			}
			week := "range=custom&from=" + day(now.AddDate(0, 0, -6)) + "&to=" + day(now)
			bulk := "range=custom&from=" + day(now.AddDate(0, 0, -21)) + "&to=" + day(now.AddDate(0, 0, -19))

			// Numbers as each language writes them (non-breaking spaces).
			pct := func(lang string, r float64) string { return i18n.FormatPercent(lang, r) }
			hours := func(h float64) string { return i18n.FormatDuration("en", h*3600) }
			manager := webtest.SignIn(t, e, authz.Manager)
			for _, l := range []struct{ email, locale string }{{"nora@ombud.test", "nb"}, {"spela@ombud.test", "sl"}} {
				if _, err := e.Sys.Agents.CreateAgent(ctx, authz.System, agentsvc.AgentInput{Email: l.email, Name: l.locale,
					Role: authz.Manager, Locale: l.locale, Password: apptest.Password}); err != nil {
					t.Fatal(err)
				}
			}
			nora, spela := webtest.SignInEmail(t, e, "nora@ombud.test"), webtest.SignInEmail(t, e, "spela@ombud.test")

			// tile returns the overview tile named label.
			tile := func(b *webtest.Browser, label string) string {
				t.Helper()
				st, body, _ := b.Do(t, "GET", "/reports?"+week, nil)
				if st != http.StatusOK {
					t.Fatalf("overview: %d\n%s", st, webtest.Excerpt(body))
				}
				for _, li := range regexp.MustCompile(`(?s)<li class="kpi">.*?</li>`).FindAllString(body, -1) {
					if strings.Contains(li, `kpi-label">`+label+`<`) {
						return li
					}
				}
				t.Fatalf("no %q tile\n%s", label, webtest.Excerpt(body))
				return ""
			}
			for _, tc := range []struct {
				name, label string
				who         *webtest.Browser
				want        []string
				notWant     []string
			}{
				{"created: a rise is neutral", "Tickets created", manager,
					[]string{`trend-neutral`, `>Up ` + pct("en", 0.5) + ` from the previous period</span>`, `↑ &#43;` + pct("en", 0.5)},
					[]string{"trend-good", "trend-bad", "improvement", "decline", "kpi-basis"}},
				{"first reply: slower is a decline", "First reply time", manager,
					[]string{`kpi-basis muted">Median · calendar hours<`, `kpi-value">` + hours(2) + `<`, `trend-bad`, `Up ` + pct("en", 3) + ` from the previous period, a decline`},
					[]string{"trend-good"}},
				{"backlog: a rise is a decline", "Backlog at the end", manager,
					[]string{`trend-bad`, `from the previous period, a decline`}, nil},
				{"requester wait: a mean", "Requester wait time", manager,
					[]string{`kpi-basis muted">Mean · calendar hours<`}, nil},
				{"nb created", "Opprettede saker", nora,
					[]string{`trend-neutral`, `>Opp ` + pct("nb", 0.5) + ` fra forrige periode</span>`}, []string{"forbedring", "forverring"}},
				{"nb first reply", "Tid til første svar", nora,
					[]string{`kpi-basis muted">Median · kalendertid<`, `trend-bad`, "en forverring"}, nil},
				{"sl created", "Ustvarjeni zahtevki", spela,
					[]string{`trend-neutral`, `>Porast za ` + pct("sl", 0.5) + ` glede na prejšnje obdobje</span>`}, []string{"izboljšanje", "poslabšanje"}},
				{"sl first reply", "Čas do prvega odgovora", spela,
					[]string{`kpi-basis muted">Mediana · koledarski čas<`, `trend-bad`}, nil},
			} {
				t.Run(tc.name, func(t *testing.T) {
					li := tile(tc.who, tc.label)
					for _, w := range tc.want {
						if !strings.Contains(li, w) {
							t.Errorf("tile lacks %q:\n%s", w, li)
						}
					}
					for _, w := range tc.notWant {
						if strings.Contains(li, w) {
							t.Errorf("tile has %q:\n%s", w, li)
						}
					}
				})
			}

			// The agent table: medians by default, means on request, each
			// of the agent's own three first replies.
			agentRow := func(body string) string {
				t.Helper()
				m := regexp.MustCompile(`(?s)<tr><th scope="row">Test agent</th>.*?</tr>`).FindString(body)
				if m == "" {
					t.Fatalf("no row for the agent\n%s", webtest.Excerpt(body))
				}
				return m
			}
			webtest.RunPages(t, []webtest.PageCase{
				{Name: "agents: medians", Who: manager, Method: "GET", Path: "/reports/agents?stat=median&" + week, Status: http.StatusOK,
					Want: []string{`<span class="th-sub muted">Median · calendar hours</span>`, `aria-current="true">Median</a>`,
						`href="/reports/agents?from=` + day(now.AddDate(0, 0, -6)) + `&amp;range=custom&amp;to=` + day(now) + `#table">Mean</a>`,
						`<input type="hidden" name="stat" value="median">`, `&amp;stat=median&amp;to=`}},
				{Name: "agents: means by default", Who: manager, Method: "GET", Path: "/reports/agents?" + week, Status: http.StatusOK,
					Want: []string{`<span class="th-sub muted">Mean · calendar hours</span>`, `aria-current="true">Mean</a>`}},
				{Name: "agents: means", Who: manager, Method: "GET", Path: "/reports/agents?stat=mean&" + week, Status: http.StatusOK,
					Want: []string{`<span class="th-sub muted">Mean · calendar hours</span>`, `aria-current="true">Mean</a>`,
						`href="/reports/agents?from=` + day(now.AddDate(0, 0, -6)) + `&amp;range=custom&amp;stat=median&amp;to=` + day(now) + `#table">Median</a>`}},
				{Name: "teams: nb", Who: nora, Method: "GET", Path: "/reports/team?stat=median&" + week, Status: http.StatusOK,
					Want: []string{`<span class="th-sub muted">Median · kalendertid</span>`, "Tider som", ">Gjennomsnitt</a>"}},
				{Name: "agents: sl", Who: spela, Method: "GET", Path: "/reports/agents?stat=mean&" + week, Status: http.StatusOK,
					Want: []string{`<span class="th-sub muted">Povprečje · koledarski čas</span>`, "Časi kot", ">Mediana</a>"}},
				{Name: "bad stat", Who: manager, Method: "GET", Path: "/reports/agents?stat=average", Status: http.StatusBadRequest,
					Want: []string{"must be median or mean"}},
			})
			_, body, _ := manager.Do(t, "GET", "/reports/agents?stat=median&"+week, nil)
			if row := agentRow(body); !strings.Contains(row, `>`+hours(2)+`</a>`) || strings.Contains(row, `>`+hours(3)+`</a>`) {
				t.Errorf("median first reply: want 2 h\n%s", row)
			}
			_, body, _ = manager.Do(t, "GET", "/reports/agents?stat=mean&"+week, nil)
			if row := agentRow(body); !strings.Contains(row, `>`+hours(3)+`</a>`) {
				t.Errorf("mean first reply: want 3 h\n%s", row)
			}

			// The drill-downs page through all 105 tickets created that week.
			tickets := regexp.MustCompile(`<th scope="row"><a href="/tickets/(\d+)">`)
			next := regexp.MustCompile(`<a href="([^"]+)" rel="next">`)
			walk := func(b *webtest.Browser, path string, wantNotes []string) ([]string, []string) {
				t.Helper()
				var ids, pages []string
				for i := 0; path != ""; i++ {
					st, body, _ := b.Do(t, "GET", path, nil)
					if st != http.StatusOK {
						t.Fatalf("%s: %d\n%s", path, st, webtest.Excerpt(body))
					}
					if i < len(wantNotes) && !strings.Contains(body, wantNotes[i]) {
						t.Errorf("page %d: no %q\n%s", i+1, wantNotes[i], webtest.Excerpt(body))
					}
					if i > 0 && !strings.Contains(body, ">First page</a>") && !strings.Contains(body, ">Første side</a>") && !strings.Contains(body, ">Prva stran</a>") {
						t.Errorf("page %d has no link to the first", i+1)
					}
					for _, m := range tickets.FindAllStringSubmatch(body, -1) {
						ids = append(ids, m[1])
					}
					pages = append(pages, body)
					path = ""
					if m := next.FindStringSubmatch(body); m != nil {
						path = html.UnescapeString(m[1])
					}
					if i > 10 {
						t.Fatal("the pages do not end")
					}
				}
				return ids, pages
			}
			var want []string
			for _, id := range many {
				want = append(want, fmt.Sprint(id))
			}
			ids, pages := walk(manager, "/reports/facts?kind=created&"+bulk, []string{"Facts 1–100 of 105.", "Facts 101–105 of 105."})
			if len(pages) != 2 || !slices.Equal(ids, want) {
				t.Errorf("facts: %d pages, tickets %v, want %v", len(pages), ids, want)
			}
			if !strings.Contains(pages[0], `href="/reports/tickets?from=`) || !strings.Contains(pages[0], "Open as a ticket list") {
				t.Errorf("the facts do not open as a ticket list\n%s", webtest.Excerpt(pages[0]))
			}
			ids, pages = walk(manager, "/reports/tickets?kind=created&"+bulk, []string{"Tickets 1–50 of 105.", "Tickets 51–100 of 105.", "Tickets 101–105 of 105."})
			if len(pages) != 3 || !slices.Equal(ids, want) {
				t.Errorf("tickets: %d pages, %v, want %v", len(pages), ids, want)
			}
			if len(pages) > 0 {
				for _, w := range []string{"<h1>Tickets created</h1>", ">Bulk 0</a>", "<td>Kari</td>", ">New<", "Show the facts"} {
					if !strings.Contains(pages[0], w) {
						t.Errorf("ticket view lacks %q\n%s", w, webtest.Excerpt(pages[0]))
					}
				}
				// Each page opens in the ticket list as exactly its tickets.
				m := regexp.MustCompile(`<a href="(/tickets\?q=[^"]+)">Open these tickets in the ticket list</a>`).FindStringSubmatch(pages[0])
				if m == nil {
					t.Fatalf("no link to the ticket list\n%s", webtest.Excerpt(pages[0]))
				}
				st, body, _ := manager.Do(t, "GET", html.UnescapeString(m[1]), nil)
				if st != http.StatusOK {
					t.Fatalf("ticket list: %d\n%s", st, webtest.Excerpt(body))
				}
				for i, id := range want {
					has := strings.Contains(body, fmt.Sprintf(`href="/tickets/%s"`, id))
					if has != (i < 50) {
						t.Errorf("ticket list: ticket %s (#%d of the week) listed %v", id, i+1, has)
					}
				}
			}
			// The same pages in Norwegian and Slovenian.
			walk(nora, "/reports/facts?kind=created&"+bulk, []string{"Fakta 1–100 av 105.", "Fakta 101–105 av 105."})
			walk(spela, "/reports/tickets?kind=created&"+bulk, []string{"Zahtevki 1–50 od 105.", "Zahtevki 51–100 od 105."})
			webtest.RunPages(t, []webtest.PageCase{
				{Name: "bad cursor", Who: manager, Method: "GET", Path: "/reports/facts?kind=created&cursor=nope", Status: http.StatusBadRequest,
					Want: []string{"is not a cursor returned by this list"}},
				{Name: "one page", Who: manager, Method: "GET", Path: "/reports/tickets?kind=first_reply&" + week, Status: http.StatusOK,
					Want:    []string{"3 tickets.", fmt.Sprintf(`href="/tickets/%d"`, c1), fmt.Sprintf(`href="/tickets/%d"`, c3), "Now 2"},
					NotWant: []string{`rel="next"`, "First page", fmt.Sprintf(`href="/tickets/%d"`, p1)}},
			})
		})
	}
}

// TestReportBreakdownStat: the breakdown API gives each row's medians with
// ?stat=median, in JSON and CSV; the default stays the means alone.
func TestReportBreakdownStat(t *testing.T) {
	e := apptest.New(t, dbtest.Engines[0])
	webtest.ReportFixture(t, e)
	emailRow := func(path string) map[string]any {
		t.Helper()
		st, body := e.Do(t, authz.Manager, "GET", path, nil)
		if st != http.StatusOK {
			t.Fatalf("%s: %d %v", path, st, body["_raw"])
		}
		for _, r := range body["data"].([]any) {
			if row := r.(map[string]any); row["key"] == "email" {
				return row["figures"].(map[string]any)
			}
		}
		t.Fatalf("%s: no email row in %v", path, body["_raw"])
		return nil
	}
	if f := emailRow("/api/v1/reports/breakdown?by=channel"); f["first_reply_median"] != nil || f["first_reply_avg"] == nil {
		t.Errorf("means: first reply median %v, mean %v", f["first_reply_median"], f["first_reply_avg"])
	}
	if f := emailRow("/api/v1/reports/breakdown?by=channel&stat=median"); f["first_reply_median"] == nil || f["resolution_median"] == nil {
		t.Errorf("medians: first reply %v, resolution %v", f["first_reply_median"], f["resolution_median"])
	}
	rows := webtest.GetCSV(t, e, "/api/v1/reports/breakdown?by=channel&stat=median&format=csv")
	if !slices.Contains(rows[0], "first_reply_median") || !slices.Contains(rows[0], "first_reply_avg") {
		t.Errorf("median CSV header %v", rows[0])
	}
	if rows := webtest.GetCSV(t, e, "/api/v1/reports/breakdown?by=channel&format=csv"); slices.Contains(rows[0], "first_reply_median") {
		t.Errorf("mean CSV header %v", rows[0])
	}
	if rows := webtest.GetCSV(t, e, "/api/v1/reports/overview?format=csv"); !slices.Equal(rows[0][7:], []string{"better", "stat", "hours"}) {
		t.Errorf("overview CSV header %v", rows[0])
	} else {
		for _, r := range rows[1:] {
			if r[0] == "created" && r[7] != "neutral" || r[0] == "first_reply_median_business" && (r[7] != "lower_is_better" || r[8] != "median" || r[9] != "business") {
				t.Errorf("overview CSV row %v", r)
			}
		}
	}
	if st, body := e.Do(t, authz.Manager, "GET", "/api/v1/reports/breakdown?by=channel&stat=average", nil); st != http.StatusBadRequest || !strings.Contains(body["_raw"].(string), `"stat"`) {
		t.Errorf("bad stat: %d %v", st, body["_raw"])
	}
}
