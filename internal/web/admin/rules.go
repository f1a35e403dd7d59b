package admin

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	agentsvc "github.com/ombud/ombud/internal/agent"
	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/automation"
	"github.com/ombud/ombud/internal/i18n"
	"github.com/ombud/ombud/internal/page"
	"github.com/ombud/ombud/internal/routing"
	"github.com/ombud/ombud/internal/sla"
	"github.com/ombud/ombud/internal/ticket"
	"github.com/ombud/ombud/internal/web/httpx"
)

// This file holds the pages where managers define the business rules:
// business-hours calendars, SLA policies, triggers and automations, team
// routing and macros. Form fields are named after the service's field
// paths (schedule.mon[0].start, targets.high.first_reply), so a refusal's
// messages land next to the control that caused them. The services check
// every permission; the route table checks them again before a body is read.

// refusedInto puts a service refusal's field messages into f.Errs under the
// name key returns (its second result prefixes the message, such as the
// path inside a JSON text). Keys that name no field become the page's
// message. ok is false for errors the error page handles.
func refusedInto(err error, f form, key func(string) (string, string)) (status int, msg string, ok bool) {
	e, ok := refusal(err)
	if !ok {
		if apperr.CodeOf(err) != apperr.CodeForbidden {
			return 0, "", false
		}
		e = apperr.As(err)
	}
	keys := make([]string, 0, len(e.Fields))
	for k := range e.Fields {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var msgs []string
	for _, k := range keys {
		m := e.Fields[k]
		name, prefix := key(k)
		if name == "" {
			if k != "" && k != "body" {
				m = k + ": " + m
			}
			msgs = append(msgs, m)
			continue
		}
		m = prefix + m
		if f.Errs[name] != "" {
			m = f.Errs[name] + "; " + m
		}
		f.Errs[name] = m
	}
	if len(e.Fields) == 0 {
		msgs = append(msgs, e.Message)
	}
	return httpx.Status(e.Code), strings.Join(msgs, "; "), true
}

// capital upper-cases the first letter of a label.
func capital(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// moveID returns ids with id moved one place up or down.
func moveID(ids []int64, id int64, dir string) ([]int64, error) {
	i := slices.Index(ids, id)
	if i < 0 {
		return nil, apperr.NotFound("rule", id)
	}
	j := i - 1
	switch dir {
	case "up":
	case "down":
		j = i + 1
	default:
		return nil, apperr.InvalidField("direction", "must be up or down")
	}
	if j >= 0 && j < len(ids) {
		ids[i], ids[j] = ids[j], ids[i]
	}
	return ids, nil
}

func teamOptions(teams []agentsvc.Team, none string) []option {
	out := []option{{Value: "", Label: none}}
	return append(out, teamChoices(teams)...)
}

// ---- Business calendars ----

// weekdays are the schedule's keys in the order of a week.
var weekdays = []struct{ Key, Label string }{
	{"mon", "Monday"}, {"tue", "Tuesday"}, {"wed", "Wednesday"}, {"thu", "Thursday"}, {"fri", "Friday"}, {"sat", "Saturday"}, {"sun", "Sunday"},
}

// slotsPerDay is how many intervals the schedule grid offers a day.
const slotsPerDay = 3

// commonZones are offered in the time zone select; any other IANA zone can be typed.
var commonZones = []string{"UTC", "Europe/London", "Europe/Dublin", "Europe/Lisbon", "Europe/Paris", "Europe/Berlin", "Europe/Amsterdam",
	"Europe/Oslo", "Europe/Stockholm", "Europe/Copenhagen", "Europe/Helsinki", "Europe/Madrid", "Europe/Rome", "Europe/Warsaw",
	"Europe/Athens", "Europe/Istanbul", "Europe/Moscow", "Africa/Johannesburg", "Africa/Lagos", "Africa/Nairobi", "Asia/Dubai",
	"Asia/Kolkata", "Asia/Singapore", "Asia/Shanghai", "Asia/Tokyo", "Asia/Seoul", "Australia/Sydney", "Australia/Perth",
	"Pacific/Auckland", "America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles", "America/Anchorage",
	"America/Toronto", "America/Mexico_City", "America/Bogota", "America/Sao_Paulo", "America/Argentina/Buenos_Aires"}

var (
	holidayRE = regexp.MustCompile(`^holidays\[(\d+)\]\.?(.*)$`)
	slotRE    = regexp.MustCompile(`^(schedule\.[a-z]{3}\[\d+\])(.*)$`)
	condRE    = regexp.MustCompile(`^conditions\[(\d+)\]`)
	slotRefRE = regexp.MustCompile(`schedule\.([a-z]{3})\[\d+\]`) // an interval named inside a message
)

func slotName(day string, i int) string { return fmt.Sprintf("schedule.%s[%d]", day, i) }

// calendarForm fills the form from a stored calendar.
func calendarForm(c sla.BusinessCalendar) form {
	f := newForm(map[string]string{"name": c.Name})
	setZone(f, c.TimeZone)
	sched := map[string][]sla.Interval{"mon": c.Schedule.Mon, "tue": c.Schedule.Tue, "wed": c.Schedule.Wed, "thu": c.Schedule.Thu,
		"fri": c.Schedule.Fri, "sat": c.Schedule.Sat, "sun": c.Schedule.Sun}
	for _, d := range weekdays {
		for i, iv := range sched[d.Key] {
			f.Values[slotName(d.Key, i)+".start"] = iv.Start
			f.Values[slotName(d.Key, i)+".end"] = iv.End
		}
	}
	var lines []string
	for _, h := range c.Holidays {
		l := h.Date
		if h.Name != "" {
			l += " " + h.Name
		}
		if h.Yearly {
			l += " yearly"
		}
		lines = append(lines, l)
	}
	f.Values["holidays"] = strings.Join(lines, "\n")
	return f
}

// newCalendarForm is the "add a calendar" form: office hours on weekdays.
func newCalendarForm() form {
	f := newForm(map[string]string{"time_zone": "UTC"})
	for _, d := range weekdays[:5] {
		f.Values[slotName(d.Key, 0)+".start"] = "08:00"
		f.Values[slotName(d.Key, 0)+".end"] = "16:00"
	}
	return f
}

// setZone puts a zone into the select, or into the free text when it is not a common one.
func setZone(f form, tz string) {
	if slices.Contains(commonZones, tz) {
		f.Values["time_zone"], f.Values["time_zone_other"] = tz, ""
	} else {
		f.Values["time_zone"], f.Values["time_zone_other"] = "", tz
	}
}

// calendarInput turns the form into a calendar definition and says which
// form names the service's schedule and holiday paths stand for, and how
// to reword messages that name an interval by its path.
func calendarInput(f form) (sla.CalendarInput, func(string) (string, string), func(form)) {
	tz := f.v("time_zone")
	if o := f.v("time_zone_other"); o != "" {
		tz = o
	}
	in := sla.CalendarInput{Name: f.v("name"), TimeZone: tz}
	slotOf := map[string]string{} // service slot path → form slot name
	slotNum := map[string]int{}   // service slot path → column (1-based)
	days := map[string]*[]sla.Interval{"mon": &in.Schedule.Mon, "tue": &in.Schedule.Tue, "wed": &in.Schedule.Wed,
		"thu": &in.Schedule.Thu, "fri": &in.Schedule.Fri, "sat": &in.Schedule.Sat, "sun": &in.Schedule.Sun}
	for _, d := range weekdays {
		ivs := []sla.Interval{}
		for i := range slotsPerDay {
			s, e := f.v(slotName(d.Key, i)+".start"), f.v(slotName(d.Key, i)+".end")
			if s == "" && e == "" {
				continue
			}
			slotOf[slotName(d.Key, len(ivs))] = slotName(d.Key, i)
			slotNum[slotName(d.Key, len(ivs))] = i + 1
			ivs = append(ivs, sla.Interval{Start: s, End: e})
		}
		*days[d.Key] = ivs
	}
	in.Holidays = []sla.Holiday{}
	var lineOf []int
	for n, line := range strings.Split(f.v("holidays"), "\n") {
		words := strings.Fields(line)
		if len(words) == 0 {
			continue
		}
		h := sla.Holiday{Date: words[0]}
		words = words[1:]
		if len(words) > 0 && strings.EqualFold(words[len(words)-1], "yearly") {
			h.Yearly = true
			words = words[:len(words)-1]
		}
		h.Name = strings.Join(words, " ")
		in.Holidays = append(in.Holidays, h)
		lineOf = append(lineOf, n+1)
	}
	dayLabel := map[string]string{}
	for _, d := range weekdays {
		dayLabel[d.Key] = d.Label
	}
	key := func(k string) (string, string) {
		if m := holidayRE.FindStringSubmatch(k); m != nil {
			i, _ := strconv.Atoi(m[1])
			if i < len(lineOf) {
				return "holidays", fmt.Sprintf("line %d (%s): ", lineOf[i], m[2])
			}
			return "holidays", ""
		}
		if m := slotRE.FindStringSubmatch(k); m != nil {
			if s, ok := slotOf[m[1]]; ok {
				return s + m[2], ""
			}
		}
		return k, ""
	}
	// Messages name other intervals by path ("overlaps schedule.mon[0]");
	// the form says "Monday interval 1".
	human := func(f form) {
		for k, msg := range f.Errs {
			f.Errs[k] = slotRefRE.ReplaceAllStringFunc(msg, func(ref string) string {
				m := slotRefRE.FindStringSubmatch(ref)
				n, ok := slotNum[ref]
				if !ok {
					return ref
				}
				return fmt.Sprintf("%s interval %d", dayLabel[m[1]], n)
			})
		}
	}
	return in, key, human
}

// slotCell and dayRow lay out the schedule grid.
type slotCell struct {
	Name, Start, End, Error string
	Num                     int // 1-based, for labels
}

type dayRow struct {
	Key, Label, Error string
	Slots             []slotCell
}

func scheduleRows(f form) []dayRow {
	var out []dayRow
	for _, d := range weekdays {
		row := dayRow{Key: d.Key, Label: d.Label, Error: f.Errs["schedule."+d.Key]}
		for i := range slotsPerDay {
			n := slotName(d.Key, i)
			var errs []string
			for _, k := range []string{n, n + ".start", n + ".end"} {
				if e := f.Errs[k]; e != "" {
					errs = append(errs, e)
				}
			}
			row.Slots = append(row.Slots, slotCell{Num: i + 1, Name: n, Start: f.v(n + ".start"), End: f.v(n + ".end"), Error: strings.Join(errs, "; ")})
		}
		out = append(out, row)
	}
	return out
}

// calendarErrors lists a calendar form's errors for the summary.
func (u *UI) calendarErrors(lang string, f form) []fieldError {
	var out []fieldError
	add := func(name, label string) {
		if m := f.Errs[name]; m != "" {
			out = append(out, fieldError{Name: name, Label: label, Message: m})
		}
	}
	add("name", "Name")
	add("time_zone", "Time zone")
	add("schedule", "Schedule")
	for _, d := range weekdays {
		add("schedule."+d.Key, d.Label)
		for i := range slotsPerDay {
			n := slotName(d.Key, i)
			for _, k := range []string{n, n + ".start", n + ".end"} {
				if m := f.Errs[k]; m != "" {
					out = append(out, fieldError{Name: n + ".start", Label: u.i18n.T(lang, "%s, interval %s", u.i18n.String(lang, d.Label), strconv.Itoa(i+1)), Message: m})
				}
			}
		}
	}
	add("holidays", "Holidays")
	return out
}

func zoneOptions(cur string) []option {
	out := []option{{Value: "", Label: "Other (type it below)", Selected: cur == ""}}
	for _, z := range commonZones {
		out = append(out, option{Value: z, Label: strings.ReplaceAll(z, "_", " "), Selected: z == cur})
	}
	return out
}

// Calendars lists the business-hours calendars.
func (u *UI) Calendars(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	actor := httpx.Actor(ctx)
	list, err := u.SLA.ListCalendars(ctx, actor)
	if err != nil {
		return err
	}
	type row struct {
		sla.BusinessCalendar
		Hours string
	}
	rows := make([]row, 0, len(list))
	for _, c := range list {
		rows = append(rows, row{BusinessCalendar: c, Hours: scheduleText(u.lang(r), c.Schedule)})
	}
	return u.render(w, r, http.StatusOK, "calendars", pageData{Title: "Business hours", Nav: "calendars",
		Flash: flashOf(r, map[string]string{"deleted": "Calendar deleted."}), Data: map[string]any{
			"Rows": rows, "CanWrite": authz.Can(actor, authz.SLAWrite)}})
}

// scheduleText summarises a week in lang: "Mon 08:00–16:00; Sat 10:00–14:00".
func scheduleText(lang string, s sla.Schedule) string {
	days := [][]sla.Interval{s.Mon, s.Tue, s.Wed, s.Thu, s.Fri, s.Sat, s.Sun}
	var parts []string
	for i, d := range days {
		if len(d) == 0 {
			continue
		}
		var ivs []string
		for _, iv := range d {
			ivs = append(ivs, iv.Start+"–"+iv.End)
		}
		parts = append(parts, i18n.Weekday(lang, time.Weekday((i+1)%7))+" "+strings.Join(ivs, ", "))
	}
	return strings.Join(parts, "; ")
}

// NewCalendarPage shows the empty calendar form.
func (u *UI) NewCalendarPage(w http.ResponseWriter, r *http.Request) error {
	return u.calendarPage(w, r, http.StatusOK, nil, newCalendarForm(), "", "")
}

func (u *UI) calendarPage(w http.ResponseWriter, r *http.Request, status int, c *sla.BusinessCalendar, f form, flash, errMsg string) error {
	actor := httpx.Actor(r.Context())
	title := "New business-hours calendar"
	if c != nil {
		title = c.Name
	}
	return u.render(w, r, status, "calendar", pageData{Title: title, Nav: "calendars", Flash: flash, Error: errMsg, Data: map[string]any{
		"C": c, "F": f, "Name": f.field("name", "Name", "text", true, "Like “Oslo office” or “US support”."),
		"Zones": zoneOptions(f.v("time_zone")), "Days": scheduleRows(f), "Errors": u.calendarErrors(u.lang(r), f),
		"CanWrite": authz.Can(actor, authz.SLAWrite),
	}})
}

// CreateCalendar adds a calendar from the form.
func (u *UI) CreateCalendar(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	f, err := readForm(r)
	if err != nil {
		return err
	}
	in, key, human := calendarInput(f)
	c, err := u.SLA.CreateCalendar(ctx, httpx.Actor(ctx), in)
	if err != nil {
		st, msg, ok := refusedInto(err, f, key)
		if !ok {
			return err
		}
		human(f)
		return u.calendarPage(w, r, st, nil, f, "", msg)
	}
	http.Redirect(w, r, fmt.Sprintf("/admin/calendars/%d?saved=1", c.ID), http.StatusSeeOther)
	return nil
}

func (u *UI) getCalendar(r *http.Request) (sla.BusinessCalendar, error) {
	id, err := httpx.PathID(r, "id", "business calendar")
	if err != nil {
		return sla.BusinessCalendar{}, err
	}
	return u.SLA.GetCalendar(r.Context(), httpx.Actor(r.Context()), id)
}

// CalendarPage shows a calendar's edit form.
func (u *UI) CalendarPage(w http.ResponseWriter, r *http.Request) error {
	c, err := u.getCalendar(r)
	if err != nil {
		return err
	}
	return u.calendarPage(w, r, http.StatusOK, &c, calendarForm(c), flashOf(r, map[string]string{"saved": "Calendar saved."}), "")
}

// UpdateCalendar saves a calendar.
func (u *UI) UpdateCalendar(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	c, err := u.getCalendar(r)
	if err != nil {
		return err
	}
	f, err := readForm(r)
	if err != nil {
		return err
	}
	in, key, human := calendarInput(f)
	p := sla.CalendarPatch{Name: &in.Name, TimeZone: &in.TimeZone, Schedule: &in.Schedule, Holidays: &in.Holidays}
	if _, err := u.SLA.UpdateCalendar(ctx, httpx.Actor(ctx), c.ID, p); err != nil {
		st, msg, ok := refusedInto(err, f, key)
		if !ok {
			return err
		}
		human(f)
		return u.calendarPage(w, r, st, &c, f, "", msg)
	}
	http.Redirect(w, r, fmt.Sprintf("/admin/calendars/%d?saved=1", c.ID), http.StatusSeeOther)
	return nil
}

// DeleteCalendar removes a calendar no SLA policy uses.
func (u *UI) DeleteCalendar(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	c, err := u.getCalendar(r)
	if err != nil {
		return err
	}
	if err := u.SLA.DeleteCalendar(ctx, httpx.Actor(ctx), c.ID); err != nil {
		e, ok := refusal(err)
		if !ok {
			return err
		}
		return u.calendarPage(w, r, httpx.Status(e.Code), &c, calendarForm(c), "", u.tr(r, "The calendar was not deleted: %s.", e.Message))
	}
	http.Redirect(w, r, "/admin/calendars?deleted=1", http.StatusSeeOther)
	return nil
}

// ---- SLA policies ----

// slaMetricOptions name the SLA metrics in the targets table.
var slaMetricOptions = []option{{Value: sla.FirstReply, Label: "First reply"}, {Value: sla.NextReply, Label: "Next reply"},
	{Value: sla.PeriodicUpdate, Label: "Periodic update"}, {Value: sla.Resolution, Label: "Resolution"}}

// structured condition fields of the policy form.
var policyEnums = []string{"priority", "channel", "type"}

// decodeAs reads a JSON-decoded value into v.
func decodeAs(x any, v any) bool {
	b, err := json.Marshal(x)
	return err == nil && json.Unmarshal(b, v) == nil
}

// splitConditions separates the conditions the form shows from those it
// cannot (set through the API), which are kept as they are on save.
func splitConditions(f form, conds []sla.Condition) []sla.Condition {
	var extra []sla.Condition
	used := map[string]bool{}
	var tags []string
	for _, c := range conds {
		switch {
		case slices.Contains(policyEnums, c.Field) && !used[c.Field] && (c.Op == "in" || c.Op == "is"):
			var vs []string
			if c.Op == "is" {
				var s string
				if !decodeAs(c.Value, &s) {
					extra = append(extra, c)
					continue
				}
				vs = []string{s}
			} else if !decodeAs(c.Value, &vs) {
				extra = append(extra, c)
				continue
			}
			used[c.Field] = true
			f.Multi[c.Field] = vs
		case c.Field == "team_id" && c.Op == "is" && !used["team_id"]:
			var id int64
			if !decodeAs(c.Value, &id) {
				extra = append(extra, c)
				continue
			}
			used["team_id"] = true
			f.Values["team_id"] = strconv.FormatInt(id, 10)
		case c.Field == "tag" && c.Op == "includes":
			var s string
			if !decodeAs(c.Value, &s) {
				extra = append(extra, c)
				continue
			}
			tags = append(tags, s)
		default:
			extra = append(extra, c)
		}
	}
	f.Values["tags"] = strings.Join(tags, ", ")
	return extra
}

func policyForm(p sla.Policy) (form, []sla.Condition) {
	f := newForm(map[string]string{"name": p.Name, "description": p.Description})
	if p.Active {
		f.Values["active"] = "on"
	}
	extra := splitConditions(f, p.Conditions)
	for prio, t := range p.Targets {
		base := "targets." + prio + "."
		f.Values[base+sla.FirstReply], f.Values[base+sla.NextReply] = t.FirstReply, t.NextReply
		f.Values[base+sla.PeriodicUpdate], f.Values[base+sla.Resolution] = t.PeriodicUpdate, t.Resolution
		if t.BusinessHours {
			f.Values[base+"business_hours"] = "on"
		}
		if t.CalendarID != nil {
			f.Values[base+"calendar_id"] = strconv.FormatInt(*t.CalendarID, 10)
		}
	}
	return f, extra
}

// policyInput turns the form into conditions and targets; extra are the
// stored conditions the form does not show.
func policyInput(f form, extra []sla.Condition) (sla.PolicyInput, func(string) (string, string)) {
	active := f.v("active") != ""
	in := sla.PolicyInput{Name: f.v("name"), Description: f.v("description"), Active: &active, Conditions: []sla.Condition{}, Targets: map[string]sla.Target{}}
	var condField []string
	for _, field := range policyEnums {
		if vs := f.Multi[field]; len(vs) > 0 {
			in.Conditions = append(in.Conditions, sla.Condition{Field: field, Op: "in", Value: vs})
			condField = append(condField, field)
		}
	}
	if s := f.v("team_id"); s != "" {
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			id = -1 // the service says it must be a positive id
		}
		in.Conditions = append(in.Conditions, sla.Condition{Field: "team_id", Op: "is", Value: id})
		condField = append(condField, "team_id")
	}
	for _, t := range splitList(f.v("tags")) {
		in.Conditions = append(in.Conditions, sla.Condition{Field: "tag", Op: "includes", Value: t})
		condField = append(condField, "tags")
	}
	in.Conditions = append(in.Conditions, extra...)
	for _, prio := range ticket.Priorities {
		base := "targets." + prio + "."
		t := sla.Target{FirstReply: f.v(base + sla.FirstReply), NextReply: f.v(base + sla.NextReply),
			PeriodicUpdate: f.v(base + sla.PeriodicUpdate), Resolution: f.v(base + sla.Resolution), BusinessHours: f.v(base+"business_hours") != ""}
		if t.BusinessHours {
			if id, err := strconv.ParseInt(f.v(base+"calendar_id"), 10, 64); err == nil {
				t.CalendarID = &id
			}
		}
		if t.FirstReply != "" || t.NextReply != "" || t.PeriodicUpdate != "" || t.Resolution != "" || t.BusinessHours {
			in.Targets[prio] = t
		}
	}
	key := func(k string) (string, string) {
		if m := condRE.FindStringSubmatch(k); m != nil {
			i, _ := strconv.Atoi(m[1])
			if i < len(condField) {
				return condField[i], ""
			}
			return "", ""
		}
		return k, ""
	}
	return in, key
}

// targetRow is one priority's row of the targets table.
type targetRow struct {
	Priority, Label, Error string
	Cells                  []formField
	BusinessHours          formField
	Calendar               formField
}

func (u *UI) targetRows(lang string, f form, cals []sla.BusinessCalendar) []targetRow {
	var out []targetRow
	for _, prio := range ticket.Priorities {
		base := "targets." + prio + "."
		row := targetRow{Priority: prio, Label: label(prio), Error: f.Errs["targets."+prio]}
		for _, m := range slaMetricOptions {
			c := f.field(base+m.Value, u.i18n.String(lang, m.Label)+" ("+u.labelIn(lang, prio)+")", "text", false, "")
			row.Cells = append(row.Cells, c)
		}
		row.BusinessHours = f.field(base+"business_hours", "Business hours", "checkbox", false, "")
		opts := []option{{Value: "", Label: "Choose a calendar"}}
		for _, c := range cals {
			opts = append(opts, option{Value: strconv.FormatInt(c.ID, 10), Label: c.Name})
		}
		row.Calendar = f.choice(base+"calendar_id", u.i18n.String(lang, "Calendar")+" ("+u.labelIn(lang, prio)+")", opts, "")
		out = append(out, row)
	}
	return out
}

func enumChoices(values []string) []option {
	out := []option{}
	for _, v := range values {
		out = append(out, option{Value: v, Label: label(v)})
	}
	return out
}

// SLAPolicies lists the policies in the order they are tried.
func (u *UI) SLAPolicies(w http.ResponseWriter, r *http.Request) error {
	return u.slaPoliciesPage(w, r, http.StatusOK, "")
}

func (u *UI) slaPoliciesPage(w http.ResponseWriter, r *http.Request, status int, errMsg string) error {
	ctx := r.Context()
	actor := httpx.Actor(ctx)
	list, err := u.SLA.ListPolicies(ctx, actor)
	if err != nil {
		return err
	}
	type row struct {
		sla.Policy
		First, Last bool
		Targets     string
	}
	lang := u.lang(r)
	rows := make([]row, 0, len(list))
	for i, p := range list {
		var ts []string
		for _, prio := range ticket.Priorities {
			if t, ok := p.Targets[prio]; ok {
				s := u.labelIn(lang, prio) + ":"
				if t.FirstReply != "" {
					s += " " + u.i18n.T(lang, "first reply %s", t.FirstReply)
				}
				if t.Resolution != "" {
					s += " " + u.i18n.T(lang, "resolution %s", t.Resolution)
				}
				ts = append(ts, s)
			}
		}
		rows = append(rows, row{Policy: p, First: i == 0, Last: i == len(list)-1, Targets: strings.Join(ts, "; ")})
	}
	return u.render(w, r, status, "slapolicies", pageData{Title: "SLA policies", Nav: "slapolicies", Error: errMsg,
		Flash: flashOf(r, map[string]string{"deleted": "Policy deleted.", "moved": "Order saved."}), Data: map[string]any{
			"Rows": rows, "CanWrite": authz.Can(actor, authz.SLAWrite)}})
}

// NewSLAPolicyPage shows the empty policy form.
func (u *UI) NewSLAPolicyPage(w http.ResponseWriter, r *http.Request) error {
	f := newForm(map[string]string{"active": "on"})
	return u.slaPolicyPage(w, r, http.StatusOK, nil, f, nil, "", "")
}

func (u *UI) slaPolicyPage(w http.ResponseWriter, r *http.Request, status int, p *sla.Policy, f form, extra []sla.Condition, flash, errMsg string) error {
	ctx := r.Context()
	actor := httpx.Actor(ctx)
	cals, err := u.SLA.ListCalendars(ctx, actor)
	if err != nil {
		return err
	}
	teams, err := u.teams(ctx, actor)
	if err != nil {
		return err
	}
	title := "New SLA policy"
	if p != nil {
		title = p.Name
	}
	sets := []fieldset{{Legend: "Policy", Fields: []formField{
		f.field("name", "Name", "text", true, ""),
		f.field("description", "Description", "text", false, ""),
		f.field("active", "Active", "checkbox", false, "Inactive policies are skipped."),
	}}}
	cond := []fieldset{{Legend: "Applies to tickets with", Hint: "Leave a group empty to match any value. Every filled-in group must match.", Fields: []formField{
		f.choice("team_id", "Team", teamOptions(teams, "Any team"), ""),
		f.field("tags", "Tags", "text", false, "The ticket must have every tag, separated by commas."),
	}}}
	var extraText []string
	for _, c := range extra {
		b, _ := json.Marshal(c)
		extraText = append(extraText, string(b))
	}
	var errs []fieldError
	for _, s := range [][]fieldset{sets, cond} {
		errs = append(errs, summary(s, nil)...)
	}
	for _, k := range append(policyEnums, "conditions", "targets") {
		if m := f.Errs[k]; m != "" {
			errs = append(errs, fieldError{Label: capital(label(k)), Message: m})
		}
	}
	keys := make([]string, 0, len(f.Errs))
	for k := range f.Errs {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, prio := range ticket.Priorities {
		for _, k := range keys {
			if k == "targets."+prio || strings.HasPrefix(k, "targets."+prio+".") {
				name := k
				if k == "targets."+prio {
					name = k + "." + sla.FirstReply // the row's first control
				}
				errs = append(errs, fieldError{Name: name, Label: strings.TrimSpace(label(prio) + " " + label(strings.TrimPrefix(strings.TrimPrefix(k, "targets."+prio), "."))), Message: f.Errs[k]})
			}
		}
	}
	return u.render(w, r, status, "slapolicy", pageData{Title: title, Nav: "slapolicies", Flash: flash, Error: errMsg, Data: map[string]any{
		"P": p, "Fieldsets": sets, "Conditions": cond, "Extra": extraText, "Errors": errs, "Errs": f.Errs,
		"Priorities": f.checks("priority", "Priority", "", enumChoices(ticket.Priorities)),
		"Channels":   f.checks("channel", "Channel", "", enumChoices(ticket.Channels)),
		"Types":      f.checks("type", "Type", "", enumChoices(ticket.Types)),
		"Targets":    u.targetRows(u.lang(r), f, cals), "Metrics": slaMetricOptions, "HasCalendars": len(cals) > 0,
		"CanWrite": authz.Can(actor, authz.SLAWrite),
	}})
}

// CreateSLAPolicy adds a policy; it is tried last.
func (u *UI) CreateSLAPolicy(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	f, err := readForm(r)
	if err != nil {
		return err
	}
	in, key := policyInput(f, nil)
	p, err := u.SLA.CreatePolicy(ctx, httpx.Actor(ctx), in)
	if err != nil {
		st, msg, ok := refusedInto(err, f, key)
		if !ok {
			return err
		}
		return u.slaPolicyPage(w, r, st, nil, f, nil, "", msg)
	}
	http.Redirect(w, r, fmt.Sprintf("/admin/sla-policies/%d?saved=1", p.ID), http.StatusSeeOther)
	return nil
}

func (u *UI) getPolicy(r *http.Request) (sla.Policy, error) {
	id, err := httpx.PathID(r, "id", "SLA policy")
	if err != nil {
		return sla.Policy{}, err
	}
	return u.SLA.GetPolicy(r.Context(), httpx.Actor(r.Context()), id)
}

// SLAPolicyPage shows a policy's edit form.
func (u *UI) SLAPolicyPage(w http.ResponseWriter, r *http.Request) error {
	p, err := u.getPolicy(r)
	if err != nil {
		return err
	}
	f, extra := policyForm(p)
	return u.slaPolicyPage(w, r, http.StatusOK, &p, f, extra, flashOf(r, map[string]string{"saved": "Policy saved."}), "")
}

// UpdateSLAPolicy saves a policy; conditions the form does not show stay.
func (u *UI) UpdateSLAPolicy(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	p, err := u.getPolicy(r)
	if err != nil {
		return err
	}
	f, err := readForm(r)
	if err != nil {
		return err
	}
	extra := splitConditions(newForm(nil), p.Conditions)
	in, key := policyInput(f, extra)
	pt := sla.PolicyPatch{Name: &in.Name, Description: &in.Description, Active: in.Active, Conditions: &in.Conditions, Targets: &in.Targets}
	if _, err := u.SLA.UpdatePolicy(ctx, httpx.Actor(ctx), p.ID, pt); err != nil {
		st, msg, ok := refusedInto(err, f, key)
		if !ok {
			return err
		}
		return u.slaPolicyPage(w, r, st, &p, f, extra, "", msg)
	}
	http.Redirect(w, r, fmt.Sprintf("/admin/sla-policies/%d?saved=1", p.ID), http.StatusSeeOther)
	return nil
}

// DeleteSLAPolicy removes a policy.
func (u *UI) DeleteSLAPolicy(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	p, err := u.getPolicy(r)
	if err != nil {
		return err
	}
	if err := u.SLA.DeletePolicy(ctx, httpx.Actor(ctx), p.ID); err != nil {
		return err
	}
	http.Redirect(w, r, "/admin/sla-policies?deleted=1", http.StatusSeeOther)
	return nil
}

// MoveSLAPolicy moves a policy one place up or down in the order.
func (u *UI) MoveSLAPolicy(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	actor := httpx.Actor(ctx)
	id, err := httpx.PathID(r, "id", "SLA policy")
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return apperr.InvalidField("body", "is not a form")
	}
	list, err := u.SLA.ListPolicies(ctx, actor)
	if err != nil {
		return err
	}
	ids := make([]int64, 0, len(list))
	for _, p := range list {
		ids = append(ids, p.ID)
	}
	if !slices.Contains(ids, id) {
		return apperr.NotFound("SLA policy", id)
	}
	if ids, err = moveID(ids, id, r.PostFormValue("direction")); err != nil {
		return err
	}
	if _, err := u.SLA.ReorderPolicies(ctx, actor, sla.ReorderInput{IDs: ids}); err != nil {
		e, ok := refusal(err)
		if !ok {
			return err
		}
		return u.slaPoliciesPage(w, r, httpx.Status(e.Code), u.tr(r, "The order was not saved: %s.", e.Message))
	}
	http.Redirect(w, r, "/admin/sla-policies?moved=1", http.StatusSeeOther)
	return nil
}

// ---- Triggers and automations ----

// ruleKind describes the pages of one kind of rule.
type ruleKind struct {
	Kind          automation.Kind
	Base, Title   string // /admin/triggers, Triggers
	One           string // trigger
	A             string // "a trigger", "an automation"
	Ordered       bool
	Conditions    string // example conditions
	Actions       string // example actions
	Runs          string // API path prefix of the runs log
	Intro         string
	ConditionsRef []option // field → operators
	// Whole phrases for the pages, so each language can inflect the noun.
	Single, New, Add, AddA, Save, Delete, DeleteThis, Empty string
}

var conditionRef = []option{
	{Value: "status", Label: "is, is_not, in, not_in, lt, gt, changed, changed_to, changed_from — new, open, pending, on_hold, solved, closed"},
	{Value: "priority", Label: "is, is_not, in, not_in, lt, gt, changed, changed_to, changed_from — low, normal, high, urgent"},
	{Value: "type", Label: "is, is_not, in, not_in, changed… — question, incident, problem, task, complaint, return"},
	{Value: "channel", Label: "is, is_not, in, not_in — email, chat, web, phone, social, api, in_person"},
	{Value: "team_id, assignee_id, requester_id, organization_id", Label: "is, is_not, in, not_in, present, absent (ids); changed… except organization_id"},
	{Value: "tags", Label: "includes, excludes, present, absent, changed"},
	{Value: "subject", Label: "is, is_not, contains, not_contains, present, absent, changed"},
	{Value: "language, requester.email", Label: "is, is_not, in, not_in, contains, not_contains, present, absent"},
	{Value: "within_business_hours", Label: "is, is_not — true or false"},
	{Value: "custom.<key>", Label: "is, is_not, in, not_in, contains, not_contains, present, absent, lt, gt, changed…"},
}

var triggerRef = append([]option{
	{Value: "event", Label: "is, is_not, in, not_in — created, comment_added, status_changed, priority_changed, assignee_changed, team_changed, tags_changed…"},
	{Value: "comment.public, comment.author_type, comment.body", Label: "the added comment: is/is_not true·false; agent, customer, system; contains…"},
}, conditionRef...)

var automationRef = append([]option{
	{Value: "hours_since_created, hours_since_updated, hours_since_solved, hours_since_status_change", Label: "lt, gt (a number of hours), present, absent — one is required"},
}, conditionRef...)

var (
	triggerKind = ruleKind{Kind: automation.KindTrigger, Base: "/admin/triggers", Title: "Triggers", One: "trigger", A: "a trigger", Ordered: true,
		Single: "Trigger", New: "New trigger", Add: "Add trigger", AddA: "Add a trigger", Save: "Save trigger",
		Delete: "Delete trigger", DeleteThis: "Delete this trigger", Empty: "No triggers yet.",
		Runs: "/api/v1/triggers/", Intro: "Triggers run after every ticket change, in this order; each fires at most once per change.",
		Conditions: `{
  "all": [
    {"field": "event", "op": "is", "value": "created"},
    {"field": "priority", "op": "is", "value": "urgent"}
  ]
}`,
		Actions: `[
  {"type": "add_tags", "value": ["urgent"]},
  {"type": "add_note", "body": "Urgent ticket from {{requester.name}}"}
]`, ConditionsRef: triggerRef}
	automationKind = ruleKind{Kind: automation.KindAutomation, Base: "/admin/automations", Title: "Automations", One: "automation", A: "an automation",
		Single: "Automation", New: "New automation", Add: "Add automation", AddA: "Add an automation", Save: "Save automation",
		Delete: "Delete automation", DeleteThis: "Delete this automation", Empty: "No automations yet.",
		Runs: "/api/v1/automations/", Intro: "Automations are checked every few minutes and fire once per ticket while their conditions hold.",
		Conditions: `{
  "all": [
    {"field": "status", "op": "is", "value": "pending"},
    {"field": "hours_since_status_change", "op": "gt", "value": 96}
  ]
}`,
		Actions: `[
  {"type": "set_status", "value": "solved"}
]`, ConditionsRef: automationRef}
)

func kindOf(k automation.Kind) ruleKind {
	if k == automation.KindAutomation {
		return automationKind
	}
	return triggerKind
}

// RuleList lists the triggers or automations.
func (u *UI) RuleList(kind automation.Kind) httpx.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		return u.ruleListPage(w, r, kindOf(kind), http.StatusOK, "")
	}
}

