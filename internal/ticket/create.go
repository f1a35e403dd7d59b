package ticket

import (
	"context"
	"encoding/json"
	"fmt"
	"net/mail"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/textcheck"
)

// RequesterInput names the customer a ticket is for; an unknown email creates
// the customer.
type RequesterInput struct {
	Email string `json:"email"`
	// Phone finds or creates the customer by phone when no email is given
	// (a caller who left only a number).
	Phone string `json:"phone"`
	Name  string `json:"name"`
}

// Authors of a new ticket's first message.
const (
	AuthorCustomer = "customer" // the customer's words, recorded by an agent
	AuthorAgent    = "agent"    // the agent's own message: a call log, or outbound mail when public
)

// CreateInput creates a ticket. Description becomes the first comment.
type CreateInput struct {
	Subject         string          `json:"subject"`
	Description     string          `json:"description"`
	DescriptionHTML string          `json:"description_html"`
	Public          *bool           `json:"public"` // the description is public unless false (e.g. a phone log)
	Requester       *RequesterInput `json:"requester"`
	RequesterID     int64           `json:"requester_id"`
	Status          Status          `json:"status"`
	Priority        string          `json:"priority"`
	Type            string          `json:"type"`
	Channel         string          `json:"channel"`
	AssigneeID      *int64          `json:"assignee_id"`
	TeamID          *int64          `json:"team_id"`
	Language        string          `json:"language"`
	Tags            []string        `json:"tags"`
	FollowerIDs     []int64         `json:"follower_ids"`
	CustomFields    map[string]any  `json:"custom_fields"`
	ExternalID      string          `json:"external_id"`
	AttachmentIDs   []int64         `json:"attachment_ids"`
	// Files are contents already in the blob store (PutFile), recorded
	// with the description in the create's transaction (imports).
	Files []Attachment `json:"-"`
	// Author says who wrote the description when an agent creates the
	// ticket: "customer" or "agent". Empty keeps the rule by channel (the
	// agent for a phone call, otherwise the customer). A public message by
	// the agent is sent to the requester like any reply.
	Author string `json:"author"`
	// AutoSubmitted marks a ticket opened by machine-sent mail.
	AutoSubmitted bool `json:"-"`
	// text is the description as stored, when computed before the write.
	text commentText
}

// Limits on user-supplied text.
const (
	MaxSubject = 500
	MaxBody    = 256 << 10
	MaxTags    = 50
)

var (
	tagRE  = regexp.MustCompile(`^[\p{L}\p{N}][\p{L}\p{N}_\-.:/]{0,63}$`)
	langRE = regexp.MustCompile(`^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8}){0,2}$`)
)

