package tickets_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/ombud/ombud/internal/agent"
	"github.com/ombud/ombud/internal/app/apptest"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/dbtest"
	"github.com/ombud/ombud/internal/web/webtest"
)

// viewsFixture defines a "plan" dropdown field and three tickets: Gold,
// Silver and one without a plan.
// scenario is one API call of the views API and what must come back.
type scenario struct {
	name   string
	role   authz.Role
	method string
	path   string
	body   any
	status int
	field  string // an error field that must be named, or a top-level reply key that must exist
}

func viewsFixture(t *testing.T, e *apptest.Env) (gold, silver, none int64) {
	t.Helper()
	st, body := e.Do(t, authz.Admin, "POST", "/api/v1/custom-fields", map[string]any{
		"key": "plan", "label": "Plan", "type": "dropdown", "options": []string{"Gold", "Silver"}})
	if st != http.StatusCreated {
		t.Fatalf("field: %d %v", st, body["_raw"])
	}
	mk := func(subject string, fields map[string]any) int64 {
		st, body := e.Do(t, authz.Agent, "POST", "/api/v1/tickets", map[string]any{
			"subject": subject, "description": "About my subscription.", "priority": "normal",
			"requester": map[string]any{"email": "ola@example.no", "name": "Ola"}, "custom_fields": fields,
		})
		if st != http.StatusCreated {
			t.Fatalf("ticket %s: %d %v", subject, st, body["_raw"])
		}
		return num(body["id"])
	}
	return mk("Gold customer asks", map[string]any{"plan": "Gold"}), mk("Silver customer asks", map[string]any{"plan": "Silver"}), mk("Planless asks", nil)
}

