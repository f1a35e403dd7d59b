// Package zendesk reads a Zendesk account export — tickets with their
// comments, users, organizations, groups and ticket fields, as JSON — and
// turns it into Ombud's import records (package importer), so that its
// history goes through the one import path: resumable, idempotent by
// external id, with the same events as history made in Ombud.
//
// The export is a folder or a zip archive holding any of users.json,
// organizations.json, groups.json, ticket_fields.json, tickets.json (or
// tickets.ndjson / tickets.jsonl) and ticket_comments.json. Each file may
// be a JSON array, an API page ({"tickets":[…]}) or one object a line (the
// account data export). Tickets carry their comments in "comments" (the
// account export), or the comments file lists them with "ticket_id". An
// incremental-export page's side-loads (users, organizations, groups,
// metric_sets) are read from the tickets file as well.
package zendesk

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/ombud/ombud/internal/importer"
)

type user struct {
	ID             int64     `json:"id"`
	Name           string    `json:"name"`
	Email          string    `json:"email"`
	Phone          string    `json:"phone"`
	Role           string    `json:"role"` // end-user, agent, admin
	Locale         string    `json:"locale"`
	OrganizationID *int64    `json:"organization_id"`
	CreatedAt      time.Time `json:"created_at"`
}

type organization struct {
	ID          int64     `json:"id"`
	Name        string    `json:"name"`
	DomainNames []string  `json:"domain_names"`
	Details     string    `json:"details"`
	Notes       string    `json:"notes"`
	CreatedAt   time.Time `json:"created_at"`
}

type group struct {
	ID          int64  `json:"id"`
	Name        string `json:"name"`
	Description string `json:"description"`
}

type fieldOption struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

type ticketField struct {
	ID      int64         `json:"id"`
	Type    string        `json:"type"`
	Title   string        `json:"title"`
	Options []fieldOption `json:"custom_field_options"`
}

type attachment struct {
	FileName    string `json:"file_name"`
	ContentURL  string `json:"content_url"`
	ContentType string `json:"content_type"`
	Size        int64  `json:"size"`
}

type comment struct {
	ID          int64        `json:"id"`
	TicketID    int64        `json:"ticket_id"`
	AuthorID    int64        `json:"author_id"`
	Body        string       `json:"body"`
	PlainBody   string       `json:"plain_body"`
	HTMLBody    string       `json:"html_body"`
	Public      *bool        `json:"public"`
	Attachments []attachment `json:"attachments"`
	CreatedAt   time.Time    `json:"created_at"`
}

type customValue struct {
	ID    int64 `json:"id"`
	Value any   `json:"value"`
}

type zticket struct {
	ID             int64         `json:"id"`
	Type           string        `json:"type"`
	Subject        string        `json:"subject"`
	RawSubject     string        `json:"raw_subject"`
	Description    string        `json:"description"`
	Priority       string        `json:"priority"`
	Status         string        `json:"status"`
	RequesterID    int64         `json:"requester_id"`
	AssigneeID     *int64        `json:"assignee_id"`
	GroupID        *int64        `json:"group_id"`
	OrganizationID *int64        `json:"organization_id"`
	Tags           []string      `json:"tags"`
	CustomFields   []customValue `json:"custom_fields"`
	Via            struct {
		Channel string `json:"channel"`
	} `json:"via"`
	CreatedAt time.Time  `json:"created_at"`
	UpdatedAt time.Time  `json:"updated_at"`
	SolvedAt  *time.Time `json:"solved_at"` // not Zendesk's: some export tools add it
	Comments  []comment  `json:"comments"`
}

type metricSet struct {
	TicketID int64      `json:"ticket_id"`
	SolvedAt *time.Time `json:"solved_at"`
}

// Statuses maps Zendesk's ticket statuses to Ombud's.
var Statuses = map[string]string{"new": "new", "open": "open", "pending": "pending", "hold": "on_hold", "solved": "solved", "closed": "closed"}

// Priorities maps Zendesk's priorities (none is normal).
var Priorities = map[string]string{"": "normal", "low": "low", "normal": "normal", "high": "high", "urgent": "urgent"}

// Types maps Zendesk's ticket types (none is a question).
var Types = map[string]string{"": "question", "question": "question", "incident": "incident", "problem": "problem", "task": "task"}

// Channels maps Zendesk's via.channel values; others are "web".
var Channels = map[string]string{
	"email": "email", "web": "web", "web_form": "web", "web_widget": "web", "mobile_sdk": "web", "help_center": "web",
	"api": "api", "rule": "api", "chat": "chat", "native_messaging": "chat", "voice": "phone", "sms": "phone",
	"twitter": "social", "facebook": "social", "instagram_dm": "social", "whatsapp": "social", "any_channel": "social",
}

