package web_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/ombud/ombud/internal/app/apptest"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/dbtest"
	"github.com/ombud/ombud/internal/web"
	"github.com/ombud/ombud/internal/web/webtest"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

// scenario is one API call and what must come back.
type scenario struct {
	name   string
	role   authz.Role
	method string
	path   string
	body   any
	status int
	field  string // an error field that must be named, or a top-level reply key that must exist
}

func TestAPIScenarios(t *testing.T) {
	for _, engine := range dbtest.Engines {
		t.Run(engine.String(), func(t *testing.T) {
			e := apptest.New(t, engine)
			id := webtest.CreateTicket(t, e, "Order late")
			tp := fmt.Sprintf("/api/v1/tickets/%d", id)
			big := strings.Repeat("x", 2<<20)
			tests := []scenario{
				{"get", authz.Agent, "GET", tp, nil, 200, "subject"},
				{"list", authz.Agent, "GET", "/api/v1/tickets?status=new&priority=high&tag=shipping&limit=10", nil, 200, "data"},
				{"list bad status", authz.Agent, "GET", "/api/v1/tickets?status=maybe", nil, 400, "status"},
				{"list bad limit", authz.Agent, "GET", "/api/v1/tickets?limit=1000", nil, 400, "limit"},
				{"list bad cursor", authz.Agent, "GET", "/api/v1/tickets?cursor=not-a-cursor!", nil, 400, "cursor"},
				{"list forged cursor", authz.Agent, "GET", "/api/v1/tickets?cursor=eyJpIjoxfQ", nil, 400, "cursor"},
				{"list unknown param", authz.Agent, "GET", "/api/v1/tickets?colour=red", nil, 400, "colour"},
				{"list bad date", authz.Agent, "GET", "/api/v1/tickets?created_from=yesterday", nil, 400, "created_from"},
				{"unknown ticket", authz.Agent, "GET", "/api/v1/tickets/999999", nil, 404, ""},
				{"non-numeric id", authz.Agent, "GET", "/api/v1/tickets/abc", nil, 404, ""},
				{"create malformed", authz.Agent, "POST", "/api/v1/tickets", `{"subject":`, 400, "body"},
				{"create unknown field", authz.Agent, "POST", "/api/v1/tickets", `{"subject":"x","colour":"red"}`, 400, "colour"},
				{"create wrong type", authz.Agent, "POST", "/api/v1/tickets", `{"subject":5}`, 400, "subject"},
				{"create bad enum", authz.Agent, "POST", "/api/v1/tickets", `{"subject":"x","description":"y","requester":{"email":"a@b.no"},"priority":"meh"}`, 400, "priority"},
				{"create missing requester", authz.Agent, "POST", "/api/v1/tickets", `{"subject":"x","description":"y"}`, 400, "requester"},
				{"create oversize", authz.Agent, "POST", "/api/v1/tickets", `{"subject":"` + big + `"}`, 413, ""},
				{"create wrong content type", authz.Agent, "POST", "/api/v1/tickets", nil, 400, ""},
				{"patch invalid transition", authz.Agent, "PATCH", tp, `{"status":"closed"}`, 422, "status"},
				{"patch bad enum", authz.Agent, "PATCH", tp, `{"type":"rant"}`, 400, "type"},
				{"patch nothing", authz.Agent, "PATCH", tp, `{}`, 400, "body"},
				{"patch unknown assignee", authz.Agent, "PATCH", tp, `{"assignee_id":987654}`, 400, "assignee_id"},
				{"comment", authz.Agent, "POST", tp + "/comments", `{"body":"We are on it.","status":"pending"}`, 201, "id"},
				{"comment empty", authz.Agent, "POST", tp + "/comments", `{"body":""}`, 400, "body"},
				{"qa cannot reply", authz.QAReviewer, "POST", tp + "/comments", `{"body":"hi"}`, 403, ""},
				{"qa can note", authz.QAReviewer, "POST", tp + "/comments", `{"body":"hi","public":false}`, 201, "id"},
				{"solve", authz.Agent, "PATCH", tp, `{"status":"solved"}`, 200, ""},
				{"solved to pending refused", authz.Agent, "PATCH", tp, `{"status":"pending"}`, 422, "status"},
				{"events", authz.Agent, "GET", tp + "/events", nil, 200, "data"},
				{"comments", authz.Agent, "GET", tp + "/comments", nil, 200, "data"},
				{"search", authz.Agent, "GET", "/api/v1/search?q=" + "status:solved%20order", nil, 200, "data"},
				{"search bad syntax", authz.Agent, "GET", "/api/v1/search?q=%22unterminated", nil, 400, "q"},
				{"search unknown field", authz.Agent, "GET", "/api/v1/search?q=colour:red", nil, 400, "q"},
				{"bulk too many", authz.Agent, "POST", "/api/v1/tickets/bulk", map[string]any{"ids": make([]int, 101), "patch": map[string]any{"priority": "low"}}, 400, "ids"},
				{"bulk bad patch", authz.Agent, "POST", "/api/v1/tickets/bulk", `{"ids":[1],"patch":{"priority":"meh"}}`, 400, "patch.priority"},
				{"merge self", authz.Agent, "POST", tp + "/merge", map[string]any{"source_id": id}, 400, "source_id"},
				{"merge missing", authz.Agent, "POST", tp + "/merge", `{}`, 400, "source_id"},
				{"custom field as agent", authz.Agent, "POST", "/api/v1/custom-fields", `{"key":"x","label":"X","type":"text"}`, 403, ""},
				{"custom field bad type", authz.Admin, "POST", "/api/v1/custom-fields", `{"key":"x","label":"X","type":"colour"}`, 400, "type"},
				{"custom field", authz.Admin, "POST", "/api/v1/custom-fields", `{"key":"order_no","label":"Order","type":"text"}`, 201, "id"},
				{"no token", "", "GET", "/api/v1/tickets", nil, 401, ""},
				{"import as agent", authz.Agent, "POST", "/api/v1/import", "", 403, ""},
				{"openapi", "", "GET", "/api/v1/openapi.json", nil, 200, "paths"},
				{"healthz", "", "GET", "/healthz", nil, 200, "status"},
				{"readyz", "", "GET", "/readyz", nil, 200, "status"},
				{"unknown api path", authz.Agent, "GET", "/api/v1/nothing", nil, 404, ""},
				{"NUL in a query", authz.Agent, "GET", "/api/v1/customers?q=a%00b", nil, 400, "q"},
				{"NUL in text", authz.Agent, "POST", "/api/v1/tickets", `{"subject":"a\u0000b","description":"y","requester":{"email":"a@b.no"}}`, 400, "body"},
				{"mailbox", authz.Admin, "POST", "/api/v1/mailboxes", `{"address":"support@example.com","name":"Support","smtp":{"host":"smtp.example.com"}}`, 201, "id"},
				{"mailbox duplicate", authz.Admin, "POST", "/api/v1/mailboxes", `{"address":"Support@Example.com","name":"Again"}`, 409, "address"},
				{"mailbox alias taken", authz.Admin, "POST", "/api/v1/mailboxes", `{"address":"billing@example.com","name":"Billing","aliases":["support@example.com"]}`, 409, "aliases[0]"},
				{"mailbox bad address", authz.Admin, "POST", "/api/v1/mailboxes", `{"address":"not an address","name":"X"}`, 400, "address"},
				{"mailbox plus address", authz.Admin, "POST", "/api/v1/mailboxes", `{"address":"a+b@example.com","name":"X"}`, 400, "address"},
				{"mailbox missing name", authz.Admin, "POST", "/api/v1/mailboxes", `{"address":"x@example.com"}`, 400, "name"},
				{"mailbox bad port", authz.Admin, "POST", "/api/v1/mailboxes", `{"address":"x@example.com","name":"X","smtp":{"host":"h","port":70000}}`, 400, "smtp.port"},
				{"mailbox bad security", authz.Admin, "POST", "/api/v1/mailboxes", `{"address":"x@example.com","name":"X","smtp":{"host":"h","security":"ssl3"}}`, 400, "smtp.security"},
				{"mailbox imap without password", authz.Admin, "POST", "/api/v1/mailboxes", `{"address":"x@example.com","name":"X","imap":{"host":"imap.example.com","username":"x"}}`, 400, "imap.password"},
				{"mailbox unknown team", authz.Admin, "POST", "/api/v1/mailboxes", `{"address":"x@example.com","name":"X","team_id":4242}`, 400, "team_id"},
				{"mailbox as agent", authz.Agent, "POST", "/api/v1/mailboxes", `{"address":"x@example.com","name":"X"}`, 403, ""},
				{"mailbox unknown", authz.Admin, "GET", "/api/v1/mailboxes/4242", nil, 404, ""},
				{"mailbox patch bad", authz.Admin, "PATCH", "/api/v1/mailboxes/1", `{"imap":{"host":"h","username":"u","password":"p","interval_seconds":1}}`, 400, "imap.interval_seconds"},
				{"mailbox password never shown", authz.Admin, "PATCH", "/api/v1/mailboxes/1", `{"smtp":{"host":"smtp.example.com","username":"u","password":"s3cret"}}`, 200, "smtp"},
				{"inbound bad state", authz.Admin, "GET", "/api/v1/inbound-messages?state=lost", nil, 400, "state"},
				{"inbound unknown", authz.Admin, "GET", "/api/v1/inbound-messages/4242", nil, 404, ""},
				{"original of a web comment", authz.Agent, "GET", tp + "/comments/1/original", nil, 404, ""},
				{"jobs bad state", authz.Admin, "GET", "/api/v1/jobs?state=lost", nil, 400, "state"},
				{"jobs", authz.Admin, "GET", "/api/v1/jobs", nil, 200, "data"},
				{"job unknown", authz.Admin, "GET", "/api/v1/jobs/4242", nil, 404, ""},
				{"job retry unknown", authz.Admin, "POST", "/api/v1/jobs/4242/retry", nil, 404, ""},
				{"jobs as manager", authz.Manager, "GET", "/api/v1/jobs", nil, 403, ""},
				{"invitation order empty", authz.Admin, "PUT", "/api/v1/chat/invitations/order", `{"ids":[]}`, 400, "ids"},
				{"invitation order wrong type", authz.Admin, "PUT", "/api/v1/chat/invitations/order", `{"ids":"1,2"}`, 400, "ids"},
				{"invitation order unknown rule", authz.Admin, "PUT", "/api/v1/chat/invitations/order", `{"ids":[4242]}`, 400, "ids"},
				{"invitation order as agent", authz.Agent, "PUT", "/api/v1/chat/invitations/order", `{"ids":[1]}`, 403, ""},
				{"chat pages bad pattern", authz.Admin, "PUT", "/api/v1/chat/pages", `{"show_on":["/shop/ x"]}`, 400, "show_on"},
				{"chat pages wrong type", authz.Admin, "PUT", "/api/v1/chat/pages", `{"hide_on":"/x"}`, 400, "hide_on"},
				{"chat pages as agent", authz.Agent, "PUT", "/api/v1/chat/pages", `{"show_on":[]}`, 403, ""},
				{"prechat bad mode", authz.Admin, "PUT", "/api/v1/chat/prechat", `{"name":"sometimes","topic":"required"}`, 400, "name"},
				{"prechat topic no such team", authz.Admin, "PUT", "/api/v1/chat/prechat", `{"name":"optional","topic":"required","topics":[{"label":"Orders","team_id":4242}]}`, 400, "topics.0.team_id"},
				{"prechat as agent", authz.Agent, "PUT", "/api/v1/chat/prechat", `{"name":"optional","topic":"required"}`, 403, ""},
			}
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					body := tt.body
					if tt.name == "create wrong content type" {
						status := doForm(t, e, tp)
						if status != 415 {
							t.Fatalf("status %d, want 415", status)
						}
						return
					}
					st, reply := e.Do(t, tt.role, tt.method, tt.path, body)
					if st != tt.status {
						t.Fatalf("status %d, want %d: %v", st, tt.status, reply["_raw"])
					}
					if strings.Contains(reply["_raw"].(string), "s3cret") {
						t.Fatalf("a write-only secret came back: %v", reply["_raw"])
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
		})
	}
}

func doForm(t *testing.T, e *apptest.Env, path string) int {
	t.Helper()
	req, _ := http.NewRequest("PATCH", e.URL+path, strings.NewReader("status=open"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Authorization", "Bearer "+e.Tokens[authz.Agent])
	resp, err := e.Client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

var param = regexp.MustCompile(`\{[a-z_]+(\.\.\.)?\}`)

// selfService routes are open to every signed-in agent; the service limits
// them to the agent's own data.
var selfService = map[string]bool{
	"GET /api/v1/me": true, "GET /api/v1/tokens": true, "POST /api/v1/tokens": true, "DELETE /api/v1/tokens/{id}": true,
	"POST /logout": true, "GET /{$}": true, "PUT /api/v1/agents/{id}/availability": true,
	"GET /profile": true, "POST /profile": true,
	"POST /api/v1/me/password": true, "POST /profile/password": true, "POST /availability": true, "GET /admin": true,
	"GET /profile/two-factor": true, "POST /profile/two-factor/start": true, "POST /profile/two-factor/confirm": true,
	"POST /profile/two-factor/recovery-codes": true, "POST /profile/two-factor/disable": true, "POST /profile/sessions/{id}/end": true,
	"POST /profile/passkeys/options": true, "POST /profile/passkeys": true, "POST /profile/passkeys/{id}/rename": true, "POST /profile/passkeys/{id}/remove": true,
}

// publicRoutes are the routes anyone may call, with what an anonymous
// empty request gets ({id} and the like are 999999): a new public route
// must be listed here, so opening one is a decision.
var publicRoutes = map[string]int{
	"GET /healthz": 200, "GET /readyz": 200, "GET /api/v1/openapi.json": 200, "GET /static/{file...}": 404,
	"GET /login": 200, "POST /login": 401, "GET /login/code": 303, "POST /login/code": 401,
	"GET /password/forgot": 200, "POST /password/forgot": 400, "GET /password/reset": 400, "POST /password/reset": 400,
	// Single sign-on: an unknown provider is not offered; a callback
	// without the browser's state is refused before the provider is asked.
	"GET /login/sso/{id}": 403, "GET /login/sso/{id}/callback": 401,
	// Satisfaction surveys: the signed link is the credential; a token
	// that is not one is refused (docs/csat.md).
	"GET /survey/{token}": 400, "POST /survey/{token}": 400,
	// The customer portal: its own session, so signed-out visitors are
	// sent to its sign-in page; a link without its token is refused.
	"GET /portal": 200, "POST /portal/sign-in/link": 400, "GET /portal/sign-in": 400, "POST /portal/sign-in": 400,
	"POST /portal/sign-out": 303, "GET /portal/requests": 303, "GET /portal/requests/new": 303, "POST /portal/requests": 303,
	"GET /portal/requests/{id}": 303, "POST /portal/requests/{id}/reply": 303, "POST /portal/requests/{id}/solve": 303,
	"POST /portal/deflect": 303, "GET /portal/files/{id}/{name}": 303, "GET /portal/organization": 303,
	// The web form is off until an admin turns it on.
	"POST /forms/request": 404, "OPTIONS /forms/request": 204, "GET /forms/challenge": 404,
	// NPS surveys and shared insights (docs/feedback.md): a token that is
	// not a signed link is refused; an insights link that is not one is
	// not found.
	"GET /nps/{token}": 400, "POST /nps/{token}": 400, "GET /insights/{token}": 404,
	// A calendar feed without a known token (and .ics) is not found.
	"GET /schedule-feed/{file}": 404,
	// Passkeys: the test server names no relying party, so asking for a
	// challenge is a conflict; an empty assertion is bad input.
	"POST /login/passkey/options": 409, "POST /login/passkey": 400,
	"POST /login/passwordless/options": 409, "POST /login/passwordless": 400,
	// The help center: anonymous visitors read published public articles
	// only; "999999" is no language, so every page is the help center's
	// not found (internal/web/help tests each route with real ids).
	"GET /help": 302, "GET /help/{lang}": 404, "GET /help/{lang}/categories/{ref}": 404, "GET /help/{lang}/sections/{ref}": 404,
	"GET /help/{lang}/articles/{ref}": 404, "POST /help/{lang}/articles/{ref}/feedback": 404, "GET /help/{lang}/search": 404,
	"GET /help/sitemap.xml": 200, "GET /help/brand.css": 200, "GET /help-files/{id}/{name}": 404,
	// The chat widget: the script, its settings and words are public; the
	// rest needs a body (the visitor token is the credential), and the
	// WebSocket an upgrade (docs/chat.md).
	"GET /widget.js": 200, "GET /widget/config": 200, "GET /widget/strings/{lang}": 200, "GET /widget/ws": 426,
	"POST /widget/start": 400, "POST /widget/messages": 400, "POST /widget/poll": 400, "POST /widget/typing": 400,
	"POST /widget/read": 400, "POST /widget/page": 400, "POST /widget/end": 400, "POST /widget/transcript": 400,
	"POST /widget/leave": 400, "POST /widget/files": 415, "POST /widget/files/{id}": 400, "POST /widget/invitations/{id}": 400,
	// The phone channel's call webhook: the signature made with the
	// integration's secret is the credential (docs/phone.md).
	"POST /api/v1/phone/integrations/{id}/events": 401,
	// The messaging channel's webhooks: the signature (neutral) or the
	// secret token (Telegram) is the credential (docs/messaging.md).
	"POST /api/v1/messaging/integrations/{id}/events": 401, "POST /api/v1/messaging/telegram/{id}": 401,
}

// TestPublicRoutes checks every public route is listed in publicRoutes
// and answers an anonymous caller as listed.
func TestPublicRoutes(t *testing.T) {
	e := apptest.New(t, db.SQLite)
	for _, rt := range (&web.Server{}).Routes() {
		if rt.Access != web.Public {
			continue
		}
		key := rt.Method + " " + rt.Path
		want, ok := publicRoutes[key]
		if !ok {
			t.Errorf("public route %s is not listed in publicRoutes", key)
			continue
		}
		path := param.ReplaceAllString(rt.Path, "999999")
		if st := callUI(t, e, "", rt.Method, path); st != want {
			t.Errorf("%s: anonymous status %d, want %d", key, st, want)
		}
	}
}

// TestAuthorizationMatrix calls every route of the route table as every
// role (and anonymously) and checks the answer against the route's declared
// permission and the role grants. Since the matrix is generated from the
// table, a new route is covered the moment it is added.
func TestAuthorizationMatrix(t *testing.T) {
	e := apptest.New(t, db.SQLite)
	id := webtest.CreateTicket(t, e, "Matrix")
	srv := &web.Server{}
	// Every API answer of the matrix, refusals included, must match the
	// OpenAPI document too.
	doc := webtest.FetchOpenAPI(t, e.Client, e.URL)
	for _, rt := range srv.Routes() {
		key := rt.Method + " " + rt.Path
		if rt.Access == web.Public {
			continue
		}
		if rt.Perm == "" && !selfService[key] {
			t.Errorf("route %s has no permission and is not listed as self-service", key)
		}
		target := fmt.Sprint(id)
		if rt.Method == "DELETE" {
			// Deleting real rows (the test agents, their tokens) would
			// change the answers of the calls after it.
			target = "999999"
		}
		path := param.ReplaceAllString(strings.TrimSuffix(rt.Path, "{$}"), target)
		if rt.Path == "/{$}" {
			path = "/"
		}
		t.Run(key, func(t *testing.T) {
			roles := append([]authz.Role{""}, authz.Roles...)
			for _, role := range roles {
				st := call(t, e, role, rt, path, doc)
				switch {
				case role == "":
					if st != 401 && st != 303 {
						t.Errorf("anonymous: status %d, want 401 (API) or 303 to sign-in (UI)", st)
					}
				case rt.Perm != "" && !authz.Can(authz.Actor{Kind: authz.KindAgent, ID: 1, Role: role}, rt.Perm):
					if st != 403 {
						t.Errorf("%s: status %d, want 403", role, st)
					}
				default:
					if st == 401 || st == 403 || st >= 500 {
						t.Errorf("%s: status %d, want access", role, st)
					}
				}
			}
		})
	}
}

// call sends an empty-bodied request; UI routes are called with the role's
// browser session. API answers are checked against the OpenAPI document.
func call(t *testing.T, e *apptest.Env, role authz.Role, rt web.Route, path string, doc *webtest.OpenAPI) int {
	t.Helper()
	method := rt.Method
	if rt.Access == web.UIAuth {
		return callUI(t, e, role, method, path)
	}
	var body string
	if method == "POST" || method == "PATCH" {
		body = `{}`
	}
	if strings.HasSuffix(path, "/comments") && method == "POST" {
		// Every role with the route's permission may write a note; public
		// replies are a narrower permission checked by the service.
		body = `{"body":"matrix note","public":false}`
	}
	st, hdr, raw := doRaw(t, e, role, method, path, body)
	if web.Documented(rt) {
		if err := doc.CheckResponse(method, rt.Path, st, hdr, raw); err != nil {
			t.Errorf("%s: %s %s: %v", role, method, path, err)
		}
	}
	return st
}

// doRaw is e.Do keeping the answer's headers and bytes.
func doRaw(t *testing.T, e *apptest.Env, role authz.Role, method, path, body string) (int, http.Header, []byte) {
	t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, e.URL+path, r)
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
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
	return resp.StatusCode, resp.Header, raw
}

func callUI(t *testing.T, e *apptest.Env, role authz.Role, method, path string) int {
	t.Helper()
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	var form io.Reader
	if method == "POST" && strings.HasSuffix(path, "/comments") {
		form = strings.NewReader("public=false&body=matrix+note")
	}
	req, _ := http.NewRequest(method, e.URL+path, form)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if role != "" {
		s, err := e.Sys.Auth.SignIn(t.Context(), string(role)+"@ombud.test", apptest.Password, "127.0.0.1", "test")
		if err != nil {
			t.Fatal(err)
		}
		req.AddCookie(&http.Cookie{Name: web.SessionCookie, Value: s.Token})
		req.Header.Set("X-CSRF-Token", s.CSRF)
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// TestOpenAPIMatchesRoutes keeps /api/v1/openapi.json in step with the route table.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	e := apptest.New(t, db.SQLite)
	st, body := e.Do(t, "", "GET", "/api/v1/openapi.json", nil)
	if st != 200 {
		t.Fatalf("status %d", st)
	}
	var doc struct {
		Paths map[string]map[string]struct {
			OperationID string         `json:"operationId"`
			Responses   map[string]any `json:"responses"`
		} `json:"paths"`
	}
	if err := json.Unmarshal([]byte(body["_raw"].(string)), &doc); err != nil {
		t.Fatal(err)
	}
	want := 0
	for _, rt := range (&web.Server{}).Routes() {
		if !web.Documented(rt) {
			continue
		}
		want++
		op, ok := doc.Paths[rt.Path][strings.ToLower(rt.Method)]
		if !ok {
			t.Errorf("OpenAPI lacks %s %s", rt.Method, rt.Path)
			continue
		}
		if op.OperationID == "" || len(op.Responses) == 0 {
			t.Errorf("%s %s: operation incomplete", rt.Method, rt.Path)
		}
	}
	got := 0
	for _, ops := range doc.Paths {
		got += len(ops)
	}
	if got != want {
		t.Errorf("OpenAPI has %d operations, route table %d", got, want)
	}
}
