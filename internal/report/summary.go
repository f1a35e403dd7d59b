package report

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"html/template"
	"math"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/ombud/ombud/internal/i18n"
)

// SummaryLine is one metric of a summary mail.
type SummaryLine struct {
	Metric   Metric
	Value    *float64
	Previous *float64
	Goal     *Goal
	Met      *bool
}

// Value texts.
func (l SummaryLine) ValueText() string    { return FormatValue(l.Metric.Unit, l.Value) }
func (l SummaryLine) PreviousText() string { return FormatValue(l.Metric.Unit, l.Previous) }

// Arrow is ↑, ↓ or → for the change from the period before ("" without
// data on both sides).
func (l SummaryLine) Arrow() string {
	if l.Value == nil || l.Previous == nil {
		return ""
	}
	switch d := *l.Value - *l.Previous; {
	case d > 1e-9:
		return "↑"
	case d < -1e-9:
		return "↓"
	}
	return "→"
}

// ChangeText is the change from the period before: "+3", "−10 min",
// "+5 pts", "no change", or "" without data on both sides.
func (l SummaryLine) ChangeText() string {
	a := l.Arrow()
	if a == "" {
		return ""
	}
	if a == "→" {
		return "no change"
	}
	d := *l.Value - *l.Previous
	sign := "+"
	if d < 0 {
		sign, d = "−", -d
	}
	if l.Metric.Unit == Ratio {
		return sign + trimFloat(d*100, 1) + " pts"
	}
	return sign + FormatValue(l.Metric.Unit, &d)
}

// Better says whether the change is an improvement: "better", "worse", or
// "" (no change, no data, or a metric without a direction such as tickets
// created; see Compare).
func (l SummaryLine) Better() string { return Compare(l.Metric, l.Value, l.Previous).Verdict }

// GoalText is "goal ≤ 1 h: met" ("" without a goal).
func (l SummaryLine) GoalText() string {
	if l.Goal == nil {
		return ""
	}
	t := l.Goal.Target
	s := "goal " + opWord(l.Goal.Op) + " " + FormatValue(l.Metric.Unit, &t) + ": "
	switch {
	case l.Met == nil:
		return s + "no data"
	case *l.Met:
		return s + "met"
	}
	return s + "not met"
}

func opWord(op string) string {
	if op == AtMost {
		return "≤"
	}
	return "≥"
}

func trimFloat(v float64, prec int) string {
	s := strconv.FormatFloat(v, 'f', prec, 64)
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	return s
}

// FormatValue writes a figure for people: "2 h 5 min", "83.3%", "7",
// "1.25"; "—" for no data.
func FormatValue(u Unit, v *float64) string {
	if v == nil || math.IsNaN(*v) {
		return "—"
	}
	x := *v
	switch u {
	case Seconds:
		return FormatDuration(x)
	case Ratio:
		return trimFloat(x*100, 1) + "%"
	case Count:
		return strconv.FormatFloat(math.Round(x), 'f', 0, 64)
	}
	return trimFloat(x, 2)
}

// FormatDuration writes seconds as "45 s", "35 min", "2 h 5 min" or
// "3 d 4 h".
func FormatDuration(sec float64) string {
	s := int64(math.Round(math.Abs(sec)))
	switch {
	case s < 60:
		return fmt.Sprintf("%d s", s)
	case s < 3600:
		return fmt.Sprintf("%d min", (s+30)/60)
	case s < 86400:
		m := (s + 30) / 60
		if m%60 == 0 {
			return fmt.Sprintf("%d h", m/60)
		}
		return fmt.Sprintf("%d h %d min", m/60, m%60)
	}
	h := (s + 1800) / 3600
	if h%24 == 0 {
		return fmt.Sprintf("%d d", h/24)
	}
	return fmt.Sprintf("%d d %d h", h/24, h%24)
}

// PeriodText names [from, to) by its days: "12–18 Oct 2026",
// "28 Sep – 4 Oct 2026", "29 Dec 2025 – 4 Jan 2026", or for a whole
// month "October 2026".
func PeriodText(from, to time.Time, freq string) string {
	return PeriodTextIn(i18n.Fallback, from, to, freq)
}

