package api

import (
	"net/http"

	"github.com/ombud/ombud/internal/channel/email"
	"github.com/ombud/ombud/internal/page"
	"github.com/ombud/ombud/internal/web/httpx"
)

// ListMailboxes answers GET /api/v1/mailboxes.
func (a *API) ListMailboxes(w http.ResponseWriter, r *http.Request) error {
	if err := httpx.CheckQuery(r); err != nil {
		return err
	}
	l, err := a.Email.ListMailboxes(r.Context(), httpx.Actor(r.Context()))
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, l)
}

// CreateMailbox answers POST /api/v1/mailboxes.
func (a *API) CreateMailbox(w http.ResponseWriter, r *http.Request) error {
	var in email.MailboxInput
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	m, err := a.Email.CreateMailbox(r.Context(), httpx.Actor(r.Context()), in)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusCreated, m)
}

// GetMailbox answers GET /api/v1/mailboxes/{id}.
func (a *API) GetMailbox(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id", "mailbox")
	if err != nil {
		return err
	}
	m, err := a.Email.GetMailbox(r.Context(), httpx.Actor(r.Context()), id)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, m)
}

// UpdateMailbox answers PATCH /api/v1/mailboxes/{id}.
func (a *API) UpdateMailbox(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id", "mailbox")
	if err != nil {
		return err
	}
	var in email.MailboxInput
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	m, err := a.Email.UpdateMailbox(r.Context(), httpx.Actor(r.Context()), id, in)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, m)
}

// DeleteMailbox answers DELETE /api/v1/mailboxes/{id}.
func (a *API) DeleteMailbox(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id", "mailbox")
	if err != nil {
		return err
	}
	if err := a.Email.DeleteMailbox(r.Context(), httpx.Actor(r.Context()), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// ListInboundMessages answers GET /api/v1/inbound-messages.
func (a *API) ListInboundMessages(w http.ResponseWriter, r *http.Request) error {
	if err := httpx.CheckQuery(r, "state", "mailbox_id", "limit", "cursor"); err != nil {
		return err
	}
	mb, err := httpx.QueryInt64(r, "mailbox_id")
	if err != nil {
		return err
	}
	pr, err := page.Parse(r.URL.Query().Get("limit"), r.URL.Query().Get("cursor"))
	if err != nil {
		return err
	}
	l, err := a.Email.ListInbound(r.Context(), httpx.Actor(r.Context()), email.InboundFilter{State: r.URL.Query().Get("state"), MailboxID: mb, Page: pr})
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, l)
}

// GetInboundMessage answers GET /api/v1/inbound-messages/{id}.
func (a *API) GetInboundMessage(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id", "inbound message")
	if err != nil {
		return err
	}
	m, err := a.Email.GetInbound(r.Context(), httpx.Actor(r.Context()), id)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, m)
}

// RawInboundMessage answers GET /api/v1/inbound-messages/{id}/raw with the
// message exactly as received (message/rfc822, downloaded, never rendered).
func (a *API) RawInboundMessage(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id", "inbound message")
	if err != nil {
		return err
	}
	raw, err := a.Email.Raw(r.Context(), httpx.Actor(r.Context()), id)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "message/rfc822")
	w.Header().Set("Content-Disposition", `attachment; filename="message.eml"`)
	w.Header().Set("X-Content-Type-Options", "nosniff")
	_, err = w.Write(raw)
	return err
}

// ReprocessInboundMessage answers POST /api/v1/inbound-messages/{id}/reprocess.
func (a *API) ReprocessInboundMessage(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id", "inbound message")
	if err != nil {
		return err
	}
	m, err := a.Email.Reprocess(r.Context(), httpx.Actor(r.Context()), id)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, m)
}

// OriginalEmail answers GET /api/v1/tickets/{id}/comments/{comment_id}/original.
func (a *API) OriginalEmail(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id", "ticket")
	if err != nil {
		return err
	}
	cid, err := httpx.PathID(r, "comment_id", "comment")
	if err != nil {
		return err
	}
	o, err := a.Email.Original(r.Context(), httpx.Actor(r.Context()), id, cid)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, o)
}
