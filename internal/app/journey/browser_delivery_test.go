package journey_test

import (
	"bytes"
	"fmt"
	"net"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/jhillyerd/enmime/v2"

	"github.com/ombud/ombud/internal/dbtest"
	"github.com/ombud/ombud/internal/mailtest"
)

// TestBrowserDeliveryFailed is the journey of a failed reply shown on the
// message and resent after the relay comes back, on both engines. The
// relay refuses everything; the agent answers a customer by email and the
// message says, in words, that it was not delivered and why, with the
// relay's own reply behind "What the mail server said"; the ticket list
// marks the ticket and finds it with delivery:failed. The relay comes back,
// the agent presses Retry and the message says Sent: the relay got the same
// Message-ID. Then a colleague's reply on the agent's ticket is refused
// while the agent looks at the list: a live notice tells the agent, a
// notice email too; Edit and resend puts the text in the composer, the
// edited reply goes out and the old one says it was replaced.
func TestBrowserDeliveryFailed(t *testing.T) {
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) {
			env := map[string]string{"OMBUD_DATA": dbtest.MigratedSQLiteDir(t), "OMBUD_LOG_LEVEL": "warn"}
			if engine == "postgres" {
				env["OMBUD_DATABASE_URL"] = dbtest.NewMigratedPostgresDatabase(t)
			}
			for _, u := range [][]string{{"lead@ombud.test", "Lea Lead", "admin"}, {"ingrid@ombud.test", "Ingrid Haugen", "agent"}} {
				if code, _, er := run(t, env, "user", "create", "--email", u[0], "--name", u[1], "--role", u[2], "--password", "browser-pass-8"); code != 0 {
					t.Fatal(er)
				}
			}
			_, tok, _ := run(t, env, "token", "create", "--email", "lead@ombud.test")
			tok = strings.TrimSpace(tok)
			s := serve(t, env)
			capture := mailtest.StartCapture(t)
			host, port, _ := net.SplitHostPort(capture.Addr())
			p, _ := strconv.Atoi(port)
			if code, mb := api(t, "POST", s.url+"/api/v1/mailboxes", tok, map[string]any{
				"address": "support@example.com", "name": "Support", "smtp": map[string]any{"host": host, "port": p, "security": "none"},
			}); code != 201 {
				t.Fatalf("mailbox: %d %v", code, mb)
			}
			_, agents := api(t, "GET", s.url+"/api/v1/agents?limit=100", tok, nil)
			var ingrid int64
			for _, a := range agents["data"].([]any) {
				if m := a.(map[string]any); m["email"] == "ingrid@ombud.test" {
					ingrid = int64(m["id"].(float64))
				}
			}
			code, tk := api(t, "POST", s.url+"/api/v1/tickets", tok, map[string]any{
				"subject": "Stolen kom i stykker", "description": "Et bein var knekt.", "channel": "email",
				"requester": map[string]string{"email": "kari@kunde.example", "name": "Kari Kunde"}, "assignee_id": ingrid,
			})
			if code != 201 {
				t.Fatalf("ticket: %d %v", code, tk)
			}
			id := int64(tk["id"].(float64))
			page := fmt.Sprintf("%s/tickets/%d", s.url, id)
			deliveries := func() []map[string]any {
				_, body := api(t, "GET", fmt.Sprintf("%s/api/v1/tickets/%d/deliveries", s.url, id), tok, nil)
				var out []map[string]any
				for _, x := range body["data"].([]any) {
					out = append(out, x.(map[string]any))
				}
				return out
			}

			ctx := browser(t)
			step := stepper(t, ctx)
			text := func(sel string) string {
				t.Helper()
				v, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
				if err != nil {
					t.Fatalf("browser: text of %s: %v", sel, err)
				}
				return v
			}

			shot := func(name string) { t.Helper(); screenshot(t, ctx, engine, name) }

			capture.FailNext(1000, 554, "5.7.1 Relay access denied")
			step("sign in", signIn(page, "ingrid@ombud.test", "browser-pass-8"),
				chromedp.WaitVisible(chromedp.ID("body")))
			step("answer by email while the relay refuses everything",
				chromedp.SetValue(chromedp.ID("body"), "Hei Kari, en ny stol er på vei."),
				chromedp.Click(chromedp.CSS(`form.composer .actions button.primary`)),
				chromedp.WaitVisible(chromedp.CSS(".comment .delivery-failed")))
			if got := text(".comment .delivery-failed"); !strings.Contains(got, "Not delivered") || !strings.Contains(got, "The mail server refused the message.") ||
				!strings.Contains(got, "kari@kunde.example") {
				t.Fatalf("the message says %q", got)
			}
			// "What the mail server said": a live update may re-render the
			// comment between finding the summary and clicking it (the node
			// is gone) or close the details as they open, so open them and
			// read the element's text content until the reply is there or
			// 10 s pass.
			got := ""
			for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
				opened := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(".delivery-failed details.delivery-detail summary")))
				if v, err := chromedp.Run(ctx, chromedp.TextContent(chromedp.CSS(".delivery-failed details.delivery-detail pre"))); err == nil && opened == nil {
					got = v
				}
				if strings.Contains(got, "Relay access denied") {
					break
				}
			}
			if !strings.Contains(got, "Relay access denied") {
				t.Fatalf("the server's reply: %q", got)
			}
			shot("delivery-failed.png")
			ds := deliveries()
			if len(ds) != 1 || ds[0]["state"] != "failed" {
				t.Fatalf("deliveries: %v", ds)
			}
			first, msgID := int64(ds[0]["comment_id"].(float64)), ds[0]["message_id"].(string)

			step("the list marks the ticket and finds it",
				chromedp.Navigate(s.url+"/tickets?view=all"), chromedp.WaitVisible(chromedp.CSS("p.undelivered-note a")),
				chromedp.Click(chromedp.CSS("p.undelivered-note a")),
				chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf(`tr[data-href="/tickets/%d"] .undelivered-mark`, id))))
			shot("delivery-list.png")

			capture.FailNext(0, 0, "") // the relay is back
			step("retry on the message",
				chromedp.Navigate(page), chromedp.WaitVisible(chromedp.CSS(".delivery-failed .delivery-actions")),
				chromedp.Click(chromedp.CSS(".delivery-failed .delivery-actions button.primary")),
				chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf("#c%d .delivery-sent", first))))
			var resent []byte
			for _, m := range capture.Messages() {
				if slices.Contains(m.To, "kari@kunde.example") {
					resent = m.Data
				}
			}
			mail, err := enmime.ReadEnvelope(bytes.NewReader(resent))
			if err != nil || mail.GetHeader("Message-ID") != "<"+msgID+">" || !strings.Contains(mail.Text, "en ny stol er på vei") {
				t.Fatalf("the relay got %v (%v), want Message-ID <%s>", mail, err, msgID)
			}

			step("the list, with the live stream open",
				chromedp.Navigate(s.url+"/tickets?view=all"), chromedp.WaitVisible(chromedp.CSS("table.tickets")), chromedp.Sleep(time.Second))
			capture.FailNext(1, 550, "5.1.1 <kari@kunde.example>: Recipient address rejected")
			if code, c := api(t, "POST", fmt.Sprintf("%s/api/v1/tickets/%d/comments", s.url, id), tok, map[string]any{"body": "Sporingsnummer: 4411."}); code != 201 {
				t.Fatalf("colleague's reply: %d %v", code, c)
			}
			step("a live notice tells the assignee", chromedp.WaitVisible(chromedp.CSS("#live-notice a")))
			if got := text("#live-notice"); !strings.Contains(got, fmt.Sprintf("A reply on ticket #%d was not delivered.", id)) {
				t.Fatalf("live notice %q", got)
			}
			// Other mail shares the relay (the default triggers' notices), so
			// look for the notice itself rather than count messages.
			var told bool
			var seen int
			for deadline := time.Now().Add(15 * time.Second); !told && time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
				msgs := capture.Messages()
				seen = len(msgs)
				for _, m := range msgs {
					told = told || (slices.Contains(m.To, "ingrid@ombud.test") && bytes.Contains(m.Data, fmt.Appendf(nil, "[#%d] A reply was not delivered", id)))
				}
			}
			if !told {
				t.Fatalf("no notice email to the assignee among %d messages", seen)
			}
			step("edit and resend",
				chromedp.Click(chromedp.CSS("#live-notice a")),
				chromedp.WaitVisible(chromedp.CSS(".delivery-failed .delivery-actions")),
				chromedp.Click(chromedp.CSS(".delivery-failed .delivery-actions button:not(.primary)")),
				chromedp.WaitVisible(chromedp.CSS("p.resend-note")))
			draft, err := chromedp.Run(ctx, chromedp.Value(chromedp.ID("body")))
			if err != nil || draft != "Sporingsnummer: 4411." {
				t.Fatalf("composer holds %q (%v)", draft, err)
			}
			step("send the edited reply",
				chromedp.SetValue(chromedp.ID("body"), "Sporingsnummer: 4411 (til riktig adresse)."),
				chromedp.Click(chromedp.CSS(`form.composer .actions button.primary`)),
				chromedp.WaitVisible(chromedp.CSS(".delivery-superseded")))
			if got := text(".delivery-superseded"); !strings.Contains(got, "replaced by a new reply") {
				t.Fatalf("the old reply says %q", got)
			}
			waitUntil := time.Now().Add(15 * time.Second)
			for {
				ds = deliveries()
				if len(ds) == 3 && ds[1]["state"] == "superseded" && ds[2]["state"] == "sent" {
					break
				}
				if time.Now().After(waitUntil) {
					t.Fatalf("deliveries after the resend: %v", ds)
				}
				time.Sleep(50 * time.Millisecond)
			}
		})
	}
}
