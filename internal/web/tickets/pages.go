package tickets

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	agentsvc "github.com/ombud/ombud/internal/agent"
	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/channel/email"
	"github.com/ombud/ombud/internal/opt"
	"github.com/ombud/ombud/internal/page"
	"github.com/ombud/ombud/internal/search"
	"github.com/ombud/ombud/internal/ticket"
	"github.com/ombud/ombud/internal/web/httpx"
)

// Home sends agents to their ticket list.
func (u *UI) Home(w http.ResponseWriter, r *http.Request) error {
	http.Redirect(w, r, "/tickets", http.StatusSeeOther)
	return nil
}

// view is a built-in ticket list.
type view struct {
	Key, Name string
	filter    func(me viewer) ticket.Filter
}

// viewer is who a view is computed for.
type viewer struct {
	id    int64
	teams []int64
}

var unsolved = []ticket.Status{ticket.StatusNew, ticket.StatusOpen, ticket.StatusPending, ticket.StatusOnHold}

var views = []view{
	{"mine", "My open tickets", func(me viewer) ticket.Filter { return ticket.Filter{AssigneeID: me.id, Statuses: unsolved} }},
	{"my_teams", "Unassigned in my teams", func(me viewer) ticket.Filter {
		return ticket.Filter{Unassigned: true, TeamIDs: me.teams, TeamsOnly: true, Statuses: unsolved}
	}},
	{"unassigned", "All unassigned", func(viewer) ticket.Filter {
		return ticket.Filter{Unassigned: true, Statuses: unsolved}
	}},
	{"open", "All unsolved", func(viewer) ticket.Filter { return ticket.Filter{Statuses: unsolved} }},
	{"pending", "Pending", func(viewer) ticket.Filter { return ticket.Filter{Statuses: []ticket.Status{ticket.StatusPending}} }},
	{"on_hold", "On hold", func(viewer) ticket.Filter { return ticket.Filter{Statuses: []ticket.Status{ticket.StatusOnHold}} }},
	{"solved", "Recently solved", func(viewer) ticket.Filter {
		return ticket.Filter{Statuses: []ticket.Status{ticket.StatusSolved, ticket.StatusClosed}}
	}},
	// Computed by the SLA service, not a filter: unsolved tickets with a
	// running clock due within two hours or overdue, earliest first.
	{atRiskKey, "SLA at risk", nil},
}

