package journey_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/ombud/ombud/internal/dbtest"
)

// TestBrowserRuleBuilder is the journey of building a trigger from
// controls, on both engines: an admin picks "Subject contains refund", adds
// three actions in place (priority high, tag refund, team Billing),
// previews which recent tickets match, saves, and a new ticket about a
// refund comes out of the trigger with the tag, the priority and the team,
// and one run in the trigger's log.
func TestBrowserRuleBuilder(t *testing.T) {
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) {
			env := map[string]string{"OMBUD_DATA": dbtest.MigratedSQLiteDir(t), "OMBUD_LOG_LEVEL": "warn"}
			if engine == "postgres" {
				env["OMBUD_DATABASE_URL"] = dbtest.NewMigratedPostgresDatabase(t)
			}
			if code, _, er := run(t, env, "user", "create", "--email", "rita@ombud.test", "--name", "Rita Regel", "--role", "admin", "--password", "browser-pass-7"); code != 0 {
				t.Fatal(er)
			}
			_, tok, _ := run(t, env, "token", "create", "--email", "rita@ombud.test")
			tok = strings.TrimSpace(tok)
			s := serve(t, env)
			code, team := api(t, "POST", s.url+"/api/v1/teams", tok, map[string]any{"name": "Billing"})
			if code != 201 {
				t.Fatalf("team: %d %v", code, team)
			}
			teamID := int64(team["id"].(float64))
			if code, body := api(t, "POST", s.url+"/api/v1/tickets", tok, map[string]any{"subject": "Refund for an old order", "description": "Please.",
				"requester": map[string]string{"email": "old@example.com"}}); code != 201 {
				t.Fatalf("ticket: %d %v", code, body)
			}

			ctx := browser(t)
			step := stepper(t, ctx)
			css := func(sel string) chromedp.CSS { return chromedp.CSS(sel) }
			// choose sets a select as a person does: the value, then the change event.
			choose := func(sel, v string) {
				t.Helper()
				js := fmt.Sprintf(`(() => { const el = document.querySelector(%q); el.value = %q; el.dispatchEvent(new Event("change", {bubbles: true})); return el.value === %q; })()`, sel, v, v)
				if ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](js)); err != nil || !ok {
					t.Fatalf("choose %s in %s: %v %v", v, sel, ok, err)
				}
			}
			text := func(sel string) string {
				t.Helper()
				v, err := chromedp.Run(ctx, chromedp.Text(css(sel)))
				if err != nil {
					t.Fatalf("text of %s: %v", sel, err)
				}
				return v
			}
			step("sign in", signIn(s.url+"/admin/triggers/new", "rita@ombud.test", "browser-pass-7"), chromedp.WaitVisible(css(`[id="f-all-0-field"]`)))
			step("name", chromedp.SendKeys(css(`[id="f-name"]`), "Refunds to Billing"))
			choose(`[id="f-all-0-field"]`, "subject")
			choose(`[id="f-all-0-op"]`, "contains")
			step("subject contains refund", chromedp.WaitVisible(css(`input[id="f-all-0-value"][type="text"]`)),
				chromedp.SendKeys(css(`[id="f-all-0-value"]`), "refund"))
			choose(`[id="f-act-0-type"]`, "set_priority")
			step("set priority", chromedp.WaitVisible(css(`[id="f-act-0-priority"]`)))
			choose(`[id="f-act-0-priority"]`, "high")
			step("add an action", chromedp.Click(css(`button.rb-add[data-section="act"]`)), chromedp.WaitVisible(css(`[id="f-act-1-type"]`)))
			choose(`[id="f-act-1-type"]`, "add_tags")
			step("add a tag", chromedp.WaitVisible(css(`[id="f-act-1-tags"]`)), chromedp.SendKeys(css(`[id="f-act-1-tags"]`), "refund"))
			step("add another action", chromedp.Click(css(`button.rb-add[data-section="act"]`)), chromedp.WaitVisible(css(`[id="f-act-2-type"]`)))
			choose(`[id="f-act-2-type"]`, "set_team")
			step("set team", chromedp.WaitVisible(css(`[id="f-act-2-team"]`)))
			choose(`[id="f-act-2-team"]`, fmt.Sprint(teamID))
			if numbers := text(`ol.rb-rows[data-section="act"]`); !strings.Contains(numbers, "Action 3") {
				t.Fatalf("action rows: %q", numbers)
			}
			step("preview the matches", chromedp.Click(css(`#rb-preview-button`)), chromedp.WaitVisible(css(`#rb-preview table.rb-matches`)))
			if preview := text(`#rb-preview`); !strings.Contains(preview, "Refund for an old order") || !strings.Contains(preview, "1 of the newest 1 tickets match.") {
				t.Fatalf("preview: %q", preview)
			}
			screenshot(t, ctx, engine, "rule-editor.png")
			step("save", chromedp.Click(css(`div.actions button.primary`)), chromedp.WaitVisible(css(`p.flash`)))
			url, err := chromedp.Run(ctx, chromedp.Location())
			if err != nil || !strings.Contains(url, "/admin/triggers/") {
				t.Fatalf("after save: %s %v", url, err)
			}
			ruleID := strings.TrimPrefix(strings.SplitN(url, "?", 2)[0], s.url+"/admin/triggers/")

			code, tk := api(t, "POST", s.url+"/api/v1/tickets", tok, map[string]any{"subject": "I want a REFUND", "description": "The parcel never came.",
				"requester": map[string]string{"email": "buyer@example.com"}})
			if code != 201 {
				t.Fatalf("ticket: %d %v", code, tk)
			}
			id := int64(tk["id"].(float64))
			deadline := time.Now().Add(15 * time.Second)
			for {
				_, got := api(t, "GET", fmt.Sprintf("%s/api/v1/tickets/%d", s.url, id), tok, nil)
				tags, _ := got["tags"].([]any)
				if got["priority"] == "high" && slices.Contains(tags, any("refund")) && got["team_id"] == float64(teamID) {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("the trigger did not fire: %v", got)
				}
				time.Sleep(100 * time.Millisecond)
			}
			step("the ticket page", chromedp.Navigate(fmt.Sprintf("%s/tickets/%d", s.url, id)), chromedp.WaitVisible(css("main")))
			// The side panel shows the tag and the team.
			page, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('input[name="tags"]').value + " | " + document.querySelector('select[name="team_id"] option:checked').textContent`))
			if err != nil || page != "refund | Billing" {
				t.Fatalf("ticket page: %v %.300q", err, page)
			}
			_, runs := api(t, "GET", s.url+"/api/v1/triggers/"+ruleID+"/runs", tok, nil)
			data, _ := runs["data"].([]any)
			if len(data) != 1 || data[0].(map[string]any)["ticket_id"] != float64(id) {
				t.Fatalf("runs log: %v", runs)
			}
		})
	}
}
