package journey_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserChatDock is the chat dock journey on both engines: Ingrid
// works in the inbox when a chat is offered; the dock in the corner shows
// the offer live and she accepts it there, then closes the panel and opens
// another ticket. The visitor (the widget's HTTP calls) writes; the dock on
// the ticket page shows the chat's unread message live; Ingrid opens the
// chat in the dock, sees the visitor typing and answers without leaving
// the page, and the visitor receives it. Back in the inbox the dock still has the chat open with its
// whole history, every message once.
func TestBrowserChatDock(t *testing.T) {
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) {
			s, tok, ingrid := chatDesk(t, engine)
			const pw = chatPassword
			code, tk := api(t, "POST", s.url+"/api/v1/tickets", tok, map[string]any{
				"subject": "Faktura mangler", "description": "Jeg fikk ingen faktura.", "channel": "email",
				"requester": map[string]string{"email": "ola@kunde.example", "name": "Ola Nordmann"}, "assignee_id": ingrid,
			})
			if code != 201 {
				t.Fatalf("ticket: %d %v", code, tk)
			}
			other := int64(tk["id"].(float64))

			// The visitor: the widget's own HTTP calls.
			visitor := func(path string, body map[string]any) map[string]any {
				t.Helper()
				b, _ := json.Marshal(body)
				res, err := http.Post(s.url+path, "application/json", bytes.NewReader(b))
				if err != nil {
					t.Fatal(err)
				}
				defer res.Body.Close()
				var out map[string]any
				_ = json.NewDecoder(res.Body).Decode(&out)
				if res.StatusCode >= 300 {
					t.Fatalf("visitor %s: %d %v", path, res.StatusCode, out)
				}
				return out
			}
			started := visitor("/widget/start", map[string]any{"name": "Kari Kunde", "email": "kari@kunde.example", "topic": "Hvor er pakken min?", "language": "nb"})
			token := started["token"].(string)
			visitorGot := func() []string {
				t.Helper()
				p := visitor("/widget/poll", map[string]any{"token": token, "after": 0})
				var out []string
				for _, m := range p["messages"].([]any) {
					mm := m.(map[string]any)
					out = append(out, mm["author"].(string)+": "+mm["body"].(string))
				}
				return out
			}

			ctx := browserFor(t, 4*time.Minute)
			step := stepper(t, ctx)
			eval := func(js string) string {
				t.Helper()
				v, err := chromedp.Run(ctx, chromedp.Evaluate[string](js))
				if err != nil {
					t.Fatalf("browser: %s: %v", js, err)
				}
				return v
			}
			wait := func(what, js string) {
				t.Helper()
				deadline := time.Now().Add(30 * time.Second)
				for time.Now().Before(deadline) {
					ec, cancel := context.WithTimeout(ctx, 5*time.Second)
					v, err := chromedp.Run(ec, chromedp.Evaluate[bool](js))
					cancel()
					if err == nil && v {
						return
					}
					time.Sleep(150 * time.Millisecond)
				}
				t.Fatalf("timed out waiting for %s: dock %s", what, eval(`(document.getElementById("chat-dock") || {}).innerText || "none"`))
			}
			logCount := func(text string) int {
				t.Helper()
				n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`Array.from(document.querySelectorAll("#chat-dock .dock-log li[data-seq]")).filter(li => li.textContent.includes(`+strconv.Quote(text)+`)).length`))
				if err != nil {
					t.Fatal(err)
				}
				return n
			}
			const live = `document.getElementById("chat-dock")?.dataset.live === "open"`

			// The offer already waits: the inbox renders it in the dock.
			step("Ingrid signs in to the inbox", signIn(s.url+"/tickets", "ingrid@ombud.test", pw),
				loadedWhere(`location.pathname === "/tickets" && !!document.getElementById("chat-dock")`))
			wait("the offer in the dock", live+` && !!document.querySelector("#chat-dock .dock-offer .accept")`)
			if got := eval(`document.querySelector("#chat-dock .dock-offer").textContent`); !strings.Contains(got, "Kari Kunde") || !strings.Contains(got, "Hvor er pakken min?") {
				t.Fatalf("offer: %q", got)
			}
			step("Ingrid accepts in the dock", chromedp.Click(chromedp.CSS("#chat-dock .dock-offer .accept")))
			wait("the chat in the dock's panel", `!document.querySelector("#chat-dock .dock-panel").hidden && Array.from(document.querySelectorAll("#chat-dock .dock-log li[data-seq]")).some(li => li.textContent.includes("Hvor er pakken min?"))`)
			step("she closes the panel and opens another ticket", chromedp.Click(chromedp.CSS("#chat-dock .dock-close")),
				chromedp.Navigate(fmt.Sprintf("%s/tickets/%d", s.url, other)),
				loadedWhere(fmt.Sprintf(`location.pathname === "/tickets/%d" && !!document.querySelector("#chat-dock .dock-chat")`, other)))
			if got := eval(`document.querySelector("#chat-dock .dock-panel").hidden + " " + document.querySelector("#chat-dock .dock-chat").textContent`); !strings.HasPrefix(got, "true ") || !strings.Contains(got, "Kari Kunde") {
				t.Fatalf("dock on the ticket page: %q", got)
			}
			wait("the dock's stream", live)

			visitor("/widget/messages", map[string]any{"token": token, "client_id": "v-1", "body": "Ordrenummer 1234"})
			wait("the unread message in the dock", `(() => { const u = document.querySelector("#chat-dock .dock-chat .dock-unread"); return !!u && !u.hidden && u.textContent.includes("1") })()`)
			if got := eval(`document.querySelector("#chat-dock .dock-chat").textContent + "|" + document.querySelector("#chat-dock .dock-badge").textContent`); !strings.Contains(got, "Waiting for your reply") || !strings.HasSuffix(got, "|1") {
				t.Fatalf("unread chat: %q", got)
			}

			step("Ingrid opens the chat in the dock and answers", chromedp.Click(chromedp.CSS("#chat-dock .dock-chat .dock-open")))
			wait("the visitor's message in the panel", `Array.from(document.querySelectorAll("#chat-dock .dock-log li[data-seq]")).some(li => li.textContent.includes("Ordrenummer 1234"))`)
			visitor("/widget/typing", map[string]any{"token": token, "typing": true})
			wait("the visitor typing in the panel", `!document.querySelector("#chat-dock .dock-typing").hidden`)
			step("she writes", chromedp.SetValue(chromedp.CSS("#chat-dock .dock-reply"), "Jeg sjekker nå"), chromedp.Click(chromedp.CSS("#chat-dock .dock-send")))
			wait("her reply stored", `Array.from(document.querySelectorAll("#chat-dock .dock-log li[data-seq]")).some(li => li.textContent.includes("Jeg sjekker nå"))`)
			if got := eval(`location.pathname`); got != fmt.Sprintf("/tickets/%d", other) {
				t.Fatalf("the agent left the page: %s", got)
			}
			deadline := time.Now().Add(20 * time.Second)
			for !strings.Contains(strings.Join(visitorGot(), "\n"), "agent: Jeg sjekker nå") {
				if time.Now().After(deadline) {
					t.Fatalf("the visitor did not get the reply: %v", visitorGot())
				}
				time.Sleep(200 * time.Millisecond)
			}

			step("Ingrid goes to the inbox", chromedp.Navigate(s.url+"/tickets"),
				loadedWhere(`location.pathname === "/tickets" && !!document.getElementById("chat-dock")`))
			wait("the chat open in the dock with its history", `!document.querySelector("#chat-dock .dock-panel").hidden && Array.from(document.querySelectorAll("#chat-dock .dock-log li[data-seq]")).some(li => li.textContent.includes("Jeg sjekker nå"))`)
			for _, text := range []string{"Hvor er pakken min?", "Ordrenummer 1234", "Jeg sjekker nå"} {
				if n := logCount(text); n != 1 {
					t.Fatalf("%q shows %d times in the dock", text, n)
				}
			}
			n := 0
			for _, m := range visitorGot() {
				if m == "agent: Jeg sjekker nå" {
					n++
				}
			}
			if n != 1 {
				t.Fatalf("the visitor has the reply %d times: %v", n, visitorGot())
			}
			if got := eval(`String(document.querySelector("header.top").getBoundingClientRect().height < 80)`); got != "true" {
				t.Fatalf("the header wraps")
			}
			screenshot(t, ctx, engine, "chat-dock.png")
		})
	}
}
