package people

import (
	"bytes"
	"encoding/base64"
	"html/template"
	"image/png"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/pquerna/otp"

	agentsvc "github.com/ombud/ombud/internal/agent"
	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/auth"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/web/httpx"
	"github.com/ombud/ombud/internal/web/ui"
)

// This file holds two-factor sign-in (TOTP) and the session lists: the
// second sign-in step, enrolment and management on My profile, the
// per-role requirement (Administration → People) and what an agent's page
// shows and resets. The rules live in auth (twofactor.go, sessions.go).

// ChallengeCookie carries the half-signed-in state between the password
// and the code; only /login reads it.
const ChallengeCookie = ui.ChallengeCookie

// Page messages of this file (catalog keys).
const (
	msgWrongCode      = "That code is not right. Enter the current code from your authenticator app, or an unused recovery code."
	msgChallengeEnded = "The sign-in took too long or had too many wrong codes. Sign in again."
	msgWrongConfirm   = "That code is not right. Check that the time on your phone is right and enter the code it shows now."
	msgWrongProof     = "That is neither a current code nor your password."
	msgTooManyProofs  = "Too many wrong codes or passwords. Wait a few minutes and try again."
)

func (u *UI) setSessionCookie(w http.ResponseWriter, s auth.SessionInfo) {
	http.SetCookie(w, &http.Cookie{Name: ui.SessionCookie, Value: s.Token, Path: "/", HttpOnly: true, Secure: u.SecureCookie,
		SameSite: http.SameSiteLaxMode, Expires: s.ExpiresAt})
}

// setChallengeCookie keeps the challenge for the code step (MaxAge -1
// with an empty value removes it).
func (u *UI) setChallengeCookie(w http.ResponseWriter, value string, maxAge int) {
	http.SetCookie(w, &http.Cookie{Name: ChallengeCookie, Value: value, Path: "/login", HttpOnly: true, Secure: u.SecureCookie,
		SameSite: http.SameSiteStrictMode, MaxAge: maxAge})
}

// askForCode answers a right password of an agent with two-factor on:
// the challenge goes in its cookie and the browser to the code page.
func (u *UI) askForCode(w http.ResponseWriter, r *http.Request, s auth.SessionInfo, next string) {
	u.setChallengeCookie(w, s.Challenge, 300)
	http.Redirect(w, r, "/login/code?next="+url.QueryEscape(next), http.StatusSeeOther)
}

// LoginCodePage answers GET /login/code: the second sign-in step.
func (u *UI) LoginCodePage(w http.ResponseWriter, r *http.Request) error {
	next := safeNext(r.URL.Query().Get("next"))
	data, ok := u.codeData(r, next)
	if !ok {
		http.Redirect(w, r, "/login?next="+url.QueryEscape(next), http.StatusSeeOther)
		return nil
	}
	return u.render(w, r, http.StatusOK, "logincode", pageData{Title: "Two-factor sign-in", Data: data})
}

// codeData is what the second sign-in step offers: a code field when the
// agent has an authenticator app or recovery codes, a passkey button when
// they have passkeys (passkeys.go); ok is false when the challenge ended.
func (u *UI) codeData(r *http.Request, next string) (map[string]string, bool) {
	codes, passkeys, ok := u.Auth.ChallengeFactors(r.Context(), challengeValue(r))
	data := map[string]string{"Next": next}
	if codes || !passkeys {
		data["Codes"] = "1"
	}
	if passkeys {
		data["Passkeys"] = "1"
	}
	return data, ok
}

