package admin

import (
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/i18n"
	"github.com/ombud/ombud/internal/sla"
	"github.com/ombud/ombud/internal/web/httpx"
)

// Business-hours calendars: the admin pages.

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