// FieldTypes maps Zendesk's custom field types to Ombud's; system fields
// (subject, status, …) have none and are not imported as custom fields.
var FieldTypes = map[string]string{
	"text": "text", "textarea": "text", "regexp": "text", "partialcreditcard": "text", "multiselect": "text", "lookup": "text",
	"integer": "number", "decimal": "number", "date": "date", "checkbox": "checkbox", "tagger": "dropdown",
}

// reader holds what the tickets refer to.
type reader struct {
	c       importer.Converted
	users   map[int64]user
	orgs    map[int64]string
	groups  map[int64]string
	fields  map[int64]ticketField
	keys    map[int64]string // field id → Ombud key
	solved  map[int64]time.Time
	comment map[int64][]comment
}

// Read converts the export in fsys.
func Read(fsys fs.FS) (*importer.Converted, error) {
	r := &reader{users: map[int64]user{}, orgs: map[int64]string{}, groups: map[int64]string{},
		fields: map[int64]ticketField{}, keys: map[int64]string{}, solved: map[int64]time.Time{}, comment: map[int64][]comment{}}
	ticketsFile := importer.FindFile(fsys, "tickets.json", "tickets.ndjson", "tickets.jsonl")
	if ticketsFile == "" {
		if one := onlyJSON(fsys); one != "" {
			ticketsFile = one
		} else {
			return nil, fmt.Errorf("zendesk: no tickets.json in the export")
		}
	}
	var page map[string]json.RawMessage
	if raw, err := fs.ReadFile(fsys, ticketsFile); err == nil {
		_ = json.Unmarshal(raw, &page) // an incremental-export page with side-loads, or not
	}
	side := func(key, file string) ([]json.RawMessage, string, error) {
		if name := importer.FindFile(fsys, file); name != "" {
			objs, err := importer.ReadObjects(fsys, name, key)
			return objs, name, err
		}
		if raw, ok := page[key]; ok {
			var objs []json.RawMessage
			if err := json.Unmarshal(raw, &objs); err != nil {
				return nil, ticketsFile, fmt.Errorf("%s: %q is not a list: %w", ticketsFile, key, err)
			}
			return objs, ticketsFile, nil
		}
		return nil, "", nil
	}
	// Groups become teams, organizations stay organizations.
	objs, name, err := side("groups", "groups.json")
	if err != nil {
		return nil, fmt.Errorf("zendesk: %w", err)
	}
	for i, raw := range objs {
		var g group
		if !r.decode(name, "group", i, raw, &g) {
			continue
		}
		if strings.TrimSpace(g.Name) == "" {
			r.c.Fail(src(name, "group", i, g.ID), "has no name")
			continue
		}
		r.groups[g.ID] = g.Name
		r.c.Add(src(name, "group", i, g.ID), importer.Record{Kind: importer.KindTeam, Team: &importer.Team{Name: g.Name, Description: g.Description}})
	}
	if objs, name, err = side("organizations", "organizations.json"); err != nil {
		return nil, fmt.Errorf("zendesk: %w", err)
	}
	for i, raw := range objs {
		var o organization
		if !r.decode(name, "organization", i, raw, &o) {
			continue
		}
		if strings.TrimSpace(o.Name) == "" {
			r.c.Fail(src(name, "organization", i, o.ID), "has no name")
			continue
		}
		r.orgs[o.ID] = o.Name
		notes := strings.TrimSpace(strings.Join(nonEmpty(o.Details, o.Notes), "\n\n"))
		r.c.Add(src(name, "organization", i, o.ID), importer.Record{Kind: importer.KindOrganization, Organization: &importer.Organization{
			Name: o.Name, Domains: lower(o.DomainNames), Notes: notes, Created: o.CreatedAt}})
	}
	if objs, name, err = side("ticket_fields", "ticket_fields.json"); err != nil {
		return nil, fmt.Errorf("zendesk: %w", err)
	}
	for i, raw := range objs {
		var f ticketField
		if !r.decode(name, "ticket field", i, raw, &f) {
			continue
		}
		r.field(name, i, f)
	}
	if objs, name, err = side("users", "users.json"); err != nil {
		return nil, fmt.Errorf("zendesk: %w", err)
	}
	for i, raw := range objs {
		var u user
		if !r.decode(name, "user", i, raw, &u) {
			continue
		}
		r.user(name, i, u)
	}
	if objs, name, err = side("metric_sets", "ticket_metrics.json"); err != nil {
		return nil, fmt.Errorf("zendesk: %w", err)
	}
	for i, raw := range objs {
		var m metricSet
		if r.decode(name, "ticket metric", i, raw, &m) && m.SolvedAt != nil {
			r.solved[m.TicketID] = *m.SolvedAt
		}
	}
	if name := importer.FindFile(fsys, "ticket_comments.json", "comments.json"); name != "" {
		objs, err := importer.ReadObjects(fsys, name, "comments")
		if err != nil {
			return nil, fmt.Errorf("zendesk: %w", err)
		}
		for i, raw := range objs {
			var c comment
			if !r.decode(name, "comment", i, raw, &c) {
				continue
			}
			if c.TicketID == 0 {
				r.c.Fail(src(name, "comment", i, c.ID), "has no ticket_id")
				continue
			}
			r.comment[c.TicketID] = append(r.comment[c.TicketID], c)
		}
	}
	tickets, err := importer.ReadObjects(fsys, ticketsFile, "tickets")
	if err != nil {
		return nil, fmt.Errorf("zendesk: %w", err)
	}
	for i, raw := range tickets {
		var t zticket
		if !r.decode(ticketsFile, "ticket", i, raw, &t) {
			continue
		}
		r.ticket(src(ticketsFile, "ticket", i, t.ID), t)
	}
	return &r.c, nil
}

