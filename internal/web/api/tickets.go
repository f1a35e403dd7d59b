package api

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/page"
	"github.com/ombud/ombud/internal/search"
	"github.com/ombud/ombud/internal/ticket"
	"github.com/ombud/ombud/internal/web/httpx"
)

// ticketListParams are the query parameters of GET /tickets.
var ticketListParams = []string{"status", "priority", "type", "channel", "assignee_id", "team_id", "requester_id",
	"organization_id", "tag", "language", "created_from", "created_to", "updated_from", "updated_to", "sort", "limit", "cursor"}

// TicketListParams is exported for the OpenAPI document.
func TicketListParams() []string { return ticketListParams }

func listValues(q url.Values, name string, allowed []string, fe apperr.FieldErrors) []string {
	raw := q.Get(name)
	if raw == "" {
		return nil
	}
	var out []string
	for _, v := range strings.Split(raw, ",") {
		v = strings.TrimSpace(v)
		if allowed != nil && !slices.Contains(allowed, v) {
			fe.Add(name, "must be one or more of "+strings.Join(allowed, ", ")+" (comma separated)")
			return nil
		}
		if v != "" {
			out = append(out, v)
		}
	}
	return out
}

func timeParam(q url.Values, name string, fe apperr.FieldErrors) time.Time {
	raw := q.Get(name)
	if raw == "" {
		return time.Time{}
	}
	if t, err := time.Parse(time.RFC3339, raw); err == nil {
		return t.UTC()
	}
	if t, err := time.Parse("2006-01-02", raw); err == nil {
		return t
	}
	fe.Add(name, "must be an RFC 3339 time or a YYYY-MM-DD date")
	return time.Time{}
}

// ListTickets answers GET /api/v1/tickets.
func (a *API) ListTickets(w http.ResponseWriter, r *http.Request) error {
	if err := httpx.CheckQuery(r, ticketListParams...); err != nil {
		return err
	}
	// Parsed once: r.URL.Query() parses the query string anew on every
	// call, twenty a request here.
	q := r.URL.Query()
	fe := apperr.FieldErrors{}
	var f ticket.Filter
	statuses := make([]string, len(ticket.Statuses))
	for i, s := range ticket.Statuses {
		statuses[i] = string(s)
	}
	for _, s := range listValues(q, "status", statuses, fe) {
		f.Statuses = append(f.Statuses, ticket.Status(s))
	}
	f.Priorities = listValues(q, "priority", ticket.Priorities, fe)
	f.Types = listValues(q, "type", ticket.Types, fe)
	f.Channels = listValues(q, "channel", ticket.Channels, fe)
	switch v := q.Get("assignee_id"); v {
	case "":
	case "none":
		f.Unassigned = true
	case "me":
		f.AssigneeID = httpx.Actor(r.Context()).ID
	default:
		id, err := httpx.ValueInt64(q, "assignee_id")
		if err != nil {
			fe.Add("assignee_id", "must be an agent id, me or none")
		}
		f.AssigneeID = id
	}
	for _, p := range [...]struct {
		name string
		dst  *int64
	}{{"team_id", &f.TeamID}, {"requester_id", &f.RequesterID}, {"organization_id", &f.OrganizationID}} {
		id, err := httpx.ValueInt64(q, p.name)
		if err != nil {
			fe.Add(p.name, "must be a positive whole number")
		}
		*p.dst = id
	}
	for _, tag := range listValues(q, "tag", nil, fe) {
		f.Tags = append(f.Tags, strings.ToLower(tag))
	}
	f.Language = strings.ToLower(q.Get("language"))
	f.CreatedFrom = timeParam(q, "created_from", fe)
	f.CreatedTo = timeParam(q, "created_to", fe)
	f.UpdatedFrom = timeParam(q, "updated_from", fe)
	f.UpdatedTo = timeParam(q, "updated_to", fe)
	f.Sort = q.Get("sort")
	if f.Sort != "" && !slices.Contains(ticket.Sorts, f.Sort) {
		fe.Add("sort", "must be one of "+strings.Join(ticket.ViewSorts, ", "))
	}
	pr, err := page.Parse(q.Get("limit"), q.Get("cursor"))
	if err != nil {
		return err
	}
	if err := fe.Err(); err != nil {
		return err
	}
	list, err := a.Tickets.List(r.Context(), httpx.Actor(r.Context()), f, pr)
	if err != nil {
		return err
	}
	return httpx.WriteAppendJSON(w, http.StatusOK, list, func(b []byte) ([]byte, bool) { return ticket.AppendListJSON(b, &list) })
}

