package ticket

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/db"
)

const ticketCols = `t.id, t.subject, t.status, t.priority, t.type, t.channel, t.requester_id,
	t.organization_id, t.assignee_id, t.team_id, t.language, t.custom_fields, t.merged_into_id,
	COALESCE(t.external_id, ''), t.last_seq, t.comment_count, t.created_at, t.updated_at, t.solved_at, t.closed_at`

type scanner interface{ Scan(dest ...any) error }

func scanTicket(s scanner) (Ticket, error) {
	var t Ticket
	var org, asg, team, merged, solved, closed sql.NullInt64
	var fields string
	var created, updated int64
	err := s.Scan(&t.ID, &t.Subject, &t.Status, &t.Priority, &t.Type, &t.Channel, &t.RequesterID,
		&org, &asg, &team, &t.Language, &fields, &merged, &t.ExternalID, &t.Version, &t.CommentCount,
		&created, &updated, &solved, &closed)
	if err != nil {
		return t, err
	}
	t.OrganizationID = ptrInt(org)
	t.AssigneeID = ptrInt(asg)
	t.TeamID = ptrInt(team)
	t.MergedIntoID = ptrInt(merged)
	t.CreatedAt = db.Time(created)
	t.UpdatedAt = db.Time(updated)
	t.SolvedAt = ptrTime(solved)
	t.ClosedAt = ptrTime(closed)
	t.CustomFields = map[string]any{}
	if fields != "" && fields != "{}" {
		_ = json.Unmarshal([]byte(fields), &t.CustomFields)
	}
	t.Tags = []string{}
	t.FollowerIDs = []int64{}
	return t, nil
}

func ptrInt(n sql.NullInt64) *int64 {
	if !n.Valid {
		return nil
	}
	v := n.Int64
	return &v
}

func ptrTime(n sql.NullInt64) *time.Time {
	if !n.Valid {
		return nil
	}
	v := db.Time(n.Int64)
	return &v
}

func nullPtr(p *int64) sql.NullInt64 {
	if p == nil || *p == 0 {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: *p, Valid: true}
}

// loadForUpdate reads a ticket inside a write, locking its row on PostgreSQL
// (SQLite has a single writer already).
func loadForUpdate(ctx context.Context, tx *db.Tx, id int64) (Ticket, error) {
	// The row with its tags and followers in one statement (read.go); the
	// requester is not needed inside a write.
	// It also answers the configuration stamp, so the event hooks check
	// their cached configuration without a round trip (db.Cached).
	q := `SELECT ` + lockCols(tx.Dialect()) + `, ` + db.StampColumn + ` FROM tickets t WHERE t.id = ?`
	if tx.Dialect() == db.Postgres {
		q += ` FOR UPDATE OF t`
	}
	var stamp int64
	t, err := scanTicketLocked(extraScanner{tx.QueryRowContext(ctx, q, id), []any{&stamp}})
	if errors.Is(err, sql.ErrNoRows) {
		return t, apperr.NotFound("ticket", id)
	}
	if err != nil {
		return t, fmt.Errorf("ticket: load %d: %w", id, err)
	}
	tx.SetConfigStamp(stamp)
	return t, nil
}

