package journey_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
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
			env := map[string]string{"OMBUD_DATA": dbtest.MigratedSQLiteDir(t), "OMBUD_LOG_LEVEL": "warn"}
			if engine == "postgres" {
				env["OMBUD_DATABASE_URL"] = dbtest.NewMigratedPostgresDatabase(t)
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
			// Kari and Ola work at the same company, which does not share its
			// requests in the portal.
			org := must("POST", "/api/v1/organizations", map[string]any{"name": "Kunde AS"}, 201)
			must("POST", "/api/v1/customers", map[string]any{"name": "Kari Kunde", "emails": []string{"kari@kunde.example"}, "locale": "nb", "organization_id": org["id"]}, 201)
			ola := must("POST", "/api/v1/customers", map[string]any{"name": "Ola Olsen", "emails": []string{"ola@kunde.example"}, "locale": "en", "organization_id": org["id"]}, 201)
			// Two request forms: "Return or exchange" asks for the order
			// number and a reason, and the item received when it is the wrong one.
			must("POST", "/api/v1/custom-fields", map[string]any{"key": "order_number", "label": "Order number", "type": "text"}, 201)
			must("POST", "/api/v1/custom-fields", map[string]any{"key": "return_reason", "label": "Return reason", "type": "dropdown", "options": []string{"Too small", "Wrong item"}}, 201)
			must("POST", "/api/v1/custom-fields", map[string]any{"key": "item_received", "label": "Item received", "type": "text"}, 201)
			retForm := must("POST", "/api/v1/portal/forms", map[string]any{"name": "Return or exchange", "description": "Send back or swap an item.", "fields": []map[string]any{
				{"key": "order_number", "required": true, "label": "Ordrenummer"},
				{"key": "return_reason", "required": true, "label": "Hvorfor?"},
				{"key": "item_received", "required": true, "label": "Hvilken vare fikk du?", "when": map[string]any{"field": "return_reason", "equals": "Wrong item"}},
			}}, 201)
			must("POST", "/api/v1/portal/forms", map[string]any{"name": "Question", "position": 1}, 201)
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
			step("starts a request and chooses the return form", chromedp.Click(chromedp.CSS("a.button")),
				chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf(`a[href="/portal/requests/new?form=%v"]`, retForm["id"]))),
				chromedp.Click(chromedp.CSS(fmt.Sprintf(`a[href="/portal/requests/new?form=%v"]`, retForm["id"]))), chromedp.WaitVisible(chromedp.ID("cf_order_number")))
			if got := eval(`document.querySelector('[data-field="cf_item_received"]').hidden + ""`); got != "true" {
				t.Fatalf("the item received is asked before the reason: %s", got)
			}
			step("fills it in",
				chromedp.SendKeys(chromedp.ID("subject"), "Returnere jakke"),
				chromedp.SendKeys(chromedp.ID("description"), "Jeg vil returnere jakken, jeg fikk feil vare."),
				chromedp.SendKeys(chromedp.ID("cf_order_number"), "5521"))
			eval(`(() => { const s = document.getElementById("cf_return_reason"); s.value = "Wrong item"; s.dispatchEvent(new Event("change", {bubbles: true})); return ""; })()`)
			step("the item received is asked once the reason is Wrong item", chromedp.WaitVisible(chromedp.ID("cf_item_received")),
				chromedp.SendKeys(chromedp.ID("cf_item_received"), "Rødt skjerf"),
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
			tk := must("GET", "/api/v1/tickets/"+id, nil, 200)
			if cf, _ := tk["custom_fields"].(map[string]any); cf["order_number"] != "5521" || cf["return_reason"] != "Wrong item" || cf["item_received"] != "Rødt skjerf" {
				t.Fatalf("the request's field values: %v", tk["custom_fields"])
			}
			// The lead answers in the workspace (an agent session beside
			// Kari's portal one), seeing which form the request came from.
			step("the lead answers in the workspace", signIn(s.url+"/tickets/"+id, "lead@ombud.test", "browser-pass-9"),
				chromedp.WaitVisible(chromedp.CSS(".ticket-form")))
			if got := eval(`document.querySelector(".ticket-form").textContent`); !strings.Contains(got, "Return or exchange") {
				t.Fatalf("the ticket page's form: %q", got)
			}
			step("writes the answer", chromedp.SendKeys(chromedp.ID("body"), "Vi har sendt deg en returlapp på e-post."),
				chromedp.Submit(chromedp.ID("body")), chromedp.WaitVisible(chromedp.CSS("article.comment.from-agent")))
			label := uploadFile(t, s.url, tok, "returlapp.txt", "Returlapp for ordre 5521")
			must("POST", "/api/v1/tickets/"+id+"/comments", map[string]any{"body": "Her er returlappen.", "attachment_ids": []int64{label}}, 201)
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
			// Kari's request, its file and the organization view: "not found"
			// each time, the organization not sharing its requests.
			for _, p := range []string{request, fmt.Sprintf("/portal/files/%d/returlapp.txt", label), "/portal/organization"} {
				step("he tries "+p, chromedp.Navigate(s.url+p), chromedp.WaitVisible(chromedp.CSS("main h1")))
				if got := eval(`document.querySelector("main").textContent`); !strings.Contains(got, "There is nothing here") || strings.Contains(got, "jakke") || strings.Contains(got, "Returlapp") {
					t.Fatalf("Ola on %s: %q", p, got)
				}
			}
			if got := eval(`document.querySelector(".portal-nav").textContent`); strings.Contains(got, "My organization") {
				t.Fatalf("Ola's portal offers the organization view: %q", got)
			}
		})
	}
}

// uploadFile stores a file through the API and returns its attachment id.
func uploadFile(t *testing.T, base, tok, name, body string) int64 {
	t.Helper()
	req, _ := http.NewRequest("POST", base+"/api/v1/attachments?filename="+name, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("Content-Type", "text/plain")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		ID int64 `json:"id"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || resp.StatusCode != 201 {
		t.Fatalf("upload %s: %d %v", name, resp.StatusCode, err)
	}
	return out.ID
}
