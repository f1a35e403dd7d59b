package web_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/ombud/ombud/internal/app/apptest"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/i18n"
	"github.com/ombud/ombud/internal/web"
	"github.com/ombud/ombud/internal/web/webtest"
)

// oversize is more elements than any list of any endpoint accepts.
const oversize = 10_001

// listField is one list-valued (slice or map) JSON field of a request type,
// named by its dotted JSON path ("patch.tags", "conditions.all").
type listField struct {
	path string
	typ  reflect.Type
}

var unmarshaler = reflect.TypeFor[json.Unmarshaler]()

// listFields finds the slices and maps of a request type, through nested
// objects (not through list elements: their own lists are limited by the
// list that holds them).
func listFields(t reflect.Type, prefix string, depth int) []listField {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if depth > 4 || reflect.PointerTo(t).Implements(unmarshaler) {
		return nil
	}
	switch t.Kind() {
	case reflect.Slice, reflect.Map:
		return []listField{{path: prefix, typ: t}}
	case reflect.Struct:
		var out []listField
		for i := range t.NumField() {
			f := t.Field(i)
			tag := f.Tag.Get("json")
			name, _, _ := strings.Cut(tag, ",")
			if !f.IsExported() || name == "-" {
				continue
			}
			if f.Anonymous && tag == "" {
				out = append(out, listFields(f.Type, prefix, depth+1)...)
				continue
			}
			if name == "" {
				name = f.Name
			}
			p := name
			if prefix != "" {
				p = prefix + "." + name
			}
			out = append(out, listFields(f.Type, p, depth+1)...)
		}
		return out
	}
	return nil
}

// element is a plausible i-th element for a list named name: distinct,
// and well-formed where the name says what it holds, so a validator that
// only checks elements lets the list through to the database.
func element(name string, t reflect.Type, i int) any {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.String:
		switch name {
		case "emails", "aliases":
			return fmt.Sprintf("u%d@example.com", i)
		case "phones":
			return fmt.Sprintf("+4790%06d", i)
		case "domains":
			return fmt.Sprintf("d%d.example.com", i)
		case "skills":
			return fmt.Sprintf("lang:x%d", i)
		}
		return fmt.Sprintf("x%d", i)
	case reflect.Int, reflect.Int32, reflect.Int64:
		return i + 1
	case reflect.Struct:
		if name == "handles" {
			return map[string]any{"type": "chat", "value": fmt.Sprintf("h%d", i)}
		}
		return map[string]any{}
	case reflect.Slice:
		return []any{}
	}
	return nil
}

// oversizeBody is a request body whose field at path holds oversize elements.
func oversizeBody(f listField) map[string]any {
	parts := strings.Split(f.path, ".")
	last := parts[len(parts)-1]
	var v any
	if f.typ.Kind() == reflect.Map {
		m := make(map[string]any, oversize)
		for i := range oversize {
			m[fmt.Sprintf("k%d", i)] = element(last, f.typ.Elem(), i)
		}
		v = m
	} else {
		s := make([]any, oversize)
		for i := range s {
			s[i] = element(last, f.typ.Elem(), i)
		}
		v = s
	}
	body := map[string]any{}
	cur := body
	for _, p := range parts[:len(parts)-1] {
		next := map[string]any{}
		cur[p] = next
		cur = next
	}
	cur[last] = v
	return body
}

