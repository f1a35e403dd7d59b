package webtest

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/ombud/ombud/internal/app/apptest"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/web"
)

// The helpers below sign role's test agent in through the auth service and
// send its session cookie (and CSRF header for posts): quicker than a
// Browser when a test needs one request.

// GetPage reads a UI page as role's browser session; anything but 200 fails.
func GetPage(t *testing.T, e *apptest.Env, role authz.Role, path string) string {
	t.Helper()
	req, _ := http.NewRequest("GET", e.URL+path, nil)
	addSession(t, e, role, req)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d", path, resp.StatusCode)
	}
	var b strings.Builder
	if _, err := io.Copy(&b, resp.Body); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// PostForm sends a form as role's browser session and returns the status.
func PostForm(t *testing.T, e *apptest.Env, role authz.Role, path string, form url.Values) int {
	t.Helper()
	resp := PostFormResp(t, e, role, path, form)
	resp.Body.Close()
	return resp.StatusCode
}

// PostFormLoc posts a form as role and returns the status and Location.
func PostFormLoc(t *testing.T, e *apptest.Env, role authz.Role, path string, form url.Values) (int, string) {
	t.Helper()
	resp := PostFormResp(t, e, role, path, form)
	resp.Body.Close()
	return resp.StatusCode, resp.Header.Get("Location")
}

// PostFormBody posts a form as role and returns the status and page.
func PostFormBody(t *testing.T, e *apptest.Env, role authz.Role, path string, form url.Values) (int, string) {
	t.Helper()
	resp := PostFormResp(t, e, role, path, form)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// PostFormResp posts a form as role without following redirects; the
// caller closes the body.
func PostFormResp(t *testing.T, e *apptest.Env, role authz.Role, path string, form url.Values) *http.Response {
	t.Helper()
	client := &http.Client{CheckRedirect: noFollow}
	req, _ := http.NewRequest("POST", e.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	addSession(t, e, role, req)
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

func addSession(t *testing.T, e *apptest.Env, role authz.Role, req *http.Request) {
	t.Helper()
	s, err := e.Sys.Auth.SignIn(t.Context(), string(role)+"@ombud.test", apptest.Password, "127.0.0.1", "test")
	if err != nil {
		t.Fatal(err)
	}
	req.AddCookie(&http.Cookie{Name: web.SessionCookie, Value: s.Token})
	req.Header.Set("X-CSRF-Token", s.CSRF)
}

// Vals builds a form from name, value pairs.
func Vals(kv ...string) url.Values {
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Add(kv[i], kv[i+1])
	}
	return v
}

// Excerpt is the part of a page worth printing in a failure: from <main>,
// at most 3000 bytes.
func Excerpt(body string) string {
	if i := strings.Index(body, `<main`); i >= 0 {
		body = body[i:]
	}
	if len(body) > 3000 {
		body = body[:3000] + "…"
	}
	return body
}
