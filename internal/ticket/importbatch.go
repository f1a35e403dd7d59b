package ticket

import (
	"context"
	"fmt"
	"math/bits"
	"strings"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/db"
)

// ImportOutcome is what became of one ticket of ImportBatchTx: its id, or
// the error that refused it (then nothing of it is written).
type ImportOutcome struct {
	ID  int64
	Err error
}

// ImportBatchHook is an ImportHook that takes a whole batch of imported
// tickets in one call (reports mark them dirty in one statement).
type ImportBatchHook interface {
	ImportHook
	TicketsImportedTx(ctx context.Context, tx *db.Tx, ids []int64) error
}

// ImportBatchTx writes imported tickets inside tx, set-based: each
// ticket's final row and its comments and events are computed in Go from
// its history (importsim.go) — the same rules ImportTx replays step by
// step — and a run of such tickets is written with a few multi-row
// inserts (the ticket row once, in its final state; sequences numbered
// here; the full-text triggers run inside those statements). A ticket the
// simulation does not cover (attachments, a requester not yet in the
// directory, …) goes through ImportTx under a savepoint of its own.
// A ticket that fails gets its error in the outcome and writes nothing;
// an error returned is the database's, and tx must be rolled back.
func (s *Service) ImportBatchTx(ctx context.Context, tx *db.Tx, ins []ImportTicket) ([]ImportOutcome, error) {
	ctx = withoutHooks(ctx)
	out := make([]ImportOutcome, len(ins))
	env, err := loadSimEnv(ctx, tx, ins, s.html)
	if err != nil {
		return nil, err
	}
	last, err := maxID(ctx, tx, "tickets")
	if err != nil {
		return nil, err
	}
	var seg []*simTicket
	var segAt []int
	flush := func() error {
		if len(seg) == 0 {
			return nil
		}
		if err := s.writeSim(ctx, tx, seg, env.people); err != nil {
			return err
		}
		for k, t := range seg {
			out[segAt[k]].ID = t.id
		}
		seg, segAt = seg[:0], segAt[:0]
		return nil
	}
	for i, in := range ins {
		email := ""
		if in.Create.Requester != nil {
			email = strings.ToLower(strings.TrimSpace(in.Create.Requester.Email))
		}
		if _, known := env.requesters[email]; known && fastImport(in) {
			t, err := env.simulate(in, last+int64(len(seg))+1)
			switch {
			case err == nil:
				seg = append(seg, t)
				segAt = append(segAt, i)
			case apperr.CodeOf(err) == apperr.CodeInternal:
				return nil, err
			default:
				out[i].Err = err
			}
			continue
		}
		if err := flush(); err != nil {
			return nil, err
		}
		id, err := s.importOne(ctx, tx, in)
		if err != nil {
			out[i].Err = err
			continue
		}
		out[i].ID = id
		last = id
		if email != "" {
			// The requester exists now: the next tickets of theirs are
			// simulated.
			var req, org int64
			var p requesterCopy
			if err := tx.QueryRowContext(ctx, `SELECT t.requester_id, COALESCE(t.organization_id, 0), c.name, `+requesterEmail+`
				FROM tickets t JOIN customers c ON c.id = t.requester_id WHERE t.id = ?`, id).Scan(&req, &org, &p.name, &p.email); err != nil {
				return nil, fmt.Errorf("ticket: import: requester of %d: %w", id, err)
			}
			env.requesters[email] = [2]int64{req, org}
			env.people[req] = p
		}
	}
	if err := flush(); err != nil {
		return nil, err
	}
	return out, nil
}

// importOne is ImportTx under a savepoint, so that a refused ticket
// leaves nothing behind and the batch goes on.
func (s *Service) importOne(ctx context.Context, tx *db.Tx, in ImportTicket) (int64, error) {
	if _, err := tx.ExecContext(ctx, `SAVEPOINT import_one`); err != nil {
		return 0, fmt.Errorf("ticket: import savepoint: %w", err)
	}
	id, err := s.ImportTx(ctx, tx, in)
	if err != nil {
		if apperr.CodeOf(err) == apperr.CodeInternal {
			return 0, err
		}
		if _, rerr := tx.ExecContext(ctx, `ROLLBACK TO SAVEPOINT import_one`); rerr != nil {
			return 0, fmt.Errorf("ticket: import rollback: %w", rerr)
		}
	}
	if _, rerr := tx.ExecContext(ctx, `RELEASE SAVEPOINT import_one`); rerr != nil {
		return 0, fmt.Errorf("ticket: import release: %w", rerr)
	}
	return id, err
}

