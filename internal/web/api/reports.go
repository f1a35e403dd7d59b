package api

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/report"
	"github.com/ombud/ombud/internal/ticket"
	"github.com/ombud/ombud/internal/web/httpx"
)

// ReportParams are the query parameters every report accepts.
func ReportParams(extra ...string) []string {
	return append([]string{"from", "to", "tz", "team_id", "agent_id", "channel", "priority", "type", "tag", "organization_id", "language", "format"}, extra...)
}

// reportFilter reads the filter; days and buckets default to the agent's
// own time zone.
func (a *API) reportFilter(r *http.Request, extra ...string) (report.Filter, string, error) {
	if err := httpx.CheckQuery(r, ReportParams(extra...)...); err != nil {
		return report.Filter{}, "", err
	}
	q := r.URL.Query()
	format := q.Get("format")
	switch format {
	case "", "json":
		format = "json"
		if strings.Contains(r.Header.Get("Accept"), "text/csv") {
			format = "csv"
		}
	case "csv", "ndjson":
	default:
		return report.Filter{}, "", apperr.InvalidField("format", "must be json, csv or ndjson")
	}
	loc := time.UTC
	actor := httpx.Actor(r.Context())
	if me, err := a.Agents.GetAgent(r.Context(), actor, actor.ID); err == nil && me.TimeZone != "" {
		if l, err := time.LoadLocation(me.TimeZone); err == nil {
			loc = l
		}
	}
	f, err := report.FilterFromQuery(q, loc, a.Now())
	if err == nil && (format == "csv" || format == "ndjson") {
		// A download takes data out of Ombud: the audit log says who and what.
		err = a.Reports.RecordExport(r.Context(), actor, r.URL.Path, format, f)
	}
	return f, format, err
}

// csvWriter starts a CSV download. The UTF-8 byte order mark makes
// spreadsheet programs read the names in it (ø, č) correctly; BI tools
// skip it.
func csvWriter(w http.ResponseWriter, name string) *csv.Writer {
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`.csv"`)
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write([]byte("\uFEFF"))
	return csv.NewWriter(w)
}

// num formats an optional figure for CSV: empty when there is no data.
func num(v *float64) string {
	if v == nil {
		return ""
	}
	return strconv.FormatFloat(*v, 'f', -1, 64)
}

func stamp(t time.Time, loc *time.Location) string { return t.In(loc).Format(time.RFC3339) }

// ReportOverview answers GET /api/v1/reports/overview: the period's key
// figures and the previous period's, with the series. As CSV: one row per
// metric.
func (a *API) ReportOverview(w http.ResponseWriter, r *http.Request) error {
	f, format, err := a.reportFilter(r)
	if err != nil {
		return err
	}
	ov, err := a.Reports.Overview(r.Context(), httpx.Actor(r.Context()), f)
	if err != nil {
		return err
	}
	if format != "csv" {
		return httpx.WriteJSON(w, http.StatusOK, ov)
	}
	cw := csvWriter(w, "overview")
	// better, stat and hours say how to read each figure: which way is an
	// improvement (neutral: none), mean or median, calendar or business.
	_ = cw.Write([]string{"metric", "label", "unit", "value", "previous", "from", "to", "better", "stat", "hours"})
	for _, m := range report.Metrics {
		_ = cw.Write([]string{m.Key, m.Label, string(m.Unit), num(m.Value(ov.Current)), num(m.Value(ov.Previous)), stamp(f.From, f.Loc), stamp(f.To, f.Loc),
			string(m.Better), string(m.Stat), string(m.Hours)})
	}
	cw.Flush()
	return nil
}

// ReportSeries answers GET /api/v1/reports/series (?bucket=day|week|month).
func (a *API) ReportSeries(w http.ResponseWriter, r *http.Request) error {
	f, format, err := a.reportFilter(r, "bucket")
	if err != nil {
		return err
	}
	pts, err := a.Reports.Series(r.Context(), httpx.Actor(r.Context()), f, r.URL.Query().Get("bucket"))
	if err != nil {
		return err
	}
	if format != "csv" {
		return httpx.WriteJSON(w, http.StatusOK, DataOf(pts))
	}
	cw := csvWriter(w, "series")
	_ = cw.Write([]string{"start", "created", "solved", "backlog", "agent_replies", "first_reply_avg_seconds", "resolution_avg_seconds", "sla_attainment"})
	for _, p := range pts {
		_ = cw.Write([]string{stamp(p.Start, f.Loc), fmt.Sprint(p.Created), fmt.Sprint(p.Solved), fmt.Sprint(p.Backlog), fmt.Sprint(p.Replies),
			num(p.FirstReplyAvg), num(p.ResolutionAvg), num(p.SLAAttainment)})
	}
	cw.Flush()
	return nil
}

