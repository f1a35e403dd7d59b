package email_test

import (
	"context"
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/channel/email"
	"github.com/ombud/ombud/internal/channel/email/message"
	"github.com/ombud/ombud/internal/config"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/dbtest"
	"github.com/ombud/ombud/internal/mailtest"
)

// outboundCount is how many replies were queued for the relay.
func (e *mailEnv) outboundCount(t *testing.T) int {
	t.Helper()
	var n int
	if err := e.Sys.DB.QueryRowContext(t.Context(), `SELECT COUNT(*) FROM outbound_emails`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// last returns the newest entry of the mail log.
func (e *mailEnv) last(t *testing.T) map[string]any {
	t.Helper()
	return e.inbound(t, "")[0]
}

// original is the API's view of the email behind a comment.
func (e *mailEnv) original(t *testing.T, ticketID int64, commentID int64) map[string]any {
	t.Helper()
	status, o := e.Do(t, authz.Agent, "GET", fmt.Sprintf("/api/v1/tickets/%d/comments/%d/original", ticketID, commentID), nil)
	if status != 200 {
		t.Fatalf("original: %d %v", status, o["_raw"])
	}
	return o
}

// mailFrom writes a reply to ticket id from from; headers go on top.
func mailFrom(from, msgID, subject string, headers ...string) []byte {
	return []byte(strings.Join(headers, "") + "From: " + from + "\r\nTo: support@example.com\r\nSubject: " + subject +
		"\r\nMessage-ID: <" + msgID + ">\r\nDate: Mon, 23 Nov 2026 12:00:00 +0100\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\nSee below.\r\n")
}

// openTicket has a verified customer open a ticket and an agent answer
// it; it returns the ticket and the Message-ID of the answer.
func (e *mailEnv) openTicket(t *testing.T) (int64, string) {
	t.Helper()
	e.mustSend(t, "ola@example.no", fixture(t, "new_ticket.eml", "first-1234@mail.example.no", fmt.Sprintf("first-%d@mail.example.no", time.Now().UnixNano())))
	got := e.last(t)
	if got["auth"] != email.AuthVerified {
		t.Fatalf("signed customer mail: %v", got)
	}
	id := num(got["ticket_id"])
	sent := len(e.capture.Messages())
	e.reply(t, id, "Hei Ola, vi ser på saken.")
	m, err := message.Parse(e.capture.Wait(t, sent+1, 15*time.Second)[sent].Data)
	if err != nil {
		t.Fatal(err)
	}
	return id, m.MessageID
}

// TestForgedAgentMail is the attack of issue 11: mail that only claims to
// come from an agent must never be posted, or relayed, as the agent's reply.
func TestForgedAgentMail(t *testing.T) {
	e := startMail(t, db.SQLite)
	id, _ := e.openTicket(t)
	before := e.outboundCount(t)
	raw := mailFrom("Test agent <agent@ombud.test>", "forged-1@evil.example", fmt.Sprintf("Re: [#%d] x", id))
	e.mustSendUnsigned(t, "agent@ombud.test", raw)
	got := e.last(t)
	for _, c := range e.comments(t, id) {
		if c["author_type"] == "agent" && strings.Contains(c["body"].(string), "See below") {
			t.Fatalf("forged mail became an agent reply: %v", c)
		}
	}
	if num(got["ticket_id"]) == id {
		t.Fatalf("forged mail threaded by [#%d]: %v", id, got)
	}
	if got["outcome"] != email.OutcomeNewTicket {
		t.Fatalf("forged mail should open a ticket of its own: %v", got)
	}
	if n := e.outboundCount(t); n != before {
		t.Fatalf("forged mail queued %d outbound messages", n-before)
	}
	cs := e.comments(t, num(got["ticket_id"]))
	if len(cs) != 1 || cs[0]["author_type"] != "customer" {
		t.Fatalf("forged mail should be a customer message: %v", cs)
	}
	if got["auth"] != email.AuthUnverified || !strings.Contains(got["auth_detail"].(string), "DKIM none") {
		t.Fatalf("the mail log should say unverified and why: %v", got)
	}
	if o := e.original(t, num(got["ticket_id"]), num(cs[0]["id"])); o["auth"] != email.AuthUnverified {
		t.Fatalf("the comment's original should say unverified: %v", o)
	}
}

// TestSenderVerification runs signed and forged mail through the SMTP
// listener: only a proven From address is an agent, and only a proven
// participant threads by [#id].
func TestSenderVerification(t *testing.T) {
	for _, engine := range dbtest.Engines {
		t.Run(engine.String(), func(t *testing.T) {
			e := startMail(t, engine)
			agentID := e.Agents[authz.Agent].ID
			id, outbound := e.openTicket(t)
			// Another domain with its own key, and a domain whose SPF allows
			// the loopback client the test sends from.
			evil := mailtest.NewDKIMKey(t, e.DNS, "evil.example", "s1", "rsa")
			e.DNS.TXT("spf.example", "v=spf1 ip4:127.0.0.0/8 -all")
			e.DNS.TXT("_dmarc.spf.example", "v=DMARC1; p=reject")
			e.DNS.TXT("_dmarc.example.no", "v=DMARC1; p=quarantine")

			tests := []struct {
				name     string
				envFrom  string
				raw      []byte
				auth     string
				detail   string
				outcome  string
				threaded bool // landed on ticket id
				author   string
				relayed  bool
			}{
				{name: "valid DKIM, aligned: agent reply", envFrom: "agent@ombud.test",
					raw:  e.signers.Sign(t, mailFrom("Test agent <agent@ombud.test>", "a1@ombud.test", fmt.Sprintf("Re: [#%d] x", id))),
					auth: email.AuthVerified, detail: "DKIM pass (ombud.test)", outcome: email.OutcomeAgentReply, threaded: true, author: "agent", relayed: true},
				{name: "forged agent, no signature: customer message, own ticket", envFrom: "agent@ombud.test",
					raw:  mailFrom("Test agent <agent@ombud.test>", "f1@evil.example", fmt.Sprintf("Re: [#%d] x", id)),
					auth: email.AuthUnverified, detail: "DKIM none", outcome: email.OutcomeNewTicket, author: "customer"},
				{name: "agent address signed by another domain: not aligned", envFrom: "agent@ombud.test",
					raw:  evil.Sign(t, mailFrom("Test agent <agent@ombud.test>", "f2@evil.example", fmt.Sprintf("Re: [#%d] x", id))),
					auth: email.AuthUnverified, detail: "DKIM pass (evil.example, not aligned)", outcome: email.OutcomeNewTicket, author: "customer"},
				{name: "forged agent answering our Message-ID: a customer message on the ticket, not relayed", envFrom: "agent@ombud.test",
					raw:  mailFrom("Test agent <agent@ombud.test>", "f3@evil.example", "Re: x", "In-Reply-To: <"+outbound+">\r\n"),
					auth: email.AuthUnverified, outcome: email.OutcomeReply, threaded: true, author: "customer"},
				{name: "customer address forged: not threaded by [#id]", envFrom: "ola@example.no",
					raw:  mailFrom("Ola Nordmann <ola@example.no>", "f4@evil.example", fmt.Sprintf("SV: [#%d] x", id)),
					auth: email.AuthUnverified, detail: "DMARC fail", outcome: email.OutcomeNewTicket, author: "customer"},
				{name: "customer address forged, plus-addressed: not threaded", envFrom: "ola@example.no",
					raw:  mailFrom("ola@example.no", "f5@evil.example", "x", fmt.Sprintf("Delivered-To: support+t%d@example.com\r\n", id)),
					auth: email.AuthUnverified, outcome: email.OutcomeNewTicket, author: "customer"},
				{name: "signed customer reply threads by [#id]", envFrom: "ola@example.no",
					raw:  e.signers.Sign(t, mailFrom("Ola Nordmann <ola@example.no>", "c1@example.no", fmt.Sprintf("SV: [#%d] x", id))),
					auth: email.AuthVerified, outcome: email.OutcomeReply, threaded: true, author: "customer"},
				{name: "SPF pass with aligned MAIL FROM: verified", envFrom: "bounce@spf.example",
					raw:  mailFrom("Per <per@spf.example>", "s1@spf.example", "Hello"),
					auth: email.AuthVerified, detail: "SPF pass (spf.example)", outcome: email.OutcomeNewTicket, author: "customer"},
				{name: "SPF pass for another domain than From: unverified", envFrom: "bounce@spf.example",
					raw:  mailFrom("Test agent <agent@ombud.test>", "s2@spf.example", fmt.Sprintf("Re: [#%d] x", id)),
					auth: email.AuthUnverified, detail: "SPF pass (spf.example, not aligned)", outcome: email.OutcomeNewTicket, author: "customer"},
				{name: "Authentication-Results from an untrusted peer are ignored", envFrom: "agent@ombud.test",
					raw: mailFrom("Test agent <agent@ombud.test>", "r1@evil.example", fmt.Sprintf("Re: [#%d] x", id),
						"Authentication-Results: mx.ombud.test; dkim=pass header.d=ombud.test; dmarc=pass header.from=ombud.test\r\n"),
					auth: email.AuthUnverified, detail: "DKIM none", outcome: email.OutcomeNewTicket, author: "customer"},
			}
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					before, sent := e.outboundCount(t), len(e.capture.Messages())
					e.mustSendUnsigned(t, tt.envFrom, tt.raw)
					got := e.last(t)
					if got["auth"] != tt.auth || got["outcome"] != tt.outcome || !strings.Contains(got["auth_detail"].(string), tt.detail) {
						t.Fatalf("got auth %v (%v), outcome %v; want %s (%s), %s", got["auth"], got["auth_detail"], got["outcome"], tt.auth, tt.detail, tt.outcome)
					}
					if got["client_ip"] != "127.0.0.1" || got["envelope_from"] != tt.envFrom {
						t.Errorf("the SMTP session's client: %v %v", got["client_ip"], got["envelope_from"])
					}
					if threaded := num(got["ticket_id"]) == id; threaded != tt.threaded {
						t.Fatalf("threaded into #%d: %v, want %v", id, threaded, tt.threaded)
					}
					cs := e.comments(t, num(got["ticket_id"]))
					c := cs[len(cs)-1]
					if num(c["id"]) != num(got["comment_id"]) || c["author_type"] != tt.author {
						t.Fatalf("comment %v, want by %s", c, tt.author)
					}
					if tt.author == "agent" && num(c["author_id"]) != agentID {
						t.Fatalf("agent reply by %v", c["author_id"])
					}
					if o := e.original(t, num(got["ticket_id"]), num(c["id"])); o["auth"] != tt.auth {
						t.Errorf("original auth %v", o["auth"])
					}
					if relayed := e.outboundCount(t) > before; relayed != tt.relayed {
						t.Fatalf("relayed: %v, want %v", relayed, tt.relayed)
					}
					if tt.relayed {
						e.capture.Wait(t, sent+1, 15*time.Second)
					}
				})
			}

			t.Run("an unverified mail changes nobody's part in the ticket", func(t *testing.T) {
				followers := fmt.Sprint(e.ticket(t, id)["follower_ids"])
				e.mustSendUnsigned(t, "ola@example.no", mailFrom("ola@example.no", "f6@evil.example", "Re: x",
					"In-Reply-To: <"+outbound+">\r\nCc: mallory@evil.example, Test admin <admin@ombud.test>\r\n"))
				got := e.last(t)
				if num(got["ticket_id"]) != id || got["auth"] != email.AuthUnverified {
					t.Fatalf("unverified reply by Message-ID: %v", got)
				}
				if f := fmt.Sprint(e.ticket(t, id)["follower_ids"]); f != followers {
					t.Fatalf("followers changed %s → %s", followers, f)
				}
				sent := len(e.capture.Messages())
				e.reply(t, id, "Svar etter en uverifisert e-post.")
				for _, to := range e.capture.Wait(t, sent+1, 15*time.Second)[sent].To {
					if to == "mallory@evil.example" {
						t.Fatal("an unverified mail's Cc was copied on the agent's reply")
					}
				}
			})

			t.Run("Message-IDs of the old guessable form do not thread unverified mail", func(t *testing.T) {
				legacy := fmt.Sprintf("ombud.%d.1@example.com", id)
				// A row as an older version wrote it.
				err := e.Sys.DB.Write(t.Context(), func(tx *db.Tx) error {
					_, err := tx.ExecContext(t.Context(), `INSERT INTO email_threads (message_id, ticket_id, direction) VALUES (?, ?, 'out')`, legacy, id)
					return err
				})
				if err != nil {
					t.Fatal(err)
				}
				e.mustSendUnsigned(t, "ola@example.no", mailFrom("ola@example.no", "f7@evil.example", "Re: x", "In-Reply-To: <"+legacy+">\r\n"))
				if got := e.last(t); num(got["ticket_id"]) == id {
					t.Fatalf("threaded by a guessable Message-ID: %v", got)
				}
				e.mustSend(t, "ola@example.no", mailFrom("ola@example.no", "c2@example.no", "Re: x", "In-Reply-To: <"+legacy+">\r\n"))
				if got := e.last(t); num(got["ticket_id"]) != id {
					t.Fatalf("a verified reply to an old Message-ID should thread: %v", got)
				}
			})

			t.Run("a DNS failure leaves the mail unverified, and kept", func(t *testing.T) {
				k := mailtest.NewDKIMKey(t, mailtest.NewDNS(), "flaky.example", "s1", "ed25519") // its key is published nowhere
				e.DNS.Fail("s1._domainkey.flaky.example")
				e.DNS.Fail("_dmarc.flaky.example")
				e.mustSendUnsigned(t, "x@flaky.example", k.Sign(t, mailFrom("x@flaky.example", "d1@flaky.example", "Hello")))
				got := e.last(t)
				if got["state"] != "processed" || got["auth"] != email.AuthUnverified || !strings.Contains(got["auth_detail"].(string), "DKIM temperror") {
					t.Fatalf("temperror: %v", got)
				}
			})
		})
	}
}