func (u *UI) ruleListPage(w http.ResponseWriter, r *http.Request, k ruleKind, status int, errMsg string) error {
	ctx := r.Context()
	actor := httpx.Actor(ctx)
	list, err := u.Automation.ListRules(ctx, actor, k.Kind)
	if err != nil {
		return err
	}
	type row struct {
		automation.Rule
		First, Last bool
	}
	rows := make([]row, 0, len(list.Data))
	for i, rl := range list.Data {
		rows = append(rows, row{Rule: rl, First: i == 0, Last: i == len(list.Data)-1})
	}
	return u.render(w, r, status, "rules", pageData{Title: k.Title, Nav: string(k.Kind) + "s", Error: errMsg,
		Flash: flashOf(r, map[string]string{"deleted": "Deleted.", "moved": "Order saved."}), Data: map[string]any{
			"K": k, "Rows": rows, "CanWrite": authz.Can(actor, authz.AutomationWrite)}})
}

// NewRulePage shows the rule form pre-filled with an example.
func (u *UI) NewRulePage(kind automation.Kind) httpx.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		k := kindOf(kind)
		f := newForm(map[string]string{"active": "on"})
		addRow(f, "all")
		addRow(f, "act")
		return u.rulePage(w, r, k, http.StatusOK, nil, f, "", "")
	}
}

