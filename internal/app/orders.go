package app

import (
	"github.com/ombud/ombud/internal/orders"
	weborders "github.com/ombud/ombud/internal/web/orders"
	"github.com/ombud/ombud/internal/web/tickets"
	webui "github.com/ombud/ombud/internal/web/ui"
)

// wireOrders builds order lookups and the return, exchange and refund
// cases (docs/orders.md).
func (s *System) wireOrders() {
	s.Orders = orders.NewService(s.DB, s.Now, s.Secrets, s.Tickets)
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