// TestTrustedMTA has the listener behind a trusted MTA (here: loopback,
// authserv-id mx.ombud.test): its Authentication-Results verify a sender,
// a header under another MTA's does not.
func TestTrustedMTA(t *testing.T) {
	e := startMailWith(t, db.SQLite, func(c *config.Config) { c.TrustedMTA = "mx.ombud.test, 127.0.0.0/8" })
	id, _ := e.openTicket(t)
	tests := []struct {
		name    string
		headers string
		auth    string
		outcome string
	}{
		{"trusted header: agent reply", "Authentication-Results: mx.ombud.test; dkim=pass header.d=ombud.test; spf=pass smtp.mailfrom=ombud.test; dmarc=pass header.from=ombud.test\r\n",
			email.AuthVerified, email.OutcomeAgentReply},
		{"trusted header saying fail", "Authentication-Results: mx.ombud.test; dkim=none; spf=softfail smtp.mailfrom=ombud.test; dmarc=fail header.from=ombud.test\r\n",
			email.AuthUnverified, email.OutcomeNewTicket},
		{"a trusted id under another MTA's header came with the message", "Authentication-Results: other.example; none\r\nAuthentication-Results: mx.ombud.test; dmarc=pass header.from=ombud.test\r\n",
			email.AuthUnverified, email.OutcomeNewTicket},
		{"another authserv-id", "Authentication-Results: mx.evil.example; dmarc=pass header.from=ombud.test\r\n",
			email.AuthUnverified, email.OutcomeNewTicket},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e.mustSendUnsigned(t, "agent@ombud.test", mailFrom("agent@ombud.test", fmt.Sprintf("t%d@ombud.test", i), fmt.Sprintf("Re: [#%d] x", id), tt.headers))
			got := e.last(t)
			if got["auth"] != tt.auth || got["outcome"] != tt.outcome {
				t.Fatalf("got %v (%v) %v, want %s %s", got["auth"], got["auth_detail"], got["outcome"], tt.auth, tt.outcome)
			}
			if tt.auth == email.AuthUnverified && !strings.Contains(got["auth_detail"].(string), "SPF not checked") {
				t.Errorf("SPF of the trusted relay's own address should not be asked: %v", got["auth_detail"])
			}
		})
	}
}

