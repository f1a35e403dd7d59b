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
// ids alone, newest first, as a walk without filters does (scanTextPGPair),
// and so does each lookup; the tickets they all name are tested against
// the filters in one statement (the newest as a range of ids, the rest by
// primary key; tags alone without the tickets table), and texts are read
// for the kept rows only. The rows counted as walked, the rows kept and
// their order are those of the walk tested row by row, so rankings and
// totals do not change (rank_test.go, ranktag_test.go and
// rankpgfilter_test.go compare both).

// tagProbe is tagCond as PostgreSQL runs it per row, for the ticket id
// col: a scalar subquery is never turned into a join or a hashed subplan.
func tagProbe(col string) string {
	return "(SELECT 1 FROM ticket_tags tt WHERE tt.ticket_id = " + col + " AND tt.tag = lower(?) LIMIT 1) IS NOT NULL"
}

// pgSpan bounds, per ticket, the span of ids that a batch test reads as
// one range (dense; on SQLite for tags alone): a walk's tickets, newest
// first, are dense in ids, and reading every ticket (or every entry of a
// tag in ticket_tags_tag) between the lowest and the highest costs a
// fraction of a page per row, against three or four pages for each probe
// by id.
const pgSpan = 8

// batchFilter tests tickets against a search's filters in batches (on
// PostgreSQL here, on SQLite in rankbatch.go), remembering each ticket's
// verdict for the rest of the search.
type batchFilter struct {
	s *Service
	w *where
	// pgTags is the tags asked for, when the filters are tags alone on
	// PostgreSQL (testTags); else 0.
	pgTags int
	pass   map[int64]bool
	// tags, when set (SQLite, filters of tags alone), tests the ids
	// against ticket_tags without reading their tickets.
	tags *passTest
	// set, when not nil (SQLite), holds every ticket passing the filters:
	// tickets are tested against it without SQL (rankbatch.go).
	set *idSet
	// shareKey names the filters for lookupShares, once built (key).
	shareKey string
}

func (s *Service) newBatchFilter(w *where) *batchFilter {
	f := &batchFilter{s: s, w: w, pass: map[int64]bool{}}
	if s.db.Dialect() == db.Postgres {
		if n := tagsAlone(w); n > 0 && n < 64 && !s.noPGTagTest.Load() {
			f.pgTags = n
		}
	}
	return f
}

// test reads the verdicts of the tickets not yet tested, in one
// statement: the newest of them, while they are dense (pgSpan), as a
// range of ids, the others (a lookup's, spread over the years) by id.
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
			f.pass[id] = f.set.has(id)
		}
		return nil
	}
	sqlite := f.s.db.Dialect() == db.SQLite
	if sqlite && (f.tags == nil || len(f.tags.args) >= 64) {
		return f.testSQLite(ctx, todo)
	}
	slices.Sort(todo)
	slices.Reverse(todo)
	k := f.denseRun(todo) // todo[:k] are read as a range
	if sqlite {
		// Tags alone: a walk's newest tickets from the tags' entries in
		// ticket_tags_tag, the rest by probe.
		if k > 0 {
			f.s.tagRanges.Add(1)
		}
		return f.testTags(ctx, todo, k)
	}
	f.s.pgFilterTests.Add(1)
	if k > 0 {
		f.s.pgRanges.Add(1)
	}
	if k < len(todo) {
		f.s.pgProbes.Add(1)
	}
	if f.pgTags > 0 {
		f.s.pgTagTests.Add(1)
		return f.testTags(ctx, todo, k)
	}
	// A tag as a scalar subquery: one probe of ticket_tags per ticket. As
	// an EXISTS the planner joins the tag's whole posting (39,260 entries
	// of ticket_tags_tag at 200,000 tickets, a merge join of 24–30 ms)
	// for a few hundred ids.
	cond := strings.ReplaceAll(strings.Join(f.w.conds, " AND "), tagCond, tagProbe("t.id"))
	var parts []string
	var args []any
	if k > 0 {
		parts = append(parts, `SELECT t.id FROM tickets t WHERE t.id BETWEEN ? AND ? AND `+cond)
		args = append(append(args, todo[k-1], todo[0]), f.w.args...)
	}
	if k < len(todo) {
		parts = append(parts, `SELECT t.id FROM tickets t WHERE t.id = ANY(CAST(? AS BIGINT[])) AND `+cond)
		args = append(append(args, todo[k:]), f.w.args...)
	}
	// A range's other tickets that pass are passing tickets too.
	return f.readPassing(ctx, strings.Join(parts, " UNION ALL "), args)
}

