package reports

import (
	"context"
	"fmt"
	"html/template"
	"math"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	agentsvc "github.com/ombud/ombud/internal/agent"
	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/i18n"
	"github.com/ombud/ombud/internal/page"
	"github.com/ombud/ombud/internal/report"
	"github.com/ombud/ombud/internal/search"
	"github.com/ombud/ombud/internal/sla"
	"github.com/ombud/ombud/internal/ticket"
	"github.com/ombud/ombud/internal/web/httpx"
)

// This file serves the manager dashboards: an overview with key figures
// and trends, performance by team and agent, SLA attainment, backlog,
// channels, the busiest hours, tags, and the drill-down from any count to
// the facts (and tickets) behind it. Every page shares one filter bar, a
// plain GET form, so a report is a URL that can be bookmarked and sent.
// Charts are SVG drawn in charts.go, each with a table of its numbers.

// reportTab is one page of the reports' sub-navigation.
type reportTab struct {
	Key, Path, Label string
	Current          bool
	Href             string
}

var reportTabs = []reportTab{
	{Key: "overview", Path: "/reports", Label: "Overview"},
	{Key: "team", Path: "/reports/team", Label: "Team performance"},
	{Key: "agents", Path: "/reports/agents", Label: "Agent performance"},
	{Key: "sla", Path: "/reports/sla", Label: "SLA attainment"},
	{Key: "backlog", Path: "/reports/backlog", Label: "Backlog"},
	{Key: "channels", Path: "/reports/channels", Label: "Channels"},
	{Key: "heatmap", Path: "/reports/heatmap", Label: "Busiest hours"},
	{Key: "tags", Path: "/reports/tags", Label: "Tag trends"},
	{Key: "goals", Path: "/reports/goals", Label: "Goals"}, // reportgoals.go: it reads only from and to
}

// filterParams are the query parameters the filter bar keeps across pages.
var filterParams = []string{"range", "from", "to", "tz", "team_id", "agent_id", "channel", "priority", "type", "tag", "organization_id", "language"}

// rangePresets are the period choices; "custom" uses from and to.
var rangePresets = []struct{ Key, Label string }{
	{"today", "Today"}, {"7d", "Last 7 days"}, {"30d", "Last 30 days"}, {"this_month", "This month"},
	{"last_month", "Last month"}, {"12m", "Last 12 months"}, {"custom", "Custom"},
}

// presetPeriod returns a preset's first and last day (inclusive) in loc.
func presetPeriod(preset string, now time.Time, loc *time.Location) (from, to time.Time, ok bool) {
	l := now.In(loc)
	today := time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, loc)
	month := time.Date(l.Year(), l.Month(), 1, 0, 0, 0, 0, loc)
	switch preset {
	case "today":
		return today, today, true
	case "7d":
		return today.AddDate(0, 0, -6), today, true
	case "30d":
		return today.AddDate(0, 0, -29), today, true
	case "this_month":
		return month, today, true
	case "last_month":
		return month.AddDate(0, -1, 0), month.AddDate(0, 0, -1), true
	case "12m":
		return month.AddDate(-1, 1, 0), today, true
	}
	return time.Time{}, time.Time{}, false
}

// reportPage is what reports.html gets as .Data.
type reportPage struct {
	Page    string
	Heading string
	Tabs    []reportTab
	Action  string      // the filter form's target: this page
	Hidden  []option    // page parameters the form keeps (Value: name, Label: value)
	Reset   string      // this page without filters
	Bar     []formField // the filter bar
	Invalid []fieldError
	Period  string
	Pending int64
	Notes   []string

	Tiles       []kpiTile
	Goals       []goalRow // the goals for the filtered team (or everyone's), with status and trend
	Charts      []chartBlock
	Tables      []dataTable
	TablesFirst bool        // the table is the page's main content
	Stats       []reportTab // the performance tables' median/mean switch
	Facts       *factList
}

// kpiTile is one key figure with its change from the previous period.
type kpiTile struct {
	Label, Value, Href string
	Basis              string // how the figure is summed up: "Median · business hours"
	Previous           string
	Arrow, Change      string // "↑", "+12.5%"
	// Trend is the change's colour class: good or bad where the metric
	// has a direction (report.Compare), neutral for a move of a metric
	// without one, flat, or none without a comparison.
	Trend string
	Said  string // the change in words, for screen readers
}

// chartBlock is a chart and the table of its numbers.
type chartBlock struct {
	Title string
	SVG   template.HTML
	Table dataTable
}

// dataTable is a table of figures; cells may link to their facts.
type dataTable struct {
	Caption string
	Head    []headCell
	Rows    [][]cell
	Empty   string
}

type headCell struct {
	Label, Href, Sort string // Sort: ascending, descending or ""
	Sub               string // a second line: how the column's figures are summed up
	Num               bool
}

type cell struct {
	Text, Href string
	Num        bool
	Head       bool // the row's header cell
}

// factList is a drill-down page: the facts or the tickets behind a
// figure, one page of them, and links to the next page and other views.
type factList struct {
	Kind  string
	Table dataTable
	Links []reportTab // "Open as a ticket list" and the like
	Next  string      // the next page; "" on the last
	First string      // the first page; "" on it
}

// reportCtx is one report request: the viewer, the parsed filter and the
// filter as it goes into links.
type reportCtx struct {
	ctx   context.Context
	actor authz.Actor
	lang  string
	loc   *time.Location
	now   time.Time
	f     report.Filter
	q     url.Values // filter parameters for links
	page  reportPage
	teams map[int64]string
	i18n  *i18n.Translator
	title string // the page title's catalog key
}

func (c *reportCtx) t(key string, args ...any) string { return c.i18n.T(c.lang, key, args...) }

// s translates a key chosen at run time (no format arguments).
func (c *reportCtx) s(key string) string { return c.i18n.String(c.lang, key) }

// link is path with the filter's parameters and kv pairs (which replace
// the filter's of the same name; an empty value drops it).
func (c *reportCtx) link(path string, kv ...string) string {
	v := url.Values{}
	for k, vs := range c.q {
		v[k] = slices.Clone(vs)
	}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == "" {
			v.Del(kv[i])
			continue
		}
		v.Set(kv[i], kv[i+1])
	}
	if len(v) == 0 {
		return path
	}
	return path + "?" + v.Encode()
}

// facts links to the drill-down of kind, narrowed by kv.
func (c *reportCtx) facts(kind string, kv ...string) string {
	return c.link("/reports/facts", append([]string{"kind", kind}, kv...)...)
}

