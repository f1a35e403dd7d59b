package ticket

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/page"
	"github.com/ombud/ombud/internal/richtext"
	"github.com/ombud/ombud/internal/textcheck"
)

// CommentInput adds a reply or note. Status, when set, changes the ticket's
// status in the same write ("submit as pending").
type CommentInput struct {
	Body          string  `json:"body"`
	HTML          string  `json:"html"`
	Public        *bool   `json:"public"` // default true: a public reply
	Status        Status  `json:"status"`
	AttachmentIDs []int64 `json:"attachment_ids"`
	// Files are uploads already in the blob store (PutFile), recorded and
	// linked to the comment in its transaction (the agent composer).
	Files []Attachment `json:"-"`
	// Channel the comment arrived on; empty means the web UI / API.
	Channel string `json:"-"`
	// AsCustomer posts as the ticket's requester (channels and the portal).
	AsCustomer bool `json:"-"`
	// CustomerID posts as another customer on the ticket (someone copied on
	// its mail); 0 means the requester.
	CustomerID int64 `json:"-"`
	// NoDelivery records a public agent reply without sending it (the
	// customer already has it: the agent mailed them directly).
	NoDelivery bool `json:"-"`
	// AutoSubmitted marks a message a machine sent (an auto-reply): its
	// event says so, and automation leaves it alone.
	AutoSubmitted bool `json:"-"`
	// At overrides the time (imports only).
	At time.Time `json:"-"`
	// Exact skips the automatic status rules, for imports that replay a
	// history in which every status change is its own step.
	Exact bool `json:"-"`
	// Supersedes names an earlier public reply of this ticket whose
	// delivery failed: this reply is sent instead ("edit and resend") and
	// the old one is marked replaced, in the same write.
	Supersedes int64 `json:"supersedes,omitempty"`
	// text is Body and HTML as stored, when computed before the write.
	text commentText
}

func (in *CommentInput) validate() error {
	fe := apperr.FieldErrors{}
	if strings.TrimSpace(in.Body) == "" && strings.TrimSpace(in.HTML) == "" {
		fe.Add("body", "is required")
	}
	if len(in.Body) > MaxBody || len(in.HTML) > MaxBody {
		fe.Add("body", fmt.Sprintf("must be at most %d bytes", MaxBody))
	} else if msg := textcheck.Body(in.Body + in.HTML); msg != "" {
		fe.Add("body", msg)
	}
	if in.Status != "" && !validStatus(in.Status) {
		fe.Add("status", "must be one of new, open, pending, on_hold, solved, closed")
	}
	fe.MaxItems("attachment_ids", len(in.AttachmentIDs), MaxAttachments)
	if len(in.Files) > 50 {
		fe.Add("attachments", "at most 50 files")
	}
	return fe.Err()
}

// checkComment is the permission check for an agent's comment and for every
// change that rides along with it: a status sent with a note needs the same
// right as the same change sent on its own (ticket.update), so a role that
// may only write notes cannot solve, and by solving assign, a ticket.
func checkComment(actor authz.Actor, in CommentInput, public bool) error {
	perm := authz.TicketReply
	if !public {
		perm = authz.TicketNote
	}
	if err := authz.Check(actor, perm); err != nil {
		return err
	}
	if in.Status != "" && !authz.Can(actor, authz.TicketUpdate) {
		return &apperr.Error{Code: apperr.CodeForbidden, Message: "your role may add notes but not change the ticket (" + string(authz.TicketUpdate) + ")",
			Fields: map[string]string{"status": "your role may not change it"}}
	}
	return nil
}

func validStatus(s Status) bool {
	for _, x := range Statuses {
		if x == s {
			return true
		}
	}
	return false
}

// AddComment adds a public reply or internal note and applies the status
// rules a helpdesk expects: an agent's first public reply opens a new ticket,
// a customer's message reopens a pending or solved one, a closed ticket takes
// no more comments.
func (s *Service) AddComment(ctx context.Context, actor authz.Actor, ticketID int64, in CommentInput) (Comment, error) {
	public := in.Public == nil || *in.Public
	if !in.AsCustomer && in.CustomerID == 0 {
		if err := checkComment(actor, in, public); err != nil {
			return Comment{}, err
		}
	}
	if err := in.validate(); err != nil {
		return Comment{}, err
	}
	if err := s.checkUploads(ctx, actor, in.AttachmentIDs); err != nil {
		return Comment{}, err
	}
	in.text = s.commentText(in.Body, in.HTML)
	var c Comment
	var events []Event
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		now := s.now()
		if !in.At.IsZero() {
			now = in.At
		}
		t, err := loadForUpdate(ctx, tx, ticketID)
		if err != nil {
			return err
		}
		log := &eventLog{ticketID: t.ID, actor: actor, at: now, hooks: s.hooks}
		c, err = s.commentTx(ctx, tx, log, &t, actor, in, public, now)
		if err != nil {
			return err
		}
		if err := log.flush(ctx, tx); err != nil {
			return err
		}
		events = log.events
		return nil
	})
	if err != nil {
		return Comment{}, err
	}
	s.changed(ticketID, events)
	return c, nil
}

