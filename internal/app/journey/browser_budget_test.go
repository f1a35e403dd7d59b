package journey_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/ombud/ombud/internal/dbtest"
)

// TestBrowserBudget is the journey of a lead pricing the plan, on both
// engines. Eight weeks of phone calls at 10:00 are imported and Ingrid
// works Monday to Friday, 09:00–17:00 with a half-hour break. The lead sets
// the rates in the browser (Ingrid's own 250 an hour), opens the budget page
// and sees next week's schedule cost 37.5 h × 250; a what-if with 95 % in
// 20 seconds and half again the calls needs more agents and costs more; the
// headcount plan lists the coming months.
func TestBrowserBudget(t *testing.T) {
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
			adminTok = strings.TrimSpace(adminTok)
			s := serve(t, env)

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
			day := map[string]any{"start": "09:00", "end": "17:00", "break_start": "12:00", "break_minutes": 30}
			if code, body := api(t, "PUT", fmt.Sprintf("%s/api/v1/schedules/%d/pattern", s.url, ingrid), adminTok,
				map[string]any{"days": []any{nil, day, day, day, day, day, nil}}); code != 200 {
				t.Fatalf("pattern: %d %v", code, body)
			}

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
			num := func(id string) float64 {
				t.Helper()
				f, err := strconv.ParseFloat(eval(fmt.Sprintf(`document.getElementById(%q).textContent.trim()`, id)), 64)
				if err != nil {
					t.Fatalf("#%s: %v", id, err)
				}
				return f
			}
			step("the lead opens the budget from the team schedule", signIn(s.url+"/workforce/schedule", "lead@ombud.test", "browser-pass-9"),
				chromedp.WaitVisible(chromedp.CSS(`a[href="/workforce/budget"]`)),
				chromedp.Click(chromedp.CSS(`nav.subnav a[href="/workforce/budget"]`)),
				chromedp.WaitVisible(chromedp.ID("rates-form")))
			step("and sets the rates", chromedp.SetValue(chromedp.ID("r-currency"), "NOK"),
				chromedp.SetValue(chromedp.ID("r-role_agent"), "200"),
				chromedp.SetValue(chromedp.ID(fmt.Sprintf("r-agent_%d", ingrid)), "250"),
				chromedp.Click(chromedp.ID("save-rates")),
				chromedp.WaitVisible(chromedp.CSS("p.flash")),
				chromedp.WaitVisible(chromedp.ID("projection")))
			if got := num("scheduled-cost"); got != 9375 {
				t.Fatalf("next week's schedule costs %v, want 37.5 h × 250 = 9375", got)
			}
			if got := num("required-cost"); got <= 0 {
				t.Fatalf("the forecast's need costs %v", got)
			}
			step("a what-if with 95 % and half again the calls", chromedp.SetValue(chromedp.ID("b-wlevel"), "95"),
				chromedp.SetValue(chromedp.ID("b-volume"), "50"),
				chromedp.Click(chromedp.ID("budget-show")),
				// The rates page already shows a what-if table: wait for the
				// what-if's own page, not for the table.
				loadedWhere(`location.search.includes("volume_change=50")`),
				chromedp.WaitVisible(chromedp.ID("what-if-table")))
			if eval(`document.getElementById("b-wlevel").value`) != "95" {
				t.Fatal("the what-if form lost its level")
			}
			if cur, alt := num("wi-cur-agents"), num("wi-agents"); alt <= cur {
				t.Fatalf("what-if agents %v, current %v: want more", alt, cur)
			}
			if cur, alt := num("wi-cur-cost"), num("wi-cost"); alt <= cur {
				t.Fatalf("what-if cost %v, current %v: want higher", alt, cur)
			}
			rows := eval(`String(document.querySelectorAll("#headcount-table tbody tr").length)`)
			if rows != "12" {
				t.Fatalf("headcount plan has %s months, want 12", rows)
			}
			screenshot(t, ctx, engine, "workforce-budget.png")
		})
	}
}