// beginReport checks the permission, reads the filter and builds the
// filter bar. With a refused filter it renders the page with a 400 and the
// field's error and returns ok=false.
func (u *UI) beginReport(w http.ResponseWriter, r *http.Request, pageKey, heading string) (*reportCtx, bool, error) {
	ctx := r.Context()
	actor := httpx.Actor(ctx)
	if err := authz.Check(actor, authz.ReportRead); err != nil {
		return nil, false, err
	}
	c := &reportCtx{i18n: u.i18n, ctx: ctx, actor: actor, lang: u.lang(r), loc: location(r), now: time.Now(), q: url.Values{}, teams: map[int64]string{}}
	c.page.Page = pageKey
	c.page.Action = r.URL.Path
	c.page.Reset = r.URL.Path
	if k := strings.TrimSpace(r.URL.Query().Get("kind")); k != "" && (pageKey == "facts" || pageKey == "tickets") {
		c.page.Hidden = append(c.page.Hidden, option{Value: "kind", Label: k})
		c.page.Reset += "?" + url.Values{"kind": {k}}.Encode()
	}
	c.page.Heading = c.s(heading)
	c.title = heading
	in := r.URL.Query()
	for _, k := range filterParams {
		if v := strings.TrimSpace(in.Get(k)); v != "" {
			c.q.Set(k, v)
		}
	}
	rng := c.q.Get("range")
	if rng == "" {
		rng = "30d"
		if c.q.Get("from") != "" || c.q.Get("to") != "" {
			rng = "custom"
		}
	}
	fq := url.Values{}
	for k, vs := range c.q {
		fq[k] = vs
	}
	var ferr error
	if rng != "custom" {
		from, to, ok := presetPeriod(rng, c.now, c.loc)
		if tz := c.q.Get("tz"); tz != "" {
			if l, err := time.LoadLocation(tz); err == nil && !strings.EqualFold(tz, "local") {
				from, to, ok = presetPeriod(rng, c.now, l)
			}
		}
		if !ok {
			ferr = apperr.InvalidField("range", "must be one of the listed periods")
		}
		// A preset wins over dates left in the form.
		fq.Set("from", from.Format("2006-01-02"))
		fq.Set("to", to.Format("2006-01-02"))
		c.q.Del("from")
		c.q.Del("to")
		if rng != "30d" {
			c.q.Set("range", rng)
		} else {
			c.q.Del("range")
		}
	} else {
		c.q.Set("range", "custom")
	}
	if ferr == nil {
		c.f, ferr = report.FilterFromQuery(fq, c.loc, c.now)
	}
	errs := map[string]string{}
	if ferr != nil {
		e := u.ErrIn(r, ferr)
		if e == nil || e.Code != apperr.CodeInvalid {
			return nil, false, ferr
		}
		for k, m := range e.Fields {
			errs[k] = m
		}
		if len(errs) == 0 {
			errs[""] = e.Message
		}
	}
	if err := u.filterBar(c, rng, errs); err != nil {
		return nil, false, err
	}
	for i := range reportTabs {
		tab := reportTabs[i]
		tab.Label = c.s(tab.Label)
		tab.Current = tab.Key == pageKey
		tab.Href = c.link(tab.Path)
		if tab.Key == "goals" {
			tab.Href = tab.Path
			if c.q.Get("range") == "custom" && c.q.Get("from") != "" && c.q.Get("to") != "" {
				tab.Href += "?" + url.Values{"from": {c.q.Get("from")}, "to": {c.q.Get("to")}}.Encode()
			}
		}
		c.page.Tabs = append(c.page.Tabs, tab)
	}
	if ferr != nil {
		return c, false, u.renderReport(w, r, http.StatusBadRequest, c)
	}
	last := c.f.To.Add(-time.Nanosecond).In(c.f.Loc)
	from := c.f.From.In(c.f.Loc)
	c.page.Period = i18n.FormatDay(c.lang, from, true) + " – " + i18n.FormatDay(c.lang, last, true)
	if pending, err := u.Reports.Pending(ctx); err == nil && pending > 0 {
		c.page.Pending = pending
	}
	return c, true, nil
}

// filterBar builds the filter form with the current values and errors.
func (u *UI) filterBar(c *reportCtx, rng string, errs map[string]string) error {
	t := c.t
	teams, err := u.teams(c.ctx, c.actor)
	if err != nil {
		return err
	}
	teamOpts := []option{{Value: "", Label: t("All teams")}}
	for _, tm := range teams {
		c.teams[tm.ID] = tm.Name
		teamOpts = append(teamOpts, option{Value: strconv.FormatInt(tm.ID, 10), Label: tm.Name})
	}
	agents, _, err := u.agentChoices(c.ctx, c.actor)
	if err != nil {
		return err
	}
	agentOpts := append([]option{{Value: "", Label: t("All agents")}}, agents...)
	var orgOpts []option
	if authz.Can(c.actor, authz.CustomerRead) && u.Customers != nil {
		if orgOpts, _, err = u.orgOptions(c.ctx, c.actor, t("All organizations")); err != nil {
			return err
		}
	}
	choices := func(all string, values []string) []option {
		out := []option{{Value: "", Label: t(all)}}
		for _, v := range values {
			out = append(out, option{Value: v, Label: u.labelIn(c.lang, v)})
		}
		return out
	}
	selected := func(opts []option, v string) []option {
		out := slices.Clone(opts)
		found := v == ""
		for i := range out {
			out[i].Selected = out[i].Value == v
			found = found || out[i].Selected
		}
		if !found { // an id past the list's first page: keep it chosen
			out = append(out, option{Value: v, Label: "#" + v, Selected: true})
		}
		return out
	}
	var rangeOpts []option
	for _, p := range rangePresets {
		rangeOpts = append(rangeOpts, option{Value: p.Key, Label: c.s(p.Label), Selected: p.Key == rng})
	}
	from, to := "", ""
	if rng == "custom" {
		from, to = c.q.Get("from"), c.q.Get("to")
	}
	msg := func(name string) string {
		m, ok := errs[name]
		if !ok {
			return ""
		}
		return u.i18n.String(c.lang, m)
	}
	field := func(name, label, typ, value string, opts []option, hint string) formField {
		return formField{Name: name, Label: t(label), Type: typ, Value: value, Options: opts, Hint: hint, Error: msg(name)}
	}
	bar := []formField{
		field("range", "Period", "select", "", rangeOpts, ""),
		field("from", "Start date", "date", from, nil, ""),
		field("to", "End date", "date", to, nil, ""),
		field("team_id", "Team", "select", "", selected(teamOpts, c.q.Get("team_id")), ""),
		field("agent_id", "Agent", "select", "", selected(agentOpts, c.q.Get("agent_id")), ""),
		field("channel", "Channel", "select", "", selected(choices("All channels", ticket.Channels), c.q.Get("channel")), ""),
		field("priority", "Priority", "select", "", selected(choices("All priorities", ticket.Priorities), c.q.Get("priority")), ""),
		field("type", "Type", "select", "", selected(choices("All types", ticket.Types), c.q.Get("type")), ""),
		field("tag", "Tag", "text", c.q.Get("tag"), nil, ""),
	}
	if orgOpts != nil {
		bar = append(bar, field("organization_id", "Organization", "select", "", selected(orgOpts, c.q.Get("organization_id")), ""))
	} else {
		bar = append(bar, field("organization_id", "Organization", "text", c.q.Get("organization_id"), nil, ""))
	}
	bar = append(bar, field("language", "Language", "text", c.q.Get("language"), nil, t("A language code such as nb.")))
	bar[1].Hint = t("The dates apply to a custom period.")
	known := map[string]bool{}
	for i := range bar {
		known[bar[i].Name] = true
		if bar[i].Error != "" {
			c.page.Invalid = append(c.page.Invalid, fieldError{Name: bar[i].Name, Label: bar[i].Label, Message: bar[i].Error})
		}
	}
	keys := make([]string, 0, len(errs))
	for k := range errs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if !known[k] {
			c.page.Invalid = append(c.page.Invalid, fieldError{Label: k, Message: msg(k)})
		}
	}
	c.page.Bar = bar
	return nil
}