// TicketList shows a view or search results.
func (u *UI) TicketList(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	actor := httpx.Actor(ctx)
	qs := r.URL.Query()
	key := qs.Get("view")
	if key == "" {
		key = "open"
	}
	cur := views[3]
	for _, v := range views {
		if v.Key == key {
			cur = v
		}
	}
	saved, err := u.savedView(ctx, actor, key) // views.go: ?view=v<ID>
	if err != nil {
		return err
	}
	if saved != nil {
		cur = view{Key: key, Name: saved.Name}
	}
	pr, err := page.Parse("50", qs.Get("cursor"))
	if err != nil {
		return err
	}
	me := viewer{id: actor.ID}
	if a, err := u.Agents.GetAgent(ctx, actor, actor.ID); err == nil {
		me.teams = a.TeamIDs
	} else if !apperr.Is(err, apperr.CodeNotFound) {
		return err
	}
	q := strings.TrimSpace(qs.Get("q"))
	status := http.StatusOK
	var list page.List[ticket.Ticket]
	var searchErr string
	title := cur.Name
	if q != "" {
		title = "Search"
		parsed, err := search.ParseIn(q, location(r))
		if err == nil {
			list, err = u.Tickets.Search(ctx, actor, parsed, pr)
		}
		if err != nil {
			e := u.ErrIn(r, err)
			if e.Code == apperr.CodeInternal {
				return err
			}
			searchErr = u.queryError(u.lang(r), err) // search.go: in the agent's language
			status = httpx.Status(e.Code)
		}
	} else if saved != nil {
		if list, searchErr, status, err = u.runSavedView(ctx, r, *saved, pr); err != nil {
			return err
		}
	} else if cur.filter == nil {
		if list, err = u.atRiskList(ctx, actor); err != nil {
			return err
		}
	} else {
		list, err = u.Tickets.List(ctx, actor, cur.filter(me), pr)
		if err != nil {
			return err
		}
	}
	ids := []int64{}
	for _, t := range list.Data {
		if t.AssigneeID != nil {
			ids = append(ids, *t.AssigneeID)
		}
	}
	names, err := u.Agents.Brief(ctx, ids)
	if err != nil {
		return err
	}
	loc, lang := location(r), u.lang(r)
	rows := make([]row, 0, len(list.Data))
	for _, t := range list.Data {
		rw := row{Ticket: t, Updated: when(lang, t.UpdatedAt, loc), Created: when(lang, t.CreatedAt, loc)}
		if t.AssigneeID != nil {
			rw.Assignee = names[*t.AssigneeID].Name
		}
		rows = append(rows, rw)
	}
	next := ""
	if list.NextCursor != nil {
		v := url.Values{"cursor": {*list.NextCursor}}
		if q != "" {
			v.Set("q", q)
		} else {
			v.Set("view", cur.Key)
		}
		next = "/tickets?" + v.Encode()
	}
	counts := map[string]int{}
	stamp, err := u.Tickets.Stamp(ctx)
	if err != nil {
		return err
	}
	for _, v := range views {
		if v.filter == nil {
			if cur.Key == v.Key && q == "" {
				counts[v.Key] = len(list.Data)
				continue
			}
			n, err := u.atRiskCount(ctx, actor, stamp)
			if err != nil {
				return err
			}
			counts[v.Key] = n
			continue
		}
		n, err := u.viewCount(ctx, actor, me, v, stamp)
		if err != nil {
			return err
		}
		counts[v.Key] = n
	}
	agents, err := u.Agents.ListAgents(ctx, actor, agentsvc.Filter{Page: page.Request{Limit: page.MaxLimit}})
	if err != nil {
		return err
	}
	flash := ""
	if d := qs.Get("updated"); d != "" {
		flash = u.i18n.T(lang, "%s tickets updated.", d)
		if into := qs.Get("merged_into"); into != "" {
			flash = u.i18n.T(lang, "%s tickets merged into #%s.", d, into)
		}
		if f := qs.Get("failed"); f != "" && f != "0" {
			flash += " " + u.i18n.T(lang, "%s could not be changed: %s", f, qs.Get("why"))
		}
	}
	if n := u.bulkNotice(lang, qs.Get("bulk")); n != "" { // lists.go
		flash = n
	}
	if n := u.deletedNotice(lang, qs); n != "" { // deleteticket.go
		flash = n
	}
	back := r.URL.RequestURI()
	data := map[string]any{
		"Views": views, "Current": cur.Key, "Rows": rows, "Next": next, "Query": q, "Searching": q != "",
		"Counts": counts, "Agents": agents.Data, "Statuses": ticket.Statuses, "Priorities": ticket.Priorities,
		"Flash": flash, "Back": back, "AtRisk": cur.Key == atRiskKey && q == "",
		"Found": u.searchTotal(lang, list), // searchtotal.go
	}
	if err := u.addListSLA(ctx, r, data, list.Data); err != nil { // lists.go: SLA due for the page
		return err
	}
	if err := u.addViewData(ctx, r, data, saved, rows, stamp); err != nil {
		return err
	}
	if err := u.markUndelivered(ctx, data, list.Data); err != nil { // delivery.go
		return err
	}
	return u.render(w, r, status, "list", pageData{Title: title, Nav: cur.Key, Error: searchErr, Data: data})
}