func (u *UI) rulePage(w http.ResponseWriter, r *http.Request, k ruleKind, status int, rl *automation.Rule, f form, flash, errMsg string) error {
	return u.rulePageWith(w, r, k, status, rl, f, flash, errMsg, nil)
}

// rulePageWith is rulePage with more data for the template (the preview).
func (u *UI) rulePageWith(w http.ResponseWriter, r *http.Request, k ruleKind, status int, rl *automation.Rule, f form, flash, errMsg string, extra map[string]any) error {
	actor := httpx.Actor(r.Context())
	title := k.New
	if rl != nil {
		title = rl.Name
	}
	sets := []fieldset{{Legend: "Settings", Fields: []formField{
		f.field("name", "Name", "text", true, ""),
		f.field("description", "Description", "text", false, ""),
		f.field("active", "Active", "checkbox", false, ""),
	}}}
	data := map[string]any{"K": k, "R": rl, "F": f, "Fieldsets": sets, "CanWrite": authz.Can(actor, authz.AutomationWrite)}
	if err := u.builderData(r, string(k.Kind), f, data); err != nil {
		return err
	}
	for key, v := range extra {
		data[key] = v
	}
	data["Errors"] = append(summary(sets, nil), data["BuilderErrors"].([]fieldError)...)
	return u.render(w, r, status, "rule", pageData{Title: title, Nav: string(k.Kind) + "s", Flash: flash, Error: errMsg, Data: data})
}

