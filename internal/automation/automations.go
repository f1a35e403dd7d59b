package automation

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/jobs"
)

// sweepBatch is how many candidate tickets one query reads.
const sweepBatch = 200

// statusChangedSQL is when a ticket's status last changed (its creation
// counts as the first). The candidate queries read the ticket tables
// directly: selecting by time in SQL is the point of the sweep, and the
// ticket service has no query for it yet.
const statusChangedSQL = `(SELECT MAX(e.at) FROM ticket_events e WHERE e.ticket_id = t.id AND e.type IN ('created', 'status_changed'))`

// anchorSQL is the column an hours_since_* field counts from.
func anchorSQL(field string) string {
	switch field {
	case "hours_since_updated":
		return "t.updated_at"
	case "hours_since_solved":
		return "t.solved_at"
	case "hours_since_status_change":
		return statusChangedSQL
	}
	return "t.created_at"
}

var hintColumns = map[string]string{
	"status": "t.status", "priority": "t.priority", "type": "t.type", "channel": "t.channel",
	"team_id": "t.team_id", "assignee_id": "t.assignee_id", "requester_id": "t.requester_id",
	"organization_id": "t.organization_id", "requester.organization_id": "t.organization_id",
}

// candidateFilter turns the root "all" conditions that map to columns into
// SQL, so the sweep reads only tickets that might match; Match still decides.
func candidateFilter(m *Matcher, now time.Time) (string, []any) {
	var conds []string
	var args []any
	nowMs := db.Millis(now)
	for _, h := range m.Hints {
		if strings.HasPrefix(h.Field, "hours_since_") {
			col := anchorSQL(h.Field)
			limit := nowMs - int64(h.Num*float64(time.Hour/time.Millisecond))
			switch h.Op {
			case "gt":
				conds = append(conds, col+" < ?")
				args = append(args, limit)
			case "lt":
				conds = append(conds, col+" > ?")
				args = append(args, limit)
			case "present":
				conds = append(conds, col+" IS NOT NULL")
			case "absent":
				conds = append(conds, col+" IS NULL")
			}
			continue
		}
		col, ok := hintColumns[h.Field]
		if !ok {
			continue
		}
		vals := make([]any, 0, len(h.Strs)+len(h.IDs))
		for _, s := range h.Strs {
			vals = append(vals, s)
		}
		for _, id := range h.IDs {
			vals = append(vals, id)
		}
		in := strings.TrimSuffix(strings.Repeat("?,", len(vals)), ",")
		switch h.Op {
		case "is", "in":
			conds = append(conds, col+" IN ("+in+")")
			args = append(args, vals...)
		case "is_not", "not_in":
			conds = append(conds, "("+col+" IS NULL OR "+col+" NOT IN ("+in+"))")
			args = append(args, vals...)
		case "present":
			conds = append(conds, col+" IS NOT NULL")
		case "absent":
			conds = append(conds, col+" IS NULL")
		}
	}
	if len(conds) == 0 {
		return "", nil
	}
	return " AND " + strings.Join(conds, " AND "), args
}