// BulkUpdate answers POST /tickets/bulk: the list's selected tickets get
// the chosen changes, each ticket all or nothing.
func (u *UI) BulkUpdate(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	actor := httpx.Actor(ctx)
	if err := r.ParseForm(); err != nil {
		return apperr.InvalidField("ids", "is not a form")
	}
	var ids []int64
	for _, v := range r.PostForm["ids"] {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return apperr.InvalidField("ids", "must be ticket ids")
		}
		ids = append(ids, id)
	}
	var p ticket.Patch
	if v := r.PostFormValue("status"); v != "" {
		st := ticket.Status(v)
		p.Status = &st
	}
	if v := r.PostFormValue("priority"); v != "" {
		p.Priority = &v
	}
	switch v := r.PostFormValue("assignee_id"); v {
	case "":
	case "none":
		p.AssigneeID = opt.Null[int64]()
	case "me":
		p.AssigneeID = opt.Of(actor.ID)
	default:
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return apperr.InvalidField("assignee_id", "must be an agent id")
		}
		p.AssigneeID = opt.Of(n)
	}
	if v := strings.TrimSpace(r.PostFormValue("add_tag")); v != "" {
		p.AddTags = []string{v}
	}
	// An apply that would change nothing keeps the list, with a notice (lists.go).
	switch merge := r.PostFormValue("action") == "merge"; {
	case merge && len(ids) < 2:
		return emptyBulk(w, r, "merge")
	case !merge && len(ids) == 0:
		return emptyBulk(w, r, "none")
	case !merge && p.Status == nil && p.Priority == nil && !p.AssigneeID.Set && len(p.AddTags) == 0:
		return emptyBulk(w, r, "nochange")
	}
	if r.PostFormValue("action") == "merge" {
		return u.bulkMerge(w, r, ids)
	}
	res, err := u.Tickets.BulkUpdate(ctx, actor, ids, p)
	if err != nil {
		e := u.ErrIn(r, err)
		if e.Code == apperr.CodeInternal || e.Code == apperr.CodeForbidden {
			return err
		}
		msg := e.Message + u.describeFields(u.lang(r), e.Fields)
		if e.Fields["ids"] == "is required" {
			msg = "Select at least one ticket."
		}
		return apperr.InvalidField("ids", msg)
	}
	failed, why := 0, ""
	for _, x := range res {
		if x.Error != nil {
			failed++
			if why == "" {
				why = fmt.Sprintf("#%d: %s", x.ID, x.Error.Message)
			}
		}
	}
	back := safeNext(r.PostFormValue("back"))
	sep := "?"
	if strings.Contains(back, "?") {
		sep = "&"
	}
	v := url.Values{"updated": {strconv.Itoa(len(res) - failed)}, "failed": {strconv.Itoa(failed)}, "why": {why}}
	http.Redirect(w, r, back+sep+v.Encode(), http.StatusSeeOther)
	return nil
}

// bulkMerge merges the selected tickets into the oldest of them (the
// lowest number: the conversation that started first), one at a time, and
// reports how many went in and why any did not.
func (u *UI) bulkMerge(w http.ResponseWriter, r *http.Request, ids []int64) error {
	ctx := r.Context()
	actor := httpx.Actor(ctx)
	if err := authz.Check(actor, authz.TicketMerge); err != nil {
		return err
	}
	slices.Sort(ids)
	ids = slices.Compact(ids)
	if len(ids) < 2 {
		return apperr.InvalidField("ids", "Select at least two tickets to merge.")
	}
	if len(ids) > 100 {
		return apperr.InvalidField("ids", "Merge at most 100 tickets at a time.")
	}
	target := ids[0]
	merged, failed, why := 0, 0, ""
	for _, id := range ids[1:] {
		if _, err := u.Tickets.Merge(ctx, actor, target, id); err != nil {
			e := u.ErrIn(r, err)
			if e.Code == apperr.CodeInternal {
				return err
			}
			failed++
			if why == "" {
				why = fmt.Sprintf("#%d: %s", id, e.Message)
			}
			continue
		}
		merged++
	}
	back := safeNext(r.PostFormValue("back"))
	sep := "?"
	if strings.Contains(back, "?") {
		sep = "&"
	}
	v := url.Values{"updated": {strconv.Itoa(merged)}, "merged_into": {strconv.FormatInt(target, 10)}, "failed": {strconv.Itoa(failed)}, "why": {why}}
	http.Redirect(w, r, back+sep+v.Encode(), http.StatusSeeOther)
	return nil
}