// onlyJSON is the one .json/.ndjson file of an export that holds just one.
func onlyJSON(fsys fs.FS) string {
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return ""
	}
	var found []string
	for _, e := range entries {
		n := strings.ToLower(e.Name())
		if !e.IsDir() && (strings.HasSuffix(n, ".json") || strings.HasSuffix(n, ".ndjson") || strings.HasSuffix(n, ".jsonl")) {
			found = append(found, e.Name())
		}
	}
	if len(found) == 1 {
		return found[0]
	}
	return ""
}

// src names an export record: "tickets.json: ticket 1005", or by position
// when it has no id ("users.json: user #3").
func src(file, kind string, i int, id int64) string {
	if id != 0 {
		return fmt.Sprintf("%s: %s %d", file, kind, id)
	}
	return fmt.Sprintf("%s: %s #%d", file, kind, i+1)
}

// decode reads one export object, recording a problem naming it when it
// does not decode.
func (r *reader) decode(file, kind string, i int, raw json.RawMessage, v any) bool {
	if line, bad := importer.InvalidLine(raw); bad {
		r.c.Fail(fmt.Sprintf("%s: line %d", file, line), "is not valid JSON")
		return false
	}
	if err := json.Unmarshal(raw, v); err != nil {
		var id struct {
			ID json.Number `json:"id"`
		}
		_ = json.Unmarshal(raw, &id)
		n, _ := id.ID.Int64()
		r.c.Fail(src(file, kind, i, n), "does not have the expected fields and types (%s)", strings.TrimPrefix(err.Error(), "json: "))
		return false
	}
	return true
}

// actor is how the import stream names a user of the export.
func (r *reader) actor(id int64) string {
	u, ok := r.users[id]
	if !ok {
		return "system"
	}
	if u.Role == "agent" || u.Role == "admin" {
		return "agent:" + userEmail(u)
	}
	return "customer:" + userEmail(u)
}

