package email_test

import (
	"context"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/ombud/ombud/internal/app/apptest"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/channel/email"
	"github.com/ombud/ombud/internal/dbtest"
	"github.com/ombud/ombud/internal/mailtest"
	"github.com/ombud/ombud/internal/secret"
)

// TestMailboxPasswordsAtRest: the SMTP and IMAP passwords are sealed in
// the row itself, and no role ever gets them back, only whether one is set.
func TestMailboxPasswordsAtRest(t *testing.T) {
	for _, engine := range dbtest.Engines {
		t.Run(engine.String(), func(t *testing.T) {
			e := apptest.New(t, engine)
			ctx := context.Background()
			status, mb := e.Do(t, authz.Admin, "POST", "/api/v1/mailboxes", map[string]any{
				"address": "support@example.com", "name": "Support",
				"smtp": map[string]any{"host": "smtp.example.com", "username": "support", "password": "smtp-pass-4711"},
				"imap": map[string]any{"host": "imap.example.com", "username": "support", "password": "imap-pass-4711"},
			})
			if status != 201 {
				t.Fatalf("create: %d %v", status, mb["_raw"])
			}
			id := num(mb["id"])
			var smtpPw, imapPw string
			if err := e.Sys.DB.QueryRowContext(ctx, `SELECT smtp_password, imap_password FROM mailboxes WHERE id = ?`, id).Scan(&smtpPw, &imapPw); err != nil {
				t.Fatal(err)
			}
			for col, v := range map[string]string{"smtp_password": smtpPw, "imap_password": imapPw} {
				if strings.Contains(v, "4711") || !secret.IsSealed(v) {
					t.Fatalf("%s is stored as %q: want it sealed", col, v)
				}
				plain, err := e.Sys.Secrets.Open("mailboxes."+col, v)
				if err != nil || !strings.HasSuffix(plain, "-pass-4711") {
					t.Fatalf("%s opens to %q, %v", col, plain, err)
				}
			}
			for _, tt := range []struct {
				role   authz.Role
				status int
			}{{authz.Admin, 200}, {authz.Manager, 200}, {authz.Agent, 403}} {
				st, got := e.Do(t, tt.role, "GET", fmt.Sprintf("/api/v1/mailboxes/%d", id), nil)
				raw := got["_raw"].(string)
				if st != tt.status || strings.Contains(raw, "4711") || strings.Contains(raw, secret.Prefix) {
					t.Fatalf("%s: %d %s", tt.role, st, raw)
				}
				if st == 200 && (!strings.Contains(raw, `"has_password":true`) || strings.Contains(raw, `"password"`)) {
					t.Fatalf("%s: want only has_password: %s", tt.role, raw)
				}
			}
			// A PATCH without passwords keeps them.
			if st, got := e.Do(t, authz.Admin, "PATCH", fmt.Sprintf("/api/v1/mailboxes/%d", id), map[string]any{
				"smtp": map[string]any{"host": "smtp2.example.com", "username": "support"}}); st != 200 {
				t.Fatalf("patch: %d %v", st, got["_raw"])
			}
			var after string
			_ = e.Sys.DB.QueryRowContext(ctx, `SELECT smtp_password FROM mailboxes WHERE id = ?`, id).Scan(&after)
			if plain, err := e.Sys.Secrets.Open("mailboxes.smtp_password", after); err != nil || plain != "smtp-pass-4711" {
				t.Fatalf("kept password opens to %q, %v", plain, err)
			}
		})
	}
}

