package orders_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/ombud/ombud/internal/orders"
)

// fakeShopify answers GET /admin/api/2024-10/orders.json the way the
// public Order resource is shaped: {"orders":[…]} with name, email,
// created_at, currency, total_price, financial_status, fulfillment_status
// and line_items; a second page behind a Link rel="next" header.
func fakeShopify(t *testing.T, token string) *httptest.Server {
	t.Helper()
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/admin/api/2024-10/orders.json" {
			http.NotFound(w, r)
			return
		}
		if r.Header.Get("X-Shopify-Access-Token") != token {
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = w.Write([]byte(`{"errors":"[API] Invalid API key or access token"}`))
			return
		}
		if r.URL.Query().Get("page_info") == "" && (r.URL.Query().Get("status") != "any" || r.URL.Query().Get("email") != "ann@example.com") {
			t.Errorf("first page query %q, want status=any and the email", r.URL.RawQuery)
		}
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Query().Get("page_info") == "" {
			w.Header().Set("Link", `<`+srv.URL+`/admin/api/2024-10/orders.json?limit=50&page_info=p2>; rel="next"`)
			_, _ = w.Write([]byte(`{"orders":[{"id":450789469,"name":"#1002","order_number":1002,"email":"ann@example.com","created_at":"2026-02-10T12:00:00+01:00",
				"currency":"EUR","total_price":"89.80","financial_status":"paid","fulfillment_status":"fulfilled",
				"line_items":[{"id":1,"title":"Trail shoe","sku":"TS-42","quantity":1,"price":"79.90"},{"id":2,"title":"Socks","sku":"SO-1","quantity":2,"price":"4.95"}]}]}`))
			return
		}
		_, _ = w.Write([]byte(`{"orders":[{"id":450789470,"name":"#1001","email":"ann@example.com","created_at":"2026-01-05T09:30:00Z","currency":"EUR","total_price":"24.00","financial_status":"refunded","fulfillment_status":null,"line_items":[{"title":"Cap","quantity":1,"price":"24.00"}]}]}`))
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestShopifyFindsOrdersAcrossPages(t *testing.T) {
	srv := fakeShopify(t, "shpat_test")
	c := &orders.Shopify{BaseURL: srv.URL, Version: "2024-10", Token: "shpat_test", Client: srv.Client()}
	got, err := c.Find(context.Background(), orders.Query{Email: "ann@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	want := []orders.Order{
		{Number: "#1002", Email: "ann@example.com", CreatedAt: time.Date(2026, 2, 10, 11, 0, 0, 0, time.UTC), Status: "paid", Fulfillment: "fulfilled", Total: "89.80", Currency: "EUR",
			Items: []orders.Item{{Product: "Trail shoe", SKU: "TS-42", Quantity: 1, Price: "79.90"}, {Product: "Socks", SKU: "SO-1", Quantity: 2, Price: "4.95"}}},
		{Number: "#1001", Email: "ann@example.com", CreatedAt: time.Date(2026, 1, 5, 9, 30, 0, 0, time.UTC), Status: "refunded", Total: "24.00", Currency: "EUR",
			Items: []orders.Item{{Product: "Cap", Quantity: 1, Price: "24.00"}}},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("orders (-want +got):\n%s", d)
	}
	// A wrong token is the shop refusing: unreachable, not a crash.
	c.Token = "wrong"
	if _, err := c.Find(context.Background(), orders.Query{Email: "ann@example.com"}); !errors.Is(err, orders.ErrUnreachable) {
		t.Errorf("wrong token: %v, want ErrUnreachable", err)
	}
	// A shop that does not answer in time.
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { time.Sleep(300 * time.Millisecond) }))
	defer slow.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	c = &orders.Shopify{BaseURL: slow.URL, Version: "2024-10", Token: "x"}
	if _, err := c.Find(ctx, orders.Query{Email: "ann@example.com"}); !errors.Is(err, orders.ErrUnreachable) {
		t.Errorf("slow shop: %v, want ErrUnreachable", err)
	}
}

func TestJSONConnectorFollowsPaths(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer tok" || r.URL.Query().Get("phone") != "+4791234567" {
			w.WriteHeader(http.StatusForbidden)
			return
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"result": map[string]any{"list": []any{
			map[string]any{"ref": 5501, "buyer": map[string]any{"mail": "ola@example.no"}, "placed": "2026-03-01T10:00:00Z", "state": "shipped",
				"sum": map[string]any{"value": "499.00", "cur": "NOK"}, "lines": []any{map[string]any{"name": "Rain jacket", "qty": 1}}},
		}}})
	}))
	defer srv.Close()
	p := orders.Paths{Orders: "result.list", Number: "ref", Email: "buyer.mail", CreatedAt: "placed", Status: "state", Total: "sum.value", Currency: "sum.cur",
		Items: "lines", Product: "name", Quantity: "qty"}
	c := &orders.JSON{URLTemplate: srv.URL + "/orders?phone={phone}", Token: "tok", Paths: p, Client: srv.Client()}
	got, err := c.Find(context.Background(), orders.Query{Phone: "+4791234567"})
	if err != nil {
		t.Fatal(err)
	}
	want := []orders.Order{{Number: "5501", Email: "ola@example.no", CreatedAt: time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC), Status: "shipped", Total: "499.00", Currency: "NOK",
		Items: []orders.Item{{Product: "Rain jacket", Quantity: 1}}}}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("orders (-want +got):\n%s", d)
	}
	c.Paths.Orders = "nowhere"
	if _, err := c.Find(context.Background(), orders.Query{Phone: "+4791234567"}); !errors.Is(err, orders.ErrUnreachable) {
		t.Errorf("wrong path: %v, want ErrUnreachable", err)
	}
}

func TestParseAmount(t *testing.T) {
	for _, c := range []struct {
		in   string
		want int64
		ok   bool
	}{{"49.90", 4990, true}, {"49,9", 4990, true}, {"12", 1200, true}, {"", 0, true}, {"0.05", 5, true}, {"1.234", 0, false}, {"-3", 0, false}, {"abc", 0, false}, {".5", 0, false}} {
		got, ok := orders.ParseAmount(c.in)
		if got != c.want || ok != c.ok {
			t.Errorf("ParseAmount(%q) = %d, %v; want %d, %v", c.in, got, ok, c.want, c.ok)
		}
	}
}