func (s *Service) commentTx(ctx context.Context, tx *db.Tx, log *eventLog, t *Ticket, actor authz.Actor, in CommentInput, public bool, now time.Time) (Comment, error) {
	if t.Status == StatusClosed {
		return Comment{}, apperr.Unprocessable("ticket", fmt.Sprintf("ticket %d is closed; open a follow-up ticket instead", t.ID))
	}
	if t.MergedIntoID != nil {
		return Comment{}, apperr.Unprocessable("ticket", fmt.Sprintf("ticket %d was merged into %d", t.ID, *t.MergedIntoID))
	}
	author := Person{Type: string(actor.Kind), ID: actor.ID}
	if in.AsCustomer || in.CustomerID != 0 || actor.Kind == authz.KindCustomer {
		author = Person{Type: "customer", ID: t.RequesterID}
		if in.CustomerID != 0 {
			author.ID = in.CustomerID
		}
		public = true
	}
	channel := in.Channel
	if channel == "" {
		channel = "web"
		if author.Type == "agent" {
			channel = t.Channel // replies go out on the ticket's channel
		}
	}
	attachmentIDs := in.AttachmentIDs
	for _, f := range in.Files {
		a, err := s.AttachTx(ctx, tx, f)
		if err != nil {
			return Comment{}, err
		}
		attachmentIDs = append(slices.Clip(attachmentIDs), a.ID)
	}
	text := in.text
	if !text.ok {
		text = s.commentText(in.Body, in.HTML)
	}
	// An agent's reply is sent: their draft of it is done, cleared with
	// the comment's insert (insertComment).
	var draftOf int64
	if author.Type == "agent" && !in.Exact {
		draftOf = author.ID
	}
	c, err := s.insertComment(ctx, tx, log, t.ID, author, public, text, channel, attachmentIDs, now, draftOf)
	if err != nil {
		return Comment{}, err
	}
	if author.Type == "agent" && !in.Exact {
		if err := s.mentionTx(ctx, tx, log, t, author.ID, actor.Name, c); err != nil {
			return Comment{}, err
		}
	}
	if in.AutoSubmitted {
		log.events[len(log.events)-1].Data["auto_submitted"] = true
	}
	if s.outbox != nil && (author.Type == "agent" || author.Type == "system") && public && !in.Exact && !in.NoDelivery {
		if err := s.outbox.QueueReply(ctx, tx, *t, c); err != nil {
			return Comment{}, fmt.Errorf("ticket: queue reply %d: %w", c.ID, err)
		}
	}
	if in.Supersedes != 0 {
		if err := s.supersedeTx(ctx, tx, actor, author, public, in, c); err != nil { // channel.go
			return Comment{}, err
		}
	}
	next := in.Status
	if next == "" && !in.Exact {
		switch {
		case author.Type == "customer" && (t.Status == StatusPending || t.Status == StatusSolved || t.Status == StatusOnHold):
			next = StatusOpen
		case author.Type == "agent" && public && t.Status == StatusNew:
			next = StatusOpen
		}
	}
	if next != "" && next != t.Status {
		if err := s.applyPatch(ctx, tx, log, t, Patch{Status: &next}); err != nil {
			return Comment{}, err
		}
	}
	return c, nil
}

// commentText is a comment's text as stored: the HTML sanitised, the
// missing form derived from the other.
type commentText struct {
	body, html string
	ok         bool // computed (the zero value is not)
}

// commentText sanitises html and derives the missing form. Create and
// AddComment call it before taking the writer, so the single SQLite
// writer goroutine only runs statements.
func (s *Service) commentText(body, html string) commentText {
	if html != "" {
		html = s.html.Sanitize(html)
		if strings.TrimSpace(body) == "" {
			body = richtext.ToText(html)
		}
	} else {
		html = richtext.FromText(body)
	}
	return commentText{body: strings.TrimSpace(body), html: html, ok: true}
}