func (u *UI) renderReport(w http.ResponseWriter, r *http.Request, status int, c *reportCtx) error {
	return u.render(w, r, status, "reports", pageData{Title: c.title, Nav: "reports", Data: c.page})
}

// Formatting of figures in the viewer's language.

func (c *reportCtx) count(n int64) string { return i18n.FormatCount(c.lang, n) }

func (c *reportCtx) value(unit report.Unit, v *float64) string {
	if v == nil {
		return "—"
	}
	switch unit {
	case report.Seconds:
		return i18n.FormatDuration(c.lang, *v)
	case report.Ratio:
		return i18n.FormatPercent(c.lang, *v)
	case report.Count:
		return i18n.FormatCount(c.lang, int64(math.Round(*v)))
	}
	return i18n.FormatNumber(c.lang, *v, 1)
}

func (c *reportCtx) duration(v float64) string { return i18n.FormatDuration(c.lang, v) }

// bucketLabel names a series bucket for an axis.
func (c *reportCtx) bucketLabel(t time.Time, series []report.Point) string {
	if len(series) > 1 && series[1].Start.Sub(series[0].Start) > 8*24*time.Hour {
		return i18n.FormatMonth(c.lang, t)
	}
	return i18n.FormatDay(c.lang, t, false)
}

// bucketLink narrows the filter to one bucket of a series (clipped to the
// period) and drills into kind.
func (c *reportCtx) bucketLink(kind string, series []report.Point, i int) string {
	start := series[i].Start
	var end time.Time
	if i+1 < len(series) {
		end = series[i+1].Start
	} else {
		end = c.f.To
	}
	if start.Before(c.f.From) {
		start = c.f.From
	}
	if end.After(c.f.To) {
		end = c.f.To
	}
	last := end.Add(-time.Nanosecond).In(c.f.Loc)
	return c.facts(kind, "range", "custom", "from", start.In(c.f.Loc).Format("2006-01-02"), "to", last.Format("2006-01-02"))
}

func ptrOr(p *float64) float64 {
	if p == nil {
		return math.NaN()
	}
	return *p
}

// overviewTiles are the overview's key figures and the facts behind each.
var overviewTiles = []struct{ metric, kind, page string }{
	{"created", report.KindCreated, ""},
	{"solved", report.KindSolved, ""},
	{"backlog", report.KindBacklog, ""},
	{"first_reply_median", report.KindFirstReply, ""},
	{"resolution_median", report.KindSolved, ""},
	{"sla_attainment", "", "/reports/sla"},
	{"one_touch_rate", report.KindOneTouch, ""},
	{"reopen_rate", report.KindSolvedReopened, ""},
	{"replies_per_ticket", report.KindReplies, ""},
	{"requester_wait_avg", report.KindWait, ""},
}

// tileNames are the overview tiles' names: the metric's label without the
// "(median)" or "(mean)" that the tile's basis line says in full.
var tileNames = map[string]string{
	"first_reply_median": "First reply time", "resolution_median": "Full resolution time",
	"requester_wait_avg": "Requester wait time",
}

// basisLabels say how a figure is summed up, by statistic and clock.
var basisLabels = map[report.Stat]map[report.Hours]string{
	report.Median: {report.Calendar: "Median · calendar hours", report.Business: "Median · business hours", "": "Median"},
	report.Mean:   {report.Calendar: "Mean · calendar hours", report.Business: "Mean · business hours", "": "Mean"},
}

// basis names a statistic and clock ("" for counts and rates).
func (c *reportCtx) basis(stat report.Stat, hours report.Hours) string {
	if l := basisLabels[stat][hours]; l != "" {
		return c.s(l)
	}
	return ""
}

// trendClass is a change's colour: only a metric with a direction is
// coloured good or bad; a move of a volume is neutral.
func trendClass(ch report.Change) string {
	switch {
	case ch.Move == "":
		return "none"
	case ch.Move == report.Flat:
		return "flat"
	case ch.Verdict == report.Better:
		return "good"
	case ch.Verdict == report.Worse:
		return "bad"
	}
	return "neutral"
}

// tile compares a metric with the previous period.
func (c *reportCtx) tile(m report.Metric, cur, prev report.Figures, href string) kpiTile {
	v, p := m.Value(cur), m.Value(prev)
	label := m.Label
	if n, ok := tileNames[m.Key]; ok {
		label = n
	}
	t := kpiTile{Label: c.s(label), Basis: c.basis(m.Stat, m.Hours), Value: c.value(m.Unit, v), Href: href}
	if p != nil {
		t.Previous = c.t("Previous period: %s", c.value(m.Unit, p))
	}
	ch := report.Compare(m, v, p)
	t.Trend = trendClass(ch)
	switch {
	case ch.Move == "":
		t.Said = c.t("No comparison with the previous period")
	case ch.Move == report.Flat:
		t.Arrow, t.Change = "→", "0%"
		t.Said = c.t("Unchanged from the previous period")
	case ch.Ratio == nil: // up from zero (figures are never negative)
		t.Arrow, t.Change = "↑", c.t("new")
		t.Said = c.t("Up from none in the previous period")
	default:
		pct := i18n.FormatPercent(c.lang, *ch.Ratio)
		up := ch.Move == report.Up
		t.Arrow, t.Change = "↓", "−"+pct
		if up {
			t.Arrow, t.Change = "↑", "+"+pct
		}
		switch {
		case up && ch.Verdict == report.Better:
			t.Said = c.t("Up %s from the previous period, an improvement", pct)
		case up && ch.Verdict == report.Worse:
			t.Said = c.t("Up %s from the previous period, a decline", pct)
		case up:
			t.Said = c.t("Up %s from the previous period", pct)
		case ch.Verdict == report.Better:
			t.Said = c.t("Down %s from the previous period, an improvement", pct)
		case ch.Verdict == report.Worse:
			t.Said = c.t("Down %s from the previous period, a decline", pct)
		default:
			t.Said = c.t("Down %s from the previous period", pct)
		}
	}
	return t
}

