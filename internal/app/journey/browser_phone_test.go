package journey_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/ombud/ombud/internal/dbtest"
	"github.com/ombud/ombud/internal/webhook"
)

// TestBrowserPhoneCall is a call coming in, on both engines: an admin adds
// a phone integration in the browser and copies its secret; an agent waits
// on the ticket list; the provider posts a signed "started" event for a
// known customer's number; the pop appears with the customer's name and
// opens the call's ticket; "ended" adds the call with its duration to the
// ticket's history.
func TestBrowserPhoneCall(t *testing.T) {
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) {
			env := map[string]string{"OMBUD_DATA": dbtest.MigratedSQLiteDir(t), "OMBUD_LOG_LEVEL": "warn"}
			if engine == "postgres" {
				env["OMBUD_DATABASE_URL"] = dbtest.NewMigratedPostgresDatabase(t)
			}
			for _, u := range [][3]string{{"ivar@ombud.test", "Ivar Aasen", "admin"}, {"siri@ombud.test", "Siri Moe", "agent"}} {
				if code, _, er := run(t, env, "user", "create", "--email", u[0], "--name", u[1], "--role", u[2], "--password", "browser-pass-9"); code != 0 {
					t.Fatal(er)
				}
			}
			code, token, er := run(t, env, "token", "create", "--email", "ivar@ombud.test")
			if code != 0 {
				t.Fatal(er)
			}
			token = strings.TrimSpace(token)
			s := serve(t, env)
			st, kari := api(t, "POST", s.url+"/api/v1/customers", token, map[string]any{"name": "Kari Nordmann", "phones": []string{"+47 912 34 567"}})
			if st != 201 {
				t.Fatalf("customer: %d %v", st, kari)
			}
			if st, tk := api(t, "POST", s.url+"/api/v1/tickets", token, map[string]any{"subject": "Faktura mangler", "description": "Hvor er fakturaen?",
				"channel": "web", "requester_id": kari["id"]}); st != 201 {
				t.Fatalf("earlier ticket: %d %v", st, tk)
			}

			ctx := browser(t)
			step := stepper(t, ctx)
			read := func(what string, a chromedp.Action[string]) string {
				t.Helper()
				v, err := chromedp.Run(ctx, a)
				if err != nil {
					t.Fatalf("browser: %s: %v", what, err)
				}
				return v
			}
			step("sign in", signIn(s.url+"/admin/phone", "ivar@ombud.test", "browser-pass-9"), chromedp.WaitVisible(chromedp.ID("f-name")))
			step("add a phone integration",
				chromedp.SendKeys(chromedp.ID("f-name"), "Switchboard"),
				chromedp.SendKeys(chromedp.ID("f-country"), "47"),
				chromedp.SendKeys(chromedp.ID("f-callurl"), "https://provider.example/call?to={number}"),
				chromedp.Submit(chromedp.ID("f-name")),
				chromedp.WaitVisible(chromedp.ID("phone-secret")))
			secret := read("copy the secret", chromedp.Value(chromedp.ID("phone-secret")))
			hook := read("copy the URL", chromedp.Value(chromedp.ID("phone-hook")))
			if !strings.HasPrefix(secret, "whsec_") || !strings.HasSuffix(hook, "/events") {
				t.Fatalf("secret %q, hook %q", secret, hook)
			}
			hook = s.url + hook[strings.Index(hook, "/api/"):]

			step("sign out", chromedp.Click(chromedp.CSS("details.user-menu > summary")), chromedp.Click(chromedp.CSS(`form[action="/logout"] button`)), chromedp.WaitVisible(chromedp.ID("email")))
			step("the agent waits on the ticket list", signIn(s.url+"/tickets", "siri@ombud.test", "browser-pass-9"),
				loadedWhere(`location.pathname === "/tickets" && !document.getElementById("email")`))
			step("the page's live stream opens", chromedp.WaitReady(chromedp.CSS(`html[data-live="open"]`)))
			res := postCall(t, hook, secret, map[string]any{"call_id": "call-1", "event": "started", "from": "912 34 567", "to": "+4722000000", "agent_email": "siri@ombud.test"})
			ticketID := int64(res["ticket_id"].(float64))
			step("the pop appears", chromedp.WaitVisible(chromedp.CSS("section.call-pop")))
			pop := read("read the pop", chromedp.Text(chromedp.CSS("section.call-pop")))
			if !strings.Contains(pop, "Incoming call from Kari Nordmann") || !strings.Contains(pop, "+4791234567") || !strings.Contains(pop, fmt.Sprintf("#%d Phone call from Kari Nordmann", ticketID)) ||
				!strings.Contains(pop, "Faktura mangler") {
				t.Fatalf("pop %q", pop)
			}
			screenshot(t, ctx, engine, "phone-pop.png")
			step("open the ticket", chromedp.Click(chromedp.CSS("section.call-pop a.call-pop-open")),
				chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf(`main[data-ticket="%d"]`, ticketID))))
			callLink, err := chromedp.Run(ctx, chromedp.AttributeValue(chromedp.CSS("a.call-link"), "href"))
			if err != nil || callLink.Value != "https://provider.example/call?to=%2B4791234567" {
				t.Fatalf("click-to-call link %+v %v", callLink, err)
			}

			postCall(t, hook, secret, map[string]any{"call_id": "call-1", "event": "ended", "from": "912 34 567", "duration_s": 125, "recording_url": "https://rec.example/call-1.mp3"})
			history := ""
			for i := 0; !strings.Contains(history, "ended after 2:05"); i++ {
				if i > 50 {
					t.Fatalf("history %q", history)
				}
				step("reload the ticket", chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS("details.history summary")))
				step("open the history", chromedp.Click(chromedp.CSS("details.history summary")), chromedp.WaitVisible(chromedp.CSS("details.history ol")))
				history = read("read the history", chromedp.Text(chromedp.CSS("details.history ol")))
				time.Sleep(50 * time.Millisecond)
			}
			if !strings.Contains(history, "incoming call from +4791234567") || !strings.Contains(history, "Recording") {
				t.Fatalf("history %q", history)
			}
		})
	}
}

// postCall posts a call event signed as a provider does (Standard
// Webhooks headers) and wants 200.
func postCall(t *testing.T, url, secret string, payload map[string]any) map[string]any {
	t.Helper()
	body, _ := json.Marshal(payload)
	now := time.Now()
	id := fmt.Sprintf("msg_%s_%s", payload["call_id"], payload["event"])
	sig, err := webhook.Sign(secret, id, now, body)
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest("POST", url, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("webhook-id", id)
	req.Header.Set("webhook-timestamp", strconv.FormatInt(now.Unix(), 10))
	req.Header.Set("webhook-signature", sig)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var out map[string]any
	_ = json.Unmarshal(b, &out)
	if resp.StatusCode != 200 {
		t.Fatalf("call event %s: %d %s", body, resp.StatusCode, b)
	}
	return out
}
