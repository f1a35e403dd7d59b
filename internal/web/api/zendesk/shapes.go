package zendesk

import (
	"fmt"
	"html"
	"time"

	"github.com/ombud/ombud/internal/agent"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/customer"
	"github.com/ombud/ombud/internal/ticket"
)

// zTime is a time as Zendesk writes it: UTC, whole seconds, "Z"
// ("2026-01-02T15:04:05Z").
func zTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05Z") }

// Via says where a ticket or comment came from.
type Via struct {
	Channel string    `json:"channel"`
	Source  ViaSource `json:"source"`
}

// ViaSource is Zendesk's via.source; Ombud records no more than the channel.
type ViaSource struct {
	From map[string]any `json:"from"`
	To   map[string]any `json:"to"`
	Rel  *string        `json:"rel"`
}

// CustomField is one entry of a ticket's custom_fields.
type CustomField struct {
	ID    int64 `json:"id"`
	Value any   `json:"value"`
}

// Ticket is Zendesk's ticket shape.
type Ticket struct {
	URL                  string        `json:"url"`
	ID                   int64         `json:"id"`
	ExternalID           *string       `json:"external_id"`
	Via                  Via           `json:"via"`
	CreatedAt            string        `json:"created_at"`
	UpdatedAt            string        `json:"updated_at"`
	Type                 *string       `json:"type"`
	Subject              string        `json:"subject"`
	RawSubject           string        `json:"raw_subject"`
	Description          string        `json:"description"`
	Priority             *string       `json:"priority"`
	Status               string        `json:"status"`
	Recipient            *string       `json:"recipient"`
	RequesterID          int64         `json:"requester_id"`
	SubmitterID          int64         `json:"submitter_id"`
	AssigneeID           *int64        `json:"assignee_id"`
	OrganizationID       *int64        `json:"organization_id"`
	GroupID              *int64        `json:"group_id"`
	CollaboratorIDs      []int64       `json:"collaborator_ids"`
	FollowerIDs          []int64       `json:"follower_ids"`
	EmailCCIDs           []int64       `json:"email_cc_ids"`
	ProblemID            *int64        `json:"problem_id"`
	HasIncidents         bool          `json:"has_incidents"`
	IsPublic             bool          `json:"is_public"`
	DueAt                *string       `json:"due_at"`
	Tags                 []string      `json:"tags"`
	CustomFields         []CustomField `json:"custom_fields"`
	Fields               []CustomField `json:"fields"`
	SatisfactionRating   any           `json:"satisfaction_rating"`
	SharingAgreementIDs  []int64       `json:"sharing_agreement_ids"`
	FollowupIDs          []int64       `json:"followup_ids"`
	BrandID              *int64        `json:"brand_id"`
	AllowChannelback     bool          `json:"allow_channelback"`
	AllowAttachments     bool          `json:"allow_attachments"`
	FromMessagingChannel bool          `json:"from_messaging_channel"`
	// ResultType is set in search results only.
	ResultType string `json:"result_type,omitempty"`
}

// Comment is Zendesk's ticket comment shape.
type Comment struct {
	ID          int64          `json:"id"`
	Type        string         `json:"type"`
	AuthorID    int64          `json:"author_id"`
	Body        string         `json:"body"`
	HTMLBody    string         `json:"html_body"`
	PlainBody   string         `json:"plain_body"`
	Public      bool           `json:"public"`
	Attachments []Attachment   `json:"attachments"`
	AuditID     *int64         `json:"audit_id"`
	Via         Via            `json:"via"`
	CreatedAt   string         `json:"created_at"`
	Metadata    map[string]any `json:"metadata"`
}

// Attachment is Zendesk's attachment shape.
type Attachment struct {
	ID          int64  `json:"id"`
	FileName    string `json:"file_name"`
	ContentURL  string `json:"content_url"`
	ContentType string `json:"content_type"`
	Size        int64  `json:"size"`
	Inline      bool   `json:"inline"`
}