// ReportOverview is GET /reports: key figures with their trend and the
// period's series.
func (u *UI) ReportOverview(w http.ResponseWriter, r *http.Request) error {
	c, ok, err := u.beginReport(w, r, "overview", "Reports")
	if !ok {
		return err
	}
	ov, err := u.Reports.Overview(c.ctx, c.actor, c.f)
	if err != nil {
		return err
	}
	c.page.Pending = ov.Pending
	for _, tl := range overviewTiles {
		m, found := report.MetricByKey(tl.metric)
		if !found {
			continue
		}
		href := tl.page
		if href != "" {
			href = c.link(href)
		} else {
			href = c.facts(tl.kind)
		}
		c.page.Tiles = append(c.page.Tiles, c.tile(m, ov.Current, ov.Previous, href))
	}
	// Goals: status now, before and over the last weeks, next to the
	// figures they are about.
	statuses, err := u.Reports.GoalStatus(c.ctx, c.actor, c.f)
	if err != nil {
		return err
	}
	for _, st := range statuses {
		row := newGoalRow(st, c.value, func(t time.Time) string { return i18n.FormatDay(c.lang, t.In(c.f.Loc), false) })
		row.Label, row.Op = c.s(st.Label), c.s(opLabel(st.Goal.Op))
		c.page.Goals = append(c.page.Goals, row)
	}
	s := ov.Series
	labels := make([]string, len(s))
	created, solved, backlog, frt := make([]float64, len(s)), make([]float64, len(s)), make([]float64, len(s)), make([]float64, len(s))
	for i, p := range s {
		labels[i] = c.bucketLabel(p.Start, s)
		created[i], solved[i], backlog[i], frt[i] = float64(p.Created), float64(p.Solved), float64(p.Backlog), ptrOr(p.FirstReplyAvg)
	}
	countFmt := func(v float64) string { return c.count(int64(math.Round(v))) }
	noData := c.t("No data in this period")
	period := c.t("Period")

	title := c.t("Created and solved tickets")
	tbl := dataTable{Caption: title, Head: []headCell{{Label: period}, {Label: c.t("Created"), Num: true}, {Label: c.t("Solved"), Num: true}}}
	for i, p := range s {
		tbl.Rows = append(tbl.Rows, []cell{{Text: labels[i], Head: true},
			{Text: c.count(p.Created), Href: c.bucketLink(report.KindCreated, s, i), Num: true},
			{Text: c.count(p.Solved), Href: c.bucketLink(report.KindSolved, s, i), Num: true}})
	}
	c.page.Charts = append(c.page.Charts, chartBlock{Title: title, Table: tbl,
		SVG: BarChart(title, labels, []ChartSeries{{Name: c.t("Created"), Values: created}, {Name: c.t("Solved"), Values: solved}}, countFmt, noData)})

	title = c.t("Backlog at the end of each period")
	tbl = dataTable{Caption: title, Head: []headCell{{Label: period}, {Label: c.t("Unsolved tickets"), Num: true}}}
	for i, p := range s {
		tbl.Rows = append(tbl.Rows, []cell{{Text: labels[i], Head: true}, {Text: c.count(p.Backlog), Href: c.bucketLink(report.KindBacklog, s, i), Num: true}})
	}
	c.page.Charts = append(c.page.Charts, chartBlock{Title: title, Table: tbl,
		SVG: LineChart(title, labels, []ChartSeries{{Name: c.t("Backlog"), Values: backlog}}, countFmt, noData)})

	title = c.t("First reply time (mean)")
	tbl = dataTable{Caption: title, Head: []headCell{{Label: period}, {Label: title, Num: true}}}
	for i, p := range s {
		tbl.Rows = append(tbl.Rows, []cell{{Text: labels[i], Head: true}, {Text: c.value(report.Seconds, p.FirstReplyAvg), Href: c.bucketLink(report.KindFirstReply, s, i), Num: true}})
	}
	c.page.Charts = append(c.page.Charts, chartBlock{Title: title, Table: tbl,
		SVG: LineChart(title, labels, []ChartSeries{{Name: title, Values: frt}}, c.duration, noData, DurationAxis())})
	return u.renderReport(w, r, http.StatusOK, c)
}

// perfColumns are the performance tables' columns: the figure, how it is
// written, and the facts behind it. Durations have a mean (get) and a
// median (med); the table's ?stat= picks one.
var perfColumns = []struct {
	key, label string
	unit       report.Unit
	kind       string
	get        func(report.Figures) *float64
	med        func(report.Figures) *float64
}{
	{"created", "Created", report.Count, report.KindCreated, func(f report.Figures) *float64 { v := float64(f.Created); return &v }, nil},
	{"solved", "Solved", report.Count, report.KindSolved, func(f report.Figures) *float64 { v := float64(f.Solved); return &v }, nil},
	{"backlog", "Backlog", report.Count, report.KindBacklog, func(f report.Figures) *float64 { v := float64(f.BacklogEnd); return &v }, nil},
	{"replies", "Replies", report.Count, report.KindReply, func(f report.Figures) *float64 { v := float64(f.Replies); return &v }, nil},
	{"first_reply", "First reply", report.Seconds, report.KindFirstReply,
		func(f report.Figures) *float64 { return f.FirstReplyAvg }, func(f report.Figures) *float64 { return f.FirstReplyMed }},
	{"resolution", "Resolution", report.Seconds, report.KindSolved,
		func(f report.Figures) *float64 { return f.ResolutionAvg }, func(f report.Figures) *float64 { return f.ResolutionMed }},
	{"one_touch", "One-touch", report.Ratio, report.KindOneTouch, func(f report.Figures) *float64 { return f.OneTouchRate }, nil},
	{"reopen", "Reopened", report.Ratio, report.KindSolvedReopened, func(f report.Figures) *float64 { return f.ReopenRate }, nil},
	{"sla", "SLA attainment", report.Ratio, "", func(f report.Figures) *float64 { return f.SLAAttainment }, nil},
}

// perfStats are the performance tables' choices of statistic, the
// default (median) first.
var perfStats = []struct {
	stat  report.Stat
	label string
}{{report.Median, "Median"}, {report.Mean, "Mean"}}

// readStat reads ?stat=: mean (the default) or median. Means come from the
// hourly roll-ups; exact medians per row read the period's facts, which at
// a million tickets costs seconds, so they are asked for, not the default.
func readStat(r *http.Request) (report.Stat, bool) {
	switch v := r.URL.Query().Get("stat"); v {
	case "", string(report.Mean):
		return report.Mean, true
	case string(report.Median):
		return report.Median, true
	}
	return report.Mean, false
}

