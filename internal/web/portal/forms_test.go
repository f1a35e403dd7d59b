package portal_test

import (
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/ombud/ombud/internal/app/apptest"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/web/webtest"
)

// testForms: request forms with custom fields and a condition, checked on
// the server, answers stored as the ticket's values, the form named on
// the ticket for agents; the API refuses a bad form naming the field.
func testForms(t *testing.T, e *apptest.Env, w world) {
	do := func(role authz.Role, method, path string, body any, want int) map[string]any {
		t.Helper()
		st, out := e.Do(t, role, method, path, body)
		if st != want {
			t.Fatalf("%s %s: %d, want %d: %v", method, path, st, want, out["_raw"])
		}
		return out
	}
	do(authz.Admin, "POST", "/api/v1/custom-fields", map[string]any{"key": "order_number", "label": "Order number", "type": "text"}, 201)
	do(authz.Admin, "POST", "/api/v1/custom-fields", map[string]any{"key": "return_reason", "label": "Return reason", "type": "dropdown",
		"options": []string{"Too small", "Wrong item", "Damaged"}}, 201)
	do(authz.Admin, "POST", "/api/v1/custom-fields", map[string]any{"key": "item_received", "label": "Item received", "type": "text"}, 201)
	// A condition on a field the form asks later is refused, by name.
	bad := do(authz.Admin, "POST", "/api/v1/portal/forms", map[string]any{"name": "Bad", "fields": []map[string]any{
		{"key": "item_received", "when": map[string]any{"field": "return_reason", "equals": "Wrong item"}}, {"key": "return_reason"}}}, 400)
	if !strings.Contains(fmt.Sprint(bad["error"]), "fields[0].when.field") {
		t.Errorf("a condition on a later field: %v", bad)
	}
	do(authz.Agent, "POST", "/api/v1/portal/forms", map[string]any{"name": "Not allowed"}, 403)
	ret := do(authz.Admin, "POST", "/api/v1/portal/forms", map[string]any{"name": "Return or exchange", "description": "Send something back.", "fields": []map[string]any{
		{"key": "order_number", "required": true, "label": "Order number (on your receipt)"},
		{"key": "return_reason", "required": true, "label": "Why?"},
		{"key": "item_received", "required": true, "when": map[string]any{"field": "return_reason", "equals": "Wrong item"}, "help": "The name on the label"},
	}}, 201)
	retID := int64(ret["id"].(float64))
	q := do(authz.Admin, "POST", "/api/v1/portal/forms", map[string]any{"name": "Question", "position": 1}, 201)
	var audited int
	if err := e.Sys.DB.QueryRowContext(t.Context(), `SELECT COUNT(*) FROM audit_log WHERE action = 'portal_form.create'`).Scan(&audited); err != nil || audited != 2 {
		t.Errorf("audited form creations: %d %v", audited, err)
	}

	anna := signIn(t, e, w, "anna@example.com")
	st, body, _ := anna.do(t, "GET", "/portal/requests/new", nil)
	if st != 200 || !strings.Contains(body, fmt.Sprintf(`href="/portal/requests/new?form=%d"`, retID)) || !strings.Contains(body, "Question") {
		t.Fatalf("the forms to choose from: %d\n%s", st, body)
	}
	st, body, _ = anna.do(t, "GET", fmt.Sprintf("/portal/requests/new?form=%d", retID), nil)
	if st != 200 || !strings.Contains(body, `name="cf_order_number"`) || !strings.Contains(body, `data-when="cf_return_reason" data-equals="Wrong item"`) ||
		!strings.Contains(body, "Order number (on your receipt)") {
		t.Fatalf("the return form: %d\n%s", st, body)
	}
	form := map[string]string{"form": strconv.FormatInt(retID, 10), "subject": "Wrong jacket", "description": "Not what I ordered.", "action": "submit",
		"cf_return_reason": "Wrong item"}
	// No order number and, the reason being "Wrong item", no item: both
	// refused beside their fields, nothing filed.
	st, body, _ = anna.multipart(t, "/portal/requests", form)
	if st != 400 || !strings.Contains(body, `id="cf_order_number-error"`) || !strings.Contains(body, `id="cf_item_received-error"`) ||
		!strings.Contains(body, `value="Wrong jacket"`) {
		t.Fatalf("a form without required answers: %d\n%s", st, body)
	}
	// Another reason: the item is not asked, and a value sent anyway is dropped.
	form["cf_return_reason"], form["cf_order_number"], form["cf_item_received"] = "Too small", " 5521 ", "ignored"
	st, _, loc := anna.multipart(t, "/portal/requests", form)
	if st != 303 || !strings.Contains(loc, "done=created") {
		t.Fatalf("a filled-in form: %d %q", st, loc)
	}
	id, _ := strconv.ParseInt(regexp.MustCompile(`/portal/requests/(\d+)`).FindStringSubmatch(loc)[1], 10, 64)
	cf, _ := ticketField(t, e, id, "custom_fields").(map[string]any)
	if cf["order_number"] != "5521" || cf["return_reason"] != "Too small" || cf["item_received"] != nil {
		t.Errorf("the ticket's field values: %v", cf)
	}
	if _, body, _ := anna.do(t, "GET", loc, nil); !strings.Contains(body, "Return or exchange") {
		t.Errorf("the request page does not name its form")
	}
	agent := webtest.SignIn(t, e, authz.Admin)
	if st, body, _ := agent.Do(t, "GET", fmt.Sprintf("/tickets/%d", id), nil); st != 200 || !strings.Contains(body, "form: Return or exchange") {
		t.Errorf("the agent's ticket page: %d", st)
	}
	// With "Wrong item" and the item, it files.
	form["cf_return_reason"], form["cf_item_received"] = "Wrong item", "Red scarf"
	anna.do(t, "GET", "/portal/requests/new", nil)
	if st, _, loc = anna.multipart(t, "/portal/requests", form); st != 303 {
		t.Fatalf("wrong item with the item: %d", st)
	}
	id, _ = strconv.ParseInt(regexp.MustCompile(`/portal/requests/(\d+)`).FindStringSubmatch(loc)[1], 10, 64)
	if cf, _ := ticketField(t, e, id, "custom_fields").(map[string]any); cf["item_received"] != "Red scarf" {
		t.Errorf("the item received: %v", cf)
	}
	// A request without a form while forms exist: choose one first.
	anna.do(t, "GET", "/portal/requests/new", nil)
	if st, body, _ := anna.multipart(t, "/portal/requests", map[string]string{"subject": "No form", "description": "x", "action": "submit"}); st != 200 ||
		!strings.Contains(body, "?form=") {
		t.Errorf("no form chosen: %d", st)
	}
	// With one form on, the page is that form.
	do(authz.Admin, "PATCH", fmt.Sprintf("/api/v1/portal/forms/%v", q["id"]), map[string]any{"enabled": false}, 200)
	if _, body, _ := anna.do(t, "GET", "/portal/requests/new", nil); !strings.Contains(body, `name="cf_order_number"`) {
		t.Errorf("the only form is not shown directly")
	}
	// A turned-off form takes nothing.
	anna.do(t, "GET", "/portal/requests/new", nil)
	if st, body, _ := anna.multipart(t, "/portal/requests", map[string]string{"form": fmt.Sprint(q["id"]), "subject": "Q", "description": "x", "action": "submit"}); st != 200 ||
		!strings.Contains(body, "Det skjemaet finnes ikke lenger") { // in Anna's Norwegian
		t.Errorf("a turned-off form: %d", st)
	}
}