// SignInCode answers POST /login/code: the code or a recovery code
// finishes the sign-in.
func (u *UI) SignInCode(w http.ResponseWriter, r *http.Request) error {
	if err := sameSite(r); err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return apperr.InvalidField("body", "is not a form")
	}
	next := safeNext(r.PostFormValue("next"))
	raw := ""
	if c, err := r.Cookie(ChallengeCookie); err == nil {
		raw = c.Value
	}
	s, err := u.Auth.CompleteSignIn(r.Context(), raw, r.PostFormValue("code"), httpx.RequestClientAddr(r), r.UserAgent())
	if err != nil {
		e := apperr.As(err)
		data, _ := u.codeData(r, next)
		switch e.Code {
		case apperr.CodeUnauthenticated:
			u.setChallengeCookie(w, "", -1)
			return u.render(w, r, http.StatusUnauthorized, "login", pageData{Title: "Sign in", Error: msgChallengeEnded, Data: u.loginData(r, data)})
		case apperr.CodeRateLimited:
			data["Limited"] = "1"
			return u.render(w, r, http.StatusTooManyRequests, "logincode", pageData{Title: "Two-factor sign-in", Error: signInLimited, Data: data})
		case apperr.CodeInvalid:
			return u.render(w, r, http.StatusBadRequest, "logincode", pageData{Title: "Two-factor sign-in", Error: msgWrongCode, Data: data})
		}
		return err
	}
	u.setChallengeCookie(w, "", -1)
	u.setSessionCookie(w, s)
	http.Redirect(w, r, next, http.StatusSeeOther)
	return nil
}

// qrImage renders an otpauth URI as an inline PNG (the page's CSP allows
// data: images), so no third party ever sees the secret.
func qrImage(uri string) (template.URL, error) {
	key, err := otp.NewKeyFromURL(uri)
	if err != nil {
		return "", err
	}
	img, err := key.Image(220, 220)
	if err != nil {
		return "", err
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return "", err
	}
	return template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(buf.Bytes())), nil
}

// groups writes a base32 secret in groups of four for typing.
func groups(s string) string {
	var b strings.Builder
	for i, r := range s {
		if i > 0 && i%4 == 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// twoFactorPage renders /profile/two-factor; codes are recovery codes to
// show once (nil for none).
func (u *UI) twoFactorPage(w http.ResponseWriter, r *http.Request, status int, codes []string, flash, errMsg string) error {
	ctx := r.Context()
	actor := httpx.Actor(ctx)
	st, err := u.Auth.TwoFactor(ctx, actor, actor.ID)
	if err != nil {
		return err
	}
	data := map[string]any{"Status": st, "Codes": codes, "MustEnrol": st.Required && !st.Satisfied(), "PasskeysOn": u.Auth.PasskeysAvailable()}
	if en, ok, err := u.Auth.PendingEnrolment(ctx, actor); err != nil {
		return err
	} else if ok {
		qr, err := qrImage(en.URI)
		if err != nil {
			return err
		}
		data["Secret"], data["URI"], data["QR"] = groups(en.Secret), en.URI, qr
		data["SecretPlain"] = en.Secret
	}
	return u.render(w, r, status, "twofactor", pageData{Title: "Two-factor sign-in", Nav: "profile", Flash: flash, Error: errMsg, Data: data})
}

// TwoFactorPage answers GET /profile/two-factor.
func (u *UI) TwoFactorPage(w http.ResponseWriter, r *http.Request) error {
	flash := ""
	if r.URL.Query().Get("off") != "" {
		flash = "Two-factor sign-in is off."
	}
	return u.twoFactorPage(w, r, http.StatusOK, nil, flash, "")
}

// StartTwoFactor answers POST /profile/two-factor/start: a new secret to
// scan.
func (u *UI) StartTwoFactor(w http.ResponseWriter, r *http.Request) error {
	if _, err := u.Auth.StartTwoFactor(r.Context(), httpx.Actor(r.Context())); err != nil && !apperr.Is(err, apperr.CodeConflict) {
		return err
	}
	http.Redirect(w, r, "/profile/two-factor", http.StatusSeeOther)
	return nil
}

// ConfirmTwoFactor answers POST /profile/two-factor/confirm: the first
// code turns two-factor on; the recovery codes are shown this once.
func (u *UI) ConfirmTwoFactor(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return apperr.InvalidField("body", "is not a form")
	}
	codes, err := u.Auth.ConfirmTwoFactor(r.Context(), httpx.Actor(r.Context()), r.PostFormValue("code"))
	if err != nil {
		e := apperr.As(err)
		switch e.Code {
		case apperr.CodeInvalid:
			return u.twoFactorPage(w, r, http.StatusBadRequest, nil, "", msgWrongConfirm)
		case apperr.CodeConflict:
			return u.twoFactorPage(w, r, http.StatusConflict, nil, "", "There is no authenticator waiting to be confirmed. Start again.")
		}
		return err
	}
	return u.twoFactorPage(w, r, http.StatusOK, codes, "Two-factor sign-in is on.", "")
}

// proofRefused renders the page for a refused code-or-password proof.
func (u *UI) proofRefused(w http.ResponseWriter, r *http.Request, err error) error {
	e := apperr.As(err)
	switch e.Code {
	case apperr.CodeInvalid:
		return u.twoFactorPage(w, r, http.StatusBadRequest, nil, "", msgWrongProof)
	case apperr.CodeRateLimited:
		return u.twoFactorPage(w, r, http.StatusTooManyRequests, nil, "", msgTooManyProofs)
	case apperr.CodeConflict:
		return u.twoFactorPage(w, r, http.StatusConflict, nil, "", "Two-factor sign-in is not on.")
	}
	return err
}

// RegenerateRecoveryCodes answers POST /profile/two-factor/recovery-codes.
func (u *UI) RegenerateRecoveryCodes(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return apperr.InvalidField("body", "is not a form")
	}
	codes, err := u.Auth.RegenerateRecoveryCodes(r.Context(), httpx.Actor(r.Context()), r.PostFormValue("proof"))
	if err != nil {
		return u.proofRefused(w, r, err)
	}
	return u.twoFactorPage(w, r, http.StatusOK, codes, "New recovery codes. The old ones no longer work.", "")
}

