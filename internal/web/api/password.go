package api

import (
	"net/http"

	"github.com/ombud/ombud/internal/auth"
	"github.com/ombud/ombud/internal/web/httpx"
)

// sessionCookie is the browser session cookie (web.SessionCookie, which
// this package cannot import).
const sessionCookie = "ombud_session"

// ChangeMyPassword answers POST /api/v1/me/password: the caller's own
// password, with the current one. Every session ends except the one making
// the call (none when it came with an API token); tokens stay valid.
func (a *API) ChangeMyPassword(w http.ResponseWriter, r *http.Request) error {
	var in auth.PasswordChange
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	keep := ""
	if r.Header.Get("Authorization") == "" {
		if c, err := r.Cookie(sessionCookie); err == nil {
			keep = c.Value
		}
	}
	if err := a.Auth.ChangeOwnPassword(r.Context(), httpx.Actor(r.Context()), in, keep); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
