// Package freshdesk reads a Freshdesk export — tickets with their
// conversations, contacts, companies, agents, groups and ticket fields as
// the API's JSON, or the ticket export's CSV — and turns it into Ombud's
// import records (package importer), so that its history goes through the
// one import path: resumable, idempotent by external id, with the same
// events as history made in Ombud.
//
// The export is a folder or a zip archive holding any of contacts.json,
// companies.json, agents.json, groups.json, ticket_fields.json,
// tickets.json and conversations.json, or tickets.csv (with or without the
// JSON files beside it). Tickets carry their conversations in
// "conversations" (the API's include=conversations), or conversations.json
// lists them with "ticket_id".
package freshdesk

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"sort"
	"strings"
	"time"

	"github.com/ombud/ombud/internal/importer"
)

// Statuses maps Freshdesk's status numbers to Ombud's; 6 and 7 are the
// default "Waiting on Customer" and "Waiting on Third Party".
var Statuses = map[int]string{2: "open", 3: "pending", 4: "solved", 5: "closed", 6: "pending", 7: "on_hold"}

// StatusNames maps the status names of the CSV export.
var StatusNames = map[string]int{"open": 2, "pending": 3, "resolved": 4, "closed": 5, "waiting on customer": 6, "waiting on third party": 7}

// Priorities maps Freshdesk's priority numbers (1 low … 4 urgent).
var Priorities = map[int]string{1: "low", 2: "normal", 3: "high", 4: "urgent"}

// PriorityNames maps the priority names of the CSV export.
var PriorityNames = map[string]int{"low": 1, "medium": 2, "high": 3, "urgent": 4}

// Sources maps Freshdesk's source numbers to Ombud's channels; others
// are "web".
var Sources = map[int]string{1: "email", 2: "web", 3: "phone", 5: "social", 6: "social", 7: "chat", 8: "api", 9: "web", 10: "email"}

// SourceNames maps the source names of the CSV export.
var SourceNames = map[string]int{"email": 1, "portal": 2, "phone": 3, "forum": 4, "twitter": 5, "facebook": 6, "chat": 7, "mobihelp": 8, "feedback widget": 9, "outbound email": 10}

// Types maps Freshdesk's default ticket types; others are questions.
var Types = map[string]string{"question": "question", "incident": "incident", "problem": "problem", "feature request": "task", "refund": "return", "": "question"}

// FieldTypes maps Freshdesk's custom field types to Ombud's.
var FieldTypes = map[string]string{
	"custom_text": "text", "custom_paragraph": "text", "custom_number": "number", "custom_decimal": "number",
	"custom_checkbox": "checkbox", "custom_date": "date", "custom_dropdown": "dropdown",
}

type contact struct {
	ID        int64     `json:"id"`
	Name      string    `json:"name"`
	Email     string    `json:"email"`
	Phone     string    `json:"phone"`
	Mobile    string    `json:"mobile"`
	CompanyID *int64    `json:"company_id"`
	Language  string    `json:"language"`
	CreatedAt time.Time `json:"created_at"`
}

type agentRec struct {
	ID      int64 `json:"id"`
	Contact struct {
		Name  string `json:"name"`
		Email string `json:"email"`
	} `json:"contact"`
	CreatedAt time.Time `json:"created_at"`
}

type company struct {
	ID          int64     `json:"id"`
	Name        string    `json:"name"`
	Description string    `json:"description"`
	Note        string    `json:"note"`
	Domains     []string  `json:"domains"`
	CreatedAt   time.Time `json:"created_at"`
}

type group struct {
	ID          int64  `json:"id"`
	Name        string `json:"name"`
	Description string `json:"description"`
}

type ticketField struct {
	ID      int64           `json:"id"`
	Name    string          `json:"name"`
	Label   string          `json:"label"`
	Type    string          `json:"type"`
	Choices json.RawMessage `json:"choices"`
}

