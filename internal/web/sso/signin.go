package sso

import (
	"errors"
	"net/http"
	"net/url"

	"github.com/ombud/ombud/internal/apperr"
	ssosvc "github.com/ombud/ombud/internal/sso"
	"github.com/ombud/ombud/internal/web/httpx"
	"github.com/ombud/ombud/internal/web/ui"
)

// StateCookie keeps a sign-in's state in the browser that started it; the
// callback must bring the same state (no login CSRF). Lax, so the
// provider's top-level redirect back carries it.
const StateCookie = "ombud_sso"

func (u *UI) setState(w http.ResponseWriter, value string, maxAge int) {
	http.SetCookie(w, &http.Cookie{Name: StateCookie, Value: value, Path: "/login/sso", HttpOnly: true, Secure: u.SecureCookie,
		SameSite: http.SameSiteLaxMode, MaxAge: maxAge})
}

// Begin answers GET /login/sso/{id}: off to the provider.
func (u *UI) Begin(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id", "sign-in provider")
	if err != nil {
		return u.failed(w, r, err)
	}
	next := ui.SafeNext(r.URL.Query().Get("next"))
	st, err := u.SSO.Begin(r.Context(), id, u.callbackURL(r, id), next)
	if err != nil {
		return u.failed(w, r, err)
	}
	u.setState(w, st.State, int(ssosvc.LoginTTL.Seconds()))
	http.Redirect(w, r, st.URL, http.StatusSeeOther)
	return nil
}

// Callback answers GET /login/sso/{id}/callback: the provider's answer.
func (u *UI) Callback(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id", "sign-in provider")
	if err != nil {
		return u.failed(w, r, err)
	}
	cookie := ""
	if c, err := r.Cookie(StateCookie); err == nil {
		cookie = c.Value
	}
	u.setState(w, "", -1)
	q := r.URL.Query()
	res, err := u.SSO.Finish(r.Context(), ssosvc.Callback{ProviderID: id, State: q.Get("state"), CookieState: cookie, Code: q.Get("code"),
		Error: q.Get("error"), RedirectURL: u.callbackURL(r, id), IP: httpx.RequestClientAddr(r), UserAgent: r.UserAgent(),
		Locale: u.I18n().MatchAcceptLanguage(r.Header.Get("Accept-Language"))})
	if err != nil {
		return u.failed(w, r, err)
	}
	next := ui.SafeNext(res.Next)
	if res.Session.Challenge != "" {
		// The code page's cookie is SameSite=Strict: a redirect chain that
		// began at the provider would not carry it, so the browser goes on
		// from a page of this site.
		http.SetCookie(w, &http.Cookie{Name: ui.ChallengeCookie, Value: res.Session.Challenge, Path: "/login", HttpOnly: true,
			Secure: u.SecureCookie, SameSite: http.SameSiteStrictMode, MaxAge: 300})
		return u.render(w, r, http.StatusOK, "ssocontinue", ui.PageData{Title: "Two-factor sign-in",
			Data: map[string]any{"URL": "/login/code?" + url.Values{"next": {next}}.Encode()}})
	}
	http.SetCookie(w, &http.Cookie{Name: ui.SessionCookie, Value: res.Session.Token, Path: "/", HttpOnly: true, Secure: u.SecureCookie,
		SameSite: http.SameSiteLaxMode, Expires: res.Session.ExpiresAt})
	http.Redirect(w, r, next, http.StatusSeeOther)
	return nil
}

// failed shows why a sign-in did not work, in the reader's language; the
// cause (provider answers, token problems) goes to the log only.
func (u *UI) failed(w http.ResponseWriter, r *http.Request, err error) error {
	var e *apperr.Error
	if !errors.As(err, &e) || e.Code == apperr.CodeInternal {
		return err
	}
	if e.Err != nil {
		u.Log.Info("single sign-on refused", "err", e.Err, "message", e.Message)
	}
	msg := e.Message
	if e.Code == apperr.CodeNotFound {
		msg = "this sign-in method is not available"
	}
	return u.render(w, r, httpx.Status(e.Code), "ssofailed", ui.PageData{Title: "Single sign-on", Error: msg})
}