// perfTable lays out a breakdown: one row per group, sortable by column
// (?sort=&dir=), each figure linking to its facts for that group. Times
// are medians or means of the group's own facts (stat).
func (u *UI) perfTable(r *http.Request, c *reportCtx, by string, caption string, stat report.Stat) (dataTable, []report.Row, []string, error) {
	var rows []report.Row
	var err error
	if stat == report.Median {
		rows, err = u.Reports.BreakdownMedians(c.ctx, c.actor, c.f, by)
	} else {
		rows, err = u.Reports.Breakdown(c.ctx, c.actor, c.f, by)
	}
	if err != nil {
		return dataTable{}, nil, nil, err
	}
	// statParam keeps a chosen median in the table's links (mean is the
	// default and needs no parameter).
	statParam := ""
	if stat != report.Mean {
		statParam = string(stat)
	}
	figure := func(i int, f report.Figures) *float64 {
		if pc := perfColumns[i]; stat == report.Median && pc.med != nil {
			return pc.med(f)
		}
		return perfColumns[i].get(f)
	}
	names := make([]string, len(rows))
	param := map[string]string{"team": "team_id", "agent": "agent_id", "channel": "channel", "priority": "priority", "type": "type"}[by]
	switch by {
	case "agent":
		var ids []int64
		for _, row := range rows {
			if id, err := strconv.ParseInt(row.Key, 10, 64); err == nil && id > 0 {
				ids = append(ids, id)
			}
		}
		briefs, err := u.Agents.Brief(c.ctx, ids)
		if err != nil {
			return dataTable{}, nil, nil, err
		}
		for i, row := range rows {
			id, _ := strconv.ParseInt(row.Key, 10, 64)
			switch b, ok := briefs[id]; {
			case id == 0:
				names[i] = c.t("Unassigned")
			case ok:
				names[i] = b.Name
			default:
				names[i] = c.t("Agent %s", row.Key)
			}
		}
	case "team":
		for i, row := range rows {
			id, _ := strconv.ParseInt(row.Key, 10, 64)
			switch n, ok := c.teams[id]; {
			case id == 0:
				names[i] = c.t("No team")
			case ok:
				names[i] = n
			default:
				names[i] = c.t("Team %s", row.Key)
			}
		}
	default:
		for i, row := range rows {
			names[i] = u.labelIn(c.lang, row.Key)
		}
	}
	// Server-side sorting.
	q := r.URL.Query()
	sortKey, dir := q.Get("sort"), q.Get("dir")
	col := -1
	for i, pc := range perfColumns {
		if pc.key == sortKey {
			col = i
		}
	}
	if sortKey != "name" && col < 0 {
		sortKey = ""
	}
	if dir != "asc" {
		dir = "desc"
	}
	idx := make([]int, len(rows))
	for i := range idx {
		idx[i] = i
	}
	if sortKey != "" {
		sort.SliceStable(idx, func(a, b int) bool {
			ia, ib := idx[a], idx[b]
			if col < 0 {
				na, nb := strings.ToLower(names[ia]), strings.ToLower(names[ib])
				if dir == "asc" {
					return na < nb
				}
				return na > nb
			}
			va, vb := figure(col, rows[ia].Figures), figure(col, rows[ib].Figures)
			switch {
			case va == nil && vb == nil:
				return false
			case va == nil: // no data sorts last either way
				return false
			case vb == nil:
				return true
			}
			if dir == "asc" {
				return *va < *vb
			}
			return *va > *vb
		})
	}
	head := func(key, label string, num bool) headCell {
		h := headCell{Label: c.s(label), Num: num}
		for _, pc := range perfColumns {
			if pc.key == key && pc.med != nil {
				h.Sub = c.basis(stat, report.Calendar)
			}
		}
		next := "desc"
		if key == "name" {
			next = "asc"
		}
		if key == sortKey {
			if dir == "asc" {
				h.Sort, next = "ascending", "desc"
			} else {
				h.Sort, next = "descending", "asc"
			}
		}
		h.Href = c.link(r.URL.Path, "sort", key, "dir", next, "stat", statParam) + "#table"
		return h
	}
	nameLabel := map[string]string{"team": "Team", "agent": "Agent", "channel": "Channel", "priority": "Priority", "type": "Type"}[by]
	t := dataTable{Caption: caption, Empty: c.t("No activity in this period.")}
	t.Head = append(t.Head, head("name", nameLabel, false))
	for _, pc := range perfColumns {
		t.Head = append(t.Head, head(pc.key, pc.label, true))
	}
	sorted := make([]report.Row, len(rows))
	sortedNames := make([]string, len(rows))
	for n, i := range idx {
		row := rows[i]
		sorted[n], sortedNames[n] = row, names[i]
		linkable := row.Key != "0" && row.Key != ""
		cells := []cell{{Text: names[i], Head: true}}
		for ci, pc := range perfColumns {
			v := figure(ci, row.Figures)
			cl := cell{Text: c.value(pc.unit, v), Num: true}
			if linkable && v != nil {
				switch pc.kind {
				case report.KindBacklog: // unsolved at the end: the backlog page for the row
					cl.Href = c.link("/reports/backlog", param, row.Key)
				case "":
					cl.Href = c.link("/reports/sla", param, row.Key)
				default:
					cl.Href = c.facts(pc.kind, param, row.Key)
				}
			}
			cells = append(cells, cl)
		}
		t.Rows = append(t.Rows, cells)
	}
	return t, sorted, sortedNames, nil
}

// volumeChart draws created and solved per breakdown row (the first 15).
func (c *reportCtx) volumeChart(title string, rows []report.Row, names []string) template.HTML {
	if len(rows) > 15 {
		rows, names = rows[:15], names[:15]
	}
	created, solved := make([]float64, len(rows)), make([]float64, len(rows))
	for i, row := range rows {
		created[i], solved[i] = float64(row.Figures.Created), float64(row.Figures.Solved)
	}
	return BarChart(title, names, []ChartSeries{{Name: c.t("Created"), Values: created}, {Name: c.t("Solved"), Values: solved}},
		func(v float64) string { return c.count(int64(math.Round(v))) }, c.t("No data in this period"))
}

func (u *UI) breakdownPage(w http.ResponseWriter, r *http.Request, key, heading, by, chartTitle string) error {
	c, ok, err := u.beginReport(w, r, key, heading)
	if !ok {
		return err
	}
	stat, ok := readStat(r)
	if !ok {
		c.page.Invalid = append(c.page.Invalid, fieldError{Label: "stat", Message: c.t("must be median or mean")})
		return u.renderReport(w, r, http.StatusBadRequest, c)
	}
	// The switch keeps the sort; the filter form keeps the statistic.
	q := r.URL.Query()
	for _, st := range perfStats {
		v := string(st.stat)
		if st.stat == report.Mean {
			v = "" // the default
		}
		c.page.Stats = append(c.page.Stats, reportTab{Key: string(st.stat), Label: c.s(st.label), Current: st.stat == stat,
			Href: c.link(r.URL.Path, "sort", q.Get("sort"), "dir", q.Get("dir"), "stat", v) + "#table"})
	}
	if stat != report.Mean {
		c.page.Hidden = append(c.page.Hidden, option{Value: "stat", Label: string(stat)})
	}
	t, rows, names, err := u.perfTable(r, c, by, c.page.Heading, stat)
	if err != nil {
		return err
	}
	title := c.s(chartTitle)
	// The chart's numbers are the table's first columns.
	c.page.Charts = append(c.page.Charts, chartBlock{Title: title, SVG: c.volumeChart(title, rows, names)})
	c.page.Tables = append(c.page.Tables, t)
	return u.renderReport(w, r, http.StatusOK, c)
}

// ReportTeams is GET /reports/team: performance by team.
func (u *UI) ReportTeams(w http.ResponseWriter, r *http.Request) error {
	return u.breakdownPage(w, r, "team", "Team performance", "team", "Created and solved by team")
}

// ReportAgents is GET /reports/agents: performance by agent.
func (u *UI) ReportAgents(w http.ResponseWriter, r *http.Request) error {
	return u.breakdownPage(w, r, "agents", "Agent performance", "agent", "Created and solved by agent")
}

// ReportChannels is GET /reports/channels: volume and figures by channel.
func (u *UI) ReportChannels(w http.ResponseWriter, r *http.Request) error {
	return u.breakdownPage(w, r, "channels", "Channels", "channel", "Volume by channel")
}

