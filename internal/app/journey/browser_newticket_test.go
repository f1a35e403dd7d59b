package journey_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/ombud/ombud/internal/dbtest"
)

// TestBrowserNewTicket is the journey of logging a phone call as a new
// ticket, on both engines: an agent presses c, fills in a caller known only
// by phone, writes the call log as an internal note, sets priority and
// assignee and submits; the ticket page shows the note on the phone channel.
func TestBrowserNewTicket(t *testing.T) {
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) {
			env := map[string]string{"OMBUD_DATA": dbtest.MigratedSQLiteDir(t), "OMBUD_LOG_LEVEL": "warn"}
			if engine == "postgres" {
				env["OMBUD_DATABASE_URL"] = dbtest.NewMigratedPostgresDatabase(t)
			}
			if code, _, er := run(t, env, "user", "create", "--email", "ida@ombud.test", "--name", "Ida Vik", "--role", "agent", "--password", "browser-pass-4"); code != 0 {
				t.Fatal(er)
			}
			s := serve(t, env)
			ctx := browser(t)
			step := stepper(t, ctx)
			step("sign in", signIn(s.url+"/tickets", "ida@ombud.test", "browser-pass-4"), chromedp.WaitVisible(chromedp.CSS("a.new-ticket-link")))
			step("press c", chromedp.KeyEvent("c"), chromedp.WaitVisible(chromedp.ID("new-ticket")))
			step("fill in the call",
				chromedp.SendKeys(chromedp.ID("f-subject"), "Ringte om faktura 4411"),
				chromedp.Click(chromedp.CSS(`input[name="kind"][value="note"]`)),
				chromedp.SendKeys(chromedp.ID("f-description"), "Kunden ringte kl. 10:05 og ba om kopi av faktura 4411."),
				chromedp.SendKeys(chromedp.CSS(`[id="f-requester.phone"]`), "+47 22 33 44 55"),
				chromedp.SendKeys(chromedp.CSS(`[id="f-requester.name"]`), "Kari Telefon"),
				chromedp.SetValue(chromedp.ID("f-channel"), "phone"),
				chromedp.SetValue(chromedp.ID("f-priority"), "high"),
				chromedp.SendKeys(chromedp.ID("f-tags"), "faktura"),
			)
			screenshot(t, ctx, engine, "new-ticket.png")
			step("submit the call", chromedp.Submit(chromedp.ID("f-subject")),
				chromedp.WaitVisible(chromedp.ID("body")))
			thread, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("section.thread")))
			if err != nil {
				t.Fatal(err)
			}
			title, err := chromedp.Run(ctx, chromedp.Title())
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(title, "Ringte om faktura 4411") || !strings.Contains(thread, "kopi av faktura 4411") || !strings.Contains(thread, "Ida Vik") {
				t.Fatalf("ticket page: title %q thread %q", title, thread)
			}
		})
	}
}

// browser opens a fresh browser for one test.
func browser(t *testing.T) context.Context {
	t.Helper()
	return browserFor(t, 60*time.Second)
}

// browserFor is browser for a journey that may take up to limit. The
// journey gets a tab in a new browser context (like an incognito window:
// its own cookies, storage and cache) of the package's shared Chromium; the
// context and its tabs are disposed of when the test ends. Each call is a
// separate browser as far as the server can tell.
func browserFor(t *testing.T, limit time.Duration) context.Context {
	t.Helper()
	ctx, cancel := chromedp.NewContext(shared.get(t), chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	ctx, cancel = context.WithTimeout(ctx, limit)
	t.Cleanup(cancel)
	// The first action opens the tab on this context, so that later steps
	// may use shorter-lived contexts of their own.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("browser: open a tab: %v", err)
	}
	return ctx
}

