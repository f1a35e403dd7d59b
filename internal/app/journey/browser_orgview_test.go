package journey_test

import (
	"fmt"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/ombud/ombud/internal/dbtest"
	"github.com/ombud/ombud/internal/mailtest"
)

// TestBrowserPortalOrgViewPerCustomer is the per-customer override of the
// portal's organization view, on both engines: Eva's company shares its
// requests, and she sees her colleague Finn's; an agent withdraws the view
// on Eva's customer page, and her portal no longer offers or shows it. Gro's
// company does not share; the agent grants her the view, and she sees her
// colleague Hans's request.
func TestBrowserPortalOrgViewPerCustomer(t *testing.T) {
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) {
			env := map[string]string{"OMBUD_DATA": dbtest.MigratedSQLiteDir(t), "OMBUD_LOG_LEVEL": "warn"}
			if engine == "postgres" {
				env["OMBUD_DATABASE_URL"] = dbtest.NewMigratedPostgresDatabase(t)
			}
			if code, _, er := run(t, env, "user", "create", "--email", "lead@ombud.test", "--name", "Lea Lead", "--role", "admin", "--password", "browser-pass-9"); code != 0 {
				t.Fatal(er)
			}
			if code, _, er := run(t, env, "user", "create", "--email", "agent@ombud.test", "--name", "Per Agent", "--role", "agent", "--password", "browser-pass-9"); code != 0 {
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
			vik := must("POST", "/api/v1/organizations", map[string]any{"name": "Vik AS", "portal_shared": true}, 201)
			lund := must("POST", "/api/v1/organizations", map[string]any{"name": "Lund AB"}, 201)
			eva := must("POST", "/api/v1/customers", map[string]any{"name": "Eva Vik", "emails": []string{"eva@vik.example"}, "locale": "en", "organization_id": vik["id"]}, 201)
			finn := must("POST", "/api/v1/customers", map[string]any{"name": "Finn Vik", "emails": []string{"finn@vik.example"}, "locale": "en", "organization_id": vik["id"]}, 201)
			gro := must("POST", "/api/v1/customers", map[string]any{"name": "Gro Lund", "emails": []string{"gro@lund.example"}, "locale": "en", "organization_id": lund["id"]}, 201)
			hans := must("POST", "/api/v1/customers", map[string]any{"name": "Hans Lund", "emails": []string{"hans@lund.example"}, "locale": "en", "organization_id": lund["id"]}, 201)
			must("POST", "/api/v1/tickets", map[string]any{"subject": "Finn's pallet count", "description": "Twelve or fourteen?", "requester_id": finn["id"]}, 201)
			must("POST", "/api/v1/tickets", map[string]any{"subject": "Hans's contract renewal", "description": "When does it end?", "requester_id": hans["id"]}, 201)

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
			portalSignIn := func(who, addr string) {
				t.Helper()
				step(who+" asks for a sign-in link", chromedp.Navigate(s.url+"/portal"), chromedp.WaitVisible(chromedp.ID("email")),
					chromedp.SendKeys(chromedp.ID("email"), addr), chromedp.Submit(chromedp.ID("email")),
					chromedp.WaitVisible(chromedp.CSS(`a[href="/portal"]`)))
				step(who+" signs in with the link from the mail", chromedp.Navigate(mailedPortalLink(t, capture, addr, 1)), chromedp.WaitVisible(chromedp.ID("signin")),
					chromedp.Click(chromedp.ID("signin")), loadedWhere(`location.pathname === "/portal/requests"`))
			}
			orgView := func(who string) string {
				t.Helper()
				step(who+" opens the organization view", chromedp.Navigate(s.url+"/portal/organization"), chromedp.WaitVisible(chromedp.CSS("main h1")))
				return eval(`document.querySelector("main").textContent + " | nav: " + document.querySelector(".portal-nav").textContent`)
			}
			setView := func(who string, id any, value string) {
				t.Helper()
				page := fmt.Sprintf("%s/customers/%v", s.url, id)
				step("the agent opens "+who+"'s customer page", chromedp.Navigate(page), chromedp.WaitVisible(chromedp.ID("f-portal_org_view")))
				eval(fmt.Sprintf(`(() => { document.getElementById("f-portal_org_view").value = %q; return ""; })()`, value))
				step("and saves "+who+"'s organization view as "+value, chromedp.Submit(chromedp.ID("f-portal_org_view")),
					loadedWhere(`location.search.includes("saved=1")`))
				if got := eval(`document.getElementById("f-portal_org_view").value`); got != value {
					t.Fatalf("%s's organization view after saving: %q", who, got)
				}
			}

			portalSignIn("Eva", "eva@vik.example")
			if got := orgView("Eva"); !strings.Contains(got, "Finn's pallet count") || !strings.Contains(got, "My organization") {
				t.Fatalf("Eva's organization view, Vik AS sharing: %q", got)
			}
			step("the agent signs in", signIn(s.url+"/customers", "agent@ombud.test", "browser-pass-9"), loadedWhere(`location.pathname === "/customers"`))
			setView("Eva", eva["id"], "off")
			screenshot(t, ctx, engine, "customer-portal-org-view.png")
			if got := orgView("Eva"); strings.Contains(got, "Finn's pallet count") || !strings.Contains(got, "There is nothing here") || strings.Contains(got, "My organization") {
				t.Fatalf("Eva's organization view, withdrawn: %q", got)
			}
			if c := must("GET", fmt.Sprintf("/api/v1/customers/%v", eva["id"]), nil, 200); c["portal_org_view"] != false {
				t.Fatalf("Eva's portal_org_view: %v", c["portal_org_view"])
			}

			setView("Gro", gro["id"], "on")
			step("Eva signs out", chromedp.Navigate(s.url+"/portal/requests"), chromedp.WaitVisible(chromedp.CSS(`form[action="/portal/sign-out"] button`)),
				chromedp.Click(chromedp.CSS(`form[action="/portal/sign-out"] button`)), chromedp.WaitVisible(chromedp.ID("email")))
			portalSignIn("Gro", "gro@lund.example")
			if got := orgView("Gro"); !strings.Contains(got, "Hans's contract renewal") || !strings.Contains(got, "Hans Lund") || strings.Contains(got, "Finn's pallet count") {
				t.Fatalf("Gro's organization view, granted although Lund AB does not share: %q", got)
			}
		})
	}
}
