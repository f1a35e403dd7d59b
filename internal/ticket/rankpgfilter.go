package ticket

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/search"
)

// Filters with words on PostgreSQL (status:open refund, tag:billing erik).
// The walks used to test each walked row in SQL: the filters in a CASE over
// the ticket row (joined to each comment), a tag as a correlated EXISTS,
// planned by PostgreSQL per statement. At 1M tickets a tag with a word
// cost 172 ms of PostgreSQL per search against a floor of 1.5 ms
// (docs/benchmarks.md, 2026-12-05 14:02). Now each walk reads its matches'
// ids alone, newest first, as a walk without filters does (scanTextPG);
// the tickets they name are tested against the filters in one statement
// by primary key (t.id = ANY), and texts are read for the kept rows only.
// The rows counted as walked, the rows kept and their order are those of
// the walk tested row by row, so rankings and totals do not change
// (rank_test.go, ranktag_test.go and rankpgfilter_test.go compare both).

// tagCondProbe is tagCond as PostgreSQL runs it per row: a scalar
// subquery is never turned into a join or a hashed subplan.
const tagCondProbe = "(SELECT 1 FROM ticket_tags tt WHERE tt.ticket_id = t.id AND tt.tag = lower(?) LIMIT 1) IS NOT NULL"

// batchFilter tests tickets against a search's filters in batches (on
// PostgreSQL here, on SQLite in rankbatch.go), remembering each ticket's
// verdict for the rest of the search.
type batchFilter struct {
	s    *Service
	w    *where
	pass map[int64]bool
	// tags, when set (SQLite, filters of tags alone), tests the ids
	// against ticket_tags without reading their tickets.
	tags *passTest
	// set, when not nil (SQLite), holds every ticket passing the filters:
	// tickets are tested against it without SQL (rankbatch.go).
	set map[int64]bool
}

func (s *Service) newBatchFilter(w *where) *batchFilter {
	return &batchFilter{s: s, w: w, pass: map[int64]bool{}}
}

// test reads the verdicts of the tickets not yet tested.
func (f *batchFilter) test(ctx context.Context, ids []int64) error {
	var todo []int64
	for _, id := range ids {
		if _, ok := f.pass[id]; !ok {
			f.pass[id] = false
			todo = append(todo, id)
		}
	}
	if len(todo) == 0 {
		return nil
	}
	if f.set != nil {
		for _, id := range todo {
			f.pass[id] = f.set[id]
		}
		return nil
	}
	// A tag as a scalar subquery: one probe of ticket_tags per ticket. As
	// an EXISTS the planner joins the tag's whole posting (39,260 entries
	// of ticket_tags_tag at 200,000 tickets, a merge join of 24–30 ms)
	// for a few hundred ids.
	cond := strings.ReplaceAll(strings.Join(f.w.conds, " AND "), tagCond, tagCondProbe)
	q, args := `SELECT t.id FROM tickets t WHERE t.id = ANY(CAST(? AS BIGINT[])) AND `+cond, append([]any{todo}, f.w.args...)
	switch {
	case f.s.db.Dialect() != db.SQLite:
	case f.tags != nil:
		// SQLite's correlated EXISTS is a probe of ticket_tags' key per
		// id already; the ids need no ticket row.
		q, args = `SELECT value FROM json_each(?) WHERE `+f.tags.in("value"), append([]any{idList(todo)}, f.tags.args...)
	default:
		// CROSS JOIN keeps the ids the outer loop, each a seek by rowid:
		// given the choice, SQLite read a common status's whole index
		// and tested each entry against the ids.
		q, args = `SELECT t.id FROM json_each(?) j CROSS JOIN tickets t ON t.id = j.value WHERE `+strings.Join(f.w.conds, " AND "),
			append([]any{idList(todo)}, f.w.args...)
	}
	err := f.s.scan(ctx, q, args, func(sc scanner) (bool, error) {
		var id int64
		if err := sc.Scan(&id); err != nil {
			return false, err
		}
		f.pass[id] = true
		return true, nil
	})
	if err != nil {
		return fmt.Errorf("ticket: search filter: %w", err)
	}
	return nil
}

// replay is a filtered walk's callback over rows already read: rows are
// counted newest first and those whose ticket passed kept, until bound are
// kept. seen, when not nil, records the walk as the sample reads it.
func (f *batchFilter) replay(rows []walkedRow, bound int, seen *walked) (kept []walkedRow, walkedRows int) {
	for _, r := range rows {
		walkedRows++
		if seen != nil {
			seen.last = r.row
		}
		if f.pass[r.ticket] {
			kept = append(kept, r)
			if seen != nil {
				seen.add(r.row, r.ticket)
			}
			if len(kept) >= bound {
				break
			}
		}
	}
	return kept, walkedRows
}

// walkPG walks table's matches (ids and tickets) newest first, at most
// walk, testing their tickets when the window is read (scanTextPG's
// settle) and at the end; it returns the rows walked and kept as the walk
// tested row by row would have.
func (f *batchFilter) walkPG(ctx context.Context, table, a, sel string, tq textQuery, bound, walk int, seen *walked) ([]walkedRow, int, error) {
	var read []walkedRow
	tickets := func() []int64 {
		ids := make([]int64, len(read))
		for i, r := range read {
			ids[i] = r.ticket
		}
		return ids
	}
	settle := func() (bool, error) {
		if err := f.test(ctx, tickets()); err != nil {
			return false, err
		}
		kept, _ := f.replay(read, bound, nil)
		return len(kept) < bound, nil
	}
	err := f.s.scanTextPGSettle(ctx, table, a, sel, nil, tq, walk, func(sc scanner) (bool, error) {
		var r walkedRow
		if err := sc.Scan(&r.row, &r.ticket); err != nil {
			return false, err
		}
		read = append(read, r)
		return true, nil
	}, settle)
	if err != nil {
		return nil, 0, err
	}
	if err := f.test(ctx, tickets()); err != nil {
		return nil, 0, err
	}
	kept, rows := f.replay(read, bound, seen)
	return kept, rows, nil
}

