package journey_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/ombud/ombud/internal/dbtest"
)

// TestBrowserMacroEdited is the journey of a macro edited then sent with its
// field changes, on both engines: an agent finds the macro by typing in the
// picker and chooses it with the keyboard; the preview names the team and
// the agent, presets "Submit as" and lists the pending changes; the agent
// removes one, rewrites the text and sends. The ticket gets the edited
// reply and every kept change, not the removed one.
func TestBrowserMacroEdited(t *testing.T) {
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) {
			env := map[string]string{"OMBUD_DATA": dbtest.MigratedSQLiteDir(t), "OMBUD_LOG_LEVEL": "warn"}
			if engine == "postgres" {
				env["OMBUD_DATABASE_URL"] = dbtest.NewMigratedPostgresDatabase(t)
			}
			for _, u := range [][]string{{"lead@ombud.test", "Lea Lead", "admin"}, {"ingrid@ombud.test", "Ingrid Haugen", "agent"}} {
				if code, _, er := run(t, env, "user", "create", "--email", u[0], "--name", u[1], "--role", u[2], "--password", "browser-pass-7"); code != 0 {
					t.Fatal(er)
				}
			}
			_, tok, _ := run(t, env, "token", "create", "--email", "lead@ombud.test")
			tok = strings.TrimSpace(tok)
			s := serve(t, env)
			_, agents := api(t, "GET", s.url+"/api/v1/agents?limit=100", tok, nil)
			ids := map[string]int64{}
			for _, a := range agents["data"].([]any) {
				m := a.(map[string]any)
				ids[m["email"].(string)] = int64(m["id"].(float64))
			}
			code, team := api(t, "POST", s.url+"/api/v1/teams", tok, map[string]any{"name": "Billing", "agent_ids": []int64{ids["lead@ombud.test"], ids["ingrid@ombud.test"]}})
			if code != 201 {
				t.Fatalf("team: %d %v", code, team)
			}
			teamID := int64(team["id"].(float64))
			for _, m := range []map[string]any{
				{"name": "Thanks and close", "scope": "shared", "body": "Thank you!", "actions": []map[string]any{{"type": "set_status", "value": "solved"}}},
				{"name": "Billing handover", "scope": "shared", "body": "Hi, billing will take it from here.", "actions": []map[string]any{
					{"type": "set_status", "value": "pending"}, {"type": "set_priority", "value": "high"},
					{"type": "set_team", "value": teamID}, {"type": "set_assignee", "value": ids["ingrid@ombud.test"]},
					{"type": "add_tags", "value": []string{"billing"}},
				}},
			} {
				if code, body := api(t, "POST", s.url+"/api/v1/macros", tok, m); code != 201 {
					t.Fatalf("macro: %d %v", code, body)
				}
			}
			code, tk := api(t, "POST", s.url+"/api/v1/tickets", tok, map[string]any{
				"subject": "Faktura 4411 er feil", "description": "Beløpet stemmer ikke.", "requester": map[string]string{"email": "kunde@firma.example"},
			})
			if code != 201 {
				t.Fatalf("ticket: %d %v", code, tk)
			}
			id := int64(tk["id"].(float64))
			ctx := browser(t)
			step := stepper(t, ctx)
			step("sign in", signIn(fmt.Sprintf("%s/tickets/%d", s.url, id), "lead@ombud.test", "browser-pass-7"),
				chromedp.WaitVisible(chromedp.ID("macro-search")))
			step("find the macro by typing and choose it with the keyboard",
				chromedp.SendKeys(chromedp.ID("macro-search"), "hand"),
				chromedp.WaitVisible(chromedp.CSS(`#macro-list li[aria-selected="true"]`)))
			active, err := chromedp.Run(ctx, chromedp.AttributeValue(chromedp.ID("macro-search"), "aria-activedescendant"))
			if err != nil || !strings.HasPrefix(active.Value, "macro-opt-") {
				t.Fatalf("aria-activedescendant %q (%v)", active.Value, err)
			}
			step("preview", chromedp.KeyEvent("\r"), chromedp.WaitVisible(chromedp.CSS("fieldset.pending-changes")))
			changes, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("ul.macro-changes")))
			if err != nil || !strings.Contains(changes, "Assign to Ingrid Haugen") || !strings.Contains(changes, "Team: Billing") {
				t.Fatalf("changes %q (%v)", changes, err)
			}
			as, err := chromedp.Run(ctx, chromedp.Value(chromedp.ID("submit-status")))
			if err != nil || as != "pending" {
				t.Fatalf("Submit as %q (%v)", as, err)
			}
			screenshot(t, ctx, engine, "macro-preview.png")
			step("remove the tag, edit the text and send",
				chromedp.Click(chromedp.CSS(`input[name="macro_change"][value="add_tags"]`)),
				chromedp.SetValue(chromedp.ID("body"), "Hei! Fakturaavdelingen tar over saken din nå."),
				chromedp.Click(chromedp.CSS(`form.composer .actions button.primary`)),
				chromedp.WaitVisible(chromedp.CSS(".meta .status.s-pending")))
			_, got := api(t, "GET", fmt.Sprintf("%s/api/v1/tickets/%d", s.url, id), tok, nil)
			var tags []string
			for _, x := range got["tags"].([]any) {
				tags = append(tags, x.(string))
			}
			if got["status"] != "pending" || got["priority"] != "high" || got["team_id"] != float64(teamID) ||
				got["assignee_id"] != float64(ids["ingrid@ombud.test"]) || slices.Contains(tags, "billing") {
				t.Fatalf("ticket after send: %v", got)
			}
			thread, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("section.thread")))
			if err != nil || !strings.Contains(thread, "Fakturaavdelingen tar over") || strings.Contains(thread, "billing will take it from here") {
				t.Fatalf("thread %q (%v)", thread, err)
			}
		})
	}
}
