package phone

import (
	"net/http"

	phonesvc "github.com/ombud/ombud/internal/channel/phone"
	"github.com/ombud/ombud/internal/web/api"
	"github.com/ombud/ombud/internal/web/httpx"
)

// The phone integrations over the JSON API, for scripts that set up a
// telephony provider; the same service calls and checks as the pages.

// APIList answers GET /api/v1/phone/integrations.
func (u *UI) APIList(w http.ResponseWriter, r *http.Request) error {
	its, err := u.Phone.List(r.Context(), httpx.Actor(r.Context()))
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, api.DataOf(its))
}

// APICreate answers POST /api/v1/phone/integrations: the answer carries
// the signing secret, shown this once.
func (u *UI) APICreate(w http.ResponseWriter, r *http.Request) error {
	var in phonesvc.Input
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	it, err := u.Phone.Create(r.Context(), httpx.Actor(r.Context()), in)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusCreated, it)
}

// APIGet answers GET /api/v1/phone/integrations/{id}.
func (u *UI) APIGet(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id", "phone integration")
	if err != nil {
		return err
	}
	it, err := u.Phone.Get(r.Context(), httpx.Actor(r.Context()), id)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, it)
}

// APIUpdate answers PUT /api/v1/phone/integrations/{id}.
func (u *UI) APIUpdate(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id", "phone integration")
	if err != nil {
		return err
	}
	var in phonesvc.Input
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	it, err := u.Phone.Update(r.Context(), httpx.Actor(r.Context()), id, in)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, it)
}

// APIRotate answers POST /api/v1/phone/integrations/{id}/secret.
func (u *UI) APIRotate(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id", "phone integration")
	if err != nil {
		return err
	}
	it, err := u.Phone.RotateSecret(r.Context(), httpx.Actor(r.Context()), id)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, it)
}

// APIDelete answers DELETE /api/v1/phone/integrations/{id}.
func (u *UI) APIDelete(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id", "phone integration")
	if err != nil {
		return err
	}
	if err := u.Phone.Delete(r.Context(), httpx.Actor(r.Context()), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
