// Package webtest holds the HTTP helpers the UI tests of internal/web and its
// surface packages (tickets, people, admin, reports) share: signed-in
// browsers, session-cookie requests, page and API scenario tables, and a few
// fixtures. It is imported by external test packages only; internal/web
// never imports it.
package webtest

import (
	"bytes"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/textproto"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/ombud/ombud/internal/app/apptest"
	"github.com/ombud/ombud/internal/authz"
)

// Browser is a signed-in browser: the session cookie comes from the real
// sign-in form and the CSRF token from a rendered page, as in a browser.
// It never follows redirects, so tests see them.
type Browser struct {
	e      *apptest.Env
	client *http.Client
	csrf   string
}

var csrfField = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

func newBrowser(t *testing.T, e *apptest.Env) *Browser {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &Browser{e: e, client: &http.Client{Jar: jar, CheckRedirect: noFollow}}
}

func noFollow(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

// Anonymous is a browser without a session.
func Anonymous(e *apptest.Env) *Browser {
	return &Browser{e: e, client: &http.Client{CheckRedirect: noFollow}}
}

// SignIn signs in as the test agent of role.
func SignIn(t *testing.T, e *apptest.Env, role authz.Role) *Browser {
	t.Helper()
	return SignInEmail(t, e, string(role)+"@ombud.test")
}

// SignInEmail is SignIn for any agent with the test password: the real
// sign-in form, then the CSRF token from the ticket list.
func SignInEmail(t *testing.T, e *apptest.Env, addr string) *Browser {
	t.Helper()
	b := newBrowser(t, e)
	resp, err := b.client.PostForm(e.URL+"/login", url.Values{"email": {addr}, "password": {apptest.Password}, "next": {"/tickets"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/tickets" {
		t.Fatalf("sign in as %s: status %d, location %q", addr, resp.StatusCode, resp.Header.Get("Location"))
	}
	st, body, _ := b.Do(t, "GET", "/tickets", nil)
	m := csrfField.FindStringSubmatch(body)
	if st != http.StatusOK || m == nil {
		t.Fatalf("ticket list after sign-in: status %d, no CSRF token in the page", st)
	}
	b.csrf = m[1]
	return b
}

// SignInWith signs in through the real form with any email and password.
func SignInWith(t *testing.T, e *apptest.Env, addr, password string) *Browser {
	t.Helper()
	b, st := TrySignIn(t, e, addr, password)
	if st != http.StatusSeeOther {
		t.Fatalf("sign in as %s: status %d", addr, st)
	}
	return b
}

// TrySignIn posts the sign-in form and returns the browser and the status
// (303 when signed in).
func TrySignIn(t *testing.T, e *apptest.Env, addr, password string) (*Browser, int) {
	t.Helper()
	b := newBrowser(t, e)
	resp, err := b.client.PostForm(e.URL+"/login", url.Values{"email": {addr}, "password": {password}, "next": {"/tickets"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		return b, resp.StatusCode
	}
	st, body, _ := b.Do(t, "GET", "/tickets", nil)
	if m := csrfField.FindStringSubmatch(body); st == http.StatusOK && m != nil {
		b.csrf = m[1]
	}
	return b, http.StatusSeeOther
}

// Client is the browser's HTTP client, with its cookies, for requests the
// helpers do not cover (event streams, raw reads).
func (b *Browser) Client() *http.Client { return b.client }

// CSRF is the token the browser's forms carry.
func (b *Browser) CSRF() string { return b.csrf }

// Do sends a GET, or a form POST carrying the CSRF token like the pages'
// forms do, and returns status, body and redirect target.
func (b *Browser) Do(t *testing.T, method, path string, form url.Values) (int, string, string) {
	t.Helper()
	var body io.Reader
	if method == "POST" {
		f := url.Values{}
		for k, v := range form {
			f[k] = v
		}
		f.Set("csrf_token", b.csrf)
		body = strings.NewReader(f.Encode())
	}
	req, err := http.NewRequest(method, b.e.URL+path, body)
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := b.client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(raw), resp.Header.Get("Location")
}

// Get fetches a path with the browser's session and returns status and body.
func (b *Browser) Get(t *testing.T, path string) (int, []byte) {
	t.Helper()
	resp, err := b.client.Get(b.e.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, raw
}

// Upload is one file of a multipart post.
type Upload struct {
	Name, Type string
	Data       []byte
	Field      string // the form field; "attachments" when empty
}

// PostMultipart sends a form as the ticket composer does: multipart, the
// CSRF token first, the text fields, then the files as "attachments".
func (b *Browser) PostMultipart(t *testing.T, path string, fields [][2]string, files []Upload) (int, string, string) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	_ = mw.WriteField("csrf_token", b.csrf)
	for _, f := range fields {
		_ = mw.WriteField(f[0], f[1])
	}
	for _, f := range files {
		h := textproto.MIMEHeader{}
		field := f.Field
		if field == "" {
			field = "attachments"
		}
		h.Set("Content-Disposition", fmt.Sprintf(`form-data; name=%q; filename=%q`, field, f.Name))
		h.Set("Content-Type", f.Type)
		w, err := mw.CreatePart(h)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = w.Write(f.Data)
	}
	_ = mw.Close()
	req, err := http.NewRequest("POST", b.e.URL+path, &buf)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	resp, err := b.client.Do(req)
	if err != nil {
		t.Fatalf("POST %s: %v", path, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(raw), resp.Header.Get("Location")
}
