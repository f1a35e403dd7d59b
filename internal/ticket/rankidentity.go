package ticket

import (
	"context"
	"fmt"

	"github.com/ombud/ombud/internal/db"
)

// A search for an email address (or a phone number) that is a customer's
// identity ranks that customer's tickets first (scoreIdentity, far above
// any text score), then the tickets whose subjects or comments mention the
// address. On SQLite the mentions are an FTS5 phrase of five or six tokens,
// most of them common ("example", a first name, a number), and finding the
// few rows where they meet costs FTS5 a walk of their doclists: ≈ 16 ms of
// CPU at 1M tickets, whether or not any row mentions the address.
//
// When the customer's own tickets fill the page asked for, the mentions
// cannot change it: every one of them ranks below every identity ticket,
// and an identity ticket that is also mentioned keeps its identity score.
// The walks are then skipped, the page is ranked from the lookups alone
// (the same tickets in the same order as with the walks), and the total
// becomes an estimate: the lookups' tickets plus the mentions counted in
// a sample of the newest tickets and scaled to all (sampleMentions).
// Pages beyond the customer's tickets walk the text as before, so paging
// neither repeats nor skips a ticket.

// identityFirst gathers the lookups' tickets into c and reports whether
// those that outrank all text (a ticket number, an identity) reach need,
// the ranks the page asked for covers. When they do, c's total is made an
// estimate that counts the mentions and the text walks are not needed.
// Only SQLite without filters: PostgreSQL's walk of the address is cheap
// (rankpg.go), and a filtered search tests its filter on the walked rows.
func (s *Service) identityFirst(ctx context.Context, c *candidates, w *where, tq textQuery, bound, need int,
	blend func(float64, int64) float64, estimate func(string, bool, int64, float64) error) (bool, error) {
	if _, err := s.gatherLookups(ctx, c, w, tq, "1", bound, bound, blend, estimate); err != nil {
		return false, err
	}
	first := 0
	for _, h := range c.hits {
		if h.score >= lookupScore[scoreIdentity] {
			first++
		}
	}
	if first < need {
		return false, nil
	}
	mentions, err := s.sampleMentions(ctx, tq, c)
	if err != nil {
		return false, err
	}
	s.identityFirstRuns.Add(1)
	c.estimated = true
	c.estimate = max(c.estimate, float64(len(c.hits))) + mentions
	return true, nil
}

// identityFirstOK reports whether a search may rank a page from its
// identity lookups alone (identityFirst).
func (s *Service) identityFirstOK(w *where, tq textQuery, need int) bool {
	return !s.noIdentityFirst.Load() && s.db.Dialect() == db.SQLite && len(w.conds) == 0 && need > 0 &&
		len(tq.customers) > 0
}

// sampleMentions estimates how many tickets not already in c the text
// finds, as sampleText does: it counts them exactly among the newest
// tickets, the sample growing fourfold from sampleFirst until it holds
// sampleEnough of them or reaches sampleMax (or all tickets), and scales
// the count to all tickets. Each index is read in ascending rowid order
// from the sample's first row: FTS5 seeks that row in every doclist
// through the doclist index and reads only the sample's rows, where a
// newest-first read of a sparse phrase steps the doclists entry by entry
// until it finds a match (rankfew.go), however old.
func (s *Service) sampleMentions(ctx context.Context, tq textQuery, c *candidates) (float64, error) {
	var newest int64
	if err := s.db.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) FROM tickets`).Scan(&newest); err != nil {
		return 0, fmt.Errorf("ticket: search mentions: %w", err)
	}
	// LIMIT -1 keeps SQLite from flattening the subqueries and dropping
	// their order.
	const q = `SELECT id FROM (SELECT rowid AS id FROM ticket_fts WHERE ticket_fts MATCH ? AND rowid > ?
			ORDER BY rowid LIMIT -1)
		UNION ALL SELECT ticket_id FROM (SELECT c.ticket_id FROM comment_fts JOIN comments c ON c.id = comment_fts.rowid
			WHERE comment_fts MATCH ? AND comment_fts.rowid >= ? AND c.ticket_id > ? ORDER BY comment_fts.rowid LIMIT -1)`
	first, widest := sampleSizes()
	for size := first; ; size *= 4 {
		from := max(newest-size, 0) // tickets after from are the sample
		if newest == from {
			return 0, nil
		}
		var firstComment int64
		if err := s.db.QueryRowContext(ctx, `SELECT COALESCE(MIN(id), 0) FROM comments WHERE ticket_id = ?`, from+1).Scan(&firstComment); err != nil {
			return 0, fmt.Errorf("ticket: search mentions: %w", err)
		}
		found := map[int64]bool{}
		err := s.scan(ctx, q, []any{tq.fts, from, tq.fts, firstComment, from}, func(sc scanner) (bool, error) {
			var id int64
			if err := sc.Scan(&id); err != nil {
				return false, err
			}
			if c.hits[id] == nil {
				found[id] = true
			}
			return true, nil
		})
		if err != nil {
			return 0, err
		}
		n := int64(len(found))
		if n >= sampleEnough || from == 0 || size >= widest {
			return float64(n) * float64(newest) / float64(newest-from), nil
		}
	}
}