// CreateRule adds a trigger or automation from the form.
func (u *UI) CreateRule(kind automation.Kind) httpx.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		ctx := r.Context()
		k := kindOf(kind)
		f, err := readForm(r)
		if err != nil {
			return err
		}
		if done, err := u.ruleButtons(w, r, k, nil, f); done {
			return err
		}
		in, rs, err := u.ruleFromForm(r, k, f)
		if err != nil {
			return err
		}
		if !rs.ok {
			return u.rulePage(w, r, k, http.StatusBadRequest, nil, f, "", "")
		}
		rl, err := u.Automation.CreateRule(ctx, httpx.Actor(ctx), kind, in)
		if err != nil {
			st, msg, ok := rs.refused(err, f)
			if !ok {
				return err
			}
			return u.rulePage(w, r, k, st, nil, f, "", msg)
		}
		http.Redirect(w, r, fmt.Sprintf("%s/%d?saved=1", k.Base, rl.ID), http.StatusSeeOther)
		return nil
	}
}

func (u *UI) getRule(r *http.Request, k ruleKind) (automation.Rule, error) {
	id, err := httpx.PathID(r, "id", k.One)
	if err != nil {
		return automation.Rule{}, err
	}
	return u.Automation.GetRule(r.Context(), httpx.Actor(r.Context()), k.Kind, id)
}

