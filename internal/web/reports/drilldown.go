package reports

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	agentsvc "github.com/ombud/ombud/internal/agent"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/page"
	"github.com/ombud/ombud/internal/report"
	"github.com/ombud/ombud/internal/search"
	"github.com/ombud/ombud/internal/sla"
	"github.com/ombud/ombud/internal/ticket"
)

// Drill-downs: the facts behind a figure and their tickets.

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
	report.KindCSAT:        "Satisfaction ratings",
	report.KindChatOffered: "Chats offered", report.KindChatAccepted: "Chats accepted", report.KindChatDeclined: "Chat offers declined",
	report.KindChatMissed: "Offers missed", report.KindChatWait: "Wait to first agent message", report.KindChatDuration: "Chat durations",
	report.KindChatAbandoned: "Chats nobody took",
	report.KindCSATSurvey:    "Satisfaction surveys sent", report.KindNPS: "NPS answers", report.KindNPSSent: "NPS surveys sent",
	report.KindIQS: "QA reviews",
}

// surveyKinds are the NPS kinds: their facts belong to a survey send, not
// a ticket.
var surveyKinds = map[string]bool{report.KindNPS: true, report.KindNPSSent: true}

// durationKinds have seconds for values.
var durationKinds = map[string]bool{
	report.KindFirstReply: true, report.KindNextReply: true, report.KindSolved: true, report.KindWait: true, report.KindOnHold: true,
	report.KindChatAccepted: true, report.KindChatWait: true, report.KindChatDuration: true, report.KindChatAbandoned: true,
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
	case x.Kind == report.KindCSAT:
		if x.Value == 1 {
			return c.t("Good (%d)", x.BValue), ""
		}
		return c.t("Bad (%d)", x.BValue), ""
	case x.Kind == report.KindCSATSurvey, x.Kind == report.KindNPSSent:
		if x.Value == 1 {
			return c.t("answered"), ""
		}
		return c.t("not answered"), ""
	case x.Kind == report.KindNPS:
		score := strconv.FormatInt(x.BValue, 10)
		switch x.Value {
		case 1:
			return c.t("Promoter (%s)", score), ""
		case 0:
			return c.t("Passive (%s)", score), ""
		}
		return c.t("Detractor (%s)", score), ""
	case x.Kind == report.KindIQS:
		v := float64(x.Value) / 10000
		if x.BValue == 1 {
			return c.t("%s, critical fail", c.value(report.Ratio, &v)), ""
		}
		return c.value(report.Ratio, &v), ""
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
	first := c.t("Ticket")
	if surveyKinds[kind] {
		first = c.t("Survey")
	}
	head := []headCell{{Label: first}, {Label: c.t("When")}}
	if kind == report.KindIQS {
		head = append(head, headCell{Label: c.t("Review")})
	}
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
		if x.TicketID == 0 && surveyKinds[x.Kind] {
			// An NPS survey belongs to no ticket: the fact names its send.
			row[0] = cell{Text: c.t("NPS survey %s", strconv.Itoa(x.N)), Head: true}
		}
		if kind == report.KindIQS {
			row = append(row, cell{Text: c.t("Review %s", strconv.Itoa(x.N)), Href: "/qa/reviews/" + strconv.Itoa(x.N)})
		}
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
	if total > 0 && !surveyKinds[kind] {
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
