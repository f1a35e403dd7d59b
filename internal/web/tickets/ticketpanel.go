package tickets

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	agentsvc "github.com/ombud/ombud/internal/agent"
	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/opt"
	"github.com/ombud/ombud/internal/ticket"
	"github.com/ombud/ombud/internal/web/httpx"
)

// This file holds the ticket page's fields panel: subject, requester,
// status, priority, type, team, assignee (offered by team), followers, tags
// and every custom field in its own control, with the service's refusals
// beside the fields they name. A closed ticket's panel is read-only and
// offers a follow-up.

// agentOption is an assignee or follower choice; Teams lets the page offer
// the team's agents first when a team is picked.
type agentOption struct {
	Value, Label, Teams string
	State               string // online, away or offline
	Selected            bool
}

// panel is what the template needs for the fields panel.
type panel struct {
	Teams        []option
	Assignees    []agentOption
	Followers    []agentOption
	CustomFields []formField
	Errs         map[string]string
}

// ticketPanel builds the panel for t; errs are refused fields to show.
func (u *UI) ticketPanel(ctx context.Context, actor authz.Actor, t ticket.Ticket, agents []agentsvc.Agent, errs map[string]string, sent *form) (panel, error) {
	if errs == nil {
		errs = map[string]string{}
	}
	teams, err := u.Agents.ListTeams(ctx, actor)
	if err != nil {
		return panel{}, err
	}
	defs, err := u.Tickets.ListFields(ctx, actor)
	if err != nil {
		return panel{}, err
	}
	p := panel{Errs: errs, Teams: []option{{Value: "", Label: "No team"}}}
	team := deref(t.TeamID)
	for _, tm := range teams.Data {
		p.Teams = append(p.Teams, option{Value: strconv.FormatInt(tm.ID, 10), Label: tm.Name, Selected: tm.ID == team})
	}
	assignee := deref(t.AssigneeID)
	for _, a := range agents {
		mayWork := authz.Can(authz.Actor{Kind: authz.KindAgent, ID: a.ID, Role: a.Role}, authz.TicketUpdate)
		if !a.Active || (!mayWork && a.ID != assignee) {
			continue
		}
		ts := make([]string, len(a.TeamIDs))
		for i, id := range a.TeamIDs {
			ts[i] = strconv.FormatInt(id, 10)
		}
		o := agentOption{Value: strconv.FormatInt(a.ID, 10), Label: a.Name, Teams: strings.Join(ts, " ")}
		p.Assignees = append(p.Assignees, agentOption{Value: o.Value, Label: o.Label, Teams: o.Teams, State: a.Availability, Selected: a.ID == assignee})
		p.Followers = append(p.Followers, agentOption{Value: o.Value, Label: o.Label, Teams: o.Teams, Selected: slices.Contains(t.FollowerIDs, a.ID)})
	}
	// The controls show what was sent when the panel was refused, else the
	// ticket's values.
	f := newForm(nil)
	if sent != nil {
		f = *sent
	} else {
		for k, v := range t.CustomFields {
			f.Values["custom_fields."+k] = fieldText(v)
		}
	}
	for k, v := range errs {
		f.Errs[k] = v
	}
	p.CustomFields = customFieldControls(f, defs)
	return p, nil
}

// fieldText shows a stored custom-field value in its control.
func fieldText(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case bool:
		if x {
			return "on"
		}
		return ""
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	}
	return fmt.Sprint(v)
}

func deref(p *int64) int64 {
	if p == nil {
		return 0
	}
	return *p
}

