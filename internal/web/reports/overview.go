package reports

import (
	"math"
	"net/http"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/ombud/ombud/internal/i18n"
	"github.com/ombud/ombud/internal/report"
)

// The overview: KPI tiles with their change and the charts.

// defaultTiles are the overview's key figures when the viewer has not
// chosen others (?tiles=).
var defaultTiles = []string{"created", "solved", "backlog", "first_reply_median", "resolution_median", "sla_attainment",
	"one_touch_rate", "reopen_rate", "replies_per_ticket", "requester_wait_avg", "csat"}

// metricKinds are the facts behind each metric's tile (its drill-down);
// metricPages the pages that explain the others.
var (
	metricKinds = map[string]string{
		"created": report.KindCreated, "solved": report.KindSolved, "backlog": report.KindBacklog, "agent_replies": report.KindReply,
		"first_reply_median": report.KindFirstReply, "first_reply_median_business": report.KindFirstReply, "first_reply_avg": report.KindFirstReply,
		"next_reply_avg": report.KindNextReply, "resolution_median": report.KindSolved, "resolution_median_business": report.KindSolved,
		"resolution_avg": report.KindSolved, "requester_wait_avg": report.KindWait, "on_hold_avg": report.KindOnHold,
		"replies_per_ticket": report.KindReplies, "one_touch_rate": report.KindOneTouch, "reopen_rate": report.KindSolvedReopened,
		"csat": report.KindCSAT, "csat_response_rate": report.KindCSATSurvey, "nps": report.KindNPS,
		"nps_response_rate": report.KindNPSSent, "iqs": report.KindIQS,
	}
	metricPages = map[string]string{"sla_attainment": "/reports/sla"}
)

// chosenTiles reads ?tiles= (metric keys, comma-separated or repeated):
// the known ones in the order of report.Metrics; none known, the default.
func chosenTiles(vals []string) []string {
	want := map[string]bool{}
	for _, v := range vals {
		for _, k := range strings.Split(v, ",") {
			want[strings.TrimSpace(k)] = true
		}
	}
	var out []string
	for _, m := range report.Metrics {
		if want[m.Key] {
			out = append(out, m.Key)
		}
	}
	if len(out) == 0 {
		return defaultTiles
	}
	return out
}

// tilePicker is the overview's "Choose key figures" form: every metric
// with a checkbox, the filter kept in hidden fields.
type tilePicker struct {
	Hidden  []option
	Options []tileOption
}

type tileOption struct {
	Key, Label string
	Checked    bool
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
	tiles := chosenTiles(r.URL.Query()["tiles"])
	picker := &tilePicker{}
	for k, vs := range c.q {
		if k != "tiles" {
			picker.Hidden = append(picker.Hidden, option{Value: k, Label: vs[0]})
		}
	}
	sort.Slice(picker.Hidden, func(i, j int) bool { return picker.Hidden[i].Value < picker.Hidden[j].Value })
	for _, m := range report.Metrics {
		picker.Options = append(picker.Options, tileOption{Key: m.Key, Label: c.s(m.Label), Checked: slices.Contains(tiles, m.Key)})
	}
	c.page.Picker = picker
	if !slices.Equal(tiles, defaultTiles) {
		// The choice stays in every link and in the filter form.
		c.q.Set("tiles", strings.Join(tiles, ","))
		c.page.Hidden = append(c.page.Hidden, option{Value: "tiles", Label: strings.Join(tiles, ",")})
	}
	for _, key := range tiles {
		m, _ := report.MetricByKey(key)
		href := c.facts(metricKinds[key])
		if p, ok := metricPages[key]; ok {
			href = c.link(p)
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