// limitFixtures creates one of each resource a route with a list field
// changes, so that PATCH and PUT reach their validation rather than a 404.
func limitFixtures(t *testing.T, e *apptest.Env) map[string]string {
	t.Helper()
	create := func(path string, body any) string {
		t.Helper()
		st, reply := e.Do(t, authz.Admin, "POST", path, body)
		if st != http.StatusCreated {
			t.Fatalf("fixture %s: %d %v", path, st, reply["_raw"])
		}
		return fmt.Sprint(int64(reply["id"].(float64)))
	}
	day := []map[string]string{{"start": "09:00", "end": "17:00"}}
	team := create("/api/v1/teams", map[string]any{"name": "Limits"})
	card := create("/api/v1/qa/scorecards", map[string]any{"name": "Limits", "categories": []map[string]any{{"name": "Accuracy", "weight": 1, "scale": "five"}}})
	qaTicket := create("/api/v1/tickets", map[string]any{"subject": "Limits", "description": "QA", "assignee_id": e.Agents[authz.Agent].ID,
		"requester": map[string]any{"email": "limits-qa@example.com"}})
	review := create("/api/v1/qa/reviews", map[string]any{"ticket_id": json.Number(qaTicket), "scorecard_id": json.Number(card)})
	names := map[string]any{"names": []map[string]string{{"language": "en", "name": "Limits"}}}
	category := create("/api/v1/kb/categories", names)
	var section int64
	fmt.Sscan(create("/api/v1/kb/categories/"+category+"/sections", names), &section)
	return map[string]string{
		"kb/categories":      category,
		"articles":           create("/api/v1/articles", map[string]any{"section_id": section, "language": "en", "title": "Limits"}),
		"tickets":            fmt.Sprint(webtest.CreateTicket(t, e, "Limits")),
		"views":              create("/api/v1/views", map[string]any{"name": "Limits", "query": "status:open"}),
		"triggers":           create("/api/v1/triggers", map[string]any{"name": "Limits", "conditions": map[string]any{"all": []map[string]any{{"field": "event", "op": "is", "value": "created"}}}, "actions": []map[string]any{{"type": "add_tags", "value": []string{"x"}}}}),
		"automations":        create("/api/v1/automations", map[string]any{"name": "Limits", "conditions": map[string]any{"all": []map[string]any{{"field": "hours_since_updated", "op": "gt", "value": 48}}}, "actions": []map[string]any{{"type": "add_tags", "value": []string{"x"}}}}),
		"macros":             create("/api/v1/macros", map[string]any{"name": "Limits", "body": "Hello", "actions": []map[string]any{{"type": "set_status", "value": "pending"}}}),
		"business-calendars": create("/api/v1/business-calendars", map[string]any{"name": "Limits", "time_zone": "Europe/Oslo", "schedule": map[string]any{"mon": day}}),
		"sla-policies":       create("/api/v1/sla-policies", map[string]any{"name": "Limits", "targets": map[string]any{"normal": map[string]any{"first_reply": "1h"}}}),
		"custom-fields":      create("/api/v1/custom-fields", map[string]any{"key": "limits", "label": "Limits", "type": "dropdown", "options": []string{"a"}}),
		"customers":          create("/api/v1/customers", map[string]any{"name": "Limits", "emails": []string{"limits@example.com"}}),
		"organizations":      create("/api/v1/organizations", map[string]any{"name": "Limits", "domains": []string{"limits.example"}}),
		"agents":             fmt.Sprint(e.Agents[authz.Agent].ID),
		"teams":              team,
		"routing/teams":      team,
		"mailboxes":          create("/api/v1/mailboxes", map[string]any{"address": "limits@example.com", "name": "Limits"}),
		"nps/campaigns":      create("/api/v1/nps/campaigns", map[string]any{"name": "Limits", "start_at": "2099-01-01T00:00:00Z"}),
		"pulse/surveys":      create("/api/v1/pulse/surveys", map[string]any{"title": "Limits"}),
		"qa/scorecards":      card,
		"qa/reviews":         review,
		"chat/invitations":   create("/api/v1/chat/invitations", map[string]any{"name": "Limits", "messages": map[string]string{"en": "Hi"}}),
		"portal/forms":       create("/api/v1/portal/forms", map[string]any{"name": "Limits"}),
		"webhooks":           create("/api/v1/webhooks", map[string]any{"name": "Limits", "url": "https://hooks.example.com/limits", "events": []string{"ticket.created"}}),
	}
}

