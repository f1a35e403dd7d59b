package journey_test

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/jhillyerd/enmime/v2"

	"github.com/ombud/ombud/internal/dbtest"
	"github.com/ombud/ombud/internal/mailtest"
	"github.com/ombud/ombud/internal/web/webtest"
)

// TestBrowserChat is the live chat journey on both engines: the admin
// allows a shop's site in the widget settings; the shop's page (served by
// the test on another loopback port) embeds the widget with one script
// tag; a visitor starts a chat in Norwegian and Ingrid accepts it in the
// console; they write to each other; the visitor's network drops, both
// write meanwhile, and after it comes back (and after a page reload)
// every message is there once; Ingrid transfers the chat to Petter with
// a note, who accepts and answers; the whole conversation is on the
// ticket and the transcript reaches the visitor by email; out of hours
// the widget offers to leave a message, and the agent's reply to it
// reaches the visitor by email at the capture SMTP server.
func TestBrowserChat(t *testing.T) {
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
			capture := mailtest.StartCapture(t)
			host, port, _ := net.SplitHostPort(capture.Addr())
			p, _ := strconv.Atoi(port)
			if code, mb := api(t, "POST", s.url+"/api/v1/mailboxes", tok, map[string]any{
				"address": "support@example.com", "name": "Support", "smtp": map[string]any{"host": host, "port": p, "security": "none"},
			}); code != 201 {
				t.Fatalf("mailbox: %d %v", code, mb)
			}
			_, agents := api(t, "GET", s.url+"/api/v1/agents?limit=100", tok, nil)
			ids := map[string]int64{}
			for _, a := range agents["data"].([]any) {
				m := a.(map[string]any)
				ids[m["email"].(string)] = int64(m["id"].(float64))
			}
			if code, body := api(t, "PUT", fmt.Sprintf("%s/api/v1/agents/%d/availability", s.url, ids["ingrid@ombud.test"]), tok, map[string]any{"availability": "online"}); code != 200 {
				t.Fatalf("online: %d %v", code, body)
			}
			// The shop: another origin, which embeds the widget.
			shop := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "text/html; charset=utf-8")
				if r.URL.Path == "/plain" {
					// A page of the shop without the widget: storage can be
					// cleared there with no widget writing its state back.
					fmt.Fprint(w, `<!doctype html><html lang="nb"><head><title>Butikken</title></head><body><h1>Butikken</h1></body></html>`)
					return
				}
				fmt.Fprintf(w, `<!doctype html><html lang="nb"><head><title>Butikken</title></head><body><h1>Butikken</h1><p>Sko og støvler.</p>
<script src="%s/widget.js" async data-lang="nb"></script></body></html>`, s.url)
			}))
			t.Cleanup(shop.Close)

			ctx := browserFor(t, 5*time.Minute)
			step := stepper(t, ctx)
			vctx, cancel := chromedp.NewContext(ctx) // the visitor's tab
			t.Cleanup(cancel)
			if err := chromedp.Do(vctx); err != nil { // the tab lives as long as vctx, not a step's context
				t.Fatal(err)
			}
			vstep := stepper(t, vctx)
			eval := func(c context.Context, js string) string {
				t.Helper()
				v, err := chromedp.Run(c, chromedp.Evaluate[string](js))
				if err != nil {
					t.Fatalf("browser: %s: %v", js, err)
				}
				return v
			}
			// wait polls a JS condition (a string: "" until it holds).
			wait := func(c context.Context, what, js string) {
				t.Helper()
				deadline := time.Now().Add(30 * time.Second)
				last := ""
				for time.Now().Before(deadline) {
					ec, cancel := context.WithTimeout(c, 5*time.Second)
					v, err := chromedp.Run(ec, chromedp.Evaluate[bool](js))
					cancel()
					if err == nil && v {
						return
					}
					if err != nil {
						last = err.Error()
					}
					time.Sleep(150 * time.Millisecond)
				}
				dump, _ := chromedp.Run(vctx, chromedp.Evaluate[string](`(() => { const h = document.getElementById("ombud-chat"); if (!h) return "no widget";
					const r = h.shadowRoot; return "online=" + navigator.onLine + " meta=" + (r.getElementById("meta") || {}).textContent + " log=" + Array.from(r.querySelectorAll("#log li")).map(li => (li.dataset.seq || "p") + ":" + li.textContent).join(" | ") + " store=" + JSON.stringify(localStorage) })()`))
				t.Fatalf("timed out waiting for %s (%s)\nwidget: %s", what, last, dump)
			}
			const R = `document.getElementById("ombud-chat").shadowRoot`
			widgetLog := func() string {
				return eval(vctx, `Array.from(`+R+`.querySelectorAll("#log li")).map(li => (li.dataset.seq ? li.dataset.seq : "pending") + " " + li.textContent).join("\n")`)
			}
			visitorSees := func(what string) {
				t.Helper()
				wait(vctx, "the visitor to see "+what, `!!document.getElementById("ombud-chat") && Array.from(`+R+`.querySelectorAll("#log li[data-seq]")).some(li => li.textContent.includes(`+strconv.Quote(what)+`))`)
			}
			agentSees := func(what string) {
				t.Helper()
				wait(ctx, "the agent to see "+what, `Array.from(document.querySelectorAll("#chats .log li[data-seq]")).some(li => li.textContent.includes(`+strconv.Quote(what)+`))`)
			}
			visitorSays := func(text string) {
				t.Helper()
				eval(vctx, `(() => { const r = `+R+`; r.getElementById("input").value = `+strconv.Quote(text)+`; r.getElementById("send").click(); return "" })()`)
			}
			agentSays := func(text string) {
				t.Helper()
				step("the agent writes "+text, chromedp.SetValue(chromedp.CSS("#chats .chat .reply"), text), chromedp.Click(chromedp.CSS("#chats .chat .send")))
			}
			count := func(c context.Context, sel, text string) int {
				t.Helper()
				n, err := chromedp.Run(c, chromedp.Evaluate[int](`Array.from(`+sel+`).filter(li => li.textContent.includes(`+strconv.Quote(text)+`)).length`))
				if err != nil {
					t.Fatal(err)
				}
				return n
			}
			signOut := chromedp.Steps(chromedp.Click(chromedp.CSS("details.user-menu > summary")), chromedp.Click(chromedp.CSS(`form[action="/logout"] button`)), chromedp.WaitVisible(chromedp.ID("email")))

			step("the admin allows the shop's site", signIn(s.url+"/admin/chat", "lead@ombud.test", pw),
				chromedp.WaitVisible(chromedp.ID("f-origins")),
				chromedp.SetValue(chromedp.ID("f-origins"), shop.URL),
				chromedp.Submit(chromedp.ID("f-origins")),
				chromedp.WaitVisible(chromedp.CSS("p.flash")))
			if got := eval(ctx, `document.getElementById("f-origins").value + "|" + document.getElementById("snippet").textContent`); !strings.HasPrefix(got, shop.URL+"|") || !strings.Contains(got, "/widget.js") {
				t.Fatalf("settings page: %q", got)
			}
			screenshot(t, ctx, engine, "chat-settings.png")
			step("Ingrid opens the chat console", signOut, signIn(s.url+"/chat", "ingrid@ombud.test", pw), chromedp.WaitVisible(chromedp.ID("offers")))

			vstep("the visitor opens the shop", chromedp.Navigate(shop.URL))
			wait(vctx, "the widget", `!!document.getElementById("ombud-chat") && !!`+R+`.getElementById("launcher")`)
			eval(vctx, R+`.getElementById("launcher").click(), ""`)
			wait(vctx, "the pre-chat form", `!!`+R+`.getElementById("prechat")`)
			if got := eval(vctx, R+`.getElementById("start").textContent`); got != "Start chat" {
				// nb: "Start chat" is the same words in Norwegian
				t.Logf("start button: %q", got)
			}
			eval(vctx, `(() => { const r = `+R+`; r.getElementById("name").value = "Kari Kunde"; r.getElementById("email").value = "kari@kunde.example";
				r.getElementById("topic").value = "Hvor er pakken min?"; r.getElementById("start").click(); return "" })()`)
			visitorSees("Hvor er pakken min?")

			wait(ctx, "the offer in the console", `!!document.querySelector("#offers .accept")`)
			screenshot(t, ctx, engine, "chat-console-offer.png")
			step("Ingrid accepts", chromedp.Click(chromedp.CSS("#offers .accept")), chromedp.WaitVisible(chromedp.CSS("#chats .chat .reply")))
			agentSees("Hvor er pakken min?")
			visitorSees("Ingrid ble med i chatten")
			if got := eval(ctx, `document.querySelector("#chats .chat .info").textContent`); !strings.Contains(got, "kari@kunde.example") || !strings.Contains(got, shop.URL) {
				t.Fatalf("visitor info: %q", got)
			}

			visitorSays("Ordrenummer 1234")
			agentSees("Ordrenummer 1234")
			agentSays("Jeg sjekker nå")
			visitorSees("Jeg sjekker nå")
			screenshot(t, vctx, engine, "chat-widget.png")

			// The visitor's network drops: both sides write meanwhile.
			if _, err := chromedp.Call(vctx, network.Enable, network.EnableParams{}); err != nil {
				t.Fatal(err)
			}
			offline := func(off bool) {
				t.Helper()
				if _, err := chromedp.Call(vctx, network.EmulateNetworkConditionsByRule, network.EmulateNetworkConditionsByRuleParams{
					MatchedNetworkConditions: []*network.Conditions{{Offline: off, DownloadThroughput: -1, UploadThroughput: -1}}}); err != nil {
					t.Fatal(err)
				}
				if _, err := chromedp.Call(vctx, network.OverrideNetworkState, network.OverrideNetworkStateParams{Offline: off, DownloadThroughput: -1, UploadThroughput: -1}); err != nil {
					t.Fatal(err)
				}
			}
			offline(true)
			wait(vctx, "the widget to notice the drop", R+`.getElementById("meta").textContent === "Kobler til igjen"`)
			visitorSays("Er dere der?")
			agentSays("Fant pakken")
			agentSees("Fant pakken")
			time.Sleep(time.Second)
			if n := count(vctx, R+`.querySelectorAll("#log li")`, "Fant pakken"); n != 0 {
				t.Fatalf("the visitor got a message while offline:\n%s", widgetLog())
			}
			if n := count(ctx, `document.querySelectorAll("#chats .log li")`, "Er dere der?"); n != 0 {
				t.Fatal("the agent got a message the visitor sent while offline")
			}
			offline(false)
			visitorSees("Fant pakken")
			visitorSees("Er dere der?")
			agentSees("Er dere der?")
			// A page reload resumes the same chat from the stored sequence.
			vstep("the visitor reloads the page", chromedp.Reload())
			visitorSees("Fant pakken")
			for _, text := range []string{"Hvor er pakken min?", "Ordrenummer 1234", "Jeg sjekker nå", "Er dere der?", "Fant pakken"} {
				if n := count(vctx, R+`.querySelectorAll("#log li")`, text); n != 1 {
					t.Fatalf("%q shows %d times in the widget:\n%s", text, n, widgetLog())
				}
				if n := count(ctx, `document.querySelectorAll("#chats .log li")`, text); n != 1 {
					t.Fatalf("%q shows %d times in the console", text, n)
				}
			}
			ticketID := eval(ctx, `document.querySelector("#chats .chat").dataset.ticket`)

			// Ingrid transfers the chat to Petter with a note.
			step("Ingrid transfers the chat", chromedp.SetValue(chromedp.CSS("#chats .chat .transfer-to"), fmt.Sprintf("agent:%d", ids["petter@ombud.test"])),
				chromedp.SetValue(chromedp.CSS("#chats .chat .transfer-note"), "Kunden vil ha refusjon"),
				chromedp.Click(chromedp.CSS("#chats .chat .transfer")))
			wait(ctx, "the chat to leave Ingrid's console", `!document.querySelector("#chats .chat")`)
			visitorSees("Du blir satt over til en annen medarbeider")
			step("Petter opens the console", signOut, signIn(s.url+"/chat", "petter@ombud.test", pw), chromedp.WaitVisible(chromedp.ID("offers")))
			wait(ctx, "the transferred offer", `!!document.querySelector("#offers .accept") && document.querySelector("#offers .note").textContent.includes("Kunden vil ha refusjon")`)
			step("Petter accepts", chromedp.Click(chromedp.CSS("#offers .accept")), chromedp.WaitVisible(chromedp.CSS("#chats .chat .reply")))
			agentSees("Fant pakken")
			visitorSees("Petter ble med i chatten")
			agentSays("Refusjonen er på vei")
			visitorSees("Refusjonen er på vei")
			screenshot(t, ctx, engine, "chat-console.png")

			// The transcript is on the ticket, once each.
			code, cs := api(t, "GET", s.url+"/api/v1/tickets/"+ticketID+"/comments?limit=100", tok, nil)
			if code != 200 {
				t.Fatalf("comments: %d %v", code, cs)
			}
			var bodies []string
			for _, c := range cs["data"].([]any) {
				bodies = append(bodies, c.(map[string]any)["body"].(string))
			}
			want := "[Hvor er pakken min? Ordrenummer 1234 Jeg sjekker nå Er dere der? Fant pakken Kunden vil ha refusjon Refusjonen er på vei]"
			if fmt.Sprint(bodies) != want && fmt.Sprint(bodies) != strings.Replace(want, "Er dere der? Fant pakken", "Fant pakken Er dere der?", 1) {
				t.Fatalf("ticket comments %v", bodies)
			}
			step("the ticket shows the chat", chromedp.Navigate(s.url+"/tickets/"+ticketID), chromedp.WaitVisible(chromedp.CSS("main")))
			if got := eval(ctx, `document.body.textContent`); !strings.Contains(got, "Refusjonen er på vei") || !strings.Contains(got, "Er dere der?") {
				t.Fatalf("ticket page lacks the chat")
			}
			eval(vctx, R+`.getElementById("transcript").click(), ""`)
			mail := webtest.WaitMail(t, capture, "the transcript", func(env *enmime.Envelope, c mailtest.Captured) bool {
				return strings.Contains(env.GetHeader("To"), "kari@kunde.example") && strings.Contains(env.Text, "Refusjonen er p") // the raw mail is UTF-8 quoted-printable
			})
			if !strings.Contains(mail.Text, "Ordrenummer 1234") || !strings.Contains(mail.GetHeader("Subject"), "#"+ticketID) {
				t.Fatalf("transcript mail %q: %s", mail.GetHeader("Subject"), mail.Text)
			}

			// Out of hours: the only business hours are on another weekday.
			day := []string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}[(int(time.Now().UTC().Weekday())+3)%7]
			if code, body := api(t, "POST", s.url+"/api/v1/business-calendars", tok, map[string]any{"name": "Butikktid", "time_zone": "UTC",
				"schedule": map[string]any{day: []map[string]string{{"start": "09:00", "end": "09:30"}}}}); code != 201 {
				t.Fatalf("calendar: %d %v", code, body)
			}
			vstep("the browser forgets the first visitor", chromedp.Navigate(shop.URL+"/plain"))
			eval(vctx, `localStorage.clear(), sessionStorage.clear(), ""`)
			vstep("a new visitor comes by", chromedp.Navigate(shop.URL))
			wait(vctx, "the widget", `!!document.getElementById("ombud-chat") && !!`+R+`.getElementById("launcher")`)
			eval(vctx, R+`.getElementById("launcher").click(), ""`)
			wait(vctx, "the leave-a-message form", `!!`+R+`.getElementById("leave")`)
			if got := eval(vctx, R+`.getElementById("reason").textContent`); !strings.Contains(got, "Vi har stengt nå") {
				t.Fatalf("reason: %q", got)
			}
			eval(vctx, `(() => { const r = `+R+`; r.getElementById("leave-name").value = "Ola Kunde"; r.getElementById("leave-email").value = "ola@kunde.example";
				r.getElementById("leave-message").value = "Kan dere ringe meg om byttet?"; r.getElementById("leave-send").click(); return "" })()`)
			wait(vctx, "the thank-you", `!!`+R+`.getElementById("left")`)
			screenshot(t, vctx, engine, "chat-leave-message.png")
			code, found := api(t, "GET", s.url+"/api/v1/search?q=tag:chat-offline", tok, nil)
			if code != 200 || len(found["data"].([]any)) != 1 {
				t.Fatalf("left message: %d %v", code, found)
			}
			left := int64(found["data"].([]any)[0].(map[string]any)["id"].(float64))
			if code, body := api(t, "POST", fmt.Sprintf("%s/api/v1/tickets/%d/comments", s.url, left), tok, map[string]any{"body": "Vi ringer deg i morgen klokka ti."}); code != 201 {
				t.Fatalf("reply: %d %v", code, body)
			}
			webtest.WaitMail(t, capture, "the reply to the left message", func(env *enmime.Envelope, c mailtest.Captured) bool {
				return strings.Contains(env.GetHeader("To"), "ola@kunde.example") && strings.Contains(env.Text, "Vi ringer deg i morgen klokka ti.")
			})
		})
	}
}