// TestViewsAPI runs the view endpoints as the roles would: errors name the
// field, permissions hold, and nothing a client sends gives a 500.
func TestViewsAPI(t *testing.T) {
	for _, engine := range dbtest.Engines {
		t.Run(engine.String(), func(t *testing.T) {
			e := apptest.New(t, engine)
			gold, _, _ := viewsFixture(t, e)
			st, own := e.Do(t, authz.Agent, "POST", "/api/v1/views", map[string]any{
				"name": "Gold plans", "query": "field.plan:gold", "columns": []string{"id", "subject", "field.plan"}, "sort": "priority"})
			if st != http.StatusCreated || own["shared"] != false || own["sort"] != "priority" {
				t.Fatalf("create: %d %v", st, own["_raw"])
			}
			st, shared := e.Do(t, authz.Manager, "POST", "/api/v1/views", `{"name":"Everyone's unsolved","query":"status:unsolved","shared":true}`)
			if st != http.StatusCreated || shared["shared"] != true || shared["owner_id"] != nil {
				t.Fatalf("create shared: %d %v", st, shared["_raw"])
			}
			vp := fmt.Sprintf("/api/v1/views/%d", num(own["id"]))
			sp := fmt.Sprintf("/api/v1/views/%d", num(shared["id"]))
			tests := []scenario{
				{"list", authz.Agent, "GET", "/api/v1/views", nil, 200, "data"},
				{"list bad limit", authz.Agent, "GET", "/api/v1/views?limit=0", nil, 400, "limit"},
				{"list bad cursor", authz.Agent, "GET", "/api/v1/views?cursor=nope!", nil, 400, "cursor"},
				{"list unknown param", authz.Agent, "GET", "/api/v1/views?q=x", nil, 400, "q"},
				{"get", authz.Agent, "GET", vp, nil, 200, "columns"},
				{"get shared", authz.Collaborator, "GET", sp, nil, 200, "query"},
				{"another's personal view", authz.Manager, "GET", vp, nil, 404, ""},
				{"unknown view", authz.Agent, "GET", "/api/v1/views/424242", nil, 404, ""},
				{"non-numeric id", authz.Agent, "GET", "/api/v1/views/abc", nil, 404, ""},
				{"no token", "", "GET", "/api/v1/views", nil, 401, ""},
				{"create malformed", authz.Agent, "POST", "/api/v1/views", `{"name":`, 400, "body"},
				{"create unknown field", authz.Agent, "POST", "/api/v1/views", `{"name":"x","colour":"red"}`, 400, "colour"},
				{"create wrong type", authz.Agent, "POST", "/api/v1/views", `{"name":"x","columns":"id"}`, 400, "columns"},
				{"create no name", authz.Agent, "POST", "/api/v1/views", `{"query":"status:open"}`, 400, "name"},
				{"create bad query", authz.Agent, "POST", "/api/v1/views", `{"name":"x","query":"status:maybe"}`, 400, "query"},
				{"create unterminated query", authz.Agent, "POST", "/api/v1/views", `{"name":"x","query":"\"open"}`, 400, "query"},
				{"create unknown custom field", authz.Agent, "POST", "/api/v1/views", `{"name":"x","query":"field.colour:red"}`, 400, "query"},
				{"create bad column", authz.Agent, "POST", "/api/v1/views", `{"name":"x","columns":["id","colour"]}`, 400, "columns[1]"},
				{"create unknown field column", authz.Agent, "POST", "/api/v1/views", `{"name":"x","columns":["field.colour"]}`, 400, "columns[0]"},
				{"create bad sort", authz.Agent, "POST", "/api/v1/views", `{"name":"x","sort":"random"}`, 400, "sort"},
				{"create NUL", authz.Agent, "POST", "/api/v1/views", `{"name":"a\u0000b"}`, 400, "body"},
				{"agent may not share", authz.Agent, "POST", "/api/v1/views", `{"name":"x","shared":true}`, 403, ""},
				{"collaborator keeps a personal view", authz.Collaborator, "POST", "/api/v1/views", `{"name":"Mine"}`, 201, "id"},
				{"qa may not share", authz.QAReviewer, "POST", "/api/v1/views", `{"name":"x","shared":true}`, 403, ""},
				{"patch own", authz.Agent, "PATCH", vp, `{"name":"Gold customers"}`, 200, "name"},
				{"patch nothing", authz.Agent, "PATCH", vp, `{}`, 200, "name"},
				{"patch bad columns", authz.Agent, "PATCH", vp, `{"columns":[]}`, 400, "columns"},
				{"patch bad query", authz.Agent, "PATCH", vp, `{"query":"field.plan:platinum"}`, 400, "query"},
				{"agent cannot share own", authz.Agent, "PATCH", vp, `{"shared":true}`, 403, ""},
				{"agent cannot edit shared", authz.Agent, "PATCH", sp, `{"name":"Mine now"}`, 403, ""},
				{"agent cannot delete shared", authz.Agent, "DELETE", sp, nil, 403, ""},
				{"manager edits shared", authz.Manager, "PATCH", sp, `{"sort":"created_asc","columns":["id","subject","team"]}`, 200, "columns"},
				{"manager cannot edit another's", authz.Manager, "PATCH", vp, `{"name":"x"}`, 404, ""},
				{"tickets", authz.Agent, "GET", vp + "/tickets", nil, 200, "data"},
				{"tickets bad limit", authz.Agent, "GET", vp + "/tickets?limit=1000", nil, 400, "limit"},
				{"tickets bad cursor", authz.Agent, "GET", vp + "/tickets?cursor=eyJpIjoxfQ", nil, 400, "cursor"},
				{"tickets unknown param", authz.Agent, "GET", vp + "/tickets?sort=id", nil, 400, "sort"},
				{"tickets of another's view", authz.Manager, "GET", vp + "/tickets", nil, 404, ""},
				{"shared tickets", authz.QAReviewer, "GET", sp + "/tickets", nil, 200, "data"},
				{"search custom field", authz.Agent, "GET", "/api/v1/search?q=" + url.QueryEscape("field.plan:gold,silver -field.plan:silver"), nil, 200, "data"},
				{"search unknown custom field", authz.Agent, "GET", "/api/v1/search?q=field.colour:red", nil, 400, "q"},
				{"search bad custom field key", authz.Agent, "GET", "/api/v1/search?q=field.9:red", nil, 400, "q"},
				{"search custom field bad op", authz.Agent, "GET", "/api/v1/search?q=" + url.QueryEscape("field.plan>gold"), nil, 400, "q"},
				{"delete unknown", authz.Agent, "DELETE", "/api/v1/views/424242", nil, 404, ""},
				// Forged cursors with keys beyond the columns' range are refused, not a database error.
				{"list forged cursor", authz.Agent, "GET", "/api/v1/views?cursor=eyJrIjo5OTk5OTk5OTk5OSwiaSI6MSwibyI6InZpZXdzIn0", nil, 400, "cursor"},
				{"tickets forged cursor", authz.Agent, "GET", vp + "/tickets?cursor=eyJrIjo5OTk5OTk5OTk5OSwiaSI6MSwibyI6InZpZXc6cHJpb3JpdHkifQ", nil, 400, "cursor"},
			}
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					st, reply := e.Do(t, tt.role, tt.method, tt.path, tt.body)
					if st != tt.status {
						t.Fatalf("status %d, want %d: %v", st, tt.status, reply["_raw"])
					}
					if st >= 400 {
						errObj, ok := reply["error"].(map[string]any)
						if !ok || errObj["code"] == "" || errObj["message"] == "" {
							t.Fatalf("error body has not the error shape: %v", reply["_raw"])
						}
						if tt.field != "" {
							fields, _ := errObj["fields"].(map[string]any)
							if _, ok := fields[tt.field]; !ok {
								t.Fatalf("error fields %v lack %q", fields, tt.field)
							}
						}
					} else if tt.field != "" {
						if _, ok := reply[tt.field]; !ok {
							t.Fatalf("reply lacks %q: %v", tt.field, reply["_raw"])
						}
					}
				})
			}
			// The view lists just the Gold ticket; searches agree.
			for _, path := range []string{vp + "/tickets", "/api/v1/search?q=" + url.QueryEscape("field.plan:gold,silver -field.plan:silver")} {
				_, l := e.Do(t, authz.Agent, "GET", path, nil)
				data, _ := l["data"].([]any)
				if len(data) != 1 || num(data[0].(map[string]any)["id"]) != gold {
					t.Fatalf("%s: %v, want ticket %d only", path, l["_raw"], gold)
				}
			}
			// Deleting: the owner may, then the view is gone.
			if st, _ := e.Do(t, authz.Agent, "DELETE", vp, nil); st != http.StatusNoContent {
				t.Fatalf("delete: %d", st)
			}
			if st, _ := e.Do(t, authz.Agent, "GET", vp, nil); st != http.StatusNotFound {
				t.Fatalf("deleted view: %d", st)
			}
		})
	}
}

