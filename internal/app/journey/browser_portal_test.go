package journey_test

import (
	"bytes"
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
)

var portalLink = regexp.MustCompile(`https?://\S+/portal/sign-in\?token=[A-Z2-7]+`)

// mailedPortalLink waits for the n-th sign-in link mailed to addr.
func mailedPortalLink(t *testing.T, c *mailtest.Capture, addr string, n int) string {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		var found []string
		for _, m := range c.Messages() {
			env, err := enmime.ReadEnvelope(bytes.NewReader(m.Data))
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(env.GetHeader("To"), addr) {
				if l := portalLink.FindString(env.Text); l != "" {
					found = append(found, l)
				}
			}
		}
		if len(found) >= n {
			return found[n-1]
		}
	}
	t.Fatalf("no sign-in link %d mailed to %s", n, addr)
	return ""
}

// TestBrowserPortal is the customer portal's journey, on both engines: a
// customer asks for a sign-in link, opens it from the mail the relay
// caught and signs in (in her own Norwegian); she starts a request, is
// shown a help-center article that may answer it, sends it anyway; an
// agent answers; she sees the answer and replies. A second customer
// signed in on the same browser cannot open her request.
func TestBrowserPortal(t *testing.T) {
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) {
			env := map[string]string{"OMBUD_DATA": t.TempDir(), "OMBUD_LOG_LEVEL": "warn"}
			if engine == "postgres" {
				env["OMBUD_DATABASE_URL"] = dbtest.NewPostgresDatabase(t)
			}
			if code, _, er := run(t, env, "user", "create", "--email", "lead@ombud.test", "--name", "Lea Lead", "--role", "admin", "--password", "browser-pass-9"); code != 0 {
				t.Fatal(er)
			}
			_, tok, _ := run(t, env, "token", "create", "--email", "lead@ombud.test")
			tok = strings.TrimSpace(tok)
			s := serve(t, env)
			capture := mailtest.StartCapture(t)
			host, port, _ := net.SplitHostPort(capture.Addr())
			p, _ := strconv.Atoi(port)
			must := func(method, path string, body any, want int) map[string]any {
				t.Helper()
				code, out := api(t, method, s.url+path, tok, body)
				if code != want {
					t.Fatalf("%s %s: %d %v", method, path, code, out)
				}
				return out
			}
			must("POST", "/api/v1/mailboxes", map[string]any{"address": "support@example.com", "name": "Support",
				"smtp": map[string]any{"host": host, "port": p, "security": "none"}}, 201)
			must("POST", "/api/v1/customers", map[string]any{"name": "Kari Kunde", "emails": []string{"kari@kunde.example"}, "locale": "nb"}, 201)
			ola := must("POST", "/api/v1/customers", map[string]any{"name": "Ola Olsen", "emails": []string{"ola@kunde.example"}, "locale": "en"}, 201)
			must("POST", "/api/v1/tickets", map[string]any{"subject": "Ola's invoice question", "description": "Why twice?", "requester_id": ola["id"]}, 201)
			cat := must("POST", "/api/v1/kb/categories", map[string]any{"names": []map[string]string{{"language": "nb", "name": "Bestillinger"}}}, 201)
			sec := must("POST", fmt.Sprintf("/api/v1/kb/categories/%v/sections", cat["id"]), map[string]any{"names": []map[string]string{{"language": "nb", "name": "Retur"}}}, 201)
			art := must("POST", "/api/v1/articles", map[string]any{"section_id": sec["id"], "language": "nb", "title": "Slik returnerer du en jakke",
				"visibility": "public", "body": "Pakk jakken og legg ved returlappen. Vi sender pengene innen fem dager."}, 201)
			must("POST", fmt.Sprintf("/api/v1/articles/%v/state", art["id"]), map[string]any{"state": "published"}, 200)

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

			step("Kari asks for a sign-in link", chromedp.Navigate(s.url+"/portal"), chromedp.WaitVisible(chromedp.ID("email")),
				chromedp.SendKeys(chromedp.ID("email"), "kari@kunde.example"), chromedp.Submit(chromedp.ID("email")),
				chromedp.WaitVisible(chromedp.CSS(`a[href="/portal"]`)))
			link := mailedPortalLink(t, capture, "kari@kunde.example", 1)
			step("opens the link from the mail and signs in", chromedp.Navigate(link), chromedp.WaitVisible(chromedp.ID("signin")),
				chromedp.Click(chromedp.ID("signin")), chromedp.WaitVisible(chromedp.CSS("a.button")))
			if got := eval(`document.documentElement.lang + " | " + document.querySelector("h1").textContent`); got != "nb | Mine henvendelser" {
				t.Fatalf("after sign-in: %q", got)
			}
			step("starts a request", chromedp.Click(chromedp.CSS("a.button")), chromedp.WaitVisible(chromedp.ID("subject")),
				chromedp.SendKeys(chromedp.ID("subject"), "Returnere jakke"),
				chromedp.SendKeys(chromedp.ID("description"), "Jeg vil returnere jakken fra ordre 5521, den er for liten."),
				chromedp.Click(chromedp.CSS(`button[value="check"]`)), chromedp.WaitVisible(chromedp.CSS(".suggestions")))
			if got := eval(`document.querySelector(".suggestions").textContent`); !strings.Contains(got, "Slik returnerer du en jakke") {
				t.Fatalf("suggestions: %q", got)
			}
			screenshot(t, ctx, engine, "portal-suggestions.png")
			step("sends it anyway", chromedp.Click(chromedp.CSS(`button[value="submit"]`)), chromedp.WaitVisible(chromedp.CSS("p.notice")))
			request := eval(`location.pathname`)
			id := strings.TrimPrefix(request, "/portal/requests/")
			if _, err := strconv.Atoi(id); err != nil {
				t.Fatalf("after sending: %s", request)
			}
			must("POST", "/api/v1/tickets/"+id+"/comments", map[string]any{"body": "Vi har sendt deg en returlapp på e-post."}, 201)
			must("POST", "/api/v1/tickets/"+id+"/comments", map[string]any{"body": "Internt: sjekk lageret.", "public": false}, 201)
			step("sees the answer", chromedp.Navigate(s.url+request), chromedp.WaitVisible(chromedp.ID("body")))
			conv := eval(`document.querySelector(".conversation").textContent`)
			if !strings.Contains(conv, "Vi har sendt deg en returlapp") || strings.Contains(conv, "Internt") {
				t.Fatalf("the conversation: %q", conv)
			}
			step("and replies", chromedp.SendKeys(chromedp.ID("body"), "Takk, jeg sender den i morgen."),
				chromedp.Submit(chromedp.ID("body")), chromedp.WaitVisible(chromedp.CSS("p.notice")))
			if got := eval(`document.querySelector("p.notice").textContent + " | " + document.querySelector(".conversation").textContent`); !strings.Contains(got, "Meldingen din er sendt.") ||
				!strings.Contains(got, "Takk, jeg sender den i morgen.") {
				t.Fatalf("after replying: %q", got)
			}
			screenshot(t, ctx, engine, "portal-request.png")
			code, cs := api(t, "GET", s.url+"/api/v1/tickets/"+id+"/comments", tok, nil)
			data, _ := cs["data"].([]any)
			if code != 200 || len(data) == 0 || data[len(data)-1].(map[string]any)["author_type"] != "customer" {
				t.Fatalf("the agent's view of the ticket: %d %v", code, cs)
			}

			step("Ola signs in on the same browser", chromedp.Click(chromedp.CSS(`form[action="/portal/sign-out"] button`)), chromedp.WaitVisible(chromedp.ID("email")),
				chromedp.SendKeys(chromedp.ID("email"), "ola@kunde.example"), chromedp.Submit(chromedp.ID("email")),
				chromedp.WaitVisible(chromedp.CSS(`a[href="/portal"]`)))
			link = mailedPortalLink(t, capture, "ola@kunde.example", 1)
			step("with his own link", chromedp.Navigate(link), chromedp.WaitVisible(chromedp.ID("signin")),
				chromedp.Click(chromedp.ID("signin")), chromedp.WaitVisible(chromedp.CSS("a.button")))
			if got := eval(`document.querySelector("main").textContent`); !strings.Contains(got, "Ola's invoice question") || strings.Contains(got, "Returnere jakke") {
				t.Fatalf("Ola's requests: %q", got)
			}
			step("he tries Kari's request", chromedp.Navigate(s.url+request), chromedp.WaitVisible(chromedp.CSS("main h1")))
			if got := eval(`document.querySelector("main").textContent`); !strings.Contains(got, "There is nothing here") || strings.Contains(got, "jakke") {
				t.Fatalf("Ola on Kari's request: %q", got)
			}
		})
	}
}