type commentView struct {
	ticket.Comment
	AuthorName  string
	When        string
	HasOriginal bool // it came by email: the full message can be shown
	// Mail is the email behind it; Mail.Unverified() warns that its sender
	// could not be proven.
	Mail email.CommentMail
	// HiddenImages counts the elements whose remote images are held back;
	// ShowImages is the address of the page showing them (remoteimages.go).
	HiddenImages int
	ShowImages   string
	// Delivery is how a reply sent by email is doing (delivery.go).
	Delivery *deliveryView
	// Social is how a reply sent through a messaging provider is doing
	// (messaging.go).
	Social *socialView
}

type eventView struct {
	ticket.Event
	Actor string
	When  string
	Text  string
	Link  string // a call's recording (phonecalls.go)
}

// TicketPage shows one ticket: conversation, composer, fields and history.
func (u *UI) TicketPage(w http.ResponseWriter, r *http.Request) error {
	return u.ticketPage(w, r, http.StatusOK, "", "", nil)
}

func (u *UI) ticketPage(w http.ResponseWriter, r *http.Request, status int, errMsg, draft string, fields map[string]string) error {
	return u.ticketPageWith(w, r, status, errMsg, draft, fields, nil)
}

// ticketPageWith renders the ticket page; a macro preview, when given,
// fills the composer with its text (draft) and lists what else it does.
func (u *UI) ticketPageWith(w http.ResponseWriter, r *http.Request, status int, errMsg, draft string, fields map[string]string, preview *macroPreview) error {
	return u.ticketPageFull(w, r, ticketPageOpts{status: status, errMsg: errMsg, draft: draft, fields: fields, preview: preview})
}

// ticketPageWithPanel renders the ticket page with a refused fields panel
// as it was sent (ticketpanel.go).
func (u *UI) ticketPageWithPanel(w http.ResponseWriter, r *http.Request, status int, errMsg string, panelErrs map[string]string, sent *form) error {
	return u.ticketPageFull(w, r, ticketPageOpts{status: status, errMsg: errMsg, panelErrs: panelErrs, panelSent: sent})
}

// ticketPageOpts says how to render the ticket page: the composer's draft
// and refused fields, a macro preview, or a refused fields panel.
type ticketPageOpts struct {
	status        int
	errMsg, draft string
	fields        map[string]string
	preview       *macroPreview
	panelErrs     map[string]string
	panelSent     *form
	supersedes    int64 // the composer resends this undelivered reply (delivery.go)
}

