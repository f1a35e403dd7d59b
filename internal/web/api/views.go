package api

import (
	"net/http"
	"time"

	"github.com/ombud/ombud/internal/page"
	"github.com/ombud/ombud/internal/ticket"
	"github.com/ombud/ombud/internal/web/httpx"
)

// Saved ticket views. The ticket service decides who sees and changes a
// view (own personal views; shared ones need view.share to change).

// ListViews answers GET /api/v1/views: your personal views and the shared ones, by position.
func (a *API) ListViews(w http.ResponseWriter, r *http.Request) error {
	if err := httpx.CheckQuery(r, "limit", "cursor"); err != nil {
		return err
	}
	pr, err := page.Parse(r.URL.Query().Get("limit"), r.URL.Query().Get("cursor"))
	if err != nil {
		return err
	}
	l, err := a.Tickets.ListViews(r.Context(), httpx.Actor(r.Context()), pr)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, l)
}

// CreateView answers POST /api/v1/views.
func (a *API) CreateView(w http.ResponseWriter, r *http.Request) error {
	var in ticket.ViewInput
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	v, err := a.Tickets.CreateView(r.Context(), httpx.Actor(r.Context()), in)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/views/"+itoa(v.ID))
	return httpx.WriteJSON(w, http.StatusCreated, v)
}

// GetView answers GET /api/v1/views/{id}.
func (a *API) GetView(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id", "view")
	if err != nil {
		return err
	}
	v, err := a.Tickets.GetView(r.Context(), httpx.Actor(r.Context()), id)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, v)
}

// UpdateView answers PATCH /api/v1/views/{id}.
func (a *API) UpdateView(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id", "view")
	if err != nil {
		return err
	}
	var p ticket.ViewPatch
	if err := httpx.DecodeJSON(r, &p); err != nil {
		return err
	}
	v, err := a.Tickets.UpdateView(r.Context(), httpx.Actor(r.Context()), id, p)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, v)
}

// DeleteView answers DELETE /api/v1/views/{id}.
func (a *API) DeleteView(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id", "view")
	if err != nil {
		return err
	}
	if err := a.Tickets.DeleteView(r.Context(), httpx.Actor(r.Context()), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// ViewTickets answers GET /api/v1/views/{id}/tickets: the view's tickets in
// its order, paged like /api/v1/tickets. Dates in the query are UTC days.
func (a *API) ViewTickets(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id", "view")
	if err != nil {
		return err
	}
	if err := httpx.CheckQuery(r, "limit", "cursor"); err != nil {
		return err
	}
	pr, err := page.Parse(r.URL.Query().Get("limit"), r.URL.Query().Get("cursor"))
	if err != nil {
		return err
	}
	_, l, err := a.Tickets.ViewTickets(r.Context(), httpx.Actor(r.Context()), id, time.UTC, pr)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, l)
}
