package workforce

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/schedule"
	"github.com/ombud/ombud/internal/web/httpx"
	"github.com/ombud/ombud/internal/web/ui"
)

// dayNames are the column heads, Monday first; patterns index by time.Weekday.
var mondayFirst = []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday, time.Sunday}

type cellView struct {
	Date, Label, Break, Off, Holiday, Source, Note string
	Start, End, BreakFrom                          string
	BreakMin                                       int
	Working                                        bool
}

type rowView struct {
	ID          int64
	Name, Zone  string
	Hours       string
	Cells       []cellView
	OnShiftNow  bool
	HasSchedule bool
}

func cell(d schedule.Day) cellView {
	c := cellView{Date: d.Date, Off: d.Off, Holiday: d.Holiday, Source: d.Source, Note: d.Note}
	if d.Shift != nil {
		c.Working, c.Label, c.Break = true, d.Shift.Label(), d.Shift.BreakLabel()
		c.Start, c.End, c.BreakMin = d.Shift.Start.String(), d.Shift.End.String(), d.Shift.BreakMinutes
		if c.BreakMin > 0 {
			c.BreakFrom = d.Shift.BreakStart.String()
		}
	}
	return c
}

// offLabel is the English word for why a day has no shift.
var offLabel = map[string]string{"off": "Off", "holiday": "Holiday", "time_off": "Time off"}

// SchedulePage answers GET /workforce/schedule: the team schedule by week
// (?from= a date in the week) or by day (?view=day&from=).
func (u *UI) SchedulePage(w http.ResponseWriter, r *http.Request) error {
	return u.schedulePage(w, r, http.StatusOK, "")
}

func (u *UI) schedulePage(w http.ResponseWriter, r *http.Request, status int, feedURL string) error {
	ctx, actor := r.Context(), httpx.Actor(r.Context())
	q := r.URL.Query()
	view := q.Get("view")
	if view != "day" {
		view = "week"
	}
	loc := ui.Location(r)
	from, ok := time.Parse(time.DateOnly, strings.TrimSpace(q.Get("from")))
	if ok != nil {
		from = u.Schedule.Today(loc)
	}
	days, step := 1, 1
	if view == "week" {
		from, days, step = schedule.WeekStart(from), 7, 7
	}
	roster, err := u.Schedule.Roster(ctx, actor, from.Format(time.DateOnly), days)
	if err != nil {
		return err
	}
	now := u.Schedule.Now()
	rows := make([]rowView, 0, len(roster.Agents))
	for _, a := range roster.Agents {
		rv := rowView{ID: a.ID, Name: a.Name, Zone: a.TimeZone, Hours: f1(a.Hours), HasSchedule: true}
		for _, d := range a.Days {
			rv.Cells = append(rv.Cells, cell(d))
			rv.OnShiftNow = rv.OnShiftNow || d.Working(now)
		}
		rows = append(rows, rv)
	}
	heads := make([]map[string]string, 0, days)
	for _, ds := range roster.Dates {
		d, _ := time.Parse(time.DateOnly, ds)
		heads = append(heads, map[string]string{"Date": ds, "Weekday": d.Weekday().String()})
	}
	data := map[string]any{
		"View": view, "From": from.Format(time.DateOnly), "Heads": heads, "Rows": rows, "OffLabel": offLabel,
		"Prev": addDays(from, -step), "Next": addDays(from, step), "FeedURL": feedURL,
	}
	if authz.Can(actor, authz.ScheduleManage) {
		opts, _, err := u.AgentChoices(ctx, actor)
		if err != nil {
			return err
		}
		data["AgentChoices"] = opts
	}
	if actor.Kind == authz.KindAgent {
		has, err := u.Schedule.HasFeed(ctx, actor)
		if err != nil {
			return err
		}
		data["HasFeed"] = has
	}
	flash := ui.FlashOf(r, map[string]string{"saved": "Schedule saved.", "accepted": "Proposed schedule accepted: edit single days below.", "revoked": "Calendar link switched off."})
	return u.Render(w, r, status, u.pages["schedule"], ui.PageData{Title: "Team schedule", Nav: "schedule", Flash: flash, Data: data})
}

func addDays(d time.Time, n int) string { return d.AddDate(0, 0, n).Format(time.DateOnly) }

