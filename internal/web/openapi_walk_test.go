package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/ombud/ombud/internal/app"
	"github.com/ombud/ombud/internal/app/apptest"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/channel/email"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/web"
	"github.com/ombud/ombud/internal/web/webtest"
)

// walk calls routes as the demo's admin, checks each answer against the
// OpenAPI document and records which routes it reached.
type walk struct {
	t       *testing.T
	e       *apptest.Env
	doc     *webtest.OpenAPI
	covered map[string]bool
	bearer  string // the token to call with; "": the admin's
}

// raw is a request body that is not JSON.
type rawBody struct {
	contentType string
	data        string
}

// do calls the route key ("POST /api/v1/tickets") at path (the key's own
// path when ""), wants status want, and returns the JSON object answered
// (nil for other bodies).
func (w *walk) do(key, path string, body any, want int) map[string]any {
	w.t.Helper()
	method, pattern, _ := strings.Cut(key, " ")
	if path == "" {
		path = pattern
	}
	w.covered[key] = true
	var r io.Reader
	ct := ""
	switch b := body.(type) {
	case nil:
	case string:
		if err := w.doc.CheckRequest(method, pattern, []byte(b)); err != nil {
			w.t.Errorf("%s %s: %v", method, path, err)
		}
		r, ct = strings.NewReader(b), "application/json"
	case rawBody:
		r, ct = strings.NewReader(b.data), b.contentType
	}
	req, err := http.NewRequest(method, w.e.URL+path, r)
	if err != nil {
		w.t.Fatal(err)
	}
	if ct != "" {
		req.Header.Set("Content-Type", ct)
	}
	bearer := w.bearer
	if bearer == "" {
		bearer = w.e.Tokens[authz.Admin]
	}
	req.Header.Set("Authorization", "Bearer "+bearer)
	resp, err := w.e.Client.Do(req)
	if err != nil {
		w.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		w.t.Errorf("%s %s: status %d, want %d: %.400s", method, path, resp.StatusCode, want, data)
	}
	if err := w.doc.CheckResponse(method, pattern, resp.StatusCode, resp.Header, data); err != nil {
		w.t.Errorf("%s %s: %v", method, path, err)
	}
	var out map[string]any
	if strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		_ = json.Unmarshal(data, &out)
	}
	return out
}

func idOf(t *testing.T, m map[string]any) int64 {
	t.Helper()
	f, ok := m["id"].(float64)
	if !ok {
		t.Errorf("no id in %.300v", m)
	}
	return int64(f)
}

// firstID is the id of a list's first row (0 when empty).
func firstID(m map[string]any) int64 {
	data, _ := m["data"].([]any)
	if len(data) == 0 {
		return 0
	}
	row, _ := data[0].(map[string]any)
	f, _ := row["id"].(float64)
	return int64(f)
}

func allIDs(m map[string]any) string {
	data, _ := m["data"].([]any)
	ids := make([]string, len(data))
	for i, d := range data {
		ids[i] = fmt.Sprint(int64(d.(map[string]any)["id"].(float64)))
	}
	return "[" + strings.Join(ids, ",") + "]"
}

// TestOpenAPIResponses calls every documented route with realistic data
// and validates every answer, and every request body sent, against
// /api/v1/openapi.json. A route the walk does not reach fails the test, so
// a new route gets a step here. On SQLite the walk runs on the demo data
// (thousands of tickets, comments, facts); on PostgreSQL, where loading
// the demo takes minutes, on what the walk itself creates.
func TestOpenAPIResponses(t *testing.T) {
	t.Run("sqlite demo", func(t *testing.T) { walkAPI(t, apptest.NewDemo(t, db.SQLite), app.DemoPassword) })
	t.Run("postgres", func(t *testing.T) { walkAPI(t, apptest.New(t, db.Postgres), apptest.Password) })
}

