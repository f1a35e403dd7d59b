package people

import (
	"fmt"
	"net/http"
	"net/url"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/auth"
	"github.com/ombud/ombud/internal/web/httpx"
	"github.com/ombud/ombud/internal/web/ui"
)

// This file holds the password pages: the agent's own password change on
// My profile, and the reset of a forgotten one by an emailed link
// (/password/forgot, /password/reset). The auth service applies every rule
// (current password, length, single-use links, limits); these handlers
// keep what was typed (never a password) and show its messages.

// passwordHint states the length rule beside a new password (a catalog
// key: TestPasswordStrings keeps it there if the rule changes).
var passwordHint = fmt.Sprintf("Use %d to %d characters.", auth.MinPassword, auth.MaxPassword)

// passwordForm reads a form whose password fields must keep their spaces:
// readForm trims values.
func passwordForm(r *http.Request, names ...string) (form, error) {
	f, err := readForm(r)
	if err != nil {
		return f, err
	}
	for _, n := range names {
		f.Values[n] = r.PostFormValue(n)
	}
	return f, nil
}

// sameSite refuses a form posted from another site to a page that has no
// session, and so no CSRF token, to check (as sign-in does).
func sameSite(r *http.Request) error {
	if o := r.Header.Get("Origin"); o != "" {
		if ou, err := url.Parse(o); err != nil || ou.Host != r.Host {
			return apperr.Forbidden("this form cannot be sent from another site")
		}
	}
	return nil
}

// passwordFields is the own-password form of My profile.
func passwordFields(f form) []fieldset {
	cur := f.field("current_password", "Current password", "password", true, "")
	cur.Autocomplete = "current-password"
	nw := f.field("new_password", "New password", "password", true, passwordHint)
	nw.Autocomplete = "new-password"
	again := f.field("confirm_password", "Repeat the new password", "password", true, "")
	again.Autocomplete = "new-password"
	return []fieldset{{Legend: "Change password", Hint: "Your other sessions are signed out.", Fields: []formField{cur, nw, again}}}
}

// ChangePassword answers POST /profile/password: the agent's own password,
// with the current one. The session sending it stays signed in.
func (u *UI) ChangePassword(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	f, err := passwordForm(r, "current_password", "new_password", "confirm_password")
	if err != nil {
		return err
	}
	keep := ""
	if c, err := r.Cookie(ui.SessionCookie); err == nil {
		keep = c.Value
	}
	in := auth.PasswordChange{CurrentPassword: f.v("current_password"), NewPassword: f.v("new_password")}
	if f.v("confirm_password") != in.NewPassword {
		f.Errs["confirm_password"] = "does not match the new password"
	} else if err := u.Auth.ChangeOwnPassword(ctx, httpx.Actor(ctx), in, keep); err != nil {
		st, msg, ok := refused(err, f)
		if !ok {
			e := u.ErrIn(r, err)
			if e.Code != apperr.CodeRateLimited {
				return err
			}
			st, msg = httpx.Status(e.Code), e.Message
		}
		return u.profilePage(w, r, st, u.profileForm(r), f, "", msg)
	}
	if len(f.Errs) > 0 {
		return u.profilePage(w, r, http.StatusBadRequest, u.profileForm(r), f, "", "")
	}
	http.Redirect(w, r, "/profile?password=1", http.StatusSeeOther)
	return nil
}

// ForgotPasswordPage answers GET /password/forgot.
func (u *UI) ForgotPasswordPage(w http.ResponseWriter, r *http.Request) error {
	sent := r.URL.Query().Get("sent") != ""
	return u.forgotPage(w, r, http.StatusOK, newForm(nil), sent, "")
}

func (u *UI) forgotPage(w http.ResponseWriter, r *http.Request, status int, f form, sent bool, errMsg string) error {
	email := f.field("email", "Email", "email", true, "The address you sign in with.")
	email.Autocomplete = "username"
	sets := []fieldset{{Legend: "Reset your password", Fields: []formField{email}}}
	flash := ""
	if sent {
		flash = "If the address belongs to an Ombud account, a link to choose a new password is on its way. It works for one hour."
	}
	return u.render(w, r, status, "passwordforgot", pageData{Title: "Forgot your password?", Flash: flash, Error: errMsg, Data: map[string]any{
		"Fieldsets": sets, "Errors": summary(sets, f.Errs),
	}})
}

