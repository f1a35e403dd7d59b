package tickets

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/page"
	"github.com/ombud/ombud/internal/search"
	"github.com/ombud/ombud/internal/ticket"
	"github.com/ombud/ombud/internal/web/httpx"
)

// This file holds saved ticket views in the agent UI: the sidebar entries
// with their counts, a saved view's own columns and order on the ticket
// list (/tickets?view=v<ID>), and the forms to add, change and delete
// views. The ticket service decides who may do what; the pages only decide
// which forms to offer.

// savedKeyPrefix marks a saved view in ?view=: "v12" is view 12, which no
// built-in view key can be mistaken for.
const savedKeyPrefix = "v"

// savedViewKey is the ?view= value of a saved view.
func savedViewKey(id int64) string { return savedKeyPrefix + strconv.FormatInt(id, 10) }

// savedView reads the saved view a ?view= key names; nil when the key is
// no saved view's (a built-in view, or nothing).
func (u *UI) savedView(ctx context.Context, actor authz.Actor, key string) (*ticket.View, error) {
	digits, ok := strings.CutPrefix(key, savedKeyPrefix)
	if !ok {
		return nil, nil
	}
	id, err := strconv.ParseInt(digits, 10, 64)
	if err != nil || id <= 0 {
		return nil, nil
	}
	v, err := u.Tickets.GetView(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	return &v, nil
}

// runSavedView lists a saved view's page of tickets. A query that stopped
// compiling since it was saved shows as the page's error, never a 500.
func (u *UI) runSavedView(ctx context.Context, r *http.Request, v ticket.View, pr page.Request) (page.List[ticket.Ticket], string, int, error) {
	list, err := u.Tickets.RunView(ctx, httpx.Actor(ctx), v, location(r), pr)
	if err == nil {
		return list, "", http.StatusOK, nil
	}
	e := u.ErrIn(r, err)
	if e.Code != apperr.CodeInvalid {
		return list, "", 0, err
	}
	msg := e.Message
	for _, m := range e.Fields {
		msg = m
	}
	return page.List[ticket.Ticket]{}, msg, http.StatusBadRequest, nil
}

// sideView is a saved view in the sidebar.
type sideView struct {
	Key, Name, Count string
}

// savedSidebar lists the actor's shared and personal views with their
// counts. Counts are cached like the built-in views' (valid while the
// event log's stamp and the view stay the same) and stop at
// ticket.MaxViewCount, so a page load costs one stamp lookup while nothing
// changes and a bounded count per view when something did.
func (u *UI) savedSidebar(ctx context.Context, r *http.Request, stamp string) (shared, mine []sideView, err error) {
	actor := httpx.Actor(ctx)
	vs, err := u.Tickets.VisibleViews(ctx, actor)
	if err != nil {
		return nil, nil, err
	}
	loc := location(r)
	fieldStamp := ""
	for _, v := range vs {
		st := stamp
		if strings.Contains(strings.ToLower(v.Query), search.FieldPrefix) {
			if fieldStamp == "" {
				if fieldStamp, err = u.Tickets.FieldStamp(ctx); err != nil {
					return nil, nil, err
				}
			}
			st += "/" + fieldStamp
		}
		if search.HasRelativeDate(v.Query) {
			// Tickets fall in and out of "created>24h" as time passes, with
			// no event to change the stamp: count again every half minute.
			st += "@" + strconv.FormatInt(u.Tickets.Now().Unix()/30, 10)
		}
		n, err := u.savedCount(ctx, actor, v, loc, st)
		if err != nil {
			return nil, nil, err
		}
		sv := sideView{Key: savedViewKey(v.ID), Name: v.Name, Count: strconv.Itoa(n)}
		switch {
		case n < 0:
			sv.Count = "–" // the query no longer compiles; opening the view says why
		case n > ticket.MaxViewCount:
			sv.Count = strconv.Itoa(ticket.MaxViewCount) + "+"
		}
		if v.Shared {
			shared = append(shared, sv)
		} else {
			mine = append(mine, sv)
		}
	}
	return shared, mine, nil
}

// savedCount is viewCount for a saved view: -1 for a query that no longer
// compiles, MaxViewCount+1 for "more than MaxViewCount".
func (u *UI) savedCount(ctx context.Context, actor authz.Actor, v ticket.View, loc *time.Location, stamp string) (int, error) {
	// The view's own change time is in the key: an edited query counts anew.
	key := fmt.Sprint("saved ", actor.ID, " ", v.ID, " ", v.UpdatedAt.UnixMilli(), " ", loc.String())
	u.counts.mu.Lock()
	e, ok := u.counts.m[key]
	u.counts.mu.Unlock()
	if ok && e.stamp == stamp {
		return e.n, nil
	}
	n, more, err := u.Tickets.CountView(ctx, actor, v, loc)
	switch {
	case apperr.Is(err, apperr.CodeInvalid):
		n = -1
	case err != nil:
		return 0, err
	case more:
		n = ticket.MaxViewCount + 1
	}
	u.counts.mu.Lock()
	if u.counts.m == nil || len(u.counts.m) > 10000 {
		u.counts.m = map[string]countEntry{}
	}
	u.counts.m[key] = countEntry{stamp: stamp, n: n}
	u.counts.mu.Unlock()
	return n, nil
}

// viewColumn is a column header of a saved view's table.
type viewColumn struct {
	Key, Label string
}

// viewCell is one cell; Kind picks its rendering in list.html.
type viewCell struct {
	Kind  string // id, subject, status, priority, label, person, tags, time, text, sla_due, next_breach
	Text  string
	Items []string
	SLA   *slaCell // sla_due and next_breach (lists.go)
}

// viewRow is a ticket as a saved view shows it.
type viewRow struct {
	ID    int64
	Cells []viewCell
}

// columnLabels name the built-in columns (catalog keys).
var columnLabels = map[string]string{
	"id": "Ticket number", "subject": "Subject", "requester": "Requester", "status": "Status", "priority": "Priority",
	"type": "Type", "channel": "Channel", "assignee": "Assignee", "team": "Team", "tags": "Tags", "created": "Created", "updated": "Updated",
	"organization": "Organization", "sla_due": "SLA due", "next_breach": "Next breach",
}

// sortLabels name the view orders (catalog keys).
var sortLabels = map[string]string{
	"updated_desc": "Last change, newest first", "updated_asc": "Last change, oldest first",
	"created_desc": "Created, newest first", "created_asc": "Created, oldest first",
	"priority": "Priority, most urgent first", "id_desc": "Ticket number, highest first", "id_asc": "Ticket number, lowest first",
}

// savedTable builds a saved view's header and rows from the page's rows
// (which carry assignee names and local times already).
func (u *UI) savedTable(ctx context.Context, actor authz.Actor, v ticket.View, rows []row, slaCells map[int64]slaCell) ([]viewColumn, []viewRow, error) {
	fields := map[string]ticket.Field{}
	teamNames := map[int64]string{}
	var orgNames map[int64]string
	for _, c := range v.Columns {
		if c == "organization" && orgNames == nil && u.Customers != nil {
			// One query for the page's organizations.
			var ids []int64
			for _, rw := range rows {
				if rw.OrganizationID != nil {
					ids = append(ids, *rw.OrganizationID)
				}
			}
			var err error
			if orgNames, err = u.Customers.OrganizationNames(ctx, ids); err != nil {
				return nil, nil, err
			}
		}
		if _, ok := search.IsCustom(c); ok && len(fields) == 0 {
			defs, err := u.Tickets.ListFields(ctx, actor)
			if err != nil {
				return nil, nil, err
			}
			for _, f := range defs {
				fields[f.Key] = f
			}
		}
		if c == "team" && len(teamNames) == 0 {
			teams, err := u.teams(ctx, actor)
			if err != nil {
				return nil, nil, err
			}
			for _, t := range teams {
				teamNames[t.ID] = t.Name
			}
		}
	}
	cols := make([]viewColumn, 0, len(v.Columns))
	for _, c := range v.Columns {
		col := viewColumn{Key: c, Label: columnLabels[c]}
		if key, ok := search.IsCustom(c); ok {
			col.Label = key
			if f, ok := fields[key]; ok {
				col.Label = f.Label
			}
		}
		if c == "id" {
			col.Label = "#"
		}
		cols = append(cols, col)
	}
	out := make([]viewRow, 0, len(rows))
	for _, rw := range rows {
		vr := viewRow{ID: rw.ID}
		for _, c := range v.Columns {
			var cell viewCell
			switch c {
			case "id":
				cell = viewCell{Kind: "id", Text: strconv.FormatInt(rw.ID, 10)}
			case "subject":
				cell = viewCell{Kind: "subject", Text: rw.Subject}
			case "requester":
				if rw.Requester != nil {
					cell = viewCell{Kind: "text", Text: rw.Requester.Name}
				}
			case "status":
				cell = viewCell{Kind: "status", Text: string(rw.Status)}
			case "priority":
				cell = viewCell{Kind: "priority", Text: rw.Priority}
			case "type":
				cell = viewCell{Kind: "label", Text: rw.Type}
			case "channel":
				cell = viewCell{Kind: "label", Text: rw.Channel}
			case "assignee":
				cell = viewCell{Kind: "person", Text: rw.Assignee}
			case "team":
				if rw.TeamID != nil {
					cell = viewCell{Kind: "text", Text: teamNames[*rw.TeamID]}
				}
			case "organization":
				if rw.OrganizationID != nil {
					cell = viewCell{Kind: "text", Text: orgNames[*rw.OrganizationID]}
				}
			case "sla_due", "next_breach":
				cell = viewCell{Kind: c}
				if sc, ok := slaCells[rw.ID]; ok {
					cell.SLA = &sc
				}
			case "tags":
				cell = viewCell{Kind: "tags", Items: rw.Tags}
			case "created":
				cell = viewCell{Kind: "time", Text: rw.Created}
			case "updated":
				cell = viewCell{Kind: "time", Text: rw.Updated}
			default:
				if key, ok := search.IsCustom(c); ok {
					cell = fieldCell(rw.CustomFields[key])
				}
			}
			vr.Cells = append(vr.Cells, cell)
		}
		out = append(out, vr)
	}
	return cols, out, nil
}

// fieldCell shows a custom field value: numbers without a trailing ".0",
// checkboxes as yes or no.
func fieldCell(v any) viewCell {
	switch x := v.(type) {
	case nil:
		return viewCell{Kind: "text"}
	case bool:
		if x {
			return viewCell{Kind: "yesno", Text: "Yes"}
		}
		return viewCell{Kind: "yesno", Text: "No"}
	case float64:
		return viewCell{Kind: "text", Text: strconv.FormatFloat(x, 'f', -1, 64)}
	default:
		return viewCell{Kind: "text", Text: fmt.Sprint(x)}
	}
}

// addViewData adds the sidebar's saved views and, on a saved view, its
// table to the ticket list's data.
func (u *UI) addViewData(ctx context.Context, r *http.Request, data map[string]any, saved *ticket.View, rows []row, stamp string) error {
	actor := httpx.Actor(ctx)
	shared, mine, err := u.savedSidebar(ctx, r, stamp)
	if err != nil {
		return err
	}
	data["SharedViews"], data["MyViews"] = shared, mine
	if searching, _ := data["Searching"].(bool); saved == nil || searching {
		return nil // search results keep the standard columns
	}
	slaCells, _ := data["SLA"].(map[int64]slaCell) // lists.go, added before
	cols, vrows, err := u.savedTable(ctx, actor, *saved, rows, slaCells)
	if err != nil {
		return err
	}
	data["Saved"] = map[string]any{
		"ID": saved.ID, "Columns": cols, "Rows": vrows, "Query": saved.Query, "CanEdit": ticket.MayManageView(actor, *saved),
	}
	return nil
}

// viewForm is the view editor's state: what was typed and what was refused.
func viewForm(v ticket.View) form {
	f := newForm(map[string]string{"name": v.Name, "query": v.Query, "sort": v.Sort})
	if v.ID != 0 {
		f.Values["position"] = strconv.Itoa(v.Position)
	}
	if v.Shared {
		f.Values["shared"] = "on"
	}
	f.Multi["columns"] = slices.Clone(v.Columns)
	return f
}

// viewChoice is a checkbox or select option of the view editor. Its own
// type (not option) keeps the label a catalog key until the template
// translates it with t.
type viewChoice struct {
	Value, Label string
	Selected     bool
	Order        string // a chosen column's place: 10, 20, 30 …
}

// columnChoices lists every column for the checkboxes: the chosen ones
// first in their order, numbered 10, 20, 30 … so that typing 15 moves a
// column between the first two without JavaScript; then the others.
func columnChoices(chosen []string, fields []ticket.Field) []viewChoice {
	all := slices.Clone(ticket.ViewColumns)
	labels := map[string]string{}
	for k, l := range columnLabels {
		labels[k] = l
	}
	for _, f := range fields {
		c := search.FieldPrefix + f.Key
		labels[c] = f.Label
		if f.Active || slices.Contains(chosen, c) {
			all = append(all, c)
		}
	}
	out := []viewChoice{}
	for _, c := range chosen {
		if slices.Contains(all, c) {
			out = append(out, viewChoice{Value: c, Label: labels[c], Selected: true, Order: strconv.Itoa(10 * (len(out) + 1))})
		}
	}
	for _, c := range all {
		if !slices.Contains(chosen, c) {
			out = append(out, viewChoice{Value: c, Label: labels[c]})
		}
	}
	return out
}

func sortChoices(cur string) []viewChoice {
	out := []viewChoice{}
	for _, s := range ticket.ViewSorts {
		out = append(out, viewChoice{Value: s, Label: sortLabels[s], Selected: s == cur})
	}
	return out
}

// NewViewPage shows the form to add a view; ?q= fills in the query (the
// "Save this search as a view" link of search results).
func (u *UI) NewViewPage(w http.ResponseWriter, r *http.Request) error {
	v := ticket.View{Query: strings.TrimSpace(r.URL.Query().Get("q")), Columns: ticket.DefaultViewColumns, Sort: ticket.ViewSorts[0]}
	return u.viewPage(w, r, http.StatusOK, nil, viewForm(v), "")
}

func (u *UI) viewPage(w http.ResponseWriter, r *http.Request, status int, v *ticket.View, f form, errMsg string) error {
	ctx := r.Context()
	actor := httpx.Actor(ctx)
	fields, err := u.Tickets.ListFields(ctx, actor)
	if err != nil {
		return err
	}
	title := "New view"
	canWrite := true
	if v != nil {
		title = "Edit view"
		canWrite = ticket.MayManageView(actor, *v)
	}
	canShare := authz.Can(actor, authz.ViewShare)
	return u.render(w, r, status, "viewedit", pageData{Title: title, Nav: "views", Error: errMsg, Data: map[string]any{
		"V": v, "F": f, "Columns": columnChoices(f.Multi["columns"], fields), "Sorts": sortChoices(f.v("sort")),
		"CanWrite": canWrite, "CanShare": canShare, "HasErrors": len(f.Errs) > 0,
	}})
}

// viewInput reads the editor form. The ticked columns are ordered by the
// numbers typed beside them (unnumbered ones last, in form order); a
// position that is no number is marked on the form.
func viewInput(f form) (ticket.ViewInput, bool) {
	in := ticket.ViewInput{Name: f.v("name"), Query: f.v("query"), Sort: f.v("sort"), Shared: f.v("shared") != ""}
	cols := slices.DeleteFunc(slices.Clone(f.Multi["columns"]), func(s string) bool { return s == "" })
	order := func(c string) float64 {
		n, err := strconv.ParseFloat(f.v("order."+c), 64)
		if err != nil || math.IsNaN(n) {
			return math.Inf(1)
		}
		return n
	}
	slices.SortStableFunc(cols, func(a, b string) int { return cmp.Compare(order(a), order(b)) })
	in.Columns = cols
	if in.Columns == nil {
		in.Columns = []string{} // no box ticked: refused, not defaulted
	}
	// A refused form shows the columns in the order asked for.
	f.Multi["columns"] = cols
	if p := f.v("position"); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil {
			f.Errs["position"] = "must be a whole number"
			return in, false
		}
		in.Position = &n
	}
	return in, true
}