// loadTagsFollowers fills Tags and FollowerIDs for a page of tickets in two
// queries, each read in its primary key's order (ticket, then tag or agent),
// so neither sorts.
func loadTagsFollowers(ctx context.Context, q db.Querier, ts []*Ticket) error {
	if len(ts) == 0 {
		return nil
	}
	byID := make(map[int64]*Ticket, len(ts))
	ids := make([]any, 0, len(ts))
	for _, t := range ts {
		byID[t.ID] = t
		ids = append(ids, t.ID)
	}
	in := placeholders(len(ids))
	rows, err := q.QueryContext(ctx, `SELECT ticket_id, tag FROM ticket_tags WHERE ticket_id IN (`+in+`) ORDER BY ticket_id, tag`, ids...)
	if err != nil {
		return fmt.Errorf("ticket: load tags: %w", err)
	}
	for rows.Next() {
		var id int64
		var tag string
		if err := rows.Scan(&id, &tag); err != nil {
			rows.Close()
			return fmt.Errorf("ticket: scan tag: %w", err)
		}
		byID[id].Tags = append(byID[id].Tags, tag)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("ticket: load tags: %w", err)
	}
	rows, err = q.QueryContext(ctx, `SELECT ticket_id, agent_id FROM ticket_followers WHERE ticket_id IN (`+in+`) ORDER BY ticket_id, agent_id`, ids...)
	if err != nil {
		return fmt.Errorf("ticket: load followers: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, agent int64
		if err := rows.Scan(&id, &agent); err != nil {
			return fmt.Errorf("ticket: scan follower: %w", err)
		}
		byID[id].FollowerIDs = append(byID[id].FollowerIDs, agent)
	}
	return rows.Err()
}

func placeholders(n int) string {
	if n <= 0 {
		return ""
	}
	return strings.Repeat("?,", n-1) + "?"
}

// eventLog collects the events of one write and appends them with
// consecutive sequence numbers.
type eventLog struct {
	ticketID int64
	actor    authz.Actor
	at       time.Time
	events   []Event
	hooks    []EventHook
	// comments counts the comments added by this write; flush adds them
	// to the ticket's comment_count in the same UPDATE as last_seq.
	comments int
	// folded[i]: the statement that appended the events did hook i's
	// work (FoldedHook), so runHooks skips it.
	folded []bool
}

// foldedCTEs returns the CTEs (each after a comma) that do the FoldedHooks'
// work inside the PostgreSQL statement appending the events, reading the
// ticket id from relation from; runHooks then skips those hooks. Empty on
// SQLite and when hooks are off (imports).
func (l *eventLog) foldedCTEs(ctx context.Context, tx *db.Tx, from string) (string, error) {
	l.folded = nil
	if tx.Dialect() != db.Postgres || hooksOff(ctx) {
		return "", nil
	}
	var b strings.Builder
	for i, h := range l.hooks {
		f, ok := h.(FoldedHook)
		if !ok {
			continue
		}
		cte, ok, err := f.TicketEventsCTE(ctx, tx, l.events, from)
		if err != nil {
			return "", fmt.Errorf("ticket: event hook: %w", err)
		}
		if !ok {
			continue
		}
		if l.folded == nil {
			l.folded = make([]bool, len(l.hooks))
		}
		l.folded[i] = true
		if cte != "" {
			fmt.Fprintf(&b, ",\n\t\thook%d AS (%s)", i, cte)
		}
	}
	return b.String(), nil
}

func (l *eventLog) add(typ string, data map[string]any) {
	if data == nil {
		data = map[string]any{}
	}
	l.events = append(l.events, Event{
		TicketID: l.ticketID, Type: typ, ActorType: string(l.actor.Kind), ActorID: l.actor.ID, At: l.at, Data: data,
	})
}

// changeTypes are the events that change the ticket itself. A system actor
// bumps updated_at only with one of these: a customer's message arrives
// through a channel acting as the system, and an automation's change is a
// change; the system's bookkeeping (SLA warnings, breaches and retargets,
// delivery state, escalations: types other packages define) is history
// only, so "Updated" keeps meaning the last thing a person or customer did.
var changeTypes = map[string]bool{
	EvCreated: true, EvCommentAdded: true, EvStatusChanged: true, EvPriorityChanged: true, EvTypeChanged: true,
	EvAssigneeChanged: true, EvTeamChanged: true, EvTagsChanged: true, EvSubjectChanged: true, EvLanguageChanged: true,
	EvRequesterChanged: true, EvFollowersChanged: true, EvFieldChanged: true, EvMerged: true, EvMergeReceived: true,
}

// bumpsUpdated reports whether the collected events move updated_at.
func (l *eventLog) bumpsUpdated() bool {
	if l.actor.Kind != authz.KindSystem {
		return true
	}
	for _, e := range l.events {
		if changeTypes[e.Type] {
			return true
		}
	}
	return false
}

// flush appends the collected events after the ticket's last sequence number
// and bumps it, the comment count and, unless they are system bookkeeping,
// updated_at. Two statements whatever the number of events on SQLite (one
// UPDATE of the ticket row and one multi-row INSERT of the events), one on
// PostgreSQL (the UPDATE in a CTE of the INSERT).
func (l *eventLog) flush(ctx context.Context, tx *db.Tx) error {
	if len(l.events) == 0 {
		return nil
	}
	var err error
	if tx.Dialect() == db.Postgres {
		err = l.appendOne(ctx, tx)
	} else {
		err = l.appendTwo(ctx, tx)
	}
	if err != nil {
		return err
	}
	return l.runHooks(ctx, tx)
}

// flushNew appends the events of a ticket this write has just inserted
// with last_seq = wroteSeq and comment_count = wroteComments: the events
// are numbered from 1 and the row needs no update (the create writes it
// once, with its final state, rather than inserting and then updating
// it, which rewrote the row and its four updated_at indexes). Should the
// log hold another number of events or comments than the insert stated,
// one update corrects the row.
func (l *eventLog) flushNew(ctx context.Context, tx *db.Tx, wroteSeq, wroteComments int) error {
	if len(l.events) == 0 {
		return nil
	}
	if len(l.events) != wroteSeq || l.comments != wroteComments {
		if _, err := tx.ExecContext(ctx, `UPDATE tickets SET last_seq = ?, comment_count = ? WHERE id = ?`,
			len(l.events), l.comments, l.ticketID); err != nil {
			return fmt.Errorf("ticket: set seq %d: %w", l.ticketID, err)
		}
	}
	if err := l.insertEvents(ctx, tx, 1); err != nil {
		return err
	}
	return l.runHooks(ctx, tx)
}

// runHooks tells the event hooks of the appended events (not during an
// import: ImportTx calls its ImportHooks once per ticket).
func (l *eventLog) runHooks(ctx context.Context, tx *db.Tx) error {
	folded := l.folded
	l.folded = nil
	if hooksOff(ctx) {
		return nil
	}
	for i, h := range l.hooks {
		if folded != nil && folded[i] {
			continue // done by the events' statement
		}
		if err := h.TicketEvents(ctx, tx, l.ticketID, l.events); err != nil {
			return fmt.Errorf("ticket: event hook: %w", err)
		}
	}
	return nil
}

func scanEvent(s scanner) (Event, error) {
	var e Event
	var actor, origin sql.NullInt64
	var at int64
	var data string
	if err := s.Scan(&e.ID, &e.TicketID, &e.Seq, &e.Type, &e.ActorType, &actor, &at, &origin, &data); err != nil {
		return e, err
	}
	e.ActorID = actor.Int64
	e.OriginTicketID = origin.Int64
	e.At = db.Time(at)
	e.Data = map[string]any{}
	_ = json.Unmarshal([]byte(data), &e.Data)
	return e, nil
}

// setTags replaces a ticket's tags, returning what was added and removed.
func setTags(ctx context.Context, tx *db.Tx, id int64, old, want []string) (added, removed []string, err error) {
	oldSet := map[string]bool{}
	for _, t := range old {
		oldSet[t] = true
	}
	wantSet := map[string]bool{}
	for _, t := range want {
		wantSet[t] = true
		if !oldSet[t] {
			added = append(added, t)
		}
	}
	for _, t := range old {
		if !wantSet[t] {
			removed = append(removed, t)
		}
	}
	sort.Strings(added)
	sort.Strings(removed)
	for _, t := range added {
		if _, err := tx.ExecContext(ctx, `INSERT INTO ticket_tags (ticket_id, tag) VALUES (?, ?)`, id, t); err != nil {
			return nil, nil, fmt.Errorf("ticket: add tag: %w", err)
		}
	}
	for _, t := range removed {
		if _, err := tx.ExecContext(ctx, `DELETE FROM ticket_tags WHERE ticket_id = ? AND tag = ?`, id, t); err != nil {
			return nil, nil, fmt.Errorf("ticket: remove tag: %w", err)
		}
	}
	return added, removed, nil
}

func setFollowers(ctx context.Context, tx *db.Tx, id int64, old, want []int64) (added, removed []int64, err error) {
	oldSet := map[int64]bool{}
	for _, a := range old {
		oldSet[a] = true
	}
	wantSet := map[int64]bool{}
	for _, a := range want {
		if wantSet[a] {
			continue
		}
		wantSet[a] = true
		if !oldSet[a] {
			added = append(added, a)
		}
	}
	for _, a := range old {
		if !wantSet[a] {
			removed = append(removed, a)
		}
	}
	for _, a := range added {
		if _, err := tx.ExecContext(ctx, `INSERT INTO ticket_followers (ticket_id, agent_id) VALUES (?, ?)`, id, a); err != nil {
			return nil, nil, fmt.Errorf("ticket: add follower: %w", err)
		}
	}
	for _, a := range removed {
		if _, err := tx.ExecContext(ctx, `DELETE FROM ticket_followers WHERE ticket_id = ? AND agent_id = ?`, id, a); err != nil {
			return nil, nil, fmt.Errorf("ticket: remove follower: %w", err)
		}
	}
	return added, removed, nil
}

// checkAgent verifies an agent exists and is active (for assignee and followers).
func checkAgent(ctx context.Context, tx *db.Tx, field string, id int64) error {
	var active bool
	err := tx.QueryRowContext(ctx, `SELECT active FROM agents WHERE id = ?`, id).Scan(&active)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && !active) {
		return apperr.InvalidField(field, fmt.Sprintf("agent %d does not exist or is deactivated", id))
	}
	if err != nil {
		return fmt.Errorf("ticket: check agent: %w", err)
	}
	return nil
}

