package api

import (
	"net/http"

	"github.com/ombud/ombud/internal/page"
	"github.com/ombud/ombud/internal/web/httpx"
)

// ListDeliveries answers GET /api/v1/tickets/{id}/deliveries: how each
// public reply sent by email is doing (sending, sent, delivered, failed,
// bounced, superseded), with the reason and the relay's reply. All of a
// ticket's fit in one page.
func (a *API) ListDeliveries(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	actor := httpx.Actor(ctx)
	id, err := httpx.PathID(r, "id", "ticket")
	if err != nil {
		return err
	}
	// The ticket service decides who may see the ticket.
	if _, err := a.Tickets.Get(ctx, actor, id); err != nil {
		return err
	}
	ds, err := a.Email.Deliveries(ctx, actor, id)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, page.All(ds))
}

// RetryDelivery answers POST /api/v1/tickets/{id}/comments/{comment_id}/retry-delivery:
// a reply that was not delivered is queued again with the same Message-ID.
// Retrying one that is being sent or went out changes nothing and answers
// its state; one replaced by a newer reply is a 409. To edit it first, post
// the new text as a comment with "supersedes": comment_id.
func (a *API) RetryDelivery(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	actor := httpx.Actor(ctx)
	id, err := httpx.PathID(r, "id", "ticket")
	if err != nil {
		return err
	}
	cid, err := httpx.PathID(r, "comment_id", "comment")
	if err != nil {
		return err
	}
	if _, err := a.Tickets.Get(ctx, actor, id); err != nil {
		return err
	}
	d, err := a.Email.RetryDelivery(ctx, actor, id, cid)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, d)
}