type attachment struct {
	Name          string `json:"name"`
	ContentType   string `json:"content_type"`
	Size          int64  `json:"size"`
	AttachmentURL string `json:"attachment_url"`
}

type conversation struct {
	ID          int64        `json:"id"`
	TicketID    int64        `json:"ticket_id"`
	UserID      int64        `json:"user_id"`
	Body        string       `json:"body"`
	BodyText    string       `json:"body_text"`
	Incoming    bool         `json:"incoming"`
	Private     bool         `json:"private"`
	Attachments []attachment `json:"attachments"`
	CreatedAt   time.Time    `json:"created_at"`
}

type fticket struct {
	ID              int64          `json:"id"`
	Subject         string         `json:"subject"`
	Description     string         `json:"description"`
	DescriptionText string         `json:"description_text"`
	Status          int            `json:"status"`
	Priority        int            `json:"priority"`
	Source          int            `json:"source"`
	Type            string         `json:"type"`
	Tags            []string       `json:"tags"`
	RequesterID     int64          `json:"requester_id"`
	ResponderID     *int64         `json:"responder_id"`
	GroupID         *int64         `json:"group_id"`
	CompanyID       *int64         `json:"company_id"`
	CustomFields    map[string]any `json:"custom_fields"`
	Attachments     []attachment   `json:"attachments"`
	CreatedAt       time.Time      `json:"created_at"`
	UpdatedAt       time.Time      `json:"updated_at"`
	Stats           struct {
		ResolvedAt *time.Time `json:"resolved_at"`
		ClosedAt   *time.Time `json:"closed_at"`
	} `json:"stats"`
	Conversations []conversation `json:"conversations"`
}

// field is a custom field of the export with its Ombud key.
type field struct {
	key, label, typ string
	options         []string
}

type reader struct {
	c         importer.Converted
	contacts  map[int64]contact
	agents    map[int64]string // id → email
	byName    map[string]string
	companies map[int64]string
	groups    map[int64]string
	fields    map[string]field // Freshdesk name (cf_…) → field
	byLabel   map[string]string
	convs     map[int64][]conversation
}

// Read converts the export in fsys.
func Read(fsys fs.FS) (*importer.Converted, error) {
	r := &reader{contacts: map[int64]contact{}, agents: map[int64]string{}, byName: map[string]string{}, companies: map[int64]string{},
		groups: map[int64]string{}, fields: map[string]field{}, byLabel: map[string]string{}, convs: map[int64][]conversation{}}
	jsonFile := importer.FindFile(fsys, "tickets.json", "tickets.ndjson", "tickets.jsonl")
	csvFile := importer.FindFile(fsys, "tickets.csv")
	if jsonFile == "" && csvFile == "" {
		jsonFile, csvFile = onlyTickets(fsys)
		if jsonFile == "" && csvFile == "" {
			return nil, fmt.Errorf("freshdesk: no tickets.json or tickets.csv in the export")
		}
	}
	each := func(file, kind string, keys []string, fn func(i int, raw json.RawMessage)) error {
		name := importer.FindFile(fsys, file)
		if name == "" {
			return nil
		}
		objs, err := importer.ReadObjects(fsys, name, keys...)
		if err != nil {
			return fmt.Errorf("freshdesk: %w", err)
		}
		for i, raw := range objs {
			fn(i, raw)
		}
		return nil
	}
	steps := []struct {
		file, kind string
		keys       []string
		fn         func(string, int, json.RawMessage)
	}{
		{"groups.json", "group", []string{"groups"}, r.group},
		{"companies.json", "company", []string{"companies"}, r.company},
		{"ticket_fields.json", "ticket field", []string{"ticket_fields"}, r.field},
		{"agents.json", "agent", []string{"agents"}, r.agent},
		{"contacts.json", "contact", []string{"contacts"}, r.contact},
		{"conversations.json", "conversation", []string{"conversations"}, r.conversation},
	}
	for _, st := range steps {
		name := importer.FindFile(fsys, st.file)
		if err := each(st.file, st.kind, st.keys, func(i int, raw json.RawMessage) { st.fn(name, i, raw) }); err != nil {
			return nil, err
		}
	}
	if jsonFile != "" {
		objs, err := importer.ReadObjects(fsys, jsonFile, "tickets")
		if err != nil {
			return nil, fmt.Errorf("freshdesk: %w", err)
		}
		for i, raw := range objs {
			var t fticket
			if r.decode(jsonFile, "ticket", i, raw, &t) {
				r.ticket(src(jsonFile, "ticket", i, t.ID), t)
			}
		}
		return &r.c, nil
	}
	if err := r.readCSV(fsys, csvFile); err != nil {
		return nil, fmt.Errorf("freshdesk: %w", err)
	}
	return &r.c, nil
}

