package ticket

import (
	"context"
	"fmt"
	"slices"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/db"
)

// Merge folds source into target: source's comments and events move to
// target (events keep their order and remember their origin), tags and
// followers are united, a note on each ticket records the merge, and source
// is closed with a pointer to target.
func (s *Service) Merge(ctx context.Context, actor authz.Actor, targetID, sourceID int64) (Ticket, error) {
	if err := authz.Check(actor, authz.TicketMerge); err != nil {
		return Ticket{}, err
	}
	if targetID == sourceID {
		return Ticket{}, apperr.InvalidField("source_id", "cannot merge a ticket into itself")
	}
	var t Ticket
	var tEvents, sEvents []Event
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		now := s.now()
		// Lock in id order so two opposite merges cannot deadlock on PostgreSQL.
		first, second := min(targetID, sourceID), max(targetID, sourceID)
		a, err := loadForUpdate(ctx, tx, first)
		if err != nil {
			return fieldNotFound(err, first == sourceID)
		}
		b, err := loadForUpdate(ctx, tx, second)
		if err != nil {
			return fieldNotFound(err, second == sourceID)
		}
		target, source := a, b
		if first == sourceID {
			target, source = b, a
		}
		for _, x := range []Ticket{target, source} {
			if x.MergedIntoID != nil {
				return apperr.Unprocessable("ticket", fmt.Sprintf("ticket %d was already merged into %d", x.ID, *x.MergedIntoID))
			}
		}
		if target.Status == StatusClosed {
			return apperr.Unprocessable("ticket", fmt.Sprintf("ticket %d is closed; merge into an open ticket", target.ID))
		}
		if source.Status == StatusClosed {
			return apperr.Unprocessable("source_id", fmt.Sprintf("ticket %d is closed and cannot be merged", source.ID))
		}
		// Move the source's history after the target's.
		var moved int64
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM ticket_events WHERE ticket_id = ?`, source.ID).Scan(&moved); err != nil {
			return fmt.Errorf("ticket: merge count: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE ticket_events SET ticket_id = ?, seq = seq + ?, origin_ticket_id = COALESCE(origin_ticket_id, ?)
			WHERE ticket_id = ?`, target.ID, target.Version, source.ID, source.ID); err != nil {
			return fmt.Errorf("ticket: merge events: %w", err)
		}
		// The moved events took seqs target.Version+1 … target.Version+source.Version;
		// advance the target's counter past them.
		if _, err := tx.ExecContext(ctx, `UPDATE tickets SET last_seq = last_seq + ? WHERE id = ?`, source.Version, target.ID); err != nil {
			return fmt.Errorf("ticket: merge seq: %w", err)
		}
		res, err := tx.ExecContext(ctx, `UPDATE comments SET ticket_id = ? WHERE ticket_id = ?`, target.ID, source.ID)
		if err != nil {
			return fmt.Errorf("ticket: merge comments: %w", err)
		}
		nComments, _ := res.RowsAffected()
		if _, err := tx.ExecContext(ctx, `UPDATE tickets SET comment_count = comment_count + ? WHERE id = ?`, nComments, target.ID); err != nil {
			return fmt.Errorf("ticket: merge count: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE tickets SET comment_count = 0 WHERE id = ?`, source.ID); err != nil {
			return fmt.Errorf("ticket: merge count: %w", err)
		}
		tlog := &eventLog{ticketID: target.ID, actor: actor, at: now, hooks: s.hooks}
		tlog.add(EvMergeReceived, map[string]any{"from": source.ID, "comments": nComments, "events": moved})
		tags := slices.Clone(target.Tags)
		for _, tag := range source.Tags {
			if !slices.Contains(tags, tag) {
				tags = append(tags, tag)
			}
		}
		followers := slices.Clone(target.FollowerIDs)
		for _, f := range source.FollowerIDs {
			if !slices.Contains(followers, f) {
				followers = append(followers, f)
			}
		}
		if err := s.applyPatch(ctx, tx, tlog, &target, Patch{Tags: &tags, FollowerIDs: &followers}); err != nil {
			return err
		}
		note := fmt.Sprintf("Ticket #%d (%q) was merged into this ticket.", source.ID, source.Subject)
		if _, err := s.insertComment(ctx, tx, tlog, target.ID, Person{Type: "system"}, false, s.commentText(note, ""), "web", nil, now, 0); err != nil {
			return err
		}
		if err := tlog.flush(ctx, tx); err != nil {
			return err
		}
		slog := &eventLog{ticketID: source.ID, actor: actor, at: now, hooks: s.hooks}
		slog.add(EvMerged, map[string]any{"into": target.ID})
		// A duplicate closes directly; the life cycle's solved step does not apply.
		slog.add(EvStatusChanged, map[string]any{"from": source.Status, "to": StatusClosed})
		if _, err := tx.ExecContext(ctx, `UPDATE tickets SET status = 'closed', closed_at = ?, merged_into_id = ? WHERE id = ?`,
			db.Millis(now), target.ID, source.ID); err != nil {
			return fmt.Errorf("ticket: merge close: %w", err)
		}
		// The source's own events moved away; its log continues at its own
		// counter so sequence numbers are never reused.
		if err := slog.flush(ctx, tx); err != nil {
			return err
		}
		tEvents, sEvents = tlog.events, slog.events
		t, err = loadForUpdate(ctx, tx, target.ID)
		return err
	})
	if err != nil {
		return Ticket{}, err
	}
	s.changed(targetID, tEvents)
	s.changed(sourceID, sEvents)
	if err := s.decorate(ctx, []*Ticket{&t}); err != nil {
		return Ticket{}, err
	}
	return t, nil
}

func fieldNotFound(err error, isSource bool) error {
	if apperr.Is(err, apperr.CodeNotFound) && isSource {
		return apperr.InvalidField("source_id", apperr.As(err).Message)
	}
	return err
}

// MoveRequester gives every ticket of one customer to another (customer
// merge), logging a requester change on each, inside the caller's transaction.
func (s *Service) MoveRequester(ctx context.Context, tx *db.Tx, from, to int64) error {
	rows, err := tx.QueryContext(ctx, `SELECT id FROM tickets WHERE requester_id = ?`, from)
	if err != nil {
		return fmt.Errorf("ticket: move requester: %w", err)
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return fmt.Errorf("ticket: move requester: %w", err)
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("ticket: move requester: %w", err)
	}
	org, err := customerOrg(ctx, tx, "merge_id", to)
	if err != nil {
		return err
	}
	now := s.now()
	for _, id := range ids {
		if _, err := tx.ExecContext(ctx, `UPDATE tickets SET requester_id = ?, organization_id = ? WHERE id = ?`, to, db.NullInt(org), id); err != nil {
			return fmt.Errorf("ticket: move requester %d: %w", id, err)
		}
		log := &eventLog{ticketID: id, actor: authz.System, at: now, hooks: s.hooks}
		log.add(EvRequesterChanged, map[string]any{"from": from, "to": to, "reason": "customer merge"})
		if err := log.flush(ctx, tx); err != nil {
			return err
		}
	}
	return nil
}