// fillPath puts the fixture's id for the path's resource into its {…}.
func fillPath(t *testing.T, path string, ids map[string]string) string {
	rest := strings.TrimPrefix(path, "/api/v1/")
	if zendeskPath(path) {
		// The Zendesk-compatible routes: its users are customers here.
		rest = strings.Replace(strings.TrimPrefix(path, "/api/v2/"), "users/", "customers/", 1)
	}
	res, _, ok := strings.Cut(rest, "/{")
	if !ok {
		return path
	}
	id, ok := ids[res]
	if !ok {
		t.Fatalf("no fixture for %s", path)
	}
	return param.ReplaceAllString(path, id)
}

func zendeskPath(path string) bool { return strings.HasPrefix(path, "/api/v2/") }

// namesField reports whether the error fields name path or an object that
// holds it ("conditions" for "conditions.all").
func namesField(fields map[string]any, path string) bool {
	for k := range fields {
		if k == path || strings.HasPrefix(path, k+".") {
			return true
		}
	}
	return false
}

// TestOversizeLists sends every list-valued field of every JSON request type
// in the route table with 10,001 elements. Each must be refused at once
// with a 400 naming the field, before the service does any work with it: a
// single oversized write otherwise holds the database's one writer for
// seconds while tickets and mail wait.
func TestOversizeLists(t *testing.T) {
	e := apptest.New(t, db.SQLite)
	ids := limitFixtures(t, e)
	tr, err := i18n.New()
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, rt := range (&web.Server{}).Routes() {
		if rt.Request == nil {
			continue
		}
		if rt.Access == web.Public && strings.HasPrefix(rt.Path, "/api/v1/messaging/") {
			// The messaging webhooks: a body without the integration's
			// signature is refused (401) before it is parsed, and a signed
			// one is bounded by messaging.MaxBody and MaxMedia (its fuzz
			// tests and TestNeutralWindowAndIdentity).
			continue
		}
		for _, f := range listFields(reflect.TypeOf(rt.Request), "", 0) {
			n++
			t.Run(rt.Method+" "+rt.Path+" "+f.path, func(t *testing.T) {
				start := time.Now()
				body := oversizeBody(f)
				if rt.RequestMedia == "application/x-ndjson" {
					// An import line names its kind, the object's key.
					kind, _, _ := strings.Cut(f.path, ".")
					body["kind"] = kind
				}
				st, reply := e.Do(t, authz.Admin, rt.Method, fillPath(t, rt.Path, ids), body)
				took := time.Since(start)
				if zendeskPath(rt.Path) {
					// Zendesk's shape: 422 RecordInvalid, details by field
					// name without the body's wrapper ("ticket.tags": "tags").
					details, _ := reply["details"].(map[string]any)
					_, inner, _ := strings.Cut(f.path, ".")
					if st != http.StatusUnprocessableEntity || reply["error"] != "RecordInvalid" || !namesField(details, inner) {
						t.Fatalf("status %d, want 422 RecordInvalid naming %q: %.300s", st, inner, reply["_raw"])
					}
					return
				}
				if rt.RequestMedia == "application/x-ndjson" {
					// An import answers per line: the line is refused
					// naming the field, nothing imported (docs/api.md).
					errs, _ := reply["errors"].([]any)
					var fields map[string]any
					if len(errs) == 1 {
						first, _ := errs[0].(map[string]any)
						fields, _ = first["fields"].(map[string]any)
					}
					_, inner, _ := strings.Cut(f.path, ".")
					if st != http.StatusUnprocessableEntity || reply["imported"] != float64(0) || !(namesField(fields, inner) || namesField(fields, f.path)) {
						t.Fatalf("status %d, want 422 naming %q: %.300s", st, inner, reply["_raw"])
					}
					return
				}
				if st != http.StatusBadRequest {
					t.Fatalf("status %d, want 400: %.300s", st, reply["_raw"])
				}
				errObj, _ := reply["error"].(map[string]any)
				fields, _ := errObj["fields"].(map[string]any)
				if !namesField(fields, f.path) {
					t.Fatalf("the %d error fields do not name %q: %.300s", len(fields), f.path, reply["_raw"])
				}
				// The agent UI shows the same message beside the form
				// field, in the agent's language.
				for k, m := range fields {
					if msg, _ := m.(string); namesField(map[string]any{k: nil}, f.path) && !tr.Has(msg) {
						t.Errorf("message %q of %s is not in the i18n catalog", msg, k)
					}
				}
				// Refusing takes no database work; a generous bound for a
				// loaded machine still catches a write of 10,001 rows.
				if took > 2*time.Second {
					t.Errorf("took %v to refuse", took)
				}
			})
		}
	}
	if n < 30 {
		t.Fatalf("found only %d list fields in the route table's request types", n)
	}
}

