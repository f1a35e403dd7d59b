package journey_test

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/pquerna/otp/totp"

	"github.com/ombud/ombud/internal/dbtest"
)

// TestBrowserTwoFactor is the journey of two-factor sign-in in Chromium
// against the real program, on both engines: an agent sets up an
// authenticator on My profile (the test reads the key from the page and
// computes codes as an app would), signs out, signs in with password and
// code, then with a recovery code; a second session opened by an HTTP
// client shows up in the session list and is ended from it; and an admin
// requiring two-factor for agents sends a fresh agent to enrolment.
func TestBrowserTwoFactor(t *testing.T) {
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) {
			env := map[string]string{"OMBUD_DATA": dbtest.MigratedSQLiteDir(t), "OMBUD_LOG_LEVEL": "warn"}
			if engine == "postgres" {
				env["OMBUD_DATABASE_URL"] = dbtest.NewMigratedPostgresDatabase(t)
			}
			for _, u := range [][]string{
				{"ida@ombud.test", "Ida Vik", "agent", "browser-2fa-pass-1"},
				{"nils@ombud.test", "Nils Berg", "agent", "browser-2fa-pass-2"},
				{"root@ombud.test", "Root", "admin", "browser-2fa-pass-3"},
			} {
				if code, _, er := run(t, env, "user", "create", "--email", u[0], "--name", u[1], "--role", u[2], "--password", u[3]); code != 0 {
					t.Fatal(er)
				}
			}
			s := serve(t, env)
			ctx := browser(t)
			step := stepper(t, ctx)
			signOut := chromedp.Steps(chromedp.Click(chromedp.CSS("details.user-menu > summary")), chromedp.Click(chromedp.CSS(`header form[action="/logout"] button`)), chromedp.WaitVisible(chromedp.ID("email")))

			step("sign in", signIn(s.url+"/profile", "ida@ombud.test", "browser-2fa-pass-1"), chromedp.WaitVisible(chromedp.ID("two-factor-link")))
			step("open two-factor", chromedp.Click(chromedp.ID("two-factor-link")), chromedp.WaitVisible(chromedp.ID("start-two-factor")))
			step("start", chromedp.Click(chromedp.ID("start-two-factor")), chromedp.WaitVisible(chromedp.ID("totp-secret")))
			attr, err := chromedp.Run(ctx, chromedp.AttributeValue(chromedp.ID("totp-secret"), "data-secret"))
			if err != nil || len(attr.Value) < 16 {
				t.Fatalf("secret %q: %v", attr.Value, err)
			}
			secret := attr.Value
			code := func(d time.Duration) string {
				c, err := totp.GenerateCode(secret, time.Now().Add(d))
				if err != nil {
					t.Fatal(err)
				}
				return c
			}
			step("confirm with the first code", chromedp.SendKeys(chromedp.ID("confirm-code"), code(0)), chromedp.Submit(chromedp.ID("confirm-code")),
				chromedp.WaitVisible(chromedp.ID("recovery-codes")))
			list, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#recovery-codes ul")))
			if err != nil {
				t.Fatal(err)
			}
			recovery := regexp.MustCompile(`[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}`).FindAllString(list, -1)
			if len(recovery) != 10 {
				t.Fatalf("recovery codes %q", list)
			}

			// Password, then a code: the enrolment's code is spent, so the
			// app's next one (within the allowed skew) is typed.
			step("sign out", signOut)
			step("password", signIn(s.url+"/tickets", "ida@ombud.test", "browser-2fa-pass-1"), chromedp.WaitVisible(chromedp.ID("code")))
			step("code", chromedp.SendKeys(chromedp.ID("code"), code(30*time.Second)), chromedp.Submit(chromedp.ID("code")),
				chromedp.WaitVisible(chromedp.CSS("a.new-ticket-link")))
			step("sign out again", signOut)
			step("password again", signIn(s.url+"/tickets", "ida@ombud.test", "browser-2fa-pass-1"), chromedp.WaitVisible(chromedp.ID("code")))
			step("recovery code", chromedp.SendKeys(chromedp.ID("code"), recovery[0]), chromedp.Submit(chromedp.ID("code")),
				chromedp.WaitVisible(chromedp.CSS("a.new-ticket-link")))

			// A second session from an HTTP client, with another recovery code.
			other := httpSignIn(t, s.url, "ida@ombud.test", "browser-2fa-pass-1", recovery[1])
			if st := httpGet(t, other, s.url+"/tickets"); st != 200 {
				t.Fatalf("HTTP session: %d", st)
			}
			step("session list", chromedp.Navigate(s.url+"/profile"), chromedp.WaitVisible(chromedp.CSS("#sessions tr.current")))
			rows, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#sessions tbody")))
			if err != nil || !strings.Contains(rows, "this browser") || !strings.Contains(rows, "Chrome on Linux") || strings.Count(rows, "Sign out") != 2 {
				t.Fatalf("sessions %q (%v)", rows, err)
			}
			step("end the other session", chromedp.Click(chromedp.CSS("#sessions tbody tr:not(.current) button.end-session")),
				chromedp.WaitVisible(chromedp.CSS("p.flash")))
			if st := httpGet(t, other, s.url+"/tickets"); st != http.StatusSeeOther {
				t.Fatalf("ended HTTP session: %d", st)
			}
			if n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("#sessions button.end-session").length`)); err != nil || n != 1 {
				t.Fatalf("sessions left %d (%v)", n, err)
			}

			// The admin requires two-factor for agents; Nils, who has none,
			// is sent to set it up and cannot go elsewhere.
			step("sign out Ida", signOut)
			step("admin signs in", signIn(s.url+"/admin/two-factor", "root@ombud.test", "browser-2fa-pass-3"), chromedp.WaitVisible(chromedp.ID("f-role-agent")))
			step("require for agents", chromedp.Click(chromedp.ID("f-role-agent")), chromedp.Submit(chromedp.ID("f-role-agent")),
				chromedp.WaitVisible(chromedp.CSS("p.flash")))
			step("sign out admin", signOut)
			step("Nils signs in", signIn(s.url+"/tickets", "nils@ombud.test", "browser-2fa-pass-2"), chromedp.WaitVisible(chromedp.ID("must-enrol")))
			step("Nils tries the tickets", chromedp.Navigate(s.url+"/tickets"), chromedp.WaitVisible(chromedp.ID("must-enrol")))
			loc, err := chromedp.Run(ctx, chromedp.Location())
			if err != nil || !strings.HasSuffix(loc, "/profile/two-factor") {
				t.Fatalf("Nils at %s (%v)", loc, err)
			}
			step("Nils enrols", chromedp.Click(chromedp.ID("start-two-factor")), chromedp.WaitVisible(chromedp.ID("totp-secret")))
			attr, err = chromedp.Run(ctx, chromedp.AttributeValue(chromedp.ID("totp-secret"), "data-secret"))
			if err != nil {
				t.Fatal(err)
			}
			secret = attr.Value
			step("Nils confirms", chromedp.SendKeys(chromedp.ID("confirm-code"), code(0)), chromedp.Submit(chromedp.ID("confirm-code")),
				chromedp.WaitVisible(chromedp.ID("recovery-codes")))
			step("Nils reaches the tickets", chromedp.Navigate(s.url+"/tickets"), chromedp.WaitVisible(chromedp.CSS("a.new-ticket-link")))
		})
	}
}

// httpSignIn signs in with a password and a second-factor code as a
// browser without JavaScript would, and returns the client holding the
// session.
func httpSignIn(t *testing.T, base, email, password, code string) *http.Client {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	post := func(path string, form url.Values) (int, string) {
		resp, err := c.PostForm(base+path, form)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode, resp.Header.Get("Location")
	}
	if st, loc := post("/login", url.Values{"email": {email}, "password": {password}, "next": {"/tickets"}}); st != 303 || !strings.HasPrefix(loc, "/login/code") {
		t.Fatalf("HTTP password: %d %s", st, loc)
	}
	if st, loc := post("/login/code", url.Values{"code": {code}, "next": {"/tickets"}}); st != 303 || loc != "/tickets" {
		t.Fatalf("HTTP code: %d %s", st, loc)
	}
	return c
}

func httpGet(t *testing.T, c *http.Client, u string) int {
	t.Helper()
	resp, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}
