package journey_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/ombud/ombud/internal/dbtest"
)

// TestBrowserKnowledge is the knowledge journey, on both engines: an agent
// writes an article and sends it for review; the lead publishes it and
// adds the Norwegian translation; on a Norwegian ticket the agent finds it
// in the suggestion list and inserts its link into the reply; a visitor
// switches the help center to Norwegian, finds the article by a search with
// a typo ("Mente du: sporing") and rates it; the lead sees the rating and the ticket it was used on.
func TestBrowserKnowledge(t *testing.T) {
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) {
			env := map[string]string{"OMBUD_DATA": dbtest.MigratedSQLiteDir(t), "OMBUD_LOG_LEVEL": "warn"}
			if engine == "postgres" {
				env["OMBUD_DATABASE_URL"] = dbtest.NewMigratedPostgresDatabase(t)
			}
			for _, u := range [][]string{{"lead@ombud.test", "Lea Lead", "admin"}, {"ingrid@ombud.test", "Ingrid Haugen", "agent"}} {
				if code, _, er := run(t, env, "user", "create", "--email", u[0], "--name", u[1], "--role", u[2], "--password", "browser-pass-9"); code != 0 {
					t.Fatal(er)
				}
			}
			_, tok, _ := run(t, env, "token", "create", "--email", "lead@ombud.test")
			tok = strings.TrimSpace(tok)
			s := serve(t, env)
			code, cat := api(t, "POST", s.url+"/api/v1/kb/categories", tok, map[string]any{"names": []map[string]string{{"language": "en", "name": "Orders"}, {"language": "nb", "name": "Bestillinger"}}})
			if code != 201 {
				t.Fatalf("category: %d %v", code, cat)
			}
			code, sec := api(t, "POST", fmt.Sprintf("%s/api/v1/kb/categories/%v/sections", s.url, cat["id"]), tok, map[string]any{"names": []map[string]string{{"language": "en", "name": "Delivery"}, {"language": "nb", "name": "Levering"}}})
			if code != 201 {
				t.Fatalf("section: %d %v", code, sec)
			}
			code, tk := api(t, "POST", s.url+"/api/v1/tickets", tok, map[string]any{
				"subject": "Sporing av pakken virker ikke", "description": "Hvor finner jeg sporing av pakken min?", "channel": "email", "language": "nb",
				"requester": map[string]string{"email": "kari@kunde.example", "name": "Kari Kunde"},
			})
			if code != 201 {
				t.Fatalf("ticket: %d %v", code, tk)
			}
			ticketPage := fmt.Sprintf("%s/tickets/%v", s.url, tk["id"])

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

			step("the agent writes an article", signIn(s.url+"/knowledge/new", "ingrid@ombud.test", "browser-pass-9"),
				chromedp.WaitVisible(chromedp.ID("e-title")),
				chromedp.SetValue(chromedp.ID("e-vis"), "public"),
				chromedp.SendKeys(chromedp.ID("e-title"), "Tracking your parcel"),
				chromedp.SetValue(chromedp.ID("e-body"), "Find the **tracking** link for your parcel in the order confirmation.\n\nParcels arrive within five working days."),
				chromedp.Click(chromedp.ID("kb-save")),
				chromedp.WaitVisible(chromedp.ID("kb-state")))
			article := eval(`location.pathname`)
			if !strings.HasPrefix(article, "/knowledge/articles/") {
				t.Fatalf("after saving: %s", article)
			}
			step("she sends it for review", chromedp.Click(chromedp.CSS(`#kb-actions button[value="review"]`)), chromedp.WaitVisible(chromedp.CSS("#kb-state.kb-review")))
			if got := eval(`document.getElementById("kb-state").textContent`); got != "In review" {
				t.Fatalf("state %q", got)
			}
			step("the lead publishes it", signOut, signIn(s.url+article, "lead@ombud.test", "browser-pass-9"),
				chromedp.WaitVisible(chromedp.CSS(`#kb-actions button[value="published"]`)),
				chromedp.Click(chromedp.CSS(`#kb-actions button[value="published"]`)),
				chromedp.WaitVisible(chromedp.CSS("#kb-state.kb-published")))
			step("and translates it into Norwegian", chromedp.Navigate(s.url+article+"/edit?lang=nb"),
				chromedp.WaitVisible(chromedp.ID("e-title")),
				chromedp.SendKeys(chromedp.ID("e-title"), "Sporing av pakken"),
				chromedp.SetValue(chromedp.ID("e-body"), "Du finner lenken for **sporing** av pakken i ordrebekreftelsen.\n\nPakker kommer fram innen fem virkedager."),
				chromedp.Click(chromedp.ID("kb-save")),
				chromedp.WaitVisible(chromedp.CSS("p.flash")))
			if got := eval(`document.querySelector(".kb-body").textContent`); !strings.Contains(got, "ordrebekreftelsen") {
				t.Fatalf("Norwegian text: %q", got)
			}
			screenshot(t, ctx, engine, "knowledge-article.png")

			step("the agent opens the Norwegian ticket", signOut, signIn(ticketPage, "ingrid@ombud.test", "browser-pass-9"),
				chromedp.WaitVisible(chromedp.ID("kb-suggestions")))
			if got := eval(`document.getElementById("kb-suggestions").textContent`); !strings.Contains(got, "Sporing av pakken") {
				t.Fatalf("suggestions: %q", got)
			}
			screenshot(t, ctx, engine, "knowledge-ticket.png")
			step("and inserts the link into her reply", chromedp.Click(chromedp.CSS(`#kb-suggestions button[value="link"]`)))
			draft := ""
			for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
				if draft = eval(`(document.getElementById("body") || {}).value || ""`); draft != "" {
					break
				}
			}
			if !strings.Contains(draft, "Sporing av pakken: "+s.url+"/help/nb/articles/") {
				t.Fatalf("reply draft: %q", draft)
			}

			step("a visitor opens the help center", signOut, chromedp.Navigate(s.url+"/help/en"), chromedp.WaitVisible(chromedp.ID("help-q")),
				chromedp.Click(chromedp.CSS(`nav.langs a[hreflang="nb"]`)),
				chromedp.WaitVisible(chromedp.CSS(`nav.langs strong[lang="nb"]`)))
			step("searches in Norwegian with a typo", chromedp.SendKeys(chromedp.ID("help-q"), "sporign"), chromedp.Submit(chromedp.ID("help-q")),
				chromedp.WaitVisible(chromedp.CSS("ol.results a")))
			if got := eval(`document.querySelector("p.did-you-mean").textContent`); got != "Mente du: sporing" {
				t.Fatalf("did you mean: %q", got)
			}
			step("and opens the article found for the corrected word", chromedp.Click(chromedp.CSS("ol.results a")),
				chromedp.WaitVisible(chromedp.ID("feedback")))
			if got := eval(`document.documentElement.lang + " | " + document.querySelector("h1").textContent`); got != "nb | Sporing av pakken" {
				t.Fatalf("article: %q", got)
			}
			screenshot(t, ctx, engine, "help-article-nb.png")
			step("and rates it", chromedp.Click(chromedp.CSS(`input[name="helpful"][value="yes"]`)),
				chromedp.SendKeys(chromedp.ID("fb-comment"), "Fant lenken med en gang"),
				chromedp.Submit(chromedp.ID("fb-comment")),
				chromedp.WaitVisible(chromedp.CSS("#feedback p.notice")))
			if got := eval(`document.querySelector("#feedback p.notice").textContent`); got != "Takk for tilbakemeldingen." {
				t.Fatalf("thanks: %q", got)
			}

			step("the lead sees the rating and the use", signIn(s.url+article, "lead@ombud.test", "browser-pass-9"), chromedp.WaitVisible(chromedp.ID("kb-feedback")))
			if got := eval(`document.getElementById("kb-feedback").textContent + " | " + document.getElementById("kb-usage").textContent`); !strings.Contains(got, "Helpful: 1") || !strings.Contains(got, "Sporing av pakken virker ikke") {
				t.Fatalf("article page: %q", got)
			}
		})
	}
}