// testOrgView: colleagues' requests only when the organization shares
// them; read and reply, never solve, never notes; everyone else: "not found".
func testOrgView(t *testing.T, e *apptest.Env, w world) {
	do := func(method, path string, body any, want int) map[string]any {
		t.Helper()
		st, out := e.Do(t, authz.Admin, method, path, body)
		if st != want {
			t.Fatalf("%s %s: %d %v", method, path, st, out["_raw"])
		}
		return out
	}
	id := func(m map[string]any) int64 { return int64(m["id"].(float64)) }
	org := id(do("POST", "/api/v1/organizations", map[string]any{"name": "Fjord AS"}, 201))
	do("POST", "/api/v1/customers", map[string]any{"name": "Cato Fjord", "emails": []string{"cato@fjord.example"}, "organization_id": org}, 201)
	dina := id(do("POST", "/api/v1/customers", map[string]any{"name": "Dina Fjord", "emails": []string{"dina@fjord.example"}, "organization_id": org}, 201))
	tk := id(do("POST", "/api/v1/tickets", map[string]any{"subject": "Fjord invoice 12", "description": "Dina asks.", "requester_id": dina}, 201))
	do("POST", fmt.Sprintf("/api/v1/tickets/%d/comments", tk), map[string]any{"body": "Secret note about Fjord.", "public": false}, 201)
	do("POST", fmt.Sprintf("/api/v1/tickets/%d/comments", tk), map[string]any{"body": "Invoice 12 is corrected."}, 201)
	path := fmt.Sprintf("/portal/requests/%d", tk)
	hidden := func(c *client, who string) {
		t.Helper()
		for _, p := range []string{path, "/portal/organization"} {
			if st, body, _ := c.do(t, "GET", p, nil); st != 404 || strings.Contains(body, "Fjord invoice") {
				t.Errorf("%s GET %s: %d", who, p, st)
			}
		}
		c.do(t, "GET", "/portal/requests", nil)
		if st, _, _ := c.post(t, path+"/reply", url.Values{"body": {"let me in"}}); st != 404 {
			t.Errorf("%s replied: %d", who, st)
		}
	}
	cato := signIn(t, e, w, "cato@fjord.example")
	hidden(cato, "Cato, not shared")
	do("PATCH", fmt.Sprintf("/api/v1/organizations/%d", org), map[string]any{"portal_shared": true}, 200)
	st, body, _ := cato.do(t, "GET", "/portal/organization", nil)
	if st != 200 || !strings.Contains(body, "Fjord invoice 12") || !strings.Contains(body, "Dina Fjord") || !strings.Contains(body, `href="/portal/organization"`) {
		t.Fatalf("Cato's organization view: %d\n%s", st, body)
	}
	st, body, _ = cato.do(t, "GET", path, nil)
	if st != 200 || !strings.Contains(body, "Invoice 12 is corrected.") || strings.Contains(body, "Secret note") || strings.Contains(body, "/solve") {
		t.Fatalf("Cato on Dina's request: %d\n%s", st, body)
	}
	if st, _, _ := cato.multipart(t, path+"/reply", map[string]string{"body": "I am Dina's colleague; thanks."}); st != 303 {
		t.Errorf("Cato's reply: %d", st)
	}
	cato.do(t, "GET", path, nil)
	if st, _, _ := cato.post(t, path+"/solve", nil); st != 404 || ticketField(t, e, tk, "status") == "solved" {
		t.Errorf("Cato solved Dina's request: %d", st)
	}
	// Anna (no organization) and Bo see nothing of it, shared or not.
	hidden(signIn(t, e, w, "anna@example.com"), "Anna")
	hidden(signIn(t, e, w, "bo@example.com"), "Bo")
	// Dina sees her colleague's reply, named.
	dinaC := signIn(t, e, w, "dina@fjord.example")
	if _, body, _ := dinaC.do(t, "GET", path, nil); !strings.Contains(body, "Cato Fjord") || !strings.Contains(body, "colleague; thanks") {
		t.Errorf("Dina's view of Cato's reply")
	}
	// Unshared again: gone.
	do("PATCH", fmt.Sprintf("/api/v1/organizations/%d", org), map[string]any{"portal_shared": false}, 200)
	hidden(cato, "Cato, unshared")
}

