package sla

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/jobs"
	"github.com/ombud/ombud/internal/ticket"
)

const (
	// sweepBatch is how many due tickets one write transaction handles.
	sweepBatch = 100
	// sweepRounds bounds the batches of one sweep; whatever is left waits
	// for the next minute.
	sweepRounds = 50
	// recomputeBatch and recomputePerJob size the background refresh after
	// a rule change: a job does a bounded share and queues the rest, so it
	// finishes well inside its lease however many tickets there are.
	recomputeBatch  = 200
	recomputePerJob = 5000
)

// rules are the policies in order and their parsed calendars.
type rules struct {
	policies  []*Policy
	calendars map[int64]*Calendar
}

// loadRules reads the policies and the calendars. The calendars are read
// even without a policy: reports measure business hours by them.
func loadRules(ctx context.Context, q db.Querier) (*rules, error) {
	ps, err := listPolicies(ctx, q)
	if err != nil {
		return nil, err
	}
	cs, err := listCalendars(ctx, q)
	if err != nil {
		return nil, err
	}
	r := &rules{calendars: map[int64]*Calendar{}}
	for i := range ps {
		r.policies = append(r.policies, &ps[i])
	}
	for _, c := range cs {
		// Stored calendars were validated on write; one that no longer
		// builds (a time zone gone from tzdata) counts as 24/7 rather
		// than stopping every clock.
		if cal, err := c.Calendar(); err == nil {
			r.calendars[c.ID] = cal
		}
	}
	return r, nil
}

func (r *rules) compute(t ticket.Ticket, events []ticket.Event, now time.Time) State {
	in := Input{Ticket: t, Events: events, Now: now, Policy: firstMatch(r.policies, &t), Calendars: r.calendars}
	if in.Policy != nil {
		if tg, ok := in.Policy.Targets[t.Priority]; ok && tg.BusinessHours && tg.CalendarID != nil {
			in.Calendar = r.calendars[*tg.CalendarID]
		}
	}
	return Compute(in)
}

// loadTicket reads what the clocks need of a ticket: its matching fields
// and the events that move clocks. With lock (inside a write) the ticket
// row is locked on PostgreSQL so a concurrent ticket change and the sweep
// take turns.
func loadTicket(ctx context.Context, q db.Querier, id int64, lock bool) (ticket.Ticket, []ticket.Event, error) {
	query := `SELECT id, status, priority, type, channel, organization_id, team_id, custom_fields, created_at FROM tickets WHERE id = ?`
	if lock && q.Dialect() == db.Postgres {
		query += ` FOR UPDATE`
	}
	var t ticket.Ticket
	var org, team sql.NullInt64
	var fields string
	var created int64
	err := q.QueryRowContext(ctx, query, id).Scan(&t.ID, &t.Status, &t.Priority, &t.Type, &t.Channel, &org, &team, &fields, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return t, nil, apperr.NotFound("ticket", id)
	}
	if err != nil {
		return t, nil, fmt.Errorf("sla: load ticket %d: %w", id, err)
	}
	if org.Valid {
		t.OrganizationID = &org.Int64
	}
	if team.Valid {
		t.TeamID = &team.Int64
	}
	t.CreatedAt = db.Time(created)
	t.CustomFields = map[string]any{}
	if fields != "" && fields != "{}" {
		if err := json.Unmarshal([]byte(fields), &t.CustomFields); err != nil {
			return t, nil, fmt.Errorf("sla: ticket %d custom fields: %w", id, err)
		}
	}
	t.Tags = []string{}
	rows, err := q.QueryContext(ctx, `SELECT tag FROM ticket_tags WHERE ticket_id = ? ORDER BY tag`, id)
	if err != nil {
		return t, nil, fmt.Errorf("sla: ticket %d tags: %w", id, err)
	}
	for rows.Next() {
		var tag string
		if err := rows.Scan(&tag); err != nil {
			rows.Close()
			return t, nil, fmt.Errorf("sla: ticket %d tags: %w", id, err)
		}
		t.Tags = append(t.Tags, tag)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return t, nil, fmt.Errorf("sla: ticket %d tags: %w", id, err)
	}
	rows, err = q.QueryContext(ctx, `SELECT seq, type, at, COALESCE(origin_ticket_id, 0), data FROM ticket_events
		WHERE ticket_id = ? AND type IN ('created', 'comment_added', 'status_changed', 'priority_changed') ORDER BY seq`, id)
	if err != nil {
		return t, nil, fmt.Errorf("sla: ticket %d events: %w", id, err)
	}
	defer rows.Close()
	var events []ticket.Event
	for rows.Next() {
		e := ticket.Event{TicketID: id}
		var at int64
		var data string
		if err := rows.Scan(&e.Seq, &e.Type, &at, &e.OriginTicketID, &data); err != nil {
			return t, nil, fmt.Errorf("sla: ticket %d events: %w", id, err)
		}
		e.At = db.Time(at)
		if err := json.Unmarshal([]byte(data), &e.Data); err != nil {
			return t, nil, fmt.Errorf("sla: ticket %d event %d: %w", id, e.Seq, err)
		}
		events = append(events, e)
	}
	if err := rows.Err(); err != nil {
		return t, nil, fmt.Errorf("sla: ticket %d events: %w", id, err)
	}
	return t, events, nil
}