// denseRun returns how many of todo (newest first) are dense enough in
// ids (pgSpan, or the tests' span) to be read as one range.
func (f *batchFilter) denseRun(todo []int64) int {
	span := int64(pgSpan)
	if v := f.s.pgSpan.Load(); v != 0 {
		span = v
	}
	k := 0
	for i := range todo {
		if span > 0 && todo[0]-todo[i] < span*int64(i+1) {
			k = i + 1
		}
	}
	return k
}

// testSQLite is test on SQLite: the ids in a JSON array, each a seek.
func (f *batchFilter) testSQLite(ctx context.Context, todo []int64) error {
	q, args := f.sqliteTest(todo)
	return f.readPassing(ctx, q, args)
}

// sqliteTest is testSQLite's statement for the tickets todo. CROSS JOIN
// keeps the ids the outer loop, each a seek by rowid: given the choice,
// SQLite read a common status's whole index and tested each entry
// against the ids. With a status filter each id is first a probe of
// tickets_status_id (status, rowid), named (for two statuses or more
// SQLite chose the primary key), and only the tickets of those statuses
// are read from the table, for the other filters if any; a tag is a probe
// of ticket_tags_tag (tagProbeSQLite). Tags alone need no ticket row.
func (f *batchFilter) sqliteTest(todo []int64) (string, []any) {
	if f.tags != nil {
		return `SELECT value FROM json_each(?) WHERE ` + f.tags.in("value"), append([]any{idList(todo)}, f.tags.args...)
	}
	tickets := `tickets t`
	for _, c := range f.w.conds {
		if strings.HasPrefix(c, "(t.status IN (") { // termCond's status: term, not negated
			tickets = `tickets t INDEXED BY ` + db.StatusIndex
		}
	}
	cond := strings.ReplaceAll(strings.Join(f.w.conds, " AND "), tagCond, tagProbeSQLite("t.id"))
	return `SELECT t.id FROM json_each(?) j CROSS JOIN ` + tickets + ` ON t.id = j.value WHERE ` + cond, append([]any{idList(todo)}, f.w.args...)
}

