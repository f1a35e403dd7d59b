package portal_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/textproto"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jhillyerd/enmime/v2"

	"github.com/ombud/ombud/internal/app/apptest"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/dbtest"
	"github.com/ombud/ombud/internal/mailtest"
	"github.com/ombud/ombud/internal/portal"
	"github.com/ombud/ombud/internal/web/webtest"
)

// client is a customer's browser: a cookie jar, no redirects followed.
type client struct {
	e    *apptest.Env
	http *http.Client
	csrf string
}

func newClient(t *testing.T, e *apptest.Env) *client {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &client{e: e, http: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

var csrfField = regexp.MustCompile(`name="csrf_token" value="([^"]*)"`)

func (c *client) do(t *testing.T, method, path string, form url.Values) (int, string, string) {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, c.e.URL+path, body)
	if err != nil {
		t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	return c.send(t, req)
}

func (c *client) send(t *testing.T, req *http.Request) (int, string, string) {
	t.Helper()
	resp, err := c.http.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if m := csrfField.FindSubmatch(raw); m != nil {
		c.csrf = string(m[1])
	}
	return resp.StatusCode, string(raw), resp.Header.Get("Location")
}

// post sends a form with the page's CSRF token.
func (c *client) post(t *testing.T, path string, form url.Values) (int, string, string) {
	t.Helper()
	f := url.Values{"csrf_token": {c.csrf}}
	for k, v := range form {
		f[k] = v
	}
	return c.do(t, "POST", path, f)
}

type file struct {
	name string
	data []byte
}

// multipart posts a form with files as the pages' forms do.
func (c *client) multipart(t *testing.T, path string, fields map[string]string, files ...file) (int, string, string) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	_ = mw.WriteField("csrf_token", c.csrf)
	for k, v := range fields {
		_ = mw.WriteField(k, v)
	}
	for _, f := range files {
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="attachments"; filename=%q`, f.name))
		h.Set("Content-Type", "application/octet-stream") // the portal sniffs the type itself
		w, _ := mw.CreatePart(h)
		_, _ = w.Write(f.data)
	}
	_ = mw.Close()
	req, _ := http.NewRequest("POST", c.e.URL+path, &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return c.send(t, req)
}

var signInLink = regexp.MustCompile(`/portal/sign-in\?token=([A-Z2-7]+)`)

// links waits for the link jobs and returns the tokens mailed to each
// address, with the mails' texts.
func links(t *testing.T, e *apptest.Env, capture *mailtest.Capture) (map[string][]string, map[string]string) {
	t.Helper()
	for i := 0; ; i++ {
		var n int
		if err := e.Sys.DB.QueryRowContext(t.Context(), `SELECT COUNT(*) FROM jobs WHERE kind = ? AND state <> 'done'`, portal.JobLink).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			break
		}
		if i > 800 {
			t.Fatalf("%d link jobs never finished", n)
		}
		time.Sleep(25 * time.Millisecond)
	}
	tokens, texts := map[string][]string{}, map[string]string{}
	for _, m := range capture.Messages() {
		env, err := enmime.ReadEnvelope(bytes.NewReader(m.Data))
		if err != nil {
			t.Fatal(err)
		}
		to := strings.Trim(env.GetHeader("To"), "<>")
		if l := signInLink.FindStringSubmatch(env.Text); l != nil {
			tokens[to] = append(tokens[to], l[1])
			texts[to] = env.GetHeader("Subject") + "\n" + env.Text
		}
	}
	return tokens, texts
}

// world is two customers with a request each, an internal note and a
// public reply with a file on Anna's, and a note's file.
type world struct {
	anna, bo             int64
	annaTicket, boTicket int64
	publicFile, noteFile int64
	boFile               int64
	capture              *mailtest.Capture
	clock                *webtest.Clock
}

func setup(t *testing.T, e *apptest.Env, clk *webtest.Clock) world {
	t.Helper()
	w := world{clock: clk}
	w.capture = mailtest.StartCapture(t)
	host, port, _ := net.SplitHostPort(w.capture.Addr())
	p, _ := strconv.Atoi(port)
	do := func(method, path string, body any, want int) map[string]any {
		t.Helper()
		st, out := e.Do(t, authz.Admin, method, path, body)
		if st != want {
			t.Fatalf("%s %s: %d %v", method, path, st, out["_raw"])
		}
		return out
	}
	id := func(m map[string]any) int64 { return int64(m["id"].(float64)) }
	do("POST", "/api/v1/mailboxes", map[string]any{"address": "support@example.com", "name": "Support",
		"smtp": map[string]any{"host": host, "port": p, "security": "none"}}, 201)
	w.anna = id(do("POST", "/api/v1/customers", map[string]any{"name": "Anna Berg", "emails": []string{"anna@example.com"}, "locale": "nb"}, 201))
	w.bo = id(do("POST", "/api/v1/customers", map[string]any{"name": "Bo Ek", "emails": []string{"bo@example.com"}}, 201))
	w.annaTicket = id(do("POST", "/api/v1/tickets", map[string]any{"subject": "Parcel 4411 is late", "description": "Where is my parcel?",
		"requester_id": w.anna}, 201))
	w.boTicket = id(do("POST", "/api/v1/tickets", map[string]any{"subject": "Invoice 88 is wrong", "description": "Charged twice.",
		"requester_id": w.bo}, 201))
	upload := func(name, body string) int64 {
		req, _ := http.NewRequest("POST", e.URL+"/api/v1/attachments?filename="+name, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+e.Tokens[authz.Admin])
		req.Header.Set("Content-Type", "text/plain")
		resp, err := e.Client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		raw, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 201 {
			t.Fatalf("upload: %d %s", resp.StatusCode, raw)
		}
		m := regexp.MustCompile(`"id":(\d+)`).FindSubmatch(raw)
		n, _ := strconv.ParseInt(string(m[1]), 10, 64)
		return n
	}
	w.noteFile = upload("internal.txt", "staff only")
	do("POST", fmt.Sprintf("/api/v1/tickets/%d/comments", w.annaTicket), map[string]any{"body": "Internal: customer is a VIP, refund freely.",
		"public": false, "attachment_ids": []int64{w.noteFile}}, 201)
	w.publicFile = upload("label.txt", "return label")
	do("POST", fmt.Sprintf("/api/v1/tickets/%d/comments", w.annaTicket), map[string]any{"body": "We found your parcel; it arrives Friday.",
		"attachment_ids": []int64{w.publicFile}}, 201)
	w.boFile = upload("bo.txt", "Bo's invoice")
	do("POST", fmt.Sprintf("/api/v1/tickets/%d/comments", w.boTicket), map[string]any{"body": "Here is the corrected invoice.",
		"attachment_ids": []int64{w.boFile}}, 201)
	return w
}

// signIn asks for a link for addr and uses it.
func signIn(t *testing.T, e *apptest.Env, w world, addr string) *client {
	t.Helper()
	c := newClient(t, e)
	w.clock.Add(time.Hour) // past the hourly limit of links per customer
	before, _ := links(t, e, w.capture)
	if st, body, _ := c.do(t, "POST", "/portal/sign-in/link", url.Values{"email": {addr}}); st != 200 {
		t.Fatalf("ask for a link: %d %s", st, body)
	}
	after, _ := links(t, e, w.capture)
	if len(after[addr]) != len(before[addr])+1 {
		t.Fatalf("no new link mailed to %s", addr)
	}
	tok := after[addr][len(after[addr])-1]
	if st, _, loc := c.do(t, "POST", "/portal/sign-in", url.Values{"token": {tok}}); st != 303 || loc != "/portal/requests" {
		t.Fatalf("sign in: %d %q", st, loc)
	}
	if st, _, _ := c.do(t, "GET", "/portal/requests", nil); st != 200 {
		t.Fatalf("requests after sign-in: %d", st)
	}
	return c
}

func ticketField(t *testing.T, e *apptest.Env, id int64, k string) any {
	t.Helper()
	st, m := e.Do(t, authz.Admin, "GET", fmt.Sprintf("/api/v1/tickets/%d", id), nil)
	if st != 200 {
		t.Fatalf("ticket %d: %d", id, st)
	}
	return m[k]
}

// TestPortal: the portal over HTTP on both engines with the real outbound
// path and a capture relay.
func TestPortal(t *testing.T) {
	for _, engine := range dbtest.Engines {
		t.Run(engine.String(), func(t *testing.T) {
			clk := &webtest.Clock{}
			e := apptest.NewWithClock(t, engine, clk.Now, nil)
			rctx, stop := context.WithCancel(context.Background())
			var wg sync.WaitGroup
			wg.Add(1)
			go func() { defer wg.Done(); _ = e.Sys.Jobs.Run(rctx) }()
			t.Cleanup(func() { stop(); wg.Wait() })
			w := setup(t, e, clk)
			t.Run("sign-in link", func(t *testing.T) { testSignIn(t, e, w) })
			t.Run("isolation", func(t *testing.T) { testIsolation(t, e, w) })
			t.Run("reply, solve, new request", func(t *testing.T) { testWrites(t, e, w) })
			t.Run("request forms", func(t *testing.T) { testForms(t, e, w) })                            // forms_test.go
			t.Run("organization view", func(t *testing.T) { testOrgView(t, e, w) })                      // forms_test.go
			t.Run("forms admin page", func(t *testing.T) { testFormsAdmin(t, e) })                       // forms_test.go
			t.Run("organization view per customer", func(t *testing.T) { testOrgViewOverride(t, e, w) }) // orgview_test.go
		})
	}
}

func testSignIn(t *testing.T, e *apptest.Env, w world) {
	c := newClient(t, e)
	if st, body, _ := c.do(t, "GET", "/portal", nil); st != 200 || !strings.Contains(body, `action="/portal/sign-in/link`) {
		t.Fatalf("sign-in page: %d", st)
	}
	// The same answer for a customer, an unknown address and one in
	// capitals; a refusal for no address.
	for _, addr := range []string{"anna@example.com", "nobody@example.com", " ANNA@example.com "} {
		st, body, _ := c.do(t, "POST", "/portal/sign-in/link", url.Values{"email": {addr}})
		if st != 200 || !strings.Contains(body, "a sign-in link is on its way") {
			t.Errorf("%q: %d", addr, st)
		}
	}
	if st, body, _ := c.do(t, "POST", "/portal/sign-in/link", url.Values{"email": {"anna"}}); st != 400 || !strings.Contains(body, "must be an email address") {
		t.Errorf("not an address: %d", st)
	}
	tokens, texts := links(t, e, w.capture)
	if len(tokens["nobody@example.com"]) != 0 || len(tokens["anna@example.com"]) != 2 {
		t.Fatalf("links mailed: %v", tokens)
	}
	for _, want := range []string{"Innloggingslenken din", "Hei Anna Berg,", "Lenken virker én gang og i 30 minutter."} {
		if !strings.Contains(texts["anna@example.com"], want) {
			t.Errorf("the mail (in Anna's Norwegian) lacks %q:\n%s", want, texts["anna@example.com"])
		}
	}
	tok := tokens["anna@example.com"][0]
	var inJobs, raw int
	_ = e.Sys.DB.QueryRowContext(t.Context(), `SELECT COUNT(*) FROM jobs WHERE CAST(payload AS TEXT) LIKE ?`, "%"+tok+"%").Scan(&inJobs)
	_ = e.Sys.DB.QueryRowContext(t.Context(), `SELECT COUNT(*) FROM portal_links WHERE token_hash = ?`, tok).Scan(&raw)
	if inJobs != 0 || raw != 0 {
		t.Errorf("the raw token is stored (%d jobs, %d links)", inJobs, raw)
	}
	// Opening the link spends nothing (mail scanners follow links); the
	// button's POST spends it once.
	for range 2 {
		if st, body, _ := c.do(t, "GET", "/portal/sign-in?token="+tok, nil); st != 200 || !strings.Contains(body, `name="token"`) {
			t.Fatalf("open the link: %d", st)
		}
	}
	if st, _, _ := c.do(t, "GET", "/portal/sign-in?token=NOPE", nil); st != 400 {
		t.Errorf("bogus link: %d", st)
	}
	if st, _, loc := c.do(t, "POST", "/portal/sign-in", url.Values{"token": {tok}}); st != 303 || loc != "/portal/requests" {
		t.Fatalf("sign in: %d %q", st, loc)
	}
	if st, body, _ := newClient(t, e).do(t, "POST", "/portal/sign-in", url.Values{"token": {tok}}); st != 400 || !strings.Contains(body, "invalid, used or expired") {
		t.Errorf("a spent link signed in again: %d", st)
	}
	// The second link expires after 30 minutes.
	w.clock.Add(31 * time.Minute)
	if st, _, _ := newClient(t, e).do(t, "POST", "/portal/sign-in", url.Values{"token": {tokens["anna@example.com"][1]}}); st != 400 {
		t.Errorf("an expired link signed in: %d", st)
	}
	// The portal session is not an agent session, and back.
	if st, _, loc := c.do(t, "GET", "/tickets", nil); st != 303 || !strings.HasPrefix(loc, "/login") {
		t.Errorf("a portal session opened the agent UI: %d %q", st, loc)
	}
	agent := webtest.SignIn(t, e, authz.Admin)
	if st, _, loc := agent.Do(t, "GET", "/portal/requests", nil); st != 303 || loc != "/portal" {
		t.Errorf("an agent session opened the portal: %d %q", st, loc)
	}
	// Sign-out needs the form's token, then ends the session.
	if st, _, _ := c.do(t, "POST", "/portal/sign-out", url.Values{"csrf_token": {"forged"}}); st != 403 {
		t.Errorf("sign-out without the token: %d", st)
	}
	c.do(t, "GET", "/portal/requests", nil)
	if st, _, _ := c.post(t, "/portal/sign-out", nil); st != 303 {
		t.Errorf("sign out: %d", st)
	}
	if st, _, loc := c.do(t, "GET", "/portal/requests", nil); st != 303 || loc != "/portal" {
		t.Errorf("after sign-out: %d %q", st, loc)
	}
}

func testIsolation(t *testing.T, e *apptest.Env, w world) {
	anna := signIn(t, e, w, "anna@example.com")
	st, body, _ := anna.do(t, "GET", "/portal/requests", nil)
	if st != 200 || !strings.Contains(body, "Parcel 4411 is late") || strings.Contains(body, "Invoice 88") {
		t.Fatalf("Anna's list: %d\n%s", st, body)
	}
	st, body, _ = anna.do(t, "GET", fmt.Sprintf("/portal/requests/%d", w.annaTicket), nil)
	if st != 200 || !strings.Contains(body, "it arrives Friday") || !strings.Contains(body, "label.txt") {
		t.Fatalf("Anna's request: %d", st)
	}
	if strings.Contains(body, "VIP") || strings.Contains(body, "internal.txt") {
		t.Error("an internal note reached the portal")
	}
	// Bo's request, its file, Anna's note's file and ids that do not
	// exist: all "not found", through every route.
	notFound := []struct{ method, path string }{
		{"GET", fmt.Sprintf("/portal/requests/%d", w.boTicket)},
		{"GET", "/portal/requests/999999"},
		{"GET", "/portal/requests/abc"},
		{"GET", fmt.Sprintf("/portal/files/%d/bo.txt", w.boFile)},
		{"GET", fmt.Sprintf("/portal/files/%d/internal.txt", w.noteFile)},
		{"GET", "/portal/files/999999/x"},
		{"POST", fmt.Sprintf("/portal/requests/%d/reply", w.boTicket)},
		{"POST", fmt.Sprintf("/portal/requests/%d/solve", w.boTicket)},
	}
	for _, n := range notFound {
		var st int
		var body string
		if n.method == "GET" {
			st, body, _ = anna.do(t, "GET", n.path, nil)
		} else {
			anna.do(t, "GET", "/portal/requests", nil) // a fresh token
			st, body, _ = anna.post(t, n.path, url.Values{"body": {"let me in"}})
		}
		if st != 404 || strings.Contains(body, "Invoice 88") || strings.Contains(body, "corrected invoice") {
			t.Errorf("%s %s: %d", n.method, n.path, st)
		}
	}
	if ticketField(t, e, w.boTicket, "status") == "solved" {
		t.Error("Anna solved Bo's request")
	}
	// Her own public file downloads, with its type held down.
	req, _ := http.NewRequest("GET", fmt.Sprintf("%s/portal/files/%d/label.txt", e.URL, w.publicFile), nil)
	resp, err := anna.http.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	data, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(data) != "return label" || resp.Header.Get("X-Content-Type-Options") != "nosniff" ||
		!strings.HasPrefix(resp.Header.Get("Content-Disposition"), "attachment") {
		t.Errorf("own file: %d %q %v", resp.StatusCode, data, resp.Header)
	}
	// Signed out, nothing at all.
	anon := newClient(t, e)
	if st, _, loc := anon.do(t, "GET", fmt.Sprintf("/portal/requests/%d", w.annaTicket), nil); st != 303 || loc != "/portal" {
		t.Errorf("signed out: %d %q", st, loc)
	}
}

func testWrites(t *testing.T, e *apptest.Env, w world) {
	anna := signIn(t, e, w, "anna@example.com")
	path := fmt.Sprintf("/portal/requests/%d", w.annaTicket)
	anna.do(t, "GET", path, nil)
	// A reply without the form's token is refused and changes nothing.
	if st, _, _ := anna.do(t, "POST", path+"/reply", url.Values{"body": {"forged"}}); st != 403 {
		t.Errorf("reply without CSRF: %d", st)
	}
	if st, body, _ := anna.multipart(t, path+"/reply", map[string]string{"body": "  "}); st != 400 || !strings.Contains(body, `id="body-error"`) {
		t.Errorf("empty reply: %d", st)
	}
	anna.do(t, "GET", path, nil)
	if st, _, loc := anna.post(t, path+"/solve", nil); st != 303 || !strings.Contains(loc, "done=solved") {
		t.Fatalf("solve: %d %q", st, loc)
	}
	if s := ticketField(t, e, w.annaTicket, "status"); s != "solved" {
		t.Fatalf("after mark solved: %v", s)
	}
	anna.do(t, "GET", path, nil)
	png := append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{0}, 64)...)
	if st, _, loc := anna.multipart(t, path+"/reply", map[string]string{"body": "It came, but broken. Photo attached."}, file{"photo.png", png}); st != 303 || !strings.Contains(loc, "done=reply") {
		t.Fatalf("reply: %d %q", st, loc)
	}
	if s := ticketField(t, e, w.annaTicket, "status"); s != "open" {
		t.Errorf("a customer reply did not reopen the solved request: %v", s)
	}
	st, cm := e.Do(t, authz.Admin, "GET", fmt.Sprintf("/api/v1/tickets/%d/comments", w.annaTicket), nil)
	if st != 200 {
		t.Fatal(st)
	}
	list := cm["data"].([]any)
	last := list[len(list)-1].(map[string]any)
	atts, _ := last["attachments"].([]any)
	if last["author_type"] != "customer" || int64(last["author_id"].(float64)) != w.anna || last["public"] != true || len(atts) != 1 ||
		atts[0].(map[string]any)["content_type"] != "image/png" {
		t.Errorf("the reply as stored: %v", last)
	}
	// A new request: "continue" first, then send; its file rides on the
	// first message.
	anna.do(t, "GET", "/portal/requests/new", nil)
	st, _, loc := anna.multipart(t, "/portal/requests", map[string]string{"subject": "Change my address", "description": "I moved to Bergen.", "action": "submit"},
		file{"proof.txt", []byte("new address")})
	if st != 303 || !strings.Contains(loc, "done=created") {
		t.Fatalf("new request: %d %q", st, loc)
	}
	st, body, _ := anna.do(t, "GET", loc, nil)
	if st != 200 || !strings.Contains(body, "Change my address") || !strings.Contains(body, "proof.txt") {
		t.Errorf("the new request's page: %d", st)
	}
	id, _ := strconv.ParseInt(regexp.MustCompile(`/portal/requests/(\d+)`).FindStringSubmatch(loc)[1], 10, 64)
	if ticketField(t, e, id, "channel") != "web" || int64(ticketField(t, e, id, "requester_id").(float64)) != w.anna {
		t.Errorf("the new request's ticket: channel %v requester %v", ticketField(t, e, id, "channel"), ticketField(t, e, id, "requester_id"))
	}
	anna.do(t, "GET", "/portal/requests/new", nil)
	if st, body, _ := anna.multipart(t, "/portal/requests", map[string]string{"subject": "", "description": "", "action": "submit"}); st != 400 ||
		!strings.Contains(body, `id="subject-error"`) {
		t.Errorf("an empty request: %d", st)
	}
	// Six files are one too many.
	anna.do(t, "GET", "/portal/requests/new", nil)
	six := []file{{"1.txt", []byte("a")}, {"2.txt", []byte("b")}, {"3.txt", []byte("c")}, {"4.txt", []byte("d")}, {"5.txt", []byte("e")}, {"6.txt", []byte("f")}}
	if st, body, _ := anna.multipart(t, "/portal/requests", map[string]string{"subject": "Files", "description": "Many", "action": "submit"}, six...); st != 400 ||
		!strings.Contains(body, "høyst 5 filer") {
		t.Errorf("six files: %d", st)
	}
}
