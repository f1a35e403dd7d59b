package sso_test

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ombud/ombud/internal/agent"
	"github.com/ombud/ombud/internal/app/apptest"
	"github.com/ombud/ombud/internal/auth/oidctest"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/dbtest"
	"github.com/ombud/ombud/internal/sso"
	"github.com/ombud/ombud/internal/web/webtest"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

// fixture is a running Ombud with a test provider configured.
type fixture struct {
	e      *apptest.Env
	op     *oidctest.Provider
	id     int64
	teamID int64
}

func adminOf(e *apptest.Env) authz.Actor {
	return authz.Actor{Kind: authz.KindAgent, ID: e.Agents[authz.Admin].ID, Role: authz.Admin}
}

func setup(t *testing.T, e *apptest.Env, edit func(*sso.Input)) fixture {
	t.Helper()
	ctx := context.Background()
	op := oidctest.Start(t, "ombud-"+t.Name(), "s3cret")
	team, err := e.Sys.Agents.CreateTeam(ctx, adminOf(e), agent.TeamInput{Name: "Billing " + strconv.FormatInt(time.Now().UnixNano(), 36)})
	if err != nil {
		t.Fatal(err)
	}
	s := "s3cret"
	in := sso.Input{Name: "Test IdP", Issuer: op.URL, ClientID: op.ClientID, ClientSecret: &s, Claim: "groups",
		Mappings:    []sso.Mapping{{Value: "leads", Role: authz.Manager}, {Value: "billing", TeamID: team.ID}},
		DefaultRole: authz.Agent, JIT: true, Enabled: true}
	if edit != nil {
		edit(&in)
	}
	p, err := e.Sys.SSO.CreateProvider(ctx, adminOf(e), in)
	if err != nil {
		t.Fatal(err)
	}
	return fixture{e: e, op: op, id: p.ID, teamID: team.ID}
}

// result is where a browser following every redirect ended.
type result struct {
	status int
	path   string
	body   string
	client *http.Client
}

