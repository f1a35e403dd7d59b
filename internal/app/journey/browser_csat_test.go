package journey_test

import (
	"context"
	"fmt"
	"net"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/jhillyerd/enmime/v2"

	"github.com/ombud/ombud/internal/dbtest"
	"github.com/ombud/ombud/internal/mailtest"
	"github.com/ombud/ombud/internal/web/webtest"
)

// TestBrowserCSAT is the journey of a satisfaction survey, on both
// engines: the admin turns surveys on and adds a trigger that reopens a
// badly rated ticket and tags it; the agent solves a ticket; the survey
// mail reaches the test relay; the customer opens its "bad" link (one
// click: the page sends the answer itself), the trigger reopens the
// ticket and the agent's CSAT on the reports page is 0%; the customer
// changes the answer to good with a comment and the agent's CSAT is 100%;
// the agent sees the rating and comment on the ticket.
func TestBrowserCSAT(t *testing.T) {
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) {
			env := map[string]string{"OMBUD_DATA": dbtest.MigratedSQLiteDir(t), "OMBUD_LOG_LEVEL": "warn"}
			if engine == "postgres" {
				env["OMBUD_DATABASE_URL"] = dbtest.NewMigratedPostgresDatabase(t)
			}
			for _, u := range [][]string{{"lead@ombud.test", "Lea Lead", "admin"}, {"ingrid@ombud.test", "Ingrid Haugen", "agent"}} {
				if code, _, er := run(t, env, "user", "create", "--email", u[0], "--name", u[1], "--role", u[2], "--password", "browser-pass-9"); code != 0 {
					t.Fatal(er)
				}
			}
			_, tok, _ := run(t, env, "token", "create", "--email", "lead@ombud.test")
			tok = strings.TrimSpace(tok)
			s := serve(t, env)
			capture := mailtest.StartCapture(t)
			host, port, _ := net.SplitHostPort(capture.Addr())
			p, _ := strconv.Atoi(port)
			if code, mb := api(t, "POST", s.url+"/api/v1/mailboxes", tok, map[string]any{
				"address": "support@example.com", "name": "Support", "smtp": map[string]any{"host": host, "port": p, "security": "none"},
			}); code != 201 {
				t.Fatalf("mailbox: %d %v", code, mb)
			}
			if code, body := api(t, "POST", s.url+"/api/v1/triggers", tok, map[string]any{
				"name": "Bad rating: reopen", "active": true,
				"conditions": map[string]any{"all": []any{map[string]any{"field": "csat", "op": "is", "value": "bad"}}},
				"actions":    []any{map[string]any{"type": "set_status", "value": "open"}, map[string]any{"type": "add_tags", "value": []string{"unhappy"}}},
			}); code != 201 {
				t.Fatalf("trigger: %d %v", code, body)
			}
			_, agents := api(t, "GET", s.url+"/api/v1/agents?limit=100", tok, nil)
			var ingrid int64
			for _, a := range agents["data"].([]any) {
				if m := a.(map[string]any); m["email"] == "ingrid@ombud.test" {
					ingrid = int64(m["id"].(float64))
				}
			}
			code, tk := api(t, "POST", s.url+"/api/v1/tickets", tok, map[string]any{
				"subject": "Pakken kom aldri", "description": "Hvor er pakken min?", "channel": "email", "language": "nb",
				"requester": map[string]string{"email": "kari@kunde.example", "name": "Kari Kunde"}, "assignee_id": ingrid,
			})
			if code != 201 {
				t.Fatalf("ticket: %d %v", code, tk)
			}
			id := int64(tk["id"].(float64))
			page := fmt.Sprintf("%s/tickets/%d", s.url, id)

			// Reports fold ratings in every few seconds: twice that, and a
			// slower engine, need more than the usual minute.
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
			signOut := chromedp.Steps(chromedp.Click(chromedp.CSS("details.user-menu > summary")), chromedp.Click(chromedp.CSS(`form[action="/logout"] button`)), chromedp.WaitVisible(chromedp.ID("email")))

			step("the admin turns surveys on", signIn(s.url+"/admin/satisfaction", "lead@ombud.test", "browser-pass-9"),
				chromedp.WaitVisible(chromedp.ID("f-enabled")),
				chromedp.Click(chromedp.ID("f-enabled")),
				chromedp.SetValue(chromedp.ID("f-delay_minutes"), "0"),
				chromedp.Submit(chromedp.ID("f-delay_minutes")),
				chromedp.WaitVisible(chromedp.CSS("p.flash")))
			screenshot(t, ctx, engine, "csat-settings.png")
			step("the agent solves the ticket", signOut, signIn(page, "ingrid@ombud.test", "browser-pass-9"),
				chromedp.WaitVisible(chromedp.ID("f-status")),
				chromedp.SetValue(chromedp.ID("f-status"), "solved"),
				chromedp.Submit(chromedp.ID("f-status")),
				chromedp.WaitVisible(chromedp.CSS(".meta .status.s-solved")), signOut)

			mail := webtest.WaitMail(t, capture, "the survey", func(env *enmime.Envelope, _ mailtest.Captured) bool {
				return strings.Contains(env.GetHeader("Subject"), fmt.Sprintf("Henvendelse #%d", id))
			})
			links := map[string]string{}
			for _, m := range regexp.MustCompile(`http://[^/\s]+/survey/[0-9]+\.([0-9])\.[0-9]+\.[A-Za-z0-9_-]+`).FindAllStringSubmatch(mail.Text, -1) {
				links[m[1]] = m[0]
			}
			if !strings.HasPrefix(links["1"], s.url+"/survey/") || links["5"] == "" {
				t.Fatalf("survey links %v in %s", links, mail.Text)
			}

			// The link's page sends the answer by script; wait for the page
			// that answer leads to (saved=1), or the next navigation races it.
			step("the customer clicks bad: one click answers", chromedp.Navigate(links["1"]),
				savedPage, chromedp.WaitVisible(chromedp.CSS("p.notice")))
			if got := eval(`document.querySelector("p.current").textContent + " | " + document.documentElement.lang`); !strings.Contains(got, "Dårlig") || !strings.HasSuffix(got, "| nb") {
				t.Fatalf("after the bad click: %q", got)
			}
			screenshot(t, ctx, engine, "csat-answered.png")
			waitFor(t, "the trigger to reopen the ticket", func() bool {
				_, got := api(t, "GET", fmt.Sprintf("%s/api/v1/tickets/%d", s.url, id), tok, nil)
				return got["status"] == "open" && strings.Contains(fmt.Sprint(got["tags"]), "unhappy")
			})

			agentCSAT := func(want string) {
				t.Helper()
				deadline := time.Now().Add(30 * time.Second)
				got := ""
				for time.Now().Before(deadline) {
					// The table appears once the report job has counted the
					// ticket (every few seconds); until then, ask again.
					step("the agents report", chromedp.Navigate(s.url+"/reports/agents"), reportsPage)
					got = eval(`(() => { const h = [...document.querySelectorAll("thead th")].map(th => th.textContent.trim());
						const i = h.findIndex(x => x.startsWith("CSAT")); if (i < 0) return "no CSAT column";
						for (const tr of document.querySelectorAll("tbody tr")) { if (tr.textContent.includes("Ingrid")) return tr.children[i].textContent.trim(); }
						return "no Ingrid row"; })()`)
					if got == want {
						return
					}
					time.Sleep(time.Second)
				}
				t.Fatalf("Ingrid's CSAT on the reports page: %q, want %q", got, want)
			}
			step("the lead signs in", signIn(s.url+"/reports/agents", "lead@ombud.test", "browser-pass-9"), reportsPage)
			agentCSAT("0%")

			step("the customer changes the answer to good with a comment", chromedp.Navigate(links["1"]),
				chromedp.WaitVisible(chromedp.CSS("form.answer")),
				chromedp.Click(chromedp.CSS(`form.answer input[name="score"][value="5"]`)),
				chromedp.SendKeys(chromedp.ID("comment"), "Rask hjelp likevel, takk!"),
				chromedp.Submit(chromedp.ID("comment")),
				chromedp.WaitVisible(chromedp.CSS("p.notice")))
			if got := eval(`document.querySelector("p.current").textContent`); !strings.Contains(got, "Bra, jeg er fornøyd") {
				t.Fatalf("after the change: %q", got)
			}
			agentCSAT("100%")

			step("the rating on the ticket", chromedp.Navigate(page), chromedp.WaitVisible(chromedp.CSS("section.csat")))
			if got := eval(`document.querySelector("section.csat").textContent`); !strings.Contains(got, "Good, I'm satisfied") || !strings.Contains(got, "Rask hjelp likevel, takk!") {
				t.Fatalf("ticket panel: %q", got)
			}
			screenshot(t, ctx, engine, "csat-ticket.png")
		})
	}
}

// waitFor polls cond for up to 20 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// savedPage waits until the survey's answer has come back (the address
// carries saved=1) and that page has loaded.
var savedPage chromedp.Action[chromedp.Void] = func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
	for {
		done, err := chromedp.Evaluate[bool](`location.search.includes("saved=1") && document.readyState === "complete"`)(ctx, tg)
		if err == nil && done {
			return chromedp.Void{}, nil
		}
		select {
		case <-ctx.Done():
			return chromedp.Void{}, ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// reportsPage waits until the agents report has loaded (not the sign-in
// page on its way there: both have a main element).
var reportsPage chromedp.Action[chromedp.Void] = func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
	for {
		done, err := chromedp.Evaluate[bool](`location.pathname === "/reports/agents" && !document.getElementById("email") && document.readyState === "complete"`)(ctx, tg)
		if err == nil && done {
			return chromedp.Void{}, nil
		}
		select {
		case <-ctx.Done():
			return chromedp.Void{}, ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}
