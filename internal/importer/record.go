// Package importer loads history into Ombud from NDJSON: one JSON object a
// line, each a team, agent, organization, customer or ticket. Tickets carry a
// timeline of actions with their original times and actors, replayed through
// the same code that writes live events, so imported history is
// indistinguishable from history made in Ombud. The demo data uses it too.
package importer

import "time"

// Record kinds, the value of Record.Kind.
const (
	KindTeam         = "team"
	KindAgent        = "agent"
	KindOrganization = "organization"
	KindCustomer     = "customer"
	KindTicket       = "ticket"
	KindField        = "field"
)

// Record is one NDJSON line. Exactly one of the pointers matches Kind.
type Record struct {
	Kind         string        `json:"kind"`
	Team         *Team         `json:"team,omitempty"`
	Agent        *Agent        `json:"agent,omitempty"`
	Organization *Organization `json:"organization,omitempty"`
	Customer     *Customer     `json:"customer,omitempty"`
	Ticket       *Ticket       `json:"ticket,omitempty"`
	Field        *Field        `json:"field,omitempty"`
}

// Field is a custom ticket field; Key is its key. A field that exists is
// reused, and a dropdown gains the options it lacks, so the tickets after
// it may hold any of Options.
type Field struct {
	Key     string   `json:"key"`
	Label   string   `json:"label"`
	Type    string   `json:"type"` // text, number, date, dropdown, checkbox
	Options []string `json:"options,omitempty"`
}

// Team is a group of agents; Name is its key.
type Team struct {
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
}

// Agent is a staff user; Email is its key. Password may be empty (the agent
// then cannot sign in until one is set).
type Agent struct {
	Email    string    `json:"email"`
	Name     string    `json:"name"`
	Role     string    `json:"role"` // admin, manager, agent, qa_reviewer, collaborator
	Locale   string    `json:"locale,omitempty"`
	TimeZone string    `json:"time_zone,omitempty"`
	Skills   []string  `json:"skills,omitempty"` // e.g. "lang:nb", "product:billing"
	Teams    []string  `json:"teams,omitempty"`  // team names
	Password string    `json:"password,omitempty"`
	Created  time.Time `json:"created_at,omitempty"`
}

// Organization groups customers; Name is its key.
type Organization struct {
	Name    string    `json:"name"`
	Domains []string  `json:"domains,omitempty"`
	Notes   string    `json:"notes,omitempty"`
	Created time.Time `json:"created_at,omitempty"`
}

// Customer is an end user. The first email is its key; every identity is
// attached to the same customer.
type Customer struct {
	Name         string     `json:"name"`
	Emails       []string   `json:"emails,omitempty"`
	Phones       []string   `json:"phones,omitempty"`
	Handles      []Identity `json:"handles,omitempty"` // chat or social handles
	Organization string     `json:"organization,omitempty"`
	Locale       string     `json:"locale,omitempty"`
	Created      time.Time  `json:"created_at,omitempty"`
}

// Identity is a non-email, non-phone handle such as a chat visitor id or a
// social account ("twitter", "@ola").
type Identity struct {
	Type  string `json:"type"`
	Value string `json:"value"`
}

// Ticket is one ticket with its whole history. The first timeline entry must
// be a comment: it is the ticket's description and its time is the creation
// time. Requester is the key of a customer (an email) imported earlier or
// created here from RequesterName.
type Ticket struct {
	ExternalID    string         `json:"external_id,omitempty"`
	Subject       string         `json:"subject"`
	Requester     string         `json:"requester"` // customer email
	RequesterName string         `json:"requester_name,omitempty"`
	Channel       string         `json:"channel"`  // email, chat, web, phone, social, api, in_person
	Priority      string         `json:"priority"` // low, normal, high, urgent
	Type          string         `json:"type"`     // question, incident, problem, task, complaint, return
	Language      string         `json:"language,omitempty"`
	Tags          []string       `json:"tags,omitempty"`
	CustomFields  map[string]any `json:"custom_fields,omitempty"`
	Timeline      []Action       `json:"timeline"`
}

// Action is one step of a ticket's history.
//
// Actor is "agent:EMAIL", "customer:EMAIL" or "system". Do is one of:
//   - "comment": Body (plain text), optional HTML, Public (false = internal note),
//     optional Attachments
//   - "status": To (new, open, pending, on_hold, solved, closed)
//   - "assign": Assignee (agent email, "" to unassign) and/or Team (team name)
//   - "priority": To
//   - "type": To
//   - "tags": Add, Remove
type Action struct {
	At       time.Time `json:"at"`
	Actor    string    `json:"actor"`
	Do       string    `json:"do"`
	Body     string    `json:"body,omitempty"`
	HTML     string    `json:"html,omitempty"`
	Public   bool      `json:"public,omitempty"`
	To       string    `json:"to,omitempty"`
	Assignee *string   `json:"assignee,omitempty"`
	Team     *string   `json:"team,omitempty"`
	Add      []string  `json:"add,omitempty"`
	Remove   []string  `json:"remove,omitempty"`
	// Attachments of a comment (files.go).
	Attachments []File `json:"attachments,omitempty"`
}
