package report

import (
	"context"
	"fmt"

	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/sla"
)

// Rebuild recomputes every ticket's facts from the event log, in batches
// of ticket ids, applying each batch's difference to the roll-ups exactly
// as the incremental refresh does. After a rebuild of unchanged data the
// roll-ups are unchanged; a test proves the two agree.
func (s *Service) Rebuild(ctx context.Context, progress func(done int)) error {
	sn, err := s.snapshot(ctx)
	if err != nil {
		return err
	}
	// Roll-ups are recomputed from scratch: drop them and the facts,
	// then rebuild both ticket by ticket.
	if err := s.db.Write(ctx, func(tx *db.Tx) error {
		if ok, err := lockWait(ctx, tx); err != nil || !ok {
			return err
		}
		for _, t := range rebuiltTables {
			if _, err := tx.ExecContext(ctx, `DELETE FROM `+t); err != nil {
				return fmt.Errorf("report: clear %s: %w", t, err)
			}
		}
		// Every NPS send's facts again too (refreshAllNPS, at the end).
		if _, err := tx.ExecContext(ctx, `INSERT INTO report_dirty_nps (send_id, gen) SELECT id, 1 FROM nps_sends WHERE true
			ON CONFLICT (send_id) DO UPDATE SET gen = report_dirty_nps.gen + 1`); err != nil {
			return fmt.Errorf("report: mark nps sends: %w", err)
		}
		return nil
	}); err != nil {
		return err
	}
	if err := s.rebuildFrom(ctx, sn, progress); err != nil {
		return err
	}
	// Every fact and roll-up row was just written again: on PostgreSQL
	// the tables are vacuumed and analyzed now rather than when autovacuum
	// gets to them — until then the overview's medians, an index-only walk
	// of (kind, value, at), visited the table for every entry (1–1.7 s a
	// page at 1M tickets; docs/benchmarks.md). Nothing on SQLite.
	return s.db.Vacuum(ctx, rebuiltTables...)
}

// rebuiltTables are the tables a rebuild empties and writes again.
var rebuiltTables = []string{"report_facts", "report_hourly", "report_hourly_dim", "report_daily_dim", "report_monthly_dim", "report_hist", "report_hist_month", "report_pair_fill", "report_month_fill"}

// rebuildFrom recomputes every ticket's facts in id order, a window of
// rebuildWindow tickets a transaction: the window's tickets are loaded and
// their facts written a chunk of rebuildChunk at a time, while one delta
// gathers the roll-up changes of the whole window, so each roll-up row
// (hourly, daily, monthly, pair, histogram) is written once a window
// instead of once a chunk. A rebuild starts from emptied tables; a ticket
// the refresher recomputed meanwhile already has its facts, and the diff
// in recomputeInto leaves them (and their roll-ups) as they are.
func (s *Service) rebuildFrom(ctx context.Context, sn *sla.Snapshot, progress func(done int)) error {
	after, done := int64(0), 0
	for {
		var last int64
		n := 0
		if err := s.db.Write(ctx, func(tx *db.Tx) error {
			last, n = after, 0
			if ok, err := lockWait(ctx, tx); err != nil || !ok {
				return err
			}
			limit, err := pairLimit(ctx, tx)
			if err != nil {
				return err
			}
			d := newDelta(limit)
			for n < rebuildWindow {
				ids, err := ticketIDsAfter(ctx, tx, last, min(rebuildChunk, rebuildWindow-n))
				if err != nil {
					return err
				}
				if len(ids) == 0 {
					break
				}
				if _, err := s.recomputeInto(ctx, tx, sn, ids, d); err != nil {
					return err
				}
				last = ids[len(ids)-1]
				n += len(ids)
			}
			return d.apply(ctx, tx)
		}); err != nil {
			return err
		}
		if n == 0 {
			return s.refreshAllNPS(ctx, true)
		}
		after = last
		done += n
		if progress != nil {
			progress(done)
		}
	}
}

// ticketIDsAfter returns up to n ticket ids above after, in order.
func ticketIDsAfter(ctx context.Context, tx *db.Tx, after int64, n int) ([]int64, error) {
	rows, err := tx.QueryContext(ctx, `SELECT id FROM tickets WHERE id > ? ORDER BY id LIMIT ?`, after, n)
	if err != nil {
		return nil, fmt.Errorf("report: rebuild ids: %w", err)
	}
	defer rows.Close()
	ids := make([]int64, 0, n)
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("report: rebuild ids: %w", err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("report: rebuild ids: %w", err)
	}
	return ids, nil
}

// A rebuild takes rebuildWindow tickets a transaction (their roll-up
// changes are written once, at its end) and loads them rebuildChunk at a
// time (their events and facts are what the memory holds). A window of
// 20,000 tickets saved 6 % of the CPU over 5,000 at 1M tickets
// (docs/benchmarks.md) but held SQLite's writer ~12 s, past the 10 s a
// server's write waits for the lock when `ombud report rebuild` runs
// beside it; 5,000 hold it ~3 s, as the batches before did. Variables so
// that tests can make windows of a few tickets.
var (
	rebuildWindow = 5000
	rebuildChunk  = 1000
)

// lockWait takes the advisory lock on PostgreSQL, waiting for a refresh
// on another instance to finish.
func lockWait(ctx context.Context, tx *db.Tx) (bool, error) {
	if tx.Dialect() != db.Postgres {
		return true, nil
	}
	if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(?)`, lockKey); err != nil {
		return false, fmt.Errorf("report: lock: %w", err)
	}
	return true, nil
}
