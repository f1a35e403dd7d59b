package workforce

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/emersion/go-ical"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/schedule"
	"github.com/ombud/ombud/internal/web/httpx"
	"github.com/ombud/ombud/internal/web/ui"
	"github.com/ombud/ombud/internal/wfm"
)

// coverageInput reads the week and the plan's settings from a query or form.
func (u *UI) coverageInput(r *http.Request, q url.Values) (schedule.CoverageInput, url.Values) {
	in, vals := planInput(q)
	week := strings.TrimSpace(q.Get("week"))
	if week == "" {
		// Next week: what a lead plans.
		week = schedule.WeekStart(u.Schedule.Today(ui.Location(r))).AddDate(0, 0, 7).Format(time.DateOnly)
	}
	vals.Set("week", week)
	return schedule.CoverageInput{Week: week, Plan: in}, vals
}

type coverageDayView struct {
	schedule.CoverageDay
	Weekday, GapHours string
	Slots             []schedule.Slot
}

func coverageView(c schedule.Coverage) []coverageDayView {
	var out []coverageDayView
	for _, d := range c.Days {
		dt, _ := time.Parse(time.DateOnly, d.Date)
		v := coverageDayView{CoverageDay: d, Weekday: dt.Weekday().String(), GapHours: f1(d.GapHours)}
		for _, s := range d.Slots {
			if s.Planned && (s.Needed > 0 || s.Scheduled > 0) {
				v.Slots = append(v.Slots, s)
			}
		}
		out = append(out, v)
	}
	return out
}

// CoveragePage answers GET /workforce/coverage: scheduled against needed
// agents per interval of a week with the gaps, and with ?propose=1 a
// proposed schedule to accept.
func (u *UI) CoveragePage(w http.ResponseWriter, r *http.Request) error {
	ctx, actor := r.Context(), httpx.Actor(r.Context())
	in, vals := u.coverageInput(r, r.URL.Query())
	data := map[string]any{"Values": vals, "Channels": wfm.Channels, "Errs": map[string]string{}}
	status, problem := http.StatusOK, ""
	cov, err := u.Schedule.Coverage(ctx, actor, in)
	if err != nil {
		e, ok := ui.Refusal(err)
		if !ok || e.Code != apperr.CodeInvalid {
			return err
		}
		status, problem = http.StatusUnprocessableEntity, "Check the plan's settings."
		data["Errs"] = u.ErrIn(r, err).Fields
	} else {
		data["Coverage"] = cov
		data["Days"] = coverageView(cov)
		data["GapHours"] = f1(cov.GapHours)
		if r.URL.Query().Get("propose") != "" {
			p, err := u.Schedule.Propose(ctx, actor, in)
			if err != nil {
				return err
			}
			data["Proposal"] = p
			data["ProposalGap"] = f1(p.Coverage.GapHours)
			data["ProposalDays"] = coverageView(p.Coverage)
		}
	}
	var heads []string
	if wk, err := time.Parse(time.DateOnly, cov.Week); err == nil {
		for d := range 7 {
			heads = append(heads, wk.AddDate(0, 0, d).Weekday().String())
		}
	}
	data["Heads"] = heads
	flash := ""
	if r.URL.Query().Get("accepted") != "" {
		flash = "Proposed schedule accepted: edit single days below."
	}
	return u.Render(w, r, status, u.pages["coverage"], ui.PageData{Title: "Coverage", Nav: "coverage", Flash: flash, Error: problem, Data: data})
}

// AcceptProposal answers POST /workforce/coverage/accept (the coverage
// form's fields): the proposal becomes the week's schedule.
func (u *UI) AcceptProposal(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return apperr.InvalidField("body", "is not a form")
	}
	in, vals := u.coverageInput(r, r.PostForm)
	p, err := u.Schedule.AcceptProposal(r.Context(), httpx.Actor(r.Context()), in)
	if err != nil {
		return err
	}
	vals.Set("week", p.Coverage.Week)
	vals.Set("accepted", "1")
	http.Redirect(w, r, "/workforce/coverage?"+vals.Encode(), http.StatusSeeOther)
	return nil
}

