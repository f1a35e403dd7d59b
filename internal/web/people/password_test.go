package people_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jhillyerd/enmime/v2"

	"github.com/ombud/ombud/internal/agent"
	"github.com/ombud/ombud/internal/app"
	"github.com/ombud/ombud/internal/app/apptest"
	"github.com/ombud/ombud/internal/auth"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/dbtest"
	"github.com/ombud/ombud/internal/i18n"
	"github.com/ombud/ombud/internal/mailtest"
	"github.com/ombud/ombud/internal/web/webtest"
)

// signedOut reports whether a browser's session has ended: the UI sends it
// to sign-in and the API answers 401.
func signedOut(t *testing.T, b *webtest.Browser) bool {
	t.Helper()
	st, _, loc := b.Do(t, "GET", "/tickets", nil)
	ui := st == http.StatusSeeOther && strings.HasPrefix(loc, "/login")
	st2, _, _ := b.Do(t, "GET", "/api/v1/me", nil)
	if ui != (st2 == http.StatusUnauthorized) {
		t.Fatalf("UI and API disagree: UI %d %q, API %d", st, loc, st2)
	}
	return ui
}

// withToken calls the API with a raw bearer token.
func withToken(t *testing.T, e *apptest.Env, token, method, path string, body string) int {
	t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, e.URL+path, r)
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := e.Client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// TestPasswordChangeEndsSessions: a password set by someone else ends all
// the agent's sessions; one the agent changes (current password required)
// ends all their other sessions, the one making the change staying.
func TestPasswordChangeEndsSessions(t *testing.T) {
	for _, engine := range dbtest.Engines {
		t.Run(engine.String(), func(t *testing.T) {
			e := apptest.New(t, engine)
			me := e.Agents[authz.Agent]
			addr := me.Email

			// By a manager, through PATCH /api/v1/agents/{id}.
			before := webtest.SignIn(t, e, authz.Agent)
			if signedOut(t, before) {
				t.Fatal("fresh session already ended")
			}
			if st, body := e.Do(t, authz.Manager, "PATCH", fmt.Sprintf("/api/v1/agents/%d", me.ID), map[string]any{"password": "set-by-manager-1"}); st != 200 {
				t.Fatalf("manager sets the password: %d %v", st, body["_raw"])
			}
			if !signedOut(t, before) {
				t.Error("the agent's session survived a password set by a manager")
			}
			if _, st := webtest.TrySignIn(t, e, addr, apptest.Password); st == http.StatusSeeOther {
				t.Error("the old password still signs in")
			}

			// Not by oneself through PATCH: that needs the current password.
			if st, body := e.Do(t, authz.Admin, "PATCH", fmt.Sprintf("/api/v1/agents/%d", e.Agents[authz.Admin].ID), map[string]any{"password": "admin-new-pass-1"}); st != 400 || !strings.Contains(body["_raw"].(string), `"password"`) {
				t.Errorf("own password by PATCH: %d %v", st, body["_raw"])
			}

			// By the agent, through the API with their token.
			s1 := webtest.SignInWith(t, e, addr, "set-by-manager-1")
			for _, tc := range []struct {
				name   string
				body   string
				status int
				field  string
			}{
				{"nothing", `{}`, 400, "current_password"},
				{"no new password", `{"current_password":"set-by-manager-1"}`, 400, "new_password"},
				{"wrong current password", `{"current_password":"not-my-password","new_password":"chosen-by-me-22"}`, 400, "current_password"},
				{"too short", `{"current_password":"set-by-manager-1","new_password":"short"}`, 400, "new_password"},
				{"too long", `{"current_password":"set-by-manager-1","new_password":"` + strings.Repeat("x", auth.MaxPassword+1) + `"}`, 400, "new_password"},
				{"unchanged", `{"current_password":"set-by-manager-1","new_password":"set-by-manager-1"}`, 400, "new_password"},
				{"unknown field", `{"current_password":"set-by-manager-1","new_password":"chosen-by-me-22","old":"x"}`, 400, "old"},
				{"changed", `{"current_password":"set-by-manager-1","new_password":"chosen-by-me-22"}`, 204, ""},
			} {
				t.Run(tc.name, func(t *testing.T) {
					st, body := e.Do(t, authz.Agent, "POST", "/api/v1/me/password", tc.body)
					if st != tc.status {
						t.Fatalf("status %d, want %d: %v", st, tc.status, body["_raw"])
					}
					if tc.field != "" {
						fields, _ := body["error"].(map[string]any)["fields"].(map[string]any)
						if _, ok := fields[tc.field]; !ok {
							t.Fatalf("error does not name %q: %v", tc.field, body["_raw"])
						}
					}
				})
			}
			if !signedOut(t, s1) {
				t.Error("a session survived the agent's own password change through the API")
			}
			if st := withToken(t, e, e.Tokens[authz.Agent], "GET", "/api/v1/me", ""); st != 200 {
				t.Errorf("the token that changed the password: %d", st)
			}

			// By the agent on My profile: this session stays, the other ends.
			here := webtest.SignInWith(t, e, addr, "chosen-by-me-22")
			there := webtest.SignInWith(t, e, addr, "chosen-by-me-22")
			webtest.RunPages(t, []webtest.PageCase{
				{Name: "profile has the form", Who: here, Method: "GET", Path: "/profile", Status: 200,
					Want: []string{`action="/profile/password"`, "Current password", `autocomplete="current-password"`, `autocomplete="new-password"`}},
				{Name: "wrong current password", Who: here, Method: "POST", Path: "/profile/password", Status: 400,
					Form: url.Values{"current_password": {"wrong-wrong-1"}, "new_password": {"from-profile-33"}, "confirm_password": {"from-profile-33"}},
					Want: []string{"is not your current password", `id="f-current_password"`}, NotWant: []string{"from-profile-33", "wrong-wrong-1"}},
				{Name: "repeated differently", Who: here, Method: "POST", Path: "/profile/password", Status: 400,
					Form: url.Values{"current_password": {"chosen-by-me-22"}, "new_password": {"from-profile-33"}, "confirm_password": {"from-profile-34"}},
					Want: []string{"does not match the new password"}},
				{Name: "changed", Who: here, Method: "POST", Path: "/profile/password", Status: 303, Location: "/profile?password=1",
					Form: url.Values{"current_password": {"chosen-by-me-22"}, "new_password": {" from-profile-33 "}, "confirm_password": {" from-profile-33 "}}},
				{Name: "still signed in here", Who: here, Method: "GET", Path: "/profile?password=1", Status: 200,
					Want: []string{"Your password is changed. Your other sessions are signed out."}},
			})
			if !signedOut(t, there) {
				t.Error("the other session survived a change on My profile")
			}
			if signedOut(t, here) {
				t.Error("the session that changed the password ended")
			}
			// Spaces are part of a password.
			webtest.SignInWith(t, e, addr, " from-profile-33 ")
		})
	}
}

