package admin_test

import (
	"encoding/json"
	"fmt"
	"html"
	"net/url"
	"regexp"
	"strconv"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ombud/ombud/internal/app/apptest"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/automation"
	"github.com/ombud/ombud/internal/dbtest"
	"github.com/ombud/ombud/internal/web/webtest"
)

// TestRuleBuilder drives the trigger editor built from controls: a rule made
// of rows, errors on the row at fault in the agent's language, the add
// button without JavaScript, a nested group kept through an edit, the
// matches preview and the JSON export and import.
func TestRuleBuilder(t *testing.T) {
	for _, engine := range dbtest.Engines {
		t.Run(engine.String(), func(t *testing.T) {
			e := apptest.New(t, engine)
			manager := webtest.SignIn(t, e, authz.Manager)
			st, team := e.Do(t, authz.Admin, "POST", "/api/v1/teams", map[string]any{"name": "Billing"})
			if st != 201 {
				t.Fatalf("team: %d %v", st, team)
			}
			teamID := strconv.FormatInt(int64(team["id"].(float64)), 10)
			refund := webtest.CreateTicket(t, e, "Refund for order 42")
			webtest.CreateTicket(t, e, "Where is my parcel")

			rows := webtest.Vals("name", "Refunds to Billing", "active", "on",
				"all[0].row", "1", "all[0].field", "subject", "all[0].op", "contains", "all[0].value", "refund",
				"act[0].row", "1", "act[0].type", "set_priority", "act[0].priority", "high",
				"act[1].row", "1", "act[1].type", "add_tags", "act[1].tags", "refund",
				"act[2].row", "1", "act[2].type", "set_team", "act[2].team", teamID)
			plus := func(v url.Values, kv ...string) url.Values {
				out := url.Values{}
				for k, x := range v {
					out[k] = append([]string(nil), x...)
				}
				for i := 0; i+1 < len(kv); i += 2 {
					out.Set(kv[i], kv[i+1])
				}
				return out
			}
			webtest.RunPages(t, []webtest.PageCase{
				{Name: "new trigger: one empty condition and action", Who: manager, Method: "GET", Path: "/admin/triggers/new", Status: 200,
					Want:    []string{`name="all[0].field"`, `name="act[0].type"`, `id="rule-catalog"`, "Billing", "Preview matches", "Advanced: JSON"},
					NotWant: []string{`name="all[1].field"`}},
				{Name: "add a condition without JavaScript", Who: manager, Method: "POST", Path: "/admin/triggers", Form: plus(rows, "add", "any"), Status: 200,
					Want: []string{`name="any[0].field"`, `value="refund"`}},
				{Name: "the value control fits the field", Who: manager, Method: "POST", Path: "/admin/triggers",
					Form: plus(rows, "all[0].field", "team_id", "all[0].op", "is", "all[0].value", "", "refresh", "1"), Status: 200,
					Want: []string{`<option value="` + teamID + `">Billing</option>`, `<option value="is" selected>`}},
				{Name: "remove a row", Who: manager, Method: "POST", Path: "/admin/triggers", Form: plus(rows, "remove", "act[1]"), Status: 200,
					Want: []string{`name="act[2].type"`}, NotWant: []string{`name="act[1].type"`}},
				{Name: "a team condition without a team", Who: manager, Method: "POST", Path: "/admin/triggers",
					Form: plus(rows, "all[0].field", "team_id", "all[0].op", "is", "all[0].value", ""), Status: 400,
					Want: []string{"Condition 1: choose a team", `id="e-all-0-value"`, `href="#f-all-0-value"`, `value="Refunds to Billing"`}},
				{Name: "an action without its agent", Who: manager, Method: "POST", Path: "/admin/triggers",
					Form: plus(rows, "act[1].type", "add_follower"), Status: 400, Want: []string{"Action 2: choose an agent"}},
				{Name: "preview lists the matches", Who: manager, Method: "POST", Path: "/admin/triggers", Form: plus(rows, "preview", "1"), Status: 200,
					Want:    []string{"1 of the newest 2 tickets match.", fmt.Sprintf(`href="/tickets/%d"`, refund), "Refund for order 42"},
					NotWant: []string{"Where is my parcel"}},
				{Name: "preview of an incomplete row", Who: manager, Method: "POST", Path: "/admin/triggers",
					Form: plus(rows, "all[0].value", "", "preview", "1"), Status: 400, Want: []string{"Condition 1: enter a value", "Correct the conditions"}},
				{Name: "created from controls", Who: manager, Method: "POST", Path: "/admin/triggers", Form: rows, Status: 303, Location: "/admin/triggers/"},
			})
			_, ids := ruleIDs(t, e, automation.KindTrigger)
			rl, err := e.Sys.Automation.GetRule(t.Context(), authz.System, automation.KindTrigger, ids["Refunds to Billing"])
			if err != nil {
				t.Fatal(err)
			}
			gotJSON, _ := json.Marshal(map[string]any{"conditions": rl.Conditions, "actions": rl.Actions})
			want := fmt.Sprintf(`{"actions":[{"type":"set_priority","value":"high"},{"type":"add_tags","value":["refund"]},{"type":"set_team","value":%s}],`+
				`"conditions":{"all":[{"field":"subject","op":"contains","value":"refund"}]}}`, teamID)
			if string(gotJSON) != want {
				t.Fatalf("stored rule:\n%s\nwant\n%s", gotJSON, want)
			}

			// Errors in the agent's language.
			if st, _ := e.Do(t, authz.Admin, "PATCH", fmt.Sprintf("/api/v1/agents/%d", e.Agents[authz.Manager].ID), map[string]any{"locale": "nb"}); st != 200 {
				t.Fatalf("locale: %d", st)
			}
			nb := webtest.SignIn(t, e, authz.Manager)
			webtest.RunPages(t, []webtest.PageCase{{Name: "errors in Norwegian", Who: nb, Method: "POST", Path: "/admin/triggers",
				Form: plus(rows, "all[0].field", "team_id", "all[0].op", "is", "all[0].value", ""), Status: 400,
				Want: []string{"Betingelse 1: velg et team"}}})
			if st, _ := e.Do(t, authz.Admin, "PATCH", fmt.Sprintf("/api/v1/agents/%d", e.Agents[authz.Manager].ID), map[string]any{"locale": "en"}); st != 200 {
				t.Fatalf("locale: %d", st)
			}

			// A nested group made over the API survives an edit in the editor.
			st, nested := e.Do(t, authz.Admin, "POST", "/api/v1/triggers", map[string]any{"name": "VIP or urgent",
				"conditions": map[string]any{"all": []any{
					map[string]any{"field": "status", "op": "is", "value": "new"},
					map[string]any{"any": []any{map[string]any{"field": "priority", "op": "is", "value": "urgent"},
						map[string]any{"field": "tags", "op": "includes", "value": []string{"vip"}}}},
				}},
				"actions": []any{map[string]any{"type": "add_tags", "value": []string{"look"}}}})
			if st != 201 {
				t.Fatalf("nested: %d %v", st, nested)
			}
			np := fmt.Sprintf("/admin/triggers/%d", int64(nested["id"].(float64)))
			_, page, _ := manager.Do(t, "GET", np, nil)
			m := regexp.MustCompile(`name="all\[1\]\.group" value="([^"]*)"`).FindStringSubmatch(page)
			if m == nil {
				t.Fatalf("the group is not on the page:\n%s", webtest.Excerpt(page))
			}
			group := html.UnescapeString(m[1])
			webtest.RunPages(t, []webtest.PageCase{{Name: "saved with its group", Who: manager, Method: "POST", Path: np,
				Form: webtest.Vals("name", "VIP or urgent, renamed", "active", "on",
					"all[0].row", "1", "all[0].field", "status", "all[0].op", "is", "all[0].value", "new",
					"all[1].row", "1", "all[1].group", group,
					"act[0].row", "1", "act[0].type", "add_tags", "act[0].tags", "look"), Status: 303, Location: np}})
			after, err := e.Sys.Automation.GetRule(t.Context(), authz.System, automation.KindTrigger, int64(nested["id"].(float64)))
			if err != nil {
				t.Fatal(err)
			}
			if len(after.Conditions.All) != 2 || len(after.Conditions.All[1].Any) != 2 || after.Conditions.All[1].Any[1].Field != "tags" || after.Name != "VIP or urgent, renamed" {
				t.Fatalf("after the edit: %+v", after.Conditions)
			}

			// JSON export from the page, imported into a new rule's form, gives the same rule.
			rp := fmt.Sprintf("/admin/triggers/%d", ids["Refunds to Billing"])
			_, page, _ = manager.Do(t, "GET", rp, nil)
			exported := textarea(t, page, "json")
			st, imported, _ := manager.Do(t, "POST", "/admin/triggers", webtest.Vals("name", "Imported", "import", "1", "json", exported))
			if st != 200 {
				t.Fatalf("import: %d\n%s", st, webtest.Excerpt(imported))
			}
			for _, w := range []string{`<option value="subject" selected>`, `<option value="contains" selected>`, `value="refund"`, `<option value="` + teamID + `" selected>Billing</option>`} {
				if !regexp.MustCompile(regexp.QuoteMeta(w)).MatchString(imported) {
					t.Errorf("imported form lacks %s", w)
				}
			}
			var a, b any
			_ = json.Unmarshal([]byte(exported), &a)
			_ = json.Unmarshal([]byte(textarea(t, imported, "json")), &b)
			if diff := cmp.Diff(a, b); diff != "" {
				t.Fatalf("export → import → export differs (-page +imported):\n%s", diff)
			}
			webtest.RunPages(t, []webtest.PageCase{{Name: "bad JSON stays in its box", Who: manager, Method: "POST", Path: "/admin/triggers",
				Form: webtest.Vals("name", "Bad", "import", "1", "json", `{"conditions": [`), Status: 400, Want: []string{"is not a rule in JSON", `id="e-json"`}}})
		})
	}
}

// textarea returns the text of the textarea named name.
func textarea(t *testing.T, page, name string) string {
	t.Helper()
	m := regexp.MustCompile(`(?s)<textarea[^>]* name="` + regexp.QuoteMeta(name) + `"[^>]*>(.*?)</textarea>`).FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no textarea %s", name)
	}
	return html.UnescapeString(m[1])
}