// NormalizeTags lower-cases, de-duplicates and validates tags; field names the JSON field.
func NormalizeTags(fe apperr.FieldErrors, field string, tags []string) []string {
	if len(tags) > MaxTags {
		fe.Add(field, fmt.Sprintf("at most %d tags", MaxTags))
		return nil
	}
	out := make([]string, 0, len(tags))
	for i, t := range tags {
		t = strings.ToLower(strings.TrimSpace(t))
		if !tagRE.MatchString(t) {
			fe.Add(fmt.Sprintf("%s[%d]", field, i), "must be 1 to 64 letters, digits or _-.:/ without spaces")
			continue
		}
		if !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	slices.Sort(out)
	return out
}

func checkEnum(fe apperr.FieldErrors, field, v string, allowed []string) {
	if !slices.Contains(allowed, v) {
		fe.Add(field, "must be one of "+strings.Join(allowed, ", "))
	}
}

func checkSubject(fe apperr.FieldErrors, s string) string {
	s = strings.TrimSpace(s)
	switch {
	case s == "":
		fe.Add("subject", "is required")
	case utf8.RuneCountInString(s) > MaxSubject:
		fe.Add("subject", fmt.Sprintf("must be at most %d characters", MaxSubject))
	case !utf8.ValidString(s):
		fe.Add("subject", "must be valid UTF-8")
	default:
		if msg := textcheck.Line(s); msg != "" {
			fe.Add("subject", msg)
		}
	}
	return s
}

func (in *CreateInput) validate() error {
	if err := in.checkSizes(); err != nil {
		return err
	}
	fe := apperr.FieldErrors{}
	in.Subject = checkSubject(fe, in.Subject)
	if strings.TrimSpace(in.Description) == "" && strings.TrimSpace(in.DescriptionHTML) == "" {
		fe.Add("description", "is required")
	} else if len(in.Description) > MaxBody || len(in.DescriptionHTML) > MaxBody {
		fe.Add("description", fmt.Sprintf("must be at most %d bytes", MaxBody))
	} else if msg := textcheck.Body(in.Description + in.DescriptionHTML); msg != "" {
		fe.Add("description", msg)
	}
	switch {
	case in.Requester == nil && in.RequesterID == 0:
		fe.Add("requester", "is required: give requester.email or requester_id")
	case in.Requester != nil && in.RequesterID != 0:
		fe.Add("requester", "give either requester or requester_id, not both")
	case in.Requester != nil:
		in.Requester.Email = strings.TrimSpace(in.Requester.Email)
		in.Requester.Phone = strings.TrimSpace(in.Requester.Phone)
		if in.Requester.Email == "" && in.Requester.Phone != "" {
			if len(in.Requester.Phone) > 50 {
				fe.Add("requester.phone", "must be at most 50 characters")
			}
			break
		}
		addr, err := mail.ParseAddress(in.Requester.Email)
		if err != nil || addr.Name != "" || !strings.Contains(addr.Address, "@") {
			fe.Add("requester.email", "must be an email address")
		} else {
			in.Requester.Email = strings.ToLower(addr.Address)
		}
		in.Requester.Name = strings.TrimSpace(in.Requester.Name)
		if len(in.Requester.Name) > 200 {
			fe.Add("requester.name", "must be at most 200 characters")
		}
	case in.RequesterID < 0:
		fe.Add("requester_id", "must be a positive id")
	}
	if in.Requester != nil {
		if msg := textcheck.Line(in.Requester.Name); msg != "" {
			fe.Add("requester.name", msg)
		}
	}
	if in.Status == "" {
		in.Status = StatusNew
	}
	if !slices.Contains(Statuses, in.Status) || in.Status == StatusClosed {
		fe.Add("status", "must be one of new, open, pending, on_hold, solved")
	}
	if in.Priority == "" {
		in.Priority = "normal"
	}
	checkEnum(fe, "priority", in.Priority, Priorities)
	if in.Type == "" {
		in.Type = "question"
	}
	checkEnum(fe, "type", in.Type, Types)
	if in.Channel == "" {
		in.Channel = "api"
	}
	checkEnum(fe, "channel", in.Channel, Channels)
	if in.Language != "" && !langRE.MatchString(in.Language) {
		fe.Add("language", "must be a language tag such as en, nb or sl")
	}
	in.Language = strings.ToLower(in.Language)
	in.Tags = NormalizeTags(fe, "tags", in.Tags)
	if in.AssigneeID != nil && *in.AssigneeID <= 0 {
		fe.Add("assignee_id", "must be a positive id")
	}
	if in.TeamID != nil && *in.TeamID <= 0 {
		fe.Add("team_id", "must be a positive id")
	}
	if len(in.ExternalID) > 200 {
		fe.Add("external_id", "must be at most 200 characters")
	}
	switch in.Author {
	case "", AuthorCustomer, AuthorAgent:
	default:
		fe.Add("author", "must be customer or agent")
	}
	if len(in.FollowerIDs) > 100 {
		fe.Add("follower_ids", "at most 100 followers")
	}
	return fe.Err()
}

// Create opens a ticket with its first comment, creating the requester when
// the email is new. It appends a "created" event (and a "comment_added"
// event) in the same transaction.
func (s *Service) Create(ctx context.Context, actor authz.Actor, in CreateInput) (Ticket, error) {
	if err := authz.Check(actor, authz.TicketCreate); err != nil {
		return Ticket{}, err
	}
	if err := in.validate(); err != nil {
		return Ticket{}, err
	}
	if err := s.checkUploads(ctx, actor, in.AttachmentIDs); err != nil {
		return Ticket{}, err
	}
	// Outside the writer: the description's stored forms.
	in.text = s.commentText(in.Description, in.DescriptionHTML)
	var t Ticket
	var events []Event
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		var err error
		t, events, err = s.createTx(ctx, tx, actor, s.now(), in)
		return err
	})
	if err != nil {
		return Ticket{}, err
	}
	s.changed(t.ID, events)
	if t.Requester == nil { // else named by the resolution, in the transaction
		if err := s.decorate(ctx, []*Ticket{&t}); err != nil {
			return Ticket{}, err
		}
	}
	return t, nil
}

func (s *Service) changed(id int64, events []Event) {
	if s.OnChange != nil && len(events) > 0 {
		s.OnChange(id, events)
	}
}

