package reports

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/report"
	"github.com/ombud/ombud/internal/web/httpx"
)

// This file holds the goals page: each report goal with its status over a
// period (last 30 days by default, ?from=&to= as on the dashboards), the
// forms to add, change and delete goals, and the agent's own summary
// subscriptions. The report service checks every permission.

// goalRow is one goal on the page.
type goalRow struct {
	ID                             int64
	Label, Team, Op                string
	Target, TargetInput            string
	InputUnit                      string // "%" or "min": what the target box takes
	Value, Previous                string
	State, PrevState               string // met, missed, or "" without data
	Trend                          []goalTrendCell
	Unit                           report.Unit
	OpAtMostSelected, OpAtLeastSel bool
	Everyone                       bool // a goal for the whole support team
}

type goalTrendCell struct {
	Start string
	Value string
	State string // met, missed, or "" without data
}

// newGoalRow fills the status part of a goal's row — value, previous
// value, trend — with value and day formatting chosen by the page.
func newGoalRow(s report.GoalStatus, value func(report.Unit, *float64) string, day func(time.Time) string) goalRow {
	t := s.Goal.Target
	row := goalRow{ID: s.Goal.ID, Label: s.Label, Target: value(s.Unit, &t),
		Value: value(s.Unit, s.Value), Previous: value(s.Unit, s.Previous),
		State: metState(s.Met), PrevState: metState(s.PreviousMet), Everyone: s.Goal.TeamID == 0}
	for _, p := range s.Trend {
		row.Trend = append(row.Trend, goalTrendCell{Start: day(p.Start), Value: value(s.Unit, p.Value), State: metState(p.Met)})
	}
	return row
}

func metState(b *bool) string {
	switch {
	case b == nil:
		return ""
	case *b:
		return "met"
	}
	return "missed"
}

type subRow struct {
	ID        int64
	Frequency string // "Weekly" or "Monthly", a catalog key
	Team      string
	AllTeams  bool
}

