package tickets

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"

	agentsvc "github.com/ombud/ombud/internal/agent"
	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/page"
	"github.com/ombud/ombud/internal/ticket"
	"github.com/ombud/ombud/internal/web/httpx"
)

// This file holds the "New ticket" page: an agent logs a phone call or a
// walk-in, records a message that came another way, or writes to a
// customer first. The ticket service checks every rule; the page keeps what
// was typed when it refuses.

// Kinds of first message the form offers, each a (author, public) pair.
var firstMessageKinds = []struct {
	Value, Label string
	Author       string
	Public       bool
}{
	{"note", "Internal note (a call or visit log the customer does not see)", ticket.AuthorAgent, false},
	{"outbound", "Message to the customer (sent by email on the email channel)", ticket.AuthorAgent, true},
	{"customer", "The customer's own words (recorded, not sent)", ticket.AuthorCustomer, true},
}

// newTicketChannels are the channels an agent records by hand.
var newTicketChannels = []string{"phone", "in_person", "email", "web", "chat", "social"}

// NewTicketPage shows the form; ?customer_id= fills in the requester.
func (u *UI) NewTicketPage(w http.ResponseWriter, r *http.Request) error {
	vals := map[string]string{"channel": "phone", "kind": "note", "priority": "normal", "type": "question", "status": "open"}
	if s := r.URL.Query().Get("customer_id"); s != "" {
		id, ok := optID(s)
		if !ok || id == nil {
			return apperr.InvalidField("customer_id", "must be a customer")
		}
		vals["requester_id"] = strconv.FormatInt(*id, 10)
	}
	if s := r.URL.Query().Get("follow_up"); s != "" {
		// A follow-up to a closed ticket: the same requester and subject.
		id, ok := optID(s)
		if !ok || id == nil {
			return apperr.InvalidField("follow_up", "must be a ticket")
		}
		prev, err := u.Tickets.Get(r.Context(), httpx.Actor(r.Context()), *id)
		if err != nil {
			return err
		}
		vals["requester_id"] = strconv.FormatInt(prev.RequesterID, 10)
		vals["subject"] = prev.Subject
		vals["follow_up"] = strconv.FormatInt(prev.ID, 10)
		vals["channel"], vals["kind"] = prev.Channel, "outbound"
		if !slices.Contains(newTicketChannels, prev.Channel) {
			vals["channel"] = "email"
		}
	}
	return u.newTicketPage(w, r, http.StatusOK, newForm(vals), "")
}

func (u *UI) newTicketPage(w http.ResponseWriter, r *http.Request, status int, f form, errMsg string) error {
	ctx := r.Context()
	actor := httpx.Actor(ctx)
	sets, err := u.newTicketFields(r, f)
	if err != nil {
		return err
	}
	var requester map[string]any
	if id, ok := optID(f.v("requester_id")); ok && id != nil && u.Customers != nil {
		c, err := u.Customers.Get(ctx, actor, *id)
		if err != nil {
			return err
		}
		requester = map[string]any{"ID": c.ID, "Name": c.Name, "Email": c.Email}
	}
	var followUp string
	if id, ok := optID(f.v("follow_up")); ok && id != nil {
		followUp = strconv.FormatInt(*id, 10)
	}
	kinds := make([]option, len(firstMessageKinds))
	for i, k := range firstMessageKinds {
		kinds[i] = option{Value: k.Value, Label: k.Label, Selected: f.v("kind") == k.Value}
	}
	return u.render(w, r, status, "newticket", pageData{Title: "New ticket", Nav: "tickets", Error: errMsg, Data: map[string]any{
		"Form": f, "Fieldsets": sets, "Errors": summary(sets, f.Errs), "Requester": requester, "Kinds": kinds, "FollowUp": followUp,
	}})
}

