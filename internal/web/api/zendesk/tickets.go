package zendesk

import (
	"context"
	"net/http"
	"strconv"
	"strings"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/opt"
	"github.com/ombud/ombud/internal/page"
	"github.com/ombud/ombud/internal/ticket"
	"github.com/ombud/ombud/internal/web/httpx"
)

// render maps Ombud tickets to Zendesk's shape: each with its first
// comment as description, and every custom field.
func (a *API) render(ctx context.Context, actor authz.Actor, base string, ts []ticket.Ticket) ([]Ticket, error) {
	fields, err := a.Tickets.ListFields(ctx, actor)
	if err != nil {
		return nil, err
	}
	out := make([]Ticket, 0, len(ts))
	for _, t := range ts {
		d, err := a.description(ctx, actor, t)
		if err != nil {
			return nil, err
		}
		out = append(out, toTicket(base, t, d, fields))
	}
	return out, nil
}

// description is a ticket's first comment, Zendesk's description.
func (a *API) description(ctx context.Context, actor authz.Actor, t ticket.Ticket) (first, error) {
	cs, err := a.Tickets.ListComments(ctx, actor, t.ID, page.Request{Limit: 1})
	if err != nil || len(cs.Data) == 0 {
		return first{}, err
	}
	c := cs.Data[0]
	return first{Body: c.Body, AuthorID: commentAuthor(c, t.RequesterID), Public: c.Public}, nil
}

func (a *API) one(ctx context.Context, actor authz.Actor, base string, t ticket.Ticket) (Ticket, error) {
	out, err := a.render(ctx, actor, base, []ticket.Ticket{t})
	if err != nil {
		return Ticket{}, err
	}
	return out[0], nil
}

// ListTickets answers GET /api/v2/tickets.json: every ticket by id.
func (a *API) ListTickets(w http.ResponseWriter, r *http.Request) error {
	return a.listTickets(w, r, &ticket.Filter{})
}

// OrganizationTickets answers GET /api/v2/organizations/{id}/tickets.json.
func (a *API) OrganizationTickets(w http.ResponseWriter, r *http.Request) error {
	id, ok := pathID(r, "id")
	if !ok {
		return apperr.NotFound("organization", r.PathValue("id"))
	}
	if _, err := a.Customers.GetOrganization(r.Context(), httpx.Actor(r.Context()), id); err != nil {
		return err
	}
	return a.listTickets(w, r, &ticket.Filter{OrganizationID: id})
}

// RequestedTickets answers GET /api/v2/users/{id}/tickets/requested.json:
// an end-user's tickets (an agent requests none).
func (a *API) RequestedTickets(w http.ResponseWriter, r *http.Request) error {
	u, err := a.pathUser(r)
	if err != nil {
		return err
	}
	if u.agent {
		return a.listTickets(w, r, nil)
	}
	return a.listTickets(w, r, &ticket.Filter{RequesterID: u.id})
}

// AssignedTickets answers GET /api/v2/users/{id}/tickets/assigned.json:
// an agent's tickets (an end-user is assigned none).
func (a *API) AssignedTickets(w http.ResponseWriter, r *http.Request) error {
	u, err := a.pathUser(r)
	if err != nil {
		return err
	}
	if !u.agent {
		return a.listTickets(w, r, nil)
	}
	return a.listTickets(w, r, &ticket.Filter{AssigneeID: u.id})
}

// pathUser reads the {id} of a user path and checks the user exists.
func (a *API) pathUser(r *http.Request) (userRef, error) {
	id, ok := pathID(r, "id")
	if !ok {
		return userRef{}, apperr.NotFound("user", r.PathValue("id"))
	}
	if _, err := a.user(r.Context(), httpx.Actor(r.Context()), a.base(r), id); err != nil {
		return userRef{}, err
	}
	u, _ := parseUserID(id)
	return u, nil
}

