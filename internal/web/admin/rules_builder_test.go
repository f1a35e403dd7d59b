package web_test

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
)

// TestRuleBuilder drives the trigger editor built from controls: a rule made
// of rows, errors on the row at fault in the agent's language, the add
// button without JavaScript, a nested group kept through an edit, the
// matches preview and the JSON export and import.
func TestRuleBuilder(t *testing.T) {
	for _, engine := range dbtest.Engines {
		t.Run(engine.String(), func(t *testing.T) {
			e := apptest.New(t, engine)
			manager := signIn(t, e, authz.Manager)
			st, team := e.Do(t, authz.Admin, "POST", "/api/v1/teams", map[string]any{"name": "Billing"})
			if st != 201 {
				t.Fatalf("team: %d %v", st, team)
			}
			teamID := strconv.FormatInt(int64(team["id"].(float64)), 10)
			refund := createTicket(t, e, "Refund for order 42")
			createTicket(t, e, "Where is my parcel")

			rows := vals("name", "Refunds to Billing", "active", "on",
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
			runPages(t, []pageCase{
				{name: "new trigger: one empty condition and action", who: manager, method: "GET", path: "/admin/triggers/new", status: 200,
					want:    []string{`name="all[0].field"`, `name="act[0].type"`, `id="rule-catalog"`, "Billing", "Preview matches", "Advanced: JSON"},
					notWant: []string{`name="all[1].field"`}},
				{name: "add a condition without JavaScript", who: manager, method: "POST", path: "/admin/triggers", form: plus(rows, "add", "any"), status: 200,
					want: []string{`name="any[0].field"`, `value="refund"`}},
				{name: "the value control fits the field", who: manager, method: "POST", path: "/admin/triggers",
					form: plus(rows, "all[0].field", "team_id", "all[0].op", "is", "all[0].value", "", "refresh", "1"), status: 200,
					want: []string{`<option value="` + teamID + `">Billing</option>`, `<option value="is" selected>`}},
				{name: "remove a row", who: manager, method: "POST", path: "/admin/triggers", form: plus(rows, "remove", "act[1]"), status: 200,
					want: []string{`name="act[2].type"`}, notWant: []string{`name="act[1].type"`}},
				{name: "a team condition without a team", who: manager, method: "POST", path: "/admin/triggers",
					form: plus(rows, "all[0].field", "team_id", "all[0].op", "is", "all[0].value", ""), status: 400,
					want: []string{"Condition 1: choose a team", `id="e-all-0-value"`, `href="#f-all-0-value"`, `value="Refunds to Billing"`}},
				{name: "an action without its agent", who: manager, method: "POST", path: "/admin/triggers",
					form: plus(rows, "act[1].type", "add_follower"), status: 400, want: []string{"Action 2: choose an agent"}},
				{name: "preview lists the matches", who: manager, method: "POST", path: "/admin/triggers", form: plus(rows, "preview", "1"), status: 200,
					want:    []string{"1 of the newest 2 tickets match.", fmt.Sprintf(`href="/tickets/%d"`, refund), "Refund for order 42"},
					notWant: []string{"Where is my parcel"}},
				{name: "preview of an incomplete row", who: manager, method: "POST", path: "/admin/triggers",
					form: plus(rows, "all[0].value", "", "preview", "1"), status: 400, want: []string{"Condition 1: enter a value", "Correct the conditions"}},
				{name: "created from controls", who: manager, method: "POST", path: "/admin/triggers", form: rows, status: 303, location: "/admin/triggers/"},
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
			nb := signIn(t, e, authz.Manager)
			runPages(t, []pageCase{{name: "errors in Norwegian", who: nb, method: "POST", path: "/admin/triggers",
				form: plus(rows, "all[0].field", "team_id", "all[0].op", "is", "all[0].value", ""), status: 400,
				want: []string{"Betingelse 1: velg et team"}}})
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
			_, page, _ := manager.do(t, "GET", np, nil)
			m := regexp.MustCompile(`name="all\[1\]\.group" value="([^"]*)"`).FindStringSubmatch(page)
			if m == nil {
				t.Fatalf("the group is not on the page:\n%s", excerpt(page))
			}
			group := html.UnescapeString(m[1])
			runPages(t, []pageCase{{name: "saved with its group", who: manager, method: "POST", path: np,
				form: vals("name", "VIP or urgent, renamed", "active", "on",
					"all[0].row", "1", "all[0].field", "status", "all[0].op", "is", "all[0].value", "new",
					"all[1].row", "1", "all[1].group", group,
					"act[0].row", "1", "act[0].type", "add_tags", "act[0].tags", "look"), status: 303, location: np}})
			after, err := e.Sys.Automation.GetRule(t.Context(), authz.System, automation.KindTrigger, int64(nested["id"].(float64)))
			if err != nil {
				t.Fatal(err)
			}
			if len(after.Conditions.All) != 2 || len(after.Conditions.All[1].Any) != 2 || after.Conditions.All[1].Any[1].Field != "tags" || after.Name != "VIP or urgent, renamed" {
				t.Fatalf("after the edit: %+v", after.Conditions)
			}

			// JSON export from the page, imported into a new rule's form, gives the same rule.
			rp := fmt.Sprintf("/admin/triggers/%d", ids["Refunds to Billing"])
			_, page, _ = manager.do(t, "GET", rp, nil)
			exported := textarea(t, page, "json")
			st, imported, _ := manager.do(t, "POST", "/admin/triggers", vals("name", "Imported", "import", "1", "json", exported))
			if st != 200 {
				t.Fatalf("import: %d\n%s", st, excerpt(imported))
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
			runPages(t, []pageCase{{name: "bad JSON stays in its box", who: manager, method: "POST", path: "/admin/triggers",
				form: vals("name", "Bad", "import", "1", "json", `{"conditions": [`), status: 400, want: []string{"is not a rule in JSON", `id="e-json"`}}})
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
