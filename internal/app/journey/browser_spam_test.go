package journey_test

import (
	"fmt"
	"net/smtp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/ombud/ombud/internal/dbtest"
)

// TestBrowserSpam is a week-one chore on both engines: spam arrives by
// mail (real SMTP into Ombud's listener); the agent marks the ticket as
// spam from the ticket page, which deletes it and blocks the sender; the
// sender's next mail opens no ticket but is kept in the mail log; the
// admin unblocks the sender on the Blocked senders page and processes the
// kept message, which then opens its ticket.
func TestBrowserSpam(t *testing.T) {
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) {
			smtpAddr := freeAddr(t)
			env := map[string]string{"OMBUD_DATA": dbtest.MigratedSQLiteDir(t), "OMBUD_LOG_LEVEL": "warn", "OMBUD_SMTP_ADDR": smtpAddr}
			if engine == "postgres" {
				env["OMBUD_DATABASE_URL"] = dbtest.NewMigratedPostgresDatabase(t)
			}
			for _, u := range [][3]string{{"ada@ombud.test", "admin", "Ada Admin"}, {"siri@ombud.test", "agent", "Siri Agent"}} {
				if code, _, er := run(t, env, "user", "create", "--email", u[0], "--name", u[2], "--role", u[1], "--password", "browser-pass-9"); code != 0 {
					t.Fatal(er)
				}
			}
			_, tok, _ := run(t, env, "token", "create", "--email", "ada@ombud.test")
			tok = strings.TrimSpace(tok)
			s := serve(t, env)
			if code, out := api(t, "POST", s.url+"/api/v1/mailboxes", tok, map[string]any{"address": "support@example.com", "name": "Support"}); code != 201 {
				t.Fatalf("mailbox: %d %v", code, out)
			}
			send := func(n int) {
				t.Helper()
				msg := fmt.Sprintf("From: Watch Deals <deals@spam.example>\r\nTo: support@example.com\r\nSubject: Cheap watches %d\r\nMessage-ID: <deal-%d@spam.example>\r\nDate: Fri, 04 Dec 2026 10:00:00 +0000\r\n\r\nBuy %d watches now.\r\n", n, n, n)
				if err := smtp.SendMail(smtpAddr, nil, "deals@spam.example", []string{"support@example.com"}, []byte(msg)); err != nil {
					t.Fatalf("smtp: %v", err)
				}
			}
			ticketOf := func(subject string) int64 {
				t.Helper()
				deadline := time.Now().Add(20 * time.Second)
				for time.Now().Before(deadline) {
					_, out := api(t, "GET", s.url+"/api/v1/tickets?limit=50", tok, nil)
					if rows, ok := out["data"].([]any); ok {
						for _, r := range rows {
							if m := r.(map[string]any); m["subject"] == subject {
								return int64(m["id"].(float64))
							}
						}
					}
					time.Sleep(200 * time.Millisecond)
				}
				return 0
			}
			send(1)
			first := ticketOf("Cheap watches 1")
			if first == 0 {
				t.Fatal("the first mail opened no ticket")
			}

			ctx := browser(t)
			step := stepper(t, ctx)
			signOut := chromedp.Steps(chromedp.Click(chromedp.CSS("details.user-menu > summary")), chromedp.Click(chromedp.CSS(`form[action="/logout"] button`)), chromedp.WaitVisible(chromedp.ID("email")))
			eval := func(js string) string {
				t.Helper()
				v, err := chromedp.Run(ctx, chromedp.Evaluate[string](js))
				if err != nil {
					t.Fatalf("eval %s: %v", js, err)
				}
				return v
			}
			step("the agent opens the ticket", signIn(fmt.Sprintf("%s/tickets/%d", s.url, first), "siri@ombud.test", "browser-pass-9"),
				chromedp.WaitVisible(chromedp.CSS("a.spam-link")))
			if eval(`document.querySelector("a.delete-link") ? "yes" : "no"`) != "no" {
				t.Fatal("an agent is offered to delete the ticket")
			}
			step("and marks it as spam", chromedp.Click(chromedp.CSS("a.spam-link")), chromedp.WaitVisible(chromedp.ID("delete-form")))
			if got := eval(`document.querySelector("ul.blocked-addresses").textContent`); !strings.Contains(got, "deals@spam.example") {
				t.Fatalf("the confirmation names %q", got)
			}
			step("confirms", chromedp.Submit(chromedp.ID("delete-form")), loadedWhere(`location.pathname === "/tickets"`))
			if got := eval(`document.querySelector("p.flash").textContent`); !strings.Contains(got, fmt.Sprintf("#%d", first)) || !strings.Contains(got, "deals@spam.example") {
				t.Fatalf("notice %q", got)
			}
			if code, _ := api(t, "GET", fmt.Sprintf("%s/api/v1/tickets/%d", s.url, first), tok, nil); code != 404 {
				t.Fatalf("the spam ticket answers %d", code)
			}

			send(2)
			// The message is kept without a ticket: wait for it in the log.
			var kept int64
			waitFor(t, "the blocked message in the log", func() bool {
				_, out := api(t, "GET", s.url+"/api/v1/inbound-messages?state=ignored", tok, nil)
				rows, _ := out["data"].([]any)
				for _, r := range rows {
					if m := r.(map[string]any); m["subject"] == "Cheap watches 2" && m["outcome"] == "blocked_sender" {
						kept = int64(m["id"].(float64))
						return true
					}
				}
				return false
			})
			if ticketOf("Cheap watches 2") != 0 {
				t.Fatal("mail from a blocked sender opened a ticket")
			}

			step("the admin signs in to the mail log", signOut, signIn(s.url+"/admin/mail?state=ignored", "ada@ombud.test", "browser-pass-9"),
				chromedp.WaitVisible(chromedp.ID(fmt.Sprintf("m%d", kept))))
			if got := eval(fmt.Sprintf(`document.getElementById("m%d").textContent`, kept)); !strings.Contains(got, "blocked sender") {
				t.Fatalf("log row %q", got)
			}
			step("opens Blocked senders", chromedp.Navigate(s.url+"/admin/blocked-senders"), chromedp.WaitVisible(chromedp.ID("blocked")))
			if got := eval(`document.getElementById("blocked").textContent`); !strings.Contains(got, "deals@spam.example") || !strings.Contains(got, "Siri Agent") {
				t.Fatalf("blocked senders %q", got)
			}
			step("unblocks the sender", chromedp.Click(chromedp.CSS(`#blocked form button`)), loadedWhere(`location.search.includes("removed=")`))
			if eval(`document.getElementById("blocked") ? "listed" : "empty"`) != "empty" {
				t.Fatal("the sender is still listed")
			}
			step("and processes the kept message", chromedp.Navigate(s.url+"/admin/mail?state=ignored"),
				chromedp.WaitVisible(chromedp.ID(fmt.Sprintf("m%d", kept))),
				chromedp.Submit(chromedp.CSS(fmt.Sprintf(`#m%d form`, kept))), loadedWhere(`location.search.includes("done=")`))
			if ticketOf("Cheap watches 2") == 0 {
				t.Fatal("the processed message opened no ticket")
			}
			screenshot(t, ctx, engine, "blocked-senders.png")
		})
	}
}