// newTicketFields builds the form's fieldsets (requester, the ticket's
// fields, its custom fields) with the choices of this install.
func (u *UI) newTicketFields(r *http.Request, f form) ([]fieldset, error) {
	ctx := r.Context()
	actor := httpx.Actor(ctx)
	agents, err := u.Agents.ListAgents(ctx, actor, agentsvc.Filter{Page: page.Request{Limit: page.MaxLimit}})
	if err != nil {
		return nil, err
	}
	teams, err := u.Agents.ListTeams(ctx, actor)
	if err != nil {
		return nil, err
	}
	defs, err := u.Tickets.ListFields(ctx, actor)
	if err != nil {
		return nil, err
	}
	// "Me" carries the agent's id, so localize (which leaves choices with row
	// ids alone: they are names) would not translate it; translate it here.
	assignees := []option{{Value: "", Label: "Unassigned"}, {Value: strconv.FormatInt(actor.ID, 10), Label: u.i18n.String(u.lang(r), "Me")}}
	for _, a := range agents.Data {
		if a.Active && a.ID != actor.ID && authz.Can(authz.Actor{Kind: authz.KindAgent, ID: a.ID, Role: a.Role}, authz.TicketUpdate) {
			assignees = append(assignees, option{Value: strconv.FormatInt(a.ID, 10), Label: a.Name})
		}
	}
	teamOpts := []option{{Value: "", Label: "No team"}}
	for _, t := range teams.Data {
		teamOpts = append(teamOpts, option{Value: strconv.FormatInt(t.ID, 10), Label: t.Name})
	}
	enum := func(vals []string) []option {
		out := make([]option, len(vals))
		for i, v := range vals {
			out[i] = option{Value: v, Label: label(v)}
		}
		return out
	}
	var sets []fieldset
	if f.v("requester_id") == "" {
		sets = append(sets, fieldset{Legend: "Requester", Short: "Requester",
			Hint: "An existing customer is found by email, or by phone when no email is given; otherwise a new customer is added.",
			Fields: []formField{
				f.field("requester.email", "Email", "email", false, ""),
				f.field("requester.phone", "Phone", "tel", false, "Like +47 22 33 44 55."),
				f.field("requester.name", "Name", "text", false, "Empty: taken from the email."),
			}})
	}
	sets = append(sets, fieldset{Legend: "Ticket", Fields: []formField{
		f.choice("channel", "Channel", enum(newTicketChannels), ""),
		f.choice("status", "Status", enum([]string{"new", "open", "pending", "on_hold", "solved"}), ""),
		f.choice("priority", "Priority", enum(ticket.Priorities), ""),
		f.choice("type", "Type", enum(ticket.Types), ""),
		f.choice("team_id", "Team", teamOpts, ""),
		f.choice("assignee_id", "Assignee", assignees, ""),
		f.field("tags", "Tags", "text", false, "Separated by commas."),
	}})
	if cf := customFieldControls(f, defs); len(cf) > 0 {
		sets = append(sets, fieldset{Legend: "Custom fields", Fields: cf})
	}
	return sets, nil
}

// CreateTicket adds the ticket from the form and opens it.
func (u *UI) CreateTicket(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	actor := httpx.Actor(ctx)
	f, err := readForm(r)
	if err != nil {
		return err
	}
	defs, err := u.Tickets.ListFields(ctx, actor)
	if err != nil {
		return err
	}
	in := ticket.CreateInput{
		Subject: f.v("subject"), Description: f.v("description"), Channel: f.v("channel"),
		Status: ticket.Status(f.v("status")), Priority: f.v("priority"), Type: f.v("type"),
		Tags: splitList(f.v("tags")), CustomFields: customFieldValues(f, defs),
	}
	kind := -1
	for i, k := range firstMessageKinds {
		if k.Value == f.v("kind") {
			kind = i
		}
	}
	if kind < 0 {
		f.Errs["kind"] = "must be chosen from the list"
	} else {
		public := firstMessageKinds[kind].Public
		in.Author, in.Public = firstMessageKinds[kind].Author, &public
	}
	if id, ok := optID(f.v("requester_id")); !ok {
		f.Errs["requester_id"] = "must be a customer"
	} else if id != nil {
		in.RequesterID = *id
	} else if f.v("requester.email") != "" || f.v("requester.phone") != "" {
		in.Requester = &ticket.RequesterInput{Email: f.v("requester.email"), Phone: f.v("requester.phone"), Name: f.v("requester.name")}
	}
	for _, k := range []string{"team_id", "assignee_id"} {
		id, ok := optID(f.v(k))
		if !ok {
			f.Errs[k] = "must be chosen from the list"
		}
		if k == "team_id" {
			in.TeamID = id
		} else {
			in.AssigneeID = id
		}
	}
	if len(f.Errs) > 0 {
		return u.newTicketPage(w, r, http.StatusBadRequest, f, "")
	}
	t, err := u.Tickets.Create(ctx, actor, in)
	if err != nil {
		if e := apperr.As(err); e.Fields["requester"] != "" {
			// The service names "requester"; the form has its parts.
			delete(e.Fields, "requester")
			e.Fields["requester.email"] = "give the customer's email or phone"
		}
		st, msg, ok := refused(err, f)
		if !ok {
			return err
		}
		return u.newTicketPage(w, r, st, f, msg)
	}
	http.Redirect(w, r, fmt.Sprintf("/tickets/%d", t.ID), http.StatusSeeOther)
	return nil
}
