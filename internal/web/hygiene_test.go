package web_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/ombud/ombud/internal/app/apptest"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/dbtest"
	"github.com/ombud/ombud/internal/web"
	"github.com/ombud/ombud/internal/web/webtest"
)

// hygieneCase is one malformed request and the answer it must get. The
// table is where bad-input cases go: add one for every new kind of input.
type hygieneCase struct {
	name   string
	role   authz.Role
	method string
	path   string
	ctype  string // Content-Type; "" sends none
	body   string
	status int
	field  string // an error field that must be named ("" = none required)
}

// send makes one request with an exact body and content type and returns
// the status, the raw reply and its decoded JSON (nil when not JSON).
func send(t *testing.T, e *apptest.Env, role authz.Role, method, path, ctype, body string) (int, string, map[string]any) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, e.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	if role != "" {
		req.Header.Set("Authorization", "Bearer "+e.Tokens[role])
	}
	resp, err := e.Client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var out map[string]any
	if json.Unmarshal(raw, &out) != nil {
		out = nil
	}
	return resp.StatusCode, string(raw), out
}

const jsonType = "application/json"

func TestInputHygiene(t *testing.T) {
	for _, engine := range dbtest.Engines {
		t.Run(engine.String(), func(t *testing.T) {
			e := apptest.New(t, engine)
			id := webtest.CreateTicket(t, e, "Hygiene")
			tp := fmt.Sprintf("/api/v1/tickets/%d", id)
			ticketWith := func(subject, description string) string {
				b, _ := json.Marshal(map[string]any{"subject": subject, "description": description, "requester": map[string]any{"email": "kari@example.no"}})
				return string(b)
			}
			tests := []hygieneCase{
				// Query strings are parsed strictly.
				{"query bad escape in a value", authz.Agent, "GET", "/api/v1/tickets?cursor=%%%garbage", "", "", 400, "cursor"},
				{"query bad escape in a name", authz.Agent, "GET", "/api/v1/tickets?%zz=1", "", "", 400, "query"},
				{"query bad escape on a report", authz.Manager, "GET", "/api/v1/reports/overview?from=2026-01-01%", "", "", 400, "from"},
				{"query repeated parameter", authz.Agent, "GET", "/api/v1/tickets?limit=5&limit=6", "", "", 400, "limit"},
				{"query repeated empty parameter", authz.Agent, "GET", "/api/v1/customers?q=&q=x", "", "", 400, "q"},
				{"query semicolon separator", authz.Agent, "GET", "/api/v1/tickets?limit=5;cursor=x", "", "", 400, "query"},
				{"query invalid UTF-8", authz.Agent, "GET", "/api/v1/customers?q=%ff", "", "", 400, "q"},
				{"query fine", authz.Agent, "GET", "/api/v1/tickets?limit=5&status=new,open", "", "", 200, ""},

				// JSON endpoints take JSON; raw uploads refuse forms.
				{"form to a JSON endpoint", authz.Agent, "POST", "/api/v1/tickets", "application/x-www-form-urlencoded", `{"subject":"x"}`, 415, ""},
				{"text to a JSON endpoint", authz.Agent, "POST", "/api/v1/customers", "text/plain", `{"name":"x"}`, 415, ""},
				{"form to the upload", authz.Agent, "POST", "/api/v1/attachments?filename=a.txt", "application/x-www-form-urlencoded", "hello", 415, ""},
				{"multipart to the upload", authz.Agent, "POST", "/api/v1/attachments?filename=a.txt", "multipart/form-data; boundary=x", "--x--", 415, ""},
				{"form to the import", authz.Admin, "POST", "/api/v1/import", "application/x-www-form-urlencoded", `{"kind":"team","team":{"name":"x"}}`, 415, ""},
				{"text/html to the import", authz.Admin, "POST", "/api/v1/import", "text/html", `{"kind":"team","team":{"name":"x"}}`, 415, ""},
				{"upload with a file type", authz.Agent, "POST", "/api/v1/attachments?filename=a.txt", "text/plain", "hello", 201, ""},

				// JSON must be valid UTF-8.
				{"invalid UTF-8 in JSON", authz.Agent, "POST", "/api/v1/tickets", jsonType, `{"subject":"caf` + "\xe9" + `","description":"y","requester":{"email":"a@b.no"}}`, 400, "body"},
				{"invalid UTF-8 in a patch", authz.Agent, "PATCH", tp, jsonType, `{"subject":"` + "\xff\xfe" + `"}`, 400, "body"},

				// The text rule: single-line fields, bodies.
				{"subject with a line break", authz.Agent, "POST", "/api/v1/tickets", jsonType, ticketWith("a\nb", "y"), 400, "subject"},
				{"subject with CR", authz.Agent, "PATCH", tp, jsonType, `{"subject":"a\rBcc: x"}`, 400, "subject"},
				{"subject with a tab", authz.Agent, "PATCH", tp, jsonType, `{"subject":"a\tb"}`, 400, "subject"},
				{"subject with a bell", authz.Agent, "PATCH", tp, jsonType, `{"subject":"a\u0007b"}`, 400, "subject"},
				{"subject with a bidi override", authz.Agent, "PATCH", tp, jsonType, `{"subject":"invoice\u202Efdp.exe"}`, 400, "subject"},
				{"subject with a bidi isolate", authz.Agent, "PATCH", tp, jsonType, `{"subject":"a\u2067b"}`, 400, "subject"},
				{"subject with a C1 control", authz.Agent, "PATCH", tp, jsonType, `{"subject":"a\u0085b"}`, 400, "subject"},
				{"subject with a line separator", authz.Agent, "PATCH", tp, jsonType, `{"subject":"a\u2028b"}`, 400, "subject"},
				{"subject in Arabic with marks", authz.Agent, "PATCH", tp, jsonType, `{"subject":"طلب \u200fرقم 5"}`, 200, ""},
				{"description with an escape", authz.Agent, "POST", "/api/v1/tickets", jsonType, ticketWith("x", "a\x1b[31mred"), 400, "description"},
				{"description with tabs and lines", authz.Agent, "POST", "/api/v1/tickets", jsonType, ticketWith("x", "a\tb\r\nc\n"), 201, ""},
				{"requester name with a bidi override", authz.Agent, "POST", "/api/v1/tickets", jsonType, `{"subject":"x","description":"y","requester":{"email":"a@b.no","name":"\u202Eevil"}}`, 400, "requester.name"},
				{"comment with a control", authz.Agent, "POST", tp + "/comments", jsonType, `{"body":"a\u0008b","public":false}`, 400, "body"},
				{"comment HTML with a control", authz.Agent, "POST", tp + "/comments", jsonType, `{"html":"<p>a\u000bb</p>","public":false}`, 400, "body"},
				{"comment with a bidi override", authz.Agent, "POST", tp + "/comments", jsonType, `{"body":"שלום \u202B עולם","public":false}`, 201, ""},
				{"tag with a bidi override", authz.Agent, "PATCH", tp, jsonType, `{"add_tags":["vip\u202E"]}`, 400, "add_tags[0]"},
				{"customer name with a newline", authz.Agent, "POST", "/api/v1/customers", jsonType, `{"name":"Kari\nNordmann"}`, 400, "name"},
				{"customer name with a bidi override", authz.Agent, "POST", "/api/v1/customers", jsonType, `{"name":"\u202Dkari"}`, 400, "name"},
				{"organization name with a control", authz.Agent, "POST", "/api/v1/organizations", jsonType, `{"name":"Acme\u001f"}`, 400, "name"},
				{"organization name with a bidi isolate", authz.Agent, "POST", "/api/v1/organizations", jsonType, `{"name":"Acme\u2066"}`, 400, "name"},
				{"agent name with a newline", authz.Admin, "POST", "/api/v1/agents", jsonType, `{"email":"n@ombud.test","name":"A\nB","role":"agent"}`, 400, "name"},
				{"team name with a bidi override", authz.Admin, "POST", "/api/v1/teams", jsonType, `{"name":"Support\u202E"}`, 400, "name"},
				{"view name with a newline", authz.Agent, "POST", "/api/v1/views", jsonType, `{"name":"a\nb","query":"status:open"}`, 400, "name"},
				{"macro name with a bidi override", authz.Agent, "POST", "/api/v1/macros", jsonType, `{"name":"\u202Ex","body":"Hello"}`, 400, "name"},
				{"macro body with a control", authz.Agent, "POST", "/api/v1/macros", jsonType, `{"name":"x","body":"a\u0007"}`, 400, "body"},
				{"trigger name with a newline", authz.Admin, "POST", "/api/v1/triggers", jsonType, `{"name":"a\nb","conditions":{"all":[{"field":"status","op":"is","value":"new"}]},"actions":[{"type":"set_priority","value":"high"}]}`, 400, "name"},
				{"custom field label with a control", authz.Admin, "POST", "/api/v1/custom-fields", jsonType, `{"key":"k1","label":"a\u0007","type":"text"}`, 400, "label"},
				{"SLA policy name with a bidi override", authz.Admin, "POST", "/api/v1/sla-policies", jsonType, `{"name":"\u202Ep","targets":{"urgent":{"first_reply":"1h"}}}`, 400, "name"},
				{"calendar name with a newline", authz.Admin, "POST", "/api/v1/business-calendars", jsonType, `{"name":"a\nb","time_zone":"UTC","schedule":{"mon":[{"start":"08:00","end":"16:00"}]}}`, 400, "name"},

				// Report periods are bounded; no 200 carries an error.
				{"report far future", authz.Manager, "GET", "/api/v1/reports/overview?to=9999-12-31", "", "", 400, "to"},
				{"report far future RFC 3339", authz.Manager, "GET", "/api/v1/reports/overview?from=9999-12-01T00:00:00Z&to=9999-12-31T00:00:00Z", "", "", 400, "to"},
				{"report from far future", authz.Manager, "GET", "/api/v1/reports/overview?from=2300-01-01", "", "", 400, "from"},
				{"report before 1970", authz.Manager, "GET", "/api/v1/reports/series?from=1969-12-01&to=1969-12-31", "", "", 400, "from"},
				{"report far future CSV", authz.Manager, "GET", "/api/v1/reports/breakdown?by=team&to=9999-12-31&format=csv", "", "", 400, "to"},
				{"facts far future", authz.Manager, "GET", "/api/v1/reports/facts?to=9999-12-31", "", "", 400, "to"},
				{"events far future CSV", authz.Manager, "GET", "/api/v1/reports/events?to=9999-12-31&format=csv", "", "", 400, "to"},
				{"report from after to", authz.Manager, "GET", "/api/v1/reports/overview?from=2026-02-01&to=2026-01-01", "", "", 400, "to"},
				{"ticket list far future", authz.Agent, "GET", "/api/v1/tickets?created_to=9999-12-31", "", "", 200, ""},
			}
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					st, raw, reply := send(t, e, tt.role, tt.method, tt.path, tt.ctype, tt.body)
					if st != tt.status {
						t.Fatalf("status %d, want %d: %s", st, tt.status, raw)
					}
					if st < 400 {
						if strings.Contains(raw, `"error"`) {
							t.Fatalf("a %d answer carries an error: %s", st, raw)
						}
						return
					}
					errObj, ok := reply["error"].(map[string]any)
					if !ok || errObj["code"] == "" || errObj["message"] == "" {
						t.Fatalf("error body has not the error shape: %s", raw)
					}
					if tt.field != "" {
						fields, _ := errObj["fields"].(map[string]any)
						if _, ok := fields[tt.field]; !ok {
							t.Fatalf("error fields %v lack %q", fields, tt.field)
						}
					}
				})
			}
		})
	}
}

