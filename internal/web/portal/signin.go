package portal

import (
	"net/http"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/portal"
	"github.com/ombud/ombud/internal/web/httpx"
)

// Home answers GET /portal: a signed-in customer's requests, else the
// sign-in form.
func (u *UI) Home(w http.ResponseWriter, r *http.Request) error {
	if c, _ := u.session(r); c != nil {
		http.Redirect(w, r, "/portal/requests", http.StatusSeeOther)
		return nil
	}
	v := u.newView(w, r, nil, "", "Sign in to see your requests")
	return u.render(w, http.StatusOK, "signin", v)
}

// RequestLink answers POST /portal/sign-in/link (form: email): the same
// page whether or not the address is known.
func (u *UI) RequestLink(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return apperr.InvalidField("form", "could not be read")
	}
	v := u.newView(w, r, nil, "", "Sign in to see your requests")
	email := r.PostForm.Get("email")
	err := u.Portal.RequestLink(r.Context(), email, v.Lang, httpx.ClientAddr(r, u.proxies))
	if err != nil {
		status, ok := u.refuse(&v, err, "email")
		if !ok {
			return err
		}
		v.Data = email
		return u.render(w, status, "signin", v)
	}
	v.Title = u.tr.T(v.Lang, "Check your email")
	v.Data = email
	return u.render(w, http.StatusOK, "linksent", v)
}

// Link answers GET /portal/sign-in?token=…: a button that signs in. Opening
// the link spends nothing, so a mail scanner that follows links cannot use
// it up; the button's POST does.
func (u *UI) Link(w http.ResponseWriter, r *http.Request) error {
	token := r.URL.Query().Get("token")
	v := u.newView(w, r, nil, "", "Sign in")
	if err := u.Portal.CheckLink(r.Context(), token); err != nil {
		status, ok := u.refuse(&v, err)
		if !ok {
			return err
		}
		v.Title = u.tr.T(v.Lang, "Sign in to see your requests")
		return u.render(w, status, "signin", v)
	}
	v.Data = token
	return u.render(w, http.StatusOK, "link", v)
}

// SignIn answers POST /portal/sign-in (form: token): spends the link and
// starts a portal session.
func (u *UI) SignIn(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return apperr.InvalidField("form", "could not be read")
	}
	secret, err := u.Portal.SignIn(r.Context(), r.PostForm.Get("token"), httpx.ClientAddr(r, u.proxies))
	if err != nil {
		v := u.newView(w, r, nil, "", "Sign in to see your requests")
		status, ok := u.refuse(&v, err)
		if !ok {
			return err
		}
		return u.render(w, status, "signin", v)
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: secret, Path: "/portal", MaxAge: int(portal.SessionTTL.Seconds()),
		HttpOnly: true, Secure: u.secure, SameSite: http.SameSiteLaxMode})
	http.Redirect(w, r, "/portal/requests", http.StatusSeeOther)
	return nil
}

// SignOut answers POST /portal/sign-out.
func (u *UI) SignOut(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return apperr.InvalidField("form", "could not be read")
	}
	c, secret := u.session(r)
	if c != nil {
		if err := checkCSRF(r, secret, r.PostForm.Get("csrf_token")); err != nil {
			return err
		}
		if err := u.Portal.SignOut(r.Context(), secret); err != nil {
			return err
		}
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/portal", MaxAge: -1, HttpOnly: true, Secure: u.secure, SameSite: http.SameSiteLaxMode})
	http.Redirect(w, r, "/portal", http.StatusSeeOther)
	return nil
}