// TestIMAPSenderVerification fetches mail from a real Dovecot: with no SMTP
// session there is no SPF, so a DKIM signature or the delivering server's
// trusted Authentication-Results verify the sender.
func TestIMAPSenderVerification(t *testing.T) {
	dv := mailtest.StartDovecot(t)
	e := startMailWith(t, db.SQLite, func(c *config.Config) { c.TrustedMTA = "mx.provider.test" })
	id, _ := e.openTicket(t)
	dv.AddUser(t, "verify", "secret")
	host, port, _ := net.SplitHostPort(dv.Addr())
	status, body := e.Do(t, authz.Admin, "PATCH", fmt.Sprintf("/api/v1/mailboxes/%d", e.mailboxID), map[string]any{
		"imap":                map[string]any{"host": host, "port": atoi(port), "security": "none", "username": "verify", "password": "secret", "interval_seconds": 10},
		"allow_insecure_auth": true, // the test Dovecot has no TLS on this port
	})
	if status != 200 {
		t.Fatalf("set imap: %d %v", status, body["_raw"])
	}
	subject := fmt.Sprintf("Re: [#%d] x", id)
	msgs := map[string]struct {
		raw  []byte
		auth string
		on   bool // lands on ticket id as the agent's reply
	}{
		"signed@ombud.test": {e.signers.Sign(t, mailFrom("agent@ombud.test", "signed@ombud.test", subject)), email.AuthVerified, true},
		"ar@ombud.test": {mailFrom("agent@ombud.test", "ar@ombud.test", subject,
			"Authentication-Results: mx.provider.test; dmarc=pass header.from=ombud.test\r\n"), email.AuthVerified, true},
		"forged@evil.example": {mailFrom("agent@ombud.test", "forged@evil.example", subject), email.AuthUnverified, false},
		"forged-ar@evil.example": {mailFrom("agent@ombud.test", "forged-ar@evil.example", subject,
			"Authentication-Results: mx.evil.example; dmarc=pass header.from=ombud.test\r\n"), email.AuthUnverified, false},
	}
	for _, m := range msgs {
		dv.Append(t, "verify", "secret", "INBOX", m.raw)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); _ = email.NewIMAPSources(e.Sys.Email, 50*time.Millisecond).Run(ctx) }()
	defer func() { cancel(); wg.Wait() }()
	waitFor(t, "the messages to be imported", 20*time.Second, func() bool { return len(e.inbound(t, "")) >= len(msgs)+1 })
	for _, got := range e.inbound(t, "") {
		if got["source"] != "imap" {
			continue
		}
		want, ok := msgs[got["message_id"].(string)]
		if !ok {
			t.Fatalf("unexpected message %v", got)
		}
		onTicket := num(got["ticket_id"]) == id && got["outcome"] == email.OutcomeAgentReply
		if got["auth"] != want.auth || onTicket != want.on {
			t.Errorf("%s: auth %v (%v), outcome %v on #%v; want %s, agent reply on #%d: %v", got["message_id"], got["auth"], got["auth_detail"], got["outcome"], got["ticket_id"], want.auth, id, want.on)
		}
	}
}