func (r *reader) ticket(s string, t zticket) {
	if t.ID == 0 {
		r.c.Fail(s, "has no id")
		return
	}
	if t.CreatedAt.IsZero() {
		r.c.Fail(s, "has no created_at")
		return
	}
	req, ok := r.users[t.RequesterID]
	if !ok {
		r.c.Fail(s, "requester_id %d is not a user of the export", t.RequesterID)
		return
	}
	status, ok := Statuses[t.Status]
	if !ok {
		r.c.Fail(s, "status %q is not new, open, pending, hold, solved or closed", t.Status)
		return
	}
	prio, ok := Priorities[t.Priority]
	if !ok {
		r.c.Fail(s, "priority %q is not low, normal, high or urgent", t.Priority)
		return
	}
	typ, ok := Types[t.Type]
	if !ok {
		r.c.Fail(s, "type %q is not question, incident, problem or task", t.Type)
		return
	}
	channel := Channels[t.Via.Channel]
	if channel == "" {
		channel = "web"
	}
	out := &importer.Ticket{
		ExternalID: fmt.Sprintf("zendesk:%d", t.ID), Subject: firstNonEmpty(t.Subject, t.RawSubject, fmt.Sprintf("Zendesk ticket %d", t.ID)),
		Requester: userEmail(req), RequesterName: firstNonEmpty(strings.TrimSpace(req.Name), userEmail(req)),
		Channel: channel, Priority: prio, Type: typ, Tags: importer.Tags(t.Tags),
	}
	for _, cv := range t.CustomFields {
		f, ok := r.fields[cv.ID]
		if !ok {
			continue // a system field, or one not in ticket_fields.json
		}
		v, ok, err := r.fieldValue(f, cv.Value)
		if err != nil {
			r.c.Fail(s, "custom field %d (%s) %s", cv.ID, f.Title, err)
			return
		}
		if ok {
			if out.CustomFields == nil {
				out.CustomFields = map[string]any{}
			}
			out.CustomFields[r.keys[cv.ID]] = v
		}
	}
	comments := append(slices.Clone(t.Comments), r.comment[t.ID]...)
	sort.SliceStable(comments, func(i, j int) bool { return comments[i].CreatedAt.Before(comments[j].CreatedAt) })
	var steps []importer.Action
	for i, c := range comments {
		if c.CreatedAt.IsZero() {
			r.c.Fail(s, "comment %d has no created_at", c.ID)
			return
		}
		body := firstNonEmpty(c.PlainBody, c.Body)
		html := c.HTMLBody
		pub := c.Public == nil || *c.Public
		if i == 0 {
			pub = true // the description: Zendesk's first comment is always public
		}
		steps = append(steps, importer.Action{At: c.CreatedAt, Actor: r.actor(c.AuthorID), Do: "comment", Body: body, HTML: html, Public: pub, Attachments: files(c.Attachments)})
	}
	if len(steps) == 0 {
		steps = append(steps, importer.Action{At: t.CreatedAt, Actor: r.actor(t.RequesterID), Do: "comment", Body: firstNonEmpty(t.Description, out.Subject), Public: true})
	}
	first, rest := steps[0], steps[1:]
	if first.At.After(t.CreatedAt) {
		first.At = t.CreatedAt
	}
	// Assignment as the ticket was created, status as it ends.
	var assign []importer.Action
	if t.AssigneeID != nil || t.GroupID != nil {
		a := importer.Action{At: first.At, Actor: "system", Do: "assign"}
		if t.AssigneeID != nil {
			u, ok := r.users[*t.AssigneeID]
			if !ok || (u.Role != "agent" && u.Role != "admin") {
				r.c.Fail(s, "assignee_id %d is not an agent of the export", *t.AssigneeID)
				return
			}
			e := userEmail(u)
			a.Assignee = &e
		}
		if t.GroupID != nil {
			g, ok := r.groups[*t.GroupID]
			if !ok {
				r.c.Fail(s, "group_id %d is not a group of the export", *t.GroupID)
				return
			}
			a.Team = &g
		}
		assign = append(assign, a)
	}
	rest = append(assign, rest...)
	end := t.UpdatedAt
	if end.IsZero() {
		end = t.CreatedAt
	}
	by := "system"
	if t.AssigneeID != nil {
		by = r.actor(*t.AssigneeID)
	}
	solvedAt := end
	if at, ok := r.solved[t.ID]; ok {
		solvedAt = at
	} else if t.SolvedAt != nil {
		solvedAt = *t.SolvedAt
	}
	switch status {
	case "new":
	case "solved":
		rest = append(rest, importer.Action{At: solvedAt, Actor: by, Do: "status", To: "solved"})
	case "closed":
		rest = append(rest, importer.Action{At: solvedAt, Actor: by, Do: "status", To: "solved"},
			importer.Action{At: end, Actor: "system", Do: "status", To: "closed"})
	default:
		rest = append(rest, importer.Action{At: end, Actor: by, Do: "status", To: status})
	}
	out.Timeline = importer.Steps(first, rest)
	r.c.Add(s, importer.Record{Kind: importer.KindTicket, Ticket: out})
}

// files are a comment's attachments by their export links: the import
// copies them when it may fetch, else keeps them as links.
func files(as []attachment) []importer.File {
	var out []importer.File
	for _, a := range as {
		out = append(out, importer.File{Filename: a.FileName, ContentType: a.ContentType, Size: a.Size, URL: a.ContentURL})
	}
	return out
}

func firstNonEmpty(s ...string) string {
	for _, x := range s {
		if strings.TrimSpace(x) != "" {
			return strings.TrimSpace(x)
		}
	}
	return ""
}

func nonEmpty(s ...string) []string {
	var out []string
	for _, x := range s {
		if strings.TrimSpace(x) != "" {
			out = append(out, strings.TrimSpace(x))
		}
	}
	return out
}

func lower(s []string) []string {
	out := make([]string, 0, len(s))
	for _, x := range s {
		out = append(out, strings.ToLower(strings.TrimSpace(x)))
	}
	return out
}
