package orders

import (
	"bytes"
	"errors"
	"fmt"
	"html/template"
	"net/http"

	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/orders"
	"github.com/ombud/ombud/internal/ticket"
	"github.com/ombud/ombud/internal/web/httpx"
	"github.com/ombud/ombud/internal/web/ui"
)

// The ticket page's orders panel never waits for the shop: the page shows
// the ticket's cases (from the database) and a placeholder the page's
// script (fragments.js) fills from GET /tickets/{id}/orders?fragment=1.
// Without script, a link opens the same orders as a page of their own.

// query is whose orders the ticket's panel shows: the requester's email,
// else a phone of theirs; Customer is the requester (the cache's key).
func (u *UI) query(r *http.Request, t ticket.Ticket) orders.Query {
	ctx, actor := r.Context(), httpx.Actor(r.Context())
	q := orders.Query{Customer: t.RequesterID}
	if t.Requester != nil {
		q.Email = t.Requester.Email
	}
	if q.Email == "" && t.RequesterID != 0 && u.Customers != nil && authz.Can(actor, authz.CustomerRead) {
		if c, err := u.Customers.Get(ctx, actor, t.RequesterID); err == nil {
			for _, id := range c.Identities {
				if id.Type == "phone" && q.Phone == "" {
					q.Phone = id.Value
				}
			}
		}
	}
	return q
}

// TicketPanel renders the ticket page's orders and returns panel
// (tickets.Orders): the ticket's cases with their next steps, and where
// the requester's orders will show once the shop answered. It asks the
// shop nothing, so a slow or unreachable shop never slows the ticket page.
func (u *UI) TicketPanel(r *http.Request, t ticket.Ticket) (template.HTML, error) {
	ctx, actor := r.Context(), httpx.Actor(r.Context())
	if !authz.Can(actor, authz.ReturnsRead) {
		return "", nil
	}
	cases, err := u.Orders.List(ctx, actor, orders.Filter{TicketID: t.ID})
	if err != nil {
		return "", err
	}
	st, err := u.Orders.Settings(ctx, actor)
	if err != nil {
		return "", err
	}
	q := u.query(r, t)
	reasons, err := u.Orders.Reasons(ctx)
	if err != nil {
		return "", err
	}
	data := map[string]any{"Lang": u.Lang(r), "Actor": actor, "CSRF": csrf(r), "TicketID": t.ID, "Configured": st.Kind != orders.KindNone,
		"Searched": q.Email != "" || q.Phone != "", "Cases": views(cases), "CanManage": authz.Can(actor, authz.ReturnsManage) && t.Status != "closed",
		"Reasons": choices(reasons), "Kinds": choices(orders.Kinds)}
	var buf bytes.Buffer
	if err := u.panel.Execute(&buf, data); err != nil {
		return "", fmt.Errorf("orders: panel: %w", err)
	}
	return template.HTML(buf.String()), nil // our own template's output
}

// TicketOrders answers GET /tickets/{id}/orders: the requester's orders
// from the shop (or the cache), each with a form to start a case. With
// fragment=1 it is the panel's section alone, which the ticket page's
// script puts in place; otherwise a page of its own (the link shown
// without script). A shop that does not answer within the service's
// timeout is a notice in the section (data-state="failed"), never an
// error status.
func (u *UI) TicketOrders(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id", "ticket")
	if err != nil {
		return err
	}
	ctx, actor := r.Context(), httpx.Actor(r.Context())
	t, err := u.Tickets.Get(ctx, actor, id) // who may see the ticket
	if err != nil {
		return err
	}
	q := u.query(r, t)
	var list []orders.Order
	configured, unreachable := false, false
	if q.Email != "" || q.Phone != "" {
		list, configured, err = u.Orders.Lookup(ctx, actor, q)
		if err != nil {
			// The shop, or its stored token (a key missing after a
			// rotation), failing is a notice, never a failed page.
			unreachable, configured = true, true
			u.Log.Warn("orders: lookup failed", "ticket", t.ID, "unreachable", errors.Is(err, orders.ErrUnreachable), "err", err)
		}
	} else if st, err := u.Orders.Settings(ctx, actor); err == nil {
		configured = st.Kind != orders.KindNone
	}
	reasons, err := u.Orders.Reasons(ctx)
	if err != nil {
		return err
	}
	data := map[string]any{"Lang": u.Lang(r), "Actor": actor, "CSRF": csrf(r), "TicketID": t.ID, "Orders": list, "Configured": configured, "Unreachable": unreachable,
		"Searched": q.Email != "" || q.Phone != "", "CanManage": authz.Can(actor, authz.ReturnsManage) && t.Status != "closed",
		"Reasons": choices(reasons), "Kinds": choices(orders.Kinds)}
	var buf bytes.Buffer
	if err := u.list.Execute(&buf, data); err != nil {
		return fmt.Errorf("orders: orders of ticket %d: %w", id, err)
	}
	w.Header().Set("Cache-Control", "no-store")
	if r.URL.Query().Get("fragment") == "1" {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, err = buf.WriteTo(w)
		return err
	}
	return u.render(w, r, http.StatusOK, "orderspage", "tickets", ui.PageData{Title: "Orders",
		Data: map[string]any{"TicketID": t.ID, "Subject": t.Subject, "Orders": template.HTML(buf.String())}}) // our own template's output
}
