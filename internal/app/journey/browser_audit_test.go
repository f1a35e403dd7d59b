package journey_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/ombud/ombud/internal/dbtest"
)

// TestBrowserAuditLog is the journey of reading a change in the audit log,
// on both engines: an admin renames a mailbox in its settings form, opens
// Administration → Audit log, filters by herself and "mailbox.", reads the
// change's before and after, and exports what the filter matches as CSV.
// Another admin's change stays out of the filtered table and the export.
func TestBrowserAuditLog(t *testing.T) {
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) {
			env := map[string]string{"OMBUD_DATA": dbtest.MigratedSQLiteDir(t), "OMBUD_LOG_LEVEL": "warn"}
			if engine == "postgres" {
				env["OMBUD_DATABASE_URL"] = dbtest.NewMigratedPostgresDatabase(t)
			}
			for _, u := range [][]string{{"ada@ombud.test", "Ada Audit"}, {"bo@ombud.test", "Bo Other"}} {
				if code, _, er := run(t, env, "user", "create", "--email", u[0], "--name", u[1], "--role", "admin", "--password", "browser-pass-7"); code != 0 {
					t.Fatal(er)
				}
			}
			_, tok, _ := run(t, env, "token", "create", "--email", "ada@ombud.test")
			_, boTok, _ := run(t, env, "token", "create", "--email", "bo@ombud.test")
			tok, boTok = strings.TrimSpace(tok), strings.TrimSpace(boTok)
			s := serve(t, env)
			_, me := api(t, "GET", s.url+"/api/v1/me", tok, nil)
			adaID := int64(me["id"].(float64))
			code, mb := api(t, "POST", s.url+"/api/v1/mailboxes", tok, map[string]any{"address": "help@fjord.test", "name": "Fjord Help",
				"smtp": map[string]any{"host": "smtp.fjord.test", "username": "help", "password": "smtp-secret-99"}})
			if code != 201 {
				t.Fatalf("mailbox: %d %v", code, mb)
			}
			mbID := int64(mb["id"].(float64))
			if code, body := api(t, "POST", s.url+"/api/v1/teams", boTok, map[string]any{"name": "Bo's team"}); code != 201 {
				t.Fatalf("team: %d %v", code, body)
			}

			ctx := browser(t)
			step := stepper(t, ctx)
			css := func(sel string) chromedp.CSS { return chromedp.CSS(sel) }
			text := func(sel string) string {
				t.Helper()
				v, err := chromedp.Run(ctx, chromedp.Text(css(sel)))
				if err != nil {
					t.Fatalf("text of %s: %v", sel, err)
				}
				return v
			}
			step("sign in", signIn(fmt.Sprintf("%s/admin/mailboxes/%d", s.url, mbID), "ada@ombud.test", "browser-pass-7"), chromedp.WaitVisible(css(`[id="f-name"]`)))
			step("rename the mailbox", chromedp.Clear(css(`[id="f-name"]`)), chromedp.SendKeys(css(`[id="f-name"]`), "Fjord Support Desk"),
				chromedp.Click(css(`form.mailbox-form button[type="submit"]`)), chromedp.WaitVisible(css(`.flash`)))
			step("open the audit log from the Admin menu's page", chromedp.Navigate(s.url+"/admin"), chromedp.Click(css(`main a[href="/admin/audit"]`)),
				chromedp.WaitVisible(css(`#audit-rows`)))
			if all := text(`#audit-rows`); !strings.Contains(all, "team.create") || !strings.Contains(all, "mailbox.update") {
				t.Fatalf("unfiltered log: %q", all)
			}
			// The old table is renamed, so waiting for #audit-rows waits for
			// the filtered page.
			choose := fmt.Sprintf(`(() => { document.querySelector("#audit-rows").id = "unfiltered"; const el = document.querySelector("#audit-actor"); el.value = "%d"; return el.value === "%d"; })()`, adaID, adaID)
			if ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](choose)); err != nil || !ok {
				t.Fatalf("choose actor: %v %v", ok, err)
			}
			step("filter by actor and action", chromedp.SendKeys(css(`#audit-action`), "mailbox."), chromedp.Submit(css(`#audit-action`)),
				chromedp.WaitVisible(css(`#audit-rows`)))
			rows := text(`#audit-rows`)
			if !strings.Contains(rows, "mailbox.update") || !strings.Contains(rows, "mailbox.create") || strings.Contains(rows, "team.create") || strings.Contains(rows, "Bo Other") {
				t.Fatalf("filtered log: %q", rows)
			}
			loc, _ := chromedp.Run(ctx, chromedp.Location())
			if !strings.Contains(loc, fmt.Sprintf("actor=%d", adaID)) {
				t.Fatalf("filter not in the address: %s", loc)
			}
			step("open the change", chromedp.Click(css(`#audit-rows tbody tr:first-child a`)), chromedp.WaitVisible(css(`#audit-diff`)))
			if a := text(`#audit-action`); a != "mailbox.update" {
				t.Fatalf("opened %q", a)
			}
			diff := text(`#audit-diff tr.changed`)
			if !strings.Contains(diff, "Fjord Help") || !strings.Contains(diff, "Fjord Support Desk") || !strings.Contains(strings.ToLower(diff), "name") {
				t.Fatalf("before/after: %q", diff)
			}
			if page := text(`main`); strings.Contains(page, "smtp-secret-99") {
				t.Fatal("the mailbox password shows in the audit entry")
			}
			step("back to the filtered list", chromedp.NavigateBack(), chromedp.WaitVisible(css(`#audit-export-csv`)))
			csvText, err := chromedp.Run(ctx, chromedp.Evaluate[string](`fetch(document.querySelector("#audit-export-csv").href).then(r => r.ok ? r.text() : "status " + r.status)`, chromedp.EvalAwaitPromise))
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(strings.TrimPrefix(csvText, "\uFEFF"), "id,at,actor_id,actor_name,action") || !strings.Contains(csvText, "mailbox.update") ||
				strings.Contains(csvText, "team.create") || !strings.Contains(csvText, "Fjord Support Desk") || strings.Contains(csvText, "smtp-secret-99") {
				t.Fatalf("CSV export: %q", csvText)
			}
			// The export is in the log too, as Ada's.
			code, logged := api(t, "GET", s.url+"/api/v1/audit?action=audit.export", tok, nil)
			if rows, _ := logged["data"].([]any); code != 200 || len(rows) != 1 || rows[0].(map[string]any)["actor_name"] != "Ada Audit" {
				t.Fatalf("export not audited: %d %v", code, logged)
			}
		})
	}
}
