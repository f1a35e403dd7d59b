package journey_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/ombud/ombud/internal/dbtest"
)

// fakeShop is a Shopify-style shop: GET /admin/api/2024-10/orders.json
// answers Ann's one order (the public Order resource's shape) to the
// right access token. While hang is set it answers nothing until the
// asker gives up.
func fakeShop(t *testing.T) (*httptest.Server, *atomic.Bool) {
	t.Helper()
	var hang atomic.Bool
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if hang.Load() {
			<-r.Context().Done()
			return
		}
		if r.URL.Path != "/admin/api/2024-10/orders.json" || r.Header.Get("X-Shopify-Access-Token") != "shpat_journey" || r.URL.Query().Get("status") != "any" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Query().Get("email") != "ann@example.com" {
			_, _ = w.Write([]byte(`{"orders":[]}`))
			return
		}
		_, _ = w.Write([]byte(`{"orders":[{"id":820982911946154500,"name":"#1002","order_number":1002,"email":"ann@example.com","created_at":"2026-02-10T12:00:00+01:00",
			"currency":"EUR","total_price":"79.90","financial_status":"paid","fulfillment_status":"fulfilled",
			"line_items":[{"id":466157049,"title":"Trail shoe","sku":"TS-42","quantity":1,"price":"79.90"}]}]}`))
	}))
	t.Cleanup(s.Close)
	return s, &hang
}