// TestFormsRefusedByJSONRoutes sends a form body to every API route that
// takes a JSON body: each answers 415 before reading it, whatever its path
// parameters name.
func TestFormsRefusedByJSONRoutes(t *testing.T) {
	e := apptest.New(t, dbtest.Engines[0])
	for _, rt := range (&web.Server{}).Routes() {
		if rt.Request == nil || !strings.HasPrefix(rt.Path, "/api/") {
			continue
		}
		path := param.ReplaceAllString(rt.Path, "1")
		t.Run(rt.Method+" "+rt.Path, func(t *testing.T) {
			st, raw, _ := send(t, e, authz.Admin, rt.Method, path, "application/x-www-form-urlencoded", "name=x&subject=y")
			if st != http.StatusUnsupportedMediaType {
				t.Fatalf("status %d, want 415: %s", st, raw)
			}
		})
	}
}

// TestImportCleansText: history imported from another helpdesk is cleaned
// to the text rule (a tab or control character in an old subject must not
// fail the import), while the same text from a person is refused.
func TestImportCleansText(t *testing.T) {
	e := apptest.New(t, dbtest.Engines[0])
	rec := map[string]any{"kind": "ticket", "ticket": map[string]any{
		"subject": "Old\tsubject\u0007 \u202Efdp.exe", "requester": "old@example.no", "requester_name": "Old\u202E Customer",
		"channel": "email", "priority": "normal", "type": "question",
		"timeline": []map[string]any{
			{"at": "2025-01-02T10:00:00Z", "actor": "customer:old@example.no", "do": "comment", "body": "Hello\u0007\fthere", "public": true},
			{"at": "2025-01-02T11:00:00Z", "actor": "customer:old@example.no", "do": "comment", "body": "Again\u001b", "public": true},
		},
	}}
	line, _ := json.Marshal(rec)
	st, raw, reply := send(t, e, authz.Admin, "POST", "/api/v1/import", "application/x-ndjson", string(line)+"\n")
	if st != http.StatusOK || reply["imported"] != 1.0 {
		t.Fatalf("import: %d %s", st, raw)
	}
	st, body := e.Do(t, authz.Agent, "GET", "/api/v1/tickets?limit=1&sort=created", nil)
	if st != http.StatusOK {
		t.Fatalf("list: %d %v", st, body["_raw"])
	}
	tk := body["data"].([]any)[0].(map[string]any)
	if tk["subject"] != "Old subject fdp.exe" {
		t.Errorf("subject %q", tk["subject"])
	}
	if name := tk["requester"].(map[string]any)["name"]; name != "Old Customer" {
		t.Errorf("requester name %q", name)
	}
	st, body = e.Do(t, authz.Agent, "GET", fmt.Sprintf("/api/v1/tickets/%d/comments", int64(tk["id"].(float64))), nil)
	if st != http.StatusOK {
		t.Fatalf("comments: %d %v", st, body["_raw"])
	}
	for _, c := range body["data"].([]any) {
		if b := c.(map[string]any)["body"].(string); strings.ContainsAny(b, "\u0007\u001b\f") {
			t.Errorf("comment body %q", b)
		}
	}
}

