package api

import (
	"net/http"
	"slices"
	"strconv"

	"github.com/ombud/ombud/internal/web/httpx"
)

// ReportChat answers GET /api/v1/reports/chat: the period's live chat
// figures in total and per agent (docs/metrics.md, "Live chat"); CSV has
// one row per agent and a last row "all" for the totals.
func (a *API) ReportChat(w http.ResponseWriter, r *http.Request) error {
	f, format, err := a.reportFilter(r)
	if err != nil {
		return err
	}
	rep, err := a.Reports.Chat(r.Context(), httpx.Actor(r.Context()), f)
	if err != nil {
		return err
	}
	if format != "csv" {
		return httpx.WriteJSON(w, http.StatusOK, rep)
	}
	cw := csvWriter(w, "chat")
	_ = cw.Write([]string{"agent_id", "offered", "accepted", "declined", "missed", "accept_rate", "accept_avg_seconds",
		"waits", "wait_median_seconds", "wait_avg_seconds", "chats", "duration_median_seconds", "duration_avg_seconds",
		"peak_concurrent", "avg_concurrent", "abandoned"})
	n := func(v int64) string { return strconv.FormatInt(v, 10) }
	rows := append(slices.Clone(rep.Agents), rep.Totals)
	for i, c := range rows {
		id, abandoned := n(c.AgentID), ""
		if i == len(rows)-1 {
			id, abandoned = "all", n(rep.Abandoned)
		}
		_ = cw.Write([]string{id, n(c.Offered), n(c.Accepted), n(c.Declined), n(c.Missed), num(c.AcceptRate), num(c.AcceptAvg),
			n(c.Waits), num(c.WaitMedian), num(c.WaitAvg), n(c.Chats), num(c.DurationMedian), num(c.DurationAvg),
			n(c.PeakConcurrent), num(c.AvgConcurrent), abandoned})
	}
	cw.Flush()
	return nil
}
