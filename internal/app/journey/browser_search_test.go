package journey_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/ombud/ombud/internal/dbtest"
)

// TestBrowserSearch is the journey of finding tickets through the header's
// search box, on both engines: by ticket number (a suggestion, chosen with
// the arrow keys), by the requester's name (the box submitted, her ticket
// first) and by her phone number written the national way (a suggestion,
// chosen with the mouse); Escape closes the suggestions and keeps the box.
func TestBrowserSearch(t *testing.T) {
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) {
			env := map[string]string{"OMBUD_DATA": dbtest.MigratedSQLiteDir(t), "OMBUD_LOG_LEVEL": "warn"}
			if engine == "postgres" {
				env["OMBUD_DATABASE_URL"] = dbtest.NewMigratedPostgresDatabase(t)
			}
			if code, _, er := run(t, env, "user", "create", "--email", "siv@ombud.test", "--name", "Siv Dahl", "--role", "agent", "--password", "browser-pass-5"); code != 0 {
				t.Fatal(er)
			}
			_, token, _ := run(t, env, "token", "create", "--email", "siv@ombud.test")
			token = strings.TrimSpace(token)
			s := serve(t, env)
			st, kari := api(t, "POST", s.url+"/api/v1/customers", token, map[string]any{
				"name": "Kari Bakken", "emails": []string{"kari@fjordkraft.no"}, "phones": []string{"+47 912 34 567"}})
			if st != http.StatusCreated {
				t.Fatalf("customer: %d %v", st, kari)
			}
			ticket := func(subject, body string, requester any) int64 {
				t.Helper()
				in := map[string]any{"subject": subject, "description": body, "requester": requester}
				if id, ok := requester.(float64); ok {
					in = map[string]any{"subject": subject, "description": body, "requester_id": id}
				}
				st, tk := api(t, "POST", s.url+"/api/v1/tickets", token, in)
				if st != http.StatusCreated {
					t.Fatalf("ticket %q: %d %v", subject, st, tk)
				}
				return int64(tk["id"].(float64))
			}
			strom := ticket("Strømregningen er for høy", "Jeg har fått en regning på 4 000 kroner.", kari["id"])
			other := ticket("Spørsmål om Bakken borettslag", "Gjelder det Bakken?", map[string]any{"email": "per@example.no", "name": "Per Lund"})
			for i := range 3 {
				ticket(fmt.Sprintf("Sak %d", i), "Fyll", map[string]any{"email": "fyll@example.no"})
			}

			ctx := browser(t)
			step := stepper(t, ctx)
			text := func(sel string) string {
				t.Helper()
				v, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
				if err != nil {
					t.Fatalf("text of %s: %v", sel, err)
				}
				return v
			}
			option := `#search-suggest li[role="option"]`
			step("sign in", signIn(s.url+"/tickets", "siv@ombud.test", "browser-pass-5"),
				chromedp.WaitVisible(chromedp.ID("q")))

			// By number: the ticket is the first suggestion; down and Enter open it.
			step("type the number", chromedp.SendKeys(chromedp.ID("q"), fmt.Sprint(strom)),
				chromedp.WaitVisible(chromedp.CSS(option)))
			if got := text(option); !strings.Contains(got, fmt.Sprintf("#%d Strømregningen er for høy", strom)) {
				t.Fatalf("first suggestion %q", got)
			}
			step("choose it with the keyboard", chromedp.KeyEvent(kb.ArrowDown))
			if got, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById("q").getAttribute("aria-activedescendant") + " " + document.getElementById("q").getAttribute("aria-expanded")`)); err != nil || got != "search-suggest-0 true" {
				t.Fatalf("combobox state %q %v", got, err)
			}
			step("open it", chromedp.KeyEvent(kb.Enter), chromedp.WaitVisible(chromedp.ID("body")))
			if title, _ := chromedp.Run(ctx, chromedp.Title()); !strings.Contains(title, "Strømregningen er for høy") {
				t.Fatalf("ticket page title %q", title)
			}

			// By name: the box submitted without a choice searches; her
			// ticket comes before the one that only mentions her surname.
			step("type the name", chromedp.SendKeys(chromedp.ID("q"), "Kari Bakken"), chromedp.WaitVisible(chromedp.CSS(option)))
			if got := text("#search-suggest"); !strings.Contains(got, "Kari Bakken") || !strings.Contains(got, "kari@fjordkraft.no") {
				t.Fatalf("suggestions for the name: %q", got)
			}
			step("search", chromedp.KeyEvent(kb.Enter), chromedp.WaitVisible(chromedp.CSS("table.tickets")))
			rows := text("table.tickets tbody")
			if i, j := strings.Index(rows, "Strømregningen er for høy"), strings.Index(rows, "Spørsmål om Bakken borettslag"); i < 0 || j >= 0 && j < i {
				t.Fatalf("results for the name (ticket %d before %d):\n%s", strom, other, rows)
			}
			if strings.Contains(rows, "Sak 0") {
				t.Fatalf("unrelated tickets in the results:\n%s", rows)
			}

			// Escape closes the suggestions and leaves the box to type on.
			step("clear and type a phone", chromedp.Evaluate[chromedp.Void](`document.getElementById("q").value = ""`), chromedp.Focus(chromedp.ID("q")),
				chromedp.SendKeys(chromedp.ID("q"), "912 34 567"), chromedp.WaitVisible(chromedp.CSS(option)))
			step("escape", chromedp.KeyEvent(kb.Escape), chromedp.WaitNotVisible(chromedp.ID("search-suggest")))
			if focused, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.activeElement.id`)); focused != "q" {
				t.Fatalf("focus went to %q", focused)
			}

			// By phone, national format: the suggestions show her ticket
			// and her; a click on the ticket opens it.
			step("type more", chromedp.SendKeys(chromedp.ID("q"), " "), chromedp.WaitVisible(chromedp.CSS(option)))
			if got := text("#search-suggest"); !strings.Contains(got, "Strømregningen er for høy") || !strings.Contains(got, "Kari Bakken") {
				t.Fatalf("suggestions for the phone: %q", got)
			}
			screenshot(t, ctx, engine, "search-suggestions.png")
			step("click the ticket", chromedp.Click(chromedp.CSS(option)), chromedp.WaitVisible(chromedp.ID("body")))
			if loc, _ := chromedp.Run(ctx, chromedp.Location()); !strings.HasSuffix(loc, fmt.Sprintf("/tickets/%d", strom)) {
				t.Fatalf("at %s", loc)
			}
		})
	}
}
