package people

import (
	"encoding/json"
	"net/http"
	"sort"
	"strings"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/web/httpx"
)

// This file holds passkeys (WebAuthn; the rules live in auth/passkeys.go):
// the Passkeys section of My profile, and signing in with one, after the
// password or instead of it. The browser's side is static/webauthn.js: it
// asks an options endpoint, runs navigator.credentials.create or get, and
// posts the answer as JSON; the answers here are JSON too.

// passkeyInput is the body of the answer endpoints.
type passkeyInput struct {
	Name    string          `json:"name"`
	Passkey json.RawMessage `json:"passkey"`
	Next    string          `json:"next"`
}

// Page messages of this file (catalog keys).
const (
	msgPasskeyAdded   = "The passkey is added."
	msgPasskeyRenamed = "The passkey is renamed."
	msgPasskeyRemoved = "The passkey is removed."
)

// passkeyJSON answers a passkey endpoint: v with status, or err in the
// JSON error shape with its message in the page's language, each field's
// problem joined to its label, for the script to show as it is.
func (u *UI) passkeyJSON(w http.ResponseWriter, r *http.Request, status int, v any, err error) error {
	if err == nil {
		return httpx.WriteJSON(w, status, v)
	}
	st, body := httpx.Describe(r, err, u.Log)
	if st >= 500 {
		return err // the router logs it and answers
	}
	e := u.ErrIn(r, err)
	body.Error.Message, body.Error.Fields = e.Message, e.Fields
	if len(e.Fields) > 0 {
		lang := u.lang(r)
		parts := make([]string, 0, len(e.Fields))
		for k, problem := range e.Fields {
			parts = append(parts, u.FieldName(lang, k)+": "+problem)
		}
		sort.Strings(parts)
		body.Error.Message = strings.Join(parts, "; ")
	}
	if st == http.StatusTooManyRequests {
		w.Header().Set("Retry-After", "60")
	}
	return httpx.WriteJSON(w, st, body)
}

// readPasskeyInput decodes an answer body strictly (400 naming the field).
func readPasskeyInput(r *http.Request) (passkeyInput, error) {
	var in passkeyInput
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return in, err
	}
	if len(in.Passkey) == 0 || string(in.Passkey) == "null" {
		return in, apperr.InvalidField("passkey", "is required")
	}
	return in, nil
}

// PasskeyOptions answers POST /profile/passkeys/options: the options for
// navigator.credentials.create.
func (u *UI) PasskeyOptions(w http.ResponseWriter, r *http.Request) error {
	opts, err := u.Auth.BeginPasskeyRegistration(r.Context(), httpx.Actor(r.Context()))
	return u.passkeyJSON(w, r, http.StatusOK, opts, err)
}

// AddPasskey answers POST /profile/passkeys (JSON: name, passkey): the
// browser's answer is checked and the passkey stored.
func (u *UI) AddPasskey(w http.ResponseWriter, r *http.Request) error {
	in, err := readPasskeyInput(r)
	if err != nil {
		return u.passkeyJSON(w, r, 0, nil, err)
	}
	p, err := u.Auth.FinishPasskeyRegistration(r.Context(), httpx.Actor(r.Context()), in.Name, in.Passkey)
	return u.passkeyJSON(w, r, http.StatusCreated, map[string]any{"id": p.ID, "name": p.Name, "redirect": "/profile?passkey=added#passkeys"}, err)
}

// RenamePasskey answers POST /profile/passkeys/{id}/rename (form: name).
func (u *UI) RenamePasskey(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id", "passkey")
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return apperr.InvalidField("body", "is not a form")
	}
	if err := u.Auth.RenamePasskey(r.Context(), httpx.Actor(r.Context()), id, r.PostFormValue("name")); err != nil {
		if apperr.Is(err, apperr.CodeInvalid) {
			return u.profilePage(w, r, http.StatusBadRequest, u.profileForm(r), newForm(nil), "", u.passkeyProblem(r, err))
		}
		return err
	}
	http.Redirect(w, r, "/profile?passkey=renamed#passkeys", http.StatusSeeOther)
	return nil
}

// RemovePasskey answers POST /profile/passkeys/{id}/remove (form: proof,
// the password or a current code).
func (u *UI) RemovePasskey(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id", "passkey")
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return apperr.InvalidField("body", "is not a form")
	}
	if err := u.Auth.RemovePasskey(r.Context(), httpx.Actor(r.Context()), id, r.PostFormValue("proof")); err != nil {
		switch apperr.CodeOf(err) {
		case apperr.CodeInvalid:
			return u.profilePage(w, r, http.StatusBadRequest, u.profileForm(r), newForm(nil), "", msgWrongProof)
		case apperr.CodeRateLimited:
			return u.profilePage(w, r, http.StatusTooManyRequests, u.profileForm(r), newForm(nil), "", msgTooManyProofs)
		}
		return err
	}
	http.Redirect(w, r, "/profile?passkey=removed#passkeys", http.StatusSeeOther)
	return nil
}