// walkAPI walks as the admin whose token e holds and whose password is
// password.
func walkAPI(t *testing.T, e *apptest.Env, password string) {
	w := &walk{t: t, e: e, doc: webtest.FetchOpenAPI(t, e.Client, e.URL), covered: map[string]bool{}}
	f := fmt.Sprintf
	ctx := context.Background()

	// Operations and the caller.
	w.do("GET /healthz", "", nil, 200)
	w.do("GET /readyz", "", nil, 200)
	w.do("GET /api/v1/openapi.json", "", nil, 200)
	me := idOf(t, w.do("GET /api/v1/me", "", nil, 200))

	// People.
	org := idOf(t, w.do("POST /api/v1/organizations", "", `{"name":"Fjordkraft Walk AS","domains":["fjordwalk.example"],"notes":"key account"}`, 201))
	w.do("GET /api/v1/organizations", "/api/v1/organizations?q=Fjord&limit=5", nil, 200)
	w.do("GET /api/v1/organizations/{id}", f("/api/v1/organizations/%d", org), nil, 200)
	w.do("PATCH /api/v1/organizations/{id}", f("/api/v1/organizations/%d", org), `{"notes":"renewal in May"}`, 200)
	cust := idOf(t, w.do("POST /api/v1/customers", "", f(`{"name":"Kari Walk","emails":["kari@fjordwalk.example"],"phones":["+4791234567"],"organization_id":%d}`, org), 201))
	other := idOf(t, w.do("POST /api/v1/customers", "", `{"name":"Kari W.","emails":["kari.w@example.net"]}`, 201))
	w.do("GET /api/v1/customers", f("/api/v1/customers?organization_id=%d&limit=10", org), nil, 200)
	w.do("GET /api/v1/customers/{id}", f("/api/v1/customers/%d", cust), nil, 200)
	w.do("PATCH /api/v1/customers/{id}", f("/api/v1/customers/%d", cust), `{"notes":"prefers phone","time_zone":"Europe/Oslo"}`, 200)
	ident := idOf(t, w.do("POST /api/v1/customers/{id}/identities", f("/api/v1/customers/%d/identities", cust), `{"type":"telegram","value":"@kariwalk"}`, 201))
	w.do("DELETE /api/v1/customers/{id}/identities/{identity_id}", f("/api/v1/customers/%d/identities/%d", cust, ident), nil, 204)
	w.do("POST /api/v1/customers/{id}/merge", f("/api/v1/customers/%d/merge", cust), f(`{"merge_id":%d}`, other), 200)
	gone := idOf(t, w.do("POST /api/v1/customers", "", `{"name":"Temporary Walk"}`, 201))
	w.do("DELETE /api/v1/customers/{id}", f("/api/v1/customers/%d", gone), nil, 204)

	team := idOf(t, w.do("POST /api/v1/teams", "", `{"name":"Walk team","description":"second line"}`, 201))
	w.do("GET /api/v1/teams", "", nil, 200)
	w.do("GET /api/v1/teams/{id}", f("/api/v1/teams/%d", team), nil, 200)
	w.do("PATCH /api/v1/teams/{id}", f("/api/v1/teams/%d", team), f(`{"agent_ids":[%d]}`, me), 200)
	agent := idOf(t, w.do("POST /api/v1/agents", "", f(`{"email":"walker@ombud.test","name":"Walker","role":"agent","password":"a long walk password","team_ids":[%d],"skills":["lang:nb"]}`, team), 201))
	w.do("GET /api/v1/agents", f("/api/v1/agents?team_id=%d&role=agent", team), nil, 200)
	w.do("GET /api/v1/agents/{id}", f("/api/v1/agents/%d", agent), nil, 200)
	w.do("PATCH /api/v1/agents/{id}", f("/api/v1/agents/%d", agent), `{"time_zone":"Europe/Oslo","availability":"online"}`, 200)
	w.do("PUT /api/v1/agents/{id}/availability", f("/api/v1/agents/%d/availability", agent), `{"availability":"away"}`, 200)
	w.do("GET /api/v1/routing/teams/{team_id}", f("/api/v1/routing/teams/%d", team), nil, 200)
	w.do("PUT /api/v1/routing/teams/{team_id}", f("/api/v1/routing/teams/%d", team), f(`{"method":"least_load","capacity":8,"offline_policy":"return","agent_capacities":[{"agent_id":%d,"capacity":5}]}`, agent), 200)
	tok := w.do("POST /api/v1/tokens", "", f(`{"name":"walk","agent_id":%d}`, agent), 201)
	w.do("GET /api/v1/tokens", f("/api/v1/tokens?agent_id=%d", agent), nil, 200)
	agentToken, _ := w.do("POST /api/v1/tokens", "", f(`{"name":"walk qa","agent_id":%d}`, agent), 201)["token"].(string)
	w.do("DELETE /api/v1/tokens/{id}", f("/api/v1/tokens/%d", idOf(t, tok)), nil, 204)

	// Tickets.
	field := idOf(t, w.do("POST /api/v1/custom-fields", "", `{"key":"walk_ref","label":"Walk reference","type":"text"}`, 201))
	w.do("GET /api/v1/custom-fields", "", nil, 200)
	w.do("GET /api/v1/custom-fields/{id}", f("/api/v1/custom-fields/%d", field), nil, 200)
	w.do("PATCH /api/v1/custom-fields/{id}", f("/api/v1/custom-fields/%d", field), `{"description":"from the walk"}`, 200)
	att := idOf(t, w.do("POST /api/v1/attachments", "/api/v1/attachments?filename=receipt.txt", rawBody{"text/plain", "Receipt 1042"}, 201))
	w.do("GET /api/v1/attachments/{id}", f("/api/v1/attachments/%d", att), nil, 200)
	tk := idOf(t, w.do("POST /api/v1/tickets", "", f(`{"subject":"Parcel 1042 arrived damaged","description":"The chair leg is broken.","requester_id":%d,
		"priority":"high","type":"return","channel":"email","tags":["damaged"],"custom_fields":{"walk_ref":"w-1"},"attachment_ids":[%d]}`, cust, att), 201))
	tk2 := idOf(t, w.do("POST /api/v1/tickets", "", `{"subject":"Same parcel again","description":"Any news?","requester":{"email":"kari@fjordwalk.example"}}`, 201))
	w.do("GET /api/v1/tickets/{id}/deliveries", f("/api/v1/tickets/%d/deliveries", tk2), nil, 200) // none: empty, not null
	w.do("GET /api/v1/tickets", "/api/v1/tickets?status=new,open&priority=high&sort=created_desc&limit=5", nil, 200)
	w.do("GET /api/v1/tickets", "/api/v1/tickets?limit=2", nil, 200)
	w.do("GET /api/v1/tickets/{id}", f("/api/v1/tickets/%d", tk), nil, 200)
	w.do("PATCH /api/v1/tickets/{id}", f("/api/v1/tickets/%d", tk), f(`{"assignee_id":%d,"add_tags":["vip"],"priority":"urgent"}`, me), 200)
	comment := idOf(t, w.do("POST /api/v1/tickets/{id}/comments", f("/api/v1/tickets/%d/comments", tk), `{"body":"A new leg is on its way.","status":"pending"}`, 201))
	w.do("POST /api/v1/tickets/{id}/comments", f("/api/v1/tickets/%d/comments", tk), `{"body":"Checked with the warehouse.","public":false}`, 201)
	w.do("GET /api/v1/tickets/{id}/comments", f("/api/v1/tickets/%d/comments?limit=10", tk), nil, 200)
	w.do("GET /api/v1/tickets/{id}/events", f("/api/v1/tickets/%d/events", tk), nil, 200)
	w.do("GET /api/v1/tickets/{id}/sla", f("/api/v1/tickets/%d/sla", tk), nil, 200)
	w.do("GET /api/v1/tickets/{id}/deliveries", f("/api/v1/tickets/%d/deliveries", tk), nil, 200)
	// The demo mailbox has no relay: the reply is recorded undeliverable,
	// so it can be sent again.
	w.do("POST /api/v1/tickets/{id}/comments/{comment_id}/retry-delivery", f("/api/v1/tickets/%d/comments/%d/retry-delivery", tk, comment), nil, 200)
	w.do("POST /api/v1/tickets/{id}/merge", f("/api/v1/tickets/%d/merge", tk), f(`{"source_id":%d}`, tk2), 200)
	w.do("POST /api/v1/tickets/bulk", "", f(`{"ids":[%d],"patch":{"team_id":%d}}`, tk, team), 200)
	w.do("GET /api/v1/search", "/api/v1/search?q="+url.QueryEscape(`status:pending tag:vip "chair leg"`)+"&tz=Europe/Oslo", nil, 200)
	w.do("GET /api/v1/tags", "/api/v1/tags?q=da&limit=5", nil, 200)
	w.do("GET /api/v1/tags", "/api/v1/tags?q=no-such-tag-anywhere", nil, 200)
	view := idOf(t, w.do("POST /api/v1/views", "", `{"name":"Urgent returns","query":"priority:urgent type:return","sort":"priority","columns":["subject","status","assignee"]}`, 201))
	w.do("GET /api/v1/views", "", nil, 200)
	w.do("GET /api/v1/views/{id}", f("/api/v1/views/%d", view), nil, 200)
	w.do("PATCH /api/v1/views/{id}", f("/api/v1/views/%d", view), `{"sort":"updated_desc"}`, 200)
	w.do("GET /api/v1/views/{id}/tickets", f("/api/v1/views/%d/tickets?limit=5", view), nil, 200)

	// An email from a customer: the inbound log and the original.
	demoBox := firstID(w.do("GET /api/v1/mailboxes", "", nil, 200))
	if demoBox == 0 {
		demoBox = idOf(t, w.do("POST /api/v1/mailboxes", "", `{"address":"support@demo.ombud.test","name":"Support"}`, 201))
	}
	res, err := e.Sys.Email.Receive(ctx, email.Inbound{MailboxID: demoBox, Source: "api", EnvelopeFrom: "kari@fjordwalk.example", EnvelopeTo: []string{"support@demo.ombud.test"},
		Raw: []byte("From: Kari Walk <kari@fjordwalk.example>\r\nTo: support@demo.ombud.test\r\nSubject: Where is my refund?\r\nMessage-ID: <walk-1@fjordwalk.example>\r\nDate: Fri, 04 Dec 2026 10:00:00 +0000\r\n\r\nHello, I sent the chair back last week.\r\n\r\n-- \r\nKari\r\n")})
	if err != nil {
		t.Fatal(err)
	}
	w.do("GET /api/v1/inbound-messages", "/api/v1/inbound-messages?state=processed", nil, 200)
	w.do("GET /api/v1/inbound-messages/{id}", f("/api/v1/inbound-messages/%d", res.InboundID), nil, 200)
	w.do("GET /api/v1/inbound-messages/{id}/raw", f("/api/v1/inbound-messages/%d/raw", res.InboundID), nil, 200)
	w.do("POST /api/v1/inbound-messages/{id}/reprocess", f("/api/v1/inbound-messages/%d/reprocess", res.InboundID), nil, 409)
	// Mail from the support address itself is ignored, and may be
	// processed again.
	own, err := e.Sys.Email.Receive(ctx, email.Inbound{MailboxID: demoBox, Source: "api", EnvelopeFrom: "support@demo.ombud.test", EnvelopeTo: []string{"support@demo.ombud.test"},
		Raw: []byte("From: support@demo.ombud.test\r\nTo: support@demo.ombud.test\r\nSubject: Loop\r\nMessage-ID: <walk-2@demo.ombud.test>\r\n\r\nloop\r\n")})
	if err != nil {
		t.Fatal(err)
	}
	w.do("GET /api/v1/inbound-messages", "/api/v1/inbound-messages?state=ignored", nil, 200)
	w.do("POST /api/v1/inbound-messages/{id}/reprocess", f("/api/v1/inbound-messages/%d/reprocess", own.InboundID), nil, 200)
	w.do("GET /api/v1/tickets/{id}/comments/{comment_id}/original", f("/api/v1/tickets/%d/comments/%d/original", res.TicketID, res.CommentID), nil, 200)
	// Spam: the ticket goes, its sender is blocked, and their next mail
	// is kept in the log without a ticket.
	spam := idOf(t, w.do("POST /api/v1/tickets", "", `{"subject":"Cheap watches","description":"Buy now","requester":{"email":"offers@spamwalk.example"}}`, 201))
	w.do("POST /api/v1/tickets/{id}/spam", f("/api/v1/tickets/%d/spam", spam), nil, 200)
	again, err := e.Sys.Email.Receive(ctx, email.Inbound{MailboxID: demoBox, Source: "api", EnvelopeFrom: "offers@spamwalk.example", EnvelopeTo: []string{"support@demo.ombud.test"},
		Raw: []byte("From: offers@spamwalk.example\r\nTo: support@demo.ombud.test\r\nSubject: Cheap watches again\r\nMessage-ID: <walk-3@spamwalk.example>\r\n\r\nBuy now\r\n")})
	if err != nil || again.TicketID != 0 {
		t.Fatalf("mail from a blocked sender: %+v %v", again, err)
	}
	if m := w.do("GET /api/v1/inbound-messages/{id}", f("/api/v1/inbound-messages/%d", again.InboundID), nil, 200); m["outcome"] != "blocked_sender" {
		t.Fatalf("blocked mail: %v", m)
	}
	w.do("GET /api/v1/blocked-senders", "", nil, 200)
	dom := idOf(t, w.do("POST /api/v1/blocked-senders", "", `{"value":"@bulkwalk.example","reason":"newsletters"}`, 201))
	w.do("POST /api/v1/blocked-senders", "", `{"value":"not a domain"}`, 400)
	w.do("DELETE /api/v1/blocked-senders/{id}", f("/api/v1/blocked-senders/%d", dom), nil, 204)
	w.do("DELETE /api/v1/tickets/{id}", f("/api/v1/tickets/%d", idOf(t, w.do("POST /api/v1/tickets", "", `{"subject":"Opened by mistake","description":"-","requester":{"email":"kari@fjordwalk.example"}}`, 201))), nil, 204)

	mb := idOf(t, w.do("POST /api/v1/mailboxes", "", `{"address":"billing@walk.example","name":"Billing","smtp":{"host":"smtp.walk.example","port":587,"security":"starttls","username":"billing","password":"s3cret"}}`, 201))
	w.do("GET /api/v1/mailboxes/{id}", f("/api/v1/mailboxes/%d", mb), nil, 200)
	w.do("PATCH /api/v1/mailboxes/{id}", f("/api/v1/mailboxes/%d", mb), `{"aliases":["invoices@walk.example"]}`, 200)
	w.do("DELETE /api/v1/mailboxes/{id}", f("/api/v1/mailboxes/%d", mb), nil, 204)

	// Automation.
	trig := idOf(t, w.do("POST /api/v1/triggers", "", `{"name":"Tag refunds","conditions":{"all":[{"field":"subject","op":"contains","value":"refund"}]},"actions":[{"type":"add_tags","value":["refund"]}]}`, 201))
	triggers := w.do("GET /api/v1/triggers", "", nil, 200)
	w.do("POST /api/v1/triggers/reorder", "", `{"ids":`+allIDs(triggers)+`}`, 200)
	w.do("GET /api/v1/triggers/{id}", f("/api/v1/triggers/%d", trig), nil, 200)
	w.do("PATCH /api/v1/triggers/{id}", f("/api/v1/triggers/%d", trig), `{"description":"refund mail"}`, 200)
	w.do("GET /api/v1/triggers/{id}/runs", f("/api/v1/triggers/%d/runs", trig), nil, 200)
	auto := idOf(t, w.do("POST /api/v1/automations", "", `{"name":"Close solved","conditions":{"all":[{"field":"status","op":"is","value":"solved"},{"field":"hours_since_solved","op":"gt","value":96}]},"actions":[{"type":"set_status","value":"closed"}]}`, 201))
	w.do("GET /api/v1/automations", "", nil, 200)
	w.do("GET /api/v1/automations/{id}", f("/api/v1/automations/%d", auto), nil, 200)
	w.do("PATCH /api/v1/automations/{id}", f("/api/v1/automations/%d", auto), `{"active":false}`, 200)
	w.do("GET /api/v1/automations/{id}/runs", f("/api/v1/automations/%d/runs", auto), nil, 200)
	macro := idOf(t, w.do("POST /api/v1/macros", "", `{"name":"Refund sent","body":"Hi {{requester.first_name}}, the refund is on its way.","actions":[{"type":"set_status","value":"solved"}]}`, 201))
	w.do("GET /api/v1/macros", "", nil, 200)
	w.do("GET /api/v1/macros/{id}", f("/api/v1/macros/%d", macro), nil, 200)
	w.do("PATCH /api/v1/macros/{id}", f("/api/v1/macros/%d", macro), `{"name":"Refund sent (card)"}`, 200)
	w.do("POST /api/v1/tickets/{id}/macros/{macro_id}/preview", f("/api/v1/tickets/%d/macros/%d/preview", tk, macro), nil, 200)
	w.do("POST /api/v1/tickets/{id}/macros/{macro_id}/apply", f("/api/v1/tickets/%d/macros/%d/apply", tk, macro), nil, 200)

	// Service levels.
	cal := idOf(t, w.do("POST /api/v1/business-calendars", "", `{"name":"Stockholm office","time_zone":"Europe/Stockholm","schedule":{"mon":[{"start":"08:00","end":"17:00"}]},"holidays":[{"date":"2026-06-06","name":"National Day","yearly":true}]}`, 201))
	w.do("GET /api/v1/business-calendars", "", nil, 200)
	w.do("GET /api/v1/business-calendars/{id}", f("/api/v1/business-calendars/%d", cal), nil, 200)
	w.do("PATCH /api/v1/business-calendars/{id}", f("/api/v1/business-calendars/%d", cal), `{"name":"Stockholm"}`, 200)
	pol := idOf(t, w.do("POST /api/v1/sla-policies", "", f(`{"name":"VIP","conditions":[{"field":"tag","op":"includes","value":"vip"}],"targets":{"urgent":{"first_reply":"30m","business_hours":true,"calendar_id":%d}}}`, cal), 201))
	policies := w.do("GET /api/v1/sla-policies", "", nil, 200)
	w.do("POST /api/v1/sla-policies/reorder", "", `{"ids":`+allIDs(policies)+`}`, 200)
	w.do("GET /api/v1/sla-policies/{id}", f("/api/v1/sla-policies/%d", pol), nil, 200)
	w.do("PATCH /api/v1/sla-policies/{id}", f("/api/v1/sla-policies/%d", pol), `{"description":"key accounts"}`, 200)

	// Reports.
	period := "from=2026-01-01&to=2026-12-31&tz=Europe/Oslo"
	w.do("GET /api/v1/reports/overview", "/api/v1/reports/overview?"+period, nil, 200)
	w.do("GET /api/v1/reports/overview", "/api/v1/reports/overview?format=csv&"+period, nil, 200)
	w.do("GET /api/v1/reports/series", "/api/v1/reports/series?bucket=week&"+period, nil, 200)
	w.do("GET /api/v1/reports/breakdown", "/api/v1/reports/breakdown?by=agent&stat=median&"+period, nil, 200)
	w.do("GET /api/v1/reports/breakdown", "/api/v1/reports/breakdown?by=channel&format=csv&"+period, nil, 200)
	w.do("GET /api/v1/reports/heatmap", "/api/v1/reports/heatmap?"+period, nil, 200)
	w.do("GET /api/v1/reports/chat", "/api/v1/reports/chat?"+period, nil, 200)
	w.do("GET /api/v1/reports/chat", "/api/v1/reports/chat?format=csv&"+period, nil, 200)
	w.do("GET /api/v1/reports/backlog-ages", "", nil, 200)
	w.do("GET /api/v1/reports/tags", "/api/v1/reports/tags?limit=5&"+period, nil, 200)
	w.do("GET /api/v1/reports/tags", "/api/v1/reports/tags?from=2001-01-01&to=2001-01-31", nil, 200)
	w.do("GET /api/v1/reports/breakdown", "/api/v1/reports/breakdown?by=team&from=2001-01-01&to=2001-01-31", nil, 200)
	w.do("GET /api/v1/reports/facts", "/api/v1/reports/facts?kind=first_reply&"+period, nil, 200)
	w.do("GET /api/v1/reports/facts", "/api/v1/reports/facts?format=csv&"+period, nil, 200)
	w.do("GET /api/v1/reports/events", "/api/v1/reports/events?"+period, nil, 200)
	w.do("GET /api/v1/reports/goals", "/api/v1/reports/goals?"+period, nil, 200)
	goal := idOf(t, w.do("POST /api/v1/report-goals", "", f(`{"metric":"first_reply_median","op":"<=","target":7200,"team_id":%d}`, team), 201))
	w.do("GET /api/v1/report-goals", "", nil, 200)
	w.do("PATCH /api/v1/report-goals/{id}", f("/api/v1/report-goals/%d", goal), `{"target":3600}`, 200)
	w.do("GET /api/v1/report-subscriptions", "", nil, 200)
	inv := idOf(t, w.do("POST /api/v1/chat/invitations", "", `{"name":"Checkout","min_seconds":10,"url_pattern":"/checkout*","min_cart":100,"messages":{"en":"Questions about your order?","nb":"Spørsmål om bestillingen?"}}`, 201))
	w.do("GET /api/v1/chat/invitations", "", nil, 200)
	w.do("GET /api/v1/chat/invitations/{id}", f("/api/v1/chat/invitations/%d", inv), nil, 200)
	w.do("PATCH /api/v1/chat/invitations/{id}", f("/api/v1/chat/invitations/%d", inv), `{"enabled":false,"returning_only":true}`, 200)
	inv2 := idOf(t, w.do("POST /api/v1/chat/invitations", "", `{"name":"Returning","returning_only":true,"messages":{"en":"Welcome back!"}}`, 201))
	w.do("PUT /api/v1/chat/invitations/order", "", f(`{"ids":[%d,%d]}`, inv2, inv), 200)
	w.do("PUT /api/v1/chat/pages", "", `{"show_on":["/shop/*"],"hide_on":["/shop/checkout*"]}`, 200)
	w.do("GET /api/v1/chat/pages", "", nil, 200)
	w.do("PUT /api/v1/chat/prechat", "", f(`{"name":"required","topic":"required","topics":[{"label":"Orders"},{"label":"Returns","team_id":%d}]}`, team), 200)
	w.do("GET /api/v1/chat/prechat", "", nil, 200)
	sub := idOf(t, w.do("POST /api/v1/report-subscriptions", "", `{"frequency":"weekly"}`, 201))
	w.do("GET /api/v1/report-subscriptions", "/api/v1/report-subscriptions?all=true", nil, 200)

	// Webhooks: deliveries are queued; no job runner sends them here.
	w.do("GET /api/v1/webhooks", "", nil, 200)
	hook := w.do("POST /api/v1/webhooks", "", `{"name":"CRM","url":"https://crm.example.com/ombud","events":["ticket.created","comment.added"]}`, 201)
	hk := idOf(t, hook)
	w.do("GET /api/v1/webhooks/events", "", nil, 200)
	w.do("GET /api/v1/webhooks", "", nil, 200)
	w.do("GET /api/v1/webhooks/{id}", f("/api/v1/webhooks/%d", hk), nil, 200)
	w.do("PATCH /api/v1/webhooks/{id}", f("/api/v1/webhooks/%d", hk), `{"events":["ticket.solved"]}`, 200)
	w.do("POST /api/v1/webhooks/{id}/secret", f("/api/v1/webhooks/%d/secret", hk), nil, 200)
	ping := idOf(t, w.do("POST /api/v1/webhooks/{id}/ping", f("/api/v1/webhooks/%d/ping", hk), nil, 202))
	w.do("GET /api/v1/webhooks/{id}/deliveries", f("/api/v1/webhooks/%d/deliveries?state=pending", hk), nil, 200)
	w.do("GET /api/v1/webhooks/{id}/deliveries", f("/api/v1/webhooks/%d/deliveries?state=failed", hk), nil, 200)
	w.do("GET /api/v1/webhooks/{id}/deliveries/{delivery_id}", f("/api/v1/webhooks/%d/deliveries/%d", hk, ping), nil, 200)
	w.do("POST /api/v1/webhooks/{id}/deliveries/{delivery_id}/replay", f("/api/v1/webhooks/%d/deliveries/%d/replay", hk, ping), nil, 202)

	// Jobs, audit, privacy, import.
	jobs := w.do("GET /api/v1/jobs", "/api/v1/jobs?limit=5", nil, 200)
	if job := firstID(jobs); job != 0 {
		w.do("GET /api/v1/jobs/{id}", f("/api/v1/jobs/%d", job), nil, 200)
		w.do("POST /api/v1/jobs/{id}/retry", f("/api/v1/jobs/%d/retry", job), nil, 409)
	}
	w.do("GET /api/v1/audit", "/api/v1/audit?action=ticket.&limit=5", nil, 200)
	w.do("GET /api/v1/audit/export", "/api/v1/audit/export?from=2026-01-01", nil, 200)
	w.do("GET /api/v1/audit/export", "/api/v1/audit/export?format=csv", nil, 200)
	w.do("GET /api/v1/retention-rules", "", nil, 200)
	rule := idOf(t, w.do("POST /api/v1/retention-rules", "", `{"action":"anonymise","months":36,"channel":"chat"}`, 201))
	w.do("GET /api/v1/retention-rules", "", nil, 200)
	w.do("GET /api/v1/customers/{id}/export", f("/api/v1/customers/%d/export", cust), nil, 200)
	w.do("POST /api/v1/import", "", rawBody{"application/x-ndjson", `{"kind":"organization","organization":{"name":"Imported Walk AS","domains":["imported.example"]}}` + "\n"}, 200)
	w.do("POST /api/v1/import", "/api/v1/import?after_line=1", rawBody{"application/x-ndjson", `{"kind":"organization","organization":{"name":"Imported Walk AS","domains":["imported.example"]}}` + "\n"}, 200)
	w.do("POST /api/v1/import", "/api/v1/import?after_line=-1", rawBody{"application/x-ndjson", "{}\n"}, 400)

	// Later features.
	w.walkWorkforce(me, agent)
	w.walkTraining(me, agent) // openapi_walk_training_test.go
	w.walkNPS(org)
	w.walkPulse()
	w.walkQA(agent, agentToken)
	w.walkKB(team)
	w.walkZendesk()
	w.walkPhone()
	w.walkMessaging()   // openapi_walk_messaging_test.go
	w.walkPortalForms() // openapi_walk_portal_test.go
	w.walkReturns(tk)   // openapi_walk_orders_test.go
	w.walkWebForm()     // openapi_walk_webform_test.go

	// Deletions last.
	w.do("POST /api/v1/customers/{id}/erase", f("/api/v1/customers/%d/erase", cust), `{"mode":"anonymise"}`, 200)
	w.do("DELETE /api/v1/retention-rules/{id}", f("/api/v1/retention-rules/%d", rule), nil, 204)
	w.do("DELETE /api/v1/webhooks/{id}", f("/api/v1/webhooks/%d", hk), nil, 204)
	w.do("DELETE /api/v1/report-subscriptions/{id}", f("/api/v1/report-subscriptions/%d", sub), nil, 204)
	w.do("DELETE /api/v1/report-goals/{id}", f("/api/v1/report-goals/%d", goal), nil, 204)
	w.do("DELETE /api/v1/chat/invitations/{id}", f("/api/v1/chat/invitations/%d", inv), nil, 204)
	w.do("DELETE /api/v1/chat/invitations/{id}", f("/api/v1/chat/invitations/%d", inv2), nil, 204)
	w.do("DELETE /api/v1/sla-policies/{id}", f("/api/v1/sla-policies/%d", pol), nil, 204)
	w.do("DELETE /api/v1/business-calendars/{id}", f("/api/v1/business-calendars/%d", cal), nil, 204)
	w.do("DELETE /api/v1/macros/{id}", f("/api/v1/macros/%d", macro), nil, 204)
	w.do("DELETE /api/v1/automations/{id}", f("/api/v1/automations/%d", auto), nil, 204)
	w.do("DELETE /api/v1/triggers/{id}", f("/api/v1/triggers/%d", trig), nil, 204)
	w.do("DELETE /api/v1/views/{id}", f("/api/v1/views/%d", view), nil, 204)
	w.do("DELETE /api/v1/custom-fields/{id}", f("/api/v1/custom-fields/%d", field), nil, 204)
	w.do("DELETE /api/v1/agents/{id}", f("/api/v1/agents/%d", agent), nil, 204)
	w.do("DELETE /api/v1/teams/{id}", f("/api/v1/teams/%d", team), nil, 409) // it has tickets
	w.do("DELETE /api/v1/organizations/{id}", f("/api/v1/organizations/%d", org), nil, 409)
	emptyTeam := idOf(t, w.do("POST /api/v1/teams", "", `{"name":"Short-lived team"}`, 201))
	w.do("DELETE /api/v1/teams/{id}", f("/api/v1/teams/%d", emptyTeam), nil, 204)
	emptyOrg := idOf(t, w.do("POST /api/v1/organizations", "", `{"name":"Short-lived AS"}`, 201))
	w.do("DELETE /api/v1/organizations/{id}", f("/api/v1/organizations/%d", emptyOrg), nil, 204)
	w.do("POST /api/v1/me/password", "", `{"current_password":"wrong","new_password":"a brand new long password"}`, 400)
	w.do("POST /api/v1/me/password", "", f(`{"current_password":%q,"new_password":"a brand new long password"}`, password), 204)
	w.do("GET /api/v1/me", "", nil, 200) // the token still works

	// Errors answer in the documented error shape.
	w.do("GET /api/v1/tickets", "/api/v1/tickets?status=maybe", nil, 400)
	w.do("GET /api/v1/tickets/{id}", "/api/v1/tickets/999999", nil, 404)

	var missing []string
	for _, rt := range (&web.Server{}).Routes() {
		key := rt.Method + " " + rt.Path
		if web.Documented(rt) && !w.covered[key] {
			missing = append(missing, key)
		}
	}
	slices.Sort(missing)
	if len(missing) > 0 {
		t.Errorf("the walk does not call %d documented routes:\n%s", len(missing), strings.Join(missing, "\n"))
	}
	var noSuccess []string
	for _, rt := range (&web.Server{}).Routes() {
		if web.Documented(rt) && !w.doc.Succeeded(rt.Method, rt.Path) {
			noSuccess = append(noSuccess, rt.Method+" "+rt.Path)
		}
	}
	// Retrying needs a dead job, which takes failing a job to the end.
	if want := []string{"POST /api/v1/jobs/{id}/retry"}; !slices.Equal(noSuccess, want) {
		t.Errorf("routes the walk reaches only with an error answer: %v, want %v", noSuccess, want)
	}
}
