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

// TestBrowserChatMetrics is the chat offers and metrics journey on both
// engines: the admin shortens the offer time to 5 seconds; Ingrid and
// Petter are online, Ingrid has the console open. Chat 1 is offered to
// Ingrid, who accepts it; chat 2 goes to the less loaded Petter, who is
// away: the offer times out and the chat is offered again to Ingrid (never
// to both at once), who accepts it too. The admin's Live chat report then
// shows per agent: Ingrid offered 2, accepted 2, missed 0; Petter offered
// 1, accepted 0, missed 1; after Ingrid answered Anna and ended chat 1,
// her peak of concurrent chats among ended chats is 1.
func TestBrowserChatMetrics(t *testing.T) {
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) {
			env := map[string]string{"OMBUD_DATA": dbtest.MigratedSQLiteDir(t), "OMBUD_LOG_LEVEL": "warn"}
			if engine == "postgres" {
				env["OMBUD_DATABASE_URL"] = dbtest.NewMigratedPostgresDatabase(t)
			}
			const pw = "browser-pass-7"
			for _, u := range [][]string{{"lead@ombud.test", "Lea Lead", "admin"}, {"ingrid@ombud.test", "Ingrid", "agent"}, {"petter@ombud.test", "Petter", "agent"}} {
				if code, _, er := run(t, env, "user", "create", "--email", u[0], "--name", u[1], "--role", u[2], "--password", pw); code != 0 {
					t.Fatal(er)
				}
			}
			_, tok, _ := run(t, env, "token", "create", "--email", "lead@ombud.test")
			tok = strings.TrimSpace(tok)
			s := serve(t, env)
			_, agents := api(t, "GET", s.url+"/api/v1/agents?limit=100", tok, nil)
			ids := map[string]int64{}
			for _, a := range agents["data"].([]any) {
				m := a.(map[string]any)
				ids[m["email"].(string)] = int64(m["id"].(float64))
			}
			for _, who := range []string{"ingrid@ombud.test", "petter@ombud.test"} {
				if code, body := api(t, "PUT", fmt.Sprintf("%s/api/v1/agents/%d/availability", s.url, ids[who]), tok, map[string]any{"availability": "online"}); code != 200 {
					t.Fatalf("online: %d %v", code, body)
				}
			}
			// A visitor starts a chat through the widget's endpoint.
			startChat := func(name string) {
				t.Helper()
				b, _ := json.Marshal(map[string]any{"name": name, "email": strings.ToLower(name) + "@kunde.example", "topic": "Hello from " + name, "language": "en"})
				resp, err := http.Post(s.url+"/widget/start", "text/plain", bytes.NewReader(b))
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				if resp.StatusCode != http.StatusCreated {
					t.Fatalf("start %s: %d", name, resp.StatusCode)
				}
			}

			ctx := browserFor(t, 4*time.Minute)
			step := stepper(t, ctx)
			// wait polls a JS condition until it holds.
			wait := func(what, js string, within time.Duration) {
				t.Helper()
				deadline := time.Now().Add(within)
				for time.Now().Before(deadline) {
					if v, err := chromedp.Run(ctx, chromedp.Evaluate[bool](js)); err == nil && v {
						return
					}
					time.Sleep(200 * time.Millisecond)
				}
				body, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("body")))
				t.Fatalf("timed out waiting for %s: %.800s", what, body)
			}
			signOut := chromedp.Steps(chromedp.Click(chromedp.CSS("details.user-menu > summary")), chromedp.Click(chromedp.CSS(`form[action="/logout"] button`)), chromedp.WaitVisible(chromedp.ID("email")))

			step("the admin gives offers 5 seconds", signIn(s.url+"/admin/chat", "lead@ombud.test", pw),
				chromedp.WaitVisible(chromedp.ID("f-offer")),
				chromedp.SetValue(chromedp.ID("f-offer"), "5"),
				chromedp.Submit(chromedp.ID("f-offer")),
				chromedp.WaitVisible(chromedp.CSS("p.flash")))
			step("Ingrid opens the chat console", signOut, signIn(s.url+"/chat", "ingrid@ombud.test", pw), chromedp.WaitVisible(chromedp.ID("offers")))

			startChat("Anna")
			wait("chat 1 offered to Ingrid", `!!document.querySelector("#offers .accept")`, 30*time.Second)
			step("Ingrid accepts chat 1", chromedp.Click(chromedp.CSS("#offers .accept")), chromedp.WaitVisible(chromedp.CSS("#chats .chat .reply")))

			// Chat 2 goes to Petter (less loaded), who is away: it comes
			// to Ingrid only after his offer timed out.
			startChat("Bo")
			started := time.Now()
			wait("chat 2 offered to Ingrid after Petter's offer timed out", `!!document.querySelector("#offers .accept")`, 40*time.Second)
			if waited := time.Since(started); waited < 4*time.Second {
				t.Fatalf("chat 2 reached Ingrid after %v: it was not offered to Petter first", waited)
			}
			step("Ingrid accepts chat 2", chromedp.Click(chromedp.CSS("#offers .accept")),
				chromedp.WaitVisible(chromedp.CSS("#chats .chat:nth-of-type(2) .reply")))
			// She answers Anna and ends chat 1: a wait to the first agent
			// message and one ended chat held.
			step("Ingrid answers Anna", chromedp.SetValue(chromedp.CSS("#chats .chat .reply"), "Hei Anna"), chromedp.Click(chromedp.CSS("#chats .chat .send")))
			wait("the answer stored", `Array.from(document.querySelectorAll("#chats .chat .log li[data-seq]")).some(li => li.textContent.includes("Hei Anna"))`, 30*time.Second)
			step("Ingrid ends chat 1", chromedp.Click(chromedp.CSS("#chats .chat .end")))
			// The end is a request the console sends and then redraws from:
			// signing out before it returned could leave chat 1 open (a
			// peak of 0 among ended chats in the report).
			wait("chat 1 ended", `document.querySelectorAll("#chats .chat").length === 1`, 30*time.Second)

			// The admin's Live chat report (facts refresh every 5 s).
			step("the admin opens the Live chat report", signOut, signIn(s.url+"/reports/chat?range=today", "lead@ombud.test", pw),
				loadedWhere(`location.pathname === "/reports/chat" && !document.getElementById("email")`))
			rowsJS := `Array.from(document.querySelectorAll("table")).filter(t => (t.querySelector("caption") || {}).textContent === "Live chat by agent")
				.flatMap(t => Array.from(t.querySelectorAll("tbody tr")).map(tr => Array.from(tr.children).filter((c, i) => i < 5 || i === 8).map(c => c.textContent.trim()).join("|"))).join("\n")`
			want := []string{"Ingrid|2|2|0|0|1", "Petter|1|0|0|1|0"}
			var got string
			for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); {
				v, err := chromedp.Run(ctx, chromedp.Evaluate[string](rowsJS))
				if err != nil {
					t.Fatal(err)
				}
				if got = v; got == strings.Join(want, "\n") {
					break
				}
				time.Sleep(time.Second)
				step("reload the report", chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS("main")))
			}
			if got != strings.Join(want, "\n") {
				t.Fatalf("Live chat by agent (agent|offered|accepted|declined|missed|peak):\n%s\nwant\n%s", got, strings.Join(want, "\n"))
			}
			tiles, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("main")))
			for _, w := range []string{"Chats offered", "Offers missed", "Accept rate"} {
				if !strings.Contains(tiles, w) {
					t.Errorf("report page lacks %q", w)
				}
			}
			screenshot(t, ctx, engine, "reports-chat.png")
		})
	}
}