// CreateView adds a view from the form and opens it.
func (u *UI) CreateView(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	f, err := readForm(r)
	if err != nil {
		return err
	}
	in, ok := viewInput(f)
	if !ok {
		return u.viewPage(w, r, http.StatusBadRequest, nil, f, "")
	}
	v, err := u.Tickets.CreateView(ctx, httpx.Actor(ctx), in)
	if err != nil {
		st, msg, ok := refused(err, f)
		if !ok {
			return err
		}
		if st == http.StatusForbidden {
			f.Errs["shared"] = "your role may not share views"
			msg = ""
		}
		return u.viewPage(w, r, st, nil, f, msg)
	}
	http.Redirect(w, r, "/tickets?view="+savedViewKey(v.ID), http.StatusSeeOther)
	return nil
}

func (u *UI) pathView(r *http.Request) (ticket.View, error) {
	id, err := httpx.PathID(r, "id", "view")
	if err != nil {
		return ticket.View{}, err
	}
	return u.Tickets.GetView(r.Context(), httpx.Actor(r.Context()), id)
}

// ViewPage shows a view's settings (read-only to those who may not change it).
func (u *UI) ViewPage(w http.ResponseWriter, r *http.Request) error {
	v, err := u.pathView(r)
	if err != nil {
		return err
	}
	return u.viewPage(w, r, http.StatusOK, &v, viewForm(v), "")
}

