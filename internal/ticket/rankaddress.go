package ticket

import (
	"context"
	"fmt"
	"slices"

	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/search"
)

// A search for one email address ("ola.nordmann@example.no") finds the
// customer it belongs to (textsearch.go) and the subjects and comments
// that mention it. A mention is the address itself, written anywhere in
// the text (case aside; the part of a comment that is scored,
// commentPrefix): the tokens it is made of, written apart ("ola nordmann
// example no"), name no one and are no mention, on both engines.
//
// On SQLite the mentions are read from text_addresses (migration 0100,
// internal/db/addresses.go), newest first, instead of walking FTS5's
// doclists for a phrase of five or six common tokens (≈ 16 ms of CPU at
// 1M tickets however few texts hold it); their totals are counted from
// it too. PostgreSQL walks its text index as before (its parser reads an
// address as one token, so its walk already found little else) and drops
// the rows that do not hold the address. Filtered searches and views keep
// the full-text match. A comment's address past commentPrefix is counted
// in the total on SQLite but not ranked, as on PostgreSQL.

// emailAddress returns the query's address when its whole text is one
// address as the index reads them, else "".
func emailAddress(q search.Query, l search.Lookup) string {
	if l.Email == "" || len(q.Words)+len(q.Phrases) != 1 || !db.IsTextAddress(q.Text()) {
		return ""
	}
	return l.Email
}

// mentions reports whether text holds the address (an address search's
// test of a walked row; true for any row of other searches).
func (tq textQuery) mentions(text string) bool {
	if tq.address == "" {
		return true
	}
	return slices.Contains(db.TextAddresses(text), tq.address)
}

// addressIndex reports whether an address search may read its mentions
// from text_addresses: on SQLite, unfiltered, once the index holds every
// text (its fill after migration 0100 is done).
func (s *Service) addressIndex(ctx context.Context, w *where, tq textQuery) (bool, error) {
	if tq.address == "" || s.db.Dialect() != db.SQLite || len(w.conds) > 0 || s.noAddressIndex.Load() {
		return false, nil
	}
	if s.addressesFilled.Load() {
		return true, nil
	}
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM text_address_fill`).Scan(&n); err != nil {
		return false, fmt.Errorf("ticket: search address index: %w", err)
	}
	if n > 0 {
		return false, nil
	}
	s.addressesFilled.Store(true)
	return true, nil
}

// The walks of an address search on SQLite: the newest mentions from the
// index, with the columns the text walks read (rank.go's subject and
// comment rows; every row passes, there being no filters).
const (
	addressSubjects = `SELECT t.id, 1, t.subject, t.updated_at FROM text_addresses a JOIN tickets t ON t.id = a.id
		WHERE a.address = ? AND a.tbl = 1 ORDER BY a.id DESC LIMIT ?`
	addressComments = `SELECT c.id, 1, c.ticket_id, substr(c.body, 1, ?), c.created_at FROM text_addresses a
		JOIN comments c ON c.id = a.id WHERE a.address = ? AND a.tbl = 2 ORDER BY a.id DESC LIMIT ?`
)

// sampleAddress estimates how many tickets mention the address, leaving
// out those in skip, as sampleText estimates a text's: counted exactly
// among the newest tickets (the sample growing fourfold from sampleFirst
// until it holds sampleEnough or reaches the widest) and scaled to all.
// Each round is two range reads of the index. With skip (the lookups'
// tickets, ranklookups.go) the last round is the widest sample, as
// sampleMentions counts it; without, it may pass it, as sampleText's.
func (s *Service) sampleAddress(ctx context.Context, tq textQuery, skip map[int64]float64) (float64, error) {
	var newest int64
	if err := s.db.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) FROM tickets`).Scan(&newest); err != nil {
		return 0, fmt.Errorf("ticket: search address estimate: %w", err)
	}
	first, widest := s.sampleSizes()
	for size := first; ; size *= 4 {
		from := max(newest-size, 0) // tickets after from are the sample
		if skip != nil {
			from = max(newest-min(size, widest), 0)
		}
		if newest == from {
			return 0, nil
		}
		var firstComment int64
		if err := s.db.QueryRowContext(ctx, `SELECT COALESCE(MIN(id), 0) FROM comments WHERE ticket_id = ?`, from+1).Scan(&firstComment); err != nil {
			return 0, fmt.Errorf("ticket: search address estimate: %w", err)
		}
		found := map[int64]bool{}
		err := s.scan(ctx, `SELECT id FROM text_addresses WHERE address = ? AND tbl = 1 AND id > ?
			UNION SELECT c.ticket_id FROM text_addresses a JOIN `+s.commentTickets("c")+` ON c.id = a.id
			WHERE a.address = ? AND a.tbl = 2 AND a.id >= ? AND c.ticket_id > ?`,
			[]any{tq.address, from, tq.address, firstComment, from}, func(sc scanner) (bool, error) {
				var id int64
				if err := sc.Scan(&id); err != nil {
					return false, err
				}
				if _, ok := skip[id]; !ok {
					found[id] = true
				}
				return true, nil
			})
		if err != nil {
			return 0, err
		}
		n := len(found)
		if n >= sampleEnough || from == 0 || size >= widest {
			return float64(n) * float64(newest) / float64(newest-from), nil
		}
	}
}

// sampleAddressWalked is sampleAddress without the index (PostgreSQL, or
// SQLite before the fill is done): the sample's rows that match the
// address as a phrase are read with their texts and tested in Go.
func (s *Service) sampleAddressWalked(ctx context.Context, tq textQuery) (float64, error) {
	var newest int64
	if err := s.db.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) FROM tickets`).Scan(&newest); err != nil {
		return 0, fmt.Errorf("ticket: search address estimate: %w", err)
	}
	q := `SELECT id, subject FROM tickets WHERE id IN (SELECT rowid FROM ticket_fts WHERE ticket_fts MATCH ?) AND id > ?
		UNION ALL SELECT ticket_id, substr(body, 1, ?) FROM comments WHERE id IN (SELECT rowid FROM comment_fts WHERE comment_fts MATCH ?)
		AND id >= ? AND ticket_id > ?`
	if s.db.Dialect() == db.Postgres {
		q = `SELECT id, subject FROM tickets WHERE search_vec @@ websearch_to_tsquery('simple', ?) AND id > ?
		UNION ALL SELECT ticket_id, substr(body, 1, ?) FROM comments WHERE search_vec @@ websearch_to_tsquery('simple', ?)
		AND id >= ? AND ticket_id > ?`
	}
	first, widest := s.sampleSizes()
	for size := first; ; size *= 4 {
		from := max(newest-size, 0)
		if newest == from {
			return 0, nil
		}
		var firstComment int64
		if err := s.db.QueryRowContext(ctx, `SELECT COALESCE(MIN(id), 0) FROM comments WHERE ticket_id = ?`, from+1).Scan(&firstComment); err != nil {
			return 0, fmt.Errorf("ticket: search address estimate: %w", err)
		}
		found := map[int64]bool{}
		err := s.scan(ctx, q, []any{tq.fts, from, commentPrefix, tq.fts, firstComment, from}, func(sc scanner) (bool, error) {
			var id int64
			var text string
			if err := sc.Scan(&id, &text); err != nil {
				return false, err
			}
			if tq.mentions(text) {
				found[id] = true
			}
			return true, nil
		})
		if err != nil {
			return 0, err
		}
		n := len(found)
		if n >= sampleEnough || from == 0 || size >= widest {
			return float64(n) * float64(newest) / float64(newest-from), nil
		}
	}
}
