package journey_test

import (
	"bytes"
	"context"
	"net"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/jhillyerd/enmime/v2"

	"github.com/ombud/ombud/internal/mailtest"
)

// TestBrowserPasswordReset is the journey of a forgotten password in
// Chromium against the real program: "Forgot your password?" on the
// sign-in page, the address, the mail the outbound relay delivers, its
// link, a new password, and signing in with it.
func TestBrowserPasswordReset(t *testing.T) {
	env := map[string]string{"OMBUD_DATA": t.TempDir(), "OMBUD_LOG_LEVEL": "warn"}
	if code, _, er := run(t, env, "user", "create", "--email", "siri@ombud.test", "--name", "Siri Dahl", "--role", "agent", "--password", "forgotten-pass-1"); code != 0 {
		t.Fatal(er)
	}
	if code, _, er := run(t, env, "user", "create", "--email", "root@ombud.test", "--name", "Root", "--role", "admin", "--password", "admin-pass-12"); code != 0 {
		t.Fatal(er)
	}
	_, tok, _ := run(t, env, "token", "create", "--email", "root@ombud.test")
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

	ctx := browserFor(t, 90*time.Second)
	step := func(what string, acts ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		sctx, cancel := context.WithTimeout(ctx, 20*time.Second)
		defer cancel()
		if err := chromedp.Do(sctx, acts...); err != nil {
			loc, _ := chromedp.Run(ctx, chromedp.Location())
			body, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("body")))
			t.Fatalf("browser: %s: %v (at %s: %.500s)", what, err, loc, body)
		}
	}
	text := func(sel string) string {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
		if err != nil {
			t.Fatalf("browser: text of %s: %v", sel, err)
		}
		return v
	}

	step("open sign-in", chromedp.Navigate(s.url+"/login"), chromedp.WaitVisible(chromedp.ID("email")))
	step("forgot", chromedp.Click(chromedp.CSS(`main a[href="/password/forgot"]`)), chromedp.WaitVisible(chromedp.ID("f-email")))
	step("ask for a link",
		chromedp.SendKeys(chromedp.ID("f-email"), "siri@ombud.test"),
		chromedp.Submit(chromedp.ID("f-email")),
		chromedp.WaitVisible(chromedp.CSS("p.flash")))
	if f := text("p.flash"); !strings.Contains(f, "If the address belongs to an Ombud account") {
		t.Fatalf("after asking: %q", f)
	}

	// The mail, as the relay received it.
	got := capture.Wait(t, 1, 30*time.Second)
	m, err := enmime.ReadEnvelope(bytes.NewReader(got[0].Data))
	if err != nil {
		t.Fatal(err)
	}
	link := regexp.MustCompile(`http://\S+/password/reset\?token=[A-Za-z0-9_-]+`).FindString(m.Text)
	if link == "" || !strings.HasPrefix(link, s.url+"/") || !strings.Contains(m.GetHeader("To"), "siri@ombud.test") {
		t.Fatalf("mail to %q without a link to %s:\n%s", m.GetHeader("To"), s.url, m.Text)
	}

	step("open the link", chromedp.Navigate(link), chromedp.WaitVisible(chromedp.ID("f-new_password")))
	step("choose a new password",
		chromedp.SendKeys(chromedp.ID("f-new_password"), "remembered-pass-2"),
		chromedp.SendKeys(chromedp.ID("f-confirm_password"), "remembered-pass-2"),
		chromedp.Submit(chromedp.ID("f-new_password")),
		chromedp.WaitVisible(chromedp.CSS("p.flash")))
	if f := text("p.flash"); !strings.Contains(f, "Sign in with the new one") {
		t.Fatalf("after the reset: %q", f)
	}
	step("sign in with it",
		chromedp.SendKeys(chromedp.ID("email"), "siri@ombud.test"),
		chromedp.SendKeys(chromedp.ID("password"), "remembered-pass-2"),
		chromedp.Submit(chromedp.ID("password")),
		chromedp.WaitVisible(chromedp.CSS("header.top .me")))
	if me := text("header.top .user-menu > summary"); me != "Siri Dahl" {
		t.Errorf("signed in as %q", me)
	}
	step("the link is used up", chromedp.Navigate(link), chromedp.WaitVisible(chromedp.CSS("p.error")))
	if e := text("p.error"); !strings.Contains(e, "invalid, used or expired") {
		t.Errorf("the link a second time: %q", e)
	}
	// The reset job is done; nothing is left to retry.
	if code, js := api(t, "GET", s.url+"/api/v1/jobs?state=dead", tok, nil); code != 200 || len(js["data"].([]any)) != 0 {
		t.Errorf("dead jobs: %d %v", code, js)
	}
}