// ReportSLA is GET /reports/sla: attainment per target and its trend.
func (u *UI) ReportSLA(w http.ResponseWriter, r *http.Request) error {
	c, ok, err := u.beginReport(w, r, "sla", "SLA attainment")
	if !ok {
		return err
	}
	figs, err := u.Reports.Figures(c.ctx, c.actor, c.f)
	if err != nil {
		return err
	}
	series, err := u.Reports.Series(c.ctx, c.actor, c.f, "")
	if err != nil {
		return err
	}
	m, _ := report.MetricByKey("sla_attainment")
	c.page.Tiles = append(c.page.Tiles, kpiTile{Label: c.s(m.Label), Value: c.value(report.Ratio, figs.SLAAttainment), Trend: "none"})
	t := dataTable{Caption: c.t("Attainment by target"), Empty: c.t("No SLA targets were decided in this period."),
		Head: []headCell{{Label: c.t("SLA target")}, {Label: c.t("Achieved"), Num: true}, {Label: c.t("Breached"), Num: true}, {Label: c.t("Attainment"), Num: true}}}
	for _, target := range sla.Metrics {
		fg, ok := figs.SLA[target]
		if !ok {
			continue
		}
		href := c.facts(report.KindSLAPrefix + target)
		t.Rows = append(t.Rows, []cell{{Text: c.s(slaLabels[target]), Head: true},
			{Text: c.count(fg.Achieved), Href: href, Num: true}, {Text: c.count(fg.Breached), Href: href, Num: true},
			{Text: c.value(report.Ratio, fg.Rate), Num: true}})
	}
	c.page.Tables = append(c.page.Tables, t)
	c.page.TablesFirst = true
	title := c.t("SLA attainment over time")
	labels := make([]string, len(series))
	vals := make([]float64, len(series))
	tbl := dataTable{Caption: title, Head: []headCell{{Label: c.t("Period")}, {Label: c.t("Attainment"), Num: true}}}
	for i, p := range series {
		labels[i] = c.bucketLabel(p.Start, series)
		vals[i] = math.NaN()
		if p.SLAAttainment != nil {
			vals[i] = *p.SLAAttainment * 100 // percent, so the axis steps are whole
		}
		tbl.Rows = append(tbl.Rows, []cell{{Text: labels[i], Head: true}, {Text: c.value(report.Ratio, p.SLAAttainment), Num: true}})
	}
	c.page.Charts = append(c.page.Charts, chartBlock{Title: title, Table: tbl,
		SVG: LineChart(title, labels, []ChartSeries{{Name: title, Values: vals}},
			func(v float64) string { return i18n.FormatPercent(c.lang, v/100) }, c.t("No data in this period"), FixedAxis(100, 25))})
	return u.renderReport(w, r, http.StatusOK, c)
}

// ageLabels name report.BacklogAges' buckets in order (the catalog may
// hold no markup characters, so not its "< 1 day").
var ageLabels = []string{"Under 1 day", "1–3 days", "3–7 days", "1–2 weeks", "2–4 weeks", "Over 4 weeks"}

// ReportBacklog is GET /reports/backlog: the backlog over the period and
// the unsolved tickets' ages now.
func (u *UI) ReportBacklog(w http.ResponseWriter, r *http.Request) error {
	c, ok, err := u.beginReport(w, r, "backlog", "Backlog")
	if !ok {
		return err
	}
	series, err := u.Reports.Series(c.ctx, c.actor, c.f, "")
	if err != nil {
		return err
	}
	ages, err := u.Reports.BacklogAges(c.ctx, c.actor, c.f)
	if err != nil {
		return err
	}
	countFmt := func(v float64) string { return c.count(int64(math.Round(v))) }
	title := c.t("Backlog at the end of each period")
	labels := make([]string, len(series))
	vals := make([]float64, len(series))
	tbl := dataTable{Caption: title, Head: []headCell{{Label: c.t("Period")}, {Label: c.t("Unsolved tickets"), Num: true}, {Label: c.t("Backlog changes"), Num: true}}}
	for i, p := range series {
		labels[i] = c.bucketLabel(p.Start, series)
		vals[i] = float64(p.Backlog)
		tbl.Rows = append(tbl.Rows, []cell{{Text: labels[i], Head: true}, {Text: c.count(p.Backlog), Num: true},
			{Text: c.t("Show the changes"), Href: c.bucketLink(report.KindBacklog, series, i), Num: true}})
	}
	c.page.Charts = append(c.page.Charts, chartBlock{Title: title, Table: tbl,
		SVG: LineChart(title, labels, []ChartSeries{{Name: c.t("Backlog"), Values: vals}}, countFmt, c.t("No data in this period"))})

	title = c.t("Unsolved tickets now, by age")
	al := make([]string, len(ages))
	av := make([]float64, len(ages))
	tbl = dataTable{Caption: title, Head: []headCell{{Label: c.t("Age")}, {Label: c.t("Tickets"), Num: true}}}
	for i, a := range ages {
		al[i] = a.Label
		if len(ages) == len(ageLabels) {
			al[i] = c.s(ageLabels[i])
		}
		av[i] = float64(a.Count)
		tbl.Rows = append(tbl.Rows, []cell{{Text: al[i], Head: true}, {Text: c.count(a.Count), Num: true}})
	}
	c.page.Charts = append(c.page.Charts, chartBlock{Title: title, Table: tbl, SVG: Histogram(title, al, av, countFmt, c.t("No data in this period"))})
	c.page.Notes = append(c.page.Notes, c.t("The ages are of the tickets unsolved now, whatever the period; the other filters apply."))
	return u.renderReport(w, r, http.StatusOK, c)
}

// ReportHeatmap is GET /reports/heatmap: tickets created by weekday and
// hour in the viewer's time zone.
func (u *UI) ReportHeatmap(w http.ResponseWriter, r *http.Request) error {
	c, ok, err := u.beginReport(w, r, "heatmap", "Busiest hours")
	if !ok {
		return err
	}
	grid, err := u.Reports.Heatmap(c.ctx, c.actor, c.f)
	if err != nil {
		return err
	}
	days := make([]string, 7)
	for i := range days {
		days[i] = i18n.Weekday(c.lang, time.Weekday((i+1)%7)) // Monday first
	}
	hours := make([]string, 24)
	for h := range hours {
		hours[h] = fmt.Sprintf("%02d", h)
	}
	vals := make([][]float64, 7)
	title := c.t("Tickets created by weekday and hour (%s)", c.f.Loc.String())
	tbl := dataTable{Caption: title, Head: []headCell{{Label: c.t("Day")}}}
	for h := range hours {
		tbl.Head = append(tbl.Head, headCell{Label: hours[h], Num: true})
	}
	for d := range 7 {
		vals[d] = make([]float64, 24)
		row := []cell{{Text: days[d], Head: true}}
		for h := range 24 {
			vals[d][h] = float64(grid[d][h])
			row = append(row, cell{Text: c.count(grid[d][h]), Num: true})
		}
		tbl.Rows = append(tbl.Rows, row)
	}
	svg := HeatGrid(title, days, hours, vals, func(d, h int, v float64) string {
		return c.t("%s %s–%s: %s created", days[d], hours[h]+":00", fmt.Sprintf("%02d:00", (h+1)%24), c.count(int64(v)))
	})
	c.page.Charts = append(c.page.Charts, chartBlock{Title: title, SVG: svg, Table: tbl})
	return u.renderReport(w, r, http.StatusOK, c)
}