// ReportBreakdown answers GET /api/v1/reports/breakdown?by=team|agent|channel|priority|type.
// ?stat=median adds each row's medians of first reply and resolution time
// (one more pass over the period's facts); the default, mean, reads only
// the roll-ups and leaves the medians null.
func (a *API) ReportBreakdown(w http.ResponseWriter, r *http.Request) error {
	f, format, err := a.reportFilter(r, "by", "stat")
	if err != nil {
		return err
	}
	q := r.URL.Query()
	by := q.Get("by")
	var rows []report.Row
	medians := false
	switch q.Get("stat") {
	case "", string(report.Mean):
		rows, err = a.Reports.Breakdown(r.Context(), httpx.Actor(r.Context()), f, by)
	case string(report.Median):
		medians = true
		rows, err = a.Reports.BreakdownMedians(r.Context(), httpx.Actor(r.Context()), f, by)
	default:
		return apperr.InvalidField("stat", "must be median or mean")
	}
	if err != nil {
		return err
	}
	if format != "csv" {
		return httpx.WriteJSON(w, http.StatusOK, BreakdownReply{By: by, Data: DataOf(rows).Data})
	}
	cw := csvWriter(w, "breakdown-"+by)
	// Medians only when asked for.
	var metrics []report.Metric
	head := []string{by}
	for _, m := range report.Metrics {
		if m.Stat != report.Median || medians {
			metrics = append(metrics, m)
			head = append(head, m.Key)
		}
	}
	_ = cw.Write(head)
	for _, row := range rows {
		rec := []string{row.Key}
		for _, m := range metrics {
			rec = append(rec, num(m.Value(row.Figures)))
		}
		_ = cw.Write(rec)
	}
	cw.Flush()
	return nil
}

// Heatmap is the JSON form of the created-tickets heat map.
type Heatmap struct {
	TimeZone string `json:"time_zone"`
	// Created[weekday][hour], weekday 0 = Monday.
	Created [7][24]int64 `json:"created"`
}

// ReportHeatmap answers GET /api/v1/reports/heatmap.
func (a *API) ReportHeatmap(w http.ResponseWriter, r *http.Request) error {
	f, format, err := a.reportFilter(r)
	if err != nil {
		return err
	}
	h, err := a.Reports.Heatmap(r.Context(), httpx.Actor(r.Context()), f)
	if err != nil {
		return err
	}
	if format != "csv" {
		return httpx.WriteJSON(w, http.StatusOK, Heatmap{TimeZone: f.Loc.String(), Created: h})
	}
	cw := csvWriter(w, "heatmap")
	_ = cw.Write([]string{"weekday", "hour", "created"})
	days := []string{"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"}
	for d := range h {
		for hr, n := range h[d] {
			_ = cw.Write([]string{days[d], strconv.Itoa(hr), fmt.Sprint(n)})
		}
	}
	cw.Flush()
	return nil
}

// ReportBacklogAges answers GET /api/v1/reports/backlog-ages (the tickets
// unsolved now; the period parameters are accepted but do not apply).
func (a *API) ReportBacklogAges(w http.ResponseWriter, r *http.Request) error {
	f, format, err := a.reportFilter(r)
	if err != nil {
		return err
	}
	ages, err := a.Reports.BacklogAges(r.Context(), httpx.Actor(r.Context()), f)
	if err != nil {
		return err
	}
	if format != "csv" {
		return httpx.WriteJSON(w, http.StatusOK, DataOf(ages))
	}
	cw := csvWriter(w, "backlog-ages")
	_ = cw.Write([]string{"age", "max_seconds", "tickets"})
	for _, b := range ages {
		_ = cw.Write([]string{b.Label, fmt.Sprint(b.Max), fmt.Sprint(b.Count)})
	}
	cw.Flush()
	return nil
}

// ReportTags answers GET /api/v1/reports/tags (?limit=, up to 100).
func (a *API) ReportTags(w http.ResponseWriter, r *http.Request) error {
	f, format, err := a.reportFilter(r, "limit")
	if err != nil {
		return err
	}
	limit := 10
	if v := r.URL.Query().Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 100 {
			return apperr.InvalidField("limit", "must be between 1 and 100")
		}
		limit = n
	}
	tags, err := a.Reports.TagTrends(r.Context(), httpx.Actor(r.Context()), f, limit)
	if err != nil {
		return err
	}
	if format != "csv" {
		return httpx.WriteJSON(w, http.StatusOK, DataOf(tags))
	}
	cw := csvWriter(w, "tags")
	_ = cw.Write([]string{"tag", "tickets", "previous"})
	for _, t := range tags {
		_ = cw.Write([]string{t.Tag, fmt.Sprint(t.Count), fmt.Sprint(t.Previous)})
	}
	cw.Flush()
	return nil
}

// FactRow is a fact as exported.
type FactRow struct {
	TicketID       int64     `json:"ticket_id"`
	Kind           string    `json:"kind"`
	N              int       `json:"n"`
	At             time.Time `json:"at"`
	TeamID         int64     `json:"team_id,omitempty"`
	AgentID        int64     `json:"agent_id,omitempty"`
	Channel        string    `json:"channel"`
	Priority       string    `json:"priority"`
	Type           string    `json:"type"`
	OrganizationID int64     `json:"organization_id,omitempty"`
	Language       string    `json:"language,omitempty"`
	Value          int64     `json:"value"`
	BusinessValue  int64     `json:"business_value"`
}