// TestBrowserTicketFields is the journey of setting every kind of custom
// field in the ticket page's panel and solving with a required one, on
// both engines: solving without the required field is refused beside it,
// with what was chosen kept; filling it in solves the ticket.
func TestBrowserTicketFields(t *testing.T) {
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) {
			env := map[string]string{"OMBUD_DATA": dbtest.MigratedSQLiteDir(t), "OMBUD_LOG_LEVEL": "warn"}
			if engine == "postgres" {
				env["OMBUD_DATABASE_URL"] = dbtest.NewMigratedPostgresDatabase(t)
			}
			if code, _, er := run(t, env, "user", "create", "--email", "lead@ombud.test", "--name", "Lea Lead", "--role", "admin", "--password", "browser-pass-5"); code != 0 {
				t.Fatal(er)
			}
			_, tok, _ := run(t, env, "token", "create", "--email", "lead@ombud.test")
			tok = strings.TrimSpace(tok)
			s := serve(t, env)
			for _, f := range []map[string]any{
				{"key": "plan", "label": "Plan", "type": "dropdown", "options": []string{"Basic", "Gold"}},
				{"key": "renewal", "label": "Renewal", "type": "date"},
				{"key": "seats", "label": "Seats", "type": "number"},
				{"key": "vip", "label": "VIP", "type": "checkbox"},
				{"key": "order_no", "label": "Order number", "type": "text", "required": true},
			} {
				if code, body := api(t, "POST", s.url+"/api/v1/custom-fields", tok, f); code != 201 {
					t.Fatalf("field: %d %v", code, body)
				}
			}
			code, tk := api(t, "POST", s.url+"/api/v1/tickets", tok, map[string]any{
				"subject": "Oppgradering til Gold", "description": "Vi vil oppgradere.", "requester": map[string]string{"email": "kjoper@firma.example"},
			})
			if code != 201 {
				t.Fatalf("ticket: %d %v", code, tk)
			}
			page := fmt.Sprintf("%s/tickets/%d", s.url, int64(tk["id"].(float64)))
			ctx := browser(t)
			step := stepper(t, ctx)
			byID := func(id string) chromedp.CSS { return chromedp.CSS(`[id="` + id + `"]`) }
			step("sign in", signIn(page, "lead@ombud.test", "browser-pass-5"), chromedp.WaitVisible(byID("f-custom_fields.plan")))
			step("set every kind and solve",
				chromedp.SetValue(byID("f-custom_fields.plan"), "Gold"),
				chromedp.SetValue(byID("f-custom_fields.renewal"), "2027-03-01"),
				chromedp.SendKeys(byID("f-custom_fields.seats"), "25"),
				chromedp.Click(byID("f-custom_fields.vip")),
				chromedp.SetValue(chromedp.ID("f-status"), "solved"),
				chromedp.Submit(chromedp.ID("f-status")),
				chromedp.WaitVisible(byID("e-custom_fields.order_no")))
			screenshot(t, ctx, engine, "ticket-fields.png")
			kept, err := chromedp.Run(ctx, chromedp.Value(byID("f-custom_fields.plan")))
			if err != nil || kept != "Gold" {
				t.Fatalf("refused panel kept plan %q (%v)", kept, err)
			}
			step("fill in the required field",
				chromedp.SendKeys(byID("f-custom_fields.order_no"), "A-4411"),
				chromedp.SetValue(chromedp.ID("f-status"), "solved"),
				chromedp.Submit(chromedp.ID("f-status")),
				chromedp.WaitVisible(chromedp.CSS(".meta .status.s-solved")))
			_, got := api(t, "GET", fmt.Sprintf("%s/api/v1/tickets/%d", s.url, int64(tk["id"].(float64))), tok, nil)
			cf, _ := got["custom_fields"].(map[string]any)
			if got["status"] != "solved" || cf["plan"] != "Gold" || cf["renewal"] != "2027-03-01" || cf["seats"] != 25.0 || cf["vip"] != true || cf["order_no"] != "A-4411" {
				t.Fatalf("ticket after the panel: %v", got)
			}
		})
	}
}

