package journey_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/ombud/ombud/internal/dbtest"
)

// TestBrowserChatTwoInstances is live chat across two ombud instances on
// one PostgreSQL database (LISTEN/NOTIFY fan-out; SQLite is one instance
// by design): the shop's page loads the widget from instance A; Ingrid's
// console is on instance B and Petter's on A, both online. The chat is
// offered to one of them only; they accept it on their own instance and
// the two write to each other in real time, the agent putting a knowledge
// article's link into the reply from the composer's suggestions; then the
// agent transfers the chat to the colleague on the other instance, who
// accepts and answers. Every message reaches the other side once. Before,
// the lead changes a proactive invitation rule on the settings page.
func TestBrowserChatTwoInstances(t *testing.T) {
	env := map[string]string{"OMBUD_DATA": dbtest.MigratedSQLiteDir(t), "OMBUD_LOG_LEVEL": "warn", "OMBUD_DATABASE_URL": dbtest.NewMigratedPostgresDatabase(t)}
	const pw = "browser-pass-7"
	for _, u := range [][]string{{"lead@ombud.test", "Lea Lead", "admin"}, {"ingrid@ombud.test", "Ingrid", "agent"}, {"petter@ombud.test", "Petter", "agent"}} {
		if code, _, er := run(t, env, "user", "create", "--email", u[0], "--name", u[1], "--role", u[2], "--password", pw); code != 0 {
			t.Fatal(er)
		}
	}
	_, tok, _ := run(t, env, "token", "create", "--email", "lead@ombud.test")
	tok = strings.TrimSpace(tok)
	a, b := serve(t, env), serve(t, env) // two instances, one database
	_, agents := api(t, "GET", a.url+"/api/v1/agents?limit=100", tok, nil)
	ids := map[string]int64{}
	for _, x := range agents["data"].([]any) {
		m := x.(map[string]any)
		ids[m["email"].(string)] = int64(m["id"].(float64))
	}
	// A public article the composer will suggest from the visitor's words.
	code, cat := api(t, "POST", a.url+"/api/v1/kb/categories", tok, map[string]any{"names": []map[string]string{{"language": "en", "name": "Orders"}}})
	if code != 201 {
		t.Fatalf("category: %d %v", code, cat)
	}
	code, sec := api(t, "POST", fmt.Sprintf("%s/api/v1/kb/categories/%d/sections", a.url, int64(cat["id"].(float64))), tok,
		map[string]any{"names": []map[string]string{{"language": "en", "name": "Delivery"}}})
	if code != 201 {
		t.Fatalf("section: %d %v", code, sec)
	}
	code, art := api(t, "POST", a.url+"/api/v1/articles", tok, map[string]any{"section_id": sec["id"], "language": "en", "title": "Tracking your parcel",
		"body": "Open the tracking page to follow your parcel delivery.", "visibility": "public"})
	if code != 201 {
		t.Fatalf("article: %d %v", code, art)
	}
	artID := int64(art["id"].(float64))
	if code, body := api(t, "POST", fmt.Sprintf("%s/api/v1/articles/%d/state", a.url, artID), tok, map[string]any{"state": "published"}); code != 200 {
		t.Fatalf("publish: %d %v", code, body)
	}
	for _, who := range []string{"ingrid@ombud.test", "petter@ombud.test"} {
		if code, body := api(t, "PUT", fmt.Sprintf("%s/api/v1/agents/%d/availability", b.url, ids[who]), tok, map[string]any{"availability": "online"}); code != 200 {
			t.Fatalf("online: %d %v", code, body)
		}
	}
	shop := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!doctype html><html lang="en"><head><title>The shop</title></head><body><h1>The shop</h1>
<script src="%s/widget.js" async data-lang="en"></script></body></html>`, a.url)
	}))
	t.Cleanup(shop.Close)

	// Two browsers (two cookie jars: the instances share the host
	// 127.0.0.1, and cookies do not tell ports apart). The first has
	// Ingrid's console on B and the visitor's tab; the second Petter's
	// console on A.
	ictx := browserFor(t, 5*time.Minute)
	pctx := browserFor(t, 5*time.Minute)
	vctx, cancel := chromedp.NewContext(ictx)
	t.Cleanup(cancel)
	if err := chromedp.Do(vctx); err != nil {
		t.Fatal(err)
	}
	eval := func(c context.Context, js string) string {
		t.Helper()
		v, err := chromedp.Run(c, chromedp.Evaluate[string](js))
		if err != nil {
			t.Fatalf("browser: %s: %v", js, err)
		}
		return v
	}
	check := func(c context.Context, js string) bool {
		ec, cancel := context.WithTimeout(c, 5*time.Second)
		defer cancel()
		v, err := chromedp.Run(ec, chromedp.Evaluate[bool](js))
		return err == nil && v
	}
	wait := func(c context.Context, what, js string) {
		t.Helper()
		deadline := time.Now().Add(30 * time.Second)
		for time.Now().Before(deadline) {
			if check(c, js) {
				return
			}
			time.Sleep(150 * time.Millisecond)
		}
		t.Fatalf("timed out waiting for %s", what)
	}
	const R = `document.getElementById("ombud-chat").shadowRoot`
	visitorSees := func(what string) {
		t.Helper()
		wait(vctx, "the visitor to see "+what, `!!document.getElementById("ombud-chat") && Array.from(`+R+`.querySelectorAll("#log li[data-seq]")).some(li => li.textContent.includes(`+strconv.Quote(what)+`))`)
	}
	agentSees := func(c context.Context, what string) {
		t.Helper()
		wait(c, "the agent to see "+what, `Array.from(document.querySelectorAll("#chats .log li[data-seq]")).some(li => li.textContent.includes(`+strconv.Quote(what)+`))`)
	}
	visitorSays := func(text string) {
		t.Helper()
		eval(vctx, `(() => { const r = `+R+`; r.getElementById("input").value = `+strconv.Quote(text)+`; r.getElementById("send").click(); return "" })()`)
	}
	agentSays := func(c context.Context, text string) {
		t.Helper()
		stepper(t, c)("the agent writes "+text, chromedp.SetValue(chromedp.CSS("#chats .chat .reply"), text), chromedp.Click(chromedp.CSS("#chats .chat .send")))
	}
	count := func(c context.Context, sel, text string) int {
		t.Helper()
		n, err := chromedp.Run(c, chromedp.Evaluate[int](`Array.from(`+sel+`).filter(li => li.textContent.includes(`+strconv.Quote(text)+`)).length`))
		if err != nil {
			t.Fatal(err)
		}
		return n
	}

	// The lead changes a proactive invitation rule on the settings page
	// (instance A) and switches it off, then signs out.
	code, inv := api(t, "POST", a.url+"/api/v1/chat/invitations", tok, map[string]any{"name": "Checkout", "url_pattern": "/checkout*",
		"messages": map[string]string{"en": "Need help?"}})
	if code != 201 {
		t.Fatalf("invitation: %d %v", code, inv)
	}
	pstep := stepper(t, pctx)
	pstep("the lead opens the chat settings", signIn(a.url+"/admin/chat", "lead@ombud.test", pw), chromedp.WaitVisible(chromedp.CSS("#invitation-list .inv-edit")))
	pstep("the lead changes the rule", chromedp.Click(chromedp.CSS("#invitation-list .inv-edit")), chromedp.WaitVisible(chromedp.ID("invitation-save")),
		chromedp.SetValue(chromedp.ID("i-name"), "Checkout help"), chromedp.SetValue(chromedp.ID("i-seconds"), "30"),
		chromedp.Click(chromedp.ID("i-enabled")), chromedp.Click(chromedp.ID("invitation-save")), chromedp.WaitVisible(chromedp.CSS("p.flash")))
	if got := eval(pctx, `document.getElementById("invitation-list").textContent`); !strings.Contains(got, "Checkout help") || !strings.Contains(got, "(off)") ||
		!strings.Contains(got, "30 s on the page") {
		t.Fatalf("the changed rule: %q", got)
	}
	pstep("the lead signs out", chromedp.Click(chromedp.CSS("details.user-menu > summary")), chromedp.Click(chromedp.CSS(`form[action="/logout"] button`)),
		chromedp.WaitVisible(chromedp.ID("email")))

	stepper(t, ictx)("Ingrid opens the console on instance B", signIn(b.url+"/chat", "ingrid@ombud.test", pw), chromedp.WaitVisible(chromedp.ID("offers")))
	stepper(t, pctx)("Petter opens the console on instance A", signIn(a.url+"/chat", "petter@ombud.test", pw), chromedp.WaitVisible(chromedp.ID("offers")))

	vstep := stepper(t, vctx)
	vstep("the visitor opens the shop (the widget from instance A)", chromedp.Navigate(shop.URL))
	wait(vctx, "the widget", `!!document.getElementById("ombud-chat") && !!`+R+`.getElementById("launcher")`)
	eval(vctx, R+`.getElementById("launcher").click(), ""`)
	wait(vctx, "the pre-chat form", `!!`+R+`.getElementById("prechat")`)
	eval(vctx, `(() => { const r = `+R+`; r.getElementById("name").value = "Kari Customer"; r.getElementById("email").value = "kari@customer.example";
		r.getElementById("topic").value = "Where is my parcel?"; r.getElementById("start").click(); return "" })()`)
	visitorSees("Where is my parcel?")

	// The offer goes to one of them; the other's console (on the other
	// instance) never shows it.
	const hasOffer = `!!document.querySelector("#offers .accept")`
	var first, second context.Context
	var firstName, secondName, secondEmail, secondURL string
	deadline := time.Now().Add(30 * time.Second)
	for first == nil {
		if time.Now().After(deadline) {
			t.Fatal("the chat was offered to nobody")
		}
		inI, inP := check(ictx, hasOffer), check(pctx, hasOffer)
		switch {
		case inI && inP:
			t.Fatal("the chat was offered to both agents at once")
		case inI:
			first, second, firstName, secondName, secondEmail, secondURL = ictx, pctx, "Ingrid", "Petter", "petter@ombud.test", a.url
		case inP:
			first, second, firstName, secondName, secondEmail, secondURL = pctx, ictx, "Petter", "Ingrid", "ingrid@ombud.test", b.url
		}
		time.Sleep(150 * time.Millisecond)
	}
	for range 12 { // over two of the consoles' 5-second refreshes
		if check(second, hasOffer) {
			t.Fatalf("%s got the offer %s holds", secondName, firstName)
		}
		time.Sleep(time.Second)
	}
	stepper(t, first)(firstName+" accepts", chromedp.Click(chromedp.CSS("#offers .accept")), chromedp.WaitVisible(chromedp.CSS("#chats .chat .reply")))
	agentSees(first, "Where is my parcel?")
	visitorSees(firstName + " joined the chat")

	visitorSays("Order 1234, it was due yesterday")
	agentSees(first, "Order 1234, it was due yesterday")
	// The composer suggests the article from the visitor's words; its link
	// goes into the reply.
	wait(first, "the suggested article", `!!document.querySelector("#chats .chat .kb-article[data-article='`+strconv.FormatInt(artID, 10)+`'] .kb-link")`)
	stepper(t, first)("the agent inserts the article's link", chromedp.Click(chromedp.CSS("#chats .chat .kb-article .kb-link")))
	wait(first, "the link in the composer", `document.querySelector("#chats .chat .reply").value.includes("/help/en/articles/`+strconv.FormatInt(artID, 10)+`-")`)
	stepper(t, first)("the agent sends it", chromedp.Click(chromedp.CSS("#chats .chat .send")))
	visitorSees("Tracking your parcel: ")
	agentSays(first, "It left the warehouse this morning")
	visitorSees("It left the warehouse this morning")

	// The transfer: to the colleague on the other instance.
	stepper(t, first)(firstName+" transfers the chat", chromedp.SetValue(chromedp.CSS("#chats .chat .transfer-to"), fmt.Sprintf("agent:%d", ids[secondEmail])),
		chromedp.SetValue(chromedp.CSS("#chats .chat .transfer-note"), "Wants a delivery date"),
		chromedp.Click(chromedp.CSS("#chats .chat .transfer")))
	wait(first, "the chat to leave the first console", `!document.querySelector("#chats .chat")`)
	visitorSees("You are being transferred to another agent")
	wait(second, "the transferred offer on "+secondURL, hasOffer+` && document.querySelector("#offers .note").textContent.includes("Wants a delivery date")`)
	if check(first, hasOffer) {
		t.Fatal("the transferred chat was offered back to the first agent too")
	}
	stepper(t, second)(secondName+" accepts", chromedp.Click(chromedp.CSS("#offers .accept")), chromedp.WaitVisible(chromedp.CSS("#chats .chat .reply")))
	agentSees(second, "It left the warehouse this morning")
	visitorSees(secondName + " joined the chat")
	agentSays(second, "It arrives tomorrow before noon")
	visitorSees("It arrives tomorrow before noon")
	visitorSays("Thank you!")
	agentSees(second, "Thank you!")
	for _, text := range []string{"Where is my parcel?", "Order 1234, it was due yesterday", "Tracking your parcel: ", "It left the warehouse this morning",
		"It arrives tomorrow before noon", "Thank you!"} {
		if n := count(vctx, R+`.querySelectorAll("#log li")`, text); n != 1 {
			t.Fatalf("%q shows %d times in the widget", text, n)
		}
		if n := count(second, `document.querySelectorAll("#chats .log li")`, text); n != 1 {
			t.Fatalf("%q shows %d times in %s's console", text, n, secondName)
		}
	}
}