// TestOversizeForms: the agent UI's forms that take lists reach the same
// limits through the services and show the refusal beside the form.
func TestOversizeForms(t *testing.T) {
	e := apptest.New(t, db.SQLite)
	ids := limitFixtures(t, e)
	admin := webtest.SignIn(t, e, authz.Admin)
	joined := func(n int, format, sep string) string {
		parts := make([]string, n)
		for i := range parts {
			parts[i] = fmt.Sprintf(format, i)
		}
		return strings.Join(parts, sep)
	}
	repeated := func(n int) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = fmt.Sprint(i + 1)
		}
		return out
	}
	tests := []struct {
		name, path string
		form       url.Values
		want       string
	}{
		{"customer emails", "/customers", url.Values{"name": {"Many"}, "emails": {joined(10_001, "u%d@example.com", ", ")}}, "at most 50 items"},
		{"organization domains", "/organizations", url.Values{"name": {"Many"}, "domains": {joined(10_001, "d%d.example.com", "\n")}}, "at most 100 items"},
		{"ticket tags", "/tickets/" + ids["tickets"], url.Values{"tags": {joined(10_001, "t%d", ",")}}, "at most 50 items"},
		{"bulk ids", "/tickets/bulk", url.Values{"ids": repeated(101), "priority": {"low"}, "back": {"/tickets"}}, "at most 100 items"},
		// Past the standard library's form parser (10,000 fields) the form
		// cannot be read at all: a 400, not a failed CSRF check.
		{"bulk ids past the form parser", "/tickets/bulk", url.Values{"ids": repeated(10_001), "priority": {"low"}}, "more than 10000 fields"},
		{"agent skills", "/admin/agents/" + ids["agents"], url.Values{"name": {"Test agent"}, "skills": {joined(10_001, "lang:x%d", ",")}}, "at most 50 items"},
		{"team members", "/admin/teams/" + ids["teams"], url.Values{"name": {"Limits"}, "agent_ids": repeated(1001)}, "at most 1000 items"},
		{"mailbox aliases", "/admin/mailboxes", url.Values{"address": {"many@example.com"}, "name": {"Many"}, "aliases": {joined(10_001, "a%d@example.com", ", ")}}, "at most 50 items"},
		{"dropdown options", "/admin/fields", url.Values{"key": {"many"}, "label": {"Many"}, "type": {"dropdown"}, "options": {joined(10_001, "o%d", "\n")}}, "at most 1000 items"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start := time.Now()
			st, body, _ := admin.Do(t, "POST", tt.path, tt.form)
			if st != http.StatusBadRequest {
				t.Fatalf("status %d, want 400\n%s", st, webtest.Excerpt(body))
			}
			if !strings.Contains(body, tt.want) {
				t.Errorf("page lacks %q\n%s", tt.want, webtest.Excerpt(body))
			}
			if took := time.Since(start); took > 2*time.Second {
				t.Errorf("took %v to refuse", took)
			}
		})
	}
}
