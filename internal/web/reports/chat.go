package reports

import (
	"net/http"
	"strconv"

	"github.com/ombud/ombud/internal/report"
)

// ReportChat is GET /reports/chat: live chat per agent — chats offered,
// accepted, declined and missed, the accept rate, the wait to the first
// agent message, how long chats were held and how many at once
// (docs/metrics.md, "Live chat").
func (u *UI) ReportChat(w http.ResponseWriter, r *http.Request) error {
	c, ok, err := u.beginReport(w, r, "chat", "Live chat")
	if !ok {
		return err
	}
	rep, err := u.Reports.Chat(c.ctx, c.actor, c.f)
	if err != nil {
		return err
	}
	tot := rep.Totals
	tile := func(label, value, href string) kpiTile {
		return kpiTile{Label: c.s(label), Value: value, Href: href, Trend: "none"}
	}
	c.page.Tiles = append(c.page.Tiles,
		tile("Chats offered", c.count(tot.Offered), c.facts(report.KindChatOffered)),
		tile("Chats accepted", c.count(tot.Accepted), c.facts(report.KindChatAccepted)),
		tile("Offers missed", c.count(tot.Missed), c.facts(report.KindChatMissed)),
		tile("Accept rate", c.value(report.Ratio, tot.AcceptRate), ""),
		tile("Median wait to first agent message", c.value(report.Seconds, tot.WaitMedian), c.facts(report.KindChatWait)),
		tile("Median chat duration", c.value(report.Seconds, tot.DurationMedian), c.facts(report.KindChatDuration)),
		tile("Chats nobody took", c.count(rep.Abandoned), c.facts(report.KindChatAbandoned)))
	ids := make([]int64, len(rep.Agents))
	for i, a := range rep.Agents {
		ids[i] = a.AgentID
	}
	briefs, err := u.Agents.Brief(c.ctx, ids)
	if err != nil {
		return err
	}
	t := dataTable{Caption: c.t("Live chat by agent"), Empty: c.t("No chats were offered in this period."),
		Head: []headCell{{Label: c.t("Agent")}, {Label: c.t("Offered"), Num: true}, {Label: c.t("Accepted"), Num: true},
			{Label: c.t("Declined"), Num: true}, {Label: c.t("Missed"), Num: true}, {Label: c.t("Accept rate"), Num: true},
			{Label: c.t("Median wait to first agent message"), Num: true}, {Label: c.t("Median chat duration"), Num: true},
			{Label: c.t("Peak concurrent chats"), Num: true}, {Label: c.t("Average concurrent chats"), Num: true}}}
	for _, a := range rep.Agents {
		id := strconv.FormatInt(a.AgentID, 10)
		name := c.t("Agent %s", id)
		if b, ok := briefs[a.AgentID]; ok {
			name = b.Name
		}
		link := func(kind string) string { return c.facts(kind, "agent_id", id) }
		t.Rows = append(t.Rows, []cell{{Text: name, Head: true},
			{Text: c.count(a.Offered), Href: link(report.KindChatOffered), Num: true},
			{Text: c.count(a.Accepted), Href: link(report.KindChatAccepted), Num: true},
			{Text: c.count(a.Declined), Href: link(report.KindChatDeclined), Num: true},
			{Text: c.count(a.Missed), Href: link(report.KindChatMissed), Num: true},
			{Text: c.value(report.Ratio, a.AcceptRate), Num: true},
			{Text: c.value(report.Seconds, a.WaitMedian), Href: link(report.KindChatWait), Num: true},
			{Text: c.value(report.Seconds, a.DurationMedian), Href: link(report.KindChatDuration), Num: true},
			{Text: c.count(a.PeakConcurrent), Num: true},
			{Text: c.value("", a.AvgConcurrent), Num: true}})
	}
	c.page.Tables = append(c.page.Tables, t)
	c.page.TablesFirst = true
	return u.renderReport(w, r, http.StatusOK, c)
}