// RequestPasswordReset answers POST /password/forgot. Known or not, the
// address gets the same answer; a link goes out only to an agent's.
func (u *UI) RequestPasswordReset(w http.ResponseWriter, r *http.Request) error {
	if err := sameSite(r); err != nil {
		return err
	}
	f, err := readForm(r)
	if err != nil {
		return err
	}
	if err := u.Auth.RequestPasswordReset(r.Context(), f.v("email"), httpx.RequestClientAddr(r)); err != nil {
		st, msg, ok := refused(err, f)
		if !ok {
			e := u.ErrIn(r, err)
			if e.Code != apperr.CodeRateLimited {
				return err
			}
			st, msg = httpx.Status(e.Code), e.Message
		}
		return u.forgotPage(w, r, st, f, false, msg)
	}
	http.Redirect(w, r, "/password/forgot?sent=1", http.StatusSeeOther)
	return nil
}

// resetFields is the new-password form of a reset link.
func resetFields(f form) []fieldset {
	nw := f.field("new_password", "New password", "password", true, passwordHint)
	nw.Autocomplete = "new-password"
	again := f.field("confirm_password", "Repeat the new password", "password", true, "")
	again.Autocomplete = "new-password"
	return []fieldset{{Legend: "Choose a new password", Hint: "Every session of your account is signed out.", Fields: []formField{nw, again}}}
}

// ResetPasswordPage answers GET /password/reset?token=…: the form, or why
// the link does not work.
func (u *UI) ResetPasswordPage(w http.ResponseWriter, r *http.Request) error {
	token := r.URL.Query().Get("token")
	if err := u.Auth.CheckResetLink(r.Context(), token); err != nil {
		return u.badLink(w, r, err)
	}
	return u.resetPage(w, r, http.StatusOK, newForm(nil), token, "")
}

func (u *UI) resetPage(w http.ResponseWriter, r *http.Request, status int, f form, token, errMsg string) error {
	sets := resetFields(f)
	return u.render(w, r, status, "passwordreset", pageData{Title: "Choose a new password", Error: errMsg, Data: map[string]any{
		"Fieldsets": sets, "Errors": summary(sets, f.Errs), "Token": token, "Valid": true,
	}})
}

// badLink shows that a reset link cannot be used, with the way to a new one.
func (u *UI) badLink(w http.ResponseWriter, r *http.Request, err error) error {
	e := u.ErrIn(r, err)
	if e.Code != apperr.CodeInvalid {
		return err
	}
	return u.render(w, r, http.StatusBadRequest, "passwordreset", pageData{Title: "Choose a new password",
		Error: "This link is invalid, used or expired.", Data: map[string]any{"Valid": false}})
}

// ResetPassword answers POST /password/reset: the new password, once per
// link; then every session of the account ends and the agent signs in.
func (u *UI) ResetPassword(w http.ResponseWriter, r *http.Request) error {
	if err := sameSite(r); err != nil {
		return err
	}
	f, err := passwordForm(r, "new_password", "confirm_password")
	if err != nil {
		return err
	}
	token := r.PostFormValue("token")
	if f.v("confirm_password") != f.v("new_password") {
		if err := u.Auth.CheckResetLink(r.Context(), token); err != nil {
			return u.badLink(w, r, err)
		}
		f.Errs["confirm_password"] = "does not match the new password"
		return u.resetPage(w, r, http.StatusBadRequest, f, token, "")
	}
	if err := u.Auth.ResetPassword(r.Context(), token, f.v("new_password"), httpx.RequestClientAddr(r)); err != nil {
		if e := u.ErrIn(r, err); e.Code == apperr.CodeInvalid && e.Fields["token"] != "" {
			return u.badLink(w, r, err)
		}
		st, msg, ok := refused(err, f)
		if !ok {
			return err
		}
		return u.resetPage(w, r, st, f, token, msg)
	}
	// The browser may hold a session of the account (now ended): drop it.
	http.SetCookie(w, &http.Cookie{Name: ui.SessionCookie, Value: "", Path: "/", HttpOnly: true, Secure: u.SecureCookie, SameSite: http.SameSiteLaxMode, MaxAge: -1})
	http.Redirect(w, r, "/login?reset=1", http.StatusSeeOther)
	return nil
}