// DisableTwoFactor answers POST /profile/two-factor/disable.
func (u *UI) DisableTwoFactor(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return apperr.InvalidField("body", "is not a form")
	}
	if err := u.Auth.DisableTwoFactor(r.Context(), httpx.Actor(r.Context()), r.PostFormValue("proof")); err != nil {
		return u.proofRefused(w, r, err)
	}
	http.Redirect(w, r, "/profile/two-factor?off=1", http.StatusSeeOther)
	return nil
}

// sessionRow is one line of a session list.
type sessionRow struct {
	ID, Device, IP, Created, LastSeen string
	Current                           bool
}

// sessionRows lists agentID's sessions for a page, the asking browser's
// marked.
func (u *UI) sessionRows(r *http.Request, agentID int64) ([]sessionRow, error) {
	cur := ""
	if c, err := r.Cookie(ui.SessionCookie); err == nil {
		cur = c.Value
	}
	list, err := u.Auth.ListSessions(r.Context(), httpx.Actor(r.Context()), agentID, cur)
	if err != nil {
		return nil, err
	}
	lang, loc := u.lang(r), location(r)
	out := make([]sessionRow, 0, len(list))
	for _, s := range list {
		b, sys := browserAndSystem(s.UserAgent)
		if b == "" {
			b = u.tr(r, "Unknown browser")
		}
		if sys == "" {
			sys = u.tr(r, "unknown system")
		}
		out = append(out, sessionRow{ID: s.ID, Device: u.tr(r, "%s on %s", b, sys), IP: s.IP,
			Created: when(lang, s.CreatedAt, loc), LastSeen: when(lang, s.LastSeenAt, loc), Current: s.Current})
	}
	return out, nil
}

// securityData is what My profile shows of two-factor sign-in and
// sessions.
func (u *UI) securityData(r *http.Request) (map[string]any, error) {
	actor := httpx.Actor(r.Context())
	st, err := u.Auth.TwoFactor(r.Context(), actor, actor.ID)
	if err != nil {
		return nil, err
	}
	rows, err := u.sessionRows(r, actor.ID)
	if err != nil {
		return nil, err
	}
	return map[string]any{"TwoFactor": st, "Sessions": rows}, nil
}