// TestBrowserAvailability is the journey of going away and no longer
// receiving routed tickets, on both engines: in a team that assigns only to
// available agents, an agent switches to away in the header; the next
// tickets go to the colleague who is online, and back to them once online.
func TestBrowserAvailability(t *testing.T) {
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) {
			env := map[string]string{"OMBUD_DATA": dbtest.MigratedSQLiteDir(t), "OMBUD_LOG_LEVEL": "warn"}
			if engine == "postgres" {
				env["OMBUD_DATABASE_URL"] = dbtest.NewMigratedPostgresDatabase(t)
			}
			for _, u := range [][]string{{"ana@ombud.test", "Ana", "agent"}, {"bo@ombud.test", "Bo", "agent"}, {"boss@ombud.test", "Boss", "admin"}} {
				if code, _, er := run(t, env, "user", "create", "--email", u[0], "--name", u[1], "--role", u[2], "--password", "browser-pass-6"); code != 0 {
					t.Fatal(er)
				}
			}
			_, tok, _ := run(t, env, "token", "create", "--email", "boss@ombud.test")
			tok = strings.TrimSpace(tok)
			s := serve(t, env)
			_, agents := api(t, "GET", s.url+"/api/v1/agents?limit=100", tok, nil)
			ids := map[string]int64{}
			for _, a := range agents["data"].([]any) {
				m := a.(map[string]any)
				ids[m["email"].(string)] = int64(m["id"].(float64))
			}
			code, team := api(t, "POST", s.url+"/api/v1/teams", tok, map[string]any{"name": "Support", "agent_ids": []int64{ids["ana@ombud.test"], ids["bo@ombud.test"]}})
			if code != 201 {
				t.Fatalf("team: %d %v", code, team)
			}
			teamID := int64(team["id"].(float64))
			if code, body := api(t, "PUT", fmt.Sprintf("%s/api/v1/routing/teams/%d", s.url, teamID), tok, map[string]any{"method": "round_robin", "capacity": 50, "require_available": true, "offline_policy": "keep"}); code != 200 {
				t.Fatalf("routing: %d %v", code, body)
			}
			for _, who := range []string{"ana@ombud.test", "bo@ombud.test"} {
				if code, body := api(t, "PUT", fmt.Sprintf("%s/api/v1/agents/%d/availability", s.url, ids[who]), tok, map[string]any{"availability": "online"}); code != 200 {
					t.Fatalf("online: %d %v", code, body)
				}
			}
			assignees := func(n int) map[int64]int {
				t.Helper()
				got := map[int64]int{}
				for i := 0; i < n; i++ {
					code, tk := api(t, "POST", s.url+"/api/v1/tickets", tok, map[string]any{"subject": fmt.Sprintf("Routed %d", i), "description": "Hello",
						"requester": map[string]string{"email": "c@example.com"}, "team_id": teamID})
					if code != 201 {
						t.Fatalf("ticket: %d %v", code, tk)
					}
					path := fmt.Sprintf("%s/api/v1/tickets/%d", s.url, int64(tk["id"].(float64)))
					deadline := time.Now().Add(10 * time.Second)
					for {
						_, cur := api(t, "GET", path, tok, nil)
						if a, ok := cur["assignee_id"].(float64); ok {
							got[int64(a)]++
							break
						}
						if time.Now().After(deadline) {
							t.Fatalf("ticket %s never routed", path)
						}
						time.Sleep(50 * time.Millisecond)
					}
				}
				return got
			}
			if got := assignees(4); got[ids["ana@ombud.test"]] == 0 || got[ids["bo@ombud.test"]] == 0 {
				t.Fatalf("both online: %v, want both to get tickets", got)
			}

			ctx := browser(t)
			step := stepper(t, ctx)
			// choose picks a value in the header's switch as a person does
			// (the change event submits it), waiting out a page that is
			// still being replaced.
			choose := func(value string) chromedp.Action[chromedp.Void] {
				return func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
					js := `(() => { const s = document.getElementById("availability"); if (!s) return false;
						s.value = "` + value + `"; s.dispatchEvent(new Event("change")); return true; })()`
					for i := 0; ; i++ {
						ok, err := chromedp.Evaluate[bool](js)(ctx, tg)
						if ok || i == 50 {
							return chromedp.Void{}, err
						}
						time.Sleep(100 * time.Millisecond)
					}
				}
			}
			step("sign in", signIn(s.url+"/tickets", "ana@ombud.test", "browser-pass-6"), chromedp.WaitVisible(chromedp.CSS("form.availability.a-online")))
			// The list refreshes itself as tickets arrive; switch from the
			// profile page, which holds still.
			step("go away", chromedp.Navigate(s.url+"/profile"), chromedp.WaitVisible(chromedp.CSS("form.availability.a-online")),
				choose("away"),
				chromedp.WaitVisible(chromedp.CSS("form.availability.a-away")))
			screenshot(t, ctx, engine, "availability.png")
			if got := assignees(3); got[ids["ana@ombud.test"]] != 0 || got[ids["bo@ombud.test"]] != 3 {
				t.Fatalf("Ana away: %v, want every ticket to Bo", got)
			}
			// The list refreshes itself as tickets arrive; switch from the
			// profile page, which holds still.
			step("back online", chromedp.Navigate(s.url+"/profile"), chromedp.WaitVisible(chromedp.CSS("form.availability.a-away")),
				choose("online"),
				chromedp.WaitVisible(chromedp.CSS("form.availability.a-online")))
			if got := assignees(4); got[ids["ana@ombud.test"]] == 0 {
				t.Fatalf("Ana back online: %v, want her to get tickets again", got)
			}
		})
	}
}

