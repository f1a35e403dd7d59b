package zendesk

import (
	"context"
	"net/http"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/privacy"
	"github.com/ombud/ombud/internal/web/httpx"
)

// Deleter deletes tickets and marks them as spam (privacy.Service).
type Deleter interface {
	DeleteTicket(ctx context.Context, actor authz.Actor, id int64) (privacy.Deleted, error)
	MarkSpam(ctx context.Context, actor authz.Actor, id int64) (privacy.Deleted, error)
}

// DeleteTicket answers DELETE /api/v2/tickets/{id}.json. Zendesk moves the
// ticket to its deleted view; Ombud deletes it for good.
func (a *API) DeleteTicket(w http.ResponseWriter, r *http.Request) error {
	id, ok := pathID(r, "id")
	if !ok {
		return apperr.NotFound("ticket", r.PathValue("id"))
	}
	if _, err := a.Deleter.DeleteTicket(r.Context(), httpx.Actor(r.Context()), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// MarkAsSpam answers PUT /api/v2/tickets/{id}/mark_as_spam.json: the
// requester's addresses are blocked (Zendesk suspends the user) and the
// ticket deleted; the answer is empty, as Zendesk's.
func (a *API) MarkAsSpam(w http.ResponseWriter, r *http.Request) error {
	id, ok := pathID(r, "id")
	if !ok {
		return apperr.NotFound("ticket", r.PathValue("id"))
	}
	if _, err := a.Deleter.MarkSpam(r.Context(), httpx.Actor(r.Context()), id); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	_, err := w.Write([]byte("{}\n"))
	return err
}
