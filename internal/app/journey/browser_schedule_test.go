package journey_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/ombud/ombud/internal/dbtest"
)

// TestBrowserSchedule is the journey of a lead planning next week, on both
// engines. Eight weeks of phone calls at 10:00 are imported, so the
// staffing forecast needs agents then. The lead puts Ingrid on a weekly
// pattern in the browser, approves her time-off request for next
// Wednesday, opens coverage and sees the gaps, has a schedule proposed and
// accepts it. Then the lead gives Ingrid the day off today: a new ticket in
// her team is not offered to her although she is online; moving today's
// shift to cover the present hands the ticket to her.
func TestBrowserSchedule(t *testing.T) {
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) {
			env := map[string]string{"OMBUD_DATA": dbtest.MigratedSQLiteDir(t), "OMBUD_LOG_LEVEL": "warn"}
			if engine == "postgres" {
				env["OMBUD_DATABASE_URL"] = dbtest.NewMigratedPostgresDatabase(t)
			}
			for _, u := range [][]string{{"lead@ombud.test", "Lea Lead", "manager"}, {"ingrid@ombud.test", "Ingrid Haugen", "agent"}, {"admin@ombud.test", "Ada Admin", "admin"}} {
				if code, _, er := run(t, env, "user", "create", "--email", u[0], "--name", u[1], "--role", u[2], "--password", "browser-pass-9"); code != 0 {
					t.Fatal(er)
				}
			}
			_, adminTok, _ := run(t, env, "token", "create", "--email", "admin@ombud.test")
			_, ingridTok, _ := run(t, env, "token", "create", "--email", "ingrid@ombud.test")
			adminTok, ingridTok = strings.TrimSpace(adminTok), strings.TrimSpace(ingridTok)
			s := serve(t, env)

			// History: three calls at 10:00 UTC on each weekday of the last
			// eight weeks.
			var nd bytes.Buffer
			now := time.Now().UTC()
			today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
			for d := 1; d <= 8*7; d++ {
				day := today.AddDate(0, 0, -d)
				if day.Weekday() == time.Saturday || day.Weekday() == time.Sunday {
					continue
				}
				for k := range 3 {
					at := day.Add(10*time.Hour + time.Duration(k*7)*time.Minute).Format(time.RFC3339)
					rec := map[string]any{"kind": "ticket", "ticket": map[string]any{"external_id": fmt.Sprintf("call-%d-%d", d, k), "subject": "Call",
						"requester": "caller@example.org", "channel": "phone", "priority": "normal", "type": "question",
						"timeline": []any{map[string]any{"at": at, "actor": "customer:caller@example.org", "do": "comment", "body": "Hello", "public": true}}}}
					b, _ := json.Marshal(rec)
					nd.Write(b)
					nd.WriteByte('\n')
				}
			}
			req, _ := http.NewRequest("POST", s.url+"/api/v1/import", &nd)
			req.Header.Set("Authorization", "Bearer "+adminTok)
			req.Header.Set("Content-Type", "application/x-ndjson")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != 200 {
				t.Fatalf("import: %d", resp.StatusCode)
			}
			_, agents := api(t, "GET", s.url+"/api/v1/agents?limit=100", adminTok, nil)
			var ingrid int64
			for _, a := range agents["data"].([]any) {
				if m := a.(map[string]any); m["email"] == "ingrid@ombud.test" {
					ingrid = int64(m["id"].(float64))
				}
			}
			code, team := api(t, "POST", s.url+"/api/v1/teams", adminTok, map[string]any{"name": "Phones", "agent_ids": []int64{ingrid}})
			if code != 201 {
				t.Fatalf("team: %d %v", code, team)
			}
			teamID := int64(team["id"].(float64))
			if code, body := api(t, "PUT", fmt.Sprintf("%s/api/v1/routing/teams/%d", s.url, teamID), adminTok, map[string]any{"method": "round_robin"}); code != 200 {
				t.Fatalf("routing: %d %v", code, body)
			}
			if code, body := api(t, "PUT", fmt.Sprintf("%s/api/v1/agents/%d/availability", s.url, ingrid), ingridTok, map[string]any{"availability": "online"}); code != 200 {
				t.Fatalf("online: %d %v", code, body)
			}
			nextMon := today.AddDate(0, 0, 7-(int(today.Weekday())+6)%7)
			nextWed := nextMon.AddDate(0, 0, 2).Format(time.DateOnly)

			ctx := browserFor(t, 3*time.Minute)
			step := stepper(t, ctx)
			eval := func(js string) string {
				t.Helper()
				v, err := chromedp.Run(ctx, chromedp.Evaluate[string](js))
				if err != nil {
					t.Fatalf("browser: %s: %v", js, err)
				}
				return v
			}
			step("the lead opens the team schedule", signIn(s.url+"/workforce/schedule", "lead@ombud.test", "browser-pass-9"),
				chromedp.WaitVisible(chromedp.ID("pattern-pick")),
				chromedp.SetValue(chromedp.ID("p-agent"), fmt.Sprint(ingrid)),
				chromedp.Submit(chromedp.ID("p-agent")),
				chromedp.WaitVisible(chromedp.ID("pattern-form")))
			step("and saves Ingrid's weekly pattern", chromedp.Submit(chromedp.CSS(`#pattern-form button.primary`)),
				chromedp.WaitVisible(chromedp.CSS("p.flash")), chromedp.WaitVisible(chromedp.ID("next-days")))
			screenshot(t, ctx, engine, "schedule-pattern.png")

			// Ingrid asks for next Wednesday off; the lead approves.
			if code, body := api(t, "POST", s.url+"/api/v1/time-off", ingridTok, map[string]any{"from": nextWed, "to": nextWed, "reason": "Dentist"}); code != 201 {
				t.Fatalf("time off: %d %v", code, body)
			}
			step("the lead approves the time off", chromedp.Navigate(s.url+"/workforce/requests"),
				chromedp.WaitVisible(chromedp.CSS(`#time-off button[value="approved"]`)),
				chromedp.Click(chromedp.CSS(`#time-off button[value="approved"]`)),
				chromedp.WaitVisible(chromedp.CSS("p.flash")))
			if got := eval(`document.querySelector("#time-off td.status").textContent.trim()`); got != "approved" {
				t.Fatalf("time-off status: %q", got)
			}

			step("coverage of next week", chromedp.Navigate(s.url+"/workforce/coverage"), chromedp.WaitVisible(chromedp.ID("coverage-days")))
			gaps := eval(`[...document.querySelectorAll("#coverage-days > tbody > tr.gap")].map(tr => tr.dataset.date).join(",")`)
			if !strings.Contains(gaps, nextWed) {
				t.Fatalf("coverage gaps on %q, want %s among them", gaps, nextWed)
			}
			wed := eval(fmt.Sprintf(`(() => { const tr = document.querySelector('#coverage-days tr[data-date="%s"]'); tr.querySelector("details").open = true;
				const row = [...tr.querySelectorAll("table.intervals tr")].find(r => r.children[0].textContent === "10:00"); return row ? row.textContent : "no 10:00"; })()`, nextWed))
			if !strings.Contains(wed, "−") {
				t.Fatalf("Wednesday 10:00 should be short: %q", wed)
			}
			screenshot(t, ctx, engine, "schedule-coverage.png")
			step("a proposed schedule, accepted", chromedp.Click(chromedp.CSS(`#coverage-form button[name="propose"]`)),
				chromedp.WaitVisible(chromedp.ID("proposal")),
				chromedp.Click(chromedp.CSS(`#accept-form button`)),
				chromedp.WaitVisible(chromedp.CSS("p.flash")))
			step("next week's schedule", chromedp.Navigate(s.url+"/workforce/schedule?from="+nextMon.Format(time.DateOnly)), chromedp.WaitVisible(chromedp.ID("roster")))
			week := eval(fmt.Sprintf(`document.querySelector('#roster tr[data-agent="%d"]').textContent`, ingrid))
			if !strings.Contains(week, "proposed") || !strings.Contains(week, "Time off") {
				t.Fatalf("Ingrid's next week: %q", week)
			}
			screenshot(t, ctx, engine, "schedule-week.png")

			// Today off: a new ticket waits although Ingrid is online.
			form := fmt.Sprintf(`#roster tr[data-agent="%d"] form.roster-change`, ingrid)
			step("the lead gives Ingrid today off", chromedp.Navigate(s.url+"/workforce/schedule?view=day&from="+today.Format(time.DateOnly)),
				chromedp.WaitVisible(chromedp.CSS(form)),
				chromedp.Click(chromedp.CSS(form+` input[name="off"]`)),
				chromedp.Click(chromedp.CSS(form+` button:not([name])`)),
				chromedp.WaitVisible(chromedp.CSS("p.flash")))
			code, tk := api(t, "POST", s.url+"/api/v1/tickets", adminTok, map[string]any{"subject": "Ring meg", "description": "Hei", "channel": "phone",
				"team_id": teamID, "requester": map[string]string{"email": "kari@kunde.example"}})
			if code != 201 {
				t.Fatalf("ticket: %d %v", code, tk)
			}
			id := int64(tk["id"].(float64))
			assignee := func() any {
				_, got := api(t, "GET", fmt.Sprintf("%s/api/v1/tickets/%d", s.url, id), adminTok, nil)
				return got["assignee_id"]
			}
			time.Sleep(3 * time.Second) // the routing job runs at once; give it time to (not) assign
			if a := assignee(); a != nil {
				t.Fatalf("routed to %v while Ingrid is off shift", a)
			}
			// Today's shift moved to cover the present: routed to her.
			cur := time.Now().UTC()
			start := max(cur.Hour()*60+cur.Minute()-60, 0)
			end := (cur.Hour()*60 + cur.Minute() + 120) % 1440
			hm := func(m int) string { return fmt.Sprintf("%02d:%02d", m/60, m%60) }
			// A fresh page without the last flash, so the wait below sees the new one.
			step("the lead moves today's shift to now", chromedp.Navigate(s.url+"/workforce/schedule?view=day&from="+today.Format(time.DateOnly)),
				chromedp.WaitVisible(chromedp.CSS(form)),
				chromedp.SetValue(chromedp.CSS(form+` input[name="start"]`), hm(start)),
				chromedp.SetValue(chromedp.CSS(form+` input[name="end"]`), hm(end)),
				chromedp.SetValue(chromedp.CSS(form+` input[name="break_min"]`), "0"),
				chromedp.Click(chromedp.CSS(form+` button:not([name])`)),
				chromedp.WaitVisible(chromedp.CSS("p.flash")))
			if got := eval(fmt.Sprintf(`document.querySelector('#roster tr[data-agent="%d"]').textContent`, ingrid)); !strings.Contains(got, "on shift now") {
				t.Fatalf("Ingrid's day: %q", got)
			}
			// Coming online again routes the waiting tickets at once (the
			// minute sweep would too).
			for _, st := range []string{"away", "online"} {
				if code, body := api(t, "PUT", fmt.Sprintf("%s/api/v1/agents/%d/availability", s.url, ingrid), ingridTok, map[string]any{"availability": st}); code != 200 {
					t.Fatalf("%s: %d %v", st, code, body)
				}
			}
			deadline := time.Now().Add(90 * time.Second)
			for assignee() == nil {
				if time.Now().After(deadline) {
					t.Fatal("the ticket was not routed to Ingrid on shift")
				}
				time.Sleep(500 * time.Millisecond)
			}
			if a := assignee(); fmt.Sprint(a) != fmt.Sprint(ingrid) {
				t.Fatalf("routed to %v, want %d", a, ingrid)
			}
		})
	}
}