// TestBrowserMerge is the journey of merging a duplicate from its ticket
// page with a note to the requester, on both engines.
func TestBrowserMerge(t *testing.T) {
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) {
			env := map[string]string{"OMBUD_DATA": dbtest.MigratedSQLiteDir(t), "OMBUD_LOG_LEVEL": "warn"}
			if engine == "postgres" {
				env["OMBUD_DATABASE_URL"] = dbtest.NewMigratedPostgresDatabase(t)
			}
			if code, _, er := run(t, env, "user", "create", "--email", "mia@ombud.test", "--name", "Mia", "--role", "agent", "--password", "browser-pass-7"); code != 0 {
				t.Fatal(er)
			}
			_, tok, _ := run(t, env, "token", "create", "--email", "mia@ombud.test")
			tok = strings.TrimSpace(tok)
			s := serve(t, env)
			mk := func(subject string) int64 {
				code, tk := api(t, "POST", s.url+"/api/v1/tickets", tok, map[string]any{"subject": subject, "description": "Hvor er pakken min?",
					"requester": map[string]string{"email": "ola@example.no", "name": "Ola"}})
				if code != 201 {
					t.Fatalf("ticket: %d %v", code, tk)
				}
				return int64(tk["id"].(float64))
			}
			keep, dup := mk("Pakke 7781 mangler"), mk("Pakke 7781 mangler fortsatt")
			ctx := browser(t)
			step := stepper(t, ctx)
			step("sign in", signIn(fmt.Sprintf("%s/tickets/%d", s.url, dup), "mia@ombud.test", "browser-pass-7"), chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf(`a[href="/tickets/%d/merge"]`, dup))))
			step("choose the target", chromedp.Click(chromedp.CSS(fmt.Sprintf(`a[href="/tickets/%d/merge"]`, dup))),
				chromedp.WaitVisible(chromedp.ID("merge-q")),
				chromedp.SendKeys(chromedp.ID("merge-q"), fmt.Sprintf("#%d", keep)),
				chromedp.Submit(chromedp.ID("merge-q")),
				chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf(`a[href="/tickets/%d/merge?target=%d"]`, dup, keep))),
				chromedp.Click(chromedp.CSS(fmt.Sprintf(`a[href="/tickets/%d/merge?target=%d"]`, dup, keep))),
				chromedp.WaitVisible(chromedp.CSS(".merge-sides")))
			screenshot(t, ctx, engine, "merge.png")
			step("confirm with a note",
				chromedp.SendKeys(chromedp.ID("f-note"), "Vi har slått sammen de to henvendelsene dine."),
				chromedp.Submit(chromedp.ID("f-note")),
				chromedp.WaitVisible(chromedp.CSS("p.flash")))
			thread, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("section.thread")))
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(thread, "Vi har slått sammen de to henvendelsene dine.") {
				t.Fatalf("target thread lacks the note: %q", thread)
			}
			_, src := api(t, "GET", fmt.Sprintf("%s/api/v1/tickets/%d", s.url, dup), tok, nil)
			if fmt.Sprint(src["merged_into_id"]) != fmt.Sprint(keep) {
				t.Fatalf("source %v", src)
			}
		})
	}
}

// stepper runs a named group of browser actions with a 30 s limit and, when
// one fails, reports where the browser was and what the page said.
func stepper(t *testing.T, ctx context.Context) func(what string, acts ...chromedp.Action[chromedp.Void]) {
	return func(what string, acts ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		actx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		if err := chromedp.Do(actx, acts...); err != nil {
			loc, _ := chromedp.Run(ctx, chromedp.Location())
			body, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("body")))
			t.Fatalf("browser: %s: %v (at %s: %.500s)", what, err, loc, body)
		}
	}
}

// signIn opens page, which asks for a sign-in, and signs in there.
func signIn(page, email, password string) chromedp.Action[chromedp.Void] {
	return chromedp.Steps(chromedp.Navigate(page), chromedp.WaitVisible(chromedp.ID("email")),
		chromedp.SendKeys(chromedp.ID("email"), email),
		chromedp.SendKeys(chromedp.ID("password"), password),
		chromedp.Submit(chromedp.ID("password")))
}

// loadedWhere waits until cond (a script expression) holds on a page that
// has finished loading. A wait for an element the previous page also has
// returns before a submitted form's answer arrives, and the next navigation
// then aborts it.
func loadedWhere(cond string) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
		for {
			done, err := chromedp.Evaluate[bool](`document.readyState === "complete" && (`+cond+`)`)(ctx, tg)
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
}