// insertComment stores a comment in its prepared text (commentText), links
// uploaded attachments and logs the event.
func (s *Service) insertComment(ctx context.Context, tx *db.Tx, log *eventLog, ticketID int64, author Person, public bool, text commentText, channel string, attachmentIDs []int64, now time.Time, draftOf int64) (Comment, error) {
	body, html := text.body, text.html
	insert := `INSERT INTO comments (ticket_id, author_type, author_id, public, body, html, channel, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`
	args := []any{ticketID, author.Type, db.NullInt(author.ID), public, body, html, channel, db.Millis(now)}
	// draftOf: the agent whose draft of this ticket the comment sends. On
	// PostgreSQL the draft goes in the insert's statement (a data-modifying
	// CTE: a round trip fewer per reply); SQLite deletes it in its own.
	clear := draftOf != 0
	if clear && tx.Dialect() == db.Postgres {
		insert = `WITH d AS (DELETE FROM drafts WHERE agent_id = ? AND ticket_id = ?) ` + insert
		args = append([]any{draftOf, ticketID}, args...)
		clear = false
	}
	id, err := tx.InsertID(ctx, insert, args...)
	if err != nil {
		return Comment{}, fmt.Errorf("ticket: insert comment: %w", err)
	}
	if clear {
		if _, err := tx.ExecContext(ctx, `DELETE FROM drafts WHERE agent_id = ? AND ticket_id = ?`, draftOf, ticketID); err != nil {
			return Comment{}, fmt.Errorf("ticket: clear draft: %w", err)
		}
	}
	log.comments++ // counted by log.flush, in its UPDATE of the ticket row
	c := Comment{ID: id, TicketID: ticketID, AuthorType: author.Type, AuthorID: author.ID, Public: public,
		Body: body, HTML: html, Channel: channel, CreatedAt: db.Time(db.Millis(now)), Attachments: []Attachment{}}
	if err := linkAttachments(ctx, tx, &c, attachmentIDs); err != nil {
		return Comment{}, err
	}
	log.add(EvCommentAdded, commentAddedData(c))
	return c, nil
}

// commentAddedData is the data of c's comment_added event.
func commentAddedData(c Comment) map[string]any {
	return map[string]any{
		"comment_id": c.ID, "public": c.Public, "author_type": c.AuthorType, "author_id": c.AuthorID, "channel": c.Channel,
	}
}

