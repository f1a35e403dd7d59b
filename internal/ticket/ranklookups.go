package ticket

import (
	"context"
	"fmt"

	"github.com/ombud/ombud/internal/db"
)

// A search whose text names someone — a customer's email address or
// phone (an identity), customers or organizations by name — ranks their
// tickets first (scores of 1e8 and up, far above any text score), then the
// tickets whose subjects or comments merely mention the text. On SQLite an
// email address is an FTS5 phrase of five or six tokens, most of them
// common ("example", a first name, a number), and finding the few rows
// where they meet costs FTS5 a walk of their doclists: ≈ 16 ms of CPU at
// 1M tickets, whether or not any row mentions the address.
//
// When the named tickets fill the page asked for, the mentions cannot
// change it: every one of them ranks below every named ticket, and a named
// ticket that is also mentioned keeps its lookup score. The text walks are
// then skipped, the page is ranked from the lookups alone (the same
// tickets in the same order as with the walks), and the total becomes an
// estimate: the lookups' tickets plus the mentions counted in a sample of
// the newest tickets and scaled to all (sampleMentions). Pages past the
// named tickets walk the text as before, so paging neither repeats nor
// skips a ticket.

// lookupsFirst gathers the lookups' tickets into c and reports whether
// they reach need, the ranks the page asked for covers. When they do, c's
// total is made an estimate that counts the mentions, and the text walks
// are not needed.
func (s *Service) lookupsFirst(ctx context.Context, c *candidates, w *where, tq textQuery, bound, need int,
	blend func(float64, int64) float64, estimate func(string, bool, int64, float64) error) (bool, error) {
	if _, err := s.gatherLookups(ctx, c, w, tq, "1", bound, bound, blend, estimate); err != nil {
		return false, err
	}
	// Every lookup's score (1e8 and up) outranks every text score
	// (below 6, recency included), so c holds the best len(c.hits).
	if len(c.hits) < need {
		return false, nil
	}
	mentions, err := s.sampleMentions(ctx, tq, c)
	if err != nil {
		return false, err
	}
	s.lookupsFirstRuns.Add(1)
	c.estimated = true
	c.estimate = max(c.estimate, float64(len(c.hits))) + mentions
	return true, nil
}

// lookupsFirstOK reports whether a search may rank its page from the
// lookups alone (lookupsFirst): on SQLite without filters. PostgreSQL's
// walks are planned per value (rankpg.go) and a filtered search tests
// its filter on the walked rows.
func (s *Service) lookupsFirstOK(w *where, tq textQuery, need int) bool {
	return !s.noLookupsFirst.Load() && s.db.Dialect() == db.SQLite && len(w.conds) == 0 && need > 0 &&
		len(tq.customers)+len(tq.named)+len(tq.orgs) > 0
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
