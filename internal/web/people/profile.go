package people

import (
	"maps"
	"net/http"
	"slices"
	"time"

	agentsvc "github.com/ombud/ombud/internal/agent"
	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/i18n"
	"github.com/ombud/ombud/internal/web/httpx"
)

// This file holds "My profile": every agent picks their own UI language
// and time zone. The form changes nothing else; the agent service lets an
// agent change these fields of their own record without agent.write. The
// page's second form changes the agent's password (password.go).

// localeOptions lists the UI languages by their own names.
func localeOptions() []option {
	out := []option{}
	for _, l := range i18n.Locales {
		out = append(out, option{Value: l.Code, Label: l.Native})
	}
	return out
}

// checkLocaleZone adds the form's errors for an unknown locale or zone.
func checkLocaleZone(f form) {
	if !slices.ContainsFunc(i18n.Locales, func(l i18n.Locale) bool { return l.Code == f.v("locale") }) ||
		!slices.Contains(agentsvc.Locales, f.v("locale")) {
		f.Errs["locale"] = "must be one of the listed languages"
	}
	if z := f.v("time_zone"); z == "" || z == "Local" {
		f.Errs["time_zone"] = "must be an IANA time zone such as Europe/Oslo"
	} else if _, err := time.LoadLocation(z); err != nil {
		f.Errs["time_zone"] = "must be an IANA time zone such as Europe/Oslo"
	}
}

// ProfilePage answers GET /profile.
func (u *UI) ProfilePage(w http.ResponseWriter, r *http.Request) error {
	s := httpx.SessionFrom(r.Context())
	if s == nil {
		return apperr.Unauthenticated("sign in first")
	}
	flash := ""
	switch {
	case r.URL.Query().Get("saved") != "":
		flash = "Your profile is saved."
	case r.URL.Query().Get("password") != "":
		flash = "Your password is changed. Your other sessions are signed out."
	case r.URL.Query().Get("ended") != "":
		flash = "The session is signed out."
	case r.URL.Query().Get("passkey") != "":
		flash = passkeyFlash(r) // passkeys.go
	}
	return u.profilePage(w, r, http.StatusOK, u.profileForm(r), newForm(nil), flash, "")
}

// profileForm is the language form filled from the session.
func (u *UI) profileForm(r *http.Request) form {
	s := httpx.SessionFrom(r.Context())
	if s == nil {
		return newForm(nil)
	}
	return newForm(map[string]string{"locale": u.i18n.Match(s.Locale), "time_zone": s.TimeZone})
}

// profilePage shows both forms: f the language and time zone, pw the
// password change.
func (u *UI) profilePage(w http.ResponseWriter, r *http.Request, status int, f, pw form, flash, errMsg string) error {
	sets := []fieldset{{Legend: "Language and time zone", Fields: []formField{
		f.choice("locale", "Language", localeOptions(), "The language of the pages you see."),
		f.field("time_zone", "Time zone", "text", true, "An IANA time zone such as Europe/Oslo."),
	}}}
	pwSets := passwordFields(pw)
	data := map[string]any{
		"Fieldsets": sets, "Errors": summary(sets, f.Errs),
		"PasswordFieldsets": pwSets, "PasswordErrors": summary(pwSets, pw.Errs),
	}
	security, err := u.securityData(r) // two-factor sign-in and sessions (twofactor.go)
	if err != nil {
		return err
	}
	maps.Copy(data, security)
	passkeys, err := u.passkeyData(r) // passkeys.go
	if err != nil {
		return err
	}
	maps.Copy(data, passkeys)
	return u.render(w, r, status, "profile", pageData{Title: "My profile", Nav: "profile", Flash: flash, Error: errMsg, Data: data})
}

// UpdateProfile answers POST /profile: the agent's own language and time
// zone, nothing else (other form fields are ignored).
func (u *UI) UpdateProfile(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	actor := httpx.Actor(ctx)
	f, err := readForm(r)
	if err != nil {
		return err
	}
	checkLocaleZone(f)
	if len(f.Errs) > 0 {
		return u.profilePage(w, r, http.StatusBadRequest, f, newForm(nil), "", "")
	}
	locale, zone := f.v("locale"), f.v("time_zone")
	if _, err := u.Agents.UpdateAgent(ctx, actor, actor.ID, agentsvc.AgentPatch{Locale: &locale, TimeZone: &zone}); err != nil {
		st, _, ok := refused(err, f)
		if !ok {
			return err
		}
		return u.profilePage(w, r, st, f, newForm(nil), "", "")
	}
	http.Redirect(w, r, "/profile?saved=1", http.StatusSeeOther)
	return nil
}
