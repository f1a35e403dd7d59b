package email_test

import (
	"context"
	"fmt"
	"net"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/channel/email"
	"github.com/ombud/ombud/internal/dbtest"
	"github.com/ombud/ombud/internal/mailtest"
)

// TestIMAPSource has a real Dovecot hold the support mailbox: messages
// placed in it become tickets, each once, and are marked seen only after
// they are committed; a message arriving while the poller idles follows.
func TestIMAPSource(t *testing.T) {
	dv := mailtest.StartDovecot(t)
	for i, engine := range dbtest.Engines {
		t.Run(engine.String(), func(t *testing.T) {
			e := startMail(t, engine)
			user := fmt.Sprintf("support%d", i)
			dv.AddUser(t, user, "secret")
			host, port, _ := net.SplitHostPort(dv.Addr())
			status, body := e.Do(t, authz.Admin, "PATCH", fmt.Sprintf("/api/v1/mailboxes/%d", e.mailboxID), map[string]any{
				"imap": map[string]any{"host": host, "port": atoi(port), "security": "none", "username": user, "password": "secret", "interval_seconds": 10},
				// The test Dovecot has no TLS on this port: the admin's explicit choice.
				"allow_insecure_auth": true,
			})
			if status != 200 {
				t.Fatalf("set imap: %d %v", status, body["_raw"])
			}
			if imap := body["imap"].(map[string]any); imap["has_password"] != true || imap["password"] != nil {
				t.Fatalf("imap settings: %v", imap)
			}
			msg := func(n int) []byte {
				return []byte(fmt.Sprintf("From: Kunde %d <kunde%d@example.se>\r\nTo: support@example.com\r\nSubject: Fråga %d\r\nMessage-ID: <imap-%d-%d@example.se>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nHej, fråga nummer %d.\r\n", n, n, n, i, n, n))
			}
			dv.Append(t, user, "secret", "INBOX", msg(1))
			dv.Append(t, user, "secret", "INBOX", msg(2))
			dv.Append(t, user, "secret", "INBOX", msg(1)) // the same message twice in the folder

			ctx, cancel := context.WithCancel(context.Background())
			var wg sync.WaitGroup
			wg.Add(1)
			go func() { defer wg.Done(); _ = email.NewIMAPSources(e.Sys.Email, 50*time.Millisecond).Run(ctx) }()
			defer func() { cancel(); wg.Wait() }()

			seen := func(n int) bool {
				ms := dv.Messages(t, user, "secret", "INBOX")
				c := 0
				for _, m := range ms {
					if slices.Contains(m.Flags, `\Seen`) {
						c++
					}
				}
				return len(ms) == n && c == n
			}
			waitFor(t, "the first messages to be imported and marked seen", 20*time.Second, func() bool { return seen(3) })
			log := e.inbound(t, "")
			if len(log) != 2 {
				t.Fatalf("want 2 imported messages (one duplicate dropped), got %d: %v", len(log), log)
			}
			for _, m := range log {
				if m["source"] != "imap" || m["outcome"] != email.OutcomeNewTicket {
					t.Fatalf("imported: %v", m)
				}
			}
			dv.Append(t, user, "secret", "INBOX", msg(3))
			waitFor(t, "a message arriving later", 20*time.Second, func() bool { return len(e.inbound(t, "")) == 3 })
			waitFor(t, "the later message to be marked seen", 10*time.Second, func() bool { return seen(4) })
		})
	}
}