// TestUnattachedUploadsPrivate: an upload not yet attached to a comment is
// its uploader's alone — another agent can neither download it (404) nor
// attach it to a comment or a new ticket of theirs (400) — and once the
// uploader attaches it, everyone who reads the ticket may download it.
func TestUnattachedUploadsPrivate(t *testing.T) {
	for _, engine := range dbtest.Engines {
		t.Run(engine.String(), func(t *testing.T) {
			e := apptest.New(t, engine)
			id := webtest.CreateTicket(t, e, "Uploads")
			tp := fmt.Sprintf("/api/v1/tickets/%d", id)
			st, raw, up := send(t, e, authz.Agent, "POST", "/api/v1/attachments?filename=secret.txt", "text/plain", "payroll")
			if st != http.StatusCreated {
				t.Fatalf("upload: %d %s", st, raw)
			}
			ap := fmt.Sprintf("/api/v1/attachments/%d", int64(up["id"].(float64)))
			ids := fmt.Sprintf(`[%d]`, int64(up["id"].(float64)))
			steps := []hygieneCase{
				{"uploader downloads", authz.Agent, "GET", ap, "", "", 200, ""},
				{"another agent gets 404", authz.Manager, "GET", ap, "", "", 404, ""},
				{"an admin gets 404", authz.Admin, "GET", ap, "", "", 404, ""},
				{"another agent cannot attach it to a comment", authz.Manager, "POST", tp + "/comments", jsonType, `{"body":"mine now","public":false,"attachment_ids":` + ids + `}`, 400, "attachment_ids[0]"},
				{"another agent cannot attach it to a new ticket", authz.Manager, "POST", "/api/v1/tickets", jsonType, `{"subject":"x","description":"y","requester":{"email":"a@b.no"},"attachment_ids":` + ids + `}`, 400, "attachment_ids[0]"},
				{"still private", authz.Manager, "GET", ap, "", "", 404, ""},
				{"the uploader attaches it", authz.Agent, "POST", tp + "/comments", jsonType, `{"body":"see file","public":false,"attachment_ids":` + ids + `}`, 201, ""},
				{"now another agent downloads it", authz.Manager, "GET", ap, "", "", 200, ""},
				{"and cannot attach it again", authz.Agent, "POST", tp + "/comments", jsonType, `{"body":"again","public":false,"attachment_ids":` + ids + `}`, 400, "attachment_ids[0]"},
			}
			for _, tt := range steps {
				st, raw, reply := send(t, e, tt.role, tt.method, tt.path, tt.ctype, tt.body)
				if st != tt.status {
					t.Fatalf("%s: status %d, want %d: %s", tt.name, st, tt.status, raw)
				}
				if tt.field != "" {
					fields, _ := reply["error"].(map[string]any)["fields"].(map[string]any)
					if _, ok := fields[tt.field]; !ok {
						t.Fatalf("%s: error fields %v lack %q", tt.name, fields, tt.field)
					}
				}
			}
		})
	}
}
