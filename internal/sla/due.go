package sla

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/ombud/ombud/internal/db"
)

// Due is a ticket's next SLA target as the ticket lists show it: the
// earliest due time of its clocks that still run toward a target (or ran
// past it and are not yet met).
type Due struct {
	Metric string    // the clock's metric
	At     time.Time // when its target falls (or fell)
	// State is "ok", "at_risk" (75% of the target used) or "breached"
	// (past the target), at the time asked.
	State string
	// Left is how long until At (negative once overdue), at the time asked.
	Left time.Duration
}

// Due states.
const (
	DueOK       = "ok"
	DueAtRisk   = "at_risk"
	DueBreached = "breached"
)

// DueTimes returns the next SLA target of each of the given tickets that
// has one, at now, in one query over sla_ticket_state's primary key (a
// page of a ticket list asks for its 50 rows at once). Paused clocks and
// clocks that are met or ended have no due time and are left out.
func (s *Service) DueTimes(ctx context.Context, ids []int64) (map[int64]Due, error) {
	out := map[int64]Due{}
	if len(ids) == 0 {
		return out, nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	rows, err := s.db.QueryContext(ctx, `SELECT ticket_id, metric, status, due_at, COALESCE(warn_at, 0) FROM sla_ticket_state
		WHERE ticket_id IN (`+strings.TrimSuffix(strings.Repeat("?,", len(ids)), ",")+`) AND due_at IS NOT NULL`, args...)
	if err != nil {
		return nil, fmt.Errorf("sla: due times: %w", err)
	}
	defer rows.Close()
	now := s.now()
	for rows.Next() {
		var id, due, warn int64
		var metric, status string
		if err := rows.Scan(&id, &metric, &status, &due, &warn); err != nil {
			return nil, fmt.Errorf("sla: due times: %w", err)
		}
		d := Due{Metric: metric, At: db.Time(due), State: DueOK}
		d.Left = d.At.Sub(now)
		switch {
		case status == StatusBreached || !d.At.After(now):
			d.State = DueBreached
		case warn != 0 && !db.Time(warn).After(now):
			d.State = DueAtRisk
		}
		if cur, ok := out[id]; !ok || d.At.Before(cur.At) {
			out[id] = d
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sla: due times: %w", err)
	}
	return out, nil
}