// TestCurrentPasswordLimit: guessing the current password through a
// session or token stops after a few tries.
func TestCurrentPasswordLimit(t *testing.T) {
	e := apptest.New(t, db.SQLite)
	last := 0
	for i := range 8 {
		last, _ = e.Do(t, authz.Agent, "POST", "/api/v1/me/password", fmt.Sprintf(`{"current_password":"guess-%d-guess","new_password":"whatever-it-is-1"}`, i))
		if last == http.StatusTooManyRequests {
			if i < 5 {
				t.Fatalf("limited after %d tries", i)
			}
			break
		}
	}
	if last != http.StatusTooManyRequests {
		t.Fatalf("8 wrong current passwords: last status %d, want 429", last)
	}
	if st, _ := e.Do(t, authz.Agent, "POST", "/api/v1/me/password", map[string]string{"current_password": apptest.Password, "new_password": "whatever-it-is-1"}); st != http.StatusTooManyRequests {
		t.Errorf("the right password while limited: %d, want 429", st)
	}
}

// TestDemotionIsImmediate: a role change or deactivation applies to the
// agent's API tokens on the very next call (they were cached for 10 s) and
// to their browser sessions.
func TestDemotionIsImmediate(t *testing.T) {
	for _, engine := range dbtest.Engines {
		t.Run(engine.String(), func(t *testing.T) {
			e := apptest.New(t, engine)
			ctx := t.Context()
			boss, err := e.Sys.Agents.CreateAgent(ctx, authz.System, agent.AgentInput{Email: "boss@ombud.test", Name: "Boss", Role: authz.Admin, Password: apptest.Password})
			if err != nil {
				t.Fatal(err)
			}
			tok, _, err := e.Sys.Auth.CreateToken(ctx, authz.System, boss.ID, "script")
			if err != nil {
				t.Fatal(err)
			}
			b := webtest.SignInEmail(t, e, "boss@ombud.test")
			path := fmt.Sprintf("/api/v1/agents/%d", boss.ID)
			steps := []struct {
				name       string
				patch      string
				jobs, list int // GET /api/v1/jobs (admins only) and /api/v1/tickets with the token
				page       int // GET /admin/jobs in the session
			}{
				{"admin", "", 200, 200, 200},
				{"demoted to collaborator", `{"role":"collaborator"}`, 403, 200, 403},
				{"promoted again", `{"role":"admin"}`, 200, 200, 200},
				{"deactivated", `{"active":false}`, 401, 401, 303},
			}
			for _, s := range steps {
				t.Run(s.name, func(t *testing.T) {
					if s.patch != "" {
						if st, body := e.Do(t, authz.Admin, "PATCH", path, s.patch); st != 200 {
							t.Fatalf("patch: %d %v", st, body["_raw"])
						}
					}
					if st := withToken(t, e, tok, "GET", "/api/v1/jobs", ""); st != s.jobs {
						t.Errorf("token, admin route: %d, want %d", st, s.jobs)
					}
					if st := withToken(t, e, tok, "GET", "/api/v1/tickets", ""); st != s.list {
						t.Errorf("token, ticket list: %d, want %d", st, s.list)
					}
					if st, _, _ := b.Do(t, "GET", "/admin/jobs", nil); st != s.page {
						t.Errorf("session, admin page: %d, want %d", st, s.page)
					}
				})
			}
		})
	}
}