// User is Zendesk's user shape: an Ombud customer (role end-user) or agent
// (role agent, or admin for Ombud's admins).
type User struct {
	URL            string         `json:"url"`
	ID             int64          `json:"id"`
	Name           string         `json:"name"`
	Email          *string        `json:"email"`
	Phone          *string        `json:"phone"`
	CreatedAt      string         `json:"created_at"`
	UpdatedAt      string         `json:"updated_at"`
	TimeZone       string         `json:"time_zone"`
	IANATimeZone   string         `json:"iana_time_zone"`
	Locale         string         `json:"locale"`
	OrganizationID *int64         `json:"organization_id"`
	Role           string         `json:"role"`
	RoleType       *int           `json:"role_type"`
	Verified       bool           `json:"verified"`
	Active         bool           `json:"active"`
	Suspended      bool           `json:"suspended"`
	Shared         bool           `json:"shared"`
	ExternalID     *string        `json:"external_id"`
	Tags           []string       `json:"tags"`
	Notes          string         `json:"notes"`
	Details        string         `json:"details"`
	UserFields     map[string]any `json:"user_fields"`
	ResultType     string         `json:"result_type,omitempty"`
}

// Organization is Zendesk's organization shape.
type Organization struct {
	URL                string         `json:"url"`
	ID                 int64          `json:"id"`
	Name               string         `json:"name"`
	DomainNames        []string       `json:"domain_names"`
	Details            string         `json:"details"`
	Notes              string         `json:"notes"`
	GroupID            *int64         `json:"group_id"`
	SharedTickets      bool           `json:"shared_tickets"`
	SharedComments     bool           `json:"shared_comments"`
	ExternalID         *string        `json:"external_id"`
	Tags               []string       `json:"tags"`
	OrganizationFields map[string]any `json:"organization_fields"`
	CreatedAt          string         `json:"created_at"`
	UpdatedAt          string         `json:"updated_at"`
	ResultType         string         `json:"result_type,omitempty"`
}

// Status names: Zendesk says hold where Ombud says on_hold.
func zStatus(s ticket.Status) string {
	if s == ticket.StatusOnHold {
		return "hold"
	}
	return string(s)
}

func ombudStatus(s string) ticket.Status {
	if s == "hold" {
		return ticket.StatusOnHold
	}
	return ticket.Status(s)
}

// Channels: Zendesk's via.channel for each Ombud channel. Ombud's in-person
// tickets are logged by an agent in the web UI, as Zendesk's "web" ones.
var viaChannel = map[string]string{"email": "email", "chat": "chat", "web": "web", "phone": "voice", "social": "any_channel", "api": "api", "in_person": "web"}

func via(channel string) Via {
	c, ok := viaChannel[channel]
	if !ok {
		c = channel
	}
	return Via{Channel: c, Source: ViaSource{From: map[string]any{}, To: map[string]any{}}}
}

