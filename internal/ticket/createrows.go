package ticket

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/db"
)

// createWrite is what createTx has prepared for a new ticket's rows: the
// ticket's INSERT (without RETURNING) and its arguments, the created
// event's data and the description as its first comment.
type createWrite struct {
	insert  string
	args    []any
	created map[string]any
	author  Person
	public  bool
	text    commentText
}

// createRows writes a new ticket's rows one statement each (SQLite, where
// its single writer makes a statement cheap): the ticket, its tags, its
// followers, the first comment with its attachments, the events; then the
// event hooks run.
func (s *Service) createRows(ctx context.Context, tx *db.Tx, actor authz.Actor, now time.Time, in CreateInput, w createWrite) (int64, Comment, *eventLog, error) {
	// The insert also answers the configuration stamp, so the event hooks
	// check their cached configuration without a round trip (db.Cached).
	var id, stamp int64
	if err := tx.QueryRowContext(ctx, w.insert+` RETURNING id, `+db.StampColumn, w.args...).Scan(&id, &stamp); err != nil {
		return 0, Comment{}, nil, createErr(err)
	}
	tx.SetConfigStamp(stamp)
	if len(in.Tags) > 0 {
		// One statement for all tags.
		vals := make([]string, len(in.Tags))
		args := make([]any, 0, 2*len(in.Tags))
		for i, tag := range in.Tags {
			vals[i] = "(?, ?)"
			args = append(args, id, tag)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO ticket_tags (ticket_id, tag) VALUES `+strings.Join(vals, ", "), args...); err != nil {
			return 0, Comment{}, nil, fmt.Errorf("ticket: insert tag: %w", err)
		}
	}
	if _, _, err := setFollowers(ctx, tx, id, nil, in.FollowerIDs); err != nil {
		return 0, Comment{}, nil, err
	}
	log := &eventLog{ticketID: id, actor: actor, at: now, hooks: s.hooks}
	log.add(EvCreated, w.created)
	attachmentIDs, err := s.attachFiles(ctx, tx, in)
	if err != nil {
		return 0, Comment{}, nil, err
	}
	c, err := s.insertComment(ctx, tx, log, id, w.author, w.public, w.text, in.Channel, attachmentIDs, now, 0)
	if err != nil {
		return 0, Comment{}, nil, err
	}
	if err := log.flushNew(ctx, tx, createEvents, createComments); err != nil {
		return 0, Comment{}, nil, err
	}
	return id, c, log, nil
}

// attachFiles stores in.Files' attachment rows and returns them after
// in.AttachmentIDs: the ids the first comment links.
func (s *Service) attachFiles(ctx context.Context, tx *db.Tx, in CreateInput) ([]int64, error) {
	ids := in.AttachmentIDs
	for _, f := range in.Files {
		a, err := s.AttachTx(ctx, tx, f)
		if err != nil {
			return nil, err
		}
		ids = append(slices.Clip(ids), a.ID)
	}
	return ids, nil
}

// createRowsPG writes the same rows as createRows on PostgreSQL with the
// ticket, its tags, the first comment, both events and the folded event
// hooks' work (the report mark) in one statement of data-modifying CTEs:
// five round trips were one each (ticket with tags, comment, events, report
// mark), and PostgreSQL parses, plans and executes one statement instead.
// Followers and attachments, which most creates do not have, keep their
// own statements after it; the other hooks run after it as before.
func (s *Service) createRowsPG(ctx context.Context, tx *db.Tx, actor authz.Actor, now time.Time, in CreateInput, w createWrite) (int64, Comment, *eventLog, error) {
	attachmentIDs, err := s.attachFiles(ctx, tx, in)
	if err != nil {
		return 0, Comment{}, nil, err
	}
	ms := db.Millis(now)
	c := Comment{AuthorType: w.author.Type, AuthorID: w.author.ID, Public: w.public, Body: w.text.body,
		HTML: w.text.html, Channel: in.Channel, CreatedAt: db.Time(ms), Attachments: []Attachment{}}
	log := &eventLog{actor: actor, at: now, hooks: s.hooks}
	log.add(EvCreated, w.created)
	log.add(EvCommentAdded, commentAddedData(c)) // its comment_id is set in the statement
	log.comments++
	const commentEvent = 2 // the comment_added event's seq
	if len(log.events) != createEvents || log.comments != createComments {
		return 0, Comment{}, nil, fmt.Errorf("ticket: create writes %d events and %d comments, the row says %d and %d",
			len(log.events), log.comments, createEvents, createComments)
	}
	// Placeholders are numbered in the text's order, so args follow it.
	var q strings.Builder
	args := make([]any, 0, len(w.args)+8+6*len(log.events)+2)
	q.WriteString(`WITH t AS (` + w.insert + ` RETURNING id, ` + db.StampColumn + ` AS stamp)`)
	args = append(args, w.args...)
	if len(in.Tags) > 0 {
		q.WriteString(`,
		g AS (INSERT INTO ticket_tags (ticket_id, tag) SELECT t.id, x FROM t, unnest(CAST(? AS TEXT[])) AS x)`)
		args = append(args, in.Tags)
	}
	q.WriteString(`,
		c AS (INSERT INTO comments (ticket_id, author_type, author_id, public, body, html, channel, created_at)
			VALUES ((SELECT id FROM t), ?, ?, ?, ?, ?, ?, ?) RETURNING id),
		e AS (INSERT INTO ticket_events (ticket_id, seq, type, actor_type, actor_id, at, data)
			SELECT t.id, v.k, v.type, v.actor_type, v.actor_id, v.at,
				CASE WHEN v.k = CAST(? AS INTEGER) THEN v.data || jsonb_build_object('comment_id', c.id) ELSE v.data END
			FROM t, c, (VALUES `)
	args = append(args, c.AuthorType, db.NullInt(c.AuthorID), c.Public, c.Body, c.HTML, c.Channel, ms, commentEvent)
	// The comment_added data holds comment_id 0 here; the statement's ||
	// replaces it with the inserted comment's id.
	vals, args := pgEventValues(log.events, args)
	q.WriteString(vals)
	q.WriteString(`) AS v (k, type, actor_type, actor_id, at, data)
			RETURNING id, seq)`)
	folded, err := log.foldedCTEs(ctx, tx, "t")
	if err != nil {
		return 0, Comment{}, nil, err
	}
	q.WriteString(folded)
	q.WriteString(`
		SELECT t.id, t.stamp, c.id, e.id, e.seq FROM t, c, e`)
	rows, err := tx.QueryContext(ctx, q.String(), args...)
	if err != nil {
		return 0, Comment{}, nil, createErr(err)
	}
	var id, stamp int64
	got := 0
	for rows.Next() {
		var eid, seq int64
		if err := rows.Scan(&id, &stamp, &c.ID, &eid, &seq); err != nil {
			rows.Close()
			return 0, Comment{}, nil, fmt.Errorf("ticket: insert: %w", err)
		}
		if seq < 1 || seq > int64(len(log.events)) {
			rows.Close()
			return 0, Comment{}, nil, fmt.Errorf("ticket: insert: event seq %d out of range", seq)
		}
		log.events[seq-1].ID, log.events[seq-1].Seq = eid, seq
		got++
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, Comment{}, nil, createErr(err)
	}
	if got != len(log.events) {
		return 0, Comment{}, nil, fmt.Errorf("ticket: insert: %d of %d event ids returned", got, len(log.events))
	}
	tx.SetConfigStamp(stamp)
	c.TicketID = id
	log.ticketID = id
	for i := range log.events {
		log.events[i].TicketID = id
	}
	log.events[commentEvent-1].Data["comment_id"] = c.ID
	if _, _, err := setFollowers(ctx, tx, id, nil, in.FollowerIDs); err != nil {
		return 0, Comment{}, nil, err
	}
	if err := linkAttachments(ctx, tx, &c, attachmentIDs); err != nil {
		return 0, Comment{}, nil, err
	}
	if err := log.runHooks(ctx, tx); err != nil {
		return 0, Comment{}, nil, err
	}
	return id, c, log, nil
}

// createErr is the error of a failed create statement: a taken
// external_id is the client's conflict.
func createErr(err error) error {
	if db.IsUniqueViolation(err) {
		return apperr.Conflict("external_id", "a ticket with this external_id exists")
	}
	return fmt.Errorf("ticket: insert: %w", err)
}