// EndOwnSession answers POST /profile/sessions/{id}/end.
func (u *UI) EndOwnSession(w http.ResponseWriter, r *http.Request) error {
	actor := httpx.Actor(r.Context())
	id := r.PathValue("id")
	if err := u.Auth.EndSession(r.Context(), actor, actor.ID, id); err != nil {
		return err
	}
	if c, err := r.Cookie(ui.SessionCookie); err == nil && auth.SessionID(c.Value) == id {
		http.SetCookie(w, &http.Cookie{Name: ui.SessionCookie, Value: "", Path: "/", HttpOnly: true, Secure: u.SecureCookie, SameSite: http.SameSiteLaxMode, MaxAge: -1})
		http.Redirect(w, r, "/login", http.StatusSeeOther)
		return nil
	}
	http.Redirect(w, r, "/profile?ended=1#sessions", http.StatusSeeOther)
	return nil
}

// TwoFactorRolesPage answers GET /admin/two-factor: which roles must use
// two-factor sign-in.
func (u *UI) TwoFactorRolesPage(w http.ResponseWriter, r *http.Request) error {
	flash := ""
	if r.URL.Query().Get("saved") != "" {
		flash = "Saved. Agents of these roles without two-factor sign-in set it up before they can do anything else."
	}
	roles, err := u.Auth.RequiredRoles(r.Context())
	if err != nil {
		return err
	}
	opts := []option{}
	for _, role := range authz.Roles {
		opts = append(opts, option{Value: string(role), Label: roleLabels[role], Selected: slices.Contains(roles, role)})
	}
	return u.render(w, r, http.StatusOK, "twofactorroles", pageData{Title: "Two-factor sign-in", Nav: "twofactor", Flash: flash, Data: map[string]any{
		"Roles": checks{Name: "role", Legend: "Require two-factor sign-in for",
			Hint: "Agents of a checked role must set up an authenticator app right after they sign in. API tokens are not affected.", Options: opts},
	}})
}

// SaveTwoFactorRoles answers POST /admin/two-factor.
func (u *UI) SaveTwoFactorRoles(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return apperr.InvalidField("body", "is not a form")
	}
	var roles []authz.Role
	for _, v := range r.PostForm["role"] {
		roles = append(roles, authz.Role(v))
	}
	if err := u.Auth.SetRequiredRoles(r.Context(), httpx.Actor(r.Context()), roles); err != nil {
		return err
	}
	http.Redirect(w, r, "/admin/two-factor?saved=1", http.StatusSeeOther)
	return nil
}

// agentSecurity is what an agent's page shows of their two-factor sign-in
// and, to those who may end them, their sessions.
func (u *UI) agentSecurity(r *http.Request, a agentsvc.Agent, canWrite bool) (map[string]any, error) {
	st, err := u.Auth.TwoFactor(r.Context(), httpx.Actor(r.Context()), a.ID)
	if err != nil {
		return nil, err
	}
	out := map[string]any{"TwoFactor": st}
	if canWrite {
		rows, err := u.sessionRows(r, a.ID)
		if err != nil {
			return nil, err
		}
		out["Sessions"] = rows
	}
	return out, nil
}

// ResetAgentTwoFactor answers POST /admin/agents/{id}/two-factor/reset
// (form: confirm=yes): a lost phone; the agent signs in with the password
// and sets it up again.
func (u *UI) ResetAgentTwoFactor(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id", "agent")
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return apperr.InvalidField("body", "is not a form")
	}
	if r.PostFormValue("confirm") != "yes" {
		return apperr.InvalidField("confirm", "must be yes")
	}
	if err := u.Auth.ResetTwoFactor(r.Context(), httpx.Actor(r.Context()), id); err != nil {
		return err
	}
	http.Redirect(w, r, "/admin/agents/"+r.PathValue("id")+"?reset=1", http.StatusSeeOther)
	return nil
}

// EndAgentSession answers POST /admin/agents/{id}/sessions/{session_id}/end.
func (u *UI) EndAgentSession(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id", "agent")
	if err != nil {
		return err
	}
	if err := u.Auth.EndSession(r.Context(), httpx.Actor(r.Context()), id, r.PathValue("session_id")); err != nil {
		return err
	}
	http.Redirect(w, r, "/admin/agents/"+r.PathValue("id")+"?ended=1", http.StatusSeeOther)
	return nil
}
