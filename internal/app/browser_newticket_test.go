package app_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/ombud/ombud/internal/dbtest"
)

// TestBrowserNewTicket is the journey of logging a phone call as a new
// ticket, on both engines: an agent presses c, fills in a caller known only
// by phone, writes the call log as an internal note, sets priority and
// assignee and submits; the ticket page shows the note on the phone channel.
func TestBrowserNewTicket(t *testing.T) {
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) {
			env := map[string]string{"OMBUD_DATA": t.TempDir(), "OMBUD_LOG_LEVEL": "warn"}
			if engine == "postgres" {
				env["OMBUD_DATABASE_URL"] = dbtest.NewPostgresDatabase(t)
			}
			if code, _, er := run(t, env, "user", "create", "--email", "ida@ombud.test", "--name", "Ida Vik", "--role", "agent", "--password", "browser-pass-4"); code != 0 {
				t.Fatal(er)
			}
			s := serve(t, env)
			ctx := browser(t)
			step := func(what string, acts ...chromedp.Action[chromedp.Void]) {
				t.Helper()
				actx, cancel := context.WithTimeout(ctx, 15*time.Second)
				defer cancel()
				if err := chromedp.Do(actx, acts...); err != nil {
					loc, _ := chromedp.Run(ctx, chromedp.Location())
					body, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("body")))
					t.Fatalf("browser: %s: %v (at %s: %.500s)", what, err, loc, body)
				}
			}
			step("sign in", chromedp.Navigate(s.url+"/tickets"), chromedp.WaitVisible(chromedp.ID("email")),
				chromedp.SendKeys(chromedp.ID("email"), "ida@ombud.test"),
				chromedp.SendKeys(chromedp.ID("password"), "browser-pass-4"),
				chromedp.Submit(chromedp.ID("password")),
				chromedp.WaitVisible(chromedp.CSS("a.new-ticket-link")))
			step("press c", chromedp.KeyEvent("c"), chromedp.WaitVisible(chromedp.ID("new-ticket")))
			step("fill in the call",
				chromedp.SendKeys(chromedp.ID("f-subject"), "Ringte om faktura 4411"),
				chromedp.Click(chromedp.CSS(`input[name="kind"][value="note"]`)),
				chromedp.SendKeys(chromedp.ID("f-description"), "Kunden ringte kl. 10:05 og ba om kopi av faktura 4411."),
				chromedp.SendKeys(chromedp.CSS(`[id="f-requester.phone"]`), "+47 22 33 44 55"),
				chromedp.SendKeys(chromedp.CSS(`[id="f-requester.name"]`), "Kari Telefon"),
				chromedp.SetValue(chromedp.ID("f-channel"), "phone"),
				chromedp.SetValue(chromedp.ID("f-priority"), "high"),
				chromedp.SendKeys(chromedp.ID("f-tags"), "faktura"),
				chromedp.Submit(chromedp.ID("f-subject")),
				chromedp.WaitVisible(chromedp.ID("body")))
			thread, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("section.thread")))
			if err != nil {
				t.Fatal(err)
			}
			title, err := chromedp.Run(ctx, chromedp.Title())
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(title, "Ringte om faktura 4411") || !strings.Contains(thread, "kopi av faktura 4411") || !strings.Contains(thread, "Ida Vik") {
				t.Fatalf("ticket page: title %q thread %q", title, thread)
			}
		})
	}
}

// browser starts a headless Debian Chromium for one test.
func browser(t *testing.T) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromiumPath(t)), chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.Flag("disable-quic", true), chromedp.WindowSize(1280, 900))
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancel)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(cancel)
	ctx, cancel = context.WithTimeout(ctx, 60*time.Second)
	t.Cleanup(cancel)
	// The first action starts the browser on this context, so that later
	// steps may use shorter-lived contexts of their own.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("browser: start: %v", err)
	}
	return ctx
}
