package tickets

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/customer"
	"github.com/ombud/ombud/internal/page"
	"github.com/ombud/ombud/internal/ticket"
	"github.com/ombud/ombud/internal/web/httpx"
)

// This file holds the requester's side of the ticket page: who they are
// (identities, organization, notes, local time), their other tickets, and a
// form to add a note about them without leaving the ticket.

// requesterContext is what the ticket page shows about the requester.
type requesterContext struct {
	Customer     customer.Customer
	Organization string
	LocalTime    string // "14:05" in the customer's zone, "" when unknown
	Open, Recent []otherTicket
	CanWrite     bool
}

// otherTicket is one of the requester's other tickets.
type otherTicket struct {
	ID      int64
	Subject string
	Status  ticket.Status
	Updated string
}

// requesterPanel gathers the requester's context for ticket t: one
// customer read, one organization read and one indexed list of their
// tickets.
func (u *UI) requesterPanel(ctx context.Context, r *http.Request, actor authz.Actor, t ticket.Ticket) (*requesterContext, error) {
	if u.Customers == nil || !authz.Can(actor, authz.CustomerRead) {
		return nil, nil
	}
	c, err := u.Customers.Get(ctx, actor, t.RequesterID)
	if err != nil {
		return nil, err
	}
	rc := &requesterContext{Customer: c, CanWrite: authz.Can(actor, authz.CustomerWrite)}
	if c.OrganizationID != nil {
		o, err := u.Customers.GetOrganization(ctx, actor, *c.OrganizationID)
		if err != nil {
			return nil, err
		}
		rc.Organization = o.Name
	}
	if c.TimeZone != "" {
		if loc, err := time.LoadLocation(c.TimeZone); err == nil {
			rc.LocalTime = fmt.Sprintf("%s (%s)", time.Now().In(loc).Format("15:04"), c.TimeZone)
		}
	}
	list, err := u.Tickets.List(ctx, actor, ticket.Filter{RequesterID: c.ID, Sort: "updated"}, page.Request{Limit: 11})
	if err != nil {
		return nil, err
	}
	loc, lang := location(r), u.lang(r)
	for _, o := range list.Data {
		if o.ID == t.ID {
			continue
		}
		ot := otherTicket{ID: o.ID, Subject: o.Subject, Status: o.Status, Updated: when(lang, o.UpdatedAt, loc)}
		switch o.Status {
		case ticket.StatusSolved, ticket.StatusClosed:
			if len(rc.Recent) < 5 {
				rc.Recent = append(rc.Recent, ot)
			}
		default:
			rc.Open = append(rc.Open, ot)
		}
	}
	return rc, nil
}

// AddCustomerNote appends a note about the requester from the ticket page.
func (u *UI) AddCustomerNote(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	actor := httpx.Actor(ctx)
	id, err := httpx.PathID(r, "id", "ticket")
	if err != nil {
		return err
	}
	f, err := readForm(r)
	if err != nil {
		return err
	}
	t, err := u.Tickets.Get(ctx, actor, id)
	if err != nil {
		return err
	}
	if _, err := u.Customers.AppendNote(ctx, actor, t.RequesterID, f.v("note")); err != nil {
		st, msg, ok := refused(err, f)
		if !ok {
			return err
		}
		if msg == "" {
			msg = f.Errs["note"]
		}
		return u.ticketPage(w, r, st, msg, "", nil)
	}
	http.Redirect(w, r, fmt.Sprintf("/tickets/%d#requester", id), http.StatusSeeOther)
	return nil
}