// ReportTags is GET /reports/tags: the most used tags against the
// previous period.
func (u *UI) ReportTags(w http.ResponseWriter, r *http.Request) error {
	c, ok, err := u.beginReport(w, r, "tags", "Tag trends")
	if !ok {
		return err
	}
	tags, err := u.Reports.TagTrends(c.ctx, c.actor, c.f, 20)
	if err != nil {
		return err
	}
	title := c.t("Tickets created by tag")
	labels := make([]string, len(tags))
	cur, prev := make([]float64, len(tags)), make([]float64, len(tags))
	t := dataTable{Caption: title, Empty: c.t("No tagged tickets in this period."),
		Head: []headCell{{Label: c.t("Tag")}, {Label: c.t("This period"), Num: true}, {Label: c.t("Previous period"), Num: true}, {Label: c.t("Difference"), Num: true}}}
	for i, tg := range tags {
		labels[i], cur[i], prev[i] = tg.Tag, float64(tg.Count), float64(tg.Previous)
		change := "—"
		if tg.Previous > 0 {
			ch := float64(tg.Count-tg.Previous) / float64(tg.Previous)
			change = i18n.FormatPercent(c.lang, ch)
			if ch > 0 {
				change = "+" + change
			}
		} else if tg.Count > 0 {
			change = c.t("new")
		}
		t.Rows = append(t.Rows, []cell{{Text: tg.Tag, Head: true, Href: c.link("/reports", "tag", tg.Tag)},
			{Text: c.count(tg.Count), Href: c.facts(report.KindCreated, "tag", tg.Tag), Num: true},
			{Text: c.count(tg.Previous), Num: true}, {Text: change, Num: true}})
	}
	c.page.Charts = append(c.page.Charts, chartBlock{Title: title,
		SVG: BarChart(title, labels, []ChartSeries{{Name: c.t("This period"), Values: cur}, {Name: c.t("Previous period"), Values: prev}},
			func(v float64) string { return c.count(int64(math.Round(v))) }, c.t("No data in this period"))})
	c.page.Tables = append(c.page.Tables, t)
	return u.renderReport(w, r, http.StatusOK, c)
}

// Drill-down page sizes: facts are short rows; the ticket view matches the
// ticket list's 50.
const (
	factsPerPage   = 100
	ticketsPerPage = 50
)

// kindLabels name the fact kinds on the drill-down.
var kindLabels = map[string]string{
	report.KindCreated: "Tickets created", report.KindFirstReply: "First replies", report.KindNextReply: "Next replies",
	report.KindReply: "Agent replies", report.KindSolved: "Tickets solved", report.KindWait: "Requester wait",
	report.KindOnHold: "On-hold time", report.KindReplies: "Replies per solved ticket", report.KindOneTouch: "One-touch resolutions",
	report.KindSolvedReopened: "Solved tickets ever reopened", report.KindReopen: "Reopens", report.KindBacklog: "Backlog changes",
	report.KindSLAPrefix + sla.FirstReply: "SLA: first reply", report.KindSLAPrefix + sla.NextReply: "SLA: next reply",
	report.KindSLAPrefix + sla.PeriodicUpdate: "SLA: periodic update", report.KindSLAPrefix + sla.Resolution: "SLA: resolution",
}

// durationKinds have seconds for values.
var durationKinds = map[string]bool{
	report.KindFirstReply: true, report.KindNextReply: true, report.KindSolved: true, report.KindWait: true, report.KindOnHold: true,
}

// factValue writes a fact's value the way its kind means it.
func (c *reportCtx) factValue(x report.Fact) (string, string) {
	switch {
	case durationKinds[x.Kind]:
		return c.duration(float64(x.Value)), c.duration(float64(x.BValue))
	case x.Kind == report.KindReplies:
		return c.count(x.Value), ""
	case x.Kind == report.KindOneTouch, x.Kind == report.KindSolvedReopened:
		if x.Value == 1 {
			return c.t("Yes"), ""
		}
		return c.t("No"), ""
	case x.Kind == report.KindBacklog:
		if x.Value > 0 {
			return c.t("became unsolved"), ""
		}
		return c.t("stopped being unsolved"), ""
	case strings.HasPrefix(x.Kind, report.KindSLAPrefix):
		if x.Value == 1 {
			return c.t("achieved"), ""
		}
		return c.t("breached"), ""
	}
	return "", ""
}

// drillDown starts a drill-down page (the facts or the tickets behind a
// figure): the filter, the kind and the page cursor. A refused kind or
// cursor renders the page with a 400 and returns ok=false.
func (u *UI) drillDown(w http.ResponseWriter, r *http.Request, pageKey, heading string) (*reportCtx, string, page.Request, bool, error) {
	c, ok, err := u.beginReport(w, r, pageKey, heading)
	if !ok {
		return c, "", page.Request{}, false, err
	}
	kind := strings.TrimSpace(r.URL.Query().Get("kind"))
	c.q.Set("kind", kind)
	if kind == "" {
		c.q.Del("kind")
	}
	pr, err := page.Parse("", r.URL.Query().Get("cursor"))
	if err == nil {
		err = report.CheckExport(c.actor, &c.f, kind)
	}
	if err != nil {
		if e := u.ErrIn(r, err); e != nil && e.Code == apperr.CodeInvalid {
			for k, m := range e.Fields {
				c.page.Invalid = append(c.page.Invalid, fieldError{Label: k, Message: u.i18n.String(c.lang, m)})
			}
			if len(e.Fields) == 0 {
				c.page.Invalid = append(c.page.Invalid, fieldError{Message: u.i18n.String(c.lang, e.Message)})
			}
			return c, kind, pr, false, u.renderReport(w, r, http.StatusBadRequest, c)
		}
		return c, kind, pr, false, err
	}
	if l, ok := kindLabels[kind]; ok {
		c.page.Heading, c.title = c.s(l), l
	} else if kind == "" {
		c.page.Heading, c.title = c.t("All facts"), "All facts"
	}
	return c, kind, pr, true, nil
}

// pageLinks sets a drill-down's next and first page links and its note:
// all (one page: "%s facts."), of ("rows 101–200 of 340") or, with the
// total unknown (< 0), span ("rows 101–200").
func (c *reportCtx) pageLinks(fl *factList, path string, pr page.Request, shown int, next *string, total int64, all, of, span string) {
	offset := report.PageOffset(pr.Cursor)
	if next != nil {
		fl.Next = c.link(path, "cursor", *next)
	}
	if pr.Cursor != nil {
		fl.First = c.link(path)
	}
	from, to := c.count(int64(offset+1)), c.count(int64(offset+shown))
	switch {
	case next == nil && pr.Cursor == nil && total >= 0:
		c.page.Notes = append(c.page.Notes, c.t(all, c.count(total)))
	case shown == 0:
	case total >= 0:
		c.page.Notes = append(c.page.Notes, c.t(of, from, to, c.count(total)))
	default:
		c.page.Notes = append(c.page.Notes, c.t(span, from, to))
	}
}

