package orders_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ombud/ombud/internal/app/apptest"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/ticket"
	"github.com/ombud/ombud/internal/web/webtest"
)

// hangingShop is a Shopify-style shop on loopback that, while hang is
// set, holds every request until the client gives up or the test ends.
func hangingShop(t *testing.T) (srv *httptest.Server, hang *atomic.Bool, asked *atomic.Int64) {
	hang, asked = &atomic.Bool{}, &atomic.Int64{}
	release := make(chan struct{})
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		asked.Add(1)
		if hang.Load() {
			select {
			case <-r.Context().Done():
			case <-release:
			}
			return
		}
		_, _ = w.Write([]byte(`{"orders":[{"name":"#2001","email":"ann@example.com","created_at":"2026-02-10T12:00:00Z","currency":"EUR","total_price":"19.00",
			"financial_status":"paid","line_items":[{"title":"Wool socks","quantity":2,"price":"9.50"}]}]}`))
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(release) }) // before Close, which waits for held requests
	return srv, hang, asked
}

// TestTicketPageDoesNotWaitForTheShop: with the shop hanging, the ticket
// page answers at once with the orders' placeholder; the fragment gives a
// clear failure notice after the lookup's timeout; once the shop answers,
// the fragment shows the orders, and a repeat within the cache's time is
// answered without the shop, even if it hangs again.
func TestTicketPageDoesNotWaitForTheShop(t *testing.T) {
	for _, engine := range []db.Dialect{db.SQLite, db.Postgres} {
		t.Run(engine.String(), func(t *testing.T) {
			e := apptest.New(t, engine)
			srv, hang, asked := hangingShop(t)
			admin, agent := webtest.SignIn(t, e, authz.Admin), webtest.SignIn(t, e, authz.Agent)
			if st, _, _ := admin.Do(t, "POST", "/admin/orders", url.Values{"kind": {"shopify"}, "base_url": {srv.URL}, "api_version": {"2024-10"}, "token": {"shpat_web"}}); st != http.StatusSeeOther {
				t.Fatalf("save settings: %d", st)
			}
			tk, err := e.Sys.Tickets.Create(t.Context(), authz.System, ticket.CreateInput{Subject: "Socks", Description: "Wrong colour.", Requester: &ticket.RequesterInput{Email: "ann@example.com", Name: "Ann"}})
			if err != nil {
				t.Fatal(err)
			}
			page := "/tickets/" + strconv.FormatInt(tk.ID, 10)
			e.Sys.Orders.Timeout = 4 * time.Second // the default: the page must not wait for it
			hang.Store(true)

			start := time.Now()
			st, body, _ := agent.Do(t, "GET", page, nil)
			if took := time.Since(start); took > time.Second {
				t.Errorf("the ticket page took %s with the shop hanging", took)
			}
			if st != 200 || !strings.Contains(body, `data-state="loading"`) || !strings.Contains(body, "Asking the shop for the customer") ||
				!strings.Contains(body, `href="`+page+`/orders"`) || !strings.Contains(body, "fragments.js") {
				t.Fatalf("ticket page: %d %.3000s", st, body)
			}
			if n := asked.Load(); n != 0 {
				t.Errorf("the ticket page asked the shop %d times", n)
			}

			e.Sys.Orders.Timeout = 300 * time.Millisecond
			st, body, _ = agent.Do(t, "GET", page+"/orders?fragment=1", nil)
			if st != 200 || !strings.Contains(body, `data-state="failed"`) || !strings.Contains(body, "The shop could not be reached") || strings.Contains(body, "#2001") {
				t.Errorf("fragment, shop hanging: %d %.2000s", st, body)
			}

			hang.Store(false)
			st, body, _ = agent.Do(t, "GET", page+"/orders?fragment=1", nil)
			if st != 200 || !strings.Contains(body, `data-state="loaded"`) || !strings.Contains(body, "#2001") || !strings.Contains(body, "Wool socks") {
				t.Errorf("fragment, shop answering: %d %.2000s", st, body)
			}
			hang.Store(true)
			before := asked.Load()
			st, body, _ = agent.Do(t, "GET", page+"/orders?fragment=1", nil)
			if st != 200 || !strings.Contains(body, "#2001") || asked.Load() != before {
				t.Errorf("fragment from the cache: %d, shop asked %d more times: %.2000s", st, asked.Load()-before, body)
			}
		})
	}
}