// listTickets answers a ticket list of f's tickets, by id; nil f is a
// list that is empty by its nature (the tickets an end-user is assigned).
func (a *API) listTickets(w http.ResponseWriter, r *http.Request, f *ticket.Filter) error {
	ctx, actor, base := r.Context(), httpx.Actor(r.Context()), a.base(r)
	p, err := readPager(r, maxPageSize)
	if err != nil {
		return err
	}
	fetch := func(page.Request) (page.List[ticket.Ticket], error) { return page.List[ticket.Ticket]{}, nil }
	count := func() (int, error) { return 0, nil }
	if f != nil {
		f.Sort = "id_asc"
		fetch = func(pr page.Request) (page.List[ticket.Ticket], error) { return a.Tickets.List(ctx, actor, *f, pr) }
		count = func() (int, error) { return a.Tickets.Count(ctx, actor, *f) }
	}
	res, err := paginate(r, base, p, fetch, count)
	if err != nil {
		return err
	}
	ts, err := a.render(ctx, actor, base, res.items)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, with(res.fields, "tickets", ts))
}

// ShowTicket answers GET /api/v2/tickets/{id}.json.
func (a *API) ShowTicket(w http.ResponseWriter, r *http.Request) error {
	id, ok := pathID(r, "id")
	if !ok {
		return apperr.NotFound("ticket", r.PathValue("id"))
	}
	ctx, actor := r.Context(), httpx.Actor(r.Context())
	t, err := a.Tickets.Get(ctx, actor, id)
	if err != nil {
		return err
	}
	out, err := a.one(ctx, actor, a.base(r), t)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"ticket": out})
}

// CommentIn is a comment as Zendesk clients send it inside a ticket.
type CommentIn struct {
	Body     string `json:"body"`
	HTMLBody string `json:"html_body"`
	Public   *bool  `json:"public"`
}

// RequesterIn is a requester named by email, created when new.
type RequesterIn struct {
	Name  string `json:"name"`
	Email string `json:"email"`
	Phone string `json:"phone"`
}

// TicketIn is the ticket object of a create or update body.
type TicketIn struct {
	Subject      *string          `json:"subject"`
	Comment      *CommentIn       `json:"comment"`
	Description  string           `json:"description"`
	Status       *string          `json:"status"`
	Priority     *string          `json:"priority"`
	Type         *string          `json:"type"`
	RequesterID  *int64           `json:"requester_id"`
	Requester    *RequesterIn     `json:"requester"`
	AssigneeID   opt.Value[int64] `json:"assignee_id"`
	GroupID      opt.Value[int64] `json:"group_id"`
	Tags         *[]string        `json:"tags"`
	AddTags      []string         `json:"additional_tags"`
	RemoveTags   []string         `json:"remove_tags"`
	CustomFields []CustomFieldIn  `json:"custom_fields"`
	Fields       []CustomFieldIn  `json:"fields"`
	ExternalID   string           `json:"external_id"`
	// SafeUpdate with UpdatedStamp makes the update conditional, as
	// Zendesk's safe_update does.
	SafeUpdate   bool    `json:"safe_update"`
	UpdatedStamp *string `json:"updated_stamp"`
}

// checkSizes refuses oversized custom field lists before any is looked
// up; the ticket service bounds the rest.
func (t *TicketIn) checkSizes() error {
	fe := apperr.FieldErrors{}
	fe.MaxItems("custom_fields", len(t.CustomFields), ticket.MaxFieldValues)
	fe.MaxItems("fields", len(t.Fields), ticket.MaxFieldValues)
	fe.MaxItems("custom_fields", len(t.CustomFields)+len(t.Fields), ticket.MaxFieldValues)
	fe.MaxItems("additional_tags", len(t.AddTags), ticket.MaxTags)
	fe.MaxItems("remove_tags", len(t.RemoveTags), ticket.MaxTags)
	return fe.Err()
}

// CustomFieldIn sets one custom field by its id.
type CustomFieldIn struct {
	ID    int64 `json:"id"`
	Value any   `json:"value"`
}

// TicketBody is the body of POST /tickets.json and PUT /tickets/{id}.json.
type TicketBody struct {
	Ticket *TicketIn `json:"ticket"`
}

