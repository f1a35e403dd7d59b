package api

import (
	"net/http"
	"strconv"
	"time"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/kb"
	"github.com/ombud/ombud/internal/web/httpx"
)

// ReportKnowledge answers GET /api/v1/reports/knowledge: article views,
// helpfulness, searches without a result, requests avoided and articles
// used in replies (docs/metrics.md, "Knowledge"). Only from, to, tz and
// language apply. CSV (?format=csv) has one row per article and a last
// row "all"; ?table=searches gives the searches without a result instead.
func (a *API) ReportKnowledge(w http.ResponseWriter, r *http.Request) error {
	f, format, err := a.reportFilter(r, "table")
	if err != nil {
		return err
	}
	table := r.URL.Query().Get("table")
	if table != "" && table != "articles" && table != "searches" {
		return apperr.InvalidField("table", "must be articles or searches")
	}
	if f.Language != "" && !kb.ValidLanguage(f.Language) {
		return apperr.InvalidField("language", "must be one of en, nb, sv, da, sl")
	}
	rep, err := a.KB.Report(r.Context(), httpx.Actor(r.Context()), kb.ReportFilter{From: f.From, To: f.To, Language: f.Language})
	if err != nil {
		return err
	}
	if format != "csv" {
		return httpx.WriteJSON(w, http.StatusOK, rep)
	}
	n := func(v int64) string { return strconv.FormatInt(v, 10) }
	if table == "searches" {
		cw := csvWriter(w, "knowledge-searches")
		_ = cw.Write([]string{"query", "language", "searches", "last_seen"})
		for _, g := range rep.Gaps {
			_ = cw.Write([]string{g.Query, g.Language, n(g.Searches), g.LastSeen.UTC().Format(time.RFC3339)})
		}
		cw.Flush()
		return nil
	}
	cw := csvWriter(w, "knowledge")
	_ = cw.Write([]string{"article_id", "title", "help_views", "portal_views", "agent_views", "views", "helpful", "not_helpful", "helpful_rate", "comments", "uses", "tickets", "deflections"})
	rows := append(rep.Articles[:len(rep.Articles):len(rep.Articles)], rep.Totals)
	for i, x := range rows {
		id, defl := n(x.ArticleID), ""
		if i == len(rows)-1 {
			id, defl = "all", strconv.Itoa(rep.Deflections)
		}
		_ = cw.Write([]string{id, x.Title, n(x.HelpViews), n(x.PortalViews), n(x.AgentViews), n(x.Views), n(x.Helpful), n(x.NotHelpful), num(x.HelpfulRate),
			n(x.Comments), n(x.Uses), n(x.Tickets), defl})
	}
	cw.Flush()
	return nil
}