func checkTeam(ctx context.Context, tx *db.Tx, field string, id int64) error {
	var n int
	err := tx.QueryRowContext(ctx, `SELECT 1 FROM teams WHERE id = ?`, id).Scan(&n)
	if errors.Is(err, sql.ErrNoRows) {
		return apperr.InvalidField(field, fmt.Sprintf("team %d does not exist", id))
	}
	if err != nil {
		return fmt.Errorf("ticket: check team: %w", err)
	}
	return nil
}

// customerOrg reads a customer's organization (0 when none) and checks it exists.
func customerOrg(ctx context.Context, tx *db.Tx, field string, id int64) (int64, error) {
	var org sql.NullInt64
	err := tx.QueryRowContext(ctx, `SELECT organization_id FROM customers WHERE id = ?`, id).Scan(&org)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, apperr.InvalidField(field, fmt.Sprintf("customer %d does not exist", id))
	}
	if err != nil {
		return 0, fmt.Errorf("ticket: check customer: %w", err)
	}
	return org.Int64, nil
}

// appendTwo moves the ticket's sequence and appends the events in two
// statements (SQLite: no data-modifying CTEs).
func (l *eventLog) appendTwo(ctx context.Context, tx *db.Tx) error {
	q, args := `UPDATE tickets SET last_seq = last_seq + ?, comment_count = comment_count + ?, updated_at = ? WHERE id = ? RETURNING last_seq`,
		[]any{len(l.events), l.comments, db.Millis(l.at), l.ticketID}
	if !l.bumpsUpdated() {
		q, args = `UPDATE tickets SET last_seq = last_seq + ?, comment_count = comment_count + ? WHERE id = ? RETURNING last_seq`,
			[]any{len(l.events), l.comments, l.ticketID}
	}
	var last int64
	if err := tx.QueryRowContext(ctx, q, args...).Scan(&last); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return apperr.NotFound("ticket", l.ticketID)
		}
		return fmt.Errorf("ticket: bump seq %d: %w", l.ticketID, err)
	}
	return l.insertEvents(ctx, tx, last-int64(len(l.events))+1)
}