// CreateTicket answers POST /api/v1/tickets.
func (a *API) CreateTicket(w http.ResponseWriter, r *http.Request) error {
	var in ticket.CreateInput
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	t, err := a.Tickets.Create(r.Context(), httpx.Actor(r.Context()), in)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/tickets/"+itoa(t.ID))
	return httpx.WriteJSON(w, http.StatusCreated, t)
}

// GetTicket answers GET /api/v1/tickets/{id}.
func (a *API) GetTicket(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id", "ticket")
	if err != nil {
		return err
	}
	t, err := a.Tickets.Get(r.Context(), httpx.Actor(r.Context()), id)
	if err != nil {
		return err
	}
	return httpx.WriteAppendJSON(w, http.StatusOK, t, t.AppendJSON)
}

// UpdateTicket answers PATCH /api/v1/tickets/{id}.
func (a *API) UpdateTicket(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id", "ticket")
	if err != nil {
		return err
	}
	var p ticket.Patch
	if err := httpx.DecodeJSON(r, &p); err != nil {
		return err
	}
	t, err := a.Tickets.Update(r.Context(), httpx.Actor(r.Context()), id, p)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, t)
}

// ListComments answers GET /api/v1/tickets/{id}/comments.
func (a *API) ListComments(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id", "ticket")
	if err != nil {
		return err
	}
	if err := httpx.CheckQuery(r, "limit", "cursor"); err != nil {
		return err
	}
	pr, err := page.Parse(r.URL.Query().Get("limit"), r.URL.Query().Get("cursor"))
	if err != nil {
		return err
	}
	list, err := a.Tickets.ListComments(r.Context(), httpx.Actor(r.Context()), id, pr)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, list)
}

// AddComment answers POST /api/v1/tickets/{id}/comments.
func (a *API) AddComment(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id", "ticket")
	if err != nil {
		return err
	}
	var in ticket.CommentInput
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	c, err := a.Tickets.AddComment(r.Context(), httpx.Actor(r.Context()), id, in)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusCreated, c)
}

// ListEvents answers GET /api/v1/tickets/{id}/events.
func (a *API) ListEvents(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id", "ticket")
	if err != nil {
		return err
	}
	if err := httpx.CheckQuery(r, "limit", "cursor"); err != nil {
		return err
	}
	pr, err := page.Parse(r.URL.Query().Get("limit"), r.URL.Query().Get("cursor"))
	if err != nil {
		return err
	}
	list, err := a.Tickets.ListEvents(r.Context(), httpx.Actor(r.Context()), id, pr)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, list)
}

// MergeInput is the body of POST /api/v1/tickets/{id}/merge.
type MergeInput struct {
	SourceID int64 `json:"source_id"`
}

// MergeTicket answers POST /api/v1/tickets/{id}/merge: source_id is merged into {id}.
func (a *API) MergeTicket(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id", "ticket")
	if err != nil {
		return err
	}
	var in MergeInput
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	if in.SourceID <= 0 {
		return apperr.InvalidField("source_id", "is required: the id of the ticket to merge into this one")
	}
	t, err := a.Tickets.Merge(r.Context(), httpx.Actor(r.Context()), id, in.SourceID)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, t)
}

// BulkInput is the body of POST /api/v1/tickets/bulk.
type BulkInput struct {
	IDs   []int64      `json:"ids"`
	Patch ticket.Patch `json:"patch"`
}

// BulkReply answers a bulk update.
type BulkReply struct {
	Results []ticket.BulkResult `json:"results"`
}

// BulkUpdateTickets answers POST /api/v1/tickets/bulk.
func (a *API) BulkUpdateTickets(w http.ResponseWriter, r *http.Request) error {
	var in BulkInput
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	res, err := a.Tickets.BulkUpdate(r.Context(), httpx.Actor(r.Context()), in.IDs, in.Patch)
	if err != nil {
		return prefixPatch(err)
	}
	return httpx.WriteJSON(w, http.StatusOK, BulkReply{Results: res})
}

// prefixPatch renames patch field errors to their place in the bulk body.
func prefixPatch(err error) error {
	e := apperr.As(err)
	if e.Code != apperr.CodeInvalid || len(e.Fields) == 0 {
		return err
	}
	out := apperr.FieldErrors{}
	for k, v := range e.Fields {
		if k == "ids" || strings.HasPrefix(k, "ids[") || k == "version" {
			out[k] = v
		} else {
			out["patch."+k] = v
		}
	}
	return out.Err()
}