// passkeyProblem is a refusal as one sentence for the page's notice.
func (u *UI) passkeyProblem(r *http.Request, err error) string {
	e := u.ErrIn(r, err)
	lang := u.lang(r)
	parts := []string{}
	for k, p := range e.Fields {
		parts = append(parts, u.FieldName(lang, k)+": "+p)
	}
	if len(parts) == 0 {
		return e.Message
	}
	sort.Strings(parts)
	return strings.Join(parts, "; ")
}

// passkeyRow is one line of the Passkeys list.
type passkeyRow struct {
	ID                      int64
	Name, Created, LastUsed string
	Synced                  bool
	Transports              string
}

// passkeyData is what My profile shows of passkeys.
func (u *UI) passkeyData(r *http.Request) (map[string]any, error) {
	actor := httpx.Actor(r.Context())
	list, err := u.Auth.Passkeys(r.Context(), actor, actor.ID)
	if err != nil {
		return nil, err
	}
	lang, loc := u.lang(r), location(r)
	rows := make([]passkeyRow, 0, len(list))
	for _, p := range list {
		row := passkeyRow{ID: p.ID, Name: p.Name, Created: when(lang, p.CreatedAt, loc), Synced: p.Synced, Transports: strings.Join(p.Transports, ", ")}
		if !p.LastUsedAt.IsZero() {
			row.LastUsed = when(lang, p.LastUsedAt, loc)
		}
		rows = append(rows, row)
	}
	return map[string]any{"Passkeys": rows, "PasskeysOn": u.Auth.PasskeysAvailable()}, nil
}

// passkeyFlash is the notice after a passkey change (?passkey=).
func passkeyFlash(r *http.Request) string {
	switch r.URL.Query().Get("passkey") {
	case "added":
		return msgPasskeyAdded
	case "renamed":
		return msgPasskeyRenamed
	case "removed":
		return msgPasskeyRemoved
	}
	return ""
}

// challengeValue is the half-signed-in state's cookie value ("" for none).
func challengeValue(r *http.Request) string {
	if c, err := r.Cookie(ChallengeCookie); err == nil {
		return c.Value
	}
	return ""
}

// LoginPasskeyOptions answers POST /login/passkey/options: the options
// that finish a sign-in after the password with one of the agent's
// passkeys.
func (u *UI) LoginPasskeyOptions(w http.ResponseWriter, r *http.Request) error {
	if err := sameSite(r); err != nil {
		return u.passkeyJSON(w, r, 0, nil, err)
	}
	opts, err := u.Auth.BeginPasskeySecondFactor(r.Context(), challengeValue(r))
	return u.passkeyJSON(w, r, http.StatusOK, opts, err)
}

// LoginPasskey answers POST /login/passkey (JSON: passkey, next): the
// passkey finishes the sign-in after the password; the reply names where
// to go.
func (u *UI) LoginPasskey(w http.ResponseWriter, r *http.Request) error {
	if err := sameSite(r); err != nil {
		return u.passkeyJSON(w, r, 0, nil, err)
	}
	in, err := readPasskeyInput(r)
	if err != nil {
		return u.passkeyJSON(w, r, 0, nil, err)
	}
	s, err := u.Auth.FinishPasskeySecondFactor(r.Context(), challengeValue(r), in.Passkey, httpx.RequestClientAddr(r), r.UserAgent())
	if err != nil {
		if apperr.Is(err, apperr.CodeUnauthenticated) {
			u.setChallengeCookie(w, "", -1)
		}
		return u.passkeyJSON(w, r, 0, nil, err)
	}
	u.setChallengeCookie(w, "", -1)
	u.setSessionCookie(w, s)
	return httpx.WriteJSON(w, http.StatusOK, map[string]string{"redirect": safeNext(in.Next)})
}

// PasswordlessOptions answers POST /login/passwordless/options: the
// options for signing in with any passkey of this site.
func (u *UI) PasswordlessOptions(w http.ResponseWriter, r *http.Request) error {
	if err := sameSite(r); err != nil {
		return u.passkeyJSON(w, r, 0, nil, err)
	}
	opts, err := u.Auth.BeginPasskeySignIn(r.Context())
	return u.passkeyJSON(w, r, http.StatusOK, opts, err)
}

// Passwordless answers POST /login/passwordless (JSON: passkey, next):
// a passkey signs in without a password.
func (u *UI) Passwordless(w http.ResponseWriter, r *http.Request) error {
	if err := sameSite(r); err != nil {
		return u.passkeyJSON(w, r, 0, nil, err)
	}
	in, err := readPasskeyInput(r)
	if err != nil {
		return u.passkeyJSON(w, r, 0, nil, err)
	}
	s, err := u.Auth.FinishPasskeySignIn(r.Context(), in.Passkey, httpx.RequestClientAddr(r), r.UserAgent())
	if err != nil {
		return u.passkeyJSON(w, r, 0, nil, err)
	}
	u.setSessionCookie(w, s)
	return httpx.WriteJSON(w, http.StatusOK, map[string]string{"redirect": safeNext(in.Next)})
}
