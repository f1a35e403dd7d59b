package sla

import (
	"context"
	"time"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/ticket"
)

// retarget records, as an sla_retargeted event, how a priority change
// moved the clocks that were still running when it happened: each one's
// target and deadline at the old priority and at the new. Clocks already
// decided keep their outcome (Compute) and are not listed; nothing is
// recorded when no running clock moved.
func (s *Service) retarget(ctx context.Context, tx *db.Tx, ticketID int64, change ticket.Event) error {
	r, err := s.rules.Get(ctx, tx)
	if err != nil || len(r.policies) == 0 {
		return err
	}
	t, events, err := loadTicket(ctx, tx, ticketID, true)
	if apperr.Is(err, apperr.CodeNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	from, to := str(change.Data, "from"), str(change.Data, "to")
	var before, after []ticket.Event
	for _, e := range events {
		if e.Seq < change.Seq {
			before = append(before, e)
		}
		if e.Seq <= change.Seq {
			after = append(after, e)
		}
	}
	now := s.now()
	old, cur := t, t
	old.Priority, cur.Priority = from, to
	was, is := r.compute(old, before, now), r.compute(cur, after, now)
	type key struct {
		metric  string
		episode int64
	}
	next := map[key]Metric{}
	for _, m := range is.Metrics {
		next[key{m.Metric, m.Episode}] = m
	}
	prev := map[key]bool{}
	var clocks []map[string]any
	for _, m := range was.Metrics {
		k := key{m.Metric, m.Episode}
		prev[k] = true
		if m.Status != StatusActive && m.Status != StatusPaused {
			continue // decided: its outcome stands
		}
		n, ok := next[k]
		if ok && n.TargetText == m.TargetText && sameTime(n.DueAt, m.DueAt) {
			continue
		}
		c := map[string]any{"metric": m.Metric, "episode": m.Episode, "from_target": m.TargetText, "from_due": stamp(m.DueAt),
			"to_target": "", "to_due": nil}
		if ok {
			c["to_target"], c["to_due"] = n.TargetText, stamp(n.DueAt)
		}
		clocks = append(clocks, c)
	}
	// Clocks the old priority had no target for start being measured.
	for _, n := range is.Metrics {
		if prev[key{n.Metric, n.Episode}] || (n.Status != StatusActive && n.Status != StatusPaused && n.Status != StatusBreached) {
			continue
		}
		clocks = append(clocks, map[string]any{"metric": n.Metric, "episode": n.Episode, "from_target": "", "from_due": nil,
			"to_target": n.TargetText, "to_due": stamp(n.DueAt)})
	}
	if len(clocks) == 0 {
		return nil
	}
	data := map[string]any{"from_priority": from, "to_priority": to, "clocks": clocks}
	if is.PolicyID != nil {
		data["policy_id"] = *is.PolicyID
	}
	return s.rec.RecordTx(ctx, tx, authz.System, ticketID, EvRetargeted, data)
}

func sameTime(a, b *time.Time) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return a.Equal(*b)
}

// stamp writes a deadline as events do (RFC 3339, UTC); nil while paused.
func stamp(t *time.Time) any {
	if t == nil {
		return nil
	}
	return t.UTC().Format(time.RFC3339)
}