// TestViewsUI: an agent saves a search as a view through the forms (no
// JavaScript), sees it in the sidebar with its count, opens it with its own
// columns, and a manager's shared view reaches every agent read-only.
func TestViewsUI(t *testing.T) {
	for _, engine := range dbtest.Engines {
		t.Run(engine.String(), func(t *testing.T) {
			e := apptest.New(t, engine)
			gold, silver, _ := viewsFixture(t, e)
			ag := webtest.SignIn(t, e, authz.Agent)
			mgr := webtest.SignIn(t, e, authz.Manager)
			webtest.RunPages(t, []webtest.PageCase{
				{Name: "search offers saving", Who: ag, Method: "GET", Path: "/tickets?q=" + url.QueryEscape("field.plan:gold"), Status: 200,
					Want:    []string{`href="/views/new?q=field.plan%3agold"`, "Save this search as a view", "Gold customer asks"},
					NotWant: []string{"Silver customer asks"}},
				{Name: "bad custom field in search", Who: ag, Method: "GET", Path: "/tickets?q=field.colour:red", Status: 400,
					Want: []string{`unknown custom field &#34;colour&#34;`}},
				{Name: "new view form", Who: ag, Method: "GET", Path: "/views/new?q=" + url.QueryEscape("field.plan:gold"), Status: 200,
					Want: []string{`<h1>New view</h1>`, `name="query" type="text" class="code" value="field.plan:gold"`, `value="field.plan"`, ">Plan</label>",
						`<option value="priority">Priority, most urgent first</option>`},
					NotWant: []string{`name="shared"`}},
				{Name: "manager may share", Who: mgr, Method: "GET", Path: "/views/new", Status: 200, Want: []string{`name="shared"`, "Shared with every agent"}},
				{Name: "refused form keeps input", Who: ag, Method: "POST", Path: "/views", Status: 400,
					Form: url.Values{"name": {"Broken"}, "query": {"field.plan:platinum"}, "columns": {"subject"}},
					Want: []string{"Check the marked fields.", `value="Broken"`, "is not an option", `aria-invalid="true"`}},
				{Name: "broken UTF-8 refused", Who: ag, Method: "POST", Path: "/views", Status: 400,
					Form: url.Values{"name": {"Bad \xff name"}, "query": {"tag:\xff"}, "columns": {"subject"}}},
				{Name: "no columns refused", Who: ag, Method: "POST", Path: "/views", Status: 400,
					Form: url.Values{"name": {"Empty"}}, Want: []string{"choose at least one column"}},
				{Name: "agent cannot share by hand", Who: ag, Method: "POST", Path: "/views", Status: 403,
					Form: url.Values{"name": {"Sneaky"}, "columns": {"subject"}, "shared": {"on"}}, Want: []string{"your role may not share views"}},
				{Name: "create", Who: ag, Method: "POST", Path: "/views", Status: 303, Location: "/tickets?view=v",
					Form: url.Values{"name": {"Gold plans"}, "query": {"field.plan:gold"}, "columns": {"subject", "field.plan", "priority"}, "sort": {"priority"}}},
			})
			_, _, loc := ag.Do(t, "POST", "/views", url.Values{"name": {"All plans"}, "query": {"field.plan:*"}, "columns": {"id", "field.plan"}, "sort": {"id_asc"}})
			allPlans := strings.TrimPrefix(loc, "/tickets?view=v")
			st, list, _ := ag.Do(t, "GET", "/tickets", nil)
			if st != 200 {
				t.Fatalf("list: %d", st)
			}
			goldKey := viewKey(t, list, "Gold plans")
			webtest.RunPages(t, []webtest.PageCase{
				{Name: "sidebar counts", Who: ag, Method: "GET", Path: "/tickets", Status: 200,
					Want: []string{"<h2>My views</h2>", `>Gold plans <span class="count" aria-label="1 tickets">1</span>`, `>All plans <span class="count" aria-label="2 tickets">2</span>`}},
				{Name: "open the view", Who: ag, Method: "GET", Path: "/tickets?view=" + goldKey, Status: 200,
					Want: []string{"<h1>Gold plans</h1>", `<th scope="col">Subject</th><th scope="col">Plan</th><th scope="col">Priority</th></tr>`,
						fmt.Sprintf(`<a href="/tickets/%d">Gold customer asks</a>`, gold), "<td>Gold</td>", `aria-current="page"`, "Edit view", "<code>field.plan:gold</code>"},
					NotWant: []string{"Silver customer asks", "Planless asks", `<th scope="col">Requester</th>`}},
				{Name: "columns and order of another view", Who: ag, Method: "GET", Path: "/tickets?view=v" + allPlans, Status: 200,
					Want:    []string{`<th scope="col">#</th><th scope="col">Plan</th></tr>`, "<td>Silver</td>"},
					NotWant: []string{"Planless asks"}},
				{Name: "the other agent's view is not found", Who: mgr, Method: "GET", Path: "/tickets?view=" + goldKey, Status: 404},
				{Name: "edit page", Who: ag, Method: "GET", Path: "/views/" + strings.TrimPrefix(goldKey, "v"), Status: 200,
					Want: []string{"<h1>Edit view: Gold plans</h1>", `<option value="priority" selected>`, "Save view", "Delete view"}},
				{Name: "edit", Who: ag, Method: "POST", Path: "/views/" + strings.TrimPrefix(goldKey, "v"), Status: 303, Location: "/tickets?view=" + goldKey,
					// Ticked in form order, ordered by the numbers typed beside them.
					Form: url.Values{"name": {"Gold and silver"}, "query": {"field.plan:gold,silver"}, "columns": {"subject", "field.plan"},
						"order.subject": {"20"}, "order.field.plan": {"15"}, "order.status": {"5"}, "sort": {"id_desc"}, "position": {"7"}}},
				{Name: "edited view", Who: ag, Method: "GET", Path: "/tickets?view=" + goldKey, Status: 200,
					Want: []string{"<h1>Gold and silver</h1>", `<th scope="col">Plan</th><th scope="col">Subject</th></tr>`, ">Gold and silver <span class=\"count\" aria-label=\"2 tickets\">2</span>"}},
				{Name: "edit page keeps the order", Who: ag, Method: "GET", Path: "/views/" + strings.TrimPrefix(goldKey, "v"), Status: 200,
					Want: []string{`value="field.plan" checked> <label for="f-columns-0">Plan</label>`, `name="order.subject" value="20"`, `name="position" type="number" min="0" max="1000000" value="7"`}},
				{Name: "edit refused", Who: ag, Method: "POST", Path: "/views/" + strings.TrimPrefix(goldKey, "v"), Status: 400,
					Form: url.Values{"name": {""}, "columns": {"subject"}}, Want: []string{"Check the marked fields.", "is required"}},
				{Name: "bad position refused", Who: ag, Method: "POST", Path: "/views/" + strings.TrimPrefix(goldKey, "v"), Status: 400,
					Form: url.Values{"name": {"x"}, "columns": {"subject"}, "position": {"first"}}, Want: []string{"must be a whole number", `href="#f-position"`}},
				{Name: "manager shares a view", Who: mgr, Method: "POST", Path: "/views", Status: 303, Location: "/tickets?view=v",
					Form: url.Values{"name": {"Silver desk"}, "query": {"field.plan:silver"}, "columns": {"subject", "requester"}, "shared": {"on"}}},
				{Name: "agent sees the shared view", Who: ag, Method: "GET", Path: "/tickets", Status: 200,
					Want: []string{"<h2>Shared views</h2>", `>Silver desk <span class="count" aria-label="1 tickets">1</span>`}},
			})
			_, list, _ = ag.Do(t, "GET", "/tickets", nil)
			silverKey := viewKey(t, list, "Silver desk")
			webtest.RunPages(t, []webtest.PageCase{
				{Name: "shared view opens for the agent", Who: ag, Method: "GET", Path: "/tickets?view=" + silverKey, Status: 200,
					Want: []string{fmt.Sprintf(`<a href="/tickets/%d">Silver customer asks</a>`, silver), "View settings"}, NotWant: []string{"Edit view"}},
				{Name: "shared view is read-only for the agent", Who: ag, Method: "GET", Path: "/views/" + strings.TrimPrefix(silverKey, "v"), Status: 200,
					Want: []string{"<fieldset class=\"plain\" disabled>", "Only those who may share views change a shared view."}, NotWant: []string{"Save view</button>", "Delete view"}},
				{Name: "agent cannot change it", Who: ag, Method: "POST", Path: "/views/" + strings.TrimPrefix(silverKey, "v"), Status: 403,
					Form: url.Values{"name": {"Mine"}, "columns": {"subject"}}},
				{Name: "agent cannot delete it", Who: ag, Method: "POST", Path: "/views/" + strings.TrimPrefix(silverKey, "v") + "/delete", Status: 403},
				{Name: "owner deletes", Who: ag, Method: "POST", Path: "/views/" + strings.TrimPrefix(goldKey, "v") + "/delete", Status: 303, Location: "/tickets"},
				{Name: "deleted view is gone", Who: ag, Method: "GET", Path: "/tickets?view=" + goldKey, Status: 404},
			})

			// In another language the sidebar and the editor are translated.
			if _, err := e.Sys.Agents.CreateAgent(t.Context(), authz.System, agent.AgentInput{Email: "nora@ombud.test", Name: "Nora", Role: authz.Agent, Locale: "nb", Password: apptest.Password}); err != nil {
				t.Fatal(err)
			}
			nb := webtest.SignInEmail(t, e, "nora@ombud.test")
			webtest.RunPages(t, []webtest.PageCase{
				{Name: "nb sidebar", Who: nb, Method: "GET", Path: "/tickets", Status: 200, Want: []string{"<h2>Delte visninger</h2>", "<h2>Mine visninger</h2>", "+ Ny visning"}},
				{Name: "nb editor", Who: nb, Method: "GET", Path: "/views/new", Status: 200, Want: []string{"<h1>Ny visning</h1>", "Sorter etter", "Saksnummer", "Lagre visningen"}},
			})

			// An admin drops the Silver option: the shared view's query no
			// longer compiles. The sidebar says so and the view explains why.
			_, fields := e.Do(t, authz.Admin, "GET", "/api/v1/custom-fields", nil)
			fid := num(fields["data"].([]any)[0].(map[string]any)["id"])
			if st, body := e.Do(t, authz.Admin, "PATCH", fmt.Sprintf("/api/v1/custom-fields/%d", fid), `{"options":["Gold"]}`); st != 200 {
				t.Fatalf("drop option: %d %v", st, body["_raw"])
			}
			webtest.RunPages(t, []webtest.PageCase{
				{Name: "stale view in the sidebar", Who: ag, Method: "GET", Path: "/tickets", Status: 200, Want: []string{`>Silver desk <span class="count" aria-label="– tickets">–</span>`}},
				{Name: "stale view explains", Who: ag, Method: "GET", Path: "/tickets?view=" + silverKey, Status: 400, Want: []string{"is not an option", "No tickets here."}},
			})
		})
	}
}

// viewKey finds a saved view's ?view= key in the sidebar by its name.
func viewKey(t *testing.T, page, name string) string {
	t.Helper()
	i := strings.Index(page, ">"+name+" <span")
	if i < 0 {
		t.Fatalf("no view %q in the sidebar", name)
	}
	j := strings.LastIndex(page[:i], `href="/tickets?view=`)
	if j < 0 {
		t.Fatalf("no link to view %q", name)
	}
	key := page[j+len(`href="/tickets?view=`):]
	return key[:strings.IndexByte(key, '"')]
}
