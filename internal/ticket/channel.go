package ticket

import (
	"context"
	"fmt"
	"mime"
	"path/filepath"
	"slices"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/db"
)

// Outbox delivers public agent replies on the ticket's channel. It is called
// inside the comment's transaction and only queues the delivery (a job row),
// so a reply is either stored and queued or neither.
type Outbox interface {
	QueueReply(ctx context.Context, tx *db.Tx, t Ticket, c Comment) error
}

// SetOutbox sets where public agent replies are queued for delivery.
func (s *Service) SetOutbox(o Outbox) { s.outbox = o }

// Superseder is an Outbox that can mark a reply whose delivery failed as
// replaced by a newer one (CommentInput.Supersedes, "edit and resend"),
// inside the new reply's transaction. It refuses a reply that was
// delivered, is still being sent or was replaced already.
type Superseder interface {
	SupersedeTx(ctx context.Context, tx *db.Tx, actor authz.Actor, ticketID, oldCommentID, newCommentID int64) error
}

// DeliverySearch is an Outbox that answers the search term delivery:
// (delivery:failed, tickets with a reply that was not delivered): a
// condition on the tickets' id column t.id, over the outbox's own tables.
type DeliverySearch interface {
	DeliveryCond(values []string) (cond string, args []any)
}

// supersedeTx marks the reply in.Supersedes as replaced by c.
func (s *Service) supersedeTx(ctx context.Context, tx *db.Tx, actor authz.Actor, author Person, public bool, in CommentInput, c Comment) error {
	if !public || author.Type != "agent" {
		return apperr.InvalidField("supersedes", "only an agent's public reply can replace an undelivered one")
	}
	if in.Supersedes < 0 || in.Supersedes == c.ID {
		return apperr.InvalidField("supersedes", "must be the id of an undelivered reply on this ticket")
	}
	sup, ok := s.outbox.(Superseder)
	if !ok || in.NoDelivery {
		return apperr.InvalidField("supersedes", "this reply is not sent, so it cannot replace an undelivered one")
	}
	return sup.SupersedeTx(ctx, tx, actor, c.TicketID, in.Supersedes, c.ID)
}

// CreateTx creates a ticket inside a channel's own write transaction (mail
// ingest stores the raw message and the ticket together). Live-update
// listeners hear of it once tx commits.
func (s *Service) CreateTx(ctx context.Context, tx *db.Tx, actor authz.Actor, in CreateInput) (Ticket, error) {
	// A channel creating a ticket for a customer vouches for them; agents
	// and other actors still need the permission.
	if actor.Kind != authz.KindCustomer {
		if err := authz.Check(actor, authz.TicketCreate); err != nil {
			return Ticket{}, err
		}
	}
	if err := in.validate(); err != nil {
		return Ticket{}, err
	}
	t, events, err := s.createTx(ctx, tx, actor, s.now(), in)
	if err != nil {
		return Ticket{}, err
	}
	tx.AfterCommit(func() { s.changed(t.ID, events) })
	return t, nil
}

// CommentTx adds a comment inside a channel's own write transaction and
// returns it with the ticket as it stands afterwards.
func (s *Service) CommentTx(ctx context.Context, tx *db.Tx, actor authz.Actor, ticketID int64, in CommentInput) (Comment, Ticket, error) {
	public := in.Public == nil || *in.Public
	if !in.AsCustomer && in.CustomerID == 0 {
		if err := checkComment(actor, in, public); err != nil {
			return Comment{}, Ticket{}, err
		}
	}
	if err := in.validate(); err != nil {
		return Comment{}, Ticket{}, err
	}
	now := s.now()
	t, err := loadForUpdate(ctx, tx, ticketID)
	if err != nil {
		return Comment{}, Ticket{}, err
	}
	log := &eventLog{ticketID: t.ID, actor: actor, at: now, hooks: s.hooks}
	c, err := s.commentTx(ctx, tx, log, &t, actor, in, public, now)
	if err != nil {
		return Comment{}, Ticket{}, err
	}
	if err := log.flush(ctx, tx); err != nil {
		return Comment{}, Ticket{}, err
	}
	events := log.events
	tx.AfterCommit(func() { s.changed(ticketID, events) })
	return c, t, nil
}

// GetTx returns a ticket's current state inside tx (no requester names).
func (s *Service) GetTx(ctx context.Context, tx *db.Tx, id int64) (Ticket, error) {
	return loadForUpdate(ctx, tx, id)
}

