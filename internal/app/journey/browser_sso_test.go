package journey_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/ombud/ombud/internal/auth/oidctest"
	"github.com/ombud/ombud/internal/dbtest"
)

// TestBrowserSSO is the journey of single sign-on in Chromium against the
// real program and an OpenID Connect provider started by the test, on both
// engines: an admin adds the provider on the Administration page (claim
// groups, leads mapped to manager, agents created just in time), signs
// out, and a person unknown to Ombud signs in with the provider's button
// and lands in the ticket list as a manager.
func TestBrowserSSO(t *testing.T) {
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) {
			env := map[string]string{"OMBUD_DATA": dbtest.MigratedSQLiteDir(t), "OMBUD_LOG_LEVEL": "warn"}
			if engine == "postgres" {
				env["OMBUD_DATABASE_URL"] = dbtest.NewMigratedPostgresDatabase(t)
			}
			if code, _, er := run(t, env, "user", "create", "--email", "root@ombud.test", "--name", "Root", "--role", "admin", "--password", "browser-sso-pass-1"); code != 0 {
				t.Fatal(er)
			}
			op := oidctest.Start(t, "ombud-helpdesk", "browser-sso-client-secret")
			op.SetUser(&oidctest.User{Subject: "kc-4711", Email: "lena.dahl@example.com", EmailVerified: true, Name: "Lena Dahl",
				Claims: map[string]any{"groups": []string{"staff", "leads"}}})
			s := serve(t, env)
			ctx := browser(t)
			step := stepper(t, ctx)

			step("sign in as admin", signIn(s.url+"/admin", "root@ombud.test", "browser-sso-pass-1"), chromedp.WaitVisible(chromedp.CSS(`main a[href="/admin/sso"]`)))
			step("open single sign-on", chromedp.Click(chromedp.CSS(`main a[href="/admin/sso"]`)), chromedp.WaitVisible(chromedp.CSS(`a[href="/admin/sso/new"]`)))
			step("add a provider", chromedp.Click(chromedp.CSS(`a[href="/admin/sso/new"]`)), chromedp.WaitVisible(chromedp.ID("f-issuer")))
			step("fill in the provider",
				chromedp.SendKeys(chromedp.ID("f-name"), "Keycloak"),
				chromedp.SendKeys(chromedp.ID("f-issuer"), op.URL),
				chromedp.SendKeys(chromedp.ID("f-client_id"), op.ClientID),
				chromedp.SendKeys(chromedp.ID("f-client_secret"), op.ClientSecret),
				chromedp.SendKeys(chromedp.ID("f-allowed_domains"), "example.com"),
				chromedp.Click(chromedp.ID("f-jit")),
				chromedp.SendKeys(chromedp.ID("f-claim"), "groups"),
				chromedp.SendKeys(chromedp.ID("f-mappings"), "leads = manager"),
				chromedp.Click(chromedp.CSS(`main form.mailbox-form button.primary`)),
				chromedp.WaitVisible(chromedp.ID("callback-url")))
			cb, err := chromedp.Run(ctx, chromedp.Text(chromedp.ID("callback-url")))
			if err != nil || !strings.HasPrefix(cb, s.url+"/login/sso/") || !strings.HasSuffix(cb, "/callback") {
				t.Fatalf("redirect URL %q: %v", cb, err)
			}
			page, err := chromedp.Run(ctx, chromedp.OuterHTML(chromedp.CSS("main")))
			if err != nil || strings.Contains(page, op.ClientSecret) {
				t.Fatalf("the provider page shows the client secret (%v)", err)
			}
			screenshot(t, ctx, engine, "sso-provider.png")

			step("sign out", chromedp.Click(chromedp.CSS("details.user-menu > summary")), chromedp.Click(chromedp.CSS(`header form[action="/logout"] button`)), chromedp.WaitVisible(chromedp.CSS(".sso-buttons a")))
			label, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(".sso-buttons a")))
			if err != nil || label != "Sign in with Keycloak" {
				t.Fatalf("button %q: %v", label, err)
			}
			screenshot(t, ctx, engine, "sso-sign-in.png")
			step("sign in with the provider", chromedp.Click(chromedp.CSS(".sso-buttons a")), chromedp.WaitVisible(chromedp.CSS("a.new-ticket-link")))
			loc, err := chromedp.Run(ctx, chromedp.Location())
			if err != nil || !strings.HasPrefix(loc, s.url+"/tickets") {
				t.Fatalf("landed on %q: %v", loc, err)
			}
			// The mapped role shows: managers have the Reports link.
			step("as a manager", chromedp.WaitVisible(chromedp.CSS(`header a[href="/reports"]`)))

			code, token, er := run(t, env, "token", "create", "--email", "root@ombud.test")
			if code != 0 {
				t.Fatal(er)
			}
			st, list := api(t, "GET", s.url+"/api/v1/agents?limit=100", strings.TrimSpace(token), nil)
			if st != 200 {
				t.Fatalf("agents: %d %v", st, list)
			}
			found := false
			for _, a := range list["data"].([]any) {
				m := a.(map[string]any)
				if m["email"] == "lena.dahl@example.com" {
					found = true
					if m["role"] != "manager" || m["name"] != "Lena Dahl" {
						t.Fatalf("agent created just in time: %v", m)
					}
				}
			}
			if !found {
				t.Fatal("no agent was created for the new person")
			}
		})
	}
}