// TestDemotionReachesOtherInstances: two ombud processes on one
// PostgreSQL; a demotion through one applies to a token the other has
// cached well before the cache's 10 s (LISTEN/NOTIFY).
func TestDemotionReachesOtherInstances(t *testing.T) {
	e := apptest.New(t, db.Postgres)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sys2, err := app.Open(ctx, e.Sys.Config, slog.New(slog.NewTextHandler(io.Discard, nil)), time.Now)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); _ = sys2.Auth.FollowChanges(ctx, nil) }()
	t.Cleanup(func() { cancel(); wg.Wait(); sys2.Close() })
	// The second process listens once its session shows in pg_stat_activity.
	for i := 0; ; i++ {
		var n int
		if err := e.Sys.DB.QueryRowContext(ctx, `SELECT COUNT(*) FROM pg_stat_activity WHERE query LIKE 'LISTEN %ombud_agent_access%'`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n > 0 {
			break
		}
		if i > 200 {
			t.Fatal("the second instance never listened")
		}
		time.Sleep(25 * time.Millisecond)
	}
	target := e.Agents[authz.Manager]
	tok := e.Tokens[authz.Manager]
	if a, err := sys2.Auth.TokenActor(ctx, tok); err != nil || a.Role != authz.Manager {
		t.Fatalf("second instance: %+v %v", a, err)
	}
	admin := authz.Actor{Kind: authz.KindAgent, ID: e.Agents[authz.Admin].ID, Role: authz.Admin}
	role := authz.Collaborator
	start := time.Now()
	if _, err := e.Sys.Agents.UpdateAgent(ctx, admin, target.ID, agent.AgentPatch{Role: &role}); err != nil {
		t.Fatal(err)
	}
	for {
		a, err := sys2.Auth.TokenActor(ctx, tok)
		if err != nil {
			t.Fatal(err)
		}
		if a.Role == authz.Collaborator {
			break
		}
		if time.Since(start) > 3*time.Second {
			t.Fatalf("the second instance still answers %s after %v", a.Role, time.Since(start))
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Logf("the other instance saw the demotion after %v", time.Since(start))
}

var resetLink = regexp.MustCompile(`/password/reset\?token=([A-Za-z0-9_-]+)`)

// mailedLinks waits until every reset job has run and returns the token of
// each reset mail sent so far, with its text.
func mailedLinks(t *testing.T, e *apptest.Env, c *mailtest.Capture) ([]string, []string) {
	t.Helper()
	for i := 0; ; i++ {
		var n int
		if err := e.Sys.DB.QueryRowContext(t.Context(), `SELECT COUNT(*) FROM jobs WHERE kind = ? AND state <> 'done'`, auth.JobPasswordReset).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			break
		}
		if i > 600 {
			t.Fatalf("%d reset jobs never finished", n)
		}
		time.Sleep(25 * time.Millisecond)
	}
	var tokens, texts []string
	for _, m := range c.Messages() {
		env, err := enmime.ReadEnvelope(bytes.NewReader(m.Data))
		if err != nil {
			t.Fatal(err)
		}
		text := env.GetHeader("To") + "\n" + env.GetHeader("Subject") + "\n" + env.Text
		if l := resetLink.FindStringSubmatch(env.Text); l != nil {
			tokens = append(tokens, l[1])
			texts = append(texts, text)
		}
	}
	return tokens, texts
}

// TestPasswordReset: the forgotten-password flow over HTTP with the real
// outbound path and a capture relay: the same answer for any address, a
// link mailed only to an agent (in their language), stored only hashed,
// single use, expiring, spent by any password change, and every session
// ended when it is used.
func TestPasswordReset(t *testing.T) {
	for _, engine := range dbtest.Engines {
		t.Run(engine.String(), func(t *testing.T) {
			clk := &webtest.Clock{}
			e := apptest.NewWithClock(t, engine, clk.Now, nil)
			ctx := t.Context()
			capture := mailtest.StartCapture(t)
			host, port, _ := net.SplitHostPort(capture.Addr())
			p, _ := strconv.Atoi(port)
			if st, body := e.Do(t, authz.Admin, "POST", "/api/v1/mailboxes", map[string]any{
				"address": "support@example.com", "name": "Support", "smtp": map[string]any{"host": host, "port": p, "security": "none"},
			}); st != 201 {
				t.Fatalf("mailbox: %d %v", st, body["_raw"])
			}
			rctx, stop := context.WithCancel(context.Background())
			var wg sync.WaitGroup
			wg.Add(1)
			go func() { defer wg.Done(); _ = e.Sys.Jobs.Run(rctx) }()
			t.Cleanup(func() { stop(); wg.Wait() })
			if _, err := e.Sys.Agents.CreateAgent(ctx, authz.System, agent.AgentInput{
				Email: "nora@ombud.test", Name: "Nora", Role: authz.Agent, Locale: "nb", TimeZone: "Europe/Oslo", Password: apptest.Password}); err != nil {
				t.Fatal(err)
			}
			anon := webtest.Anonymous(e)
			webtest.RunPages(t, []webtest.PageCase{
				{Name: "sign-in links to the form", Who: anon, Method: "GET", Path: "/login", Status: 200, Want: []string{`href="/password/forgot"`, "Forgot your password?"}},
				{Name: "form", Who: anon, Method: "GET", Path: "/password/forgot", Status: 200, Want: []string{`action="/password/forgot"`, `name="email"`}},
				{Name: "no address", Who: anon, Method: "POST", Path: "/password/forgot", Form: url.Values{"email": {""}}, Status: 400, Want: []string{"is required"}},
				{Name: "not an address", Who: anon, Method: "POST", Path: "/password/forgot", Form: url.Values{"email": {"nora"}}, Status: 400, Want: []string{"must be an email address"}},
				{Name: "an agent", Who: anon, Method: "POST", Path: "/password/forgot", Form: url.Values{"email": {" Nora@Ombud.test "}}, Status: 303, Location: "/password/forgot?sent=1"},
				{Name: "nobody", Who: anon, Method: "POST", Path: "/password/forgot", Form: url.Values{"email": {"nobody@ombud.test"}}, Status: 303, Location: "/password/forgot?sent=1"},
				{Name: "the same answer", Who: anon, Method: "GET", Path: "/password/forgot?sent=1", Status: 200,
					Want: []string{"If the address belongs to an Ombud account"}},
			})
			tokens, texts := mailedLinks(t, e, capture)
			if len(tokens) != 1 || len(capture.Messages()) != 1 {
				t.Fatalf("%d links in %d mails, want one to Nora: %q", len(tokens), len(capture.Messages()), texts)
			}
			for _, w := range []string{"nora@ombud.test", "Tilbakestill passordet ditt i Ombud", "Hei Nora,", "Lenken virker én gang"} {
				if !strings.Contains(texts[0], w) {
					t.Errorf("the mail lacks %q:\n%s", w, texts[0])
				}
			}
			tok := tokens[0]
			if len(tok) != 43 { // 256 bits, base64url
				t.Errorf("token %q is not 256 bits", tok)
			}
			sum := sha256.Sum256([]byte(tok))
			var stored, inJobs int
			if err := e.Sys.DB.QueryRowContext(ctx, `SELECT COUNT(*) FROM password_resets WHERE token_hash = ?`, hex.EncodeToString(sum[:])).Scan(&stored); err != nil || stored != 1 {
				t.Fatalf("hash stored %d times (%v)", stored, err)
			}
			if err := e.Sys.DB.QueryRowContext(ctx, `SELECT COUNT(*) FROM jobs WHERE CAST(payload AS TEXT) LIKE ?`, "%"+tok+"%").Scan(&inJobs); err != nil || inJobs != 0 {
				t.Fatalf("the raw token is in %d job payloads (%v)", inJobs, err)
			}

			// Using the link ends every session of the account.
			session := webtest.SignInEmail(t, e, "nora@ombud.test")
			reset := "/password/reset?token=" + tok
			webtest.RunPages(t, []webtest.PageCase{
				{Name: "bogus link", Who: anon, Method: "GET", Path: "/password/reset?token=nope", Status: 400,
					Want: []string{"This link is invalid, used or expired.", `href="/password/forgot"`}, NotWant: []string{`name="new_password"`}},
				{Name: "link", Who: anon, Method: "GET", Path: reset, Status: 200, Want: []string{`name="new_password"`, `value="` + tok + `"`}},
				{Name: "too short", Who: anon, Method: "POST", Path: "/password/reset", Form: url.Values{"token": {tok}, "new_password": {"short"}, "confirm_password": {"short"}},
					Status: 400, Want: []string{"must be 10 to 256 characters"}},
				{Name: "repeated differently", Who: anon, Method: "POST", Path: "/password/reset", Form: url.Values{"token": {tok}, "new_password": {"reset-by-link-1"}, "confirm_password": {"reset-by-link-2"}},
					Status: 400, Want: []string{"does not match the new password"}},
				{Name: "set", Who: anon, Method: "POST", Path: "/password/reset", Form: url.Values{"token": {tok}, "new_password": {"reset-by-link-1"}, "confirm_password": {"reset-by-link-1"}},
					Status: 303, Location: "/login?reset=1"},
				{Name: "signed out", Who: session, Method: "GET", Path: "/tickets", Status: 303, Location: "/login"},
				{Name: "sign-in says so", Who: anon, Method: "GET", Path: "/login?reset=1", Status: 200, Want: []string{"Your password is changed. Sign in with the new one."}},
				{Name: "used once", Who: anon, Method: "GET", Path: reset, Status: 400, Want: []string{"This link is invalid, used or expired."}},
				{Name: "not twice", Who: anon, Method: "POST", Path: "/password/reset", Form: url.Values{"token": {tok}, "new_password": {"reset-by-link-3"}, "confirm_password": {"reset-by-link-3"}},
					Status: 400, Want: []string{"This link is invalid, used or expired."}},
			})
			webtest.SignInWith(t, e, "nora@ombud.test", "reset-by-link-1")
			if _, st := webtest.TrySignIn(t, e, "nora@ombud.test", apptest.Password); st == http.StatusSeeOther {
				t.Error("the old password still signs in")
			}

			// A link expires after an hour, and any password change spends it.
			ask := func() string {
				t.Helper()
				if st, _, _ := anon.Do(t, "POST", "/password/forgot", url.Values{"email": {"nora@ombud.test"}}); st != 303 {
					t.Fatalf("ask: %d", st)
				}
				tokens, _ := mailedLinks(t, e, capture)
				return tokens[len(tokens)-1]
			}
			late := ask()
			clk.Add(59 * time.Minute)
			if st, _, _ := anon.Do(t, "GET", "/password/reset?token="+late, nil); st != 200 {
				t.Fatalf("after 59 minutes: %d", st)
			}
			clk.Add(2 * time.Minute)
			if st, body, _ := anon.Do(t, "GET", "/password/reset?token="+late, nil); st != 400 || !strings.Contains(body, "This link is invalid") {
				t.Errorf("after 61 minutes: %d", st)
			}
			spent := ask()
			nora, err := e.Sys.Agents.ByEmail(ctx, "nora@ombud.test")
			if err != nil {
				t.Fatal(err)
			}
			if st, body := e.Do(t, authz.Admin, "PATCH", fmt.Sprintf("/api/v1/agents/%d", nora.ID), map[string]any{"password": "set-by-admin-99"}); st != 200 {
				t.Fatalf("admin sets the password: %d %v", st, body["_raw"])
			}
			if st, _, _ := anon.Do(t, "POST", "/password/reset", url.Values{"token": {spent}, "new_password": {"reset-by-link-4"}, "confirm_password": {"reset-by-link-4"}}); st != 400 {
				t.Errorf("a link from before a password change: %d", st)
			}
			webtest.SignInWith(t, e, "nora@ombud.test", "set-by-admin-99")

			// Requests from one address are limited.
			limited := false
			for range 6 {
				st, body, _ := anon.Do(t, "POST", "/password/forgot", url.Values{"email": {"someone@example.org"}})
				if st == http.StatusTooManyRequests {
					limited = strings.Contains(body, "too many password reset requests")
					break
				}
			}
			if !limited {
				t.Error("reset requests from one address are not limited")
			}
		})
	}
}

// TestPasswordStrings: the hints built from the length rules and the
// service's length message are in the catalog.
func TestPasswordStrings(t *testing.T) {
	tr, err := i18n.New()
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{
		fmt.Sprintf("Use %d to %d characters.", auth.MinPassword, auth.MaxPassword),
		fmt.Sprintf("must be %d to %d characters", auth.MinPassword, auth.MaxPassword),
	} {
		if !tr.Has(k) {
			t.Errorf("%q is not in the catalog", k)
		}
	}
}

// TestAgentPagePassword: an admin sets another agent's password on the
// agent's settings page; the agent is signed out everywhere. The page has
// no such field for one's own record (that is My profile's, with the
// current password).
func TestAgentPagePassword(t *testing.T) {
	for _, engine := range dbtest.Engines {
		t.Run(engine.String(), func(t *testing.T) {
			e := apptest.New(t, engine)
			target := e.Agents[authz.Agent]
			admin := webtest.SignIn(t, e, authz.Admin)
			victim := webtest.SignIn(t, e, authz.Agent)
			page := fmt.Sprintf("/admin/agents/%d", target.ID)
			form := func(pw string) url.Values {
				return url.Values{"name": {target.Name}, "role": {string(target.Role)}, "locale": {"en"}, "time_zone": {"UTC"}, "active": {"yes"}, "password": {pw}}
			}
			webtest.RunPages(t, []webtest.PageCase{
				{Name: "field", Who: admin, Method: "GET", Path: page, Status: 200, Want: []string{`name="password"`, `autocomplete="new-password"`}},
				{Name: "not on one's own page", Who: admin, Method: "GET", Path: fmt.Sprintf("/admin/agents/%d", e.Agents[authz.Admin].ID), Status: 200, NotWant: []string{`name="password"`}},
				{Name: "too short", Who: admin, Method: "POST", Path: page, Form: form("short"), Status: 400, Want: []string{"must be 10 to 256 characters"}},
				{Name: "empty keeps it", Who: admin, Method: "POST", Path: page, Form: form(""), Status: 303, Location: page + "?saved=1"},
				{Name: "still signed in", Who: victim, Method: "GET", Path: "/tickets", Status: 200},
				{Name: "set", Who: admin, Method: "POST", Path: page, Form: form("set-on-the-page-1"), Status: 303, Location: page + "?saved=1"},
				{Name: "signed out", Who: victim, Method: "GET", Path: "/tickets", Status: 303, Location: "/login"},
			})
			webtest.SignInWith(t, e, target.Email, "set-on-the-page-1")
		})
	}
}