// RulePage shows a rule's edit form.
func (u *UI) RulePage(kind automation.Kind) httpx.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		k := kindOf(kind)
		rl, err := u.getRule(r, k)
		if err != nil {
			return err
		}
		return u.rulePage(w, r, k, http.StatusOK, &rl, ruleToForm(rl), flashOf(r, map[string]string{"saved": "Saved."}), "")
	}
}

// UpdateRule saves a rule.
func (u *UI) UpdateRule(kind automation.Kind) httpx.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		ctx := r.Context()
		k := kindOf(kind)
		rl, err := u.getRule(r, k)
		if err != nil {
			return err
		}
		f, err := readForm(r)
		if err != nil {
			return err
		}
		if done, err := u.ruleButtons(w, r, k, &rl, f); done {
			return err
		}
		in, rs, err := u.ruleFromForm(r, k, f)
		if err != nil {
			return err
		}
		if !rs.ok {
			return u.rulePage(w, r, k, http.StatusBadRequest, &rl, f, "", "")
		}
		p := automation.RulePatch{Name: &in.Name, Description: &in.Description, Active: in.Active, Conditions: &in.Conditions, Actions: &in.Actions}
		if _, err := u.Automation.UpdateRule(ctx, httpx.Actor(ctx), kind, rl.ID, p); err != nil {
			st, msg, ok := rs.refused(err, f)
			if !ok {
				return err
			}
			return u.rulePage(w, r, k, st, &rl, f, "", msg)
		}
		http.Redirect(w, r, fmt.Sprintf("%s/%d?saved=1", k.Base, rl.ID), http.StatusSeeOther)
		return nil
	}
}

