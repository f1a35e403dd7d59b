package reports

import (
	"context"
	"html/template"
	"math"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/i18n"
	"github.com/ombud/ombud/internal/report"
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
	{Key: "chat", Path: "/reports/chat", Label: "Live chat"}, // chat.go
	{Key: "heatmap", Path: "/reports/heatmap", Label: "Busiest hours"},
	{Key: "tags", Path: "/reports/tags", Label: "Tag trends"},
	{Key: "returns", Path: "/reports/returns", Label: "Returns"},      // web/orders: it reads only from and to
	{Key: "goals", Path: "/reports/goals", Label: "Goals"},            // reportgoals.go: it reads only from and to
	{Key: "knowledge", Path: "/knowledge/report", Label: "Knowledge"}, // web/knowledge report.go: it reads only from, to and language
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
	Picker      *tilePicker // the overview's choice of key figures
	Goals       []goalRow   // the goals for the filtered team (or everyone's), with status and trend
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
		if tab.Key == "goals" || tab.Key == "returns" {
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