func strPtr(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// agentIDs maps agent ids to Zendesk user ids.
func agentIDs(ids []int64) []int64 {
	out := make([]int64, 0, len(ids))
	for _, id := range ids {
		out = append(out, AgentUserID(id))
	}
	return out
}

// ticketURL is a ticket's API URL.
func ticketURL(base string, id int64) string {
	return fmt.Sprintf("%s/api/v2/tickets/%d.json", base, id)
}

// first is what a ticket's first comment gives its Zendesk shape.
type first struct {
	Body     string
	AuthorID int64 // Zendesk user id
	Public   bool
}

// toTicket maps an Ombud ticket to Zendesk's shape. fields are the custom
// field definitions (every one is listed, unset ones with null, as
// Zendesk lists them); desc is the ticket's first comment.
func toTicket(base string, t ticket.Ticket, desc first, fields []ticket.Field) Ticket {
	out := Ticket{
		URL:                 ticketURL(base, t.ID),
		ID:                  t.ID,
		ExternalID:          strPtr(t.ExternalID),
		Via:                 via(t.Channel),
		CreatedAt:           zTime(t.CreatedAt),
		UpdatedAt:           zTime(t.UpdatedAt),
		Type:                strPtr(t.Type),
		Subject:             t.Subject,
		RawSubject:          t.Subject,
		Description:         desc.Body,
		Priority:            strPtr(t.Priority),
		Status:              zStatus(t.Status),
		RequesterID:         t.RequesterID,
		SubmitterID:         desc.AuthorID,
		OrganizationID:      t.OrganizationID,
		GroupID:             t.TeamID,
		CollaboratorIDs:     []int64{},
		FollowerIDs:         agentIDs(t.FollowerIDs),
		EmailCCIDs:          []int64{},
		IsPublic:            desc.Public,
		Tags:                t.Tags,
		SharingAgreementIDs: []int64{},
		FollowupIDs:         []int64{},
		AllowAttachments:    true,
	}
	if out.SubmitterID == 0 {
		out.SubmitterID = t.RequesterID
	}
	if t.AssigneeID != nil {
		id := AgentUserID(*t.AssigneeID)
		out.AssigneeID = &id
	}
	if out.Tags == nil {
		out.Tags = []string{}
	}
	out.CustomFields = make([]CustomField, 0, len(fields))
	for _, f := range fields {
		out.CustomFields = append(out.CustomFields, CustomField{ID: f.ID, Value: t.CustomFields[f.Key]})
	}
	out.Fields = out.CustomFields
	return out
}

// commentAuthor is a comment's author as a Zendesk user id.
func commentAuthor(c ticket.Comment, requesterID int64) int64 {
	switch c.AuthorType {
	case "agent":
		return AgentUserID(c.AuthorID)
	case "customer":
		if c.AuthorID != 0 {
			return c.AuthorID
		}
		return requesterID
	}
	return -1 // Zendesk's id for system-made comments
}

func toComment(base string, c ticket.Comment, requesterID int64) Comment {
	out := Comment{
		ID: c.ID, Type: "Comment", AuthorID: commentAuthor(c, requesterID),
		Body: c.Body, HTMLBody: c.HTML, PlainBody: c.Body, Public: c.Public,
		Attachments: []Attachment{}, Via: via(c.Channel), CreatedAt: zTime(c.CreatedAt), Metadata: map[string]any{},
	}
	if out.HTMLBody == "" {
		out.HTMLBody = "<p>" + html.EscapeString(c.Body) + "</p>"
	}
	for _, a := range c.Attachments {
		out.Attachments = append(out.Attachments, Attachment{
			ID: a.ID, FileName: a.Filename, ContentURL: fmt.Sprintf("%s/api/v1/attachments/%d", base, a.ID),
			ContentType: a.ContentType, Size: a.Size, Inline: a.InlineCID != "",
		})
	}
	return out
}

// Roles: Ombud's admins are Zendesk admins; every other staff role works
// tickets as a Zendesk agent does.
func zRole(r authz.Role) string {
	if r == authz.Admin {
		return "admin"
	}
	return "agent"
}

func customerUser(base string, c customer.Customer) User {
	u := User{
		URL: fmt.Sprintf("%s/api/v2/users/%d.json", base, c.ID), ID: c.ID, Name: c.Name, Email: strPtr(c.Email),
		CreatedAt: zTime(c.CreatedAt), UpdatedAt: zTime(c.UpdatedAt), TimeZone: c.TimeZone, IANATimeZone: c.TimeZone,
		Locale: c.Locale, OrganizationID: c.OrganizationID, Role: "end-user", Verified: true, Active: true,
		Tags: []string{}, Notes: c.Notes, UserFields: map[string]any{},
	}
	for _, id := range c.Identities {
		if id.Type == "phone" && u.Phone == nil {
			u.Phone = strPtr(id.Value)
		}
	}
	return u
}

func agentUser(base string, a agent.Agent) User {
	id := AgentUserID(a.ID)
	return User{
		URL: fmt.Sprintf("%s/api/v2/users/%d.json", base, id), ID: id, Name: a.Name, Email: strPtr(a.Email),
		CreatedAt: zTime(a.CreatedAt), UpdatedAt: zTime(a.UpdatedAt), TimeZone: a.TimeZone, IANATimeZone: a.TimeZone,
		Locale: a.Locale, Role: zRole(a.Role), Verified: true, Active: a.Active, Suspended: !a.Active,
		Tags: []string{}, UserFields: map[string]any{},
	}
}

func toOrganization(base string, o customer.Organization) Organization {
	d := o.Domains
	if d == nil {
		d = []string{}
	}
	return Organization{
		URL: fmt.Sprintf("%s/api/v2/organizations/%d.json", base, o.ID), ID: o.ID, Name: o.Name, DomainNames: d,
		Notes: o.Notes, Tags: []string{}, OrganizationFields: map[string]any{},
		CreatedAt: zTime(o.CreatedAt), UpdatedAt: zTime(o.UpdatedAt),
	}
}
