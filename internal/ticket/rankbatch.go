package ticket

import (
	"context"
	"fmt"
	"slices"
	"strings"
)

// Filters with words on SQLite when the filter side does not apply (the
// filters pass more than filterSideMax tickets: status:open at 1M, a common
// tag). The walks used to test each walked row in SQL: the subject walk
// joined each match to its ticket row and read its subject, the comment
// walk joined each comment to its ticket, and each lookup tested its
// tickets the same way — a ticket seek per row, several per ticket (its
// subject, its comments and a lookup name the same recent tickets). Now,
// as on PostgreSQL (rankpgfilter.go), each walk reads ids alone — the
// subject walk the full-text index, the comment walk the comment row for
// its ticket, a lookup the index — and their tickets are tested in
// batches, newest first, each ticket once per search; texts and times are
// read for the kept rows only. The rows walked and kept, and their order,
// are those of the row-by-row test, so rankings and totals do not change
// (rank_test.go, ranktag_test.go and rankbatch_test.go compare both).

// A filter SQLite reaches by index (a status, an assignee, a team) that
// passes more tickets than the filter side takes but at most batchSetMax
// (status:open at 1M: 2,750) is read first as the set of its tickets' ids,
// from the index alone, as one string: ≈ 0.1 µs an id in SQLite against a
// seek into tickets for each ticket the walks test. Beyond it a status is
// tested by probes of tickets_status_id (sqliteTest): 20,680 open tickets
// at 1M read as a set cost more than the probes (docs/benchmarks.md,
// 2026-12-07 11:40). Tags alone are tested by probes of ticket_tags_tag
// (their ids in tagCondIn's form would each be a seek into tickets).
const defaultBatchSetMax = 16000

// passingSet returns the ids of every ticket passing w's filters when
// SQLite reaches them by index and there are at most batchSetMax; nil
// otherwise.
func (s *Service) passingSet(ctx context.Context, w *where) (*idSet, error) {
	limit := int(s.batchSetMax.Load())
	if limit <= 0 {
		return nil, nil
	}
	where := strings.Join(w.conds, " AND ")
	if strings.Contains(where, "_fts") {
		// A negated word or a subject: term would read every match of
		// its text to build the set.
		return nil, nil
	}
	where = strings.ReplaceAll(where, tagCond, tagCondIn)
	q := `SELECT t.id FROM tickets t WHERE ` + where
	if indexed, err := s.filterIndexed(ctx, q, w.args); err != nil || !indexed {
		return nil, err
	}
	key := fmt.Sprint("set ", limit, q, w.args)
	if s.tooMany.recent(key) {
		return nil, nil
	}
	ids, err := s.filterIDs(ctx, where, w.args, limit)
	if err != nil {
		return nil, err
	}
	if ids == nil {
		s.tooMany.remember(key)
		return nil, nil
	}
	return newIDSet(ids), nil
}

// idSet is a set of ticket ids as one bit per id from the least to the
// greatest: a status's 8,600 tickets at 1M fill 125 KB of bits, set and
// tested without hashing, where a map of them cost a tenth of a
// `status:open <word>` search to build.
type idSet struct {
	least int64
	bits  []uint64
}

func newIDSet(ids []int64) *idSet {
	if len(ids) == 0 {
		return &idSet{}
	}
	least, greatest := slices.Min(ids), slices.Max(ids)
	set := &idSet{least: least, bits: make([]uint64, (greatest-least)/64+1)}
	for _, id := range ids {
		i := id - least
		set.bits[i/64] |= 1 << (i % 64)
	}
	return set
}

// has reports whether id is in the set.
func (set *idSet) has(id int64) bool {
	i := id - set.least
	return i >= 0 && i/64 < int64(len(set.bits)) && set.bits[i/64]&(1<<(i%64)) != 0
}

// keep tests the tickets of rows (a walk's rows, newest first) in chunks
// until bound of them passed or all are tested, and returns what the walk
// tested row by row would have kept and walked. The first chunk holds bound
// rows; each next one as many more as the pass rate so far says the rest of
// the bound needs, and a quarter: a filter most tickets pass is tested on
// little more than the rows it keeps, a selective one in two or three
// statements.
func (f *batchFilter) keep(ctx context.Context, rows []walkedRow, bound int, seen *walked) ([]walkedRow, int, error) {
	tested, chunk := 0, bound
	for tested < len(rows) {
		end := min(len(rows), tested+max(chunk, 64))
		ids := make([]int64, 0, end-tested)
		for _, r := range rows[tested:end] {
			ids = append(ids, r.ticket)
		}
		if err := f.test(ctx, ids); err != nil {
			return nil, 0, err
		}
		tested = end
		kept, _ := f.replay(rows[:tested], bound, nil)
		if len(kept) >= bound {
			break
		}
		chunk = len(rows) - tested
		if len(kept) > 0 {
			chunk = min(chunk, int(float64(bound-len(kept))*float64(tested)/float64(len(kept))*1.25)+1)
		}
	}
	kept, walkedRows := f.replay(rows[:tested], bound, seen)
	return kept, walkedRows, nil
}

