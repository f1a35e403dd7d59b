package journey_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/ombud/ombud/internal/dbtest"
	"github.com/ombud/ombud/internal/webhook"
)

// hookCall is one request the journey's receiver got.
type hookCall struct {
	id, ts, sig string
	body        []byte
}

// TestBrowserWebhooks is an admin connecting another system, on both
// engines: they add a webhook in the browser and copy its signing secret
// from the page; an agent's ticket change arrives at the receiver signed
// with that secret; the admin opens the delivery in the log and replays it,
// which arrives again under a new id.
func TestBrowserWebhooks(t *testing.T) {
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) {
			var mu sync.Mutex
			var calls []hookCall
			rc := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				b, _ := io.ReadAll(r.Body)
				mu.Lock()
				calls = append(calls, hookCall{r.Header.Get("webhook-id"), r.Header.Get("webhook-timestamp"), r.Header.Get("webhook-signature"), b})
				mu.Unlock()
			}))
			t.Cleanup(rc.Close)
			waitCalls := func(n int) []hookCall {
				t.Helper()
				for i := 0; ; i++ {
					mu.Lock()
					got := append([]hookCall(nil), calls...)
					mu.Unlock()
					if len(got) >= n {
						return got
					}
					if i > 400 {
						t.Fatalf("receiver got %d requests, want %d", len(got), n)
					}
					time.Sleep(50 * time.Millisecond)
				}
			}

			env := map[string]string{"OMBUD_DATA": dbtest.MigratedSQLiteDir(t), "OMBUD_LOG_LEVEL": "warn", "OMBUD_WEBHOOK_ALLOW_PRIVATE": "true"}
			if engine == "postgres" {
				env["OMBUD_DATABASE_URL"] = dbtest.NewMigratedPostgresDatabase(t)
			}
			for _, u := range [][2]string{{"ivar@ombud.test", "admin"}, {"siri@ombud.test", "agent"}} {
				if code, _, er := run(t, env, "user", "create", "--email", u[0], "--name", u[0], "--role", u[1], "--password", "browser-pass-9"); code != 0 {
					t.Fatal(er)
				}
			}
			code, agentToken, er := run(t, env, "token", "create", "--email", "siri@ombud.test")
			if code != 0 {
				t.Fatal(er)
			}
			agentToken = strings.TrimSpace(agentToken)
			s := serve(t, env)

			ctx := browser(t)
			step := stepper(t, ctx)
			step("sign in", signIn(s.url+"/admin/webhooks", "ivar@ombud.test", "browser-pass-9"), chromedp.WaitVisible(chromedp.ID("f-name")))
			step("add a webhook",
				chromedp.SendKeys(chromedp.ID("f-name"), "CRM sync"),
				chromedp.SendKeys(chromedp.ID("f-url"), rc.URL+"/ombud"),
				chromedp.Click(chromedp.CSS(`input[name="events"][value="ticket.updated"]`)),
				chromedp.Submit(chromedp.ID("f-name")),
				chromedp.WaitVisible(chromedp.ID("webhook-secret")))
			// The page's text, as a person reads it (what fails is the test's).
			read := func(what string, a chromedp.Action[string]) string {
				t.Helper()
				v, err := chromedp.Run(ctx, a)
				if err != nil {
					t.Fatalf("browser: %s: %v", what, err)
				}
				return v
			}
			secret := read("copy the secret", chromedp.Value(chromedp.ID("webhook-secret")))
			warning := read("read the warning", chromedp.Text(chromedp.ID("secret-title")))
			if !strings.HasPrefix(secret, "whsec_") || !strings.Contains(warning, "will not be shown again") {
				t.Fatalf("secret %q, warning %q", secret, warning)
			}

			st, tk := api(t, "POST", s.url+"/api/v1/tickets", agentToken, map[string]any{
				"subject": "Faktura mangler", "description": "Hvor er fakturaen?", "requester": map[string]any{"email": "kari@example.no"}})
			if st != 201 {
				t.Fatalf("ticket: %d %v", st, tk)
			}
			tid := int64(tk["id"].(float64))
			if st, p := api(t, "PATCH", fmt.Sprintf("%s/api/v1/tickets/%d", s.url, tid), agentToken, map[string]any{"priority": "high"}); st != 200 {
				t.Fatalf("change: %d %v", st, p)
			}
			got := waitCalls(1)[0]
			if err := webhook.Verify(secret, got.id, got.ts, got.sig, got.body, time.Now(), 5*time.Minute); err != nil {
				t.Fatalf("signature with the copied secret: %v", err)
			}
			if !strings.Contains(string(got.body), `"type":"ticket.updated"`) || !strings.Contains(string(got.body), `"priority"`) {
				t.Fatalf("body %s", got.body)
			}

			state := ""
			step("open the log", chromedp.Click(chromedp.ID("continue-webhook")), chromedp.WaitVisible(chromedp.ID("deliveries")))
			for i := 0; !strings.Contains(state, "Delivered"); i++ {
				if i > 100 {
					t.Fatalf("delivery log shows %q", state)
				}
				step("reload the log", chromedp.Reload(), chromedp.WaitVisible(chromedp.ID("deliveries")))
				state = read("read the log", chromedp.Text(chromedp.ID("deliveries")))
				time.Sleep(50 * time.Millisecond)
			}
			step("open the delivery", chromedp.Click(chromedp.CSS(`#delivery-log a[href*="/deliveries/"]`)), chromedp.WaitVisible(chromedp.CSS("pre.payload")))
			payload := read("read the payload", chromedp.Text(chromedp.CSS("pre.payload")))
			if !strings.Contains(payload, `"type": "ticket.updated"`) {
				t.Fatalf("payload %q", payload)
			}
			step("replay", chromedp.Click(chromedp.CSS(`form[action$="/replay"] button`)), chromedp.WaitVisible(chromedp.CSS(".flash")))
			again := waitCalls(2)[1]
			if again.id == got.id || string(again.body) != string(got.body) {
				t.Fatalf("replay: id %s (first %s), same body %v", again.id, got.id, string(again.body) == string(got.body))
			}
			if err := webhook.Verify(secret, again.id, again.ts, again.sig, again.body, time.Now(), 5*time.Minute); err != nil {
				t.Fatalf("replay's signature: %v", err)
			}
		})
	}
}
