package orders_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/dbtest"
	"github.com/ombud/ombud/internal/orders"
)

// countingShop is a JSON shop on loopback that counts the questions it is
// asked and, while down is set, answers 503.
func countingShop(t *testing.T) (*httptest.Server, *atomic.Int64, *atomic.Bool) {
	var asked atomic.Int64
	var down atomic.Bool
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		asked.Add(1)
		if down.Load() {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"orders":[{"number":"1002","email":"` + r.URL.Query().Get("email") + `","total":"79.90","currency":"EUR","items":[{"product":"Trail shoe","quantity":1}]}]}`))
	}))
	t.Cleanup(srv.Close)
	return srv, &asked, &down
}

// TestLookupCache: a customer's answer is reused for CacheTTL; a case
// opened or moved on their ticket, new settings, or the time passing ask
// the shop again; a failure is never kept; a query without a customer is
// not cached.
func TestLookupCache(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		e := setup(t, d)
		srv, asked, down := countingShop(t)
		settings := orders.SettingsInput{Kind: "json", URLTemplate: srv.URL + "/orders?email={email}", Paths: orders.DefaultPaths()}
		if _, err := e.svc.SaveSettings(ctx, e.admin, settings); err != nil {
			t.Fatal(err)
		}
		tk, err := e.tickets.Get(ctx, e.agent, e.ticket)
		if err != nil {
			t.Fatal(err)
		}
		ann := orders.Query{Email: "ann@example.com", Customer: tk.RequesterID}
		lookup := func(who authz.Actor, q orders.Query, wantAsked int64) {
			t.Helper()
			got, ok, err := e.svc.Lookup(ctx, who, q)
			if err != nil || !ok || len(got) != 1 || got[0].Number != "1002" {
				t.Fatalf("lookup: %v %v %v", got, ok, err)
			}
			if n := asked.Load(); n != wantAsked {
				t.Fatalf("the shop was asked %d times, want %d", n, wantAsked)
			}
		}
		lookup(e.agent, ann, 1)
		lookup(e.collab, ann, 1) // from the cache
		lookup(e.agent, orders.Query{Email: "bo@example.com", Customer: tk.RequesterID + 1000}, 2)
		lookup(e.agent, orders.Query{Email: "ann@example.com"}, 3) // no customer: not cached
		lookup(e.agent, orders.Query{Email: "ann@example.com"}, 4)

		c, err := e.svc.Create(ctx, e.agent, e.ticket, orders.CaseInput{Kind: "refund", OrderNumber: "1002", Reason: "damaged", Amount: "79.90", Currency: "EUR",
			Items: []orders.CaseItem{{Product: "Trail shoe", Quantity: 1}}})
		if err != nil {
			t.Fatal(err)
		}
		lookup(e.agent, ann, 5) // the case dropped Ann's answer
		lookup(e.agent, orders.Query{Email: "bo@example.com", Customer: tk.RequesterID + 1000}, 5)
		if _, err := e.svc.Transition(ctx, e.agent, c.ID, orders.TransitionInput{Status: orders.Approved}); err != nil {
			t.Fatal(err)
		}
		lookup(e.agent, ann, 6)
		lookup(e.agent, ann, 6)
		e.now = e.now.Add(orders.DefaultCacheTTL)
		lookup(e.agent, ann, 7) // expired
		if _, err := e.svc.SaveSettings(ctx, e.admin, settings); err != nil {
			t.Fatal(err)
		}
		lookup(e.agent, ann, 8) // new settings drop every answer

		// A failure is not kept: once the shop is back it is asked again.
		e.now = e.now.Add(orders.DefaultCacheTTL)
		down.Store(true)
		if _, _, err := e.svc.Lookup(ctx, e.agent, ann); !errors.Is(err, orders.ErrUnreachable) {
			t.Fatalf("shop down: %v", err)
		}
		down.Store(false)
		lookup(e.agent, ann, 10)

		// Without a TTL every lookup asks.
		e.svc.CacheTTL = 0
		lookup(e.agent, ann, 11)
		lookup(e.agent, ann, 12)
		if _, _, err := e.svc.Lookup(ctx, authz.Actor{Kind: authz.KindCustomer, ID: 1}, ann); err == nil {
			t.Error("a customer looked orders up")
		}
	})
}
