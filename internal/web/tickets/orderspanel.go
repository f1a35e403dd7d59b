package tickets

import (
	"fmt"
	"html/template"
	"net/http"

	"github.com/ombud/ombud/internal/orders"
	"github.com/ombud/ombud/internal/ticket"
)

// This file holds the ticket page's orders and returns panel and the
// history sentences of return cases (docs/orders.md).

// Orders renders the ticket page's panel of the requester's orders and
// the ticket's return, exchange and refund cases. The orders surface
// implements it (web/orders), so this surface does not depend on that one.
// It never asks the shop: the orders load after the page, from their own
// route (GET /tickets/{id}/orders), so a slow shop never slows this page.
type Orders interface {
	TicketPanel(r *http.Request, t ticket.Ticket) (template.HTML, error)
}

func (u *UI) ordersPanel(r *http.Request, t ticket.Ticket) (template.HTML, error) {
	if u.Orders == nil {
		return "", nil
	}
	return u.Orders.TicketPanel(r, t)
}

// describeReturn says what a return case event did.
func (u *UI) describeReturn(lang string, e ticket.Event) string {
	t := func(key string, args ...any) string { return u.i18n.T(lang, key, args...) }
	d := e.Data
	id := fmt.Sprint(d["case_id"])
	kind := u.i18n.String(lang, orders.Label(fmt.Sprint(d["kind"])))
	if e.Type == orders.EvReturnOpened {
		reason := u.i18n.String(lang, orders.Label(fmt.Sprint(d["reason"])))
		if cur, _ := d["currency"].(string); cur != "" {
			return t("opened %s case %s for order %s (%s, %s %s)", kind, id, fmt.Sprint(d["order_number"]), reason, fmt.Sprint(d["amount"]), cur)
		}
		return t("opened %s case %s for order %s (%s)", kind, id, fmt.Sprint(d["order_number"]), reason)
	}
	to := u.i18n.String(lang, orders.Label(fmt.Sprint(d["to"])))
	if cur, _ := d["currency"].(string); cur != "" {
		return t("moved %s case %s to %s: %s %s", kind, id, to, fmt.Sprint(d["amount"]), cur)
	}
	return t("moved %s case %s to %s", kind, id, to)
}