// stateRow is one sla_ticket_state row.
type stateRow struct {
	metric   string
	episode  int64
	warned   sql.NullInt64
	breached sql.NullInt64
}

type rowKey struct {
	metric  string
	episode int64
}

// Refresh recomputes one ticket's clock state inside the caller's write
// transaction; call it after a ticket change has appended its events. It
// records nothing itself: a warning or breach that is due gets a check
// time of now, and the next sweep records it.
func (s *Service) Refresh(ctx context.Context, tx *db.Tx, ticketID int64) error {
	return s.refresh(ctx, tx, ticketID, false)
}

// refresh is Refresh; fresh says the ticket was created in this
// transaction, so it has no state rows to drop yet.
func (s *Service) refresh(ctx context.Context, tx *db.Tx, ticketID int64, fresh bool) error {
	r, err := s.rules.Get(ctx, tx)
	if err != nil {
		return err
	}
	if len(r.policies) == 0 {
		// No SLA configured: the common case of a fresh install costs one
		// statement per ticket change (two for a change to an existing
		// ticket, whose rows of a policy since removed are dropped).
		if fresh {
			return nil
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM sla_ticket_state WHERE ticket_id = ?`, ticketID); err != nil {
			return fmt.Errorf("sla: drop state of ticket %d: %w", ticketID, err)
		}
		return nil
	}
	_, err = s.sync(ctx, tx, r, ticketID, s.now(), false, false)
	return err
}

// untimed lists event types that cannot move a clock or change which
// policy matches; a change made only of these skips the refresh. The
// sweep's own events are among them, so recording one never re-enters
// the sweep's work on that ticket.
var untimed = map[string]bool{
	EvWarning: true, EvBreached: true, EvRetargeted: true,
	ticket.EvAssigneeChanged: true, ticket.EvFollowersChanged: true,
	ticket.EvSubjectChanged: true, ticket.EvLanguageChanged: true,
}

// TicketEvents refreshes a ticket's clock state inside the transaction of
// each change to it (ticket.EventHook: register with Tickets.AddHook; an
// import refreshes once per ticket, ImportedTx) and records in the
// ticket's history how a priority change moved the clocks still running
// (retarget.go).
func (s *Service) TicketEvents(ctx context.Context, tx *db.Tx, ticketID int64, events []ticket.Event) error {
	timed, fresh, change := classify(events)
	if !timed {
		return nil
	}
	if change != nil {
		if err := s.retarget(ctx, tx, ticketID, *change); err != nil {
			return err
		}
	}
	return s.refresh(ctx, tx, ticketID, fresh)
}

// classify says whether events can move a clock, whether they create the
// ticket, and which is the first priority change among them.
func classify(events []ticket.Event) (timed, fresh bool, change *ticket.Event) {
	for i, e := range events {
		timed = timed || !untimed[e.Type]
		fresh = fresh || e.Type == ticket.EvCreated
		if e.Type == ticket.EvPriorityChanged && change == nil {
			change = &events[i]
		}
	}
	return timed, fresh, change
}

// TicketEventsCTE does TicketEvents' work inside the PostgreSQL statement
// that appends the events when it is at most one statement
// (ticket.FoldedHook): nothing for untimed events or a new ticket, and
// with no policy configured the removal of the ticket's rows of policies
// since removed. Otherwise (policies, or a priority change to retarget)
// TicketEvents runs as before. The configuration is consulted only when
// the write already knows its stamp, so folding never adds a round trip.
func (s *Service) TicketEventsCTE(ctx context.Context, tx *db.Tx, events []ticket.Event, from string) (string, bool, error) {
	timed, fresh, change := classify(events)
	if !timed {
		return "", true, nil
	}
	if change != nil || !tx.HasConfigStamp() {
		return "", false, nil
	}
	r, err := s.rules.Get(ctx, tx)
	if err != nil {
		return "", false, err
	}
	if len(r.policies) > 0 {
		return "", false, nil
	}
	if fresh {
		return "", true, nil // as refresh: a new ticket has no rows
	}
	return `DELETE FROM sla_ticket_state WHERE ticket_id IN (SELECT id FROM ` + from + `)`, true, nil
}

var _ ticket.FoldedHook = (*Service)(nil)

// sync recomputes a ticket's state rows at now and, when record is set,
// appends the warnings and breaches that are due. It returns how many
// events it appended.
//
// Rows exist for the current episode of each measured metric. A row of an
// earlier episode is kept only while a breach of it waits to be recorded
// (the episode ended after its target, before a sweep ran); rows are never
// created for past episodes, so history from before a policy applied
// raises nothing — except with past, for an imported ticket: each of its
// episodes began at a step a live change would have refreshed, so a past
// episode's unrecorded breach gets its row as it would have then.
func (s *Service) sync(ctx context.Context, tx *db.Tx, r *rules, ticketID int64, now time.Time, record, past bool) (int, error) {
	t, events, err := loadTicket(ctx, tx, ticketID, true)
	if apperr.Is(err, apperr.CodeNotFound) {
		return 0, nil // deleted: its rows went with it
	}
	if err != nil {
		return 0, err
	}
	st := r.compute(t, events, now)
	existing := map[rowKey]stateRow{}
	rows, err := tx.QueryContext(ctx, `SELECT metric, episode, warned_at, breached_at FROM sla_ticket_state WHERE ticket_id = ?`, ticketID)
	if err != nil {
		return 0, fmt.Errorf("sla: state of ticket %d: %w", ticketID, err)
	}
	for rows.Next() {
		var row stateRow
		if err := rows.Scan(&row.metric, &row.episode, &row.warned, &row.breached); err != nil {
			rows.Close()
			return 0, fmt.Errorf("sla: state of ticket %d: %w", ticketID, err)
		}
		existing[rowKey{row.metric, row.episode}] = row
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("sla: state of ticket %d: %w", ticketID, err)
	}

	current := map[rowKey]bool{}
	for _, m := range st.Metrics {
		current[rowKey{m.Metric, m.Episode}] = true
	}
	closed := t.Status == ticket.StatusClosed
	recorded := 0
	keep := map[rowKey]bool{}
	for _, m := range st.all {
		k := rowKey{m.Metric, m.Episode}
		row, had := existing[k]
		if !current[k] && !had && !past {
			continue // a past episode never tracked
		}
		warned, breached := row.warned, row.breached
		if record && m.BreachedAt != nil && !breached.Valid && !m.BreachedAt.After(now) {
			if err := s.rec.RecordTx(ctx, tx, authz.System, ticketID, EvBreached, eventData(m, *st.PolicyID)); err != nil {
				return recorded, fmt.Errorf("sla: record breach of ticket %d: %w", ticketID, err)
			}
			recorded++
			breached = sql.NullInt64{Int64: db.Millis(*m.BreachedAt), Valid: true}
			if !warned.Valid {
				// Past the target already: a warning now would be noise.
				warned = sql.NullInt64{Int64: db.Millis(now), Valid: true}
			}
		}
		if record && m.Status == StatusActive && !warned.Valid && !breached.Valid && !m.warnAt.IsZero() && !m.warnAt.After(now) {
			if err := s.rec.RecordTx(ctx, tx, authz.System, ticketID, EvWarning, eventData(m, *st.PolicyID)); err != nil {
				return recorded, fmt.Errorf("sla: record warning of ticket %d: %w", ticketID, err)
			}
			recorded++
			warned = sql.NullInt64{Int64: db.Millis(now), Valid: true}
		}
		check := checkAt(m, warned.Valid, breached.Valid)
		if !current[k] && !check.Valid {
			continue // a past episode with nothing left to record
		}
		if closed && !check.Valid {
			continue // closed is final: nothing can happen to it again
		}
		keep[k] = true
		var due, warnAt sql.NullInt64
		switch {
		case m.Status == StatusActive:
			due = db.NullMillis(*m.DueAt)
			warnAt = db.NullMillis(m.warnAt)
		case m.Status == StatusBreached && m.CompletedAt == nil && m.DueAt != nil:
			// Overdue and not yet met: the ticket lists show how long
			// (DueTimes) without replaying the log; status keeps it out
			// of AtRisk's index range of clocks not yet due.
			due = db.NullMillis(*m.DueAt)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO sla_ticket_state
				(ticket_id, metric, episode, policy_id, status, due_at, warn_at, check_at, warned_at, breached_at, updated_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
				ON CONFLICT (ticket_id, metric, episode) DO UPDATE SET policy_id = excluded.policy_id, status = excluded.status,
					due_at = excluded.due_at, warn_at = excluded.warn_at, check_at = excluded.check_at,
					warned_at = excluded.warned_at, breached_at = excluded.breached_at, updated_at = excluded.updated_at`,
			ticketID, m.Metric, m.Episode, *st.PolicyID, m.Status, due, warnAt, check, warned, breached, db.Millis(now)); err != nil {
			return recorded, fmt.Errorf("sla: save state of ticket %d: %w", ticketID, err)
		}
	}
	for k := range existing {
		if keep[k] {
			continue
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM sla_ticket_state WHERE ticket_id = ? AND metric = ? AND episode = ?`,
			ticketID, k.metric, k.episode); err != nil {
			return recorded, fmt.Errorf("sla: drop state of ticket %d: %w", ticketID, err)
		}
	}
	return recorded, nil
}

// checkAt is when the sweep must next look at a metric's row: at an
// unrecorded breach at once, else at the warning and then the due time of
// a running clock; never for a paused or finished one (only a ticket
// change moves those, and it refreshes the row).
func checkAt(m Metric, warned, breached bool) sql.NullInt64 {
	switch {
	case m.BreachedAt != nil && !breached:
		return db.NullMillis(*m.BreachedAt)
	case m.Status != StatusActive || breached:
		return sql.NullInt64{}
	case !warned && !m.warnAt.IsZero():
		return db.NullMillis(m.warnAt)
	}
	return db.NullMillis(*m.DueAt)
}

func eventData(m Metric, policyID int64) map[string]any {
	data := map[string]any{"metric": m.Metric, "policy_id": policyID, "episode": m.Episode}
	if m.DueAt != nil {
		data["due_at"] = m.DueAt.UTC().Format(time.RFC3339)
	}
	return data
}

// Sweep records the SLA warnings (at 75% of a target) and breaches that
// have come due by now, each once per metric episode, as sla_warning and
// sla_breached ticket events with data {metric, policy_id, due_at,
// episode}. It looks only at state rows whose check time has passed (an
// index range), so its cost follows the number of clocks due, not the
// number of open tickets. It returns how many events it recorded.
func (s *Service) Sweep(ctx context.Context, now time.Time) (int, error) {
	r, err := loadRules(ctx, s.db)
	if err != nil {
		return 0, err
	}
	total := 0
	var errs []error
	failed := map[int64]bool{}
	for range sweepRounds {
		batch, more, err := dueTickets(ctx, s.db, now, sweepBatch, failed)
		if err != nil {
			return total, err
		}
		if len(batch) == 0 {
			break
		}
		// Lock tickets in id order, as merges do, so a sweep and a merge
		// never wait on each other in a cycle on PostgreSQL.
		slices.Sort(batch)
		n := 0
		err = s.db.Write(ctx, func(tx *db.Tx) error {
			n = 0
			for _, id := range batch {
				// Each ticket in its own savepoint: one that fails is
				// rolled back alone and retried next minute.
				var got int
				err := tx.Savepoint(ctx, "sla_sweep", func() error {
					var err error
					got, err = s.sync(ctx, tx, r, id, now, true, false)
					return err
				})
				if err != nil {
					failed[id] = true
					errs = append(errs, fmt.Errorf("ticket %d: %w", id, err))
					continue
				}
				n += got
			}
			return nil
		})
		if err != nil {
			return total, fmt.Errorf("sla: sweep: %w", err)
		}
		total += n
		if !more {
			break
		}
	}
	if len(errs) > 0 {
		return total, fmt.Errorf("sla: sweep: %w", errors.Join(errs...))
	}
	return total, nil
}

// dueTickets lists up to limit tickets, most overdue first, with a state
// row whose check time has passed, leaving out skip; more reports that
// others may be due. It reads the check_at index range in order and
// collects distinct tickets itself: grouping in SQL makes SQLite walk the
// whole table by ticket instead.
func dueTickets(ctx context.Context, q db.Querier, now time.Time, limit int, skip map[int64]bool) (ids []int64, more bool, err error) {
	// A ticket has at most a few rows due at once (one per metric, rarely
	// a past episode's breach).
	rowLimit := 4*limit + 8*len(skip)
	rows, err := q.QueryContext(ctx, `SELECT ticket_id FROM sla_ticket_state WHERE check_at <= ? ORDER BY check_at LIMIT ?`, db.Millis(now), rowLimit)
	if err != nil {
		return nil, false, fmt.Errorf("sla: due tickets: %w", err)
	}
	defer rows.Close()
	seen := map[int64]bool{}
	n := 0
	for rows.Next() {
		n++
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, false, fmt.Errorf("sla: due tickets: %w", err)
		}
		if seen[id] || skip[id] {
			continue
		}
		seen[id] = true
		if len(ids) == limit {
			more = true
			continue
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return nil, false, fmt.Errorf("sla: due tickets: %w", err)
	}
	return ids, more || n == rowLimit, nil
}

type recomputePayload struct {
	AfterID int64 `json:"after_id"`
}

// recompute refreshes the clock state of every ticket that may have one
// after a policy or calendar change: a bounded share per job, then a job
// for the rest, so each finishes well inside its lease.
func (s *Service) recompute(ctx context.Context, j jobs.Job) error {
	var p recomputePayload
	if err := json.Unmarshal(j.Payload, &p); err != nil {
		return jobs.Permanent(fmt.Errorf("sla: recompute payload: %w", err))
	}
	last, more, err := s.recomputeFrom(ctx, p.AfterID, recomputePerJob)
	if err != nil || !more {
		return err
	}
	return s.db.Write(ctx, func(tx *db.Tx) error {
		_, err := jobs.Enqueue(ctx, tx, s.now(), jobs.New{Kind: JobRecompute, Payload: recomputePayload{AfterID: last}})
		if err == nil && s.wake != nil {
			tx.AfterCommit(s.wake)
		}
		return err
	})
}

// RecomputeAll refreshes every ticket's clock state in the caller's
// goroutine (tests; a repair after restoring a backup).
func (s *Service) RecomputeAll(ctx context.Context) error {
	after := int64(0)
	for {
		last, more, err := s.recomputeFrom(ctx, after, recomputePerJob)
		if err != nil || !more {
			return err
		}
		after = last
	}
}

// recomputeFrom refreshes up to limit tickets with ids after after that
// may have clock state (unsolved, or with rows), returning the last id done
// and whether more may follow.
func (s *Service) recomputeFrom(ctx context.Context, after int64, limit int) (int64, bool, error) {
	for done := 0; done < limit; {
		rows, err := s.db.QueryContext(ctx, `SELECT id FROM tickets t WHERE id > ?
			AND (status IN ('new', 'open', 'pending', 'on_hold') OR EXISTS (SELECT 1 FROM sla_ticket_state s WHERE s.ticket_id = t.id))
			ORDER BY id LIMIT ?`, after, recomputeBatch)
		if err != nil {
			return after, false, fmt.Errorf("sla: recompute: %w", err)
		}
		var ids []int64
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return after, false, fmt.Errorf("sla: recompute: %w", err)
			}
			ids = append(ids, id)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return after, false, fmt.Errorf("sla: recompute: %w", err)
		}
		if len(ids) == 0 {
			return after, false, nil
		}
		err = s.db.Write(ctx, func(tx *db.Tx) error {
			r, err := loadRules(ctx, tx)
			if err != nil {
				return err
			}
			now := s.now()
			for _, id := range ids {
				if _, err := s.sync(ctx, tx, r, id, now, false, false); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return after, false, fmt.Errorf("sla: recompute: %w", err)
		}
		after = ids[len(ids)-1]
		done += len(ids)
		if len(ids) < recomputeBatch {
			return after, false, nil
		}
	}
	return after, true, nil
}
