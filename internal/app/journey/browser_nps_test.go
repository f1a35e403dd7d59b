package journey_test

import (
	"net"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/jhillyerd/enmime/v2"

	"github.com/ombud/ombud/internal/dbtest"
	"github.com/ombud/ombud/internal/mailtest"
	"github.com/ombud/ombud/internal/web/webtest"
)

// TestBrowserNPS is the journey of an NPS campaign, on both engines: a
// manager adds a topic rule and creates a campaign in the editor; the job
// sends the Norwegian customer a mail with eleven score links, captured at
// the test relay; the customer clicks 9 (one click answers) and gives a
// reason; the manager sees NPS 100 and the verbatim tagged by the rule,
// shares the insights page; signed out, the link opens the page read-only;
// a collaborator reads the insights in the app without the editing forms.
func TestBrowserNPS(t *testing.T) {
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) {
			env := map[string]string{"OMBUD_DATA": dbtest.MigratedSQLiteDir(t), "OMBUD_LOG_LEVEL": "warn"}
			if engine == "postgres" {
				env["OMBUD_DATABASE_URL"] = dbtest.NewMigratedPostgresDatabase(t)
			}
			for _, u := range [][]string{{"admin@ombud.test", "Ada Admin", "admin"}, {"lea@ombud.test", "Lea Lead", "manager"}, {"per@ombud.test", "Per Product", "collaborator"}} {
				if code, _, er := run(t, env, "user", "create", "--email", u[0], "--name", u[1], "--role", u[2], "--password", "browser-pass-9"); code != 0 {
					t.Fatal(er)
				}
			}
			_, tok, _ := run(t, env, "token", "create", "--email", "admin@ombud.test")
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
			if code, tk := api(t, "POST", s.url+"/api/v1/tickets", tok, map[string]any{
				"subject": "Pakken kom aldri", "description": "Hvor er pakken min?", "channel": "email", "language": "nb",
				"requester": map[string]string{"email": "kari@kunde.example", "name": "Kari Kunde"},
			}); code != 201 {
				t.Fatalf("ticket: %d %v", code, tk)
			}

			ctx := browserFor(t, 3*time.Minute)
			step := stepper(t, ctx)
			eval := func(js string) string {
				t.Helper()
				v, err := chromedp.Run(ctx, chromedp.Evaluate[string](js))
				if err != nil {
					t.Fatalf("browser: %s: %v", js, err)
				}
				return v
			}
			signOut := chromedp.Steps(chromedp.Click(chromedp.CSS("details.user-menu > summary")), chromedp.Click(chromedp.CSS(`form[action="/logout"] button`)), chromedp.WaitVisible(chromedp.ID("email")))

			step("the manager adds a topic rule", signIn(s.url+"/feedback/insights", "lea@ombud.test", "browser-pass-9"),
				chromedp.WaitVisible(chromedp.ID("rule-form")),
				chromedp.SendKeys(chromedp.ID("r-topic"), "Delivery"),
				chromedp.SendKeys(chromedp.ID("r-kw-nb"), "levering, frakt"),
				chromedp.SendKeys(chromedp.ID("r-kw-en"), "deliver"),
				chromedp.Submit(chromedp.ID("r-topic")),
				chromedp.WaitVisible(chromedp.CSS("p.flash")))
			step("the manager creates a campaign", chromedp.Navigate(s.url+"/feedback/campaigns/new"),
				chromedp.WaitVisible(chromedp.ID("campaign-form")),
				chromedp.SendKeys(chromedp.ID("c-name"), "Spring NPS"),
				chromedp.SetValue(chromedp.ID("c-repeat"), "90"),
				chromedp.SendKeys(chromedp.ID("c-q-nb"), "Hvor sannsynlig er det at du anbefaler Fjord Sko?"),
				chromedp.Submit(chromedp.ID("c-name")),
				chromedp.WaitVisible(chromedp.ID("campaign-state")))
			screenshot(t, ctx, engine, "nps-campaign.png")

			mail := webtest.WaitMail(t, capture, "the NPS mail", func(env *enmime.Envelope, _ mailtest.Captured) bool {
				return strings.Contains(env.GetHeader("Subject"), "Et raskt spørsmål")
			})
			links := map[string]string{}
			for _, m := range regexp.MustCompile(`http://[^/\s]+/nps/[0-9]+\.([0-9]+)\.[0-9]+\.[A-Za-z0-9_-]+`).FindAllStringSubmatch(mail.Text, -1) {
				links[m[1]] = m[0]
			}
			if len(links) != 11 || !strings.HasPrefix(links["9"], s.url+"/nps/") || !strings.Contains(mail.Text, "Fjord Sko") {
				t.Fatalf("NPS links %v in %s", links, mail.Text)
			}

			step("the customer clicks 9: one click answers", signOut, chromedp.Navigate(links["9"]),
				chromedp.WaitVisible(chromedp.CSS("p.notice")), chromedp.WaitVisible(chromedp.ID("current-score")))
			if got := eval(`document.getElementById("current-score").textContent + " | " + document.documentElement.lang`); !strings.Contains(got, "9") || !strings.HasSuffix(got, "| nb") {
				t.Fatalf("after the click: %q", got)
			}
			// The answer comes back to the same address with the same notice,
			// so wait for the new page itself (the old one is marked).
			step("the customer gives a reason", chromedp.SendKeys(chromedp.ID("reason"), "Leveringen var rask og folkene hyggelige"),
				chromedp.Evaluate[chromedp.Void](`window.__before = true`),
				chromedp.Submit(chromedp.ID("reason")),
				newPage, chromedp.WaitVisible(chromedp.CSS("p.notice")))
			screenshot(t, ctx, engine, "nps-answer.png")

			step("the manager sees the results", signIn(s.url+"/feedback", "lea@ombud.test", "browser-pass-9"), chromedp.WaitVisible(chromedp.ID("nps-score")))
			if got := eval(`document.getElementById("nps-score").textContent + " | " + document.getElementById("verbatims").textContent`); !strings.Contains(got, "NPS 100") ||
				!strings.Contains(got, "Leveringen var rask") || !strings.Contains(got, "delivery") {
				t.Fatalf("results: %q", got)
			}
			screenshot(t, ctx, engine, "nps-results.png")
			step("the manager shares the insights", chromedp.Navigate(s.url+"/feedback/insights"),
				chromedp.WaitVisible(chromedp.ID("share-form")),
				chromedp.SendKeys(chromedp.ID("sh-label"), "Product team"),
				chromedp.Submit(chromedp.ID("sh-label")),
				chromedp.WaitVisible(chromedp.CSS("a.share-link")))
			screenshot(t, ctx, engine, "nps-insights.png")
			share := eval(`document.querySelector("a.share-link").href`)
			if !strings.HasPrefix(share, s.url+"/insights/") {
				t.Fatalf("share link %q", share)
			}

			step("signed out, the link opens read-only", signOut, chromedp.Navigate(share), chromedp.WaitVisible(chromedp.ID("read-only")))
			if got := eval(`document.getElementById("shared-comments").textContent + " | " + document.getElementById("shared-topics").textContent + " | " + document.querySelectorAll("form[method=post]").length`); !strings.Contains(got, "Leveringen var rask") ||
				!strings.Contains(got, "delivery") || !strings.HasSuffix(got, "| 0") || strings.Contains(got, "kari@kunde.example") {
				t.Fatalf("shared page: %q", got)
			}
			screenshot(t, ctx, engine, "nps-shared.png")

			step("a collaborator reads the insights in the app", signIn(s.url+"/feedback/insights", "per@ombud.test", "browser-pass-9"), chromedp.WaitVisible(chromedp.ID("comments")))
			if got := eval(`document.getElementById("comments").textContent + " | " + (document.getElementById("rule-form") === null) + " " + (document.getElementById("share-form") === null)`); !strings.Contains(got, "Leveringen var rask") || !strings.HasSuffix(got, "| true true") {
				t.Fatalf("collaborator's insights: %q", got)
			}
		})
	}
}