func maxID(ctx context.Context, tx *db.Tx, table string) (int64, error) {
	var n int64
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) FROM `+table).Scan(&n); err != nil {
		return 0, fmt.Errorf("ticket: import: last %s id: %w", table, err)
	}
	return n, nil
}

// allocIDs returns n new ids of table, in order: on SQLite (one writer)
// those after the largest, as the inserts one by one would take them; on
// PostgreSQL from the table's identity sequence.
func allocIDs(ctx context.Context, tx *db.Tx, table string, n int) ([]int64, error) {
	out := make([]int64, 0, n)
	if n == 0 {
		return out, nil
	}
	if tx.Dialect() != db.Postgres {
		last, err := maxID(ctx, tx, table)
		if err != nil {
			return nil, err
		}
		for i := range n {
			out = append(out, last+int64(i)+1)
		}
		return out, nil
	}
	out, err := queryIDs(ctx, tx, "import: "+table+" ids",
		`SELECT nextval(pg_get_serial_sequence('`+table+`', 'id')) FROM generate_series(1, CAST(? AS INTEGER)) ORDER BY 1`, []any{n})
	if err != nil {
		return nil, err
	}
	if len(out) != n {
		return nil, fmt.Errorf("ticket: import: %d of %d %s ids", len(out), n, table)
	}
	return out, nil
}

// writeSim writes simulated tickets: ticket rows, tags, comments, events,
// then the import hooks.
func (s *Service) writeSim(ctx context.Context, tx *db.Tx, ts []*simTicket, people map[int64]requesterCopy) error {
	nc, ne := 0, 0
	for _, t := range ts {
		nc += len(t.comments)
		ne += len(t.events)
	}
	tids, err := allocIDs(ctx, tx, "tickets", len(ts))
	if err != nil {
		return err
	}
	cids, err := allocIDs(ctx, tx, "comments", nc)
	if err != nil {
		return err
	}
	eids, err := allocIDs(ctx, tx, "ticket_events", ne)
	if err != nil {
		return err
	}
	if err := writeRows(ctx, tx, ts, tids, people); err != nil {
		if db.IsUniqueViolation(err) {
			return apperr.Conflict("external_id", "a ticket with this external_id exists")
		}
		return err
	}
	var comments, events multiInsert
	comments.start(`INSERT INTO comments (id, ticket_id, author_type, author_id, public, body, html, channel, created_at) VALUES `, 9)
	ci := 0
	for _, t := range ts {
		t.firstComment = int64(ci)
		for _, c := range t.comments {
			if err := comments.add(ctx, tx, cids[ci], t.id, c.authorType, db.NullInt(c.authorID), c.public, c.body, c.html, c.channel, c.at); err != nil {
				return err
			}
			ci++
		}
	}
	if err := comments.flush(ctx, tx); err != nil {
		return err
	}
	events.start(`INSERT INTO ticket_events (id, ticket_id, seq, type, actor_type, actor_id, at, data) VALUES `, 8)
	evs := make([][]Event, len(ts))
	ei := 0
	for k, t := range ts {
		evs[k] = make([]Event, len(t.events))
		for j, e := range t.events {
			if e.comment >= 0 {
				e.data["comment_id"] = cids[int(t.firstComment)+e.comment]
			}
			ev := Event{ID: eids[ei], TicketID: t.id, Seq: int64(j + 1), Type: e.typ, ActorType: e.actorType, ActorID: e.actorID, At: e.at, Data: e.data}
			evs[k][j] = ev
			if err := events.add(ctx, tx, ev.ID, t.id, ev.Seq, ev.Type, ev.ActorType, db.NullInt(ev.ActorID), db.Millis(ev.At), mustJSON(ev.Data)); err != nil {
				return err
			}
			ei++
		}
	}
	if err := events.flush(ctx, tx); err != nil {
		return err
	}
	return s.importHooks(ctx, tx, ts, evs)
}

// writeRows writes the ticket rows in their final state, then their tags.
func writeRows(ctx context.Context, tx *db.Tx, ts []*simTicket, tids []int64, people map[int64]requesterCopy) error {
	var rows, tags multiInsert
	// The row's copies of its requester (read with the requesters,
	// loadSimEnv) and (SQLite) its tag and follower lists go in with it
	// (migration 0098), so the triggers that keep them do nothing: the
	// tags below are the list's (distinct, sorted) and an imported ticket
	// has no followers.
	rows.start(`INSERT INTO tickets (id, subject, status, priority, type, channel, requester_id, organization_id,
		assignee_id, team_id, language, custom_fields, external_id, last_seq, comment_count, created_at, updated_at, solved_at, closed_at,
		requester_name, requester_email, tag_list, follower_list) VALUES `, 23)
	sqlite := tx.Dialect() == db.SQLite
	for k, t := range ts {
		t.id = tids[k]
		var ext any
		if t.externalID != "" {
			ext = t.externalID
		}
		p, ok := people[t.requesterID]
		if !ok {
			return fmt.Errorf("ticket: import: requester %d of ticket %d not read", t.requesterID, t.id)
		}
		var tagList, followerList any
		if sqlite {
			tagList, followerList = strings.Join(t.tags, ","), ""
		}
		if err := rows.add(ctx, tx, t.id, t.subject, t.status, t.priority, t.typ, t.channel, t.requesterID, db.NullInt(t.orgID),
			db.NullInt(t.assigneeID), db.NullInt(t.teamID), t.language, mustJSON(t.fields), ext, len(t.events), len(t.comments),
			t.created, t.updated, db.NullInt(t.solved), db.NullInt(t.closed), p.name, p.email, tagList, followerList); err != nil {
			return err
		}
	}
	if err := rows.flush(ctx, tx); err != nil {
		return err
	}
	tags.start(`INSERT INTO ticket_tags (ticket_id, tag) VALUES `, 2)
	for _, t := range ts {
		for _, tag := range t.tags {
			if err := tags.add(ctx, tx, t.id, tag); err != nil {
				return err
			}
		}
	}
	return tags.flush(ctx, tx)
}

// importHooks tells the import hooks about written tickets, as ImportTx
// does for one: the batch hooks once, the others per ticket.
func (s *Service) importHooks(ctx context.Context, tx *db.Tx, ts []*simTicket, evs [][]Event) error {
	ids := make([]int64, len(ts))
	for k, t := range ts {
		ids[k] = t.id
	}
	for _, h := range s.hooks {
		if bh, ok := h.(ImportBatchHook); ok {
			if err := bh.TicketsImportedTx(ctx, tx, ids); err != nil {
				return fmt.Errorf("ticket: import hook: %w", err)
			}
			continue
		}
		if ih, ok := h.(ImportHook); ok {
			for k, id := range ids {
				if err := ih.TicketEvents(ctx, tx, id, evs[k]); err != nil {
					return fmt.Errorf("ticket: import hook for %d: %w", id, err)
				}
			}
		}
	}
	for _, h := range s.hooks {
		if f, ok := h.(ImportFinisher); ok {
			for _, id := range ids {
				if err := f.ImportedTx(ctx, tx, id); err != nil {
					return fmt.Errorf("ticket: import hook for %d: %w", id, err)
				}
			}
		}
	}
	return nil
}

// multiInsert gathers rows of one INSERT and runs it when it holds
// enough of them (bound parameters stay under both engines' limits).
// Its statements hold a full load of rows or a power of two of them, so
// that a run of batches uses a few statement texts, each prepared once
// and kept by the writer (db.Tx's statement cache): with the remainder
// written as one statement, each batch parsed a new text of its own, and
// the writer's cache filled with texts never used again.
type multiInsert struct {
	head  string
	width int
	vals  []string
	args  []any
	tuple string
}

func (m *multiInsert) start(head string, width int) {
	m.head, m.width = head, width
	m.tuple = "(" + placeholders(width) + ")"
}

func (m *multiInsert) add(ctx context.Context, tx *db.Tx, args ...any) error {
	m.vals = append(m.vals, m.tuple)
	m.args = append(m.args, args...)
	if len(m.args) >= 16000 {
		// A full load: always the same number of rows for a table.
		err := m.exec(ctx, tx, len(m.vals))
		m.vals, m.args = m.vals[:0], m.args[:0]
		return err
	}
	return nil
}

// flush writes the rows gathered, as statements of a power of two rows
// each, largest first.
func (m *multiInsert) flush(ctx context.Context, tx *db.Tx) error {
	defer func() { m.vals, m.args = m.vals[:0], m.args[:0] }()
	for len(m.vals) > 0 {
		n := 1 << (bits.Len(uint(len(m.vals))) - 1)
		if err := m.exec(ctx, tx, n); err != nil {
			return err
		}
		m.vals, m.args = m.vals[n:], m.args[n*m.width:]
	}
	return nil
}

// exec inserts the first n rows gathered.
func (m *multiInsert) exec(ctx context.Context, tx *db.Tx, n int) error {
	if _, err := tx.ExecContext(ctx, m.head+strings.Join(m.vals[:n], ", "), m.args[:n*m.width]...); err != nil {
		return fmt.Errorf("ticket: import insert: %w", err)
	}
	return nil
}
