package ticket

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strconv"

	"github.com/ombud/ombud/internal/db"
)

// A lookup source (the customers a name names) finds the newest walk
// tickets of its customers by id. Read as one sorted list, that is every
// ticket of every named customer: a first name names up to maxNamed
// customers, ≈ 20,000 tickets at 1M, read from the index and sorted for
// the newest 300 (docs/benchmarks.md, search at 1M tickets). lookupNewest
// reads instead a window of the newest ids, one seek per customer into
// the requester index (requester_id, id; on PostgreSQL
// tickets_requester_id_updated, read per customer by lookupWindowPG),
// and, when the window holds
// fewer than walk of their tickets, the window below it, sized by how
// densely the first held them, until it has walk or has read every
// ticket. Each window is read once, for its ids: the windows used to be
// counted first, widening eightfold, and the last one read again (two or
// three statements of a seek per customer where the reads are one or
// two). The tickets found are the same newest walk by id, so rankings and
// totals are unchanged. On SQLite a window's rows are sorted in Go
// (readWindowSQLite).

// lookupWindowFirst is the first window, as a fraction of the ids;
// lookupWindowMin its least size in ids (Service.lookupWindow overrides it
// in the tests, whose corpus is smaller).
const (
	lookupWindowFirst = 32
	lookupWindowMin   = 1024
)

// newestRow is a ticket a lookup found and its last update, the recency
// it is ranked by.
type newestRow struct{ id, updated int64 }

// lookupNewest returns the newest walk tickets of src (cond with cargs,
// over tickets t), newest first, each with its last update: both from the
// index, which holds updated_at on both engines (SQLite's since migration
// 0103, PostgreSQL's since 0101). Sources of one id (an email's customer,
// a ticket number) and organizations read them in one statement: their
// tickets are few, or the windows are not theirs. On PostgreSQL a window
// is one descent per customer too, written out (lookupWindowPG).
func (s *Service) lookupNewest(ctx context.Context, src lookupSource, cond string, cargs []any, walk int) ([]newestRow, error) {
	var out []newestRow
	read := func(q string, prepared bool, args ...any) error {
		scan := s.scan
		if prepared {
			scan = s.scanArgs
		}
		return scan(ctx, q, args, func(sc scanner) (bool, error) {
			var r newestRow
			if err := sc.Scan(&r.id, &r.updated); err != nil {
				return false, err
			}
			if len(out) >= walk {
				return false, nil
			}
			out = append(out, r)
			return true, nil
		})
	}
	least := int64(lookupWindowMin)
	if s.lookupWindow != 0 {
		least = s.lookupWindow
	}
	if len(src.ids) < 2 || src.col != "requester_id" || least <= 0 {
		err := read(`SELECT t.id, t.updated_at FROM tickets t WHERE `+cond+` AND t.id > ? ORDER BY t.id DESC LIMIT ?`, false,
			append(slices.Clip(cargs), 0, walk)...)
		return out, err
	}
	newest, customers := src.tops.ticket, src.tops.customer
	if !src.tops.read {
		if err := s.db.QueryRowContext(ctx, `SELECT (SELECT COALESCE(MAX(id), 0) FROM tickets), (SELECT COALESCE(MAX(id), 0) FROM customers)`).Scan(&newest, &customers); err != nil {
			return nil, fmt.Errorf("ticket: search lookup: %w", err)
		}
	}
	// The index named: given t.id's range, the planner may walk the
	// primary key instead. The first window has no top, so a ticket
	// created since MAX(id) was read is found too.
	pg := s.db.Dialect() == db.Postgres
	var q string
	if pg {
		q = lookupWindowPG(walk)
	}
	top := int64(math.MaxInt64)
	span := max(newest/lookupWindowFirst, least)
	if !s.noLookupEstimate.Load() {
		span = max(span, firstLookupSpan(walk, len(src.ids), customers))
	}
	for {
		from := max(newest-span, 0)
		var err error
		if pg {
			err = read(q, true, src.ids, from, top)
		} else {
			err = s.readWindowSQLite(ctx, cond, cargs, from, top, walk, &out)
		}
		if err != nil {
			return nil, fmt.Errorf("ticket: search lookup: %w", err)
		}
		if len(out) >= walk || from == 0 {
			if from > 0 {
				s.lookupWindowRuns.Add(1)
			}
			return out, nil
		}
		s.lookupBelowRuns.Add(1)
		top, span = from, nextLookupSpan(newest-from, len(out), walk)
	}
}

