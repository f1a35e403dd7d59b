package ticket

import (
	"context"
	"database/sql"
	"fmt"
	"slices"

	"github.com/ombud/ombud/internal/db"
)

// readPage reads a page of tickets in one statement. The inner query picks
// the page's ids in order — on the usual filters from an index alone (the
// list of open and pending tickets walks tickets_status_updated and never
// reads a table row it does not keep) — and the outer one reads each kept
// row once with its tags, followers and requester (readCols), where a page
// took four statements (the rows, tags, followers, requesters) and read the
// table row of every candidate the sort looked at. The outer query has no
// ORDER BY: the rows are put in the page's order here, by the same key and
// the id as tie-breaker.
func (s *Service) readPage(ctx context.Context, w *where, col, dir string, key func(Ticket) int64, limit int) ([]Ticket, error) {
	ids := `SELECT t.id FROM tickets t` + w.sql() + ` ORDER BY ` + col + ` ` + dir + `, t.id ` + dir + ` LIMIT ?`
	var ts []Ticket
	var err error
	if s.db.Dialect() == db.Postgres && !s.onePGPage.Load() {
		ts, err = s.readPagePG(ctx, ids, append(w.args, limit))
	} else {
		q := `SELECT ` + readCols(s.db.Dialect()) + ` FROM tickets t WHERE t.id IN (` + ids + `)`
		if s.db.Dialect() == db.SQLite {
			// The ids as a co-routine the ticket rows are read along: the
			// IN list was an ephemeral B-tree the page's ids were inserted
			// into and read back from (≈ 4 % of a page's CPU).
			q = `WITH page AS NOT MATERIALIZED (` + ids + `) SELECT ` + readCols(db.SQLite) + ` FROM page CROSS JOIN tickets t ON t.id = page.id`
		}
		ts, err = s.readTickets(ctx, "list", q, append(w.args, limit), limit)
	}
	if err != nil {
		return nil, err
	}
	desc := dir == "DESC"
	slices.SortFunc(ts, func(a, b Ticket) int {
		c := cmpInt(key(a), key(b))
		if c == 0 {
			c = cmpInt(a.ID, b.ID)
		}
		if desc {
			return -c
		}
		return c
	})
	return ts, nil
}

// readPagePG is readPage's read on PostgreSQL, in two statements: the
// page's ids, planned for the filters' values (a status's or a tag's share
// decides between indexes), then their rows by readByID, whose one
// generic plan reads them by primary key. As one statement the whole page
// was planned on every call, the rows' four subqueries (tags, followers,
// requester name and email) with it: 0.38–0.40 ms of planning against
// 0.16 for the ids alone at 1M tickets (`status:open tag:billing`, psql),
// about as much as running it.
func (s *Service) readPagePG(ctx context.Context, ids string, args []any) ([]Ticket, error) {
	page, err := queryIDs(ctx, s.db, "list", ids, args)
	if err != nil {
		return nil, err
	}
	return s.readByID(ctx, "list", page)
}

// idSource is what queryIDs reads from: the pool or a transaction.
type idSource interface {
	QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error)
}

// queryIDs runs q, a query of ids, on from and returns them in its order;
// what names the read in its errors.
func queryIDs(ctx context.Context, from idSource, what, q string, args []any) ([]int64, error) {
	rows, err := from.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("ticket: %s: %w", what, err)
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("ticket: %s: scan: %w", what, err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("ticket: %s: %w", what, err)
	}
	return ids, nil
}

// readTickets runs q, a statement of readCols, and scans its rows; what
// names the read in its errors ("list", "search page"), n is how many
// rows to expect.
func (s *Service) readTickets(ctx context.Context, what, q string, args []any, n int) ([]Ticket, error) {
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("ticket: %s: %w", what, err)
	}
	defer rows.Close()
	ts := make([]Ticket, 0, n)
	sc := newReadScanner(s.db.Dialect(), n)
	for rows.Next() {
		t, err := sc.scan(rows)
		if err != nil {
			return nil, fmt.Errorf("ticket: %s: scan: %w", what, err)
		}
		ts = append(ts, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("ticket: %s: %w", what, err)
	}
	return ts, nil
}
