package email_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/smtp"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ombud/ombud/internal/app/apptest"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/channel/email"
	"github.com/ombud/ombud/internal/channel/email/message"
	"github.com/ombud/ombud/internal/config"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/dbtest"
	"github.com/ombud/ombud/internal/mailtest"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

// mailEnv is a running Ombud with its SMTP listener, job runner and a
// capture server standing in for the outbound relay.
type mailEnv struct {
	*apptest.Env
	smtpAddr  string
	capture   *mailtest.Capture
	mailboxID int64
	// signers DKIM-sign mail the way senders' servers do, with keys
	// published in the test's DNS zone.
	signers *mailtest.Signers
}

func startMail(t *testing.T, engine db.Dialect) *mailEnv {
	t.Helper()
	return startMailWith(t, engine, nil)
}

// startMailWith is startMail with a chance to adjust the configuration.
func startMailWith(t *testing.T, engine db.Dialect, configure func(*config.Config)) *mailEnv {
	t.Helper()
	env := apptest.NewWith(t, engine, func(c *config.Config) {
		c.MaxMailBytes = 256 << 10
		if configure != nil {
			configure(c)
		}
	})
	capture := mailtest.StartCapture(t)
	host, port, _ := net.SplitHostPort(capture.Addr())
	status, mb := env.Do(t, authz.Admin, "POST", "/api/v1/mailboxes", map[string]any{
		"address": "support@example.com", "name": "Support", "aliases": []string{"help@example.com"},
		"smtp": map[string]any{"host": host, "port": atoi(port), "security": "none"},
	})
	if status != 201 {
		t.Fatalf("create mailbox: %d %v", status, mb["_raw"])
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	l := email.NewListener(env.Sys.Email, "mx.ombud.test", slog.New(slog.NewTextHandler(io.Discard, nil)))
	go func() { _ = l.Serve(ln) }()
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); _ = env.Sys.Jobs.Run(ctx) }()
	t.Cleanup(func() {
		sctx, scancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer scancel()
		_ = l.Shutdown(sctx)
		cancel()
		wg.Wait()
	})
	return &mailEnv{Env: env, smtpAddr: ln.Addr().String(), capture: capture, mailboxID: int64(mb["id"].(float64)), signers: mailtest.NewSigners(env.DNS)}
}

func atoi(s string) int {
	n := 0
	fmt.Sscan(s, &n)
	return n
}

func fixture(t *testing.T, name string, repl ...string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return []byte(strings.NewReplacer(repl...).Replace(string(b)))
}

// send delivers raw through the listener with Go's SMTP client.
func (e *mailEnv) send(from string, to []string, raw []byte) error {
	return smtp.SendMail(e.smtpAddr, nil, from, to, raw)
}

// mustSend delivers raw DKIM-signed by its From domain, as the sender's
// mail server would: the sender is verified.
func (e *mailEnv) mustSend(t *testing.T, from string, raw []byte) {
	t.Helper()
	e.mustSendUnsigned(t, from, e.signers.Sign(t, raw))
}

// mustSendUnsigned delivers raw as it is: anyone can write such a From.
func (e *mailEnv) mustSendUnsigned(t *testing.T, from string, raw []byte) {
	t.Helper()
	if err := e.send(from, []string{"support@example.com"}, raw); err != nil {
		t.Fatalf("send: %v", err)
	}
}

// inbound returns the mail log, newest first.
func (e *mailEnv) inbound(t *testing.T, query string) []map[string]any {
	t.Helper()
	status, body := e.Do(t, authz.Admin, "GET", "/api/v1/inbound-messages?limit=100"+query, nil)
	if status != 200 {
		t.Fatalf("inbound messages: %d %v", status, body["_raw"])
	}
	var out []map[string]any
	for _, x := range body["data"].([]any) {
		out = append(out, x.(map[string]any))
	}
	return out
}

func (e *mailEnv) comments(t *testing.T, ticketID int64) []map[string]any {
	t.Helper()
	status, body := e.Do(t, authz.Agent, "GET", fmt.Sprintf("/api/v1/tickets/%d/comments?limit=100", ticketID), nil)
	if status != 200 {
		t.Fatalf("comments: %d %v", status, body["_raw"])
	}
	var out []map[string]any
	for _, x := range body["data"].([]any) {
		out = append(out, x.(map[string]any))
	}
	return out
}

func (e *mailEnv) ticket(t *testing.T, id int64) map[string]any {
	t.Helper()
	status, body := e.Do(t, authz.Agent, "GET", fmt.Sprintf("/api/v1/tickets/%d", id), nil)
	if status != 200 {
		t.Fatalf("ticket %d: %d %v", id, status, body["_raw"])
	}
	return body
}