// gatherBatch is gather on SQLite for a query with filters and words when
// the filter side does not apply. The lookups go first: when the tickets
// the text names that pass the filters fill need ranks, the walks are not
// read (lookupsfiltered.go).
func (s *Service) gatherBatch(ctx context.Context, c *candidates, w *where, tq textQuery, bound, walk, need int,
	blend func(float64, int64) float64, estimate func(string, bool, int64, float64) error) (*candidates, error) {
	s.batchRuns.Add(1)
	f := s.newBatchFilter(w)
	if pass, ok := s.tagTest(w); ok {
		f.tags = &pass
	} else {
		set, err := s.passingSet(ctx, w)
		if err != nil {
			return nil, err
		}
		if set != nil {
			f.set = set
			s.batchSetRuns.Add(1)
		}
	}
	lookedUp := s.filteredLookupsFirstOK(tq, need)
	if lookedUp {
		if _, err := s.gatherLookupsBatch(ctx, c, f, tq, bound, walk, need, blend, estimate); err != nil {
			return nil, err
		}
		if done, err := s.filteredLookupsDone(ctx, c, w, tq, f, need); err != nil || done {
			return c, err
		}
	}
	var seen walkedPair
	// Subjects: the full-text index alone (a subject's rowid is its
	// ticket).
	var rows []walkedRow
	from, rest, fromArgs, restArgs := s.subjectMatches(tq, walk)
	err := s.scan(ctx, `SELECT ticket_fts.rowid FROM `+from+` `+rest, append(fromArgs, restArgs...),
		func(sc scanner) (bool, error) {
			var id int64
			if err := sc.Scan(&id); err != nil {
				return false, err
			}
			rows = append(rows, walkedRow{id, id})
			return true, nil
		})
	if err != nil {
		return nil, err
	}
	kept, n, err := f.keep(ctx, rows, bound, &seen.subjects)
	if err != nil {
		return nil, err
	}
	textCut := len(kept) >= bound || n >= walk
	seen.subjects.done = !textCut
	if err := s.scoreKept(ctx, c, kept, false, tq, blend); err != nil {
		return nil, err
	}
	// Comments: the comment row for its ticket.
	rows, err = s.commentRowsBatch(ctx, f, tq, bound, walk)
	if err != nil {
		return nil, err
	}
	kept, n, err = f.keep(ctx, rows, bound, &seen.comments)
	if err != nil {
		return nil, err
	}
	if err := s.scoreKept(ctx, c, kept, true, tq, blend); err != nil {
		return nil, err
	}
	seen.comments.done = len(kept) < bound && n < walk
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
	return s.gatherLookupsBatch(ctx, c, f, tq, bound, walk, 0, blend, estimate)
}

// commentRowsBatch reads the comment walk's rows (comment, ticket), newest
// first, at most walk, and stops reading once bound of them pass: a first
// read of twice the bound, then the rest below it. A query of several
// tokens is read at once (a rowid bound does not bound its walk, rankfew.go),
// or by id when its matches are few.
func (s *Service) commentRowsBatch(ctx context.Context, f *batchFilter, tq textQuery, bound, walk int) ([]walkedRow, error) {
	var rows []walkedRow
	add := func(sc scanner) (bool, error) {
		var r walkedRow
		if err := sc.Scan(&r.row, &r.ticket); err != nil {
			return false, err
		}
		rows = append(rows, r)
		return true, nil
	}
	few, isFew, err := s.fewComments(ctx, tq, walk)
	if err != nil {
		return nil, err
	}
	if isFew {
		if len(few) == 0 {
			return nil, nil
		}
		err := s.scan(ctx, `SELECT id, ticket_id FROM `+s.commentTickets("")+` WHERE id IN (SELECT value FROM json_each(?)) ORDER BY id DESC`, []any{idList(few)}, add)
		return rows, err
	}
	first := walk
	if len(tq.tokens) < 2 {
		first = min(walk, 2*bound)
	}
	err = s.scan(ctx, `SELECT c.id, c.ticket_id FROM comment_fts JOIN `+s.commentTickets("c")+` ON c.id = comment_fts.rowid
		WHERE comment_fts MATCH ? ORDER BY comment_fts.rowid DESC LIMIT ?`, []any{tq.fts, first}, add)
	if err != nil || len(rows) < first || first >= walk {
		return rows, err
	}
	kept, _, err := f.keep(ctx, rows, bound, nil)
	if err != nil || len(kept) >= bound {
		return rows, err
	}
	err = s.scan(ctx, `SELECT c.id, c.ticket_id FROM comment_fts JOIN `+s.commentTickets("c")+` ON c.id = comment_fts.rowid
		WHERE comment_fts MATCH ? AND comment_fts.rowid < ? ORDER BY comment_fts.rowid DESC LIMIT ?`,
		[]any{tq.fts, rows[len(rows)-1].row, walk - len(rows)}, add)
	return rows, err
}

// gatherLookupsBatch is gatherLookups with the filters tested in batches:
// each lookup reads its newest walk tickets' ids from the index (within
// lookupNewest's windows), with their last updates, and keeps the bound
// that pass and rank best, testing a full window only as far as a page's
// need ranks require when need is above 0 (lookupbest.go).
func (s *Service) gatherLookupsBatch(ctx context.Context, c *candidates, f *batchFilter, tq textQuery, bound, walk, need int,
	blend func(float64, int64) float64, estimate func(string, bool, int64, float64) error) (*candidates, error) {
	for _, src := range s.lookupSources(tq) {
		cond, cargs := src.cond("t.")
		newest, err := s.lookupNewest(ctx, src, cond, cargs, walk)
		if err != nil {
			return nil, err
		}
		rows := make([]walkedRow, len(newest))
		for i, r := range newest {
			rows[i] = walkedRow{r.id, r.id}
		}
		updated := newestUpdated(newest)
		score := func(id int64) float64 { return blend(lookupScore[src.score], updated[id]) }
		k, err := s.keepLookup(ctx, c, f, rows, score, bound, walk, need)
		if err != nil {
			return nil, err
		}
		if err := estimate("tickets", k.cut, k.last, k.found); err != nil {
			return nil, err
		}
	}
	return c, nil
}