// PatternPage answers GET /workforce/schedule/agents/{id}: the agent's
// weekly pattern (a form for leads) and their next two weeks.
func (u *UI) PatternPage(w http.ResponseWriter, r *http.Request) error {
	return u.patternPage(w, r, http.StatusOK, "", nil, nil)
}

type patternRow struct {
	Weekday, Key                         string
	On                                   bool
	Start, End, BreakStart, BreakMinutes string
}

func (u *UI) patternPage(w http.ResponseWriter, r *http.Request, status int, problem string, errs map[string]string, posted url.Values) error {
	ctx, actor := r.Context(), httpx.Actor(r.Context())
	id, err := httpx.PathID(r, "id", "agent")
	if err != nil {
		return err
	}
	p, err := u.Schedule.GetPattern(ctx, actor, id)
	if err != nil {
		return err
	}
	var rows []patternRow
	for _, wd := range mondayFirst {
		k := strconv.Itoa(int(wd))
		pr := patternRow{Weekday: wd.String(), Key: k, Start: "08:00", End: "16:00", BreakStart: "12:00", BreakMinutes: "30"}
		if sh := p.Days[wd]; sh != nil {
			pr.On, pr.Start, pr.End, pr.BreakStart, pr.BreakMinutes = true, sh.Start.String(), sh.End.String(), sh.BreakStart.String(), strconv.Itoa(sh.BreakMinutes)
		} else if !p.Scheduled && wd != time.Saturday && wd != time.Sunday {
			pr.On = true // a new pattern starts as office hours on weekdays
		}
		if posted != nil {
			pr.On = posted.Get("d"+k+"_on") != ""
			pr.Start, pr.End, pr.BreakStart, pr.BreakMinutes = posted.Get("d"+k+"_start"), posted.Get("d"+k+"_end"), posted.Get("d"+k+"_break"), posted.Get("d"+k+"_break_min")
		}
		rows = append(rows, pr)
	}
	calID := int64(0)
	if p.CalendarID != nil {
		calID = *p.CalendarID
	}
	data := map[string]any{"Pattern": p, "Rows": rows, "Errs": errs, "CalendarID": calID, "OffLabel": offLabel}
	if u.SLA != nil {
		cals, err := u.SLA.ListCalendars(ctx, authz.System)
		if err != nil {
			return err
		}
		data["Calendars"] = cals
	}
	if p.Scheduled {
		loc := ui.Location(r)
		roster, err := u.Schedule.Roster(ctx, actor, u.Schedule.Today(loc).Format(time.DateOnly), 14)
		if err != nil {
			return err
		}
		for _, a := range roster.Agents {
			if a.ID == id {
				var cells []cellView
				for _, d := range a.Days {
					c := cell(d)
					dt, _ := time.Parse(time.DateOnly, d.Date)
					c.Note = strings.TrimSpace(dt.Weekday().String())
					cells = append(cells, c)
				}
				data["Next"] = cells
			}
		}
	}
	flash := ui.FlashOf(r, map[string]string{"saved": "Schedule saved.", "changed": "Day changed."})
	return u.Render(w, r, status, u.pages["pattern"], ui.PageData{Title: "Weekly pattern", Nav: "schedule", Flash: flash, Error: problem,
		Data: data})
}

// SavePattern answers POST /workforce/schedule/agents/{id}: form d<N>_on,
// d<N>_start, d<N>_end, d<N>_break, d<N>_break_min per weekday N (0 =
// Sunday) and calendar_id.
func (u *UI) SavePattern(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id", "agent")
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return apperr.InvalidField("body", "is not a form")
	}
	f := r.PostForm
	var in schedule.PatternInput
	errs := map[string]string{}
	for wd := range 7 {
		k := "d" + strconv.Itoa(wd)
		if f.Get(k+"_on") == "" {
			continue
		}
		sh, msg := readShift(f.Get(k+"_start"), f.Get(k+"_end"), f.Get(k+"_break"), f.Get(k+"_break_min"))
		if msg != "" {
			errs[strconv.Itoa(wd)] = msg
			continue
		}
		in.Days[wd] = sh
	}
	if c, err := strconv.ParseInt(f.Get("calendar_id"), 10, 64); err == nil && c > 0 {
		in.CalendarID = &c
	}
	if len(errs) == 0 {
		_, err = u.Schedule.SetPattern(r.Context(), httpx.Actor(r.Context()), id, in)
		if err == nil {
			http.Redirect(w, r, "/workforce/schedule/agents/"+strconv.FormatInt(id, 10)+"?saved=1", http.StatusSeeOther)
			return nil
		}
		e, ok := ui.Refusal(err)
		if !ok || e.Code != apperr.CodeInvalid {
			return err
		}
		for k, m := range u.ErrIn(r, err).Fields {
			for wd, name := range weekdayField {
				if k == name {
					k = strconv.Itoa(wd)
				}
			}
			errs[k] = m
		}
	}
	return u.patternPage(w, r, http.StatusUnprocessableEntity, "Check the pattern.", errs, f)
}