// DeleteRule removes a rule with its run log.
func (u *UI) DeleteRule(kind automation.Kind) httpx.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		ctx := r.Context()
		k := kindOf(kind)
		rl, err := u.getRule(r, k)
		if err != nil {
			return err
		}
		if err := u.Automation.DeleteRule(ctx, httpx.Actor(ctx), kind, rl.ID); err != nil {
			return err
		}
		http.Redirect(w, r, k.Base+"?deleted=1", http.StatusSeeOther)
		return nil
	}
}

// MoveTrigger moves a trigger one place up or down in the evaluation order.
func (u *UI) MoveTrigger(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	actor := httpx.Actor(ctx)
	id, err := httpx.PathID(r, "id", "trigger")
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return apperr.InvalidField("body", "is not a form")
	}
	list, err := u.Automation.ListRules(ctx, actor, automation.KindTrigger)
	if err != nil {
		return err
	}
	ids := make([]int64, 0, len(list.Data))
	for _, rl := range list.Data {
		ids = append(ids, rl.ID)
	}
	if !slices.Contains(ids, id) {
		return apperr.NotFound("trigger", id)
	}
	if ids, err = moveID(ids, id, r.PostFormValue("direction")); err != nil {
		return err
	}
	if _, err := u.Automation.ReorderRules(ctx, actor, automation.KindTrigger, ids); err != nil {
		e, ok := refusal(err)
		if !ok {
			return err
		}
		return u.ruleListPage(w, r, triggerKind, httpx.Status(e.Code), u.tr(r, "The order was not saved: %s.", e.Message))
	}
	http.Redirect(w, r, "/admin/triggers?moved=1", http.StatusSeeOther)
	return nil
}

// ---- Routing ----

var methodOptions = []option{{Value: string(routing.Manual), Label: "Manual (agents pick tickets)"}, {Value: string(routing.RoundRobin), Label: "Round robin"},
	{Value: string(routing.LeastLoad), Label: "Least load"}, {Value: string(routing.Skills), Label: "Skills, then least load"}}

var offlineOptions = []option{{Value: routing.OfflineKeep, Label: "Keep their tickets"}, {Value: routing.OfflineReturn, Label: "Return their tickets to the queue"}}

func optionLabel(opts []option, v string) string {
	for _, o := range opts {
		if o.Value == v {
			return o.Label
		}
	}
	return v
}

func routingForm(s routing.Settings) form {
	f := newForm(map[string]string{"method": string(s.Method), "capacity": strconv.Itoa(s.Capacity), "offline_policy": s.OfflinePolicy,
		"escalate_after_minutes": strconv.Itoa(s.EscalateAfterMinutes)})
	if s.RequireAvailable {
		f.Values["require_available"] = "on"
	}
	if e := s.EscalateTo; e != nil {
		if e.AgentID != 0 {
			f.Values["escalate_to"] = fmt.Sprintf("agent:%d", e.AgentID)
		} else if e.TeamID != 0 {
			f.Values["escalate_to"] = fmt.Sprintf("team:%d", e.TeamID)
		}
	}
	return f
}