// TestBrowserReturn is a return from start to refund, on both engines: an
// admin connects the shop under Administration; an agent opens Ann's
// ticket and sees her order from the shop (loaded after the page), starts
// a return for it with a reason and the amount, and moves it approved →
// label sent → received → refunded, each step on the ticket's history;
// the returns report shows it under its reason with the refund total.
func TestBrowserReturn(t *testing.T) {
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) {
			shop, hang := fakeShop(t)
			env := map[string]string{"OMBUD_DATA": dbtest.MigratedSQLiteDir(t), "OMBUD_LOG_LEVEL": "warn"}
			if engine == "postgres" {
				env["OMBUD_DATABASE_URL"] = dbtest.NewMigratedPostgresDatabase(t)
			}
			for _, u := range [][3]string{{"ivar@ombud.test", "Ivar Aasen", "admin"}, {"siri@ombud.test", "Siri Moe", "agent"}} {
				if code, _, er := run(t, env, "user", "create", "--email", u[0], "--name", u[1], "--role", u[2], "--password", "browser-pass-9"); code != 0 {
					t.Fatal(er)
				}
			}
			code, token, er := run(t, env, "token", "create", "--email", "ivar@ombud.test")
			if code != 0 {
				t.Fatal(er)
			}
			s := serve(t, env)
			st, tk := api(t, "POST", s.url+"/api/v1/tickets", strings.TrimSpace(token), map[string]any{"subject": "Shoes too small",
				"description": "The trail shoes from order 1002 do not fit. Can I send them back?", "requester": map[string]any{"email": "ann@example.com", "name": "Ann Berg"}})
			if st != 201 {
				t.Fatalf("ticket: %d %v", st, tk)
			}
			ticketURL := fmt.Sprintf("%s/tickets/%v", s.url, tk["id"])

			ctx := browser(t)
			step := stepper(t, ctx)
			text := func(sel string) string {
				t.Helper()
				v, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
				if err != nil {
					t.Fatalf("browser: read %s: %v", sel, err)
				}
				return strings.Join(strings.Fields(v), " ")
			}
			step("the admin opens the orders settings", signIn(s.url+"/admin/orders", "ivar@ombud.test", "browser-pass-9"), chromedp.WaitVisible(chromedp.ID("f-kind")))
			step("and connects the shop",
				chromedp.SetValue(chromedp.ID("f-kind"), "shopify"),
				chromedp.SendKeys(chromedp.ID("f-base"), shop.URL),
				chromedp.SendKeys(chromedp.ID("f-version"), "2024-10"),
				chromedp.SendKeys(chromedp.ID("f-token"), "shpat_journey"),
				chromedp.Submit(chromedp.ID("f-token")),
				chromedp.WaitVisible(chromedp.CSS("p.flash")))
			step("sign out", chromedp.Click(chromedp.CSS("details.user-menu > summary")), chromedp.Click(chromedp.CSS(`form[action="/logout"] button`)), chromedp.WaitVisible(chromedp.ID("email")))

			// The orders load after the page (fragments.js). The shop hangs
			// first: the ticket page still opens, the orders say they could
			// not be loaded (after the lookup's 4 s), and "Try again" loads
			// them once the shop is back.
			hang.Store(true)
			step("the agent opens Ann's ticket while the shop hangs", signIn(ticketURL, "siri@ombud.test", "browser-pass-9"),
				chromedp.WaitVisible(chromedp.ID("body")),
				chromedp.WaitVisible(chromedp.CSS(`section#orders[data-state="loading"] p.orders-loading`)),
				chromedp.WaitVisible(chromedp.CSS(`section#orders[data-state="failed"] #orders-unreachable`)))
			hang.Store(false)
			step("the shop is back: she tries again and sees Ann's order", chromedp.Click(chromedp.CSS(`section#orders .orders-retry`)),
				chromedp.WaitVisible(chromedp.CSS(`section#orders[data-state="loaded"]`)),
				chromedp.WaitVisible(chromedp.CSS(`li.order[data-order="#1002"]`)))
			if got := text(`li.order[data-order="#1002"]`); !strings.Contains(got, "Trail shoe") || !strings.Contains(got, "79.90 EUR") {
				t.Fatalf("order in the panel: %q", got)
			}
			step("starts a return for it",
				chromedp.Click(chromedp.CSS(`li.order[data-order="#1002"] details.order-return > summary`)),
				chromedp.WaitVisible(chromedp.ID("o0-reason")),
				chromedp.SetValue(chromedp.ID("o0-kind"), "return"),
				chromedp.SetValue(chromedp.ID("o0-reason"), "doesnt_fit"),
				chromedp.Clear(chromedp.ID("o0-amount")),
				chromedp.SendKeys(chromedp.ID("o0-amount"), "79.90"),
				chromedp.Click(chromedp.CSS(`li.order[data-order="#1002"] details.order-return button[type="submit"]`)),
				chromedp.WaitVisible(chromedp.CSS(`li.case[data-status="requested"]`)))
			for _, to := range []string{"approved", "label_sent", "received", "refunded"} {
				step("moves it to "+to,
					chromedp.Click(chromedp.CSS(`li.case button[data-status="`+to+`"]`)),
					chromedp.WaitVisible(chromedp.CSS(`li.case[data-status="`+to+`"]`)))
			}
			if got := text("li.case"); !strings.Contains(got, "Refunded") || !strings.Contains(got, "Doesn't fit") || !strings.Contains(got, "79.90 EUR") {
				t.Fatalf("the case: %q", got)
			}
			step("and opens the history", chromedp.Click(chromedp.CSS("details.history > summary")))
			hist := text("details.history")
			for _, want := range []string{"opened Return case 1 for order #1002 (Doesn't fit, 79.90 EUR)", "moved Return case 1 to Approved", "moved Return case 1 to Label sent",
				"moved Return case 1 to Received", "moved Return case 1 to Refunded: 79.90 EUR"} {
				if !strings.Contains(hist, want) {
					t.Errorf("history lacks %q: %.2000s", want, hist)
				}
			}
			step("sign out", chromedp.Click(chromedp.CSS("details.user-menu > summary")), chromedp.Click(chromedp.CSS(`form[action="/logout"] button`)), chromedp.WaitVisible(chromedp.ID("email")))

			step("the admin opens the reports' Returns tab", signIn(s.url+"/reports", "ivar@ombud.test", "browser-pass-9"),
				chromedp.WaitVisible(chromedp.CSS(`nav.report-nav a[href^="/reports/returns"]`)),
				chromedp.Click(chromedp.CSS(`nav.report-nav a[href^="/reports/returns"]`)),
				chromedp.WaitVisible(chromedp.ID("returns-by-reason")))
			if got := text("#returns-by-reason tbody"); got != "Doesn't fit 1" {
				t.Errorf("returns by reason: %q", got)
			}
			if got := text("#returns-by-product tbody"); got != "Trail shoe 1 1" {
				t.Errorf("returns by product: %q", got)
			}
			if got := text("#refund-totals tbody"); got != "EUR 1 79.90" {
				t.Errorf("refund totals: %q", got)
			}
		})
	}
}