// insertEvents inserts the events numbered from first in one multi-row
// statement and sets their ids and sequence numbers.
func (l *eventLog) insertEvents(ctx context.Context, tx *db.Tx, first int64) error {
	vals := make([]string, len(l.events))
	eargs := make([]any, 0, 7*len(l.events))
	for i := range l.events {
		e := &l.events[i]
		e.Seq = first + int64(i)
		vals[i] = "(?, ?, ?, ?, ?, ?, ?)"
		eargs = append(eargs, l.ticketID, e.Seq, e.Type, e.ActorType, db.NullInt(e.ActorID), db.Millis(e.At), mustJSON(e.Data))
	}
	insert := `INSERT INTO ticket_events (ticket_id, seq, type, actor_type, actor_id, at, data) VALUES ` + strings.Join(vals, ", ")
	if tx.Dialect() == db.SQLite {
		// One writer, no AUTOINCREMENT: SQLite gives each row of the
		// statement the largest rowid so far plus one, so the ids are
		// consecutive and end at the last inserted rowid — no RETURNING
		// result set to buffer and read back.
		res, err := tx.ExecContext(ctx, insert, eargs...)
		if err != nil {
			return fmt.Errorf("ticket: append events of %d: %w", l.ticketID, err)
		}
		n, err := res.RowsAffected()
		if err == nil && n != int64(len(l.events)) {
			err = fmt.Errorf("%d of %d rows inserted", n, len(l.events))
		}
		last, lerr := res.LastInsertId()
		if err = errors.Join(err, lerr); err != nil {
			return fmt.Errorf("ticket: append events of %d: %w", l.ticketID, err)
		}
		for i := range l.events {
			l.events[i].ID = last - int64(len(l.events)-1-i)
		}
		return nil
	}
	rows, err := tx.QueryContext(ctx, insert+` RETURNING id, seq`, eargs...)
	if err != nil {
		return fmt.Errorf("ticket: append events of %d: %w", l.ticketID, err)
	}
	got := 0
	for rows.Next() {
		var id, seq int64
		if err := rows.Scan(&id, &seq); err != nil {
			rows.Close()
			return fmt.Errorf("ticket: append events of %d: %w", l.ticketID, err)
		}
		// RETURNING promises no order: match each id to its event by seq.
		if k := seq - first; k >= 0 && k < int64(len(l.events)) {
			l.events[k].ID = id
			got++
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("ticket: append events of %d: %w", l.ticketID, err)
	}
	if got != len(l.events) {
		return fmt.Errorf("ticket: append events of %d: %d of %d ids returned", l.ticketID, got, len(l.events))
	}
	return nil
}

// bumpSet is the SET list of the ticket row's update by a write: the
// sequence, the comment count and, unless the write leaves it, updated_at.
func (l *eventLog) bumpSet(ph func() string) (string, []any) {
	set, args := `last_seq = last_seq + `+ph()+`, comment_count = comment_count + `+ph(), []any{len(l.events), l.comments}
	if l.bumpsUpdated() {
		set += `, updated_at = ` + ph()
		args = append(args, db.Millis(l.at))
	}
	return set, args
}

// pgEventValues is the rows of a VALUES list (k, type, actor_type,
// actor_id, at, data) for events on PostgreSQL, k numbering them from 1,
// with their arguments appended to args.
func pgEventValues(events []Event, args []any) (string, []any) {
	vals := make([]string, len(events))
	for i := range events {
		e := &events[i]
		vals[i] = "(CAST(? AS INTEGER), CAST(? AS TEXT), CAST(? AS TEXT), CAST(? AS BIGINT), CAST(? AS BIGINT), CAST(? AS JSONB))"
		args = append(args, i+1, e.Type, e.ActorType, db.NullInt(e.ActorID), db.Millis(e.At), mustJSON(e.Data))
	}
	return strings.Join(vals, ", "), args
}

// appendOne moves the ticket's sequence and appends the events in one
// statement (PostgreSQL): the update's RETURNING numbers the events.
func (l *eventLog) appendOne(ctx context.Context, tx *db.Tx) error {
	n := len(l.events)
	set, args := l.bumpSet(func() string { return "?" })
	args = append(args, l.ticketID, n)
	vals, args := pgEventValues(l.events, args)
	folded, err := l.foldedCTEs(ctx, tx, "u")
	if err != nil {
		return err
	}
	rows, err := tx.QueryContext(ctx, `WITH u AS (UPDATE tickets SET `+set+` WHERE id = ? RETURNING id, last_seq)`+folded+`
		INSERT INTO ticket_events (ticket_id, seq, type, actor_type, actor_id, at, data)
		SELECT u.id, u.last_seq - CAST(? AS INTEGER) + v.k, v.type, v.actor_type, v.actor_id, v.at, v.data
		FROM u, (VALUES `+vals+`) AS v (k, type, actor_type, actor_id, at, data)
		RETURNING id, seq`, args...)
	if err != nil {
		return fmt.Errorf("ticket: append events of %d: %w", l.ticketID, err)
	}
	type idSeq struct{ id, seq int64 }
	got := make([]idSeq, 0, n)
	for rows.Next() {
		var r idSeq
		if err := rows.Scan(&r.id, &r.seq); err != nil {
			rows.Close()
			return fmt.Errorf("ticket: append events of %d: %w", l.ticketID, err)
		}
		got = append(got, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("ticket: append events of %d: %w", l.ticketID, err)
	}
	if len(got) == 0 {
		return apperr.NotFound("ticket", l.ticketID)
	}
	if len(got) != n {
		return fmt.Errorf("ticket: append events of %d: %d of %d ids returned", l.ticketID, len(got), n)
	}
	// RETURNING promises no order: the lowest seq is the first event's.
	first := got[0].seq
	for _, r := range got {
		first = min(first, r.seq)
	}
	for i := range l.events {
		l.events[i].Seq = first + int64(i)
	}
	for _, r := range got {
		k := r.seq - first
		if k < 0 || k >= int64(n) {
			return fmt.Errorf("ticket: append events of %d: seq %d out of range", l.ticketID, r.seq)
		}
		l.events[k].ID = r.id
	}
	return nil
}
