package people_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/ombud/ombud/internal/app/apptest"
	"github.com/ombud/ombud/internal/audit"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/dbtest"
	"github.com/ombud/ombud/internal/web/webtest"
)

// browserClient is a browser without JavaScript: it keeps cookies, does
// not follow redirects, and sends the CSRF token of the last page seen.
type browserClient struct {
	t    *testing.T
	e    *apptest.Env
	c    *http.Client
	csrf string
	ua   string
}

var csrfInPage = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

func newBrowser(t *testing.T, e *apptest.Env, ua string) *browserClient {
	jar, _ := cookiejar.New(nil)
	return &browserClient{t: t, e: e, ua: ua, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

func (b *browserClient) do(method, path string, form url.Values, header ...string) (int, string, string) {
	b.t.Helper()
	var body io.Reader
	if form != nil {
		if b.csrf != "" && form.Get("csrf_token") == "" {
			form.Set("csrf_token", b.csrf)
		}
		body = strings.NewReader(form.Encode())
	}
	req, _ := http.NewRequest(method, b.e.URL+path, body)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	req.Header.Set("User-Agent", b.ua)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	page := string(raw)
	if m := csrfInPage.FindStringSubmatch(page); m != nil {
		b.csrf = m[1]
	}
	return resp.StatusCode, page, resp.Header.Get("Location")
}

func (b *browserClient) get(path string) (int, string, string) { return b.do("GET", path, nil) }
func (b *browserClient) post(path string, form url.Values) (int, string, string) {
	if form == nil {
		form = url.Values{}
	}
	return b.do("POST", path, form)
}

// signInPassword posts the sign-in form.
func (b *browserClient) signInPassword(email string) (int, string) {
	st, _, loc := b.post("/login", url.Values{"email": {email}, "password": {apptest.Password}, "next": {"/tickets"}})
	return st, loc
}

var secretAttr = regexp.MustCompile(`data-secret="([A-Z2-7]+)"`)
var codeItem = regexp.MustCompile(`<li><code>([a-z2-7-]{19})</code></li>`)

func TestTwoFactorPages(t *testing.T) {
	for _, engine := range dbtest.Engines {
		t.Run(engine.String(), func(t *testing.T) {
			e := apptest.New(t, engine)
			ida := newBrowser(t, e, "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0")
			if st, loc := ida.signInPassword("agent@ombud.test"); st != 303 || loc != "/tickets" {
				t.Fatalf("sign in: %d %s", st, loc)
			}
			st, page, _ := ida.get("/profile")
			for _, w := range []string{"Two-factor sign-in", "Firefox on Linux", "this browser", `href="/profile/two-factor"`} {
				if st != 200 || !strings.Contains(page, w) {
					t.Fatalf("profile %d lacks %q", st, w)
				}
			}
			// Enrol: a secret as a QR code and as text; a wrong first code is
			// refused; the right one shows ten recovery codes once.
			if st, _, loc := ida.post("/profile/two-factor/start", nil); st != 303 || loc != "/profile/two-factor" {
				t.Fatalf("start: %d %s", st, loc)
			}
			_, page, _ = ida.get("/profile/two-factor")
			m := secretAttr.FindStringSubmatch(page)
			if m == nil || !strings.Contains(page, `src="data:image/png;base64,`) || !strings.Contains(page, "otpauth://totp/") {
				t.Fatalf("enrolment page:\n%s", webtest.Excerpt(page))
			}
			sec := m[1]
			now := func(d time.Duration) string {
				c, _ := totp.GenerateCode(sec, time.Now().Add(d))
				return c
			}
			if st, page, _ := ida.post("/profile/two-factor/confirm", url.Values{"code": {"12345x"}}); st != 400 || !strings.Contains(page, "That code is not right") {
				t.Fatalf("wrong first code: %d", st)
			}
			st, page, _ = ida.post("/profile/two-factor/confirm", url.Values{"code": {now(0)}})
			codes := codeItem.FindAllStringSubmatch(page, -1)
			if st != 200 || len(codes) != 10 || !strings.Contains(page, "Two-factor sign-in is on.") {
				t.Fatalf("confirm: %d, %d codes\n%s", st, len(codes), webtest.Excerpt(page))
			}
			if _, page, _ := ida.get("/profile/two-factor"); codeItem.MatchString(page) || secretAttr.MatchString(page) {
				t.Fatal("recovery codes or the secret shown again")
			}

			// Sign-in now asks for a code after the password.
			fresh := newBrowser(t, e, "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36")
			if st, _, loc := fresh.get("/login/code"); st != 303 || !strings.HasPrefix(loc, "/login") {
				t.Fatalf("code page without a password: %d %s", st, loc)
			}
			if st, loc := fresh.signInPassword("agent@ombud.test"); st != 303 || !strings.HasPrefix(loc, "/login/code") {
				t.Fatalf("password with 2FA: %d %s", st, loc)
			}
			if st, _, loc := fresh.get("/tickets"); st != 303 || !strings.HasPrefix(loc, "/login") {
				t.Fatalf("half signed in reached tickets: %d %s", st, loc)
			}
			steps := []struct {
				name   string
				code   string
				header []string
				status int
				want   string
			}{
				{"code page", "", nil, 200, `autocomplete="one-time-code"`},
				{"from another site", now(30 * time.Second), []string{"Origin", "https://evil.example"}, 403, ""},
				{"wrong code", "000000x", nil, 400, "That code is not right"},
				{"replayed enrolment code", now(0), nil, 400, "That code is not right"},
				{"next code", now(30 * time.Second), nil, 303, ""},
			}
			for _, s := range steps {
				t.Run(s.name, func(t *testing.T) {
					var st int
					var page string
					if s.code == "" {
						st, page, _ = fresh.get("/login/code?next=/tickets")
					} else {
						st, page, _ = fresh.do("POST", "/login/code", url.Values{"code": {s.code}, "next": {"/tickets"}}, s.header...)
					}
					if st != s.status || !strings.Contains(page, s.want) {
						t.Fatalf("status %d, want %d (%q)\n%s", st, s.status, s.want, webtest.Excerpt(page))
					}
				})
			}
			if st, _, _ := fresh.get("/tickets"); st != 200 {
				t.Fatalf("signed in with code: %d", st)
			}
			// A recovery code works once.
			rec := newBrowser(t, e, "curl/8")
			rec.signInPassword("agent@ombud.test")
			if st, _, loc := rec.post("/login/code", url.Values{"code": {strings.ToUpper(codes[0][1])}, "next": {"/tickets"}}); st != 303 || loc != "/tickets" {
				t.Fatalf("recovery code: %d %s", st, loc)
			}
			again := newBrowser(t, e, "curl/8")
			again.signInPassword("agent@ombud.test")
			if st, _, _ := again.post("/login/code", url.Values{"code": {codes[0][1]}}); st != 400 {
				t.Fatalf("used recovery code: %d", st)
			}

			// Sessions: Ida sees the others and ends the Chrome one.
			_, page, _ = ida.get("/profile")
			if !strings.Contains(page, "Chrome on Windows") || strings.Count(page, `class="end-session"`) != 3 {
				t.Fatalf("sessions on profile:\n%s", webtest.Excerpt(page))
			}
			list, err := e.Sys.Auth.ListSessions(t.Context(), authz.Actor{Kind: authz.KindAgent, ID: e.Agents[authz.Agent].ID}, e.Agents[authz.Agent].ID, "")
			if err != nil {
				t.Fatal(err)
			}
			var chrome string
			for _, s := range list {
				if strings.Contains(s.UserAgent, "Chrome") {
					chrome = s.ID
				}
			}
			if st, _, loc := ida.post("/profile/sessions/"+chrome+"/end", nil); st != 303 || !strings.HasPrefix(loc, "/profile?ended=1") {
				t.Fatalf("end session: %d %s", st, loc)
			}
			if st, _, loc := fresh.get("/tickets"); st != 303 || !strings.HasPrefix(loc, "/login") {
				t.Fatalf("ended session still works: %d %s", st, loc)
			}
			if st, _, _ := ida.post("/profile/sessions/nope/end", nil); st != 404 {
				t.Fatalf("unknown session: %d", st)
			}

			// Regenerate and turn off need a code or the password.
			if st, page, _ := ida.post("/profile/two-factor/recovery-codes", url.Values{"proof": {"not-my-password"}}); st != 400 || !strings.Contains(page, "neither a current code nor your password") {
				t.Fatalf("regenerate with a wrong proof: %d", st)
			}
			if st, page, _ := ida.post("/profile/two-factor/recovery-codes", url.Values{"proof": {apptest.Password}}); st != 200 || len(codeItem.FindAllString(page, -1)) != 10 {
				t.Fatalf("regenerate: %d", st)
			}

			// An admin sees Ida's two-factor state and sessions, and resets it.
			admin := newBrowser(t, e, "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15")
			admin.signInPassword("admin@ombud.test")
			agentPage := fmt.Sprintf("/admin/agents/%d", e.Agents[authz.Agent].ID)
			_, page, _ = admin.get(agentPage)
			for _, w := range []string{"Reset two-factor sign-in", "Firefox on Linux", `class="end-session"`} {
				if !strings.Contains(page, w) {
					t.Fatalf("agent page lacks %q", w)
				}
			}
			if st, _, _ := admin.post(agentPage+"/two-factor/reset", nil); st != 400 {
				t.Fatalf("reset without confirm: %d", st)
			}
			if st, _, loc := admin.post(agentPage+"/two-factor/reset", url.Values{"confirm": {"yes"}}); st != 303 || !strings.HasSuffix(loc, "?reset=1") {
				t.Fatalf("reset: %d %s", st, loc)
			}
			if st, _, loc := ida.get("/tickets"); st != 303 || !strings.HasPrefix(loc, "/login") {
				t.Fatalf("reset did not sign Ida out: %d %s", st, loc)
			}
			if st, loc := ida.signInPassword("agent@ombud.test"); st != 303 || loc != "/tickets" {
				t.Fatalf("password alone after reset: %d %s", st, loc)
			}
			entries, _ := audit.List(t.Context(), e.Sys.DB, 200)
			found := false
			for _, en := range entries {
				found = found || (en.Action == "auth.two_factor_reset" && en.ActorID == e.Agents[authz.Admin].ID)
			}
			if !found {
				t.Fatal("reset not in the audit log")
			}

			// A manager may not reset an admin's, nor set the roles.
			boss := newBrowser(t, e, "x")
			boss.signInPassword("manager@ombud.test")
			adminPage := fmt.Sprintf("/admin/agents/%d", e.Agents[authz.Admin].ID)
			if st, _, _ := boss.post(adminPage+"/two-factor/reset", url.Values{"confirm": {"yes"}}); st != 403 {
				t.Fatalf("manager resets admin: %d", st)
			}
			if st, _, _ := boss.get("/admin/two-factor"); st != 403 {
				t.Fatalf("manager opens role settings: %d", st)
			}

			// Requiring two-factor for collaborators: one is sent to enrol
			// and can do nothing else; API tokens are not affected.
			collab := newBrowser(t, e, "x")
			collab.signInPassword("collaborator@ombud.test")
			if st, page, _ := admin.get("/admin/two-factor"); st != 200 || !strings.Contains(page, `value="collaborator"`) {
				t.Fatalf("roles page: %d", st)
			}
			if st, _, loc := admin.post("/admin/two-factor", url.Values{"role": {"collaborator"}}); st != 303 || loc != "/admin/two-factor?saved=1" {
				t.Fatalf("save roles: %d %s", st, loc)
			}
			if st, _, _ := admin.post("/admin/two-factor", url.Values{"role": {"wizard"}}); st != 400 {
				t.Fatalf("unknown role: %d", st)
			}
			for _, p := range []string{"/tickets", "/profile", "/admin/agents"} {
				if st, _, loc := collab.get(p); st != 303 || loc != "/profile/two-factor" {
					t.Fatalf("GET %s before enrolling: %d %s", p, st, loc)
				}
			}
			if st, page, _ := collab.get("/profile/two-factor"); st != 200 || !strings.Contains(page, `id="must-enrol"`) {
				t.Fatalf("enrol page: %d", st)
			}
			if st, _, loc := collab.post("/profile", url.Values{"locale": {"nb"}, "time_zone": {"Europe/Oslo"}}); st != 303 || loc != "/profile/two-factor" {
				t.Fatalf("POST before enrolling: %d %s", st, loc)
			}
			if st, _, _ := collab.do("GET", "/api/v1/tickets", nil); st != 403 {
				t.Fatalf("API with the session before enrolling: %d", st)
			}
			if st, _ := e.Do(t, authz.Collaborator, "GET", "/api/v1/tickets", nil); st != 200 {
				t.Fatalf("API token of a role requiring 2FA: %d", st)
			}
			collab.post("/profile/two-factor/start", nil)
			_, page, _ = collab.get("/profile/two-factor")
			cs := secretAttr.FindStringSubmatch(page)[1]
			c, _ := totp.GenerateCode(cs, time.Now())
			if st, _, _ := collab.post("/profile/two-factor/confirm", url.Values{"code": {c}}); st != 200 {
				t.Fatalf("collaborator confirm: %d", st)
			}
			if st, _, _ := collab.get("/tickets"); st != 200 {
				t.Fatalf("after enrolling: %d", st)
			}
		})
	}
}