// readPassing marks the ticket ids q answers as passing.
func (f *batchFilter) readPassing(ctx context.Context, q string, args []any) error {
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

// testTags is test for tags alone, without the tickets table: todo[:k]
// by a range read of each tag's entries in ticket_tags_tag (index only),
// the rest by one probe of ticket_tags' primary key per ticket and tag.
// On SQLite a probe per walked ticket cost ≈ 1 µs of a tag plus a word's
// search at 1M, each a descent of the key, where a range's entries are
// read in order at a fraction of that.
func (f *batchFilter) testTags(ctx context.Context, todo []int64, k int) error {
	tags := f.pgTags
	if f.tags != nil {
		tags = len(f.tags.args)
	}
	var parts []string
	var args []any
	ranged := map[int64]uint64{} // todo[:k] → the tags found
	if k > 0 {
		for _, id := range todo[:k] {
			ranged[id] = 0
		}
		for i, tag := range f.w.args {
			parts = append(parts, `SELECT `+strconv.Itoa(i)+`, tt.ticket_id FROM ticket_tags tt WHERE tt.tag = lower(?) AND tt.ticket_id BETWEEN ? AND ?`)
			args = append(args, tag, todo[k-1], todo[0])
		}
	}
	switch {
	case k == len(todo):
	case f.tags != nil:
		parts = append(parts, `SELECT -1, value FROM json_each(?) WHERE `+f.tags.in("value"))
		args = append(append(args, idList(todo[k:])), f.tags.args...)
	default:
		probes := make([]string, tags)
		for i := range probes {
			probes[i] = tagProbe("x.id")
		}
		parts = append(parts, `SELECT -1, x.id FROM unnest(CAST(? AS BIGINT[])) AS x(id) WHERE `+strings.Join(probes, " AND "))
		args = append(append(args, todo[k:]), f.w.args...)
	}
	all := uint64(1)<<tags - 1
	err := f.s.scan(ctx, strings.Join(parts, " UNION ALL "), args, func(sc scanner) (bool, error) {
		var tag, id int64
		if err := sc.Scan(&tag, &id); err != nil {
			return false, err
		}
		if tag < 0 {
			f.pass[id] = true
			return true, nil
		}
		if found, ok := ranged[id]; ok {
			ranged[id] = found | 1<<tag
			f.pass[id] = ranged[id] == all
		}
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

// readPG reads the subjects' and the comments' matches (ids and tickets)
// newest first, at most walk of each (one statement when each walk is
// one: scanTextPGPair), testing a walk's tickets when its window is read
// (scanTextPGSettle's settle) to know whether to read on; the caller tests the
// rest.
func (f *batchFilter) readPG(ctx context.Context, tq textQuery, bound, walk int) (subjects, comments []walkedRow, err error) {
	var walks [2]pgWalk
	for i, read := range []*[]walkedRow{&subjects, &comments} {
		walks[i] = pgWalk{walk: walk,
			fn: func(sc scanner) (bool, error) {
				var r walkedRow
				if err := sc.Scan(&r.row, &r.ticket); err != nil {
					return false, err
				}
				*read = append(*read, r)
				return true, nil
			},
			settle: func() (bool, error) {
				if err := f.test(ctx, ticketIDs(*read)); err != nil {
					return false, err
				}
				kept, _ := f.replay(*read, bound, nil)
				return len(kept) < bound, nil
			}}
	}
	walks[0].table, walks[0].a, walks[0].cols, walks[0].from = "tickets", "t", `t.id, t.id`, `tickets t`
	walks[1].table, walks[1].a, walks[1].cols, walks[1].from = "comments", "c", `c.id, c.ticket_id`, `comments c`
	if err := f.s.scanTextPGPair(ctx, tq, walks); err != nil {
		return nil, nil, err
	}
	return subjects, comments, nil
}

// gatherPGFiltered is gather on PostgreSQL for a query with filters and
// words. The subject and comment walks and the lookups read ids first;
// the tickets they name are then tested in one statement (a ticket is
// never tested twice), and each is replayed as the walk tested row by
// row would have kept it. When the text names someone, the lookups are
// read, tested and kept first, and the walks not read if they fill need
// ranks (lookupsfiltered.go).
func (s *Service) gatherPGFiltered(ctx context.Context, c *candidates, w *where, tq textQuery, bound, walk, need int,
	blend func(float64, int64) float64, estimate func(string, bool, int64, float64) error) (*candidates, error) {
	s.pgFilterRuns.Add(1)
	f := s.newBatchFilter(w)
	lookedUp := s.filteredLookupsFirstOK(tq, need)
	var lookups []lookupRead
	if lookedUp {
		var err error
		if lookups, err = s.readLookupsPG(ctx, tq, walk); err != nil {
			return nil, err
		}
		if err := s.keepLookupsPG(ctx, c, f, lookups, bound, walk, need, blend, estimate); err != nil {
			return nil, err
		}
		if done, err := s.filteredLookupsDone(ctx, c, w, tq, f, need); err != nil || done {
			return c, err
		}
	}
	subjects, comments, err := f.readPG(ctx, tq, bound, walk)
	if err != nil {
		return nil, err
	}
	if !lookedUp {
		if lookups, err = s.readLookupsPG(ctx, tq, walk); err != nil {
			return nil, err
		}
	}
	all := append(ticketIDs(subjects), ticketIDs(comments)...)
	for _, l := range lookups {
		all = append(all, rowIDs(l.read)...)
	}
	if err := f.test(ctx, all); err != nil {
		return nil, err
	}
	var seen walkedPair
	kept, rows := f.replay(subjects, bound, &seen.subjects)
	textCut := len(kept) >= bound || rows >= walk
	seen.subjects.done = !textCut
	if err := s.scoreKept(ctx, c, kept, false, tq, blend); err != nil {
		return nil, err
	}
	kept, rows = f.replay(comments, bound, &seen.comments)
	if err := s.scoreKept(ctx, c, kept, true, tq, blend); err != nil {
		return nil, err
	}
	seen.comments.done = len(kept) < bound && rows < walk
	if textCut || !seen.comments.done {
		est, err := s.sampleText(ctx, c, w, tq, passTest{batch: f}, &seen)
		if err != nil {
			return nil, err
		}
		c.estimated, c.estimate = true, max(c.estimate, est)
	}
	if lookedUp {
		return c, nil
	}
	return c, s.keepLookupsPG(ctx, c, f, lookups, bound, walk, 0, blend, estimate)
}

// lookupRead is what one lookup read: its newest tickets, newest first.
type lookupRead struct {
	src  lookupSource
	read []walkedRow // row = ticket
	// at holds the tickets' last updates when they were read with the
	// ids (a requester lookup, from its covering index); else nil.
	at map[int64]int64
}

// readLookupsPG reads each lookup's newest walk tickets' ids alone, from
// the index on (requester_id, id) or (organization_id, …) without the
// table. Reading updated_at with the ids made PostgreSQL fetch every
// named customer's ticket from the table and sort them, or walk the
// primary key backwards testing each ticket: 48–133 ms for the 2,400
// tickets of the customers named "erik" at 200,000 tickets, against
// 0.9 ms for the ids. A requester lookup reads updated_at with the ids:
// tickets_requester_id_updated includes it (migration 0101), so it is
// still the index alone and keepLookupsPG reads no ticket by id.
func (s *Service) readLookupsPG(ctx context.Context, tq textQuery, walk int) ([]lookupRead, error) {
	var out []lookupRead
	for _, src := range s.lookupSources(tq) {
		l := lookupRead{src: src}
		if src.col == "id" && tq.numberRead {
			// The number's ticket came with the other lookups
			// (resolveLookupsPG).
			s.numberReads.Add(1)
			if n := tq.lookup.Number; tq.numberFound && walk > 0 {
				l.read, l.at = []walkedRow{{n, n}}, map[int64]int64{n: tq.numberAt}
			}
			out = append(out, l)
			continue
		}
		cond, cargs := src.cond("t.")
		if src.col == "requester_id" && !s.noLookupAt.Load() {
			// The ids and last updates from the index, a name's in
			// windows of the newest ids (lookupwindow.go).
			newest, err := s.lookupNewest(ctx, src, cond, cargs, walk)
			if err != nil {
				return nil, err
			}
			l.read, l.at = make([]walkedRow, len(newest)), make(map[int64]int64, len(newest))
			for i, r := range newest {
				l.read[i], l.at[r.id] = walkedRow{r.id, r.id}, r.updated
			}
			out = append(out, l)
			continue
		}
		// The ids alone: keepLookupsPG reads the kept tickets' last
		// updates by id.
		err := s.scan(ctx, `SELECT t.id FROM tickets t WHERE `+cond+` ORDER BY t.id DESC LIMIT ?`, append(slices.Clip(cargs), walk),
			func(sc scanner) (bool, error) {
				var id int64
				if err := sc.Scan(&id); err != nil {
					return false, err
				}
				l.read = append(l.read, walkedRow{id, id})
				return true, nil
			})
		if err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	return out, nil
}

// keepLookupsPG keeps each lookup's tickets: with filters (f not nil) the
// bound that pass and rank best (keepLookup, lookupbest.go); without, the
// newest bound, whose last updates are read for the kept ones only.
func (s *Service) keepLookupsPG(ctx context.Context, c *candidates, f *batchFilter, lookups []lookupRead, bound, walk, need int,
	blend func(float64, int64) float64, estimate func(string, bool, int64, float64) error) error {
	for _, l := range lookups {
		if f != nil {
			// The bound best that pass, a full window tested only as far
			// as a page's need ranks require (lookupbest.go). Without the
			// last updates (an organization's window), the window is
			// tested whole and those of the tickets that pass read by id.
			withAt := l.at != nil
			if !withAt {
				if err := f.test(ctx, rowIDs(l.read)); err != nil {
					return err
				}
				var passing []int64
				for _, r := range l.read {
					if f.pass[r.ticket] {
						passing = append(passing, r.ticket)
					}
				}
				var err error
				if l.at, err = s.updatedOf(ctx, passing); err != nil {
					return err
				}
			}
			score := func(id int64) float64 { return blend(lookupScore[l.src.score], l.at[id]) }
			k, err := s.keepLookup(ctx, c, f, l.read, score, bound, walk, need)
			if err != nil {
				return err
			}
			if len(k.kept) > 0 && withAt && l.src.col == "requester_id" {
				s.lookupAtRuns.Add(1)
			}
			if err := estimate("tickets", k.cut, k.last, k.found); err != nil {
				return err
			}
			continue
		}
		kept, rows := l.read, len(l.read)
		if len(kept) > bound {
			kept, rows = kept[:bound], bound
		}
		if len(kept) > 0 && l.at != nil {
			if l.src.col == "requester_id" {
				s.lookupAtRuns.Add(1)
			}
			for _, r := range kept {
				c.add(r.row, blend(lookupScore[l.src.score], l.at[r.row]))
			}
		} else if len(kept) > 0 {
			at, err := s.updatedOf(ctx, rowIDs(kept))
			if err != nil {
				return err
			}
			for id, updated := range at {
				c.add(id, blend(lookupScore[l.src.score], updated))
			}
		}
		last := int64(0)
		if rows > 0 {
			last = l.read[rows-1].row
		}
		if err := estimate("tickets", len(kept) >= bound || rows >= walk, last, float64(len(kept))); err != nil {
			return err
		}
	}
	return nil
}

// gatherLookupsPG is gatherLookups on PostgreSQL without filters: each
// lookup's ids from its index alone, then the kept tickets' last updates.
func (s *Service) gatherLookupsPG(ctx context.Context, c *candidates, tq textQuery, bound, walk int,
	blend func(float64, int64) float64, estimate func(string, bool, int64, float64) error) (*candidates, error) {
	lookups, err := s.readLookupsPG(ctx, tq, walk)
	if err != nil {
		return nil, err
	}
	return c, s.keepLookupsPG(ctx, c, nil, lookups, bound, walk, 0, blend, estimate)
}

// ticketIDs are the rows' tickets.
func ticketIDs(rows []walkedRow) []int64 {
	ids := make([]int64, len(rows))
	for i, r := range rows {
		ids[i] = r.ticket
	}
	return ids
}

// updatedOf reads the last update of the tickets ids.
func (s *Service) updatedOf(ctx context.Context, ids []int64) (map[int64]int64, error) {
	at := make(map[int64]int64, len(ids))
	if len(ids) == 0 {
		return at, nil
	}
	err := s.scanKeyed(ctx, `SELECT id, updated_at FROM tickets WHERE id = ANY(CAST(? AS BIGINT[]))`, []any{ids}, func(sc scanner) (bool, error) {
		var id, updated int64
		if err := sc.Scan(&id, &updated); err != nil {
			return false, err
		}
		at[id] = updated
		return true, nil
	})
	if err != nil {
		return nil, fmt.Errorf("ticket: search lookups: %w", err)
	}
	return at, nil
}

// rowIDs are the rows' own ids.
func rowIDs(rows []walkedRow) []int64 {
	ids := make([]int64, len(rows))
	for i, r := range rows {
		ids[i] = r.row
	}
	return ids
}

// scoreKept reads the texts of the kept subjects (comments false) or
// comments and adds their tickets to c with their text scores.
func (s *Service) scoreKept(ctx context.Context, c *candidates, kept []walkedRow, comments bool, tq textQuery,
	blend func(float64, int64) float64) error {
	if len(kept) == 0 {
		return nil
	}
	ids := `id = ANY(CAST(? AS BIGINT[]))`
	var arg any = rowIDs(kept)
	if s.db.Dialect() == db.SQLite {
		ids, arg = `id IN (SELECT value FROM json_each(?))`, idList(rowIDs(kept))
	}
	q, weight, avg := `SELECT id, subject, updated_at FROM tickets WHERE `+ids, float64(search.SubjectWeight), float64(search.AvgSubjectLen)
	if comments {
		q = `SELECT ticket_id, substr(body, 1, ` + strconv.Itoa(commentPrefix) + `), created_at FROM comments WHERE ` + ids
		weight, avg = 1, search.AvgCommentLen
	}
	err := s.scanKeyed(ctx, q, []any{arg}, func(sc scanner) (bool, error) {
		var id, at int64
		var text string
		if err := sc.Scan(&id, &text, &at); err != nil {
			return false, err
		}
		c.add(id, blend(weight*tq.rel.Score(text, avg), at))
		return true, nil
	})
	if err != nil {
		return fmt.Errorf("ticket: search texts: %w", err)
	}
	return nil
}
