package portal

import (
	"net/http"

	"github.com/ombud/ombud/internal/portal"
	"github.com/ombud/ombud/internal/web/httpx"
)

// The web form's JSON API: its settings for admins' scripts, and the
// proof-of-work challenge for the sites that post the form.

// GetFormSettings answers GET /api/v1/web-form.
func (u *UI) GetFormSettings(w http.ResponseWriter, r *http.Request) error {
	st, err := u.Portal.FormSettings(r.Context(), httpx.Actor(r.Context()))
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, st)
}

// PutFormSettings answers PUT /api/v1/web-form: the whole settings; a
// body without captcha_secret keeps the stored one.
func (u *UI) PutFormSettings(w http.ResponseWriter, r *http.Request) error {
	var in portal.FormSettings
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	st, err := u.Portal.PutFormSettings(r.Context(), httpx.Actor(r.Context()), in)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, st)
}

// FormChallenge answers GET /forms/challenge: a proof-of-work puzzle for a
// page about to post the form (CORS as for the post itself).
func (u *UI) FormChallenge(w http.ResponseWriter, r *http.Request) error {
	ok, err := u.cors(w, r)
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	if !ok {
		return httpx.WriteJSON(w, http.StatusForbidden, errorBody(errSiteRefused))
	}
	c, err := u.Portal.FormChallenge(r.Context())
	if err != nil {
		return formFail(w, err)
	}
	return httpx.WriteJSON(w, http.StatusOK, c)
}
