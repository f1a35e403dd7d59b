package portal

import (
	"net/http"

	"github.com/ombud/ombud/internal/page"
	"github.com/ombud/ombud/internal/portal"
	"github.com/ombud/ombud/internal/web/httpx"
)

// The request forms' JSON API (/api/v1/portal/forms, docs/portal.md).

// APIListForms answers GET /api/v1/portal/forms.
func (u *UI) APIListForms(w http.ResponseWriter, r *http.Request) error {
	fs, err := u.Portal.Forms(r.Context(), httpx.Actor(r.Context()))
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, page.All(fs))
}

// APICreateForm answers POST /api/v1/portal/forms.
func (u *UI) APICreateForm(w http.ResponseWriter, r *http.Request) error {
	var in portal.RequestFormInput
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	f, err := u.Portal.CreateForm(r.Context(), httpx.Actor(r.Context()), in)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusCreated, f)
}

// APIGetForm answers GET /api/v1/portal/forms/{id}.
func (u *UI) APIGetForm(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id", "form")
	if err != nil {
		return err
	}
	f, err := u.Portal.Form(r.Context(), httpx.Actor(r.Context()), id)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, f)
}

// APIUpdateForm answers PATCH /api/v1/portal/forms/{id}.
func (u *UI) APIUpdateForm(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id", "form")
	if err != nil {
		return err
	}
	var p portal.RequestFormPatch
	if err := httpx.DecodeJSON(r, &p); err != nil {
		return err
	}
	f, err := u.Portal.UpdateForm(r.Context(), httpx.Actor(r.Context()), id, p)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, f)
}

// APIDeleteForm answers DELETE /api/v1/portal/forms/{id}.
func (u *UI) APIDeleteForm(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id", "form")
	if err != nil {
		return err
	}
	if err := u.Portal.DeleteForm(r.Context(), httpx.Actor(r.Context()), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
