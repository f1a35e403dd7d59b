package report

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/sla"
)

const (
	// batch is the most tickets one write transaction recomputes; the
	// refresher takes fewer when a batch holds the writer longer than
	// holdTarget (nextRefreshSize).
	batch = 200
	// maxBatches bounds one refresh run (maxBatches × batch tickets), as
	// does runBudget its time; the rest waits for the next run, 5 s later.
	// A shutdown waits for a running handler: it must not wait long.
	maxBatches = 100
	runBudget  = 10 * time.Second
	// holdTarget is how long one refresh transaction should hold the
	// writer: on SQLite every other write, an agent's reply included,
	// waits behind it (a create's p99 target is 50 ms at 64 clients).
	holdTarget = 25 * time.Millisecond
	// minRefresh is the fewest tickets a refresh transaction takes.
	minRefresh = 10
)

// Refresh recomputes the facts of every dirty ticket (up to a bound) and
// returns how many tickets it looked at.
func (s *Service) Refresh(ctx context.Context) (int, error) {
	// Most runs find nothing to do: ask the read pool before loading the
	// SLA rules and taking the writer.
	var dirty, dirtyNPS int
	if err := s.db.QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM (SELECT 1 FROM report_dirty LIMIT 1) d),
		(SELECT COUNT(*) FROM (SELECT 1 FROM report_dirty_nps LIMIT 1) n)`).Scan(&dirty, &dirtyNPS); err != nil {
		return 0, fmt.Errorf("report: dirty: %w", err)
	}
	// The pair fill in steps of pairFillBatch tickets, several a run: a
	// step's roll-up changes are held in memory until written.
	for range pairFillSteps {
		more, err := s.FillPairs(ctx)
		if err != nil {
			return 0, err
		}
		if !more {
			break
		}
	}
	// The month fill, a dimension a step (migration 0092).
	for range pairFillSteps {
		more, err := s.FillMonths(ctx)
		if err != nil {
			return 0, err
		}
		if !more {
			break
		}
	}
	if dirtyNPS > 0 {
		if err := s.refreshAllNPS(ctx, false); err != nil {
			return 0, err
		}
	}
	if dirty == 0 {
		return 0, nil
	}
	sn, err := s.snapshot(ctx)
	if err != nil {
		return 0, err
	}
	total := 0
	began := time.Now()
	for total < maxBatches*batch && time.Since(began) < runBudget {
		size := int(s.refreshSize.Load())
		if size == 0 {
			size = batch
		}
		n, held, err := s.refreshBatch(ctx, sn, size)
		s.refreshSize.Store(int64(nextRefreshSize(size, held)))
		total += n
		if err != nil || n < size {
			return total, err
		}
	}
	return total, nil
}

// nextRefreshSize sizes the next refresh transaction from the last one's:
// size tickets held the writer for held. It shrinks in proportion when the
// hold passed holdTarget (a slow machine, tickets with long histories) and
// doubles back towards batch when it took less than half of it.
func nextRefreshSize(size int, held time.Duration) int {
	switch {
	case held > holdTarget:
		size = int(int64(size) * int64(holdTarget) / int64(held))
	case held < holdTarget/2:
		size *= 2
	}
	return min(batch, max(minRefresh, size))
}

// refreshBatch recomputes up to size dirty tickets in one transaction and
// says how long it held the writer.
func (s *Service) refreshBatch(ctx context.Context, sn *sla.Snapshot, size int) (int, time.Duration, error) {
	n := 0
	var held time.Duration
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		n = 0
		start := time.Now()
		defer func() { held = time.Since(start) }()
		if ok, err := lock(ctx, tx); err != nil || !ok {
			return err
		}
		rows, err := tx.QueryContext(ctx, `SELECT ticket_id, gen FROM report_dirty ORDER BY ticket_id LIMIT ?`, size)
		if err != nil {
			return fmt.Errorf("report: dirty: %w", err)
		}
		gens := map[int64]int64{}
		var ids []int64
		for rows.Next() {
			var id, gen int64
			if err := rows.Scan(&id, &gen); err != nil {
				rows.Close()
				return fmt.Errorf("report: dirty: %w", err)
			}
			gens[id] = gen
			ids = append(ids, id)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("report: dirty: %w", err)
		}
		n = len(ids)
		if n == 0 {
			return nil
		}
		if _, err := s.recompute(ctx, tx, sn, ids); err != nil {
			return err
		}
		return clean(ctx, tx, ids, gens)
	})
	return n, held, err
}

// clean drops the dirty marks of ids in one statement, each only if its
// generation is still the one read: a ticket written to after that stays
// dirty for the next run (on PostgreSQL a concurrent transaction can mark
// it meanwhile; SQLite's single writer cannot, but the condition costs
// nothing there).
func clean(ctx context.Context, tx *db.Tx, ids []int64, gens map[int64]int64) error {
	for len(ids) > 0 {
		part := ids[:min(batch, len(ids))]
		ids = ids[len(part):]
		conds := make([]string, len(part))
		args := make([]any, 0, 2*len(part))
		for i, id := range part {
			conds[i] = "(ticket_id = ? AND gen = ?)"
			args = append(args, id, gens[id])
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM report_dirty WHERE `+strings.Join(conds, " OR "), args...); err != nil {
			return fmt.Errorf("report: clean: %w", err)
		}
	}
	return nil
}

// lock takes the transaction-scoped advisory lock on PostgreSQL (SQLite's
// single writer already serialises); false means another instance is
// refreshing, which is as good.
func lock(ctx context.Context, tx *db.Tx) (bool, error) {
	if tx.Dialect() != db.Postgres {
		return true, nil
	}
	var ok bool
	if err := tx.QueryRowContext(ctx, `SELECT pg_try_advisory_xact_lock(?)`, lockKey).Scan(&ok); err != nil {
		return false, fmt.Errorf("report: lock: %w", err)
	}
	return ok, nil
}
