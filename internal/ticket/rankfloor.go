package ticket

import (
	"context"
	"fmt"
	"sync/atomic"

	"github.com/ombud/ombud/internal/db"
)

// Two common words that no text holds together (ikke order: Norwegian
// and English mail) cost FTS5 an intersection of both doclists to their
// ends, since the walk finds nothing to stop at: the cost grows with the
// table. The walk of several terms is bounded the way a filter bounds
// it (walkFactor): the term whose newest walkFactor × bound matches reach
// furthest back drives it, and the other terms act as its filter — the
// walk reads only rows at or above that term's walkFactor × bound-th
// newest match (the floor), by rowid range, which FTS5 seeks. The rarest
// term decides: a term with fewer matches than that has no floor, and the
// walk is exact as before (an order number and a common word). Where the
// floor ends a walk with fewer than bound candidates, older matches are
// not ranked and the total is an estimate, as for a filter few recent
// tickets pass. SQLite only: PostgreSQL's planner already chooses between
// the GIN index's intersection and a backward walk of the primary key.

// floorRuns counts the walks a floor ended (for the tests).
var floorRuns atomic.Int64

// textFloor is the lowest rowid the walk of index (ticket_fts or
// comment_fts) reads for tq: the lowest among its terms' n-th newest
// matches (the driving term's), or 0 (no floor) when a term has fewer than n matches or the
// query has one term.
func (s *Service) textFloor(ctx context.Context, index string, tq textQuery, n int) (int64, error) {
	if len(tq.terms) < 2 || s.db.Dialect() != db.SQLite {
		return 0, nil
	}
	q := `SELECT COUNT(*), COALESCE(MIN(rowid), 0) FROM (SELECT rowid FROM ` + index + ` WHERE ` + index + ` MATCH ? ORDER BY rowid DESC LIMIT ?)`
	floor := int64(-1)
	for _, t := range tq.terms {
		var count, low int64
		if err := s.db.QueryRowContext(ctx, q, t, n).Scan(&count, &low); err != nil {
			return 0, fmt.Errorf("ticket: search floor: %w", err)
		}
		if count < int64(n) {
			return 0, nil // a rarer term: the walk is exact
		}
		if floor < 0 || low < floor {
			floor = low
		}
	}
	return max(floor, 0), nil
}