func (e *mailEnv) eventTypes(t *testing.T, id int64) []string {
	t.Helper()
	status, body := e.Do(t, authz.Agent, "GET", fmt.Sprintf("/api/v1/tickets/%d/events?limit=100", id), nil)
	if status != 200 {
		t.Fatalf("events %d: %d", id, status)
	}
	var out []string
	for _, x := range body["data"].([]any) {
		out = append(out, x.(map[string]any)["type"].(string))
	}
	return out
}

func (e *mailEnv) reply(t *testing.T, ticketID int64, body string) int64 {
	t.Helper()
	status, c := e.Do(t, authz.Agent, "POST", fmt.Sprintf("/api/v1/tickets/%d/comments", ticketID), map[string]any{"body": body})
	if status != 201 {
		t.Fatalf("reply: %d %v", status, c["_raw"])
	}
	return int64(c["id"].(float64))
}

func (e *mailEnv) setStatus(t *testing.T, ticketID int64, status string) {
	t.Helper()
	code, b := e.Do(t, authz.Agent, "PATCH", fmt.Sprintf("/api/v1/tickets/%d", ticketID), map[string]any{"status": status})
	if code != 200 {
		t.Fatalf("set status: %d %v", code, b["_raw"])
	}
}

func waitFor(t *testing.T, what string, timeout time.Duration, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func num(v any) int64 {
	f, _ := v.(float64)
	return int64(f)
}

// TestEmailConversation follows one conversation through a real SMTP client,
// the listener, the ticket API, the job runner and a capture relay.
func TestEmailConversation(t *testing.T) {
	for _, engine := range dbtest.Engines {
		t.Run(engine.String(), func(t *testing.T) {
			e := startMail(t, engine)
			agentID := e.Agents[authz.Agent].ID

			t.Run("unknown recipient is refused with 550", func(t *testing.T) {
				err := e.send("ola@example.no", []string{"nobody@example.com"}, fixture(t, "new_ticket.eml"))
				if err == nil || !strings.Contains(err.Error(), "550") {
					t.Fatalf("want 550, got %v", err)
				}
			})
			t.Run("oversize message is refused with 552", func(t *testing.T) {
				big := append(fixture(t, "token_only.eml", "FROM", "ola@example.no", "MSGID", "<big@x>", "TICKET", "1"), bytes.Repeat([]byte("0123456789abcdef\r\n"), 20000)...)
				err := e.send("ola@example.no", []string{"support@example.com"}, big)
				if err == nil || !strings.Contains(err.Error(), "552") {
					t.Fatalf("want 552, got %v", err)
				}
			})

			e.mustSend(t, "ola@example.no", fixture(t, "new_ticket.eml"))
			log := e.inbound(t, "")
			if len(log) != 1 || log[0]["state"] != "processed" || log[0]["outcome"] != email.OutcomeNewTicket {
				t.Fatalf("inbound log: %v", log)
			}
			id := num(log[0]["ticket_id"])

			t.Run("new mail becomes a ticket", func(t *testing.T) {
				tk := e.ticket(t, id)
				if tk["subject"] != "Bestilling 1234 kom ødelagt" || tk["channel"] != "email" || tk["status"] != "new" {
					t.Fatalf("ticket: %v", tk)
				}
				if req := tk["requester"].(map[string]any); req["email"] != "ola@example.no" || req["name"] != "Ola Nordmann" {
					t.Fatalf("requester: %v", req)
				}
				if f := tk["follower_ids"].([]any); len(f) != 1 || num(f[0]) != agentID {
					t.Fatalf("the Cc'd agent should follow: %v", f)
				}
				cs := e.comments(t, id)
				if len(cs) != 1 {
					t.Fatalf("comments: %v", cs)
				}
				c := cs[0]
				if !strings.Contains(c["body"].(string), "stolen jeg bestilte kom med et ødelagt ben") || c["author_type"] != "customer" || c["channel"] != "email" {
					t.Fatalf("comment: %v", c)
				}
				if html := c["html"].(string); strings.Contains(html, "<script") || !strings.Contains(html, "delagt ben") {
					t.Fatalf("html not sanitised or lost: %q", html)
				}
				atts := c["attachments"].([]any)
				if len(atts) != 1 {
					t.Fatalf("attachments: %v", atts)
				}
				if a := atts[0].(map[string]any); a["filename"] != "støl.png" || a["content_type"] != "image/png" {
					t.Fatalf("attachment: %v", a)
				}
			})

			t.Run("the same message again is not imported twice", func(t *testing.T) {
				e.mustSend(t, "ola@example.no", fixture(t, "new_ticket.eml"))
				if n := len(e.inbound(t, "")); n != 1 {
					t.Fatalf("inbound messages: %d", n)
				}
			})

			var outboundID string
			t.Run("agent reply goes out threaded", func(t *testing.T) {
				cid := e.reply(t, id, "Hei Ola, vi sender et nytt ben.")
				got := e.capture.Wait(t, 1, 15*time.Second)
				m, err := message.Parse(got[0].Data)
				if err != nil {
					t.Fatal(err)
				}
				outboundID = m.MessageID
				// A random part makes the Message-ID unguessable: answering it
				// proves the sender saw the mail.
				if want := regexp.MustCompile(fmt.Sprintf(`^ombud\.%d\.%d\.[a-z2-7]{16}@example\.com$`, id, cid)); !want.MatchString(m.MessageID) {
					t.Errorf("Message-ID %q, want %s", m.MessageID, want)
				}
				if !slices.Equal(m.InReplyTo, []string{"first-1234@mail.example.no"}) {
					t.Errorf("In-Reply-To %v", m.InReplyTo)
				}
				if !slices.Contains(m.References, "first-1234@mail.example.no") {
					t.Errorf("References %v", m.References)
				}
				if want := fmt.Sprintf("Re: [#%d] Bestilling 1234 kom ødelagt", id); m.Subject != want {
					t.Errorf("subject %q, want %q", m.Subject, want)
				}
				if m.From.Email != "support@example.com" || len(m.To) != 1 || m.To[0].Email != "ola@example.no" {
					t.Errorf("from %v to %v", m.From, m.To)
				}
				if len(m.ReplyTo) != 1 || m.ReplyTo[0].Email != fmt.Sprintf("support+t%d@example.com", id) {
					t.Errorf("reply-to %v", m.ReplyTo)
				}
				if len(m.Cc) != 1 || m.Cc[0].Email != "kari@example.no" {
					t.Errorf("cc %v (the copied customer, not the replying agent)", m.Cc)
				}
				if !strings.Contains(m.Text, "vi sender et nytt ben") || !strings.Contains(m.HTML, "vi sender et nytt ben") {
					t.Errorf("text %q html %q", m.Text, m.HTML)
				}
				if !slices.Equal(got[0].To, []string{"ola@example.no", "kari@example.no"}) || got[0].From != "support@example.com" {
					t.Errorf("envelope %s → %v", got[0].From, got[0].To)
				}
			})

			t.Run("customer reply threads by In-Reply-To and folds the quote", func(t *testing.T) {
				e.setStatus(t, id, "pending")
				e.mustSend(t, "ola@example.no", fixture(t, "reply_quoted.eml", "TICKET", fmt.Sprint(id), "OUTBOUND", outboundID))
				cs := e.comments(t, id)
				last := cs[len(cs)-1]
				if last["body"] != "Takk, et nytt ben passer fint. Kan dere sende det i morgen?" {
					t.Fatalf("reply body %q", last["body"])
				}
				if st := e.ticket(t, id)["status"]; st != "open" {
					t.Fatalf("a customer reply should reopen a pending ticket, status %v", st)
				}
				status, o := e.Do(t, authz.Agent, "GET", fmt.Sprintf("/api/v1/tickets/%d/comments/%d/original", id, num(last["id"])), nil)
				if status != 200 || !strings.Contains(o["text"].(string), "> Hei Ola, vi sender et nytt ben.") {
					t.Fatalf("original: %d %v", status, o["_raw"])
				}
			})

			t.Run("subject token threads for the requester only", func(t *testing.T) {
				before := len(e.comments(t, id))
				e.mustSend(t, "ola@example.no", fixture(t, "token_only.eml", "FROM", "Ola <ola@example.no>", "MSGID", "<tok-1@x>", "TICKET", fmt.Sprint(id)))
				if n := len(e.comments(t, id)); n != before+1 {
					t.Fatalf("the requester's token reply should thread: %d comments", n)
				}
				e.mustSend(t, "mallory@evil.example", fixture(t, "token_only.eml", "FROM", "mallory@evil.example", "MSGID", "<tok-2@x>", "TICKET", fmt.Sprint(id)))
				if n := len(e.comments(t, id)); n != before+1 {
					t.Fatalf("a stranger's token must not reach the ticket")
				}
				if got := e.inbound(t, "")[0]; got["outcome"] != email.OutcomeNewTicket || num(got["ticket_id"]) == id {
					t.Fatalf("the stranger should get a ticket of their own: %v", got)
				}
			})

			t.Run("an auto-reply is recorded but changes nothing", func(t *testing.T) {
				// A trigger that answers every customer message must not
				// answer an out-of-office: that is how mail loops start.
				status, tr := e.Do(t, authz.Admin, "POST", "/api/v1/triggers", map[string]any{
					"name": "Acknowledge customer mail",
					"conditions": map[string]any{"all": []any{
						map[string]any{"field": "event", "op": "is", "value": "comment_added"},
						map[string]any{"field": "comment.author_type", "op": "is", "value": "customer"},
					}},
					"actions": []any{map[string]any{"type": "add_tags", "value": []string{"customer-wrote"}}},
				})
				if status != 201 {
					t.Fatalf("trigger: %d %v", status, tr["_raw"])
				}
				defer e.Do(t, authz.Admin, "DELETE", fmt.Sprintf("/api/v1/triggers/%d", num(tr["id"])), nil)
				e.setStatus(t, id, "pending")
				sent := len(e.capture.Messages())
				e.mustSend(t, "ola@example.no", fixture(t, "auto_reply.eml", "TICKET", fmt.Sprint(id), "OUTBOUND", outboundID))
				if st := e.ticket(t, id)["status"]; st != "pending" {
					t.Fatalf("status %v after an auto-reply", st)
				}
				time.Sleep(500 * time.Millisecond)
				if n := len(e.capture.Messages()); n != sent {
					t.Fatalf("an auto-reply triggered mail")
				}
				if tags := fmt.Sprint(e.ticket(t, id)["tags"]); strings.Contains(tags, "customer-wrote") {
					t.Fatalf("a trigger fired on an auto-reply: tags %s", tags)
				}
				// The same trigger does fire on a person's message.
				e.mustSend(t, "ola@example.no", fixture(t, "token_only.eml", "FROM", "Ola <ola@example.no>", "MSGID", "<tok-3@x>", "TICKET", fmt.Sprint(id)))
				waitFor(t, "the trigger on a real reply", 10*time.Second, func() bool {
					return strings.Contains(fmt.Sprint(e.ticket(t, id)["tags"]), "customer-wrote")
				})
				e.setStatus(t, id, "pending")
			})

			t.Run("a bounce attaches to the ticket as a delivery failure", func(t *testing.T) {
				e.mustSend(t, "", fixture(t, "bounce.eml", "TICKET", fmt.Sprint(id), "OUTBOUND", outboundID))
				got := e.inbound(t, "")[0]
				if got["outcome"] != email.OutcomeBounce || num(got["ticket_id"]) != id {
					t.Fatalf("bounce: %v", got)
				}
				if !slices.Contains(e.eventTypes(t, id), email.EvBounced) {
					t.Fatalf("no %s event", email.EvBounced)
				}
			})

			t.Run("mail from an agent becomes an agent reply and is sent on", func(t *testing.T) {
				sent := len(e.capture.Messages())
				raw := fmt.Sprintf("From: Test agent <agent@ombud.test>\r\nTo: support@example.com\r\nSubject: Re: [#%d] x\r\nMessage-ID: <agent-1@ombud.test>\r\nIn-Reply-To: <%s>\r\n\r\nBenet er sendt i dag.\r\n", id, outboundID)
				e.mustSend(t, "agent@ombud.test", []byte(raw))
				cs := e.comments(t, id)
				last := cs[len(cs)-1]
				if last["author_type"] != "agent" || num(last["author_id"]) != agentID || last["public"] != true {
					t.Fatalf("agent mail: %v", last)
				}
				e.capture.Wait(t, sent+1, 15*time.Second)
			})

			t.Run("unparseable mail is kept raw and surfaced", func(t *testing.T) {
				garbage := fixture(t, "garbage.eml")
				e.mustSend(t, "x@example.org", garbage)
				failed := e.inbound(t, "&state=failed")
				if len(failed) != 1 || failed[0]["error"] == "" {
					t.Fatalf("failed log: %v", failed)
				}
				fid := num(failed[0]["id"])
				status, raw := e.Do(t, authz.Admin, "GET", fmt.Sprintf("/api/v1/inbound-messages/%d/raw", fid), nil)
				if status != 200 || !strings.Contains(raw["_raw"].(string), "garbage without any headers") {
					t.Fatalf("raw: %d", status)
				}
				if status, _ := e.Do(t, authz.Agent, "GET", "/api/v1/inbound-messages", nil); status != 403 {
					t.Fatalf("agents may not read the mail log: %d", status)
				}
				status, re := e.Do(t, authz.Admin, "POST", fmt.Sprintf("/api/v1/inbound-messages/%d/reprocess", fid), nil)
				if status != 200 || re["state"] != "failed" {
					t.Fatalf("reprocess: %d %v", status, re["_raw"])
				}
				// The admin's retry is audited with the state before and after.
				status, log := e.Do(t, authz.Admin, "GET", "/api/v1/audit?action=mail.reprocess", nil)
				rows, _ := log["data"].([]any)
				if status != 200 || len(rows) != 1 {
					t.Fatalf("audit: %d %v", status, log["_raw"])
				}
				row := rows[0].(map[string]any)
				data := row["data"].(map[string]any)
				if row["target"] != fmt.Sprintf("inbound_message:%d", fid) || row["actor_name"] != "Test admin" ||
					data["before"].(map[string]any)["state"] != "failed" || data["after"].(map[string]any)["state"] != "failed" {
					t.Errorf("audit row: %v", log["_raw"])
				}
			})

			t.Run("an inline image shows in place", func(t *testing.T) {
				e.mustSend(t, "anna@example.se", fixture(t, "inline_image.eml"))
				got := e.inbound(t, "")[0]
				cs := e.comments(t, num(got["ticket_id"]))
				atts := cs[0]["attachments"].([]any)
				if len(atts) != 1 {
					t.Fatalf("attachments %v", atts)
				}
				a := atts[0].(map[string]any)
				want := fmt.Sprintf(`src="/api/v1/attachments/%d"`, num(a["id"]))
				if html := cs[0]["html"].(string); !strings.Contains(html, want) || a["inline_cid"] != "skarm@example.se" {
					t.Fatalf("html %q lacks %s (attachment %v)", html, want, a)
				}
				if body := cs[0]["body"].(string); !strings.Contains(body, "Se bilden") {
					t.Fatalf("HTML-only mail should have a text body: %q", body)
				}
			})

			t.Run("a trigger's notification email goes out marked automatic", func(t *testing.T) {
				status, tr := e.Do(t, authz.Admin, "POST", "/api/v1/triggers", map[string]any{
					"name": "Tell the lead",
					"conditions": map[string]any{"all": []any{
						map[string]any{"field": "event", "op": "is", "value": "comment_added"},
						map[string]any{"field": "comment.author_type", "op": "is", "value": "customer"},
					}},
					"actions": []any{map[string]any{"type": "notify", "value": "lead@example.org",
						"subject": "Customer wrote on #{{ticket.id}}", "body": "{{requester.name}} wrote again."}},
				})
				if status != 201 {
					t.Fatalf("trigger: %d %v", status, tr["_raw"])
				}
				defer e.Do(t, authz.Admin, "DELETE", fmt.Sprintf("/api/v1/triggers/%d", num(tr["id"])), nil)
				if st, bad := e.Do(t, authz.Admin, "POST", "/api/v1/triggers", map[string]any{"name": "Bad",
					"conditions": map[string]any{"all": []any{map[string]any{"field": "event", "op": "is", "value": "created"}}},
					"actions":    []any{map[string]any{"type": "notify", "value": "not an address", "body": "x"}}}); st != 400 {
					t.Fatalf("bad notify: %d %v", st, bad["_raw"])
				}
				sent := len(e.capture.Messages())
				e.mustSend(t, "ola@example.no", fixture(t, "token_only.eml", "FROM", "Ola <ola@example.no>", "MSGID", "<tok-4@x>", "TICKET", fmt.Sprint(id)))
				var notice *message.Message
				waitFor(t, "the notification", 15*time.Second, func() bool {
					for _, c := range e.capture.Messages()[sent:] {
						if slices.Contains(c.To, "lead@example.org") {
							notice, _ = message.Parse(c.Data)
							return true
						}
					}
					return false
				})
				if want := fmt.Sprintf("Customer wrote on #%d", id); notice.Subject != want || !strings.Contains(notice.Text, "Ola Nordmann wrote again.") || !notice.AutoSubmitted {
					t.Fatalf("notice: subject %q text %q auto %v", notice.Subject, notice.Text, notice.AutoSubmitted)
				}
			})

			t.Run("a permanent relay failure is recorded on the ticket", func(t *testing.T) {
				e.capture.FailNext(1, 550, "5.1.1 mailbox unavailable")
				e.reply(t, id, "Ett spørsmål til.")
				waitFor(t, "delivery failure event", 15*time.Second, func() bool {
					return slices.Contains(e.eventTypes(t, id), email.EvDeliveryFailed)
				})
			})
		})
	}
}
