package app_test

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/ombud/ombud/internal/app"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/config"
	"github.com/ombud/ombud/internal/orders"
)

// TestDemoReturns: the demo has return, exchange and refund cases at
// several steps, on the demo's return tickets, with the order and product
// of the ticket, and some refunded.
func TestDemoReturns(t *testing.T) {
	ctx := context.Background()
	c := config.Defaults()
	c.DataDir = t.TempDir()
	sys, err := app.Open(ctx, c, slog.New(slog.NewTextHandler(io.Discard, nil)), time.Now)
	if err != nil {
		t.Fatal(err)
	}
	defer sys.Close()
	if _, err := sys.LoadDemo(ctx); err != nil {
		t.Fatal(err)
	}
	cases, err := sys.Orders.List(ctx, authz.System, orders.Filter{})
	if err != nil || len(cases) < 4 {
		t.Fatalf("demo cases: %d %v", len(cases), err)
	}
	kinds, statuses := map[string]int{}, map[string]int{}
	for _, c := range cases {
		kinds[c.Kind]++
		statuses[c.Status]++
		if c.OrderNumber == "" || len(c.Items) != 1 || c.AmountMinor == 0 || c.Currency == "" {
			t.Errorf("case %+v", c)
		}
	}
	if kinds[orders.KindReturn] == 0 || kinds[orders.KindExchange] == 0 || statuses[orders.Refunded] == 0 || statuses[orders.Requested]+statuses[orders.Approved] == 0 {
		t.Errorf("kinds %v, statuses %v", kinds, statuses)
	}
}