var weekdayField = [7]string{"sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"}

// readShift reads a shift from form text; msg is the English problem.
func readShift(start, end, brk, brkMin string) (*schedule.Shift, string) {
	st, err1 := schedule.ParseClock(start)
	en, err2 := schedule.ParseClock(end)
	if err1 != nil || err2 != nil {
		return nil, "must be a time of day (HH:MM)"
	}
	sh := &schedule.Shift{Start: st, End: en}
	if strings.TrimSpace(brkMin) != "" && strings.TrimSpace(brkMin) != "0" {
		n, err := strconv.Atoi(strings.TrimSpace(brkMin))
		bs, err3 := schedule.ParseClock(brk)
		if err != nil || err3 != nil {
			return nil, "break must lie within the shift"
		}
		sh.BreakStart, sh.BreakMinutes = bs, n
	}
	if p := sh.Problem(); p != "" {
		return nil, p
	}
	return sh, ""
}

// PickAgent answers GET /workforce/schedule/agent?agent_id=: the schedule
// page's agent picker, on to that agent's pattern.
func (u *UI) PickAgent(w http.ResponseWriter, r *http.Request) error {
	id, err := strconv.ParseInt(r.URL.Query().Get("agent_id"), 10, 64)
	if err != nil || id <= 0 {
		return apperr.InvalidField("agent_id", "is not an agent")
	}
	http.Redirect(w, r, "/workforce/schedule/agents/"+strconv.FormatInt(id, 10), http.StatusSeeOther)
	return nil
}

// DeletePattern answers POST /workforce/schedule/agents/{id}/delete: the
// agent leaves the schedule.
func (u *UI) DeletePattern(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id", "agent")
	if err != nil {
		return err
	}
	if err := u.Schedule.DeletePattern(r.Context(), httpx.Actor(r.Context()), id); err != nil {
		return err
	}
	http.Redirect(w, r, "/workforce/schedule?saved=1", http.StatusSeeOther)
	return nil
}

// ChangeDay answers POST /workforce/schedule/agents/{id}/changes: form
// date, off (or start, end, break, break_min), note, clear (remove the
// change), back (the day view to return to).
func (u *UI) ChangeDay(w http.ResponseWriter, r *http.Request) error {
	ctx, actor := r.Context(), httpx.Actor(r.Context())
	id, err := httpx.PathID(r, "id", "agent")
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return apperr.InvalidField("body", "is not a form")
	}
	f := r.PostForm
	if f.Get("clear") != "" {
		err = u.Schedule.ClearChange(ctx, actor, id, f.Get("date"))
	} else {
		in := schedule.ChangeInput{Date: f.Get("date"), Off: f.Get("off") != "", Note: f.Get("note")}
		if !in.Off {
			sh, msg := readShift(f.Get("start"), f.Get("end"), f.Get("break"), f.Get("break_min"))
			if msg != "" {
				return apperr.InvalidField("shift", msg)
			}
			in.Shift = sh
		}
		err = u.Schedule.SetChange(ctx, actor, id, in)
	}
	if err != nil {
		return err
	}
	back := "/workforce/schedule?" + url.Values{"view": {"day"}, "from": {f.Get("date")}, "saved": {"1"}}.Encode()
	if f.Get("back") == "agent" {
		back = "/workforce/schedule/agents/" + strconv.FormatInt(id, 10) + "?changed=1"
	}
	http.Redirect(w, r, back, http.StatusSeeOther)
	return nil
}
