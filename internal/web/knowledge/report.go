package knowledge

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/kb"
	"github.com/ombud/ombud/internal/report"
	"github.com/ombud/ombud/internal/web/httpx"
	"github.com/ombud/ombud/internal/web/ui"
)

// reportTile is one figure at the top of the knowledge report.
type reportTile struct{ Label, Value string }

// Report answers GET /knowledge/report (?from=&to=&language=): article
// views, helpfulness, searches without a result, requests avoided and
// articles used in replies (docs/metrics.md, "Knowledge").
func (u *UI) Report(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	actor := httpx.Actor(ctx)
	if err := authz.Check(actor, authz.ReportRead); err != nil {
		return err
	}
	loc := ui.Location(r)
	q := r.URL.Query()
	status, msg := http.StatusOK, ""
	f, err := report.FilterFromQuery(url.Values{"from": {q.Get("from")}, "to": {q.Get("to")}}, loc, time.Now())
	if err != nil {
		e, ok := ui.Refusal(err)
		if !ok {
			return err
		}
		e = u.ErrIn(r, e)
		status, msg = http.StatusBadRequest, e.Message
		for _, v := range e.Fields {
			msg = v
		}
		f, _ = report.FilterFromQuery(url.Values{}, loc, time.Now())
	}
	lang := q.Get("language")
	if lang != "" && !kb.ValidLanguage(lang) {
		return apperr.InvalidField("language", "must be one of the UI languages")
	}
	rep, err := u.KB.Report(ctx, actor, kb.ReportFilter{From: f.From, To: f.To, Language: lang})
	if err != nil {
		return err
	}
	ul := u.Lang(r)
	n := func(v int64) string { return strconv.FormatInt(v, 10) }
	pct := func(v *float64) string {
		if v == nil {
			return "–"
		}
		return fmt.Sprintf("%.0f %%", *v*100)
	}
	t := rep.Totals
	tiles := []reportTile{
		{u.Tr(r, "Article views"), n(t.Views)},
		{u.Tr(r, "Helpful"), pct(t.HelpfulRate)},
		{u.Tr(r, "Yes / no answers"), n(t.Helpful) + " / " + n(t.NotHelpful)},
		{u.Tr(r, "Searches without a result"), n(sumGaps(rep.Gaps))},
		{u.Tr(r, "Requests avoided"), strconv.Itoa(rep.Deflections)},
		{u.Tr(r, "Tickets with an article in a reply"), n(t.Tickets)},
	}
	rows := make([]map[string]string, 0, len(rep.Articles))
	for _, a := range rep.Articles {
		rows = append(rows, map[string]string{"ID": n(a.ArticleID), "Title": a.Title, "Help": n(a.HelpViews), "Portal": n(a.PortalViews), "Agent": n(a.AgentViews),
			"Views": n(a.Views), "Yes": n(a.Helpful), "No": n(a.NotHelpful), "Rate": pct(a.HelpfulRate), "Comments": n(a.Comments), "Uses": n(a.Uses), "Tickets": n(a.Tickets)})
	}
	gaps := make([]map[string]string, 0, len(rep.Gaps))
	for _, g := range rep.Gaps {
		gaps = append(gaps, map[string]string{"Query": g.Query, "Language": g.Language, "Searches": n(g.Searches), "Last": ui.When(ul, g.LastSeen, loc)})
	}
	comments := make([]map[string]string, 0, len(rep.Comments))
	for _, c := range rep.Comments {
		answer := u.Tr(r, "Not helpful")
		if c.Helpful {
			answer = u.Tr(r, "Helpful")
		}
		comments = append(comments, map[string]string{"ID": n(c.ArticleID), "Title": c.Title, "Answer": answer, "Comment": c.Comment, "When": ui.When(ul, c.CreatedAt, loc), "Language": c.Language})
	}
	last := f.To.In(loc).AddDate(0, 0, -1)
	csvq := url.Values{"from": {f.From.In(loc).Format(time.DateOnly)}, "to": {last.Format(time.DateOnly)}, "tz": {loc.String()}, "format": {"csv"}}
	if lang != "" {
		csvq.Set("language", lang)
	}
	return u.Render(w, r, status, u.pages["report"], ui.PageData{Title: "Knowledge report", Nav: "knowledge", Error: msg, Data: map[string]any{
		"From": f.From.In(loc).Format(time.DateOnly), "To": last.Format(time.DateOnly), "Langs": langOptions(lang), "Language": lang,
		"Tiles": tiles, "Articles": rows, "Gaps": gaps, "Comments": comments,
		"CSV": "/api/v1/reports/knowledge?" + csvq.Encode(), "GapsCSV": "/api/v1/reports/knowledge?" + csvq.Encode() + "&table=searches",
	}})
}

func sumGaps(gaps []kb.SearchGap) int64 {
	var s int64
	for _, g := range gaps {
		s += g.Searches
	}
	return s
}