// customFields maps Zendesk custom field entries (by id) to Ombud's keys.
func (a *API) customFields(ctx context.Context, actor authz.Actor, in []CustomFieldIn) (map[string]any, error) {
	if len(in) == 0 {
		return nil, nil
	}
	defs, err := a.Tickets.ListFields(ctx, actor)
	if err != nil {
		return nil, err
	}
	byID := map[int64]string{}
	for _, f := range defs {
		byID[f.ID] = f.Key
	}
	out := map[string]any{}
	fe := apperr.FieldErrors{}
	for i, f := range in {
		key, ok := byID[f.ID]
		if !ok {
			fe.Add("custom_fields["+strconv.Itoa(i)+"].id", "is not a custom field id")
			continue
		}
		out[key] = f.Value
	}
	return out, fe.Err()
}

// assignee maps a Zendesk user id to the agent it names.
func assignee(v opt.Value[int64]) (opt.Value[int64], error) {
	if !v.Set || v.Null {
		return v, nil
	}
	u, ok := parseUserID(v.V)
	if !ok || !u.agent {
		return v, apperr.InvalidField("assignee_id", "must be the user id of an agent (role agent or admin)")
	}
	return opt.Value[int64]{Set: true, V: u.id}, nil
}

func enum(v *string) string {
	if v == nil {
		return ""
	}
	return *v
}

// CreateTicket answers POST /api/v2/tickets.json. The comment (or
// description) is the first message; without a requester the caller is
// the requester, as in Zendesk.
func (a *API) CreateTicket(w http.ResponseWriter, r *http.Request) error {
	var body TicketBody
	if err := decode(r, &body); err != nil {
		return err
	}
	if body.Ticket == nil {
		return apperr.InvalidField("ticket", "is required: send {\"ticket\":{…}}")
	}
	ctx, actor := r.Context(), httpx.Actor(r.Context())
	t := body.Ticket
	in := ticket.CreateInput{
		Subject: enum(t.Subject), Description: t.Description, Status: ombudStatus(enum(t.Status)),
		Priority: enum(t.Priority), Type: enum(t.Type), ExternalID: t.ExternalID, Author: ticket.AuthorCustomer,
	}
	if t.Tags != nil {
		in.Tags = *t.Tags
	}
	in.Tags = append(in.Tags, t.AddTags...)
	if t.Comment != nil {
		in.Description, in.DescriptionHTML, in.Public = t.Comment.Body, t.Comment.HTMLBody, t.Comment.Public
	}
	if in.Subject == "" && in.Description != "" {
		// Zendesk names a ticket without a subject by its first words.
		in.Subject = firstLine(in.Description)
	}
	switch {
	case t.Requester != nil:
		in.Requester = &ticket.RequesterInput{Email: t.Requester.Email, Name: t.Requester.Name, Phone: t.Requester.Phone}
	case t.RequesterID != nil:
		u, ok := parseUserID(*t.RequesterID)
		if !ok || u.agent {
			return apperr.InvalidField("requester_id", "must be the user id of an end-user")
		}
		in.RequesterID = u.id
	default:
		// The caller asks for themself, as Zendesk makes the
		// authenticated user the requester.
		b, err := a.Agents.Brief(ctx, []int64{actor.ID})
		if err != nil {
			return err
		}
		in.Requester = &ticket.RequesterInput{Email: b[actor.ID].Email, Name: b[actor.ID].Name}
		in.Author = ticket.AuthorAgent
	}
	as, err := assignee(t.AssigneeID)
	if err != nil {
		return err
	}
	if as.Set && !as.Null {
		in.AssigneeID = &as.V
	}
	if t.GroupID.Set && !t.GroupID.Null {
		in.TeamID = &t.GroupID.V
	}
	if err := t.checkSizes(); err != nil {
		return err
	}
	if in.CustomFields, err = a.customFields(ctx, actor, append(t.CustomFields, t.Fields...)); err != nil {
		return err
	}
	created, err := a.Tickets.Create(ctx, actor, in)
	if err != nil {
		return err
	}
	out, err := a.one(ctx, actor, a.base(r), created)
	if err != nil {
		return err
	}
	w.Header().Set("Location", out.URL)
	return writeJSON(w, http.StatusCreated, map[string]any{"ticket": out})
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	if r := []rune(s); len(r) > 80 {
		s = string(r[:80])
	}
	return s
}