// ReportFacts is GET /reports/facts?kind=…: the facts behind a number,
// event by event, with their tickets, 100 a page (?cursor=).
func (u *UI) ReportFacts(w http.ResponseWriter, r *http.Request) error {
	c, kind, pr, ok, err := u.drillDown(w, r, "facts", "Facts behind a figure")
	if !ok {
		return err
	}
	pr.Limit = factsPerPage
	list, err := u.Reports.FactPage(c.ctx, c.actor, c.f, kind, pr)
	if err != nil {
		return err
	}
	total, err := u.Reports.FactCount(c.ctx, c.actor, c.f, kind)
	if err != nil {
		return err
	}
	rows := list.Data
	var ids []int64
	for _, x := range rows {
		ids = append(ids, x.AgentID)
	}
	briefs, err := u.Agents.Brief(c.ctx, ids)
	if err != nil {
		return err
	}
	showBiz := durationKinds[kind] || kind == ""
	head := []headCell{{Label: c.t("Ticket")}, {Label: c.t("When")}}
	if kind == "" {
		head = append(head, headCell{Label: c.t("Fact")})
	}
	head = append(head, headCell{Label: c.t("Agent")}, headCell{Label: c.t("Team")}, headCell{Label: c.t("Channel")}, headCell{Label: c.t("Value"), Num: true})
	if showBiz {
		head = append(head, headCell{Label: c.t("In business hours"), Num: true})
	}
	t := dataTable{Caption: c.page.Heading, Head: head, Empty: c.t("No facts in this period.")}
	for _, x := range rows {
		v, bv := c.factValue(x)
		row := []cell{{Text: "#" + strconv.FormatInt(x.TicketID, 10), Href: "/tickets/" + strconv.FormatInt(x.TicketID, 10), Head: true},
			{Text: when(c.lang, x.At, c.loc)}}
		if kind == "" {
			label := x.Kind
			if l, ok := kindLabels[x.Kind]; ok {
				label = c.s(l)
			}
			row = append(row, cell{Text: label})
		}
		row = append(row, cell{Text: c.agentName(briefs, x.AgentID)}, cell{Text: c.teamName(x.TeamID)}, cell{Text: u.labelIn(c.lang, x.Channel)}, cell{Text: v, Num: true})
		if showBiz {
			row = append(row, cell{Text: bv, Num: true})
		}
		t.Rows = append(t.Rows, row)
	}
	fl := &factList{Kind: kind, Table: t}
	if total > 0 {
		fl.Links = append(fl.Links, reportTab{Label: c.t("Open as a ticket list"), Href: c.link("/reports/tickets")})
	}
	c.pageLinks(fl, "/reports/facts", pr, len(rows), list.NextCursor, total, "%s facts.", "Facts %s–%s of %s.", "Facts %s–%s.")
	c.page.Facts = fl
	return u.renderReport(w, r, http.StatusOK, c)
}

// ReportTickets is GET /reports/tickets?kind=…: the tickets behind a
// number as a ticket list, each once, in the order of their first fact in
// the period, 50 a page (?cursor=). Each page opens in the ticket list
// (a search for exactly its ticket numbers) for bulk changes.
func (u *UI) ReportTickets(w http.ResponseWriter, r *http.Request) error {
	c, kind, pr, ok, err := u.drillDown(w, r, "tickets", "Facts behind a figure")
	if !ok {
		return err
	}
	pr.Limit = ticketsPerPage
	list, err := u.Reports.FactTickets(c.ctx, c.actor, c.f, kind, pr)
	if err != nil {
		return err
	}
	total := int64(-1) // unknown unless each ticket has one fact of the kind
	if report.OneFactPerTicket[kind] {
		if total, err = u.Reports.FactCount(c.ctx, c.actor, c.f, kind); err != nil {
			return err
		}
	}
	ids := make([]string, 0, len(list.Data))
	for _, x := range list.Data {
		ids = append(ids, strconv.FormatInt(x.TicketID, 10))
	}
	tickets := map[int64]ticket.Ticket{}
	if len(ids) > 0 {
		found, err := u.Tickets.Search(c.ctx, c.actor, search.Query{Terms: []search.Term{{Field: "id", Op: search.OpIs, Values: ids}}},
			page.Request{Limit: page.MaxLimit})
		if err != nil {
			return err
		}
		for _, tk := range found.Data {
			tickets[tk.ID] = tk
		}
	}
	var agentIDs []int64
	for _, tk := range tickets {
		if tk.AssigneeID != nil {
			agentIDs = append(agentIDs, *tk.AssigneeID)
		}
	}
	briefs, err := u.Agents.Brief(c.ctx, agentIDs)
	if err != nil {
		return err
	}
	t := dataTable{Caption: c.page.Heading, Empty: c.t("No tickets in this period."),
		Head: []headCell{{Label: c.t("Ticket")}, {Label: c.t("Subject")}, {Label: c.t("Requester")}, {Label: c.t("Status")},
			{Label: c.t("Priority")}, {Label: c.t("Assignee")}, {Label: c.t("Team")}, {Label: c.t("Updated")}, {Label: c.t("When")}}}
	for _, x := range list.Data {
		href := "/tickets/" + strconv.FormatInt(x.TicketID, 10)
		row := []cell{{Text: "#" + strconv.FormatInt(x.TicketID, 10), Href: href, Head: true}}
		tk, ok := tickets[x.TicketID]
		if !ok { // gone since the facts were counted
			row = append(row, cell{Text: "—"}, cell{}, cell{}, cell{}, cell{}, cell{}, cell{}, cell{Text: when(c.lang, x.At, c.loc)})
			t.Rows = append(t.Rows, row)
			continue
		}
		requester := ""
		if tk.Requester != nil {
			requester = tk.Requester.Name
			if requester == "" {
				requester = tk.Requester.Email
			}
		}
		assignee := "—"
		if tk.AssigneeID != nil {
			assignee = c.agentName(briefs, *tk.AssigneeID)
		}
		team := "—"
		if tk.TeamID != nil {
			team = c.teamName(*tk.TeamID)
		}
		row = append(row, cell{Text: tk.Subject, Href: href}, cell{Text: requester}, cell{Text: u.labelIn(c.lang, tk.Status)},
			cell{Text: u.labelIn(c.lang, tk.Priority)}, cell{Text: assignee}, cell{Text: team},
			cell{Text: when(c.lang, tk.UpdatedAt, c.loc)}, cell{Text: when(c.lang, x.At, c.loc)})
		t.Rows = append(t.Rows, row)
	}
	fl := &factList{Kind: kind, Table: t}
	// The page in the ticket list, where tickets can be changed together:
	// a search for exactly these numbers (when it fits a search).
	if q := "id:" + strings.Join(ids, ","); len(ids) > 0 && len(q) <= search.MaxLen {
		fl.Links = append(fl.Links, reportTab{Label: c.t("Open these tickets in the ticket list"), Href: "/tickets?" + url.Values{"q": {q}}.Encode()})
	}
	fl.Links = append(fl.Links, reportTab{Label: c.t("Show the facts"), Href: c.link("/reports/facts")})
	c.pageLinks(fl, "/reports/tickets", pr, len(list.Data), list.NextCursor, total, "%s tickets.", "Tickets %s–%s of %s.", "Tickets %s–%s.")
	c.page.Facts = fl
	return u.renderReport(w, r, http.StatusOK, c)
}

// agentName names an agent credited with a fact.
func (c *reportCtx) agentName(briefs map[int64]agentsvc.Brief, id int64) string {
	if id == 0 {
		return "—"
	}
	if b, ok := briefs[id]; ok {
		return b.Name
	}
	return c.t("Agent %s", strconv.FormatInt(id, 10))
}

// teamName names a team by id.
func (c *reportCtx) teamName(id int64) string {
	if id == 0 {
		return "—"
	}
	if n := c.teams[id]; n != "" {
		return n
	}
	return c.t("Team %s", strconv.FormatInt(id, 10))
}