// RoutingTeams lists every team's routing settings.
func (u *UI) RoutingTeams(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	actor := httpx.Actor(ctx)
	teams, err := u.teams(ctx, actor)
	if err != nil {
		return err
	}
	type row struct {
		Team     agentsvc.Team
		Method   string
		Capacity int
		Escalate string
	}
	rows := make([]row, 0, len(teams))
	for _, t := range teams {
		s, err := u.Routing.GetSettings(ctx, actor, t.ID)
		if err != nil {
			return err
		}
		esc := ""
		if s.EscalateAfterMinutes > 0 {
			esc = u.tr(r, "after %s minutes", strconv.Itoa(s.EscalateAfterMinutes))
		}
		rows = append(rows, row{Team: t, Method: u.i18n.String(u.lang(r), optionLabel(methodOptions, string(s.Method))), Capacity: s.Capacity, Escalate: esc})
	}
	return u.render(w, r, http.StatusOK, "routing", pageData{Title: "Routing", Nav: "routing", Data: map[string]any{"Rows": rows}})
}

func (u *UI) getRoutingTeam(r *http.Request) (agentsvc.Team, routing.Settings, error) {
	ctx := r.Context()
	id, err := httpx.PathID(r, "id", "team")
	if err != nil {
		return agentsvc.Team{}, routing.Settings{}, err
	}
	t, err := u.Agents.GetTeam(ctx, httpx.Actor(ctx), id)
	if err != nil {
		return agentsvc.Team{}, routing.Settings{}, err
	}
	s, err := u.Routing.GetSettings(ctx, httpx.Actor(ctx), id)
	return t, s, err
}

// RoutingTeamPage shows one team's routing form.
func (u *UI) RoutingTeamPage(w http.ResponseWriter, r *http.Request) error {
	t, s, err := u.getRoutingTeam(r)
	if err != nil {
		return err
	}
	return u.routingTeamPage(w, r, http.StatusOK, t, routingForm(s), flashOf(r, map[string]string{"saved": "Routing saved."}), "")
}

func (u *UI) routingTeamPage(w http.ResponseWriter, r *http.Request, status int, t agentsvc.Team, f form, flash, errMsg string) error {
	ctx := r.Context()
	actor := httpx.Actor(ctx)
	teams, err := u.teams(ctx, actor)
	if err != nil {
		return err
	}
	agents, _, err := u.agentChoices(ctx, actor)
	if err != nil {
		return err
	}
	esc := []option{{Value: "", Label: "Nobody (no escalation)"}}
	for _, a := range agents {
		esc = append(esc, option{Value: "agent:" + a.Value, Label: u.tr(r, "Agent: %s", a.Label)})
	}
	for _, o := range teams {
		if o.ID != t.ID {
			esc = append(esc, option{Value: fmt.Sprintf("team:%d", o.ID), Label: u.tr(r, "Team: %s", o.Name)})
		}
	}
	sets := []fieldset{
		{Legend: "Assignment", Fields: []formField{
			f.choice("method", "Method", methodOptions, "How new tickets of this team reach its agents."),
			f.field("capacity", "Capacity", "number", false, "Open tickets per agent before they get no more."),
			f.field("require_available", "Only available agents", "checkbox", false, "Assign only to agents who are online."),
			f.choice("offline_policy", "When an agent goes offline", offlineOptions, ""),
		}},
		{Legend: "Escalation", Hint: "Tickets waiting this long without a public agent reply go to the lead or team below.", Fields: []formField{
			f.field("escalate_after_minutes", "Escalate after (minutes)", "number", false, "0 never escalates."),
			f.choice("escalate_to", "Escalate to", esc, "An agent (assigned and following) or another team."),
		}},
	}
	sets[0].Fields[1].Min, sets[0].Fields[1].Max = "1", "10000"
	sets[1].Fields[0].Min, sets[1].Fields[0].Max = "0", strconv.Itoa(routing.MaxEscalateMinutes)
	return u.render(w, r, status, "routingteam", pageData{Title: u.tr(r, "Routing: %s", t.Name), Nav: "routing", Flash: flash, Error: errMsg, Data: map[string]any{
		"T": t, "Fieldsets": sets, "Errors": summary(sets, f.Errs), "CanWrite": authz.Can(actor, authz.AutomationWrite),
	}})
}

// SaveRouting replaces a team's routing settings; per-agent capacities set
// through the API stay.
func (u *UI) SaveRouting(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	t, cur, err := u.getRoutingTeam(r)
	if err != nil {
		return err
	}
	f, err := readForm(r)
	if err != nil {
		return err
	}
	ra := f.v("require_available") != ""
	in := routing.SettingsInput{Method: routing.Method(f.v("method")), RequireAvailable: &ra, OfflinePolicy: f.v("offline_policy"),
		AgentCapacities: cur.AgentCapacities}
	fe := apperr.FieldErrors{}
	if s := f.v("capacity"); s != "" {
		c := formInt(fe, "capacity", s)
		in.Capacity = &c
	}
	in.EscalateAfterMinutes = formInt(fe, "escalate_after_minutes", f.v("escalate_after_minutes"))
	if kind, id, ok := strings.Cut(f.v("escalate_to"), ":"); ok {
		n, err := strconv.ParseInt(id, 10, 64)
		switch {
		case err != nil:
			fe.Add("escalate_to", "must be chosen from the list")
		case kind == "agent":
			in.EscalateTo = &routing.EscalateTo{AgentID: n}
		case kind == "team":
			in.EscalateTo = &routing.EscalateTo{TeamID: n}
		default:
			fe.Add("escalate_to", "must be chosen from the list")
		}
	}
	if len(fe) > 0 {
		for k, m := range fe {
			f.Errs[k] = m
		}
		return u.routingTeamPage(w, r, http.StatusBadRequest, t, f, "", "")
	}
	if _, err := u.Routing.PutSettings(ctx, httpx.Actor(ctx), t.ID, in); err != nil {
		st, msg, ok := refusedInto(err, f, func(k string) (string, string) {
			if strings.HasPrefix(k, "escalate_to") {
				return "escalate_to", ""
			}
			if strings.HasPrefix(k, "agent_capacities") {
				return "", ""
			}
			return k, ""
		})
		if !ok {
			return err
		}
		return u.routingTeamPage(w, r, st, t, f, "", msg)
	}
	http.Redirect(w, r, fmt.Sprintf("/admin/routing/%d?saved=1", t.ID), http.StatusSeeOther)
	return nil
}

// ---- Macros ----

// macroRow is a macro as the list shows it.
type macroRow struct {
	automation.Macro
	Scope string
}

func (u *UI) scopeText(lang string, m automation.Macro, names map[int64]string) string {
	if m.Scope == automation.ScopePersonal {
		return u.i18n.String(lang, "Personal")
	}
	if m.TeamID != nil {
		return u.i18n.T(lang, "Shared with %s", names[*m.TeamID])
	}
	return u.i18n.String(lang, "Shared with everyone")
}

// Macros lists the macros the agent may use: their own and the shared ones.
func (u *UI) Macros(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	list, err := u.Automation.ListMacros(ctx, httpx.Actor(ctx), page.Request{Limit: page.MaxLimit})
	if err != nil {
		return err
	}
	_, names, err := u.teamNames(r)
	if err != nil {
		return err
	}
	rows := make([]macroRow, 0, len(list.Data))
	for _, m := range list.Data {
		rows = append(rows, macroRow{Macro: m, Scope: u.scopeText(u.lang(r), m, names)})
	}
	return u.render(w, r, http.StatusOK, "macros", pageData{Title: "Macros", Nav: "macros",
		Flash: flashOf(r, map[string]string{"deleted": "Macro deleted."}), Data: map[string]any{"Rows": rows, "More": list.NextCursor != nil}})
}