// AttachTx records a file a channel has already put in the blob store (an
// email part) inside tx, unlinked; the comment that names its id claims it.
func (s *Service) AttachTx(ctx context.Context, tx *db.Tx, a Attachment) (Attachment, error) {
	a.Filename = CleanFilename(a.Filename)
	if mt, _, err := mime.ParseMediaType(a.ContentType); err != nil || a.ContentType == "" {
		a.ContentType = mime.TypeByExtension(filepath.Ext(a.Filename))
		if a.ContentType == "" {
			a.ContentType = "application/octet-stream"
		}
	} else {
		a.ContentType = mt
	}
	now := s.now()
	a.CreatedAt = db.Time(db.Millis(now))
	var err error
	a.ID, err = tx.InsertID(ctx, `INSERT INTO attachments (filename, content_type, size, sha256, inline_cid, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
		a.Filename, a.ContentType, a.Size, a.SHA256, a.InlineCID, db.Millis(now))
	if err != nil {
		return Attachment{}, fmt.Errorf("ticket: store attachment: %w", err)
	}
	return a, nil
}

// RecordTx appends one event of a channel's own (an email delivery failure,
// a bounce) to a ticket's history inside tx.
func (s *Service) RecordTx(ctx context.Context, tx *db.Tx, actor authz.Actor, ticketID int64, typ string, data map[string]any) error {
	if _, err := loadForUpdate(ctx, tx, ticketID); err != nil {
		return err
	}
	log := &eventLog{ticketID: ticketID, actor: actor, at: s.now(), hooks: s.hooks}
	log.add(typ, data)
	if err := log.flush(ctx, tx); err != nil {
		return err
	}
	events := log.events
	tx.AfterCommit(func() { s.changed(ticketID, events) })
	return nil
}

// CommentByID returns one comment of a ticket with its attachments, read
// through q (the pool, or a transaction).
func (s *Service) CommentByID(ctx context.Context, q db.Querier, ticketID, commentID int64) (Comment, error) {
	cs, err := s.commentsWhere(ctx, q, `c.ticket_id = ? AND c.id = ?`, ticketID, commentID)
	if err != nil {
		return Comment{}, err
	}
	if len(cs) == 0 {
		return Comment{}, apperr.NotFound("comment", commentID)
	}
	return cs[0], nil
}

// FollowTx adds agents (copied on a ticket's mail) to its followers.
func (s *Service) FollowTx(ctx context.Context, tx *db.Tx, actor authz.Actor, ticketID int64, agentIDs []int64) error {
	t, err := loadForUpdate(ctx, tx, ticketID)
	if err != nil {
		return err
	}
	if err := loadTagsFollowers(ctx, tx, []*Ticket{&t}); err != nil {
		return err
	}
	want := slices.Clone(t.FollowerIDs)
	for _, a := range agentIDs {
		if !slices.Contains(want, a) {
			want = append(want, a)
		}
	}
	added, _, err := setFollowers(ctx, tx, ticketID, t.FollowerIDs, want)
	if err != nil || len(added) == 0 {
		return err
	}
	log := &eventLog{ticketID: ticketID, actor: actor, at: s.now(), hooks: s.hooks}
	log.add(EvFollowersChanged, map[string]any{"added": added, "removed": []int64{}})
	if err := log.flush(ctx, tx); err != nil {
		return err
	}
	events := log.events
	tx.AfterCommit(func() { s.changed(ticketID, events) })
	return nil
}

// EventHook hears every change to a ticket inside the transaction that
// makes it, with the events just appended: SLA clocks and automation queue
// their work here (as job rows), so it commits with the change or not at all.
// Imported history does not reach hooks.
type EventHook interface {
	TicketEvents(ctx context.Context, tx *db.Tx, ticketID int64, events []Event) error
}

// FoldedHook is an EventHook whose work on some writes is at most one
// data-modifying statement that needs only the ticket's id (the report
// refresher's mark; the SLA clocks' cleanup when no policy is configured).
// On PostgreSQL the statement that appends the events runs that work as one
// of its CTEs instead of calling TicketEvents: a statement and a round trip
// fewer per write.
type FoldedHook interface {
	EventHook
	// TicketEventsCTE is asked before the events are appended (they have
	// no ids or sequence numbers yet, and a create's comment_added no
	// comment id). ok means the hook's whole work on them is cte, a CTE
	// body reading the ticket id from column id of the relation named from,
	// without placeholders, or nothing when cte is empty; TicketEvents is
	// then not called. Otherwise TicketEvents runs after the statement.
	TicketEventsCTE(ctx context.Context, tx *db.Tx, events []Event, from string) (cte string, ok bool, err error)
}

// ImportHook is an EventHook that also sees imported history (hooks are
// otherwise silent during imports, so triggers do not fire on old tickets),
// once per imported ticket with all of its events.
// Reports implement it: an imported ticket's metrics count like any other.
type ImportHook interface {
	EventHook
	HookImports()
}

// AddHook registers h; call before serving.
func (s *Service) AddHook(h EventHook) { s.hooks = append(s.hooks, h) }

type noHooksKey struct{}

// withoutHooks marks ctx so that event hooks stay silent (imports).
func withoutHooks(ctx context.Context) context.Context {
	return context.WithValue(ctx, noHooksKey{}, true)
}

func hooksOff(ctx context.Context) bool {
	v, _ := ctx.Value(noHooksKey{}).(bool)
	return v
}