// PeriodTextIn is PeriodText in locale's words ("12.–18. okt. 2026").
func PeriodTextIn(locale string, from, to time.Time, freq string) string {
	return i18n.FormatPeriod(locale, from, to.AddDate(0, 0, -1), freq == Monthly)
}

// summaryData is what the mail templates get, every text in the
// subscriber's language.
type summaryData struct {
	Subject, Frequency, Period, PrevPeriod, Team, Zone, Name string
	Lines                                                    []SummaryLine
	Rows                                                     []summaryRow
	Link, Manage                                             string
	T                                                        func(key string, args ...any) string
}

// summaryRow is one line of the summary as words in the reader's language.
type summaryRow struct {
	Label, Value, Arrow, Change, Better, Before, Goal string
}

// Translator writes a summary in the subscriber's language (the email
// channel's catalog, reached through the Mailer); without one it stays
// English.
type Translator interface {
	T(locale, key string, args ...any) string
}

// rows turns the lines into words in lang.
func summaryRows(lines []SummaryLine, t func(string, ...any) string) []summaryRow {
	out := make([]summaryRow, 0, len(lines))
	for _, l := range lines {
		r := summaryRow{Label: t(l.Metric.Label), Value: l.ValueText(), Arrow: l.Arrow(), Before: l.PreviousText()}
		switch c := l.ChangeText(); {
		case c == "no change":
			r.Change = t("no change")
		case l.Metric.Unit == Ratio && c != "":
			r.Change = t("%s pts", strings.TrimSuffix(c, " pts"))
		default:
			r.Change = c
		}
		if b := l.Better(); b != "" {
			r.Better = t(b)
		}
		if l.Goal != nil {
			g := l.Goal.Target
			target := opWord(l.Goal.Op) + " " + FormatValue(l.Metric.Unit, &g)
			switch {
			case l.Met == nil:
				r.Goal = t("goal %s: no data", target)
			case *l.Met:
				r.Goal = t("goal %s: met", target)
			default:
				r.Goal = t("goal %s: not met", target)
			}
		}
		out = append(out, r)
	}
	return out
}

func (s *Service) summaryMail(ctx context.Context, d dueSub, loc *time.Location, from, to time.Time, key string) (Mail, error) {
	t := func(key string, args ...any) string { // English: the keys themselves
		if len(args) == 0 {
			return key
		}
		return fmt.Sprintf(key, args...)
	}
	if tr, ok := s.mailer.(Translator); ok {
		t = func(key string, args ...any) string { return tr.T(d.locale, key, args...) }
	}
	f := Filter{From: from, To: to, Loc: loc, TeamID: d.TeamID}
	cur, err := s.figures(ctx, f)
	if err != nil {
		return Mail{}, err
	}
	pf := f
	pf.From, pf.To = previousPeriod(from, d.Frequency), from
	prev, err := s.figures(ctx, pf)
	if err != nil {
		return Mail{}, err
	}
	goals, err := listGoals(ctx, s.db, d.TeamID)
	if err != nil {
		return Mail{}, err
	}
	byMetric := map[string]Goal{}
	for _, g := range goals {
		byMetric[g.Metric] = g
	}
	team, teamName := t("All teams"), ""
	if d.TeamID != 0 {
		err := s.db.QueryRowContext(ctx, `SELECT name FROM teams WHERE id = ?`, d.TeamID).Scan(&teamName)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			teamName = t("Team %s (deleted)", strconv.FormatInt(d.TeamID, 10))
			team = teamName
		case err != nil:
			return Mail{}, fmt.Errorf("report: team %d: %w", d.TeamID, err)
		default:
			team = t("Team %s", teamName)
		}
	}
	data := summaryData{Frequency: d.Frequency, Period: PeriodTextIn(d.locale, from, to, d.Frequency),
		PrevPeriod: PeriodTextIn(d.locale, pf.From, pf.To, d.Frequency), Team: team, Zone: loc.String(), Name: d.name, T: t}
	if d.Frequency == Monthly {
		data.Subject = t("Ombud monthly summary: %s", data.Period)
	} else {
		data.Subject = t("Ombud weekly summary: %s", data.Period)
	}
	if d.TeamID != 0 {
		data.Subject += " (" + teamName + ")"
	}
	for _, m := range Metrics {
		l := SummaryLine{Metric: m, Value: m.Value(cur), Previous: m.Value(prev)}
		if g, ok := byMetric[m.Key]; ok {
			l.Goal = &g
			_, l.Met = g.judge(m, cur)
		}
		data.Lines = append(data.Lines, l)
	}
	data.Rows = summaryRows(data.Lines, t)
	if base := strings.TrimRight(s.mailer.BaseURL(), "/"); base != "" {
		q := url.Values{"from": {from.Format("2006-01-02")}, "to": {to.AddDate(0, 0, -1).Format("2006-01-02")}, "tz": {loc.String()}}
		if d.TeamID != 0 {
			q.Set("team_id", strconv.FormatInt(d.TeamID, 10))
		}
		data.Link = base + "/reports?" + q.Encode()
		data.Manage = base + "/reports/goals"
	}
	var text, html bytes.Buffer
	writeSummaryText(&text, data)
	if err := summaryHTML.Execute(&html, data); err != nil {
		return Mail{}, fmt.Errorf("report: summary html: %w", err)
	}
	return Mail{To: d.email, Subject: data.Subject, Text: text.String(), HTML: html.String(), TeamID: d.TeamID,
		Key: fmt.Sprintf("report.summary:%d:%s", d.ID, key)}, nil
}