// A create writes two events (created, comment_added) and one comment; the
// ticket row is inserted with these counts.
const (
	createEvents   = 2
	createComments = 1
)

// createTx writes a validated ticket at time now.
func (s *Service) createTx(ctx context.Context, tx *db.Tx, actor authz.Actor, now time.Time, in CreateInput) (Ticket, []Event, error) {
	var requesterID, orgID int64
	var requester *Person
	var err error
	if in.Requester != nil {
		requesterID, orgID, requester, err = s.resolveRequester(ctx, tx, *in.Requester)
		if err != nil {
			return Ticket{}, nil, fmt.Errorf("ticket: resolve requester: %w", err)
		}
	} else {
		requesterID = in.RequesterID
		if orgID, err = customerOrg(ctx, tx, "requester_id", requesterID); err != nil {
			return Ticket{}, nil, err
		}
	}
	if actor.Kind == authz.KindCustomer && actor.ID == 0 {
		actor.ID = requesterID
	}
	if in.AssigneeID != nil {
		if err := checkAgent(ctx, tx, "assignee_id", *in.AssigneeID); err != nil {
			return Ticket{}, nil, err
		}
	}
	if in.TeamID != nil {
		if err := checkTeam(ctx, tx, "team_id", *in.TeamID); err != nil {
			return Ticket{}, nil, err
		}
	}
	for i, f := range in.FollowerIDs {
		if err := checkAgent(ctx, tx, fmt.Sprintf("follower_ids[%d]", i), f); err != nil {
			return Ticket{}, nil, err
		}
	}
	fields := map[string]any{}
	if _, err := applyFieldValues(ctx, tx, fields, in.CustomFields); err != nil {
		return Ticket{}, nil, err
	}
	status := in.Status
	if status == StatusSolved {
		fe, err := missingRequired(ctx, tx, fields)
		if err != nil {
			return Ticket{}, nil, err
		}
		if len(fe) > 0 {
			// The same refusal as solving an existing ticket.
			return Ticket{}, nil, &apperr.Error{Code: apperr.CodeUnprocessable, Message: "fill in the required fields to solve the ticket", Fields: fe}
		}
	}
	ms := db.Millis(now)
	var solved any
	if status == StatusSolved {
		solved = ms
	}
	var ext any
	if in.ExternalID != "" {
		ext = in.ExternalID
	}
	// The row goes in with its final state: the sequence number and the
	// comment count of the two events and the one comment written below
	// (createRows, createRowsPG), so it is never updated in this
	// transaction.
	insert := `INSERT INTO tickets (subject, status, priority, type, channel, requester_id, organization_id,
		assignee_id, team_id, language, custom_fields, external_id, created_at, updated_at, solved_at, last_seq, comment_count,
		requester_name, requester_email, tag_list, follower_list)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,
		(SELECT c.name FROM customers c WHERE c.id = ?),
		COALESCE(` + firstEmailOf("?") + `, ''),
		?, ?)`
	// The requester's name and email, and on SQLite the tags and
	// followers written below, go in with the row (the lists' copies,
	// migration 0098), so the triggers that keep them have nothing to do
	// and the row is still written once. PostgreSQL keeps no tag or
	// follower list (NULL: read from their tables).
	var tagList, followerList any
	if tx.Dialect() == db.SQLite {
		tagList, followerList = strings.Join(in.Tags, ","), joinUnique(in.FollowerIDs)
	}
	args := []any{in.Subject, status, in.Priority, in.Type, in.Channel, requesterID, db.NullInt(orgID),
		nullPtr(in.AssigneeID), nullPtr(in.TeamID), in.Language, mustJSON(fields), ext, ms, ms, solved, createEvents, createComments,
		requesterID, requesterID, tagList, followerList}
	created := map[string]any{
		"subject": in.Subject, "status": status, "priority": in.Priority, "type": in.Type, "channel": in.Channel,
		"requester_id": requesterID, "organization_id": orgID, "assignee_id": deref(in.AssigneeID), "team_id": deref(in.TeamID),
		"language": in.Language, "tags": in.Tags, "custom_fields": fields,
	}
	if in.AutoSubmitted {
		created["auto_submitted"] = true
	}
	public := in.Public == nil || *in.Public
	author := authorOf(actor, requesterID, in.Channel, in.Author)
	text := in.text
	if !text.ok {
		text = s.commentText(in.Description, in.DescriptionHTML)
	}
	w := createWrite{insert: insert, args: args, created: created, author: author, public: public, text: text}
	var id int64
	var c Comment
	var log *eventLog
	if tx.Dialect() == db.Postgres {
		id, c, log, err = s.createRowsPG(ctx, tx, actor, now, in, w)
	} else {
		id, c, log, err = s.createRows(ctx, tx, actor, now, in, w)
	}
	if err != nil {
		return Ticket{}, nil, err
	}
	// The new row is known: it is built here rather than read back (three
	// statements fewer per create). The event hooks that ran in flush
	// queue work and keep their own tables; none changes the ticket row.
	t := Ticket{ID: id, Subject: in.Subject, Status: status, Priority: in.Priority, Type: in.Type, Channel: in.Channel,
		RequesterID: requesterID, OrganizationID: ptrNonZero(orgID), AssigneeID: ptrNonZero(deref(in.AssigneeID)),
		TeamID: ptrNonZero(deref(in.TeamID)), Language: in.Language, Tags: append([]string{}, in.Tags...),
		FollowerIDs: sortedUnique(in.FollowerIDs), CustomFields: map[string]any{}, ExternalID: in.ExternalID,
		CommentCount: log.comments, Version: log.events[len(log.events)-1].Seq,
		CreatedAt: db.Time(ms), UpdatedAt: db.Time(ms), Requester: requester}
	// As a reload would see them (numbers as float64).
	_ = json.Unmarshal([]byte(mustJSON(fields)), &t.CustomFields)
	if status == StatusSolved {
		at := db.Time(ms)
		t.SolvedAt = &at
	}
	// An agent's public first message starts an outbound conversation: it
	// goes to the requester in this transaction's outbox, like a reply.
	if author.Type == "agent" && public && in.Author == AuthorAgent && s.outbox != nil {
		if err := s.outbox.QueueReply(ctx, tx, t, c); err != nil {
			return Ticket{}, nil, fmt.Errorf("ticket: queue first message of %d: %w", id, err)
		}
	}
	return t, log.events, nil
}