// testFormsAdmin: the editor adds a form asking two fields, one under a
// condition; refuses a condition on a field asked later, by the field's
// key; shows read-only to a role without channel.write; deletes.
func testFormsAdmin(t *testing.T, e *apptest.Env) {
	admin := webtest.SignIn(t, e, authz.Admin)
	if st, body, _ := admin.Do(t, "GET", "/admin/portal-forms", nil); st != 200 || !strings.Contains(body, "Return or exchange") || !strings.Contains(body, `name="ask_order_number"`) {
		t.Fatalf("the forms page: %d", st)
	}
	form := url.Values{"name": {"Exchange"}, "enabled": {"on"}, "position": {"3"}, "key": {"order_number", "return_reason", "item_received"},
		"ask_order_number": {"on"}, "pos_order_number": {"2"}, "req_order_number": {"on"}, "label_order_number": {"Order"},
		"ask_item_received": {"on"}, "pos_item_received": {"1"}, "when_item_received": {"order_number"}, "eq_item_received": {"1"}}
	// The item is placed first but depends on the order number: refused.
	if st, body, _ := admin.Do(t, "POST", "/admin/portal-forms", form); st != 422 || !strings.Contains(body, "item_received.when.field") {
		t.Fatalf("a condition on a later field: %d\n%s", st, body)
	}
	form.Set("pos_item_received", "3")
	st, _, loc := admin.Do(t, "POST", "/admin/portal-forms", form)
	if st != 303 || !strings.Contains(loc, "saved=1") {
		t.Fatalf("add a form: %d %q", st, loc)
	}
	id := strings.TrimSuffix(strings.TrimPrefix(loc, "/admin/portal-forms/"), "?saved=1")
	_, f := e.Do(t, authz.Admin, "GET", "/api/v1/portal/forms/"+id, nil)
	fs, _ := f["fields"].([]any)
	if len(fs) != 2 || fs[0].(map[string]any)["label"] != "Order" || fs[1].(map[string]any)["when"].(map[string]any)["field"] != "order_number" {
		t.Fatalf("the form as saved: %v", f)
	}
	if st, body, _ := webtest.SignIn(t, e, authz.Agent).Do(t, "GET", "/admin/portal-forms/"+id, nil); st == 200 && strings.Contains(body, `id="form-editor"`) {
		t.Errorf("an agent gets the editor")
	}
	if st, _, _ := admin.Do(t, "POST", "/admin/portal-forms/"+id+"/delete", nil); st != 303 {
		t.Errorf("delete: %d", st)
	}
	if st, _ := e.Do(t, authz.Admin, "GET", "/api/v1/portal/forms/"+id, nil); st != 404 {
		t.Errorf("after delete: %d", st)
	}
}