func (u *UI) ticketPageFull(w http.ResponseWriter, r *http.Request, o ticketPageOpts) error {
	status, errMsg, draft, fields, preview := o.status, o.errMsg, o.draft, o.fields, o.preview
	ctx := r.Context()
	actor := httpx.Actor(ctx)
	id, err := httpx.PathID(r, "id", "ticket")
	if err != nil {
		return err
	}
	t, err := u.Tickets.Get(ctx, actor, id)
	if err != nil {
		return err
	}
	notePreset := false
	if draft == "" {
		// The saved draft: what the agent typed here before, on any device.
		d, err := u.Tickets.GetDraft(ctx, actor, id)
		if err != nil {
			return err
		}
		draft, notePreset = d.Body, d.Body != "" && !d.Public
	} else if r.Method == http.MethodPost && r.PostForm.Get("public") == "false" {
		notePreset = true // a refused note comes back as a note, not a reply
	}
	cs, err := u.Tickets.ListComments(ctx, actor, id, page.Request{Limit: page.MaxLimit})
	if err != nil {
		return err
	}
	ev, err := u.Tickets.ListEvents(ctx, actor, id, page.Request{Limit: page.MaxLimit})
	if err != nil {
		return err
	}
	agents, err := u.Agents.ListAgents(ctx, actor, agentsvc.Filter{Page: page.Request{Limit: page.MaxLimit}})
	if err != nil {
		return err
	}
	names := map[int64]string{}
	for _, a := range agents.Data {
		names[a.ID] = a.Name
	}
	loc, lang := location(r), u.lang(r)
	requester := "Customer"
	if t.Requester != nil {
		requester = t.Requester.Name
	}
	originals := map[int64]email.CommentMail{}
	if u.Email != nil {
		if originals, err = u.Email.WithOriginal(ctx, id); err != nil {
			return err
		}
	}
	// Customers other than the requester write too (people copied on the
	// mail): name each by their own record.
	customerNames := map[int64]string{}
	if u.Customers != nil {
		var ids []int64
		for _, c := range cs.Data {
			if c.AuthorType == "customer" && c.AuthorID != 0 && c.AuthorID != t.RequesterID {
				ids = append(ids, c.AuthorID)
			}
		}
		briefs, err := u.Customers.Brief(ctx, ids)
		if err != nil {
			return err
		}
		for id, b := range briefs {
			customerNames[id] = b.Name
		}
	}
	customerName := func(id int64) string {
		if n, ok := customerNames[id]; ok {
			return n
		}
		return requester
	}
	comments := make([]commentView, 0, len(cs.Data))
	for _, c := range cs.Data {
		mail, fromMail := originals[c.ID]
		cv := commentView{Comment: c, When: when(lang, c.CreatedAt, loc), HasOriginal: fromMail, Mail: mail}
		switch c.AuthorType {
		case "agent":
			cv.AuthorName = names[c.AuthorID]
		case "customer":
			cv.AuthorName = customerName(c.AuthorID)
		default:
			cv.AuthorName = "Ombud"
			u.systemNoteIn(lang, &cv) // Ombud's own notes in the reader's language
		}
		comments = append(comments, cv)
	}
	u.markMentions(r, comments) // composer.go
	// Each reply's delivery state (delivery.go).
	if err := u.markDeliveries(r, t, comments); err != nil {
		return err
	}
	replyWindow, err := u.markMessaging(r, t, comments) // messaging.go
	if err != nil {
		return err
	}
	if o.supersedes == 0 && r.Method == http.MethodPost {
		o.supersedes = supersedesOf(r.PostForm.Get("supersedes")) // a refused resend stays one
	}
	if err := hideRemoteImages(w, r, comments, true); err != nil {
		return err
	}
	events := make([]eventView, 0, len(ev.Data))
	for _, e := range ev.Data {
		a := "Ombud"
		switch e.ActorType {
		case "agent":
			a = names[e.ActorID]
		case "customer":
			a = customerName(e.ActorID)
		}
		events = append(events, eventView{Event: e, Actor: a, When: when(lang, e.At, loc), Text: u.describe(lang, e, names), Link: recording(e)})
	}
	assignee := ""
	if t.AssigneeID != nil {
		assignee = names[*t.AssigneeID]
	}
	slaState, err := u.ticketSLA(ctx, actor, id, loc, lang)
	if err != nil {
		return err
	}
	macros, err := u.usableMacros(ctx, actor)
	if err != nil {
		return err
	}
	if preview != nil {
		notePreset = !preview.Public
	}
	pnl, err := u.ticketPanel(ctx, actor, t, agents.Data, o.panelErrs, o.panelSent)
	if err != nil {
		return err
	}
	who, err := u.requesterPanel(ctx, r, actor, t) // requesterpanel.go
	if err != nil {
		return err
	}
	rating, err := u.csatPanel(ctx, actor, lang, loc, t.ID) // csat.go
	if err != nil {
		return err
	}
	knowledge, err := u.knowledgePanel(r, t, comments) // knowledge.go
	if err != nil {
		return err
	}
	form := ""
	if u.Forms != nil {
		if form, err = u.Forms.FormOfTicket(ctx, t.ID); err != nil {
			return err
		}
	}
	ordersPanel, err := u.ordersPanel(r, t) // orderspanel.go
	if err != nil {
		return err
	}
	return u.render(w, r, status, "ticket", pageData{Title: fmt.Sprintf("#%d %s", t.ID, t.Subject), Error: errMsg, Data: map[string]any{
		"Panel": pnl, "Who": who, "MergedFrom": mergedFrom(r), "CSAT": rating, "Knowledge": knowledge, "ReplyWindow": replyWindow, "Form": form, "Orders": ordersPanel,
		"T": t, "Comments": comments, "Events": events, "Agents": agents.Data, "Assignee": assignee,
		"Statuses": ticket.Statuses, "Priorities": ticket.Priorities, "Types": ticket.Types,
		"Created": when(lang, t.CreatedAt, loc), "Draft": draft, "DraftIsNote": notePreset, "Fields": fields, "Tags": strings.Join(t.Tags, ", "),
		"SLA": slaState, "Macros": macros, "Preview": preview, "Upload": u.uploadLimits(), "Supersedes": o.supersedes,
		// A note-only role (collaborator, QA reviewer) gets a composer for
		// notes and a read-only panel: the service refuses the rest.
		"CanUpdate": authz.Can(actor, authz.TicketUpdate), "CanReply": authz.Can(actor, authz.TicketReply),
	}})
}