// Search answers GET /api/v1/search?q=. Days and relative dates (today,
// last_week) are read in ?tz=, else in the agent's own time zone, else UTC.
func (a *API) Search(w http.ResponseWriter, r *http.Request) error {
	if err := httpx.CheckQuery(r, "q", "tz", "limit", "cursor"); err != nil {
		return err
	}
	raw := r.URL.Query().Get("q")
	// The agent's own zone costs a read of the agent (three statements) and
	// only a date term needs it: without ?tz= the query is parsed in UTC
	// first and again in the agent's zone only if it has one.
	loc, hasTZ := time.UTC, r.URL.Query().Get("tz") != ""
	if hasTZ {
		var err error
		if loc, err = a.searchZone(r); err != nil {
			return err
		}
	}
	q, err := search.ParseIn(raw, loc)
	if err != nil {
		return err
	}
	if !hasTZ && q.Dated() {
		if loc, err = a.searchZone(r); err != nil {
			return err
		}
		if q, err = search.ParseIn(raw, loc); err != nil {
			return err
		}
	}
	pr, err := page.Parse(r.URL.Query().Get("limit"), r.URL.Query().Get("cursor"))
	if err != nil {
		return err
	}
	list, err := a.Tickets.Search(r.Context(), httpx.Actor(r.Context()), q, pr)
	if err != nil {
		return err
	}
	// A page of tickets, written as a list page is (ticket.AppendListJSON).
	return httpx.WriteAppendJSON(w, http.StatusOK, list, func(b []byte) ([]byte, bool) { return ticket.AppendListJSON(b, &list) })
}

// searchZone is the zone a search's dates are read in: ?tz= (an IANA
// name), else the agent's profile zone, else UTC.
func (a *API) searchZone(r *http.Request) (*time.Location, error) {
	if tz := strings.TrimSpace(r.URL.Query().Get("tz")); tz != "" {
		loc, err := time.LoadLocation(tz)
		if err != nil || strings.EqualFold(tz, "local") {
			return nil, apperr.InvalidField("tz", "is not an IANA time zone such as Europe/Oslo")
		}
		return loc, nil
	}
	actor := httpx.Actor(r.Context())
	if me, err := a.Agents.GetAgent(r.Context(), actor, actor.ID); err == nil && me.TimeZone != "" {
		if loc, err := time.LoadLocation(me.TimeZone); err == nil {
			return loc, nil
		}
	}
	return time.UTC, nil
}

// ListTags answers GET /api/v1/tags: tags in use with their ticket counts.
func (a *API) ListTags(w http.ResponseWriter, r *http.Request) error {
	if err := httpx.CheckQuery(r, "q", "limit"); err != nil {
		return err
	}
	pr, err := page.Parse(r.URL.Query().Get("limit"), "")
	if err != nil {
		return err
	}
	tags, err := a.Tickets.Tags(r.Context(), httpx.Actor(r.Context()), r.URL.Query().Get("q"), pr.Limit)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, DataOf(tags))
}

// ListFields answers GET /api/v1/custom-fields.
func (a *API) ListFields(w http.ResponseWriter, r *http.Request) error {
	fs, err := a.Tickets.ListFields(r.Context(), httpx.Actor(r.Context()))
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, page.All(fs))
}

// CreateField answers POST /api/v1/custom-fields.
func (a *API) CreateField(w http.ResponseWriter, r *http.Request) error {
	var in ticket.FieldInput
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	f, err := a.Tickets.CreateField(r.Context(), httpx.Actor(r.Context()), in)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusCreated, f)
}

// GetField answers GET /api/v1/custom-fields/{id}.
func (a *API) GetField(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id", "custom field")
	if err != nil {
		return err
	}
	f, err := a.Tickets.GetField(r.Context(), httpx.Actor(r.Context()), id)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, f)
}

// UpdateField answers PATCH /api/v1/custom-fields/{id}.
func (a *API) UpdateField(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id", "custom field")
	if err != nil {
		return err
	}
	var p ticket.FieldPatch
	if err := httpx.DecodeJSON(r, &p); err != nil {
		return err
	}
	f, err := a.Tickets.UpdateField(r.Context(), httpx.Actor(r.Context()), id, p)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, f)
}

// DeleteField answers DELETE /api/v1/custom-fields/{id} (deactivates it).
func (a *API) DeleteField(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id", "custom field")
	if err != nil {
		return err
	}
	if err := a.Tickets.DeleteField(r.Context(), httpx.Actor(r.Context()), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
