package sla

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/db"
)

// maxOverdueChecks bounds how many breached clock rows AtRisk recomputes
// to tell a clock still running past its target from one that ended late.
const maxOverdueChecks = 200

// AtRisk lists unsolved tickets whose earliest running SLA clock is due
// within the given time from now or is already overdue, earliest due
// first, at most limit of them.
//
// Running clocks not yet past their target are read from sla_ticket_state
// through its due_at index. A clock past its target has, once the sweep
// recorded the breach, status breached and no due time, like one that
// ended late; those rows (few: they belong to unsolved tickets that
// missed a target) are recomputed from the event log to keep only the
// clocks that still run.
func (s *Service) AtRisk(ctx context.Context, actor authz.Actor, within time.Duration, limit int) ([]int64, error) {
	if err := authz.Check(actor, authz.TicketRead); err != nil {
		return nil, err
	}
	if limit <= 0 {
		return []int64{}, nil
	}
	now := s.now()
	due := map[int64]time.Time{}

	rows, err := s.db.QueryContext(ctx, `SELECT st.ticket_id, MIN(st.due_at) FROM sla_ticket_state st
		JOIN tickets t ON t.id = st.ticket_id
		WHERE st.due_at IS NOT NULL AND st.due_at <= ? AND st.status = 'active'
			AND t.status IN ('new', 'open', 'pending', 'on_hold')
		GROUP BY st.ticket_id ORDER BY MIN(st.due_at), st.ticket_id LIMIT ?`, db.Millis(now.Add(within)), limit)
	if err != nil {
		return nil, fmt.Errorf("sla: at risk: %w", err)
	}
	for rows.Next() {
		var id, at int64
		if err := rows.Scan(&id, &at); err != nil {
			rows.Close()
			return nil, fmt.Errorf("sla: at risk: %w", err)
		}
		due[id] = db.Time(at)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sla: at risk: %w", err)
	}

	overdue, err := s.overdueCandidates(ctx)
	if err != nil {
		return nil, err
	}
	if len(overdue) > 0 {
		r, err := loadRules(ctx, s.db)
		if err != nil {
			return nil, err
		}
		for _, id := range overdue {
			t, events, err := loadTicket(ctx, s.db, id, false)
			if apperr.Is(err, apperr.CodeNotFound) {
				continue
			}
			if err != nil {
				return nil, err
			}
			for _, m := range r.compute(t, events, now).Metrics {
				if m.Status != StatusBreached || m.CompletedAt != nil || m.BreachedAt == nil {
					continue
				}
				if d, ok := due[id]; !ok || m.BreachedAt.Before(d) {
					due[id] = *m.BreachedAt
				}
			}
		}
	}

	ids := make([]int64, 0, len(due))
	for id := range due {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool {
		a, b := due[ids[i]], due[ids[j]]
		if !a.Equal(b) {
			return a.Before(b)
		}
		return ids[i] < ids[j]
	})
	if len(ids) > limit {
		ids = ids[:limit]
	}
	return ids, nil
}

// overdueCandidates lists unsolved tickets with a breached clock row, the
// earliest breach first.
func (s *Service) overdueCandidates(ctx context.Context) ([]int64, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT st.ticket_id, MIN(COALESCE(st.breached_at, st.check_at, 0)) AS at FROM sla_ticket_state st
		JOIN tickets t ON t.id = st.ticket_id
		WHERE st.status = 'breached' AND t.status IN ('new', 'open', 'pending', 'on_hold')
		GROUP BY st.ticket_id ORDER BY at, st.ticket_id LIMIT ?`, maxOverdueChecks)
	if err != nil {
		return nil, fmt.Errorf("sla: overdue tickets: %w", err)
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id, at int64
		if err := rows.Scan(&id, &at); err != nil {
			return nil, fmt.Errorf("sla: overdue tickets: %w", err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sla: overdue tickets: %w", err)
	}
	return ids, nil
}
