package people_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/ombud/ombud/internal/app/apptest"
	"github.com/ombud/ombud/internal/audit"
	"github.com/ombud/ombud/internal/auth/passkeytest"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/config"
	"github.com/ombud/ombud/internal/dbtest"
	"github.com/ombud/ombud/internal/web/webtest"
)

const passkeyBase = "http://ombud.test"

// postJSON posts body (a string is sent as is) with the browser's cookies
// and CSRF token, as webauthn.js does, and decodes the JSON reply.
func (b *browserClient) postJSON(path string, body any, header ...string) (int, map[string]any, []byte) {
	b.t.Helper()
	var raw []byte
	switch v := body.(type) {
	case string:
		raw = []byte(v)
	default:
		raw, _ = json.Marshal(v)
	}
	req, _ := http.NewRequest("POST", b.e.URL+path, bytes.NewReader(raw))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", b.ua)
	if b.csrf != "" {
		req.Header.Set("X-CSRF-Token", b.csrf)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	reply, _ := io.ReadAll(resp.Body)
	out := map[string]any{}
	_ = json.Unmarshal(reply, &out)
	return resp.StatusCode, out, reply
}

// errField is the JSON error's field problem for name ("" for none).
func errField(reply map[string]any, name string) string {
	e, _ := reply["error"].(map[string]any)
	f, _ := e["fields"].(map[string]any)
	s, _ := f[name].(string)
	return s
}

var passkeyIDInPage = regexp.MustCompile(`action="/profile/passkeys/(\d+)/rename"`)

// TestPasskeyPages is adding, renaming and removing a passkey on My
// profile and signing in with it, after the password and without one,
// through the real HTTP handlers with a software authenticator's answers.
func TestPasskeyPages(t *testing.T) {
	for _, engine := range dbtest.Engines {
		t.Run(engine.String(), func(t *testing.T) {
			e := apptest.NewWith(t, engine, func(c *config.Config) { c.BaseURL = passkeyBase })
			au := passkeytest.New(passkeyBase)
			ida := newBrowser(t, e, "Mozilla/5.0 (X11; Linux x86_64) Chrome/126.0.0.0 Safari/537.36")
			if st, loc := ida.signInPassword("agent@ombud.test"); st != 303 || loc != "/tickets" {
				t.Fatalf("sign in: %d %s", st, loc)
			}
			st, page, _ := ida.get("/profile")
			for _, w := range []string{`id="passkeys"`, `id="passkey-add"`, "You have no passkeys.", "webauthn.js"} {
				if st != 200 || !strings.Contains(page, w) {
					t.Fatalf("profile %d lacks %q", st, w)
				}
			}

			st, opts, raw := ida.postJSON("/profile/passkeys/options", `{}`)
			if pk, _ := opts["publicKey"].(map[string]any); st != 200 || pk["challenge"] == nil {
				t.Fatalf("options %d %s", st, raw)
			}
			answer, err := au.Create(raw)
			if err != nil {
				t.Fatal(err)
			}
			// Garbage is a 400 naming the field, never a 500.
			for _, tt := range []struct {
				name, body string
				status     int
				field      string
			}{
				{"not JSON", `{"name":`, 400, "body"},
				{"unknown field", `{"name":"x","passkey":{},"colour":1}`, 400, "colour"},
				{"no passkey", `{"name":"Laptop"}`, 400, "passkey"},
				{"null passkey", `{"name":"Laptop","passkey":null}`, 400, "passkey"},
				{"passkey not an object", `{"name":"Laptop","passkey":"abc"}`, 400, "passkey"},
				{"bad id", `{"name":"Laptop","passkey":{"id":"@@","type":"public-key","response":{}}}`, 400, "passkey"},
				{"no name", `{"name":"","passkey":` + string(answer) + `}`, 400, "name"},
				{"name wrong type", `{"name":5,"passkey":{}}`, 400, "name"},
			} {
				t.Run(tt.name, func(t *testing.T) {
					st, reply, raw := ida.postJSON("/profile/passkeys", tt.body)
					if st != tt.status || errField(reply, tt.field) == "" {
						t.Fatalf("%d %s, want %d naming %s", st, raw, tt.status, tt.field)
					}
				})
			}
			// A fresh ceremony and authenticator for the real answer.
			_, _, raw = ida.postJSON("/profile/passkeys/options", `{}`)
			au = passkeytest.New(passkeyBase)
			if answer, err = au.Create(raw); err != nil {
				t.Fatal(err)
			}
			st, reply, body := ida.postJSON("/profile/passkeys", map[string]any{"name": "Work laptop", "passkey": json.RawMessage(answer)})
			if st != 201 || reply["redirect"] != "/profile?passkey=added#passkeys" {
				t.Fatalf("add: %d %s", st, body)
			}
			_, page, _ = ida.get("/profile?passkey=added")
			m := passkeyIDInPage.FindStringSubmatch(page)
			if m == nil || !strings.Contains(page, "Work laptop") || !strings.Contains(page, "The passkey is added.") || !strings.Contains(page, "Passkeys: 1") {
				t.Fatalf("profile after add:\n%s", webtest.Excerpt(page))
			}
			id := m[1]
			if st, _, loc := ida.post("/profile/passkeys/"+id+"/rename", url.Values{"name": {"Old laptop"}}); st != 303 || !strings.Contains(loc, "renamed") {
				t.Fatalf("rename %d %s", st, loc)
			}
			if st, page, _ := ida.post("/profile/passkeys/"+id+"/rename", url.Values{"name": {" "}}); st != 400 || !strings.Contains(page, "must be 1 to 60 characters") {
				t.Fatalf("blank rename %d", st)
			}
			if st, _, _ := ida.post("/profile/passkeys/999999/rename", url.Values{"name": {"x"}}); st != 404 {
				t.Fatalf("rename unknown %d", st)
			}

			// The role requires two-factor sign-in: the passkey meets it.
			if err := e.Sys.Auth.SetRequiredRoles(t.Context(), authz.System, []authz.Role{authz.Agent}); err != nil {
				t.Fatal(err)
			}
			if st, _, _ := ida.get("/tickets"); st != 200 {
				t.Fatalf("an agent with a passkey is sent to enrol: %d", st)
			}

			// After the password, the passkey instead of a code.
			two := newBrowser(t, e, "Mozilla/5.0 (X11; Linux x86_64) Chrome/126.0.0.0 Safari/537.36")
			if st, loc := two.signInPassword("agent@ombud.test"); st != 303 || !strings.HasPrefix(loc, "/login/code") {
				t.Fatalf("password: %d %s", st, loc)
			}
			st, page, _ = two.get("/login/code?next=/tickets")
			if st != 200 || !strings.Contains(page, `id="use-passkey"`) || strings.Contains(page, `id="code"`) {
				t.Fatalf("code page offers:\n%s", webtest.Excerpt(page))
			}
			if st, _, _ := two.postJSON("/login/passkey/options", `{}`, "Origin", "http://evil.test"); st != 403 {
				t.Fatalf("cross-site options: %d", st)
			}
			st, _, raw = two.postJSON("/login/passkey/options", `{}`)
			if st != 200 {
				t.Fatalf("options %d %s", st, raw)
			}
			answer, err = au.Get(raw)
			if err != nil {
				t.Fatal(err)
			}
			st, reply, body = two.postJSON("/login/passkey", map[string]any{"passkey": json.RawMessage(answer), "next": "/tickets"})
			if st != 200 || reply["redirect"] != "/tickets" {
				t.Fatalf("second factor: %d %s", st, body)
			}
			if st, _, _ := two.get("/tickets"); st != 200 {
				t.Fatalf("after the passkey: %d", st)
			}

			// Without a password, from the sign-in page.
			three := newBrowser(t, e, "Mozilla/5.0 (X11; Linux x86_64) Chrome/126.0.0.0 Safari/537.36")
			st, page, _ = three.get("/login")
			if st != 200 || !strings.Contains(page, `id="passkey-signin"`) || strings.Contains(page, `data-off="1"`) {
				t.Fatalf("sign-in page:\n%s", webtest.Excerpt(page))
			}
			for _, bad := range []string{`{"passkey":{"id":"AA","type":"public-key","rawId":"AA","response":{"clientDataJSON":"e30","authenticatorData":"AA","signature":"AA"}}}`, `[]`, ``} {
				if st, _, raw := three.postJSON("/login/passwordless", bad); st != 400 {
					t.Fatalf("garbage %q: %d %s", bad, st, raw)
				}
			}
			_, _, raw = three.postJSON("/login/passwordless/options", `{}`)
			answer, _ = au.Get(raw)
			st, reply, body = three.postJSON("/login/passwordless", map[string]any{"passkey": json.RawMessage(answer), "next": "https://evil.test/"})
			if st != 200 || reply["redirect"] != "/tickets" {
				t.Fatalf("passwordless: %d %s", st, body)
			}
			if st, _, _ := three.get("/tickets"); st != 200 {
				t.Fatalf("after passwordless: %d", st)
			}
			// The same answer again: its ceremony is gone.
			if st, reply, raw := newBrowser(t, e, "x").postJSON("/login/passwordless", map[string]any{"passkey": json.RawMessage(answer)}); st != 400 || errField(reply, "passkey") == "" {
				t.Fatalf("replay: %d %s", st, raw)
			}

			// Removing needs the password (or a current code).
			if st, page, _ := ida.post("/profile/passkeys/"+id+"/remove", url.Values{"proof": {"not it"}}); st != 400 || !strings.Contains(page, "neither a current code nor your password") {
				t.Fatalf("remove with a wrong password: %d", st)
			}
			if st, _, loc := ida.post("/profile/passkeys/"+id+"/remove", url.Values{"proof": {apptest.Password}}); st != 303 || !strings.Contains(loc, "removed") {
				t.Fatalf("remove: %d %s", st, loc)
			}
			if st, _, loc := ida.get("/tickets"); st != 303 || loc != "/profile/two-factor" {
				t.Fatalf("without a factor the role's requirement applies again: %d %s", st, loc)
			}
			entries, err := audit.List(t.Context(), e.Sys.DB, 100)
			if err != nil {
				t.Fatal(err)
			}
			seen := map[string]bool{}
			for _, en := range entries {
				seen[en.Action] = true
			}
			for _, a := range []string{"auth.passkey_add", "auth.passkey_rename", "auth.passkey_remove", "auth.sign_in"} {
				if !seen[a] {
					t.Errorf("no audit row %s", a)
				}
			}
		})
	}
}

// TestPasskeysOffOnAnIPAddress: a base URL on an IP address cannot carry
// passkeys; the pages say so and the endpoints refuse with 409.
func TestPasskeysOffOnAnIPAddress(t *testing.T) {
	e := apptest.NewWith(t, dbtest.Engines[0], func(c *config.Config) { c.BaseURL = "http://192.0.2.10:8080" })
	b := newBrowser(t, e, "t")
	if _, page, _ := b.get("/login"); !strings.Contains(page, `data-off="1"`) {
		t.Fatal("the sign-in page offers passkeys")
	}
	if st, _, _ := b.postJSON("/login/passwordless/options", `{}`); st != 409 {
		t.Fatalf("passwordless options: %d", st)
	}
	if st, _ := b.signInPassword("agent@ombud.test"); st != 303 {
		t.Fatalf("sign in %d", st)
	}
	if _, page, _ := b.get("/profile"); !strings.Contains(page, `id="passkeys-off"`) {
		t.Fatal("the profile offers to add a passkey")
	}
	if st, _, _ := b.postJSON("/profile/passkeys/options", `{}`); st != 409 {
		t.Fatalf("register options: %d", st)
	}
}