// Sweep evaluates every active automation; the jobs runner calls it every
// SweepInterval. A matching ticket is recorded as fired for the current
// episode and its actions are queued as a job in the same transaction, so a
// ticket is acted on once per episode even across instances and crashes.
func (s *Service) Sweep(ctx context.Context, now time.Time) error {
	rules, err := s.listRules(ctx, s.db, KindAutomation, true)
	if err != nil {
		return err
	}
	var errs []error
	err = s.db.Write(ctx, func(tx *db.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM automation_runs WHERE at < ?`, db.Millis(now.Add(-RunRetention)))
		return err
	})
	if err != nil {
		errs = append(errs, fmt.Errorf("automation: prune runs: %w", err))
	}
	for _, r := range rules {
		if err := s.sweepRule(ctx, r, now); err != nil {
			errs = append(errs, fmt.Errorf("automation %d: %w", r.ID, err))
		}
	}
	return errors.Join(errs...)
}

func (s *Service) sweepRule(ctx context.Context, r Rule, now time.Time) error {
	filter, args := candidateFilter(r.matcher, now)
	episode := "COALESCE(" + anchorSQL(r.matcher.Anchor) + ", 0)"
	q := `SELECT t.id, ` + episode + `, COALESCE(` + statusChangedSQL + `, 0) FROM tickets t
		WHERE t.id > ? AND t.status <> 'closed' AND t.merged_into_id IS NULL` + filter + `
		AND NOT EXISTS (SELECT 1 FROM automation_firings f WHERE f.rule_id = ? AND f.ticket_id = t.id AND f.episode = ` + episode + `)
		ORDER BY t.id LIMIT ?`
	after := int64(0)
	for {
		type cand struct{ id, episode, statusAt int64 }
		var cands []cand
		rows, err := s.db.QueryContext(ctx, q, append(append([]any{after}, args...), r.ID, sweepBatch)...)
		if err != nil {
			return fmt.Errorf("select candidates: %w", err)
		}
		for rows.Next() {
			var c cand
			if err := rows.Scan(&c.id, &c.episode, &c.statusAt); err != nil {
				rows.Close()
				return fmt.Errorf("scan candidate: %w", err)
			}
			cands = append(cands, c)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("select candidates: %w", err)
		}
		for _, c := range cands {
			after = c.id
			t, err := s.tickets.Get(ctx, authz.System, c.id)
			if apperr.Is(err, apperr.CodeNotFound) {
				continue
			}
			if err != nil {
				return err
			}
			f := Facts{Ticket: t, Now: now, InBusinessHours: s.businessHours}
			if c.statusAt > 0 {
				f.StatusChangedAt = db.Time(c.statusAt)
			}
			if !r.matcher.Match(&f) {
				continue
			}
			if err := s.schedule(ctx, now, r.ID, c.id, c.episode); err != nil {
				return err
			}
		}
		if len(cands) < sweepBatch {
			return nil
		}
	}
}

type runPayload struct {
	RuleID   int64 `json:"rule_id"`
	TicketID int64 `json:"ticket_id"`
	Episode  int64 `json:"episode"`
}

// schedule records the firing and queues its job, once per episode.
func (s *Service) schedule(ctx context.Context, now time.Time, ruleID, ticketID, episode int64) error {
	return s.db.Write(ctx, func(tx *db.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO automation_firings (rule_id, ticket_id, episode, at) VALUES (?, ?, ?, ?)
			ON CONFLICT (rule_id, ticket_id, episode) DO NOTHING`, ruleID, ticketID, episode, db.Millis(now))
		if err != nil {
			return fmt.Errorf("record firing: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		if _, err := jobs.Enqueue(ctx, tx, now, jobs.New{
			Kind:    JobRun,
			Key:     fmt.Sprintf("%d:%d:%d", ruleID, ticketID, episode),
			Payload: runPayload{RuleID: ruleID, TicketID: ticketID, Episode: episode},
		}); err != nil {
			return err
		}
		if s.wake != nil {
			tx.AfterCommit(s.wake)
		}
		return nil
	})
}

// handleRun applies one automation to one ticket. The changes it makes start
// a new chain, so triggers hear of them.
func (s *Service) handleRun(ctx context.Context, j jobs.Job) error {
	var p runPayload
	if err := json.Unmarshal(j.Payload, &p); err != nil || p.RuleID <= 0 || p.TicketID <= 0 {
		return jobs.Permanent(fmt.Errorf("automation: bad run payload: %v", err))
	}
	r, err := s.getRule(ctx, s.db, KindAutomation, p.RuleID)
	if apperr.Is(err, apperr.CodeNotFound) {
		return nil // deleted since the sweep
	}
	if err != nil {
		return err
	}
	if !r.Active {
		return nil
	}
	ch := &chain{ID: fmt.Sprintf("a%d-%d-%d", p.RuleID, p.TicketID, p.Episode), Depth: 1}
	ctx = withChain(ctx, ch)
	t, err := s.tickets.Get(ctx, authz.System, p.TicketID)
	if apperr.Is(err, apperr.CodeNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	_, _, err = s.fire(ctx, r, t, nil, ch.ID)
	return err
}