// UpdateTicket answers PUT /api/v2/tickets/{id}.json. Field changes are
// one update; a comment is added after them, as Zendesk adds one with an
// update, and carries the status change when there is one ("submit as").
func (a *API) UpdateTicket(w http.ResponseWriter, r *http.Request) error {
	id, ok := pathID(r, "id")
	if !ok {
		return apperr.NotFound("ticket", r.PathValue("id"))
	}
	var body TicketBody
	if err := decode(r, &body); err != nil {
		return err
	}
	if body.Ticket == nil {
		return apperr.InvalidField("ticket", "is required: send {\"ticket\":{…}}")
	}
	ctx, actor := r.Context(), httpx.Actor(r.Context())
	t := body.Ticket
	var p ticket.Patch
	p.Subject, p.Priority, p.Type, p.Tags = t.Subject, t.Priority, t.Type, t.Tags
	p.AddTags, p.RemoveTags = t.AddTags, t.RemoveTags
	if t.Status != nil {
		st := ombudStatus(*t.Status)
		p.Status = &st
	}
	var err error
	if p.AssigneeID, err = assignee(t.AssigneeID); err != nil {
		return err
	}
	p.TeamID = t.GroupID
	if t.RequesterID != nil {
		u, ok := parseUserID(*t.RequesterID)
		if !ok || u.agent {
			return apperr.InvalidField("requester_id", "must be the user id of an end-user")
		}
		p.RequesterID = &u.id
	}
	if t.Requester != nil {
		p.Requester = &ticket.RequesterInput{Email: t.Requester.Email, Name: t.Requester.Name, Phone: t.Requester.Phone}
	}
	if err := t.checkSizes(); err != nil {
		return err
	}
	if p.CustomFields, err = a.customFields(ctx, actor, append(t.CustomFields, t.Fields...)); err != nil {
		return err
	}
	var comment *ticket.CommentInput
	if c := t.Comment; c != nil {
		if strings.TrimSpace(c.Body) == "" && strings.TrimSpace(c.HTMLBody) == "" {
			return apperr.InvalidField("comment.body", "is required")
		}
		comment = &ticket.CommentInput{Body: c.Body, HTML: c.HTMLBody, Public: c.Public}
		if p.Status != nil {
			comment.Status, p.Status = *p.Status, nil
		}
	}
	if t.SafeUpdate && t.UpdatedStamp != nil {
		cur, err := a.Tickets.Get(ctx, actor, id)
		if err != nil {
			return err
		}
		if zTime(cur.UpdatedAt) != *t.UpdatedStamp {
			return &apperr.Error{Code: apperr.CodeConflict, Message: "the ticket changed since updated_stamp"}
		}
		p.Version = &cur.Version
	}
	if p.Empty() && comment == nil {
		return apperr.InvalidField("ticket", "changes nothing; name at least one field or a comment")
	}
	var cur ticket.Ticket
	if !p.Empty() {
		if cur, err = a.Tickets.Update(ctx, actor, id, p); err != nil {
			return err
		}
	}
	if comment != nil {
		if _, err := a.Tickets.AddComment(ctx, actor, id, *comment); err != nil {
			return err
		}
	}
	if comment != nil || cur.ID == 0 {
		if cur, err = a.Tickets.Get(ctx, actor, id); err != nil {
			return err
		}
	}
	out, err := a.one(ctx, actor, a.base(r), cur)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"ticket": out})
}

// ListComments answers GET /api/v2/tickets/{id}/comments.json, oldest first.
func (a *API) ListComments(w http.ResponseWriter, r *http.Request) error {
	id, ok := pathID(r, "id")
	if !ok {
		return apperr.NotFound("ticket", r.PathValue("id"))
	}
	ctx, actor, base := r.Context(), httpx.Actor(r.Context()), a.base(r)
	t, err := a.Tickets.Get(ctx, actor, id)
	if err != nil {
		return err
	}
	p, err := readPager(r, maxPageSize)
	if err != nil {
		return err
	}
	res, err := paginate(r, base, p, func(pr page.Request) (page.List[ticket.Comment], error) {
		return a.Tickets.ListComments(ctx, actor, id, pr)
	}, nil)
	if err != nil {
		return err
	}
	out := make([]Comment, 0, len(res.items))
	for _, c := range res.items {
		out = append(out, toComment(base, c, t.RequesterID))
	}
	return writeJSON(w, http.StatusOK, with(res.fields, "comments", out))
}