// UpdateTicket applies the fields panel. Every control is sent, so a field
// emptied in the panel is cleared; unchanged ones make no history.
func (u *UI) UpdateTicket(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	actor := httpx.Actor(ctx)
	id, err := httpx.PathID(r, "id", "ticket")
	if err != nil {
		return err
	}
	f, err := readForm(r)
	if err != nil {
		return err
	}
	var p ticket.Patch
	errs := map[string]string{}
	if v, ok := f.Values["subject"]; ok {
		p.Subject = &v
	}
	if v := f.v("status"); v != "" {
		s := ticket.Status(v)
		p.Status = &s
	}
	if v := f.v("priority"); v != "" {
		p.Priority = &v
	}
	if v := f.v("type"); v != "" {
		p.Type = &v
	}
	if _, ok := f.Values["requester"]; ok && !strings.EqualFold(f.v("requester"), f.v("requester_was")) {
		who := f.v("requester")
		if strings.Contains(who, "@") {
			p.Requester = &ticket.RequesterInput{Email: who}
		} else {
			p.Requester = &ticket.RequesterInput{Phone: who}
		}
	}
	for _, k := range []string{"assignee_id", "team_id"} {
		v, ok := f.Values[k]
		if !ok {
			continue
		}
		var val opt.Value[int64]
		if v == "" || v == "0" {
			val = opt.Null[int64]()
		} else if n, err := strconv.ParseInt(v, 10, 64); err == nil && n > 0 {
			val = opt.Of(n)
		} else {
			errs[k] = "must be chosen from the list"
			continue
		}
		if k == "team_id" {
			p.TeamID = val
		} else {
			p.AssigneeID = val
		}
	}
	if _, ok := f.Values["tags"]; ok {
		tags := splitList(f.v("tags"))
		p.Tags = &tags
	}
	if f.v("followers_sent") != "" {
		ids, ok := f.ids("follower_ids")
		if !ok {
			errs["follower_ids"] = "must be chosen from the list"
		}
		p.FollowerIDs = &ids
	}
	if f.v("custom_fields_sent") != "" {
		defs, err := u.Tickets.ListFields(ctx, actor)
		if err != nil {
			return err
		}
		p.CustomFields = customFieldPatch(f, defs)
		for k, v := range f.Errs {
			errs[k] = v
		}
	}
	if v := f.v("version"); v != "" {
		if n, err := strconv.ParseInt(v, 10, 64); err == nil {
			p.Version = &n
		}
	}
	if len(errs) > 0 {
		return u.ticketPanelRefused(w, r, http.StatusBadRequest, "", errs, f)
	}
	if _, err := u.Tickets.Update(ctx, actor, id, p); err != nil {
		e := u.ErrIn(r, err)
		if e.Code == apperr.CodeInternal || e.Code == apperr.CodeNotFound || e.Code == apperr.CodeForbidden {
			return err
		}
		msg := e.Message
		if e.Code == apperr.CodeConflict {
			msg = "Someone changed this ticket while you were looking at it. Review the latest version below and try again."
			return u.ticketPage(w, r, httpx.Status(e.Code), msg, "", nil)
		}
		for k, v := range e.Fields {
			if strings.HasPrefix(k, "requester") {
				k = "requester"
			}
			errs[k] = v
		}
		return u.ticketPanelRefused(w, r, httpx.Status(e.Code), msg, errs, f)
	}
	http.Redirect(w, r, fmt.Sprintf("/tickets/%d", id), http.StatusSeeOther)
	return nil
}

// ticketPanelRefused shows the ticket again with the panel as it was sent
// and the refused fields marked.
func (u *UI) ticketPanelRefused(w http.ResponseWriter, r *http.Request, status int, msg string, errs map[string]string, sent form) error {
	if msg == "" {
		msg = "Check the marked fields."
	}
	return u.ticketPageWithPanel(w, r, status, msg, errs, &sent)
}

// customFieldPatch reads every active custom field's control: an emptied
// control clears the field (null), others set their typed value.
func customFieldPatch(f form, defs []ticket.Field) map[string]any {
	vals := customFieldValues(f, defs)
	out := map[string]any{}
	for _, d := range defs {
		if !d.Active {
			continue
		}
		if _, bad := f.Errs["custom_fields."+d.Key]; bad {
			continue
		}
		if v, ok := vals[d.Key]; ok {
			out[d.Key] = v
		} else {
			out[d.Key] = nil
		}
	}
	return out
}
