package orders_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/ombud/ombud/internal/app/apptest"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/orders"
	"github.com/ombud/ombud/internal/ticket"
	"github.com/ombud/ombud/internal/web/webtest"
)

// shop is a Shopify-style orders endpoint with one order for ann.
func shop(t *testing.T) *httptest.Server {
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/admin/api/2024-10/orders.json" || r.Header.Get("X-Shopify-Access-Token") != "shpat_web" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		if r.URL.Query().Get("email") != "ann@example.com" {
			_, _ = w.Write([]byte(`{"orders":[]}`))
			return
		}
		_, _ = w.Write([]byte(`{"orders":[{"name":"#1002","email":"ann@example.com","created_at":"2026-02-10T12:00:00Z","currency":"EUR","total_price":"79.90",
			"financial_status":"paid","fulfillment_status":"fulfilled","line_items":[{"title":"Trail shoe","sku":"TS-42","quantity":1,"price":"79.90"}]}]}`))
	}))
	t.Cleanup(s.Close)
	return s
}

// TestOrdersPages: an admin connects the shop; the agent sees Ann's order
// on her ticket, starts a return from it and moves it; a collaborator
// reads but may not move it; the list filters; the report counts it; a
// shop that went away is a message on the ticket page, not an error.
func TestOrdersPages(t *testing.T) {
	e := apptest.New(t, db.SQLite)
	srv := shop(t)
	admin, manager := webtest.SignIn(t, e, authz.Admin), webtest.SignIn(t, e, authz.Manager)
	agent, collab := webtest.SignIn(t, e, authz.Agent), webtest.SignIn(t, e, authz.Collaborator)

	settings := url.Values{"kind": {"shopify"}, "base_url": {srv.URL}, "api_version": {"2024-10"}, "token": {"shpat_web"}, "reasons": {"damaged\nwrong_item\ndoesnt_fit\nother"}}
	if st, _, _ := manager.Do(t, "POST", "/admin/orders", settings); st != http.StatusForbidden {
		t.Errorf("manager saves settings: %d", st)
	}
	if st, body, _ := admin.Do(t, "POST", "/admin/orders", url.Values{"kind": {"shopify"}, "base_url": {"nope"}}); st != http.StatusBadRequest || !strings.Contains(body, "must be an http or https URL") {
		t.Errorf("bad settings: %d %.500s", st, body)
	}
	if st, _, _ := admin.Do(t, "POST", "/admin/orders", settings); st != http.StatusSeeOther {
		t.Fatalf("save settings: %d", st)
	}
	if st, body, _ := manager.Do(t, "GET", "/admin/orders", nil); st != 200 || strings.Contains(body, "shpat_web") || !strings.Contains(body, "A token is stored") {
		t.Errorf("settings page: %d, token shown or not stored", st)
	}

	tk, err := e.Sys.Tickets.Create(t.Context(), authz.System, ticket.CreateInput{Subject: "Shoes too small", Description: "Can I send them back?", Requester: &ticket.RequesterInput{Email: "ann@example.com", Name: "Ann"}})
	if err != nil {
		t.Fatal(err)
	}
	page := "/tickets/" + strconv.FormatInt(tk.ID, 10)
	// The ticket page shows where the orders go; the page's script loads
	// them from the fragment.
	st, body, _ := agent.Do(t, "GET", page, nil)
	if st != 200 || !strings.Contains(body, `data-fragment="`+page+`/orders?fragment=1"`) || strings.Contains(body, "#1002") || !strings.Contains(body, "Start case") {
		t.Fatalf("ticket page: %d, no placeholder: %.3000s", st, body)
	}
	st, body, _ = agent.Do(t, "GET", page+"/orders?fragment=1", nil)
	if st != 200 || !strings.HasPrefix(strings.TrimSpace(body), `<section id="orders"`) || !strings.Contains(body, "#1002") || !strings.Contains(body, "Trail shoe") || !strings.Contains(body, "Start case") {
		t.Fatalf("orders fragment: %d, no order: %.3000s", st, body)
	}
	// Without script, the link opens them as a page.
	if st, body, _ := agent.Do(t, "GET", page+"/orders", nil); st != 200 || !strings.Contains(body, "<html") || !strings.Contains(body, "#1002") || !strings.Contains(body, "Back to the ticket") {
		t.Errorf("orders page: %d %.2000s", st, body)
	}
	// A form missing its reason comes back with what is wrong.
	form := url.Values{"kind": {"return"}, "order_number": {"#1002"}, "product_0": {"Trail shoe"}, "qty_0": {"1"}, "reason": {"bored"}, "amount": {"79.90"}, "currency": {"EUR"}}
	if st, body, _ := agent.Do(t, "POST", page+"/returns", form); st != http.StatusBadRequest && st != http.StatusUnprocessableEntity || !strings.Contains(body, "is not one of the return reasons") {
		t.Errorf("bad case form: %d %.1000s", st, body)
	}
	form.Set("reason", "doesnt_fit")
	if st, _, loc := agent.Do(t, "POST", page+"/returns", form); st != http.StatusSeeOther || !strings.Contains(loc, "#returns") {
		t.Fatalf("start case: %d %s", st, loc)
	}
	cases, err := e.Sys.Orders.List(t.Context(), authz.System, orders.Filter{TicketID: tk.ID})
	if err != nil || len(cases) != 1 {
		t.Fatalf("cases %v %v", cases, err)
	}
	move := "/returns/" + strconv.FormatInt(cases[0].ID, 10) + "/status"
	if st, _, _ := collab.Do(t, "POST", move, url.Values{"status": {"approved"}}); st != http.StatusForbidden {
		t.Errorf("collaborator moves: %d", st)
	}
	for _, s := range []string{"approved", "label_sent", "received", "refunded"} {
		if st, _, _ := agent.Do(t, "POST", move, url.Values{"status": {s}}); st != http.StatusSeeOther {
			t.Fatalf("to %s: %d", s, st)
		}
	}
	st, body, _ = collab.Do(t, "GET", page, nil)
	if st != 200 || !strings.Contains(body, "Refunded") || strings.Contains(body, `action="`+move+`"`) || !strings.Contains(body, "moved Return case") {
		t.Errorf("collaborator's ticket page: %d %.3000s", st, body)
	}
	if st, body, _ := agent.Do(t, "GET", "/returns?reason=doesnt_fit&status=refunded", nil); st != 200 || !strings.Contains(body, "#1002") {
		t.Errorf("returns list: %d", st)
	}
	if st, body, _ := agent.Do(t, "GET", "/returns?reason=damaged", nil); st != 200 || strings.Contains(body, "#1002") {
		t.Errorf("returns list by another reason: %d", st)
	}
	if st, _, _ := agent.Do(t, "GET", "/returns?status=lost", nil); st != http.StatusBadRequest {
		t.Errorf("bad filter: %d", st)
	}
	st, body, _ = manager.Do(t, "GET", "/reports/returns", nil)
	if st != 200 || !strings.Contains(body, "t fit") || !strings.Contains(body, "79.90") {
		t.Errorf("report: %d %.3000s", st, body)
	}
	st, joined, _ := manager.Do(t, "GET", "/reports/returns?format=csv", nil)
	if st != 200 || !strings.Contains(joined, "reason,doesnt_fit,1") || !strings.Contains(joined, "refunds,EUR,1,,79.90,EUR") {
		t.Errorf("csv:\n%s", joined)
	}
	// The shop goes away: the ticket page still opens, and says so.
	srv.Close()
	if st, _, _ = agent.Do(t, "GET", page, nil); st != 200 {
		t.Errorf("shop down: ticket page %d", st)
	}
	st, body, _ = agent.Do(t, "GET", page+"/orders?fragment=1", nil)
	if st != 200 || !strings.Contains(body, "The shop could not be reached") || !strings.Contains(body, `data-state="failed"`) {
		t.Errorf("shop down: %d %.2000s", st, body)
	}
}