// ReportFacts answers GET /api/v1/reports/facts (?kind=): the measurements
// behind every figure, streamed as NDJSON (the default) or CSV. JSON asks
// for NDJSON too: the list may be long.
func (a *API) ReportFacts(w http.ResponseWriter, r *http.Request) error {
	f, format, err := a.reportFilter(r, "kind")
	if err != nil {
		return err
	}
	kind := r.URL.Query().Get("kind")
	actor := httpx.Actor(r.Context())
	// Validate before the first byte, so errors are still JSON.
	if err := report.CheckExport(actor, &f, kind); err != nil {
		return err
	}
	if format == "csv" {
		st, cw := csvStream(w, "facts")
		_ = cw.Write([]string{"ticket_id", "kind", "n", "at", "team_id", "agent_id", "channel", "priority", "type", "organization_id", "language", "value", "business_value"})
		err := a.Reports.EachFact(r.Context(), actor, f, kind, func(x report.Fact) error {
			return cw.Write([]string{fmt.Sprint(x.TicketID), x.Kind, strconv.Itoa(x.N), stamp(x.At, f.Loc), fmt.Sprint(x.TeamID), fmt.Sprint(x.AgentID),
				x.Channel, x.Priority, x.Type, fmt.Sprint(x.OrganizationID), x.Language, fmt.Sprint(x.Value), fmt.Sprint(x.BValue)})
		})
		return endCSV(st, cw, err)
	}
	st := httpx.NewStream(w, "application/x-ndjson")
	bw := bufio.NewWriter(st)
	enc := json.NewEncoder(bw)
	err = a.Reports.EachFact(r.Context(), actor, f, kind, func(x report.Fact) error {
		return enc.Encode(FactRow{TicketID: x.TicketID, Kind: x.Kind, N: x.N, At: x.At.UTC(), TeamID: x.TeamID, AgentID: x.AgentID,
			Channel: x.Channel, Priority: x.Priority, Type: x.Type, OrganizationID: x.OrganizationID, Language: x.Language,
			Value: x.Value, BusinessValue: x.BValue})
	})
	return endNDJSON(st, bw, err)
}

// ReportEvents answers GET /api/v1/reports/events: the raw ticket event
// log of the period (by event time), as NDJSON (default) or CSV, for BI
// tools that compute their own metrics.
func (a *API) ReportEvents(w http.ResponseWriter, r *http.Request) error {
	f, format, err := a.reportFilter(r)
	if err != nil {
		return err
	}
	actor := httpx.Actor(r.Context())
	if err := report.CheckExport(actor, &f, ""); err != nil {
		return err
	}
	if format == "csv" {
		st, cw := csvStream(w, "events")
		_ = cw.Write([]string{"id", "ticket_id", "seq", "type", "actor_type", "actor_id", "at", "origin_ticket_id", "data"})
		err := a.Reports.EachEvent(r.Context(), actor, f, func(e ticket.Event) error {
			data, _ := json.Marshal(e.Data)
			return cw.Write([]string{fmt.Sprint(e.ID), fmt.Sprint(e.TicketID), fmt.Sprint(e.Seq), e.Type, e.ActorType, fmt.Sprint(e.ActorID),
				stamp(e.At, f.Loc), fmt.Sprint(e.OriginTicketID), string(data)})
		})
		return endCSV(st, cw, err)
	}
	st := httpx.NewStream(w, "application/x-ndjson")
	bw := bufio.NewWriter(st)
	enc := json.NewEncoder(bw)
	err = a.Reports.EachEvent(r.Context(), actor, f, func(e ticket.Event) error {
		e.At = e.At.UTC()
		return enc.Encode(e)
	})
	return endNDJSON(st, bw, err)
}

// csvStream starts a streamed CSV download (see csvWriter): the status
// line waits for the first rows, so a query that fails at once is still
// answered with its error.
func csvStream(w http.ResponseWriter, name string) (*httpx.Stream, *csv.Writer) {
	st := httpx.NewStream(w, "text/csv; charset=utf-8")
	st.Header().Set("Content-Disposition", `attachment; filename="`+name+`.csv"`)
	_, _ = st.Write([]byte("\uFEFF"))
	return st, csv.NewWriter(st)
}

// endCSV flushes a streamed CSV and ends the stream with the first error.
func endCSV(st *httpx.Stream, cw *csv.Writer, err error) error {
	if err == nil {
		cw.Flush()
		err = cw.Error()
	}
	return st.Close(err)
}

// endNDJSON flushes a streamed NDJSON body and ends the stream with the
// first error.
func endNDJSON(st *httpx.Stream, bw *bufio.Writer, err error) error {
	if err == nil {
		err = bw.Flush()
	}
	return st.Close(err)
}
