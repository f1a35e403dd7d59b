package reports

import (
	"fmt"
	"html/template"
	"math"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/ombud/ombud/internal/i18n"
	"github.com/ombud/ombud/internal/report"
	"github.com/ombud/ombud/internal/sla"
)

// The breakdown pages: team, agent and channel tables, SLA, backlog, heat map and tags.

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
	{"csat", "CSAT", report.Ratio, report.KindCSAT, func(f report.Figures) *float64 { return f.CSAT }, nil},
	{"iqs", "IQS", report.Ratio, report.KindIQS, func(f report.Figures) *float64 { return f.IQS }, nil},
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