// AdherencePage answers GET /workforce/adherence (?date=, default today).
func (u *UI) AdherencePage(w http.ResponseWriter, r *http.Request) error {
	date := strings.TrimSpace(r.URL.Query().Get("date"))
	if date == "" {
		date = u.Schedule.Today(ui.Location(r)).Format(time.DateOnly)
	}
	rep, err := u.Schedule.Adherence(r.Context(), httpx.Actor(r.Context()), date)
	if err != nil {
		return err
	}
	type row struct {
		schedule.Adherence
		Scheduled, InShift, Online, Active, Adh, Occ, Util string
	}
	mk := func(a schedule.Adherence) row {
		p := func(v *float64) string {
			if v == nil {
				return "–"
			}
			return f1(*v) + " %"
		}
		return row{Adherence: a, Scheduled: f1(a.Scheduled / 60), InShift: f1(a.InShift / 60), Online: f1(a.Online / 60), Active: f1(a.Active / 60),
			Adh: p(a.AdherencePct), Occ: p(a.OccupancyPct), Util: p(a.UtilisationPct)}
	}
	var rows []row
	for _, a := range rep.Agents {
		rows = append(rows, mk(a))
	}
	d, _ := time.Parse(time.DateOnly, rep.Date)
	data := map[string]any{"Date": rep.Date, "Rows": rows, "Team": mk(rep.Team),
		"Prev": d.AddDate(0, 0, -1).Format(time.DateOnly), "Next": d.AddDate(0, 0, 1).Format(time.DateOnly)}
	return u.Render(w, r, http.StatusOK, u.pages["adherence"], ui.PageData{Title: "Adherence and occupancy", Nav: "adherence", Data: data})
}

// NewFeed answers POST /workforce/schedule/feed: a new secret calendar
// link, shown once on the schedule page.
func (u *UI) NewFeed(w http.ResponseWriter, r *http.Request) error {
	tok, err := u.Schedule.NewFeed(r.Context(), httpx.Actor(r.Context()))
	if err != nil {
		return err
	}
	scheme := "http"
	if r.TLS != nil || r.Header.Get("X-Forwarded-Proto") == "https" {
		scheme = "https"
	}
	return u.schedulePage(w, r, http.StatusOK, scheme+"://"+r.Host+"/schedule-feed/"+tok+".ics")
}

// RevokeFeed answers POST /workforce/schedule/feed/revoke.
func (u *UI) RevokeFeed(w http.ResponseWriter, r *http.Request) error {
	if err := u.Schedule.RevokeFeed(r.Context(), httpx.Actor(r.Context())); err != nil {
		return err
	}
	http.Redirect(w, r, "/workforce/schedule?revoked=1", http.StatusSeeOther)
	return nil
}

// Feed answers GET /schedule-feed/{file}: file is the secret token and
// ".ics". The link is the credential; a revoked or unknown one is 404.
// Each shift is one event in UTC, its break in the description.
func (u *UI) Feed(w http.ResponseWriter, r *http.Request) error {
	tok, ok := strings.CutSuffix(r.PathValue("file"), ".ics")
	if !ok || tok == "" {
		return apperr.NotFound("feed", "token")
	}
	f, err := u.Schedule.FeedByToken(r.Context(), tok)
	if err != nil {
		return err
	}
	lang := f.Locale
	cal := ical.NewCalendar()
	cal.Props.SetText(ical.PropVersion, "2.0")
	cal.Props.SetText(ical.PropProductID, "-//Ombud//Schedule//EN")
	cal.Props.SetText("X-WR-CALNAME", u.I18n().T(lang, "Shifts: %s", f.Name))
	for _, d := range f.Days {
		if d.Shift == nil {
			continue
		}
		ev := ical.NewEvent()
		ev.Props.SetText(ical.PropUID, "shift-"+strconv.FormatInt(f.AgentID, 10)+"-"+d.Date+"@ombud")
		ev.Props.SetDateTime(ical.PropDateTimeStamp, f.Now.UTC())
		ev.Props.SetDateTime(ical.PropDateTimeStart, d.Start.UTC())
		ev.Props.SetDateTime(ical.PropDateTimeEnd, d.End.UTC())
		ev.Props.SetText(ical.PropSummary, u.I18n().T(lang, "Shift"))
		if b := d.Shift.BreakLabel(); b != "" {
			ev.Props.SetText(ical.PropDescription, u.I18n().T(lang, "Break: %s", b))
		}
		cal.Children = append(cal.Children, ev.Component)
	}
	w.Header().Set("Content-Type", "text/calendar; charset=utf-8")
	w.Header().Set("Cache-Control", "private, max-age=300")
	return ical.NewEncoder(w).Encode(cal)
}