func macroForm(m automation.Macro) form {
	f := newForm(map[string]string{"name": m.Name, "body": m.Body, "reply": "internal"})
	if m.Public {
		f.Values["reply"] = "public"
	}
	if m.Active {
		f.Values["active"] = "on"
	}
	if m.Scope == automation.ScopeShared {
		f.Values["shared"] = "on"
	}
	if m.TeamID != nil {
		f.Values["team_id"] = strconv.FormatInt(*m.TeamID, 10)
	}
	actionsForm(f, m.Actions)
	return f
}

// NewMacroPage shows the empty macro form.
func (u *UI) NewMacroPage(w http.ResponseWriter, r *http.Request) error {
	f := newForm(map[string]string{"active": "on", "reply": "public"})
	return u.macroPage(w, r, http.StatusOK, nil, f, "", "")
}

func (u *UI) macroPage(w http.ResponseWriter, r *http.Request, status int, m *automation.Macro, f form, flash, errMsg string) error {
	actor := httpx.Actor(r.Context())
	teams, names, err := u.teamNames(r)
	if err != nil {
		return err
	}
	title, scope := "New macro", ""
	canWrite := true
	if m != nil {
		title, scope = m.Name, u.scopeText(u.lang(r), *m, names)
		canWrite = m.Scope == automation.ScopePersonal || authz.Can(actor, authz.AutomationWrite)
	}
	fields := []formField{f.field("name", "Name", "text", true, "")}
	if m == nil && authz.Can(actor, authz.AutomationWrite) {
		fields = append(fields, f.field("shared", "Shared", "checkbox", false, "Shared macros are for everyone, or one team; personal ones only for you."))
	}
	if authz.Can(actor, authz.AutomationWrite) && (m == nil || m.Scope == automation.ScopeShared) {
		fields = append(fields, f.choice("team_id", "Team", teamOptions(teams, "Everyone"), "Only for shared macros: limit it to one team."))
	}
	fields = append(fields, f.field("active", "Active", "checkbox", false, ""))
	sets := []fieldset{{Legend: "Macro", Fields: fields}}
	errs := summary(sets, nil)
	for _, n := range []string{"body", "reply", "scope"} {
		if msg := f.Errs[n]; msg != "" {
			errs = append(errs, fieldError{Name: n, Label: capital(label(n)), Message: msg})
		}
	}
	data := map[string]any{"M": m, "F": f, "Scope": scope, "Fieldsets": sets, "CanWrite": canWrite}
	if err := u.builderData(r, "macro", f, data); err != nil {
		return err
	}
	data["Errors"] = append(errs, data["BuilderErrors"].([]fieldError)...)
	return u.render(w, r, status, "macro", pageData{Title: title, Nav: "macros", Flash: flash, Error: errMsg, Data: data})
}

// macroInput reads the macro form; an incomplete action row is a form error.
func (u *UI) macroInput(r *http.Request, f form) (automation.MacroInput, *ruleState, bool, error) {
	public := f.v("reply") != "internal"
	active := f.v("active") != ""
	in := automation.MacroInput{Name: f.v("name"), Scope: automation.ScopePersonal, Body: f.Values["body"], Public: &public, Active: &active}
	if f.v("shared") != "" {
		in.Scope = automation.ScopeShared
	}
	ok := true
	if s := f.v("team_id"); s != "" {
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil || id <= 0 {
			f.Errs["team_id"] = "must be chosen from the list"
			ok = false
		}
		in.TeamID = &id
	}
	st, err := u.readRule(r, "macro", f)
	if err != nil {
		return in, nil, false, err
	}
	in.Actions = st.acts
	return in, st, ok && st.ok, nil
}

// macroButtons handles the builder's buttons on the macro form.
func (u *UI) macroButtons(w http.ResponseWriter, r *http.Request, m *automation.Macro, f form) (bool, error) {
	if editButtons(r, f) {
		return true, u.macroPage(w, r, http.StatusOK, m, f, "", "")
	}
	if r.PostFormValue("import") != "" {
		st := http.StatusOK
		if !importJSON(f, true) {
			st = http.StatusBadRequest
		}
		return true, u.macroPage(w, r, st, m, f, "", "")
	}
	return false, nil
}

// CreateMacro adds a macro from the form.
func (u *UI) CreateMacro(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	f, err := readForm(r)
	if err != nil {
		return err
	}
	if done, err := u.macroButtons(w, r, nil, f); done {
		return err
	}
	in, rs, ok, err := u.macroInput(r, f)
	if err != nil {
		return err
	}
	if !ok {
		return u.macroPage(w, r, http.StatusBadRequest, nil, f, "", "")
	}
	m, err := u.Automation.CreateMacro(ctx, httpx.Actor(ctx), in)
	if err != nil {
		st, msg, ok := rs.refused(err, f)
		if !ok {
			return err
		}
		return u.macroPage(w, r, st, nil, f, "", msg)
	}
	http.Redirect(w, r, fmt.Sprintf("/admin/macros/%d?saved=1", m.ID), http.StatusSeeOther)
	return nil
}

func (u *UI) getMacro(r *http.Request) (automation.Macro, error) {
	id, err := httpx.PathID(r, "id", "macro")
	if err != nil {
		return automation.Macro{}, err
	}
	return u.Automation.GetMacro(r.Context(), httpx.Actor(r.Context()), id)
}

// MacroPage shows a macro's edit form (read only for shared macros unless
// the agent may edit rules).
func (u *UI) MacroPage(w http.ResponseWriter, r *http.Request) error {
	m, err := u.getMacro(r)
	if err != nil {
		return err
	}
	return u.macroPage(w, r, http.StatusOK, &m, macroForm(m), flashOf(r, map[string]string{"saved": "Macro saved."}), "")
}

// UpdateMacro saves a macro; its scope stays.
func (u *UI) UpdateMacro(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	m, err := u.getMacro(r)
	if err != nil {
		return err
	}
	f, err := readForm(r)
	if err != nil {
		return err
	}
	if done, err := u.macroButtons(w, r, &m, f); done {
		return err
	}
	in, rs, ok, err := u.macroInput(r, f)
	if err != nil {
		return err
	}
	if !ok {
		return u.macroPage(w, r, http.StatusBadRequest, &m, f, "", "")
	}
	p := automation.MacroPatch{Name: &in.Name, Body: &in.Body, Public: in.Public, Actions: &in.Actions, Active: in.Active}
	if m.Scope == automation.ScopeShared {
		p.TeamID.Set = true
		if in.TeamID == nil {
			p.TeamID.Null = true
		} else {
			p.TeamID.V = *in.TeamID
		}
	}
	if _, err := u.Automation.UpdateMacro(ctx, httpx.Actor(ctx), m.ID, p); err != nil {
		st, msg, ok := rs.refused(err, f)
		if !ok {
			return err
		}
		return u.macroPage(w, r, st, &m, f, "", msg)
	}
	http.Redirect(w, r, fmt.Sprintf("/admin/macros/%d?saved=1", m.ID), http.StatusSeeOther)
	return nil
}

// DeleteMacro removes a macro.
func (u *UI) DeleteMacro(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	m, err := u.getMacro(r)
	if err != nil {
		return err
	}
	if err := u.Automation.DeleteMacro(ctx, httpx.Actor(ctx), m.ID); err != nil {
		return err
	}
	http.Redirect(w, r, "/admin/macros?deleted=1", http.StatusSeeOther)
	return nil
}
