package journey_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/golang-jwt/jwt/v5"
)

// TestBrowserChatPagesAndPrechat is the widget's page rules, pre-chat form
// and JWT identity on both engines: the admin shows the widget on /shop/*
// only, adds a topic (the topic stays required) and sets the identity
// secret on the settings page. On the shop's /about page the widget shows
// no button; on /shop/shoes it does, and it goes away and comes back when
// the page changes its address like a single-page site. The pre-chat form
// refuses a chat without a topic, with the error beside the field in
// Norwegian, and starts one with it. On /shop/account the host page passes
// a JWT: the form asks only for the topic, and the chat's ticket is that
// customer's.
func TestBrowserChatPagesAndPrechat(t *testing.T) {
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) {
			s, tok, _ := chatDesk(t, engine)
			const pw = chatPassword
			const secret = "shop-identity-secret-2026"
			// The shop signs its logged-in customer's identity server-side.
			idToken, err := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{"email": "vera@kunde.example", "name": "Vera Viking",
				"iat": time.Now().Unix(), "exp": time.Now().Add(time.Hour).Unix()}).SignedString([]byte(secret))
			if err != nil {
				t.Fatal(err)
			}
			shop := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "text/html; charset=utf-8")
				attrs := ""
				if r.URL.Path == "/shop/account" {
					attrs = ` data-user-jwt="` + idToken + `"`
				}
				fmt.Fprintf(w, `<!doctype html><html lang="nb"><head><title>Butikken</title></head><body><h1>Butikken %s</h1>
<script src="%s/widget.js" async data-lang="nb"%s></script></body></html>`, r.URL.Path, s.url, attrs)
			}))
			t.Cleanup(shop.Close)

			ctx := browserFor(t, 5*time.Minute)
			step := stepper(t, ctx)
			eval := func(c context.Context, js string) string {
				t.Helper()
				v, err := chromedp.Run(c, chromedp.Evaluate[string](js))
				if err != nil {
					t.Fatalf("browser: %s: %v", js, err)
				}
				return v
			}
			wait := func(c context.Context, what, js string) {
				t.Helper()
				deadline := time.Now().Add(30 * time.Second)
				for time.Now().Before(deadline) {
					ec, cancel := context.WithTimeout(c, 5*time.Second)
					v, err := chromedp.Run(ec, chromedp.Evaluate[bool](js))
					cancel()
					if err == nil && v {
						return
					}
					time.Sleep(150 * time.Millisecond)
				}
				t.Fatalf("timed out waiting for %s", what)
			}
			// mark tags the page so a wait can tell the next page from it.
			mark := chromedp.Action[chromedp.Void](func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
				_, err := chromedp.Evaluate[bool](`window.__old = true`)(ctx, tg)
				return chromedp.Void{}, err
			})
			saved := func(section string) chromedp.Action[chromedp.Void] {
				return loadedWhere(`!window.__old && location.pathname === "/admin/chat" && location.search.includes("saved=1") && location.hash === "#` + section + `"`)
			}

			step("the admin sets the identity secret", signIn(s.url+"/admin/chat", "lead@ombud.test", pw),
				chromedp.WaitVisible(chromedp.ID("f-secret")), chromedp.SetValue(chromedp.ID("f-secret"), secret), mark,
				chromedp.Submit(chromedp.ID("f-secret")), loadedWhere(`!window.__old && location.search.includes("saved=1")`))
			step("the admin shows the widget on /shop/* only", chromedp.SetValue(chromedp.ID("p-show"), "/shop/*"), mark,
				chromedp.Click(chromedp.ID("pages-save")), saved("pages"))
			if got := eval(ctx, `document.getElementById("p-show").value`); got != "/shop/*" {
				t.Fatalf("show on: %q", got)
			}
			step("the admin adds a topic; the topic stays required", chromedp.SetValue(chromedp.ID("c-topic-0"), "Bestillinger"), mark,
				chromedp.Click(chromedp.ID("prechat-save")), saved("prechat"))
			if got := eval(ctx, `document.getElementById("c-topic-0").value + "|" + document.getElementById("c-topic").value`); got != "Bestillinger|required" {
				t.Fatalf("pre-chat form: %q", got)
			}
			screenshot(t, ctx, engine, "chat-settings-pages-prechat.png")

			vctx, cancel := chromedp.NewContext(ctx) // the visitor's tab
			t.Cleanup(cancel)
			if err := chromedp.Do(vctx); err != nil {
				t.Fatal(err)
			}
			vstep := stepper(t, vctx)
			const R = `document.getElementById("ombud-chat").shadowRoot`
			configLoaded := `performance.getEntriesByType("resource").some(e => e.name.includes("/widget/config"))`

			vstep("the visitor opens the shop's about page", chromedp.Navigate(shop.URL+"/about"), loadedWhere(`location.pathname === "/about"`))
			wait(vctx, "the widget's config", configLoaded)
			time.Sleep(700 * time.Millisecond) // what the widget does after its config
			if got := eval(vctx, `String(!!document.getElementById("ombud-chat")) + "|" + performance.getEntriesByType("resource").filter(e => /widget\/(ws|poll)/.test(e.name)).length`); got != "false|0" {
				t.Fatalf("the widget on a page it is not shown on: %q", got)
			}

			vstep("the visitor opens a shop page", chromedp.Navigate(shop.URL+"/shop/shoes"), loadedWhere(`location.pathname === "/shop/shoes"`))
			wait(vctx, "the widget's button", `!!document.getElementById("ombud-chat") && !!`+R+`.getElementById("launcher")`)
			eval(vctx, `history.pushState({}, "", "/about"), ""`)
			wait(vctx, "the button to go on a page it is not shown on", `document.getElementById("ombud-chat").style.display === "none"`)
			eval(vctx, `history.pushState({}, "", "/shop/boots"), ""`)
			wait(vctx, "the button to come back", `document.getElementById("ombud-chat").style.display === ""`)

			eval(vctx, R+`.getElementById("launcher").click(), ""`)
			wait(vctx, "the pre-chat form", `!!`+R+`.getElementById("prechat") && !!`+R+`.querySelector("select#topic")`)
			eval(vctx, `(() => { const r = `+R+`; r.getElementById("name").value = "Kari Kunde"; r.getElementById("email").value = "kari@kunde.example";
				r.getElementById("start").click(); return "" })()`)
			wait(vctx, "the topic's error", `!!`+R+`.getElementById("err-topic")`)
			if got := eval(vctx, R+`.getElementById("err-topic").textContent + "|" + `+R+`.getElementById("topic").getAttribute("aria-invalid")`); got != "Fyll ut dette feltet.|true" {
				t.Fatalf("the topic's error: %q", got)
			}
			screenshot(t, vctx, engine, "chat-widget-prechat-topic.png")
			eval(vctx, `(() => { const r = `+R+`; r.getElementById("topic").value = "Bestillinger"; r.getElementById("start").click(); return "" })()`)
			wait(vctx, "the chat", `!!`+R+`.getElementById("input") && Array.from(`+R+`.querySelectorAll("#log li[data-seq]")).some(li => li.textContent.includes("Bestillinger"))`)

			// Another browser (its own storage): the shop's logged-in customer.
			jctx := browserFor(t, 5*time.Minute)
			jstep := stepper(t, jctx)
			jstep("the customer opens their account page", chromedp.Navigate(shop.URL+"/shop/account"), loadedWhere(`location.pathname === "/shop/account"`))
			wait(jctx, "the widget's button", `!!document.getElementById("ombud-chat") && !!`+R+`.getElementById("launcher")`)
			eval(jctx, R+`.getElementById("launcher").click(), ""`)
			wait(jctx, "the pre-chat form", `!!`+R+`.getElementById("prechat")`)
			if got := eval(jctx, `(() => { const r = `+R+`; return [!!r.getElementById("name"), !!r.getElementById("email"), !!r.getElementById("topic")].join() })()`); got != "false,false,true" {
				t.Fatalf("an identified visitor's form (name, email, topic): %q", got)
			}
			eval(jctx, `(() => { const r = `+R+`; r.getElementById("topic").value = "Bestillinger"; r.getElementById("start").click(); return "" })()`)
			wait(jctx, "the chat", `!!`+R+`.getElementById("input")`)

			// The chat's ticket is the identified customer's.
			_, list := api(t, "GET", s.url+"/api/v1/tickets?limit=100", tok, nil)
			found := ""
			for _, x := range list["data"].([]any) {
				tk := x.(map[string]any)
				if tk["channel"] != "chat" {
					continue
				}
				_, c := api(t, "GET", fmt.Sprintf("%s/api/v1/customers/%d", s.url, int64(tk["requester_id"].(float64))), tok, nil)
				if c["email"] == "vera@kunde.example" {
					found = fmt.Sprint(c["name"], "|", tk["subject"])
				}
			}
			if found != "Vera Viking|Bestillinger" {
				t.Fatalf("the identified customer's chat ticket: %q (tickets %v)", found, list["data"])
			}
		})
	}
}
