package api

import (
	"net/http"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/chat"
	"github.com/ombud/ombud/internal/page"
	"github.com/ombud/ombud/internal/web/httpx"
)

func (a *API) chat() (*chat.Service, error) {
	if a.Chat == nil {
		return nil, apperr.NotFound("resource", "chat")
	}
	return a.Chat, nil
}

// ListChatInvitations answers GET /api/v1/chat/invitations: the proactive
// invitation rules with how often each was shown, dismissed and accepted.
func (a *API) ListChatInvitations(w http.ResponseWriter, r *http.Request) error {
	if err := httpx.CheckQuery(r); err != nil {
		return err
	}
	c, err := a.chat()
	if err != nil {
		return err
	}
	vs, err := c.Invitations(r.Context(), httpx.Actor(r.Context()))
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, page.All(vs))
}

// GetChatInvitation answers GET /api/v1/chat/invitations/{id}.
func (a *API) GetChatInvitation(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id", "invitation")
	if err != nil {
		return err
	}
	c, err := a.chat()
	if err != nil {
		return err
	}
	v, err := c.Invitation(r.Context(), httpx.Actor(r.Context()), id)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, v)
}

// CreateChatInvitation answers POST /api/v1/chat/invitations.
func (a *API) CreateChatInvitation(w http.ResponseWriter, r *http.Request) error {
	var in chat.InvitationInput
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	c, err := a.chat()
	if err != nil {
		return err
	}
	v, err := c.CreateInvitation(r.Context(), httpx.Actor(r.Context()), in)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusCreated, v)
}

// UpdateChatInvitation answers PATCH /api/v1/chat/invitations/{id}.
func (a *API) UpdateChatInvitation(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id", "invitation")
	if err != nil {
		return err
	}
	var p chat.InvitationPatch
	if err := httpx.DecodeJSON(r, &p); err != nil {
		return err
	}
	c, err := a.chat()
	if err != nil {
		return err
	}
	v, err := c.UpdateInvitation(r.Context(), httpx.Actor(r.Context()), id, p)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, v)
}

// DeleteChatInvitation answers DELETE /api/v1/chat/invitations/{id}.
func (a *API) DeleteChatInvitation(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id", "invitation")
	if err != nil {
		return err
	}
	c, err := a.chat()
	if err != nil {
		return err
	}
	if err := c.DeleteInvitation(r.Context(), httpx.Actor(r.Context()), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// ReorderChatInvitations answers PUT /api/v1/chat/invitations/order: the
// order the widget tries the rules in ({"ids": every rule's id once});
// the rules in their new order.
func (a *API) ReorderChatInvitations(w http.ResponseWriter, r *http.Request) error {
	var in chat.InvitationOrder
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	c, err := a.chat()
	if err != nil {
		return err
	}
	vs, err := c.ReorderInvitations(r.Context(), httpx.Actor(r.Context()), in)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, page.All(vs))
}
