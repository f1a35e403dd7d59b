package api

import (
	"net/http"

	"github.com/ombud/ombud/internal/chat"
	"github.com/ombud/ombud/internal/web/httpx"
)

// GetChatPages answers GET /api/v1/chat/pages: the URL patterns of the
// pages the widget appears on and is hidden on.
func (a *API) GetChatPages(w http.ResponseWriter, r *http.Request) error {
	if err := httpx.CheckQuery(r); err != nil {
		return err
	}
	c, err := a.chat()
	if err != nil {
		return err
	}
	v, err := c.PageRulesFor(r.Context(), httpx.Actor(r.Context()))
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, v)
}

// PutChatPages answers PUT /api/v1/chat/pages.
func (a *API) PutChatPages(w http.ResponseWriter, r *http.Request) error {
	var in chat.PageRules
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	c, err := a.chat()
	if err != nil {
		return err
	}
	v, err := c.PutPageRules(r.Context(), httpx.Actor(r.Context()), in)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, v)
}

// GetChatPrechat answers GET /api/v1/chat/prechat: how the pre-chat form
// asks for each field, and its topics.
func (a *API) GetChatPrechat(w http.ResponseWriter, r *http.Request) error {
	if err := httpx.CheckQuery(r); err != nil {
		return err
	}
	c, err := a.chat()
	if err != nil {
		return err
	}
	v, err := c.PrechatFor(r.Context(), httpx.Actor(r.Context()))
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, v)
}

// PutChatPrechat answers PUT /api/v1/chat/prechat.
func (a *API) PutChatPrechat(w http.ResponseWriter, r *http.Request) error {
	var in chat.PrechatInput
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	c, err := a.chat()
	if err != nil {
		return err
	}
	v, err := c.PutPrechat(r.Context(), httpx.Actor(r.Context()), in)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, v)
}
