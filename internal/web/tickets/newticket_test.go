package tickets_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/ombud/ombud/internal/app/apptest"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/dbtest"
	"github.com/ombud/ombud/internal/web/webtest"
)

// TestNewTicketPage covers the "New ticket" form on both engines: a phone
// call logged for a caller known only by number, a customer's words
// recorded with every kind of custom field, a refused form that keeps what
// was typed, and a note-only role that is not offered the page.
func TestNewTicketPage(t *testing.T) {
	for _, engine := range dbtest.Engines {
		t.Run(engine.String(), func(t *testing.T) {
			e := apptest.New(t, engine)
			for _, f := range []string{
				`{"key":"plan","label":"Plan","type":"dropdown","options":["Basic","Gold"]}`,
				`{"key":"renewal","label":"Renewal","type":"date"}`,
				`{"key":"seats","label":"Seats","type":"number"}`,
				`{"key":"vip","label":"VIP","type":"checkbox"}`,
				`{"key":"order_no","label":"Order","type":"text","required":true}`,
			} {
				if st, body := e.Do(t, authz.Admin, "POST", "/api/v1/custom-fields", f); st != 201 {
					t.Fatalf("field %s: %d %v", f, st, body["_raw"])
				}
			}
			agent := e.Agents[authz.Agent]

			page := webtest.GetPage(t, e, authz.Agent, "/tickets/new")
			for _, want := range []string{`name="subject"`, `name="requester.phone"`, `id="f-custom_fields.plan"`, `type="date"`, `type="number"`, `type="checkbox" id="f-custom_fields.vip"`, `Required to solve the ticket.`} {
				if !strings.Contains(page, want) {
					t.Errorf("form lacks %s", want)
				}
			}

			t.Run("phone call from a new caller", func(t *testing.T) {
				st, loc := webtest.PostFormLoc(t, e, authz.Agent, "/tickets", url.Values{
					"subject": {"Caller asks about invoice 4411"}, "kind": {"note"}, "description": {"Called at 10:05, wants a copy of invoice 4411."},
					"requester.phone": {"+47 22 33 44 55"}, "requester.name": {"Kari Telefon"}, "channel": {"phone"}, "status": {"open"},
					"priority": {"high"}, "type": {"question"}, "assignee_id": {fmt.Sprint(agent.ID)}, "tags": {"invoice, phone-log"},
				})
				if st != http.StatusSeeOther || !strings.HasPrefix(loc, "/tickets/") {
					t.Fatalf("status %d location %q", st, loc)
				}
				_, tk := e.Do(t, authz.Agent, "GET", "/api/v1"+loc, nil)
				if tk["channel"] != "phone" || tk["status"] != "open" || tk["priority"] != "high" || fmt.Sprint(tk["assignee_id"]) != fmt.Sprint(agent.ID) {
					t.Errorf("ticket %v", tk["_raw"])
				}
				_, cs := e.Do(t, authz.Agent, "GET", "/api/v1"+loc+"/comments", nil)
				first := cs["data"].([]any)[0].(map[string]any)
				if first["public"] != false || first["author_type"] != "agent" {
					t.Errorf("first message %v: want an internal note by the agent", first)
				}
				_, list := e.Do(t, authz.Agent, "GET", "/api/v1/customers?q=Kari", nil)
				if n := len(list["data"].([]any)); n != 1 {
					t.Errorf("%d customers named Kari, want the caller added once", n)
				}
			})

			t.Run("customer's words with custom fields", func(t *testing.T) {
				st, loc := webtest.PostFormLoc(t, e, authz.Agent, "/tickets", url.Values{
					"subject": {"Upgrade"}, "kind": {"customer"}, "description": {"We want Gold for 12 seats."},
					"requester.email": {"Buyer@Example.com"}, "channel": {"web"}, "status": {"new"}, "priority": {"normal"}, "type": {"task"},
					"custom_fields.plan": {"Gold"}, "custom_fields.renewal": {"2027-01-31"}, "custom_fields.seats": {"12"},
					"custom_fields.vip": {"on"}, "custom_fields.order_no": {"A-77"},
				})
				if st != http.StatusSeeOther {
					t.Fatalf("status %d", st)
				}
				_, tk := e.Do(t, authz.Agent, "GET", "/api/v1"+loc, nil)
				cf, _ := tk["custom_fields"].(map[string]any)
				if cf["plan"] != "Gold" || cf["renewal"] != "2027-01-31" || cf["seats"] != 12.0 || cf["vip"] != true || cf["order_no"] != "A-77" {
					t.Errorf("custom fields %v", cf)
				}
				_, cs := e.Do(t, authz.Agent, "GET", "/api/v1"+loc+"/comments", nil)
				if first := cs["data"].([]any)[0].(map[string]any); first["author_type"] != "customer" || first["public"] != true {
					t.Errorf("first message %v: want the customer's public words", first)
				}
			})

			t.Run("refused form keeps what was typed", func(t *testing.T) {
				st, body := webtest.PostFormBody(t, e, authz.Agent, "/tickets", url.Values{
					"subject": {"Solve at once"}, "kind": {"note"}, "description": {"Quick fix on the phone."},
					"requester.phone": {"+47 22 33 44 56"}, "channel": {"phone"}, "status": {"solved"}, "priority": {"normal"}, "type": {"question"},
					"custom_fields.seats": {"many"},
				})
				if st != http.StatusBadRequest {
					t.Fatalf("status %d", st)
				}
				for _, want := range []string{"must be a number", `value="Solve at once"`, "Quick fix on the phone."} {
					if !strings.Contains(body, want) {
						t.Errorf("refused form lacks %q", want)
					}
				}
				st, body = webtest.PostFormBody(t, e, authz.Agent, "/tickets", url.Values{
					"subject": {"Solve at once"}, "kind": {"note"}, "description": {"Quick fix on the phone."},
					"requester.phone": {"+47 22 33 44 56"}, "channel": {"phone"}, "status": {"solved"}, "priority": {"normal"}, "type": {"question"},
				})
				if st != http.StatusUnprocessableEntity || !strings.Contains(body, "is required to solve the ticket") {
					t.Errorf("solving without the required field: %d", st)
				}
				st, body = webtest.PostFormBody(t, e, authz.Agent, "/tickets", url.Values{
					"subject": {"Nobody"}, "kind": {"note"}, "description": {"Who called?"}, "channel": {"phone"},
					"status": {"open"}, "priority": {"normal"}, "type": {"question"},
				})
				if st != http.StatusBadRequest || !strings.Contains(body, "give the customer&#39;s email or phone") {
					t.Errorf("no requester: %d", st)
				}
			})

			t.Run("customer page offers a ticket for the customer", func(t *testing.T) {
				_, list := e.Do(t, authz.Agent, "GET", "/api/v1/customers?q=buyer", nil)
				id := int64(list["data"].([]any)[0].(map[string]any)["id"].(float64))
				if !strings.Contains(webtest.GetPage(t, e, authz.Agent, fmt.Sprintf("/customers/%d", id)), fmt.Sprintf("/tickets/new?customer_id=%d", id)) {
					t.Error("customer page has no new-ticket link")
				}
				page := webtest.GetPage(t, e, authz.Agent, fmt.Sprintf("/tickets/new?customer_id=%d", id))
				if !strings.Contains(page, fmt.Sprintf(`name="requester_id" value="%d"`, id)) || strings.Contains(page, `name="requester.email"`) {
					t.Error("form for a known customer should carry its id and not ask for an email")
				}
			})

			if strings.Contains(webtest.GetPage(t, e, authz.Collaborator, "/tickets"), `href="/tickets/new"`) {
				t.Error("a collaborator is offered New ticket")
			}
		})
	}
}