// identityResolver is what a requester directory offers beyond email: a
// customer found or created by phone. The app's customer directory has it;
// without it a phone-only requester is refused.
type identityResolver interface {
	ResolveIdentity(ctx context.Context, tx *db.Tx, typ, value, name string) (customerID, orgID int64, err error)
}

// resolveRequester finds or creates the requester by email, or by phone
// when no email is given. The requester as an answer names it is returned
// when the directory tells it with the resolution (briefResolver), else nil.
func (s *Service) resolveRequester(ctx context.Context, tx *db.Tx, r RequesterInput) (int64, int64, *Person, error) {
	if r.Email != "" {
		if br, ok := s.requesters.(briefResolver); ok {
			b, org, err := br.ResolveRequesterBrief(ctx, tx, r.Email, r.Name)
			if err != nil {
				return 0, 0, nil, err
			}
			return b.ID, org, &Person{ID: b.ID, Type: "customer", Name: b.Name, Email: b.Email}, nil
		}
		id, org, err := s.requesters.ResolveRequester(ctx, tx, r.Email, r.Name)
		return id, org, nil, err
	}
	ir, ok := s.requesters.(identityResolver)
	if !ok {
		return 0, 0, nil, apperr.InvalidField("requester.email", "is required")
	}
	id, org, err := ir.ResolveIdentity(ctx, tx, "phone", r.Phone, r.Name)
	if apperr.Is(err, apperr.CodeInvalid) {
		return 0, 0, nil, apperr.InvalidField("requester.phone", "must be a phone number such as +47 22 33 44 55")
	}
	return id, org, nil, err
}

// authorOf decides who wrote a new ticket's description: the agent for a
// phone call they log, otherwise the requester (an agent entering a customer's
// message from another channel writes on the customer's behalf).
func authorOf(actor authz.Actor, requesterID int64, channel, chosen string) Person {
	if actor.Kind == authz.KindAgent && (chosen == AuthorAgent || chosen == "" && channel == "phone") {
		return Person{Type: "agent", ID: actor.ID}
	}
	return Person{Type: "customer", ID: requesterID}
}

func ptrNonZero(n int64) *int64 {
	if n == 0 {
		return nil
	}
	return &n
}

// sortedUnique is ids in ascending order without repeats (followers as
// loadTagsFollowers returns them).
func sortedUnique(ids []int64) []int64 {
	out := append([]int64{}, ids...)
	slices.Sort(out)
	return slices.Compact(out)
}

func deref(p *int64) int64 {
	if p == nil {
		return 0
	}
	return *p
}