// targetInput writes a goal's target as the form takes it: percent for
// ratios, minutes for durations.
func targetInput(u report.Unit, v float64) string {
	switch u {
	case report.Ratio:
		return strconv.FormatFloat(v*100, 'f', -1, 64)
	case report.Seconds:
		return strconv.FormatFloat(v/60, 'f', -1, 64)
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}

// parseTarget reads a typed target: percent for ratios ("90" or "90%"),
// minutes or a duration ("60", "1h30m") for times, a number otherwise.
// ok is false for text that is not a number, which the page reports on
// the target field; the service judges the value.
func parseTarget(u report.Unit, s string) (float64, bool) {
	s = strings.TrimSpace(strings.ReplaceAll(s, ",", "."))
	if s == "" {
		return 0, false
	}
	if u == report.Seconds && strings.ContainsAny(s, "hms") {
		d, err := time.ParseDuration(strings.ReplaceAll(s, " ", ""))
		if err != nil {
			return 0, false
		}
		return d.Seconds(), true
	}
	v, err := strconv.ParseFloat(strings.TrimSuffix(s, "%"), 64)
	if err != nil {
		return 0, false
	}
	switch u {
	case report.Ratio:
		return v / 100, true
	case report.Seconds:
		return v * 60, true
	}
	return v, true
}

// ReportGoalsPage shows the goals and the subscription form.
func (u *UI) ReportGoalsPage(w http.ResponseWriter, r *http.Request) error {
	return u.reportGoalsPage(w, r, http.StatusOK, newForm(nil), flashOf(r, map[string]string{
		"saved": "Goal saved.", "deleted": "Goal deleted.", "subscribed": "Subscribed.", "unsubscribed": "Subscription removed.",
	}), "")
}

func (u *UI) reportGoalsPage(w http.ResponseWriter, r *http.Request, status int, f form, flash, errMsg string) error {
	ctx := r.Context()
	actor := httpx.Actor(ctx)
	loc := time.UTC
	if s := httpx.SessionFrom(ctx); s != nil && s.TimeZone != "" {
		if l, err := time.LoadLocation(s.TimeZone); err == nil {
			loc = l
		}
	}
	q := url.Values{}
	for _, k := range []string{"from", "to"} {
		if v := r.URL.Query().Get(k); v != "" {
			q.Set(k, v)
		}
	}
	filter, err := report.FilterFromQuery(q, loc, time.Now())
	if err != nil {
		// A bad period in the address: show the default one and say why.
		e := u.ErrIn(r, err)
		errMsg = e.Message
		for k, v := range e.Fields {
			errMsg = k + ": " + v
		}
		filter, _ = report.FilterFromQuery(url.Values{}, loc, time.Now())
	}
	statuses, err := u.Reports.GoalStatus(ctx, actor, filter)
	if err != nil {
		return err
	}
	teams, err := u.teams(ctx, actor)
	if err != nil {
		return err
	}
	teamName := map[int64]string{0: "Everyone"}
	teamOpts := []option{{Value: "0", Label: "Everyone"}}
	subTeamOpts := []option{{Value: "0", Label: "All teams"}}
	for _, t := range teams {
		teamName[t.ID] = t.Name
		id := strconv.FormatInt(t.ID, 10)
		teamOpts = append(teamOpts, option{Value: id, Label: t.Name})
		subTeamOpts = append(subTeamOpts, option{Value: id, Label: t.Name})
	}
	rows := make([]goalRow, 0, len(statuses))
	for _, s := range statuses {
		g := s.Goal
		row := newGoalRow(s, report.FormatValue, func(t time.Time) string { return t.In(filter.Loc).Format("2006-01-02") })
		row.Team, row.Op = teamName[g.TeamID], opLabel(g.Op)
		row.TargetInput, row.InputUnit, row.Unit = targetInput(s.Unit, g.Target), inputUnit(s.Unit), s.Unit
		row.OpAtMostSelected, row.OpAtLeastSel = g.Op == report.AtMost, g.Op == report.AtLeast
		if row.Team == "" {
			row.Team = "#" + strconv.FormatInt(g.TeamID, 10)
		}
		rows = append(rows, row)
	}
	metricOpts := make([]option, 0, len(report.Metrics))
	for _, m := range report.Metrics {
		metricOpts = append(metricOpts, option{Value: m.Key, Label: m.Label})
	}
	if f.v("team_id") == "" {
		f.Values["team_id"] = "0"
	}
	sets := []fieldset{{Legend: "New goal", Fields: []formField{
		f.choice("metric", "Metric", metricOpts, ""),
		f.choice("team_id", "Team", teamOpts, ""),
		f.choice("op", "Goal", []option{{Value: "", Label: "The better direction"}, {Value: report.AtMost, Label: "At most"}, {Value: report.AtLeast, Label: "At least"}}, ""),
		f.field("target", "Target", "text", true, "Percent for rates (90), minutes or a duration for times (60, 1h30m), a number for counts."),
	}}}
	subs, err := u.Reports.ListSubscriptions(ctx, actor, false)
	if err != nil {
		return err
	}
	subRows := make([]subRow, 0, len(subs))
	for _, s := range subs {
		name := "All teams"
		if s.TeamID != 0 {
			name = teamName[s.TeamID]
		}
		freq := "Weekly"
		if s.Frequency == report.Monthly {
			freq = "Monthly"
		}
		subRows = append(subRows, subRow{ID: s.ID, Frequency: freq, Team: name, AllTeams: s.TeamID == 0})
	}
	sf := newForm(map[string]string{"frequency": report.Weekly, "team_id": "0"})
	subSets := []fieldset{{Legend: "Email me a weekly or monthly summary", Fields: []formField{
		sf.choice("frequency", "How often", []option{{Value: report.Weekly, Label: "Weekly, on Monday morning"}, {Value: report.Monthly, Label: "Monthly, on the 1st"}}, ""),
		sf.choice("team_id", "Team", subTeamOpts, ""),
	}}}
	return u.render(w, r, status, "reportgoals", pageData{Title: "Goals", Nav: "reports", Flash: flash, Error: errMsg, Data: map[string]any{
		"Rows": rows, "Fieldsets": sets, "Errors": summary(sets, f.Errs), "SubFieldsets": subSets, "Subs": subRows,
		"From": filter.From.In(filter.Loc).Format("2006-01-02"), "To": filter.To.In(filter.Loc).AddDate(0, 0, -1).Format("2006-01-02"),
		"CanWrite": authz.Can(actor, authz.ReportWrite),
	}})
}

func inputUnit(u report.Unit) string {
	switch u {
	case report.Ratio:
		return "%"
	case report.Seconds:
		return "min"
	}
	return ""
}

func opLabel(op string) string {
	if op == report.AtMost {
		return "at most"
	}
	return "at least"
}

// goalInput reads the add-goal form.
func goalInput(f form) (report.GoalInput, bool) {
	in := report.GoalInput{Metric: f.v("metric"), Op: f.v("op")}
	ok := true
	if v := f.v("team_id"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			f.Errs["team_id"] = "must be chosen from the list"
			ok = false
		}
		in.TeamID = n
	}
	m, known := report.MetricByKey(in.Metric)
	if !known {
		return in, ok // the service names the metric
	}
	if f.v("target") == "" {
		return in, ok // the service says it is required
	}
	v, good := parseTarget(m.Unit, f.v("target"))
	if !good {
		f.Errs["target"] = "must be a number"
		return in, false
	}
	in.Target = &v
	return in, ok
}