// TestSMTPAuthNeedsTLS: a relay password is not sent over a connection
// without TLS unless the admin allowed it for the mailbox.
func TestSMTPAuthNeedsTLS(t *testing.T) {
	for _, engine := range dbtest.Engines {
		t.Run(engine.String(), func(t *testing.T) {
			e := startMail(t, engine)
			e.capture.RequireAuth("relay-user", "relay-pass")
			host, port, _ := net.SplitHostPort(e.capture.Addr())
			mbPath := fmt.Sprintf("/api/v1/mailboxes/%d", e.mailboxID)
			if st, got := e.Do(t, authz.Admin, "PATCH", mbPath, map[string]any{
				"smtp": map[string]any{"host": host, "port": atoi(port), "security": "none", "username": "relay-user", "password": "relay-pass"}}); st != 200 || got["allow_insecure_auth"] != false {
				t.Fatalf("patch: %d %v", st, got["_raw"])
			}
			st, tk := e.Do(t, authz.Agent, "POST", "/api/v1/tickets", map[string]any{"subject": "Order 77", "description": "Where is it?",
				"channel": "email", "requester": map[string]any{"email": "ola@example.no"}})
			if st != 201 {
				t.Fatalf("ticket: %d %v", st, tk["_raw"])
			}
			id := num(tk["id"])

			e.reply(t, id, "Your order is on its way.")
			var failure string
			waitFor(t, "the refused delivery to be recorded", 15*time.Second, func() bool {
				_, evs := e.Do(t, authz.Agent, "GET", fmt.Sprintf("/api/v1/tickets/%d/events?limit=100", id), nil)
				for _, x := range evs["data"].([]any) {
					ev := x.(map[string]any)
					if ev["type"] == email.EvDeliveryFailed {
						failure = fmt.Sprint(ev["data"])
						return true
					}
				}
				return false
			})
			if !strings.Contains(failure, "unencrypted") {
				t.Fatalf("failure %q: want it to say the connection is unencrypted", failure)
			}
			if n := len(e.capture.Messages()); n != 0 {
				t.Fatalf("%d messages reached the relay", n)
			}

			if st, got := e.Do(t, authz.Admin, "PATCH", mbPath, map[string]any{"allow_insecure_auth": true}); st != 200 || got["allow_insecure_auth"] != true {
				t.Fatalf("allow: %d %v", st, got["_raw"])
			}
			e.reply(t, id, "Tracking number 123.")
			got := e.capture.Wait(t, 1, 15*time.Second)
			if got[0].AuthUser != "relay-user" {
				t.Fatalf("delivered without the relay login: %+v", got[0])
			}
		})
	}
}

// TestIMAPLoginNeedsTLS: the poller does not send LOGIN over a connection
// without TLS unless the mailbox allows it; over implicit TLS it does.
func TestIMAPLoginNeedsTLS(t *testing.T) {
	dv := mailtest.StartDovecot(t)
	engine := dbtest.Engines[0]
	e := apptest.New(t, engine)
	dv.AddUser(t, "plainuser", "imap-secret")
	host, port, _ := net.SplitHostPort(dv.Addr())
	status, mb := e.Do(t, authz.Admin, "POST", "/api/v1/mailboxes", map[string]any{
		"address": "support@example.com", "name": "Support",
		"imap": map[string]any{"host": host, "port": atoi(port), "security": "none", "username": "plainuser", "password": "imap-secret"},
	})
	if status != 201 {
		t.Fatalf("create: %d %v", status, mb["_raw"])
	}
	id := num(mb["id"])
	ctx := context.Background()
	err := e.Sys.Email.CheckIMAP(ctx, authz.System, id)
	if err == nil || !strings.Contains(err.Error(), "unencrypted") {
		t.Fatalf("check without TLS: %v, want a refusal naming the unencrypted connection", err)
	}
	if st, got := e.Do(t, authz.Admin, "PATCH", fmt.Sprintf("/api/v1/mailboxes/%d", id), map[string]any{"allow_insecure_auth": true}); st != 200 {
		t.Fatalf("allow: %d %v", st, got["_raw"])
	}
	if err := e.Sys.Email.CheckIMAP(ctx, authz.System, id); err != nil {
		t.Fatalf("check with the admin's consent: %v", err)
	}
}