// gatherPGFiltered is gather on PostgreSQL for a query with filters and
// words.
func (s *Service) gatherPGFiltered(ctx context.Context, c *candidates, w *where, tq textQuery, bound, walk int,
	blend func(float64, int64) float64, estimate func(string, bool, int64, float64) error) (*candidates, error) {
	s.pgFilterRuns.Add(1)
	f := s.newBatchFilter(w)
	var seen walkedPair
	kept, rows, err := f.walkPG(ctx, "tickets", "t", `SELECT t.id, t.id FROM tickets t`, tq, bound, walk, &seen.subjects)
	if err != nil {
		return nil, err
	}
	textCut := len(kept) >= bound || rows >= walk
	seen.subjects.done = !textCut
	if len(kept) > 0 {
		err := s.scan(ctx, `SELECT id, subject, updated_at FROM tickets WHERE id = ANY(CAST(? AS BIGINT[]))`, []any{rowIDs(kept)}, func(sc scanner) (bool, error) {
			var id, updated int64
			var subject string
			if err := sc.Scan(&id, &subject, &updated); err != nil {
				return false, err
			}
			c.add(id, blend(search.SubjectWeight*tq.rel.Score(subject, search.AvgSubjectLen), updated))
			return true, nil
		})
		if err != nil {
			return nil, err
		}
	}
	kept, rows, err = f.walkPG(ctx, "comments", "c", `SELECT c.id, c.ticket_id FROM comments c`, tq, bound, walk, &seen.comments)
	if err != nil {
		return nil, err
	}
	if len(kept) > 0 {
		q := `SELECT ticket_id, substr(body, 1, ` + strconv.Itoa(commentPrefix) + `), created_at FROM comments WHERE id = ANY(CAST(? AS BIGINT[]))`
		err := s.scan(ctx, q, []any{rowIDs(kept)}, func(sc scanner) (bool, error) {
			var tid, at int64
			var text string
			if err := sc.Scan(&tid, &text, &at); err != nil {
				return false, err
			}
			c.add(tid, blend(tq.rel.Score(text, search.AvgCommentLen), at))
			return true, nil
		})
		if err != nil {
			return nil, err
		}
	}
	seen.comments.done = len(kept) < bound && rows < walk
	if textCut || !seen.comments.done {
		est, err := s.sampleText(ctx, w, tq, passTest{batch: f}, &seen)
		if err != nil {
			return nil, err
		}
		c.estimated, c.estimate = true, max(c.estimate, est)
	}
	return s.gatherLookupsPG(ctx, c, f, tq, bound, walk, blend, estimate)
}

// gatherLookupsPG is gatherLookups on PostgreSQL, with the filters, if
// any (f not nil), tested in one batch: each lookup reads its newest walk
// tickets' ids alone, from the index on (requester_id, id) or
// (organization_id, …) without the table, keeps those that pass, newest
// first, up to bound, and reads the last update of the kept ones only.
// Reading updated_at with the ids made PostgreSQL fetch every named
// customer's ticket from the table and sort them, or walk the primary key
// backwards testing each ticket: 48–133 ms for the 2,400 tickets of the
// customers named "erik" at 200,000 tickets, against 0.9 ms for the ids.
func (s *Service) gatherLookupsPG(ctx context.Context, c *candidates, f *batchFilter, tq textQuery, bound, walk int,
	blend func(float64, int64) float64, estimate func(string, bool, int64, float64) error) (*candidates, error) {
	for _, src := range s.lookupSources(tq) {
		cond, cargs := src.cond("t.")
		var read []walkedRow
		err := s.scan(ctx, `SELECT t.id FROM tickets t WHERE `+cond+` ORDER BY t.id DESC LIMIT ?`, append(slices.Clip(cargs), walk),
			func(sc scanner) (bool, error) {
				var id int64
				if err := sc.Scan(&id); err != nil {
					return false, err
				}
				read = append(read, walkedRow{id, id})
				return true, nil
			})
		if err != nil {
			return nil, err
		}
		kept, rows := read, len(read)
		if f != nil {
			if err := f.test(ctx, rowIDs(read)); err != nil {
				return nil, err
			}
			kept, rows = f.replay(read, bound, nil)
		} else if len(kept) > bound {
			kept, rows = kept[:bound], bound
		}
		if len(kept) > 0 {
			err := s.scan(ctx, `SELECT id, updated_at FROM tickets WHERE id = ANY(CAST(? AS BIGINT[]))`, []any{rowIDs(kept)}, func(sc scanner) (bool, error) {
				var id, at int64
				if err := sc.Scan(&id, &at); err != nil {
					return false, err
				}
				c.add(id, blend(lookupScore[src.score], at))
				return true, nil
			})
			if err != nil {
				return nil, err
			}
		}
		last := int64(0)
		if rows > 0 {
			last = read[rows-1].row
		}
		if err := estimate("tickets", len(kept) >= bound || rows >= walk, last, float64(len(kept))); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// rowIDs are the rows' own ids.
func rowIDs(rows []walkedRow) []int64 {
	ids := make([]int64, len(rows))
	for i, r := range rows {
		ids[i] = r.row
	}
	return ids
}