func writeSummaryText(b *bytes.Buffer, d summaryData) {
	t := d.T
	fmt.Fprintf(b, "%s\n\n", d.Subject)
	fmt.Fprintf(b, "%s\n\n", t("%s, times in %s, compared with %s.", d.Team, d.Zone, d.PrevPeriod))
	for _, r := range d.Rows {
		fmt.Fprintf(b, "%s: %s", r.Label, r.Value)
		if r.Arrow != "" {
			fmt.Fprintf(b, " (%s %s", r.Arrow, r.Change)
			if r.Arrow != "→" {
				fmt.Fprintf(b, " %s", t("from %s", r.Before))
			}
			if r.Better != "" {
				fmt.Fprintf(b, ", %s", r.Better)
			}
			b.WriteString(")")
		} else if r.Value != "—" || r.Before != "—" {
			fmt.Fprintf(b, " (%s)", t("before: %s", r.Before))
		}
		if r.Goal != "" {
			fmt.Fprintf(b, "; %s", r.Goal)
		}
		b.WriteString("\n")
	}
	if d.Link != "" {
		fmt.Fprintf(b, "\n%s\n", t("Open the dashboard: %s", d.Link))
		fmt.Fprintf(b, "%s\n", t("Goals and your summary subscriptions: %s", d.Manage))
	}
	fmt.Fprintf(b, "\n%s\n", t("You receive this because you subscribed to it in Ombud."))
}

// summaryHTML is the HTML part: a plain table, every value escaped by
// html/template.
var summaryHTML = template.Must(template.New("summary").Parse(`<!doctype html>
<html><head><meta charset="utf-8"><title>{{.Subject}}</title></head>
<body style="font-family: sans-serif; color: #1a1a1a">
<h1 style="font-size: 1.3em">{{.Subject}}</h1>
<p>{{call .T "%s, times in %s, compared with %s." .Team .Zone .PrevPeriod}}</p>
<table cellpadding="6" style="border-collapse: collapse">
<thead><tr><th align="left">{{call .T "Metric"}}</th><th align="right">{{call .T "Value"}}</th><th align="left">{{call .T "Change"}}</th><th align="right">{{call .T "Before"}}</th><th align="left">{{call .T "Goal"}}</th></tr></thead>
<tbody>
{{- range .Rows}}
<tr style="border-top: 1px solid #ddd"><td>{{.Label}}</td><td align="right"><b>{{.Value}}</b></td><td>{{.Arrow}} {{.Change}}{{with .Better}} ({{.}}){{end}}</td><td align="right">{{.Before}}</td><td>{{.Goal}}</td></tr>
{{- end}}
</tbody>
</table>
{{- if .Link}}
<p><a href="{{.Link}}">{{call .T "Open the dashboard"}}</a> · <a href="{{.Manage}}">{{call .T "Goals and your summary subscriptions"}}</a></p>
{{- end}}
<p style="color: #666">{{call .T "You receive this because you subscribed to it in Ombud."}}</p>
</body></html>
`))