// UpdateView saves the view editor and opens the view.
func (u *UI) UpdateView(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	v, err := u.pathView(r)
	if err != nil {
		return err
	}
	f, err := readForm(r)
	if err != nil {
		return err
	}
	in, ok := viewInput(f)
	if !ok {
		return u.viewPage(w, r, http.StatusBadRequest, &v, f, "")
	}
	p := ticket.ViewPatch{Name: &in.Name, Query: &in.Query, Sort: &in.Sort, Columns: &in.Columns, Position: in.Position}
	if authz.Can(httpx.Actor(ctx), authz.ViewShare) {
		p.Shared = &in.Shared // the box is shown only to those who may share
	}
	if _, err := u.Tickets.UpdateView(ctx, httpx.Actor(ctx), v.ID, p); err != nil {
		st, msg, ok := refused(err, f)
		if !ok {
			return err
		}
		return u.viewPage(w, r, st, &v, f, msg)
	}
	http.Redirect(w, r, "/tickets?view="+savedViewKey(v.ID), http.StatusSeeOther)
	return nil
}

// DeleteView removes a view and returns to the ticket list.
func (u *UI) DeleteView(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	id, err := httpx.PathID(r, "id", "view")
	if err != nil {
		return err
	}
	if err := u.Tickets.DeleteView(ctx, httpx.Actor(ctx), id); err != nil {
		return err
	}
	http.Redirect(w, r, "/tickets?"+url.Values{"view": {"open"}}.Encode(), http.StatusSeeOther)
	return nil
}