// signIn clicks the provider's button in a new browser and follows the
// redirects to the provider and back.
func (f fixture) signIn(t *testing.T, lang string) result {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	req, _ := http.NewRequest("GET", f.e.URL+"/login/sso/"+itoa(f.id), nil)
	if lang != "" {
		req.Header.Set("Accept-Language", lang)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return result{status: resp.StatusCode, path: resp.Request.URL.Path, body: string(b), client: c}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func (r result) signedIn() bool { return r.status == 200 && r.path == "/tickets" }

func TestSignInScenarios(t *testing.T) {
	for _, engine := range dbtest.Engines {
		t.Run(engine.String(), func(t *testing.T) {
			e := apptest.New(t, engine)
			ctx := context.Background()

			t.Run("just in time with role and team mapping, re-synced", func(t *testing.T) {
				f := setup(t, e, nil)
				f.op.SetUser(&oidctest.User{Subject: "s-new", Email: "New.Person@Example.com", EmailVerified: true, Name: "New Person",
					Claims: map[string]any{"groups": []string{"leads", "billing", "other"}}})
				if r := f.signIn(t, ""); !r.signedIn() {
					t.Fatalf("not signed in: %d %s %s", r.status, r.path, webtest.Excerpt(r.body))
				}
				a, err := e.Sys.Agents.ByEmail(ctx, "new.person@example.com")
				if err != nil {
					t.Fatal(err)
				}
				if a.Role != authz.Manager || !slices.Contains(a.TeamIDs, f.teamID) || a.Name != "New Person" {
					t.Fatalf("new agent %+v", a)
				}
				// The claim changed at the provider: role and mapped team follow.
				f.op.SetUser(&oidctest.User{Subject: "s-new", Email: "new.person@example.com", EmailVerified: true, Claims: map[string]any{"groups": "staff"}})
				if r := f.signIn(t, ""); !r.signedIn() {
					t.Fatalf("second sign-in: %d %s", r.status, r.path)
				}
				a, _ = e.Sys.Agents.ByEmail(ctx, "new.person@example.com")
				if a.Role != authz.Agent || slices.Contains(a.TeamIDs, f.teamID) {
					t.Fatalf("not re-synced: %+v", a)
				}
			})

			t.Run("existing agent linked by verified email, then by subject", func(t *testing.T) {
				f := setup(t, e, func(in *sso.Input) { in.JIT, in.Mappings, in.Claim = false, nil, "" })
				f.op.SetUser(&oidctest.User{Subject: "s-qa", Email: "qa_reviewer@ombud.test", EmailVerified: true})
				if r := f.signIn(t, ""); !r.signedIn() {
					t.Fatalf("not signed in: %d %s %s", r.status, r.path, webtest.Excerpt(r.body))
				}
				var agentID int64
				if err := e.Sys.DB.QueryRowContext(ctx, `SELECT agent_id FROM sso_identities WHERE provider_id = ? AND subject = ?`, f.id, "s-qa").Scan(&agentID); err != nil || agentID != e.Agents[authz.QAReviewer].ID {
					t.Fatalf("link: %d %v", agentID, err)
				}
				// A new address at the provider still finds the linked agent.
				f.op.SetUser(&oidctest.User{Subject: "s-qa", Email: "renamed@ombud.test", EmailVerified: true})
				if r := f.signIn(t, ""); !r.signedIn() {
					t.Fatalf("linked sign-in: %d %s", r.status, r.path)
				}
				a, _ := e.Sys.Agents.GetAgent(ctx, authz.System, agentID)
				if a.Role != authz.QAReviewer {
					t.Fatalf("role changed without mappings: %s", a.Role)
				}
			})

			refusals := []struct {
				name   string
				edit   func(*sso.Input)
				user   *oidctest.User
				tweak  func(map[string]any)
				status int
				text   string
				reason string // of the auth.sign_in_failed audit row
			}{
				{"bad nonce", nil, &oidctest.User{Subject: "s1", Email: "agent@ombud.test", EmailVerified: true},
					func(c map[string]any) { c["nonce"] = "forged" }, 401, "could not be verified", "token"},
				{"wrong audience", nil, &oidctest.User{Subject: "s1", Email: "agent@ombud.test", EmailVerified: true},
					func(c map[string]any) { c["aud"] = "someone-else" }, 401, "could not be verified", "token"},
				{"expired token", nil, &oidctest.User{Subject: "s1", Email: "agent@ombud.test", EmailVerified: true},
					func(c map[string]any) { c["exp"] = time.Now().Add(-10 * time.Minute).Unix() }, 401, "could not be verified", "token"},
				{"other issuer", nil, &oidctest.User{Subject: "s1", Email: "agent@ombud.test", EmailVerified: true},
					func(c map[string]any) { c["iss"] = "https://evil.example.com" }, 401, "could not be verified", "token"},
				{"unverified email", nil, &oidctest.User{Subject: "s1", Email: "agent@ombud.test", EmailVerified: false}, nil, 403, "not verified your email", "unverified"},
				{"domain not allowed", func(in *sso.Input) { in.AllowedDomains = []string{"example.com"} },
					&oidctest.User{Subject: "s1", Email: "agent@ombud.test", EmailVerified: true}, nil, 403, "email domain", "domain"},
				{"no account and no just-in-time", func(in *sso.Input) { in.JIT = false },
					&oidctest.User{Subject: "s9", Email: "stranger@ombud.test", EmailVerified: true}, nil, 403, "no agent account", "no_account"},
				{"provider refuses", nil, nil, nil, 401, "did not sign you in", "refused"},
			}
			for _, tt := range refusals {
				t.Run(tt.name, func(t *testing.T) {
					f := setup(t, e, tt.edit)
					f.op.SetUser(tt.user)
					f.op.Tweak(tt.tweak)
					r := f.signIn(t, "")
					if r.status != tt.status || !strings.Contains(r.body, tt.text) {
						t.Fatalf("status %d at %s, want %d with %q: %s", r.status, r.path, tt.status, tt.text, webtest.Excerpt(r.body))
					}
					if strings.Contains(r.body, "s3cret") || strings.Contains(r.body, "forged") || strings.Contains(r.body, "someone-else") {
						t.Fatal("the page shows provider details")
					}
					// The refusal is a failed sign-in in the audit log.
					_, log := e.Do(t, authz.Admin, "GET", "/api/v1/audit?limit=1&action=auth.sign_in_failed", nil)
					rows, _ := log["data"].([]any)
					if len(rows) != 1 {
						t.Fatalf("no failed sign-in audited: %v", log["_raw"])
					}
					row := rows[0].(map[string]any)
					if d := row["data"].(map[string]any); d["reason"] != tt.reason || d["method"] != "sso" || d["provider"] != float64(f.id) || row["ip"] != "127.0.0.1" {
						t.Errorf("audit row: %v", log["_raw"])
					}
					if resp, err := r.client.Get(e.URL + "/tickets"); err != nil || resp.Request.URL.Path != "/login" {
						t.Fatalf("after a refused sign-in /tickets answered at %v (%v)", resp.Request.URL, err)
					} else {
						resp.Body.Close()
					}
				})
			}

			t.Run("deactivated agent", func(t *testing.T) {
				f := setup(t, e, nil)
				off, err := e.Sys.Agents.CreateAgent(ctx, authz.System, agent.AgentInput{Email: "gone@ombud.test", Name: "Gone"})
				if err != nil {
					t.Fatal(err)
				}
				if err := e.Sys.Agents.DeactivateAgent(ctx, adminOf(e), off.ID); err != nil {
					t.Fatal(err)
				}
				f.op.SetUser(&oidctest.User{Subject: "s-gone", Email: "gone@ombud.test", EmailVerified: true})
				if r := f.signIn(t, ""); r.status != 403 || !strings.Contains(r.body, "deactivated") {
					t.Fatalf("status %d: %s", r.status, webtest.Excerpt(r.body))
				}
			})

			t.Run("errors in the reader's language", func(t *testing.T) {
				f := setup(t, e, nil)
				f.op.SetUser(&oidctest.User{Subject: "s1", Email: "agent@ombud.test"})
				r := f.signIn(t, "nb")
				if r.status != 403 || strings.Contains(r.body, "not verified your email") || !strings.Contains(r.body, `lang="nb"`) {
					t.Fatalf("status %d: %s", r.status, webtest.Excerpt(r.body))
				}
			})

			t.Run("bad state", func(t *testing.T) {
				f := setup(t, e, nil)
				f.op.SetUser(&oidctest.User{Subject: "s1", Email: "agent@ombud.test", EmailVerified: true})
				for _, mode := range []string{"changed state", "another browser", "replayed"} {
					jar, _ := cookiejar.New(nil)
					noFollow := func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
					c := &http.Client{Jar: jar, CheckRedirect: noFollow}
					_, loc := get(t, c, e.URL+"/login/sso/"+itoa(f.id))
					_, back := get(t, c, loc) // the provider answers with the callback URL
					u, _ := url.Parse(back)
					state := ""
					for _, ck := range jar.Cookies(u) {
						if ck.Name == "ombud_sso" {
							state = ck.Value
						}
					}
					if state == "" || state != u.Query().Get("state") {
						t.Fatalf("%s: state cookie %q, callback state %q", mode, state, u.Query().Get("state"))
					}
					cookie := "ombud_sso=" + state
					switch mode {
					case "changed state":
						q := u.Query()
						q.Set("state", "not-the-state")
						u.RawQuery = q.Encode()
					case "another browser":
						cookie = ""
					case "replayed":
						if st := getCookie(t, u.String(), cookie); st != http.StatusSeeOther {
							t.Fatalf("first callback: %d", st)
						}
					}
					if st := getCookie(t, u.String(), cookie); st != http.StatusUnauthorized {
						t.Fatalf("%s: status %d, want 401", mode, st)
					}
				}
				if n := f.op.TokenRequests(); n != 1 {
					t.Fatalf("token requests %d: a bad state must not reach the provider", n)
				}
			})

			t.Run("password refused for an SSO role, break-glass admin allowed", func(t *testing.T) {
				setup(t, e, nil)
				if err := e.Sys.SSO.SetPolicy(ctx, adminOf(e), sso.Policy{Roles: []authz.Role{authz.Collaborator, authz.Admin}, BreakGlassID: e.Agents[authz.Admin].ID}); err != nil {
					t.Fatal(err)
				}
				defer func() { _ = e.Sys.SSO.SetPolicy(ctx, adminOf(e), sso.Policy{}) }()
				if _, st := webtest.TrySignIn(t, e, "collaborator@ombud.test", apptest.Password); st != http.StatusForbidden {
					t.Fatalf("collaborator signed in with a password: %d", st)
				}
				st, body := postLogin(t, e, "collaborator@ombud.test")
				if st != 403 || !strings.Contains(body, "single sign-on") || !strings.Contains(body, "Sign in with Test IdP") {
					t.Fatalf("sign-in page: %d %s", st, webtest.Excerpt(body))
				}
				if _, st := webtest.TrySignIn(t, e, "admin@ombud.test", apptest.Password); st != http.StatusSeeOther {
					t.Fatalf("break-glass admin refused: %d", st)
				}
				if _, st := webtest.TrySignIn(t, e, "manager@ombud.test", apptest.Password); st != http.StatusSeeOther {
					t.Fatalf("manager refused: %d", st)
				}
			})

			t.Run("two-factor policy and a provider that enforces MFA", func(t *testing.T) {
				if err := e.Sys.Auth.SetRequiredRoles(ctx, adminOf(e), []authz.Role{authz.Agent}); err != nil {
					t.Fatal(err)
				}
				defer func() { _ = e.Sys.Auth.SetRequiredRoles(ctx, adminOf(e), nil) }()
				for _, mfa := range []bool{false, true} {
					f := setup(t, e, func(in *sso.Input) { in.MFA = mfa; in.Mappings = nil })
					f.op.SetUser(&oidctest.User{Subject: "s-mfa", Email: "mfa" + map[bool]string{true: "1", false: "0"}[mfa] + "@example.com", EmailVerified: true})
					r := f.signIn(t, "")
					want := "/profile/two-factor" // enrolment first: SSO alone does not count
					if mfa {
						want = "/tickets"
					}
					if r.status != 200 || r.path != want {
						t.Fatalf("mfa=%v: landed on %s (%d), want %s", mfa, r.path, r.status, want)
					}
				}
			})
		})
	}
}

func get(t *testing.T, c *http.Client, u string) (int, string) {
	t.Helper()
	resp, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode, resp.Header.Get("Location")
}

// getCookie sends a GET with only the given Cookie header, not following
// redirects.
func getCookie(t *testing.T, u, cookie string) int {
	t.Helper()
	req, _ := http.NewRequest("GET", u, nil)
	if cookie != "" {
		req.Header.Set("Cookie", cookie)
	}
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func postLogin(t *testing.T, e *apptest.Env, email string) (int, string) {
	t.Helper()
	resp, err := http.PostForm(e.URL+"/login", url.Values{"email": {email}, "password": {apptest.Password}})
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}