// lookupWindowPG is a window of a name's lookup on PostgreSQL: each
// customer's newest tickets in the window, read backwards from
// tickets_requester_id_updated (requester_id, id) INCLUDE (updated_at),
// one descent each. As `requester_id IN (…)` the planner walked the primary
// key backwards testing every ticket against the list, all the way down
// to the walk's last match (a first name's 1,200 tickets with a filter at
// 1M: 5.5 ms, against 1.2 ms for the window of 75,000 ids per customer).
// Prepared: the statement has one plan whatever the customers and the
// bounds; the LIMIT, written in, is the walk (a window reads no more than
// the walk wants, lookupNewest stops at it).
func lookupWindowPG(walk int) string {
	limit := strconv.Itoa(walk)
	return `SELECT x.id, x.updated_at FROM unnest(CAST(? AS BIGINT[])) r(rid) CROSS JOIN LATERAL (SELECT t.id, t.updated_at FROM tickets t
		WHERE t.requester_id = r.rid AND t.id > ? AND t.id <= ? ORDER BY t.id DESC LIMIT ` + limit + `) x ORDER BY x.id DESC LIMIT ` + limit
}

// firstLookupSpan is the span of newest ids that should hold walk tickets
// of named customers of customers, were tickets spread evenly over the
// customers and the years (each customer's share of the ids 1/customers),
// and a quarter more. A window too small costs another seek per customer
// (at 1M, a name of 500 customers with a filter: two windows of 500 seeks
// where one of 75,000 ids reads the same 1,200 tickets in half the time);
// one too large, index entries read and dropped by the LIMIT. The windows
// below it still follow when the customers' tickets are sparser.
func firstLookupSpan(walk, named int, customers int64) int64 {
	if named <= 0 || customers <= 0 {
		return 0
	}
	return int64(float64(walk) * float64(customers) / float64(named) * 1.25)
}

// lookupIDsOf is rows' ticket ids.
func lookupIDsOf(rows []newestRow) []int64 {
	ids := make([]int64, len(rows))
	for i, r := range rows {
		ids[i] = r.id
	}
	return ids
}

// newestUpdated is rows' last updates by ticket id.
func newestUpdated(rows []newestRow) map[int64]int64 {
	m := make(map[int64]int64, len(rows))
	for _, r := range rows {
		m[r.id] = r.updated
	}
	return m
}

// nextLookupSpan is the span of newest ids the next window reaches down
// to, when the newest span ids held found of the walk tickets a lookup
// wants: twice the span their density says walk needs, less what was
// read, and 2–8 times the span read (8 when none was found). A window too
// small costs another seek per customer; one too large only index
// entries read and dropped by the LIMIT.
func nextLookupSpan(span int64, found, walk int) int64 {
	if found <= 0 {
		return span * 8
	}
	need := float64(span) * float64(walk) / float64(found)
	return min(max(int64(2*need)-span, 2*span), 8*span)
}

// lookupWindowRead bounds the rows a window on SQLite reads unordered
// (readWindowSQLite), as a multiple of the tickets it wants.
const lookupWindowRead = 4

// readWindowSQLite appends to out the newest of the window (from, top] of
// the tickets cond names, until out holds walk. The window's rows are read
// from the index unordered and sorted here: SQLite reads them customer by
// customer, and its ORDER BY … LIMIT put each into a temporary B-tree, a
// third or more of the statement (a first name's 500 customers, 1,500 rows
// in the window at 1M tickets: docs/benchmarks.md, 2026-12-07 17:20).
// lookupNewest sizes a window to hold about a quarter more than it wants; a
// window that holds more than lookupWindowRead times as many (customers
// whose tickets crowd the newest ids) is read again sorted by SQLite, which
// keeps only the newest.
func (s *Service) readWindowSQLite(ctx context.Context, cond string, cargs []any, from, top int64, walk int, out *[]newestRow) error {
	want := walk - len(*out)
	q := `SELECT t.id, t.updated_at FROM tickets t INDEXED BY ` + db.RequesterIndex + ` WHERE ` + cond + ` AND t.id > ? AND t.id <= ?`
	args := append(slices.Clip(cargs), from, top)
	var rows []newestRow
	limit := lookupWindowRead * want // the rows read before the window counts as crowded
	add := func(sc scanner) (bool, error) {
		var r newestRow
		if err := sc.Scan(&r.id, &r.updated); err != nil {
			return false, err
		}
		rows = append(rows, r)
		return len(rows) <= limit, nil
	}
	if err := s.scan(ctx, q, args, add); err != nil {
		return err
	}
	if len(rows) > limit {
		s.lookupCrowdedRuns.Add(1)
		rows, limit = rows[:0], want
		if err := s.scan(ctx, q+` ORDER BY t.id DESC LIMIT ?`, append(args, want), add); err != nil {
			return err
		}
	}
	slices.SortFunc(rows, func(a, b newestRow) int { return cmpInt(b.id, a.id) })
	*out = append(*out, rows[:min(len(rows), want)]...)
	return nil
}
