package ticket

import (
	"context"
	"fmt"
	"slices"

	"github.com/ombud/ombud/internal/db"
)

// A lookup source (the customers a name names) finds the newest walk
// tickets of its customers by id. Read as one sorted list, that is every
// ticket of every named customer: a first name names up to maxNamed
// customers, ≈ 20,000 tickets at 1M, read from the index and sorted for
// the newest 300 (docs/benchmarks.md, search at 1M tickets). lookupFloor
// finds instead an id below which the newest walk of them all lie: it
// counts, with one seek per customer into tickets_requester_id
// (requester_id, id), the tickets in a window of the newest ids, widening
// the window eightfold until it holds walk of them or every ticket. The
// lookup then reads that window only. The tickets found are the same
// newest walk by id, so rankings and totals are unchanged.

// lookupWindowFirst is the first window, as a fraction of the ids;
// lookupWindowMin its least size in ids (Service.lookupWindow overrides it
// in the tests, whose corpus is smaller).
const (
	lookupWindowFirst = 32
	lookupWindowMin   = 1024
)

// lookupFloor returns the id above which the newest walk tickets of
// cond lie (0: read them all; always on PostgreSQL, whose planner reads
// the same index its own way). Sources of one id (an email's customer, a
// ticket number) are read whole: their tickets are few.
func (s *Service) lookupFloor(ctx context.Context, src lookupSource, cond string, cargs []any, walk int) (int64, error) {
	least := int64(lookupWindowMin)
	if s.lookupWindow != 0 {
		least = s.lookupWindow
	}
	if len(src.ids) < 2 || src.col != "requester_id" || least <= 0 || s.db.Dialect() != db.SQLite {
		return 0, nil
	}
	var newest int64
	if err := s.db.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) FROM tickets`).Scan(&newest); err != nil {
		return 0, fmt.Errorf("ticket: search lookup: %w", err)
	}
	for size := max(newest/lookupWindowFirst, least); ; size *= 8 {
		from := max(newest-size, 0)
		if from == 0 {
			return 0, nil
		}
		var n int
		if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM tickets t INDEXED BY tickets_requester_id
			WHERE `+cond+` AND t.id > ? LIMIT ?)`, append(slices.Clip(cargs), from, walk)...).Scan(&n); err != nil {
			return 0, fmt.Errorf("ticket: search lookup: %w", err)
		}
		if n >= walk {
			s.lookupWindowRuns.Add(1)
			return from, nil
		}
	}
}
