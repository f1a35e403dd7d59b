package api

import (
	"net/http"

	"github.com/ombud/ombud/internal/blocklist"
	"github.com/ombud/ombud/internal/web/httpx"
)

// DeleteTicket answers DELETE /api/v1/tickets/{id}: the ticket is deleted
// for good (privacy.DeleteTicket).
func (a *API) DeleteTicket(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id", "ticket")
	if err != nil {
		return err
	}
	if _, err := a.Privacy.DeleteTicket(r.Context(), httpx.Actor(r.Context()), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// MarkTicketSpam answers POST /api/v1/tickets/{id}/spam: the requester's
// addresses are blocked and the ticket deleted.
func (a *API) MarkTicketSpam(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id", "ticket")
	if err != nil {
		return err
	}
	d, err := a.Privacy.MarkSpam(r.Context(), httpx.Actor(r.Context()), id)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, d)
}

// ListBlockedSenders answers GET /api/v1/blocked-senders.
func (a *API) ListBlockedSenders(w http.ResponseWriter, r *http.Request) error {
	list, err := a.Blocklist.List(r.Context(), httpx.Actor(r.Context()))
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, DataOf(list))
}

// AddBlockedSender answers POST /api/v1/blocked-senders.
func (a *API) AddBlockedSender(w http.ResponseWriter, r *http.Request) error {
	var in blocklist.Input
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	e, err := a.Blocklist.Add(r.Context(), httpx.Actor(r.Context()), in)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusCreated, e)
}

// RemoveBlockedSender answers DELETE /api/v1/blocked-senders/{id}.
func (a *API) RemoveBlockedSender(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id", "blocked sender")
	if err != nil {
		return err
	}
	if err := a.Blocklist.Remove(r.Context(), httpx.Actor(r.Context()), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