// onlyTickets is the one .json or .csv file of an export that holds one.
func onlyTickets(fsys fs.FS) (string, string) {
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil || len(entries) != 1 || entries[0].IsDir() {
		return "", ""
	}
	n := entries[0].Name()
	switch l := strings.ToLower(n); {
	case strings.HasSuffix(l, ".csv"):
		return "", n
	case strings.HasSuffix(l, ".json"), strings.HasSuffix(l, ".ndjson"), strings.HasSuffix(l, ".jsonl"):
		return n, ""
	}
	return "", ""
}

func src(file, kind string, i int, id int64) string {
	if id != 0 {
		return fmt.Sprintf("%s: %s %d", file, kind, id)
	}
	return fmt.Sprintf("%s: %s #%d", file, kind, i+1)
}

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

func (r *reader) conversation(file string, i int, raw json.RawMessage) {
	var c conversation
	if !r.decode(file, "conversation", i, raw, &c) {
		return
	}
	if c.TicketID == 0 {
		r.c.Fail(src(file, "conversation", i, c.ID), "has no ticket_id")
		return
	}
	r.convs[c.TicketID] = append(r.convs[c.TicketID], c)
}

// actor names a Freshdesk user (agent or contact) in the import stream.
func (r *reader) actor(id int64) string {
	if e, ok := r.agents[id]; ok {
		return "agent:" + e
	}
	if c, ok := r.contacts[id]; ok {
		return "customer:" + contactEmail(c)
	}
	return "system"
}

func (r *reader) ticket(s string, t fticket) {
	if t.ID == 0 {
		r.c.Fail(s, "has no id")
		return
	}
	if t.CreatedAt.IsZero() {
		r.c.Fail(s, "has no created_at")
		return
	}
	req, ok := r.contacts[t.RequesterID]
	if !ok {
		r.c.Fail(s, "requester_id %d is not a contact of the export", t.RequesterID)
		return
	}
	out, status, ok := r.common(s, t.ID, t.Status, t.Priority, t.Source, t.Type)
	if !ok {
		return
	}
	out.Subject = firstNonEmpty(t.Subject, fmt.Sprintf("Freshdesk ticket %d", t.ID))
	out.Requester, out.RequesterName = contactEmail(req), firstNonEmpty(req.Name, contactEmail(req))
	out.Tags = importer.Tags(t.Tags)
	for name, v := range t.CustomFields {
		f, ok := r.fields[name]
		if !ok || v == nil {
			continue
		}
		val, ok, err := value(f, v)
		if err != nil {
			r.c.Fail(s, "custom field %s (%s) %s", name, f.label, err)
			return
		}
		if ok {
			if out.CustomFields == nil {
				out.CustomFields = map[string]any{}
			}
			out.CustomFields[f.key] = val
		}
	}
	body := firstNonEmpty(t.DescriptionText, stripTags(t.Description), out.Subject)
	first := importer.Action{At: t.CreatedAt, Actor: "customer:" + contactEmail(req), Do: "comment", Body: body, HTML: t.Description, Public: true,
		Attachments: files(t.Attachments)}
	convs := append(append([]conversation{}, t.Conversations...), r.convs[t.ID]...)
	sort.SliceStable(convs, func(i, j int) bool { return convs[i].CreatedAt.Before(convs[j].CreatedAt) })
	var rest []importer.Action
	for _, c := range convs {
		if c.CreatedAt.IsZero() {
			r.c.Fail(s, "conversation %d has no created_at", c.ID)
			return
		}
		a := importer.Action{At: c.CreatedAt, Actor: r.actor(c.UserID), Do: "comment", Public: !c.Private,
			Body: firstNonEmpty(c.BodyText, stripTags(c.Body), "(empty)"), HTML: c.Body, Attachments: files(c.Attachments)}
		if a.Actor == "system" && c.Incoming {
			a.Actor = "customer:" + contactEmail(req)
		}
		rest = append(rest, a)
	}
	var assignee, team string
	if t.ResponderID != nil {
		e, ok := r.agents[*t.ResponderID]
		if !ok {
			r.c.Fail(s, "responder_id %d is not an agent of the export", *t.ResponderID)
			return
		}
		assignee = e
	}
	if t.GroupID != nil {
		g, ok := r.groups[*t.GroupID]
		if !ok {
			r.c.Fail(s, "group_id %d is not a group of the export", *t.GroupID)
			return
		}
		team = g
	}
	out.Timeline = timeline(first, rest, assignee, team, status, t.UpdatedAt, t.Stats.ResolvedAt, t.Stats.ClosedAt)
	r.c.Add(s, importer.Record{Kind: importer.KindTicket, Ticket: out})
}

