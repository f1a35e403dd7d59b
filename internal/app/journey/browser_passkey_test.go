package journey_test

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/webauthn"
	"github.com/chromedp/chromedp"

	"github.com/ombud/ombud/internal/app"
	"github.com/ombud/ombud/internal/dbtest"
)

// TestBrowserPasskey is the journey of passkeys in Chromium against the
// real program, on both engines, with DevTools' virtual authenticator
// (CTAP2, built in, resident keys, user verification): an admin requires
// two-factor sign-in for agents; an agent sent to set it up adds a passkey
// instead of an authenticator app, which meets the requirement; they sign
// out and sign in with the passkey alone, then with password and passkey.
// Passkeys need a domain name, so the browser reaches the server as
// localhost, the base URL's host.
func TestBrowserPasskey(t *testing.T) {
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) {
			env := map[string]string{"OMBUD_DATA": dbtest.MigratedSQLiteDir(t), "OMBUD_LOG_LEVEL": "warn"}
			if engine == "postgres" {
				env["OMBUD_DATABASE_URL"] = dbtest.NewMigratedPostgresDatabase(t)
			}
			for _, u := range [][]string{
				{"ida@ombud.test", "Ida Vik", "agent", "browser-key-pass-1"},
				{"root@ombud.test", "Root", "admin", "browser-key-pass-2"},
			} {
				if code, _, er := run(t, env, "user", "create", "--email", u[0], "--name", u[1], "--role", u[2], "--password", u[3]); code != 0 {
					t.Fatal(er)
				}
			}
			base := serveLocalhost(t, env)
			ctx := browser(t)
			step := stepper(t, ctx)
			if _, err := chromedp.Call(ctx, webauthn.Enable, webauthn.EnableParams{}); err != nil {
				t.Fatalf("webauthn enable: %v", err)
			}
			if _, err := chromedp.Call(ctx, webauthn.AddVirtualAuthenticator, webauthn.AddVirtualAuthenticatorParams{Options: &webauthn.VirtualAuthenticatorOptions{
				Protocol: webauthn.AuthenticatorProtocolCtap2, Ctap2version: webauthn.Ctap2versionCtap21, Transport: webauthn.AuthenticatorTransportInternal,
				HasResidentKey: true, HasUserVerification: true, IsUserVerified: true, AutomaticPresenceSimulation: true,
			}}); err != nil {
				t.Fatalf("virtual authenticator: %v", err)
			}
			signOut := chromedp.Steps(chromedp.Click(chromedp.CSS("details.user-menu > summary")), chromedp.Click(chromedp.CSS(`header form[action="/logout"] button`)), chromedp.WaitVisible(chromedp.ID("email")))

			step("admin signs in", signIn(base+"/admin/two-factor", "root@ombud.test", "browser-key-pass-2"), chromedp.WaitVisible(chromedp.ID("f-role-agent")))
			step("require for agents", chromedp.Click(chromedp.ID("f-role-agent")), chromedp.Submit(chromedp.ID("f-role-agent")),
				chromedp.WaitVisible(chromedp.CSS("p.flash")))
			step("sign out admin", signOut)

			step("Ida signs in and is sent to set up a factor", signIn(base+"/tickets", "ida@ombud.test", "browser-key-pass-1"),
				chromedp.WaitVisible(chromedp.ID("must-enrol")), chromedp.WaitVisible(chromedp.ID("passkey-add-button")))
			step("Ida adds a passkey", chromedp.SendKeys(chromedp.ID("passkey-new-name"), "This laptop"), chromedp.Click(chromedp.ID("passkey-add-button")),
				chromedp.WaitVisible(chromedp.CSS("#passkeys td.passkey-name")))
			names, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#passkeys tbody")))
			if err != nil || !strings.Contains(names, "This laptop") {
				t.Fatalf("passkey list %q (%v)", names, err)
			}
			flash, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("p.flash")))
			if !strings.Contains(flash, "The passkey is added.") {
				t.Fatalf("flash %q", flash)
			}
			step("the requirement is met", chromedp.Navigate(base+"/tickets"), chromedp.WaitVisible(chromedp.CSS("a.new-ticket-link")))

			step("sign out", signOut)
			step("sign in with the passkey alone", chromedp.Navigate(base+"/login?next=/tickets"), chromedp.WaitVisible(chromedp.ID("passkey-signin-button")),
				chromedp.Click(chromedp.ID("passkey-signin-button")), chromedp.WaitVisible(chromedp.CSS("a.new-ticket-link")))
			loc, err := chromedp.Run(ctx, chromedp.Location())
			if err != nil || !strings.HasSuffix(loc, "/tickets") {
				t.Fatalf("after the passkey at %s (%v)", loc, err)
			}

			step("sign out again", signOut)
			step("password", signIn(base+"/tickets", "ida@ombud.test", "browser-key-pass-1"), chromedp.WaitVisible(chromedp.ID("use-passkey")))
			if n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("#code").length`)); err != nil || n != 0 {
				t.Fatalf("a code field without an authenticator app: %d (%v)", n, err)
			}
			step("then the passkey", chromedp.Click(chromedp.ID("use-passkey")), chromedp.WaitVisible(chromedp.CSS("a.new-ticket-link")))
			step("the profile shows the use", chromedp.Navigate(base+"/profile"), chromedp.WaitVisible(chromedp.CSS("#passkeys td.passkey-name")))
			row, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#passkeys tbody tr")))
			if strings.Contains(row, "never") {
				t.Fatalf("the passkey's last use is not shown: %q", row)
			}
		})
	}
}

// serveLocalhost starts the real program like serve, with the base URL
// on localhost (a domain name, as passkeys need) at a free port.
func serveLocalhost(t *testing.T, env map[string]string) string {
	t.Helper()
	addr := freeAddr(t)
	_, port, _ := net.SplitHostPort(addr)
	base := "http://localhost:" + port
	env["OMBUD_BASE_URL"] = base
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	go func() {
		var out, errb bytes.Buffer
		done <- app.Main(ctx, []string{"serve", "--addr", addr}, func(k string) string { return env[k] }, strings.NewReader(""), &out, &errb)
	}()
	for i := 0; ; i++ {
		resp, err := http.Get("http://" + addr + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				break
			}
		}
		if i > 2400 { // 60 s: a fresh database migrates first, slow under -race and load
			t.Fatalf("server did not start: %v", err)
		}
		time.Sleep(25 * time.Millisecond)
	}
	t.Cleanup(func() {
		cancel()
		<-done
	})
	return base
}
