package people

import (
	"net/http"
	"net/url"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/web/httpx"
	"github.com/ombud/ombud/internal/web/ui"
)

// This file holds signing in and out.

// LoginPage shows the sign-in form.
func (u *UI) LoginPage(w http.ResponseWriter, r *http.Request) error {
	flash := ""
	if r.URL.Query().Get("reset") != "" {
		flash = "Your password is changed. Sign in with the new one."
	}
	return u.render(w, r, http.StatusOK, "login", pageData{Title: "Sign in", Flash: flash, Data: u.loginData(r, map[string]string{"Next": safeNext(r.URL.Query().Get("next"))})})
}

// loginData is the sign-in page's data: the form's values and the single
// sign-on buttons (each carrying next).
func (u *UI) loginData(r *http.Request, values map[string]string) map[string]any {
	out := map[string]any{}
	for k, v := range values {
		out[k] = v
	}
	if u.SSOButtons != nil {
		bs, err := u.SSOButtons(r.Context())
		if err != nil {
			u.Log.Error("sign-in page: single sign-on buttons", "err", err)
		}
		for i := range bs {
			if n := values["Next"]; n != "" && n != "/" {
				bs[i].URL += "?" + url.Values{"next": {n}}.Encode()
			}
		}
		out["SSO"] = bs
	}
	if u.Auth.PasskeysAvailable() {
		out["Passkeys"] = "1"
	}
	return out
}

// signInLimited is the sign-in page's notice when attempts are rate limited.
const signInLimited = "Too many sign-in attempts. Wait a few minutes and try again, or reset your password by email."

// SignIn checks the form, opens a session and redirects.
func (u *UI) SignIn(w http.ResponseWriter, r *http.Request) error {
	// Login CSRF: a cross-site form post carries a foreign Origin.
	if o := r.Header.Get("Origin"); o != "" {
		if ou, err := url.Parse(o); err != nil || ou.Host != r.Host {
			return apperr.Forbidden("sign-in from another site is not allowed")
		}
	}
	if err := r.ParseForm(); err != nil {
		return apperr.InvalidField("body", "is not a form")
	}
	email, next := r.PostFormValue("email"), safeNext(r.PostFormValue("next"))
	s, err := u.Auth.SignIn(r.Context(), email, r.PostFormValue("password"), httpx.RequestClientAddr(r), r.UserAgent())
	if err != nil {
		e := u.ErrIn(r, err)
		if e.Code == apperr.CodeInternal {
			return err
		}
		msg, data := e.Message, map[string]string{"Next": next, "Email": email}
		if e.Code == apperr.CodeRateLimited {
			// The way around the limit: a reset link by email, which a
			// guesser elsewhere cannot block.
			msg, data["Limited"] = signInLimited, "1"
		}
		return u.render(w, r, httpx.Status(e.Code), "login", pageData{Title: "Sign in", Error: msg, Data: u.loginData(r, data)})
	}
	if s.Challenge != "" { // two-factor sign-in: the code next (twofactor.go)
		u.askForCode(w, r, s, next)
		return nil
	}
	http.SetCookie(w, &http.Cookie{Name: ui.SessionCookie, Value: s.Token, Path: "/", HttpOnly: true, Secure: u.SecureCookie,
		SameSite: http.SameSiteLaxMode, Expires: s.ExpiresAt})
	http.Redirect(w, r, next, http.StatusSeeOther)
	return nil
}

// SignOut ends the session.
func (u *UI) SignOut(w http.ResponseWriter, r *http.Request) error {
	if c, err := r.Cookie(ui.SessionCookie); err == nil {
		if err := u.Auth.SignOut(r.Context(), c.Value); err != nil {
			return err
		}
	}
	http.SetCookie(w, &http.Cookie{Name: ui.SessionCookie, Value: "", Path: "/", HttpOnly: true, Secure: u.SecureCookie, SameSite: http.SameSiteLaxMode, MaxAge: -1})
	http.Redirect(w, r, "/login", http.StatusSeeOther)
	return nil
}
