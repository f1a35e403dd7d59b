package admin

import (
	"net/http"
	"strconv"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/csat"
	"github.com/ombud/ombud/internal/i18n"
	"github.com/ombud/ombud/internal/web/httpx"
)

// The satisfaction survey settings (Administration → Satisfaction
// surveys): on or off, delay after the solve, scale, throttle, and the
// survey mail as each language's customers get it.

var scaleOptions = []option{{Value: csat.ScaleGoodBad, Label: "Good or bad"}, {Value: csat.ScaleFive, Label: "1 to 5"}}

func csatForm(s csat.Settings) form {
	f := newForm(map[string]string{"delay_minutes": strconv.Itoa(s.DelayMinutes), "scale": s.Scale,
		"throttle_days": strconv.Itoa(s.ThrottleDays), "channel": s.Channel})
	if s.Enabled {
		f.Values["enabled"] = "on"
	}
	return f
}

// csatPreview is one language's survey mail.
type csatPreview struct {
	Lang, Name, Subject, Text string
}

// CSATSettingsPage shows the survey settings.
func (u *UI) CSATSettingsPage(w http.ResponseWriter, r *http.Request) error {
	if u.CSAT == nil {
		return apperr.NotFound("page", r.URL.Path)
	}
	s, err := u.CSAT.Settings(r.Context(), httpx.Actor(r.Context()))
	if err != nil {
		return err
	}
	return u.csatPage(w, r, http.StatusOK, csatForm(s), s.Scale, flashOf(r, map[string]string{"saved": "Survey settings saved."}), "")
}

func (u *UI) csatPage(w http.ResponseWriter, r *http.Request, status int, f form, scale, flash, errMsg string) error {
	actor := httpx.Actor(r.Context())
	sets := []fieldset{
		{Legend: "Survey", Fields: []formField{
			f.field("enabled", "Send satisfaction surveys", "checkbox", false, "After a ticket is solved, its customer is asked to rate the help."),
			f.field("delay_minutes", "Delay after solving (minutes)", "number", false, "Skipped if the ticket is reopened or merged meanwhile."),
			f.choice("scale", "Scale", scaleOptions, "Good counts 4 and 5 on the 1 to 5 scale."),
			f.choice("channel", "Sent by", []option{{Value: csat.ChannelEmail, Label: "Email"}}, "The portal and chat will offer the same survey."),
			f.field("throttle_days", "At most one survey per customer in (days)", "number", false, "0 surveys every solved ticket."),
		}},
	}
	sets[0].Fields[1].Min, sets[0].Fields[1].Max = "0", strconv.Itoa(csat.MaxDelayMinutes)
	sets[0].Fields[4].Min, sets[0].Fields[4].Max = "0", strconv.Itoa(csat.MaxThrottleDays)
	if scale != csat.ScaleFive {
		scale = csat.ScaleGoodBad
	}
	var previews []csatPreview
	for _, l := range i18n.Locales {
		m := u.CSAT.Preview(l.Code, scale)
		previews = append(previews, csatPreview{Lang: l.Code, Name: l.Native, Subject: m.Subject, Text: m.Text})
	}
	return u.render(w, r, status, "csatsettings", pageData{Title: "Satisfaction surveys", Nav: "csat", Flash: flash, Error: errMsg, Data: map[string]any{
		"Fieldsets": sets, "Errors": summary(sets, f.Errs), "CanWrite": authz.Can(actor, authz.AutomationWrite), "Previews": previews,
	}})
}

// SaveCSATSettings stores the survey settings (form).
func (u *UI) SaveCSATSettings(w http.ResponseWriter, r *http.Request) error {
	if u.CSAT == nil {
		return apperr.NotFound("page", r.URL.Path)
	}
	f, err := readForm(r)
	if err != nil {
		return err
	}
	fe := apperr.FieldErrors{}
	in := csat.Settings{Enabled: f.v("enabled") != "", Scale: f.v("scale"), Channel: f.v("channel"),
		DelayMinutes: formInt(fe, "delay_minutes", f.v("delay_minutes")), ThrottleDays: formInt(fe, "throttle_days", f.v("throttle_days"))}
	if len(fe) > 0 {
		for k, m := range fe {
			f.Errs[k] = m
		}
		return u.csatPage(w, r, http.StatusBadRequest, f, in.Scale, "", "")
	}
	if _, err := u.CSAT.SaveSettings(r.Context(), httpx.Actor(r.Context()), in); err != nil {
		st, msg, ok := refused(err, f)
		if !ok {
			return err
		}
		return u.csatPage(w, r, st, f, in.Scale, "", msg)
	}
	http.Redirect(w, r, "/admin/satisfaction?saved=1", http.StatusSeeOther)
	return nil
}
