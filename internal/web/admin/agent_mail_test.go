package web_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/netip"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/ombud/ombud/internal/app/apptest"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/channel/email"
	"github.com/ombud/ombud/internal/dbtest"
	"github.com/ombud/ombud/internal/mailtest"
	"github.com/ombud/ombud/internal/page"
)

// browser is a signed-in browser: the session cookie comes from the real
// sign-in form and the CSRF token from a rendered page, as in a browser.
type browser struct {
	e      *apptest.Env
	client *http.Client
	csrf   string
}

var csrfField = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

func signIn(t *testing.T, e *apptest.Env, role authz.Role) *browser {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	b := &browser{e: e, client: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	resp, err := b.client.PostForm(e.URL+"/login", url.Values{"email": {string(role) + "@ombud.test"}, "password": {apptest.Password}, "next": {"/tickets"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/tickets" {
		t.Fatalf("sign in as %s: status %d, location %q", role, resp.StatusCode, resp.Header.Get("Location"))
	}
	st, body, _ := b.do(t, "GET", "/tickets", nil)
	m := csrfField.FindStringSubmatch(body)
	if st != http.StatusOK || m == nil {
		t.Fatalf("ticket list after sign-in: status %d, no CSRF token in the page", st)
	}
	b.csrf = m[1]
	return b
}

// do sends a GET, or a form POST carrying the CSRF token like the pages'
// forms do, and returns status, body and redirect target.
func (b *browser) do(t *testing.T, method, path string, form url.Values) (int, string, string) {
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

// pageCase is one request of a page scenario and what must come back.
type pageCase struct {
	name     string
	who      *browser
	method   string
	path     string
	form     url.Values
	status   int
	want     []string // must appear in the body
	notWant  []string // must not
	location string   // prefix of the redirect target, for 303s
}

func runPages(t *testing.T, cases []pageCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			st, body, loc := tc.who.do(t, tc.method, tc.path, tc.form)
			if st != tc.status {
				t.Fatalf("status %d, want %d\n%s", st, tc.status, excerpt(body))
			}
			if tc.location != "" && !strings.HasPrefix(loc, tc.location) {
				t.Fatalf("redirect to %q, want %q…", loc, tc.location)
			}
			for _, w := range tc.want {
				if !strings.Contains(body, w) {
					t.Errorf("page lacks %q\n%s", w, excerpt(body))
				}
			}
			// Secrets typed into a form, and template slips, never show.
			for _, w := range append([]string{"s3cret", "<no value>"}, tc.notWant...) {
				if strings.Contains(body, w) {
					t.Errorf("page contains %q", w)
				}
			}
		})
	}
}

func excerpt(body string) string {
	if i := strings.Index(body, `<main`); i >= 0 {
		body = body[i:]
	}
	if len(body) > 3000 {
		body = body[:3000] + "…"
	}
	return body
}

// mailboxForm is a complete "add a mailbox" form; set overrides fields.
func mailboxForm(set map[string]string) url.Values {
	f := url.Values{
		"address": {"support@example.com"}, "name": {"Example Support"}, "aliases": {"help@example.com, hjelp@example.com"},
		"active": {"on"}, "smtp_host": {"smtp.example.com"}, "smtp_port": {""}, "smtp_security": {"starttls"},
		"smtp_username": {"support"}, "smtp_password": {"s3cret-smtp"},
		// A closed local port: "Test IMAP connection" fails at once.
		"imap_host": {"127.0.0.1"}, "imap_port": {"1"}, "imap_security": {"none"}, "imap_username": {"support"},
		"imap_password": {"s3cret-imap"}, "imap_folder": {"INBOX"}, "imap_processed_folder": {"Done"}, "imap_interval_seconds": {"120"},
	}
	for k, v := range set {
		f.Set(k, v)
	}
	return f
}

const chairMail = "From: Ola Nordmann <ola@example.no>\r\n" +
	"To: support@example.com\r\n" +
	"Cc: Kari <kari@example.no>\r\n" +
	"Subject: Broken chair\r\n" +
	"Date: Mon, 02 Jan 2006 15:04:05 +0000\r\n" +
	"Message-ID: <chair-1@example.no>\r\n" +
	"X-Mailer: Test Mailer 1.0\r\n" +
	"MIME-Version: 1.0\r\n" +
	"Content-Type: multipart/alternative; boundary=\"b\"\r\n" +
	"\r\n" +
	"--b\r\n" +
	"Content-Type: text/plain; charset=utf-8\r\n" +
	"\r\n" +
	"The chair arrived with a broken leg.\r\n" +
	"\r\n" +
	"-- \r\n" +
	"Ola Nordmann, Oslo\r\n" +
	"--b\r\n" +
	"Content-Type: text/html; charset=utf-8\r\n" +
	"\r\n" +
	"<p>The chair arrived with a <b>broken leg</b>.</p><script>alert(1)</script><p>-- Ola Nordmann, Oslo</p>\r\n" +
	"--b--\r\n"

// TestMailAdminPages drives the mailbox pages, the mail log and the
// original-email page through real sign-ins and forms, per role.
func TestMailAdminPages(t *testing.T) {
	for _, engine := range dbtest.Engines {
		t.Run(engine.String(), func(t *testing.T) {
			e := apptest.New(t, engine)
			ctx := t.Context()
			if st, body := e.Do(t, authz.Admin, "POST", "/api/v1/teams", map[string]any{"name": "Billing"}); st != http.StatusCreated {
				t.Fatalf("create team: %d %v", st, body["_raw"])
			}
			admin, manager, agent := signIn(t, e, authz.Admin), signIn(t, e, authz.Manager), signIn(t, e, authz.Agent)

			bad := mailboxForm(map[string]string{"address": "not an address", "name": "Typed Name", "smtp_port": "70000"})
			runPages(t, []pageCase{
				{name: "list renders empty", who: admin, method: "GET", path: "/admin/mailboxes", status: 200,
					want: []string{"No mailboxes yet", "Add a mailbox", `<option value="`, "Billing", `href="/admin/mail"`, `aria-current="page"`}},
				{name: "bad form is shown again with messages", who: admin, method: "POST", path: "/admin/mailboxes", form: bad, status: 400,
					want: []string{"Please correct the following", "must be an email address", "must be 1 to 65535",
						`value="not an address"`, `value="Typed Name"`, `value="70000"`, `value="127.0.0.1"`, `aria-invalid="true"`, `id="e-smtp_port"`}},
				{name: "text in a number field", who: admin, method: "POST", path: "/admin/mailboxes", form: mailboxForm(map[string]string{"imap_port": "nine"}), status: 400,
					want: []string{"must be a whole number", `value="nine"`}},
				{name: "IMAP without a password", who: admin, method: "POST", path: "/admin/mailboxes", form: mailboxForm(map[string]string{"imap_password": ""}), status: 400,
					want: []string{"IMAP password"}},
				{name: "unknown team", who: admin, method: "POST", path: "/admin/mailboxes", form: mailboxForm(map[string]string{"team_id": "4242"}), status: 400,
					want: []string{"no such team"}},
				{name: "manager may not add", who: manager, method: "POST", path: "/admin/mailboxes", form: mailboxForm(nil), status: 403},
				{name: "agent may not see the list", who: agent, method: "GET", path: "/admin/mailboxes", status: 403},
				{name: "agent may not see the mail log", who: agent, method: "GET", path: "/admin/mail", status: 403},
				{name: "agent has no admin links", who: agent, method: "GET", path: "/tickets", status: 200, notWant: []string{"/admin/mailboxes"}},
				{name: "admin adds a mailbox", who: admin, method: "POST", path: "/admin/mailboxes", form: mailboxForm(nil), status: 303, location: "/admin/mailboxes/"},
			})

			list, err := e.Sys.Email.ListMailboxes(ctx, authz.System)
			if err != nil || len(list.Data) != 1 {
				t.Fatalf("mailboxes: %v %v", list.Data, err)
			}
			mb := list.Data[0]
			// Passwords stay sealed (internal/secret) until used to log in.
			open := func(purpose, sealed string) string {
				plain, err := e.Sys.Secrets.Open(purpose, sealed)
				if err != nil {
					t.Fatalf("open %s: %v", purpose, err)
				}
				return plain
			}
			if !mb.SMTP.HasPassword || mb.IMAP == nil || open("mailboxes.imap_password", mb.IMAP.Password) != "s3cret-imap" || mb.IMAP.IntervalSeconds != 120 || len(mb.Aliases) != 2 {
				t.Fatalf("stored mailbox: %+v imap %+v", mb, mb.IMAP)
			}
			mp := fmt.Sprintf("/admin/mailboxes/%d", mb.ID)
			other := mailboxForm(map[string]string{"address": "billing@example.com", "aliases": "", "imap_host": ""})
			runPages(t, []pageCase{
				{name: "list shows the new mailbox", who: admin, method: "GET", path: "/admin/mailboxes", status: 200,
					want: []string{`href="` + mp + `"`, "support@example.com", "Example Support", "help@example.com, hjelp@example.com", "smtp.example.com:587 / STARTTLS", "127.0.0.1:1"}},
				{name: "manager sees the list without the form", who: manager, method: "GET", path: "/admin/mailboxes", status: 200,
					want: []string{"support@example.com", "Only admins can add"}, notWant: []string{"Add a mailbox"}},
				{name: "address taken", who: admin, method: "POST", path: "/admin/mailboxes", form: mailboxForm(nil), status: 409,
					want: []string{"a mailbox with this address exists", `value="support@example.com"`}},
				{name: "alias taken", who: admin, method: "POST", path: "/admin/mailboxes", form: mailboxForm(map[string]string{"address": "other@example.com", "aliases": "help@example.com"}), status: 409,
					want: []string{"help@example.com belongs to mailbox"}},
				{name: "edit page", who: admin, method: "GET", path: mp + "?saved=1", status: 200,
					want: []string{"Mailbox saved.", `value="Example Support"`, "A password is stored; leave empty to keep it.", "Test IMAP connection", "Remove the IMAP source", "Delete this mailbox"}},
				{name: "manager sees the settings read-only", who: manager, method: "GET", path: mp, status: 200,
					want: []string{"<fieldset disabled", `value="Example Support"`}, notWant: []string{"Save changes", "Delete this mailbox"}},
				{name: "agent may not see a mailbox", who: agent, method: "GET", path: mp, status: 403},
				{name: "manager may not change", who: manager, method: "POST", path: mp, form: mailboxForm(nil), status: 403},
				{name: "manager may not test IMAP", who: manager, method: "POST", path: mp + "/check-imap", status: 403},
				{name: "edit refused keeps the form", who: admin, method: "POST", path: mp,
					form: mailboxForm(map[string]string{"name": "Renamed", "imap_interval_seconds": "5", "smtp_password": "s3cret-new"}), status: 400,
					want: []string{"must be 10 to 86400", `value="Renamed"`}},
				{name: "edit with empty passwords", who: admin, method: "POST", path: mp,
					form: mailboxForm(map[string]string{"name": "Renamed", "smtp_password": "", "imap_password": "", "team_id": ""}), status: 303, location: mp + "?saved=1"},
				{name: "IMAP test shows the error", who: admin, method: "POST", path: mp + "/check-imap", status: 200,
					want: []string{"IMAP connection test: failed", "127.0.0.1"}, notWant: []string{"Connected:"}},
				{name: "unknown mailbox", who: admin, method: "GET", path: "/admin/mailboxes/4242", status: 404},
				{name: "add a second mailbox", who: admin, method: "POST", path: "/admin/mailboxes", form: other, status: 303, location: "/admin/mailboxes/"},
			})
			got, err := e.Sys.Email.GetMailbox(ctx, authz.System, mb.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.Name != "Renamed" || open("mailboxes.smtp_password", got.SMTP.Password) != "s3cret-smtp" || got.IMAP == nil || open("mailboxes.imap_password", got.IMAP.Password) != "s3cret-imap" {
				t.Fatalf("an empty password field must keep the stored one: %+v imap %+v", got, got.IMAP)
			}
			runPages(t, []pageCase{
				{name: "remove the IMAP source", who: admin, method: "POST", path: mp,
					form: mailboxForm(map[string]string{"name": "Renamed", "smtp_password": "", "imap_password": "", "remove_imap": "on"}), status: 303},
			})
			if got, _ := e.Sys.Email.GetMailbox(ctx, authz.System, mb.ID); got.IMAP != nil {
				t.Fatalf("IMAP source still there: %+v", got.IMAP)
			}
			list, _ = e.Sys.Email.ListMailboxes(ctx, authz.System)
			var second int64
			for _, m := range list.Data {
				if m.Address == "billing@example.com" {
					second = m.ID
				}
			}
			runPages(t, []pageCase{
				{name: "delete a mailbox", who: admin, method: "POST", path: fmt.Sprintf("/admin/mailboxes/%d/delete", second), status: 303, location: "/admin/mailboxes?deleted=1"},
				{name: "list without it", who: admin, method: "GET", path: "/admin/mailboxes?deleted=1", status: 200,
					want: []string{"Mailbox deleted.", "support@example.com"}, notWant: []string{"billing@example.com"}},
			})

			// The mail log: a message that cannot be parsed fails, is kept,
			// and can be re-processed.
			res, err := e.Sys.Email.Receive(ctx, email.Inbound{MailboxID: mb.ID, Source: "api", Raw: []byte("garbage without headers")})
			if err != nil {
				t.Fatal(err)
			}
			if res.State != "failed" {
				t.Fatalf("garbage: %+v", res)
			}
			rp := fmt.Sprintf("/admin/mail/%d/reprocess", res.InboundID)
			raw := fmt.Sprintf("/api/v1/inbound-messages/%d/raw", res.InboundID)
			runPages(t, []pageCase{
				{name: "mail log", who: admin, method: "GET", path: "/admin/mail", status: 200,
					want: []string{"support@example.com", ">failed<", `action="` + rp + `"`, `href="` + raw + `"`, `<th scope="col">Received</th>`}},
				{name: "failed filter", who: admin, method: "GET", path: "/admin/mail?state=failed", status: 200,
					want: []string{`href="/admin/mail?state=failed" aria-current="page"`, `action="` + rp + `"`}},
				{name: "processed filter", who: admin, method: "GET", path: "/admin/mail?state=processed", status: 200,
					want: []string{"No messages here."}},
				{name: "unknown filter", who: admin, method: "GET", path: "/admin/mail?state=lost", status: 400},
				{name: "raw download with the session", who: admin, method: "GET", path: raw, status: 200, want: []string{"garbage without headers"}},
				{name: "manager reads the log without buttons", who: manager, method: "GET", path: "/admin/mail", status: 200,
					want: []string{`href="` + raw + `"`}, notWant: []string{`action="` + rp + `"`}},
				{name: "manager may not re-process", who: manager, method: "POST", path: rp, status: 403},
				{name: "re-process", who: admin, method: "POST", path: rp, form: url.Values{"state": {"failed"}}, status: 303,
					location: fmt.Sprintf("/admin/mail?done=%d&state=failed", res.InboundID)},
				{name: "log says what became of it", who: admin, method: "GET", path: fmt.Sprintf("/admin/mail?done=%d&state=failed", res.InboundID), status: 200,
					want: []string{fmt.Sprintf("Message %d was processed again: now failed", res.InboundID)}},
				{name: "re-process an unknown message", who: admin, method: "POST", path: "/admin/mail/4242/reprocess", status: 404},
			})

			// The original email of a comment (signed by the sender's
			// domain, so the sender is verified).
			res, err = e.Sys.Email.Receive(ctx, email.Inbound{MailboxID: mb.ID, Source: "api", Raw: mailtest.NewSigners(e.DNS).Sign(t, []byte(chairMail))})
			if err != nil {
				t.Fatal(err)
			}
			if res.State != "processed" || res.TicketID == 0 || res.CommentID == 0 {
				t.Fatalf("chair mail: %+v", res)
			}
			orig := fmt.Sprintf("/tickets/%d/comments/%d/original", res.TicketID, res.CommentID)
			web := createWebTicket(t, e)
			cs, err := e.Sys.Tickets.ListComments(ctx, authz.System, web, page.Request{Limit: page.MaxLimit})
			if err != nil || len(cs.Data) == 0 {
				t.Fatalf("comments of ticket %d: %v", web, err)
			}
			runPages(t, []pageCase{
				{name: "ticket links the original", who: agent, method: "GET", path: fmt.Sprintf("/tickets/%d", res.TicketID), status: 200,
					want: []string{`href="` + orig + `"`, "Show original email"}},
				{name: "original", who: agent, method: "GET", path: orig, status: 200,
					want: []string{"Original email", "Ola Nordmann &lt;ola@example.no&gt;", "support@example.com", "Kari &lt;kari@example.no&gt;",
						"Broken chair", "2006-01-02 15:04", `<pre class="mail-text">`, "Ola Nordmann, Oslo", "<b>broken leg</b>",
						"<details", "X-Mailer", "Test Mailer 1.0", fmt.Sprintf(`href="/tickets/%d#c%d"`, res.TicketID, res.CommentID)},
					notWant: []string{"<script>alert", "/api/v1/inbound-messages/"}},
				{name: "admins get the raw download", who: admin, method: "GET", path: orig, status: 200, want: []string{"/api/v1/inbound-messages/"}},
				{name: "web ticket has no original link", who: agent, method: "GET", path: fmt.Sprintf("/tickets/%d", web), status: 200, notWant: []string{"Show original email"}},
				{name: "no original for a web comment", who: agent, method: "GET", path: fmt.Sprintf("/tickets/%d/comments/%d/original", web, cs.Data[0].ID), status: 404},
				{name: "comment of another ticket", who: agent, method: "GET", path: fmt.Sprintf("/tickets/%d/comments/%d/original", web, res.CommentID), status: 404},
				{name: "unknown ticket", who: agent, method: "GET", path: fmt.Sprintf("/tickets/999999/comments/%d/original", res.CommentID), status: 404},
				{name: "a verified sender has no warning", who: agent, method: "GET", path: fmt.Sprintf("/tickets/%d", res.TicketID), status: 200,
					notWant: []string{"Unverified sender", "sender-warning"}},
			})

			// Mail that only claims an agent's address: a customer message on
			// a ticket of its own, with a warning wherever agents see it.
			forged := fmt.Sprintf("From: Test agent <agent@ombud.test>\r\nTo: support@example.com\r\nSubject: Re: [#%d] Broken chair\r\n"+
				"Message-ID: <forged-1@evil.example>\r\n\r\nRefund approved: send us your card number.\r\n", res.TicketID)
			fres, err := e.Sys.Email.Receive(ctx, email.Inbound{MailboxID: mb.ID, Source: "smtp", EnvelopeFrom: "agent@ombud.test",
				ClientIP: netip.MustParseAddr("203.0.113.9"), Helo: "evil.example", Raw: []byte(forged)})
			if err != nil {
				t.Fatal(err)
			}
			if fres.Auth != email.AuthUnverified || fres.TicketID == res.TicketID || fres.Outcome != email.OutcomeNewTicket {
				t.Fatalf("forged agent mail: %+v", fres)
			}
			warning := "Ombud could not verify that this email really comes from agent@ombud.test (DKIM none, SPF none, DMARC none)."
			runPages(t, []pageCase{
				{name: "ticket warns on the forged comment", who: agent, method: "GET", path: fmt.Sprintf("/tickets/%d", fres.TicketID), status: 200,
					want: []string{fmt.Sprintf(`class="comment public from-customer sender-unverified" id="c%d"`, fres.CommentID), `<span class="badge unverified">Unverified sender</span>`,
						`<p class="sender-warning" role="note">` + warning}},
				{name: "its original says so", who: agent, method: "GET", path: fmt.Sprintf("/tickets/%d/comments/%d/original", fres.TicketID, fres.CommentID), status: 200,
					want: []string{"Unverified sender", "DKIM none, SPF none, DMARC none"}},
				{name: "the mail log says so", who: admin, method: "GET", path: "/admin/mail", status: 200,
					want: []string{`<span class="badge unverified">Unverified sender</span> <span class="auth-detail">DKIM none, SPF none, DMARC none</span>`}},
			})
		})
	}
}

func createWebTicket(t *testing.T, e *apptest.Env) int64 {
	t.Helper()
	st, body := e.Do(t, authz.Agent, "POST", "/api/v1/tickets", map[string]any{
		"subject": "Web form question", "description": "Where is my order?", "channel": "web",
		"requester": map[string]any{"email": "per@example.no", "name": "Per"},
	})
	if st != http.StatusCreated {
		t.Fatalf("create: %d %v", st, body["_raw"])
	}
	return int64(body["id"].(float64))
}