// AddComment posts the composer.
func (u *UI) AddComment(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id", "ticket")
	if err != nil {
		return err
	}
	form, err := u.readComposer(r) // composer.go: text fields and uploaded files
	if err != nil {
		return err
	}
	body := form.values.Get("body")
	public := form.values.Get("public") != "false"
	if form.fileErr != "" {
		// A file over a limit: nothing is sent, the text stays.
		return u.ticketPage(w, r, http.StatusRequestEntityTooLarge, form.fileErr, body, map[string]string{"attachments": form.fileErr})
	}
	if warn, err := u.changedSince(r, id, form.values.Get("version")); err != nil {
		return err
	} else if warn != "" && public {
		// Collision: someone else wrote to the customer while this reply was
		// being typed. Show what changed, keep the draft, let the agent
		// decide; the page carries the new version, so sending again goes
		// through.
		warn, fields := u.filesLost(r, form, warn, nil)
		return u.ticketPage(w, r, http.StatusConflict, warn, body, fields)
	}
	in := ticket.CommentInput{Body: body, Public: &public, Status: ticket.Status(form.values.Get("status")), Files: form.files,
		Supersedes: supersedesOf(form.values.Get("supersedes"))} // delivery.go: edit and resend
	// With a previewed macro, its kept field changes go too (macrocompose.go).
	if preview, err := u.sendComment(r, id, in, form.values); err != nil {
		e := u.ErrIn(r, err)
		if e.Code == apperr.CodeInternal || e.Code == apperr.CodeNotFound {
			return err
		}
		// Keep what the agent typed: nothing is lost on a refused send.
		msg, fields := u.filesLost(r, form, e.Message+u.describeFields(u.lang(r), e.Fields), e.Fields)
		return u.ticketPageWith(w, r, httpx.Status(e.Code), msg, body, fields, preview)
	}
	http.Redirect(w, r, fmt.Sprintf("/tickets/%d#latest", id), http.StatusSeeOther)
	return nil
}

func (u *UI) describeFields(lang string, f map[string]string) string {
	if len(f) == 0 {
		return ""
	}
	var parts []string
	for k, v := range f {
		parts = append(parts, u.FieldName(lang, k)+" "+u.MsgIn(lang, v))
	}
	return ": " + strings.Join(parts, "; ")
}