// TestForgedMailDoesNotSilenceTheSender: the hourly per-sender limit must
// not let a forger who floods mail in an agent's name get the agent's own,
// verified mail ignored.
func TestForgedMailDoesNotSilenceTheSender(t *testing.T) {
	e := startMail(t, db.SQLite)
	id, _ := e.openTicket(t)
	for i := range 61 { // the default limit is 60 an hour
		raw := mailFrom("agent@ombud.test", fmt.Sprintf("flood-%d@evil.example", i), "Spam")
		if _, err := e.Sys.Email.Receive(t.Context(), email.Inbound{MailboxID: e.mailboxID, Source: "smtp", EnvelopeFrom: "agent@ombud.test", Raw: raw}); err != nil {
			t.Fatal(err)
		}
	}
	if got := e.last(t); got["outcome"] != email.OutcomeRateLimited {
		t.Fatalf("the flood itself should be limited: %v", got)
	}
	e.mustSend(t, "agent@ombud.test", mailFrom("agent@ombud.test", "real-1@ombud.test", fmt.Sprintf("Re: [#%d] x", id)))
	if got := e.last(t); got["outcome"] != email.OutcomeAgentReply || num(got["ticket_id"]) != id {
		t.Fatalf("the agent's verified reply was not taken: %v", got)
	}
}
