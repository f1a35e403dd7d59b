package app

import (
	"context"
	"fmt"
	"strconv"

	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/demo"
	"github.com/ombud/ombud/internal/orders"
	"github.com/ombud/ombud/internal/page"
	"github.com/ombud/ombud/internal/ticket"
	weborders "github.com/ombud/ombud/internal/web/orders"
	"github.com/ombud/ombud/internal/web/tickets"
	webui "github.com/ombud/ombud/internal/web/ui"
)

// wireOrders builds order lookups and the return, exchange and refund
// cases (docs/orders.md).
func (s *System) wireOrders() {
	s.Orders = orders.NewService(s.DB, s.Now, s.Secrets, s.Tickets)
	s.Orders.CacheTTL = s.Config.OrdersCacheTTL // --orders-cache-ttl
}

// ordersPages builds the orders pages and gives the ticket page its
// orders and returns panel.
func (s *System) ordersPages(ui *webui.UI, ticketPages *tickets.UI) (*weborders.UI, error) {
	p, err := weborders.New(ui, s.Orders)
	if err != nil {
		return nil, err
	}
	ticketPages.Orders = p
	return p, nil
}

// demoReturns opens a few believable return, exchange and refund cases on
// the demo's return tickets and moves them along their workflow, so the
// returns list and report have something to show.
func (s *System) demoReturns(ctx context.Context) error {
	type plan struct {
		tag, kind, reason string
		steps             []string
	}
	plans := []plan{
		{"damaged", orders.KindReturn, "damaged", []string{orders.Approved, orders.LabelSent, orders.Received, orders.Refunded}},
		{"damaged", orders.KindRefund, "damaged", []string{orders.Approved, orders.Refunded}},
		{"exchange", orders.KindExchange, "doesnt_fit", []string{orders.Approved, orders.LabelSent, orders.Received, orders.Exchanged}},
		{"exchange", orders.KindExchange, "doesnt_fit", []string{orders.Approved, orders.LabelSent}},
		{"return", orders.KindReturn, "changed_mind", []string{orders.Approved}},
		{"return", orders.KindReturn, "wrong_item", nil},
	}
	used := map[int64]bool{}
	for _, p := range plans {
		list, err := s.Tickets.List(ctx, authz.System, ticket.Filter{Tags: []string{p.tag}}, page.Request{Limit: 10})
		if err != nil {
			return fmt.Errorf("demo returns: %w", err)
		}
		for _, t := range list.Data {
			product, _ := t.CustomFields["product"].(string)
			order, _ := t.CustomFields["order_number"].(string)
			price, cur, ok := demo.Price(product, t.Language)
			if used[t.ID] || !ok || order == "" {
				continue
			}
			used[t.ID] = true
			c, err := s.Orders.Create(ctx, authz.System, t.ID, orders.CaseInput{Kind: p.kind, OrderNumber: order, Reason: p.reason,
				Amount: strconv.Itoa(price), Currency: cur, Items: []orders.CaseItem{{Product: product, Quantity: 1}}})
			if err != nil {
				return fmt.Errorf("demo return on #%d: %w", t.ID, err)
			}
			for _, st := range p.steps {
				if _, err := s.Orders.Transition(ctx, authz.System, c.ID, orders.TransitionInput{Status: st}); err != nil {
					return fmt.Errorf("demo return %d to %s: %w", c.ID, st, err)
				}
			}
			break
		}
	}
	return nil
}