// changedSince describes the comments other people added to a ticket after
// the version the composer was opened at ("" when none, or no version sent).
func (u *UI) changedSince(r *http.Request, id int64, version string) (string, error) {
	v, err := strconv.ParseInt(version, 10, 64)
	if err != nil || v <= 0 {
		return "", nil
	}
	ctx := r.Context()
	actor := httpx.Actor(ctx)
	t, err := u.Tickets.Get(ctx, actor, id)
	if err != nil || t.Version <= v {
		return "", err
	}
	evs, err := u.Tickets.ListEvents(ctx, actor, id, page.Request{Limit: page.MaxLimit, Cursor: &page.Cursor{ID: v}})
	if err != nil {
		return "", err
	}
	var who []string
	for _, e := range evs.Data {
		if e.Type != ticket.EvCommentAdded || (e.ActorType == string(authz.KindAgent) && e.ActorID == actor.ID) {
			continue
		}
		name := "the customer"
		if e.ActorType == string(authz.KindAgent) {
			name = "another agent"
			if a, err := u.Agents.GetAgent(ctx, actor, e.ActorID); err == nil {
				name = a.Name
			}
		}
		if !slices.Contains(who, name) {
			who = append(who, name)
		}
	}
	if len(who) == 0 {
		return "", nil
	}
	return "While you were writing, " + strings.Join(who, " and ") + " added to this ticket. Read the new messages, then send your reply again.", nil
}

// SaveDraft answers POST /tickets/{id}/draft: the composer's text, saved as
// the agent types (an empty body removes the draft).
func (u *UI) SaveDraft(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	id, err := httpx.PathID(r, "id", "ticket")
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return apperr.InvalidField("body", "is not a form")
	}
	public := r.PostFormValue("public") != "false"
	if err := u.Tickets.SaveDraft(ctx, httpx.Actor(ctx), id, r.PostFormValue("body"), public); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// viewCount counts a view's tickets, reusing the last count while no ticket
// has changed since (the sidebar would otherwise count every view on every
// page load).
// atRiskCount is the "SLA at risk" count for the sidebar. Computing it
// replays the clocks of every candidate ticket, so it is cached like the
// other counts — for the ticket stamp and, since tickets fall into the
// view as time passes, for half a minute at most. The list itself is
// always computed fresh.
func (u *UI) atRiskCount(ctx context.Context, actor authz.Actor, stamp string) (int, error) {
	const key = "sla-at-risk"
	st := stamp + "@" + strconv.FormatInt(time.Now().Unix()/30, 10)
	u.counts.mu.Lock()
	e, ok := u.counts.m[key]
	u.counts.mu.Unlock()
	if ok && e.stamp == st {
		return e.n, nil
	}
	ids, err := u.atRiskTickets(ctx, actor, atRiskLimit)
	if err != nil {
		return 0, err
	}
	u.counts.mu.Lock()
	if u.counts.m == nil || len(u.counts.m) > 10000 {
		u.counts.m = map[string]countEntry{}
	}
	u.counts.m[key] = countEntry{stamp: st, n: len(ids)}
	u.counts.mu.Unlock()
	return len(ids), nil
}

func (u *UI) viewCount(ctx context.Context, actor authz.Actor, me viewer, v view, stamp string) (int, error) {
	key := fmt.Sprint(me.id, me.teams, v.Key)
	u.counts.mu.Lock()
	e, ok := u.counts.m[key]
	u.counts.mu.Unlock()
	if ok && e.stamp == stamp {
		return e.n, nil
	}
	n, err := u.Tickets.Count(ctx, actor, v.filter(me))
	if err != nil {
		return 0, err
	}
	u.counts.mu.Lock()
	if u.counts.m == nil || len(u.counts.m) > 10000 {
		u.counts.m = map[string]countEntry{}
	}
	u.counts.m[key] = countEntry{stamp: stamp, n: n}
	u.counts.mu.Unlock()
	return n, nil
}