// common maps the fields the JSON and CSV tickets share.
func (r *reader) common(s string, id int64, status, prio, source int, typ string) (*importer.Ticket, string, bool) {
	st, ok := Statuses[status]
	if !ok {
		st = "open" // a custom status: the ticket is still being worked on
		if status < 2 {
			r.c.Fail(s, "status %d is not a Freshdesk status (2 open, 3 pending, 4 resolved, 5 closed)", status)
			return nil, "", false
		}
	}
	p, ok := Priorities[prio]
	if !ok {
		r.c.Fail(s, "priority %d is not 1 (low) to 4 (urgent)", prio)
		return nil, "", false
	}
	ch := Sources[source]
	if ch == "" {
		ch = "web"
	}
	ty, ok := Types[strings.ToLower(strings.TrimSpace(typ))]
	if !ok {
		ty = "question"
	}
	return &importer.Ticket{ExternalID: fmt.Sprintf("freshdesk:%d", id), Channel: ch, Priority: p, Type: ty}, st, true
}

// timeline is the ticket's history: the description, the assignment as
// the ticket was created, the conversations, and the status as it ends
// (resolved and closed at their own times when the export has them).
func timeline(first importer.Action, rest []importer.Action, assignee, team, status string, updated time.Time, resolved, closed *time.Time) []importer.Action {
	if assignee != "" || team != "" {
		a := importer.Action{At: first.At, Actor: "system", Do: "assign"}
		if assignee != "" {
			a.Assignee = &assignee
		}
		if team != "" {
			a.Team = &team
		}
		rest = append([]importer.Action{a}, rest...)
	}
	end := updated
	if end.IsZero() {
		end = first.At
	}
	by := "system"
	if assignee != "" {
		by = "agent:" + assignee
	}
	at := func(t *time.Time) time.Time {
		if t != nil && !t.IsZero() {
			return *t
		}
		return end
	}
	switch status {
	case "solved":
		rest = append(rest, importer.Action{At: at(resolved), Actor: by, Do: "status", To: "solved"})
	case "closed":
		rest = append(rest, importer.Action{At: at(resolved), Actor: by, Do: "status", To: "solved"},
			importer.Action{At: at(closed), Actor: "system", Do: "status", To: "closed"})
	default:
		rest = append(rest, importer.Action{At: end, Actor: by, Do: "status", To: status})
	}
	return importer.Steps(first, rest)
}