// CreateReportGoal adds a goal from the page's form.
func (u *UI) CreateReportGoal(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	f, err := readForm(r)
	if err != nil {
		return err
	}
	in, ok := goalInput(f)
	if !ok {
		return u.reportGoalsPage(w, r, http.StatusBadRequest, f, "", "")
	}
	if _, err := u.Reports.CreateGoal(ctx, httpx.Actor(ctx), in); err != nil {
		st, msg, ok := refused(err, f)
		if !ok {
			return err
		}
		return u.reportGoalsPage(w, r, st, f, "", msg)
	}
	http.Redirect(w, r, "/reports/goals?saved=1", http.StatusSeeOther)
	return nil
}

// UpdateReportGoal changes a goal's target and comparison.
func (u *UI) UpdateReportGoal(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	actor := httpx.Actor(ctx)
	id, err := httpx.PathID(r, "id", "goal")
	if err != nil {
		return err
	}
	g, err := u.Reports.GetGoal(ctx, actor, id)
	if err != nil {
		return err
	}
	f, err := readForm(r)
	if err != nil {
		return err
	}
	m, _ := report.MetricByKey(g.Metric)
	var p report.GoalPatch
	if op := f.v("op"); op != "" {
		p.Op = &op
	}
	if s := f.v("target"); s != "" {
		v, ok := parseTarget(m.Unit, s)
		if !ok {
			return u.reportGoalsPage(w, r, http.StatusBadRequest, newForm(nil), "", u.tr(r, "The goal was not saved: %s.", u.tr(r, "the target must be a number")))
		}
		p.Target = &v
	}
	if _, err := u.Reports.UpdateGoal(ctx, actor, id, p); err != nil {
		e, ok := refusal(err)
		if !ok {
			return err
		}
		msg := e.Message
		for _, v := range e.Fields {
			msg = v
		}
		return u.reportGoalsPage(w, r, httpx.Status(e.Code), newForm(nil), "", u.tr(r, "The goal was not saved: %s.", msg))
	}
	http.Redirect(w, r, "/reports/goals?saved=1", http.StatusSeeOther)
	return nil
}

// DeleteReportGoal removes a goal.
func (u *UI) DeleteReportGoal(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	id, err := httpx.PathID(r, "id", "goal")
	if err != nil {
		return err
	}
	if err := u.Reports.DeleteGoal(ctx, httpx.Actor(ctx), id); err != nil {
		return err
	}
	http.Redirect(w, r, "/reports/goals?deleted=1", http.StatusSeeOther)
	return nil
}

// SubscribeReport subscribes the signed-in agent to a summary.
func (u *UI) SubscribeReport(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	f, err := readForm(r)
	if err != nil {
		return err
	}
	in := report.SubscriptionInput{Frequency: f.v("frequency")}
	if v := f.v("team_id"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return u.reportGoalsPage(w, r, http.StatusBadRequest, newForm(nil), "", u.tr(r, "The subscription was not saved: %s.", u.tr(r, "choose a team from the list")))
		}
		in.TeamID = n
	}
	if _, err := u.Reports.Subscribe(ctx, httpx.Actor(ctx), in); err != nil {
		e, ok := refusal(err)
		if !ok {
			return err
		}
		msg := e.Message
		for _, v := range e.Fields {
			msg = v
		}
		return u.reportGoalsPage(w, r, httpx.Status(e.Code), newForm(nil), "", u.tr(r, "The subscription was not saved: %s.", msg))
	}
	http.Redirect(w, r, "/reports/goals?subscribed=1", http.StatusSeeOther)
	return nil
}

// UnsubscribeReport removes one of the agent's subscriptions.
func (u *UI) UnsubscribeReport(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	id, err := httpx.PathID(r, "id", "subscription")
	if err != nil {
		return err
	}
	if err := u.Reports.Unsubscribe(ctx, httpx.Actor(ctx), id); err != nil {
		return err
	}
	http.Redirect(w, r, "/reports/goals?unsubscribed=1", http.StatusSeeOther)
	return nil
}
