package workforce

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/schedule"
	"github.com/ombud/ombud/internal/web/httpx"
	"github.com/ombud/ombud/internal/web/ui"
)

// RequestsPage answers GET /workforce/requests: the forms to ask for time
// off and a swap, and the requests (a lead sees and decides everyone's).
func (u *UI) RequestsPage(w http.ResponseWriter, r *http.Request) error {
	return u.requestsPage(w, r, http.StatusOK, "", nil, nil)
}

func (u *UI) requestsPage(w http.ResponseWriter, r *http.Request, status int, problem string, errs map[string]string, posted url.Values) error {
	ctx, actor := r.Context(), httpx.Actor(r.Context())
	offs, err := u.Schedule.ListTimeOff(ctx, actor, "")
	if err != nil {
		return err
	}
	swaps, err := u.Schedule.ListSwaps(ctx, actor)
	if err != nil {
		return err
	}
	// Swap partners: the agents on the schedule, not yourself.
	roster, err := u.Schedule.Roster(ctx, actor, u.Schedule.Today(ui.Location(r)).Format("2006-01-02"), 1)
	if err != nil {
		return err
	}
	var partners []ui.Option
	for _, a := range roster.Agents {
		if a.ID != actor.ID {
			partners = append(partners, ui.Option{Value: strconv.FormatInt(a.ID, 10), Label: a.Name})
		}
	}
	if posted == nil {
		posted = url.Values{}
	}
	if errs == nil {
		errs = map[string]string{}
	}
	data := map[string]any{"TimeOff": offs, "Swaps": swaps, "Partners": partners, "Errs": errs, "Posted": posted, "Me": actor.ID}
	flash := ui.FlashOf(r, map[string]string{"requested": "Request sent to your lead.", "decided": "Decision saved.", "cancelled": "Request withdrawn."})
	return u.Render(w, r, status, u.pages["requests"], ui.PageData{Title: "Time off and swaps", Nav: "requests", Flash: flash, Error: problem, Data: data})
}

// refusedForm re-renders the requests page with a form's field errors, or
// returns err for the error page.
func (u *UI) refusedForm(w http.ResponseWriter, r *http.Request, err error, prefix string) error {
	e, ok := ui.Refusal(err)
	if !ok || e.Code != apperr.CodeInvalid {
		return err
	}
	errs := map[string]string{}
	for k, m := range u.ErrIn(r, err).Fields {
		errs[prefix+k] = m
	}
	return u.requestsPage(w, r, http.StatusUnprocessableEntity, "Check the request.", errs, r.PostForm)
}

// RequestTimeOff answers POST /workforce/time-off (form: from, to, reason).
func (u *UI) RequestTimeOff(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return apperr.InvalidField("body", "is not a form")
	}
	f := r.PostForm
	_, err := u.Schedule.RequestTimeOff(r.Context(), httpx.Actor(r.Context()), schedule.TimeOffInput{From: f.Get("from"), To: f.Get("to"), Reason: f.Get("reason")})
	if err != nil {
		return u.refusedForm(w, r, err, "off_")
	}
	http.Redirect(w, r, "/workforce/requests?requested=1", http.StatusSeeOther)
	return nil
}

// DecideTimeOff answers POST /workforce/time-off/{id}/decide (form:
// status = approved | declined).
func (u *UI) DecideTimeOff(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id", "time_off")
	if err != nil {
		return err
	}
	if _, err := u.Schedule.DecideTimeOff(r.Context(), httpx.Actor(r.Context()), id, schedule.Decision{Status: r.PostFormValue("status")}); err != nil {
		return err
	}
	http.Redirect(w, r, "/workforce/requests?decided=1", http.StatusSeeOther)
	return nil
}

// CancelTimeOff answers POST /workforce/time-off/{id}/cancel.
func (u *UI) CancelTimeOff(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id", "time_off")
	if err != nil {
		return err
	}
	if _, err := u.Schedule.CancelTimeOff(r.Context(), httpx.Actor(r.Context()), id); err != nil {
		return err
	}
	http.Redirect(w, r, "/workforce/requests?cancelled=1", http.StatusSeeOther)
	return nil
}

// RequestSwap answers POST /workforce/swaps (form: partner_id, date, note).
func (u *UI) RequestSwap(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return apperr.InvalidField("body", "is not a form")
	}
	f := r.PostForm
	partner, _ := strconv.ParseInt(f.Get("partner_id"), 10, 64)
	_, err := u.Schedule.RequestSwap(r.Context(), httpx.Actor(r.Context()), schedule.SwapInput{PartnerID: partner, Date: f.Get("date"), Note: f.Get("note")})
	if err != nil {
		return u.refusedForm(w, r, err, "swap_")
	}
	http.Redirect(w, r, "/workforce/requests?requested=1", http.StatusSeeOther)
	return nil
}

// DecideSwap answers POST /workforce/swaps/{id}/decide (form: status).
func (u *UI) DecideSwap(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id", "swap")
	if err != nil {
		return err
	}
	if _, err := u.Schedule.DecideSwap(r.Context(), httpx.Actor(r.Context()), id, schedule.Decision{Status: r.PostFormValue("status")}); err != nil {
		return err
	}
	http.Redirect(w, r, "/workforce/requests?decided=1", http.StatusSeeOther)
	return nil
}
