package admin_test

import (
	"fmt"
	"net/http"
	"net/netip"
	"net/url"
	"testing"

	"github.com/ombud/ombud/internal/app/apptest"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/channel/email"
	"github.com/ombud/ombud/internal/dbtest"
	"github.com/ombud/ombud/internal/mailtest"
	"github.com/ombud/ombud/internal/page"
	"github.com/ombud/ombud/internal/web/webtest"
)

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
			admin, manager, agent := webtest.SignIn(t, e, authz.Admin), webtest.SignIn(t, e, authz.Manager), webtest.SignIn(t, e, authz.Agent)

			bad := mailboxForm(map[string]string{"address": "not an address", "name": "Typed Name", "smtp_port": "70000"})
			webtest.RunPages(t, []webtest.PageCase{
				{Name: "list renders empty", Who: admin, Method: "GET", Path: "/admin/mailboxes", Status: 200,
					Want: []string{"No mailboxes yet", "Add a mailbox", `<option value="`, "Billing", `href="/admin/mail"`, `aria-current="page"`}},
				{Name: "bad form is shown again with messages", Who: admin, Method: "POST", Path: "/admin/mailboxes", Form: bad, Status: 400,
					Want: []string{"Please correct the following", "must be an email address", "must be 1 to 65535",
						`value="not an address"`, `value="Typed Name"`, `value="70000"`, `value="127.0.0.1"`, `aria-invalid="true"`, `id="e-smtp_port"`}},
				{Name: "text in a number field", Who: admin, Method: "POST", Path: "/admin/mailboxes", Form: mailboxForm(map[string]string{"imap_port": "nine"}), Status: 400,
					Want: []string{"must be a whole number", `value="nine"`}},
				{Name: "IMAP without a password", Who: admin, Method: "POST", Path: "/admin/mailboxes", Form: mailboxForm(map[string]string{"imap_password": ""}), Status: 400,
					Want: []string{"IMAP password"}},
				{Name: "unknown team", Who: admin, Method: "POST", Path: "/admin/mailboxes", Form: mailboxForm(map[string]string{"team_id": "4242"}), Status: 400,
					Want: []string{"no such team"}},
				{Name: "manager may not add", Who: manager, Method: "POST", Path: "/admin/mailboxes", Form: mailboxForm(nil), Status: 403},
				{Name: "agent may not see the list", Who: agent, Method: "GET", Path: "/admin/mailboxes", Status: 403},
				{Name: "agent may not see the mail log", Who: agent, Method: "GET", Path: "/admin/mail", Status: 403},
				{Name: "agent has no admin links", Who: agent, Method: "GET", Path: "/tickets", Status: 200, NotWant: []string{"/admin/mailboxes"}},
				{Name: "admin adds a mailbox", Who: admin, Method: "POST", Path: "/admin/mailboxes", Form: mailboxForm(nil), Status: 303, Location: "/admin/mailboxes/"},
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
			webtest.RunPages(t, []webtest.PageCase{
				{Name: "list shows the new mailbox", Who: admin, Method: "GET", Path: "/admin/mailboxes", Status: 200,
					Want: []string{`href="` + mp + `"`, "support@example.com", "Example Support", "help@example.com, hjelp@example.com", "smtp.example.com:587 / STARTTLS", "127.0.0.1:1"}},
				{Name: "manager sees the list without the form", Who: manager, Method: "GET", Path: "/admin/mailboxes", Status: 200,
					Want: []string{"support@example.com", "Only admins can add"}, NotWant: []string{"Add a mailbox"}},
				{Name: "address taken", Who: admin, Method: "POST", Path: "/admin/mailboxes", Form: mailboxForm(nil), Status: 409,
					Want: []string{"a mailbox with this address exists", `value="support@example.com"`}},
				{Name: "alias taken", Who: admin, Method: "POST", Path: "/admin/mailboxes", Form: mailboxForm(map[string]string{"address": "other@example.com", "aliases": "help@example.com"}), Status: 409,
					Want: []string{"help@example.com belongs to mailbox"}},
				{Name: "edit page", Who: admin, Method: "GET", Path: mp + "?saved=1", Status: 200,
					Want: []string{"Mailbox saved.", `value="Example Support"`, "A password is stored; leave empty to keep it.", "Test IMAP connection", "Remove the IMAP source", "Delete this mailbox"}},
				{Name: "manager sees the settings read-only", Who: manager, Method: "GET", Path: mp, Status: 200,
					Want: []string{"<fieldset disabled", `value="Example Support"`}, NotWant: []string{"Save changes", "Delete this mailbox"}},
				{Name: "agent may not see a mailbox", Who: agent, Method: "GET", Path: mp, Status: 403},
				{Name: "manager may not change", Who: manager, Method: "POST", Path: mp, Form: mailboxForm(nil), Status: 403},
				{Name: "manager may not test IMAP", Who: manager, Method: "POST", Path: mp + "/check-imap", Status: 403},
				{Name: "edit refused keeps the form", Who: admin, Method: "POST", Path: mp,
					Form: mailboxForm(map[string]string{"name": "Renamed", "imap_interval_seconds": "5", "smtp_password": "s3cret-new"}), Status: 400,
					Want: []string{"must be 10 to 86400", `value="Renamed"`}},
				{Name: "edit with empty passwords", Who: admin, Method: "POST", Path: mp,
					Form: mailboxForm(map[string]string{"name": "Renamed", "smtp_password": "", "imap_password": "", "team_id": ""}), Status: 303, Location: mp + "?saved=1"},
				{Name: "IMAP test shows the error", Who: admin, Method: "POST", Path: mp + "/check-imap", Status: 200,
					Want: []string{"IMAP connection test: failed", "127.0.0.1"}, NotWant: []string{"Connected:"}},
				{Name: "unknown mailbox", Who: admin, Method: "GET", Path: "/admin/mailboxes/4242", Status: 404},
				{Name: "add a second mailbox", Who: admin, Method: "POST", Path: "/admin/mailboxes", Form: other, Status: 303, Location: "/admin/mailboxes/"},
			})
			got, err := e.Sys.Email.GetMailbox(ctx, authz.System, mb.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.Name != "Renamed" || open("mailboxes.smtp_password", got.SMTP.Password) != "s3cret-smtp" || got.IMAP == nil || open("mailboxes.imap_password", got.IMAP.Password) != "s3cret-imap" {
				t.Fatalf("an empty password field must keep the stored one: %+v imap %+v", got, got.IMAP)
			}
			webtest.RunPages(t, []webtest.PageCase{
				{Name: "remove the IMAP source", Who: admin, Method: "POST", Path: mp,
					Form: mailboxForm(map[string]string{"name": "Renamed", "smtp_password": "", "imap_password": "", "remove_imap": "on"}), Status: 303},
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
			webtest.RunPages(t, []webtest.PageCase{
				{Name: "delete a mailbox", Who: admin, Method: "POST", Path: fmt.Sprintf("/admin/mailboxes/%d/delete", second), Status: 303, Location: "/admin/mailboxes?deleted=1"},
				{Name: "list without it", Who: admin, Method: "GET", Path: "/admin/mailboxes?deleted=1", Status: 200,
					Want: []string{"Mailbox deleted.", "support@example.com"}, NotWant: []string{"billing@example.com"}},
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
			webtest.RunPages(t, []webtest.PageCase{
				{Name: "mail log", Who: admin, Method: "GET", Path: "/admin/mail", Status: 200,
					Want: []string{"support@example.com", ">failed<", `action="` + rp + `"`, `href="` + raw + `"`, `<th scope="col">Received</th>`}},
				{Name: "failed filter", Who: admin, Method: "GET", Path: "/admin/mail?state=failed", Status: 200,
					Want: []string{`href="/admin/mail?state=failed" aria-current="page"`, `action="` + rp + `"`}},
				{Name: "processed filter", Who: admin, Method: "GET", Path: "/admin/mail?state=processed", Status: 200,
					Want: []string{"No messages here."}},
				{Name: "unknown filter", Who: admin, Method: "GET", Path: "/admin/mail?state=lost", Status: 400},
				{Name: "raw download with the session", Who: admin, Method: "GET", Path: raw, Status: 200, Want: []string{"garbage without headers"}},
				{Name: "manager reads the log without buttons", Who: manager, Method: "GET", Path: "/admin/mail", Status: 200,
					Want: []string{`href="` + raw + `"`}, NotWant: []string{`action="` + rp + `"`}},
				{Name: "manager may not re-process", Who: manager, Method: "POST", Path: rp, Status: 403},
				{Name: "re-process", Who: admin, Method: "POST", Path: rp, Form: url.Values{"state": {"failed"}}, Status: 303,
					Location: fmt.Sprintf("/admin/mail?done=%d&state=failed", res.InboundID)},
				{Name: "log says what became of it", Who: admin, Method: "GET", Path: fmt.Sprintf("/admin/mail?done=%d&state=failed", res.InboundID), Status: 200,
					Want: []string{fmt.Sprintf("Message %d was processed again: now failed", res.InboundID)}},
				{Name: "re-process an unknown message", Who: admin, Method: "POST", Path: "/admin/mail/4242/reprocess", Status: 404},
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
			webtest.RunPages(t, []webtest.PageCase{
				{Name: "ticket links the original", Who: agent, Method: "GET", Path: fmt.Sprintf("/tickets/%d", res.TicketID), Status: 200,
					Want: []string{`href="` + orig + `"`, "Show original email"}},
				{Name: "original", Who: agent, Method: "GET", Path: orig, Status: 200,
					Want: []string{"Original email", "Ola Nordmann &lt;ola@example.no&gt;", "support@example.com", "Kari &lt;kari@example.no&gt;",
						"Broken chair", "2006-01-02 15:04", `<pre class="mail-text">`, "Ola Nordmann, Oslo", "<b>broken leg</b>",
						"<details", "X-Mailer", "Test Mailer 1.0", fmt.Sprintf(`href="/tickets/%d#c%d"`, res.TicketID, res.CommentID)},
					NotWant: []string{"<script>alert", "/api/v1/inbound-messages/"}},
				{Name: "admins get the raw download", Who: admin, Method: "GET", Path: orig, Status: 200, Want: []string{"/api/v1/inbound-messages/"}},
				{Name: "web ticket has no original link", Who: agent, Method: "GET", Path: fmt.Sprintf("/tickets/%d", web), Status: 200, NotWant: []string{"Show original email"}},
				{Name: "no original for a web comment", Who: agent, Method: "GET", Path: fmt.Sprintf("/tickets/%d/comments/%d/original", web, cs.Data[0].ID), Status: 404},
				{Name: "comment of another ticket", Who: agent, Method: "GET", Path: fmt.Sprintf("/tickets/%d/comments/%d/original", web, res.CommentID), Status: 404},
				{Name: "unknown ticket", Who: agent, Method: "GET", Path: fmt.Sprintf("/tickets/999999/comments/%d/original", res.CommentID), Status: 404},
				{Name: "a verified sender has no warning", Who: agent, Method: "GET", Path: fmt.Sprintf("/tickets/%d", res.TicketID), Status: 200,
					NotWant: []string{"Unverified sender", "sender-warning"}},
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
			webtest.RunPages(t, []webtest.PageCase{
				{Name: "ticket warns on the forged comment", Who: agent, Method: "GET", Path: fmt.Sprintf("/tickets/%d", fres.TicketID), Status: 200,
					Want: []string{fmt.Sprintf(`class="comment public from-customer sender-unverified" id="c%d"`, fres.CommentID), `<span class="badge unverified">Unverified sender</span>`,
						`<p class="sender-warning" role="note">` + warning}},
				{Name: "its original says so", Who: agent, Method: "GET", Path: fmt.Sprintf("/tickets/%d/comments/%d/original", fres.TicketID, fres.CommentID), Status: 200,
					Want: []string{"Unverified sender", "DKIM none, SPF none, DMARC none"}},
				{Name: "the mail log says so", Who: admin, Method: "GET", Path: "/admin/mail", Status: 200,
					Want: []string{`<span class="badge unverified">Unverified sender</span> <span class="auth-detail">DKIM none, SPF none, DMARC none</span>`}},
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
