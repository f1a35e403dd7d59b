package orders

import (
	"net/http"
	"strconv"
	"time"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/orders"
	"github.com/ombud/ombud/internal/page"
	"github.com/ombud/ombud/internal/web/httpx"
)

// ListQuery are the query parameters of GET /api/v1/returns.
var ListQuery = []string{"ticket_id", "status", "reason", "kind", "limit", "cursor"}

// APIList answers GET /api/v1/returns: cases, newest first.
func (u *UI) APIList(w http.ResponseWriter, r *http.Request) error {
	if err := httpx.CheckQuery(r, ListQuery...); err != nil {
		return err
	}
	q := r.URL.Query()
	pr, err := page.Parse(q.Get("limit"), q.Get("cursor"))
	if err != nil {
		return err
	}
	f := orders.Filter{Status: q.Get("status"), Reason: q.Get("reason"), Kind: q.Get("kind"), Limit: pr.Limit + 1}
	if s := q.Get("ticket_id"); s != "" {
		if f.TicketID, err = strconv.ParseInt(s, 10, 64); err != nil || f.TicketID <= 0 {
			return apperr.InvalidField("ticket_id", "must be a positive integer")
		}
	}
	if pr.Cursor != nil {
		f.BeforeID = pr.Cursor.ID
	}
	cases, err := u.Orders.List(r.Context(), httpx.Actor(r.Context()), f)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, page.Trim(cases, pr.Limit, func(c orders.Case) page.Cursor { return page.Cursor{ID: c.ID} }))
}

// APIGet answers GET /api/v1/returns/{id}.
func (u *UI) APIGet(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id", "return case")
	if err != nil {
		return err
	}
	c, err := u.Orders.Get(r.Context(), httpx.Actor(r.Context()), id)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, c)
}

// APICreate answers POST /api/v1/tickets/{id}/returns.
func (u *UI) APICreate(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id", "ticket")
	if err != nil {
		return err
	}
	ctx, actor := r.Context(), httpx.Actor(r.Context())
	var in orders.CaseInput
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	if _, err := u.Tickets.Get(ctx, actor, id); err != nil {
		return err
	}
	c, err := u.Orders.Create(ctx, actor, id, in)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusCreated, c)
}

// APITransition answers POST /api/v1/returns/{id}/transitions.
func (u *UI) APITransition(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id", "return case")
	if err != nil {
		return err
	}
	var in orders.TransitionInput
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	c, err := u.Orders.Transition(r.Context(), httpx.Actor(r.Context()), id, in)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, c)
}

// APIReport answers GET /api/v1/reports/returns (?from, to: dates,
// inclusive, in tz or UTC).
func (u *UI) APIReport(w http.ResponseWriter, r *http.Request) error {
	if err := httpx.CheckQuery(r, "from", "to", "tz"); err != nil {
		return err
	}
	loc := time.UTC
	if tz := r.URL.Query().Get("tz"); tz != "" {
		var err error
		if loc, err = time.LoadLocation(tz); err != nil {
			return apperr.InvalidField("tz", "must be an IANA time zone such as Europe/Oslo")
		}
	}
	from, to, err := period(r.URL.Query(), loc, time.Now())
	if err != nil {
		return err
	}
	rep, err := u.Orders.ReportFor(r.Context(), httpx.Actor(r.Context()), from, to)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, rep)
}