// linkAttachments gives the unused uploads attachmentIDs to the comment c
// (already inserted) and sets c.Attachments.
func linkAttachments(ctx context.Context, tx *db.Tx, c *Comment, attachmentIDs []int64) error {
	for i, aid := range attachmentIDs {
		res, err := tx.ExecContext(ctx, `UPDATE attachments SET comment_id = ? WHERE id = ? AND comment_id IS NULL`, c.ID, aid)
		if err != nil {
			return fmt.Errorf("ticket: link attachment: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return apperr.InvalidField(fmt.Sprintf("attachment_ids[%d]", i), "is not an unused upload")
		}
	}
	if len(attachmentIDs) > 0 {
		atts, err := loadAttachments(ctx, tx, []int64{c.ID})
		if err != nil {
			return err
		}
		c.Attachments = atts[c.ID]
	}
	return nil
}

// ListComments returns a ticket's comments oldest first, paged by id.
func (s *Service) ListComments(ctx context.Context, actor authz.Actor, ticketID int64, pr page.Request) (page.List[Comment], error) {
	if err := authz.Check(actor, authz.TicketRead); err != nil {
		return page.List[Comment]{}, err
	}
	if err := s.exists(ctx, ticketID); err != nil {
		return page.List[Comment]{}, err
	}
	after := int64(0)
	if pr.Cursor != nil {
		after = pr.Cursor.ID
	}
	cs, err := s.comments(ctx, ticketID, after, pr.Limit+1)
	if err != nil {
		return page.List[Comment]{}, err
	}
	return page.Trim(cs, pr.Limit, func(c Comment) page.Cursor { return page.Cursor{ID: c.ID} }), nil
}

func (s *Service) comments(ctx context.Context, ticketID, afterID int64, limit int) ([]Comment, error) {
	return s.commentsWhere(ctx, s.db, `c.ticket_id = ? AND c.id > ? ORDER BY c.id LIMIT ?`, ticketID, afterID, limit)
}

// commentsWhere loads comments matching cond (which may end in ORDER BY /
// LIMIT) with their attachments.
func (s *Service) commentsWhere(ctx context.Context, q db.Querier, cond string, args ...any) ([]Comment, error) {
	rows, err := q.QueryContext(ctx, `SELECT c.id, c.ticket_id, c.author_type, c.author_id, c.public, c.body, c.html, c.channel, c.created_at
		FROM comments c WHERE `+cond, args...)
	if err != nil {
		return nil, fmt.Errorf("ticket: list comments: %w", err)
	}
	defer rows.Close()
	var out []Comment
	var ids []int64
	for rows.Next() {
		var c Comment
		var author sql.NullInt64
		var at int64
		if err := rows.Scan(&c.ID, &c.TicketID, &c.AuthorType, &author, &c.Public, &c.Body, &c.HTML, &c.Channel, &at); err != nil {
			return nil, fmt.Errorf("ticket: scan comment: %w", err)
		}
		c.AuthorID = author.Int64
		c.CreatedAt = db.Time(at)
		c.Attachments = []Attachment{}
		out = append(out, c)
		ids = append(ids, c.ID)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("ticket: list comments: %w", err)
	}
	rows.Close()
	atts, err := loadAttachments(ctx, q, ids)
	if err != nil {
		return nil, err
	}
	for i := range out {
		if a, ok := atts[out[i].ID]; ok {
			out[i].Attachments = a
		}
	}
	return out, nil
}

func loadAttachments(ctx context.Context, q db.Querier, commentIDs []int64) (map[int64][]Attachment, error) {
	out := map[int64][]Attachment{}
	if len(commentIDs) == 0 {
		return out, nil
	}
	args := make([]any, len(commentIDs))
	for i, id := range commentIDs {
		args[i] = id
	}
	rows, err := q.QueryContext(ctx, `SELECT id, comment_id, filename, content_type, size, sha256, inline_cid, created_at
		FROM attachments WHERE comment_id IN (`+placeholders(len(args))+`) ORDER BY id`, args...)
	if err != nil {
		return nil, fmt.Errorf("ticket: load attachments: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var a Attachment
		var at int64
		if err := rows.Scan(&a.ID, &a.CommentID, &a.Filename, &a.ContentType, &a.Size, &a.SHA256, &a.InlineCID, &at); err != nil {
			return nil, fmt.Errorf("ticket: scan attachment: %w", err)
		}
		a.CreatedAt = db.Time(at)
		out[a.CommentID] = append(out[a.CommentID], a)
	}
	return out, rows.Err()
}

// ListEvents returns a ticket's history in sequence order.
func (s *Service) ListEvents(ctx context.Context, actor authz.Actor, ticketID int64, pr page.Request) (page.List[Event], error) {
	if err := authz.Check(actor, authz.TicketRead); err != nil {
		return page.List[Event]{}, err
	}
	if err := s.exists(ctx, ticketID); err != nil {
		return page.List[Event]{}, err
	}
	after := int64(0)
	if pr.Cursor != nil {
		after = pr.Cursor.ID
		// seq is a 32-bit column on PostgreSQL: a forged cursor beyond it
		// would be a database error, not an empty page.
		if after < 0 || after > math.MaxInt32 {
			return page.List[Event]{}, apperr.InvalidField("cursor", "is not a cursor returned by this list")
		}
	}
	rows, err := s.db.QueryContext(ctx, `SELECT id, ticket_id, seq, type, actor_type, actor_id, at, origin_ticket_id, data
		FROM ticket_events WHERE ticket_id = ? AND seq > ? ORDER BY seq LIMIT ?`, ticketID, after, pr.Limit+1)
	if err != nil {
		return page.List[Event]{}, fmt.Errorf("ticket: list events: %w", err)
	}
	defer rows.Close()
	var out []Event
	for rows.Next() {
		e, err := scanEvent(rows)
		if err != nil {
			return page.List[Event]{}, fmt.Errorf("ticket: scan event: %w", err)
		}
		if strings.HasPrefix(e.Type, "qa_") && !authz.Can(actor, authz.QARead) {
			// A quality review's score is for those who may read reviews
			// (docs/qa.md); the history says only that one happened.
			e.Data = map[string]any{"review_id": e.Data["review_id"]}
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return page.List[Event]{}, fmt.Errorf("ticket: list events: %w", err)
	}
	return page.Trim(out, pr.Limit, func(e Event) page.Cursor { return page.Cursor{ID: e.Seq} }), nil
}

func (s *Service) exists(ctx context.Context, id int64) error {
	var n int
	err := s.db.QueryRowContext(ctx, `SELECT 1 FROM tickets WHERE id = ?`, id).Scan(&n)
	if err == sql.ErrNoRows {
		return apperr.NotFound("ticket", id)
	}
	if err != nil {
		return fmt.Errorf("ticket: exists %d: %w", id, err)
	}
	return nil
}
