package ticket

import (
	"context"
	"slices"
	"strings"

	"github.com/ombud/ombud/internal/db"
)

// A tag filter with words (tag:billing refund). A tag on more tickets than
// the filter side takes (filterSideMax: billing is on 19 % of the demo
// tickets) was tested per matched row in SQL, a correlated EXISTS: a seek
// into tickets and one into ticket_tags for each of up to walkFactor ×
// bound subject and comment matches — ≈ 9 ms at 30,000 tickets, the
// dearest query class (docs/benchmarks.md, 2026-12-05 00:00). When the
// filters are tags alone, each walk now tests the ticket id it already
// holds — the full-text rowid of a subject, a comment's ticket_id — with
// one probe of ticket_tags' primary key (ticket_id, tag) per tag, and
// reads no tickets row: the walks are the filter side's (rankfilter.go),
// the subject walk reads the full-text index alone, the comment walk the
// comment row, and texts are read for the kept rows only. (An IN list of
// the tag's tickets, built once per statement from ticket_tags_tag, was
// tried and cost more: 5,640 entries inserted into an ephemeral b-tree
// per walk, sample and lookup, against at most 1,200 probes.) The rows
// kept are those the EXISTS on the joined ticket keeps (the same tags on
// the same tickets), so ranking and totals are unchanged; rank_test.go
// compares both with the reference. A tag removed from a ticket leaves
// ticket_tags in the same transaction, so a search never finds a ticket
// by a tag it lost.

// passTest is how a filtered walk tests a ticket: against a set read
// beforehand (ids, filterSide) or in SQL (in, with args, tagSide).
type passTest struct {
	ids   map[int64]bool
	in    func(col string) string
	args  []any
	batch *batchFilter // tickets tested in batches (rankpgfilter.go, rankbatch.go)
	// except, with batch, reports the tickets sampleText does not count:
	// the lookups' own, when a page is ranked from them (lookupsfiltered.go).
	except func(id int64) bool
}

// passes reports whether the ticket passes: in is the SQL test's value
// for the row (1 when it passed), read when the test is in SQL.
func (p passTest) passes(ticket, in int64) bool {
	if p.in != nil {
		return in == 1
	}
	return p.ids[ticket]
}

// tagSide returns the SQL test of w's filters when they are tags alone
// (SQLite: PostgreSQL plans the EXISTS as a semi-join of its own choice).
func (s *Service) tagSide(w *where) (passTest, bool) {
	if s.noTagSide.Load() {
		return passTest{}, false
	}
	pass, ok := s.tagTest(w)
	if ok {
		s.tagSideRuns.Add(1)
	}
	return pass, ok
}

// tagTest is the SQL test of w's filters by a ticket id when they are tags
// alone (SQLite). Each tag is probed in ticket_tags_tag (tag, ticket_id),
// where a tag's entries lie together in id order, not in ticket_tags' key
// (ticket_id, tag), whose entries for tickets spread over the years are
// spread over the whole table: 1,200 random tickets at 1M cost 1.3–1.5 ms
// of CPU against 4.6–9.2 ms in the sqlite3 library with an 8 MiB cache
// (docs/benchmarks.md, 2026-12-07 11:40).
func (s *Service) tagTest(w *where) (passTest, bool) {
	if len(w.conds) == 0 || s.db.Dialect() != db.SQLite {
		return passTest{}, false
	}
	n := tagsAlone(w)
	if n == 0 {
		return passTest{}, false
	}
	return passTest{
		in: func(col string) string {
			parts := make([]string, n)
			for i := range parts {
				parts[i] = tagProbeSQLite(col)
			}
			return "(" + strings.Join(parts, " AND ") + ")"
		},
		args: w.args,
	}, true
}

// tagProbeSQLite is tagCond on SQLite for the ticket id col, probed in
// ticket_tags_tag (tagTest says why); it takes the tag as its argument.
func tagProbeSQLite(col string) string {
	return `EXISTS (SELECT 1 FROM ticket_tags tt INDEXED BY ticket_tags_tag WHERE tt.ticket_id = ` + col + ` AND tt.tag = lower(?))`
}

// tagsAlone returns how many tags w's filters ask for when they are tags
// alone (each a tag every ticket passing must have, w.args the tags in
// order), and 0 otherwise.
func tagsAlone(w *where) int {
	// A tag: term is its values' conditions joined by AND, in
	// parentheses (termCond); each takes one argument.
	n := 0
	for _, c := range w.conds {
		k := strings.Count(c, "?")
		if k == 0 || c != "("+strings.Join(slices.Repeat([]string{tagCond}, k), " AND ")+")" {
			return 0
		}
		n += k
	}
	if n != len(w.args) {
		return 0
	}
	return n
}

// gatherLookupsTagged is gatherLookups with the tags tested as the lookup
// walks its tickets' ids, newest first, from the index (tickets_requester,
// tickets_organization, the primary key): only the tickets that pass are
// then read for their last update. A first name as common as a common
// word names a thousand tickets at 30,000, each a seek into tickets that
// the tag dropped four times in five.
func (s *Service) gatherLookupsTagged(ctx context.Context, c *candidates, tq textQuery, pass passTest, bound, walk int,
	blend func(float64, int64) float64, estimate func(string, bool, int64, float64) error) (*candidates, error) {
	for _, src := range s.lookupSources(tq) {
		cond, cargs := src.cond("t.")
		newest, err := s.lookupNewest(ctx, src, cond, cargs, walk)
		if err != nil {
			return nil, err
		}
		q := `SELECT j.value, ` + pass.in("j.value") + ` FROM json_each(?) j ORDER BY j.value DESC`
		var ids []int64
		rows, last := 0, int64(0)
		err = s.scan(ctx, q, append(slices.Clip(pass.args), idList(lookupIDsOf(newest))), func(sc scanner) (bool, error) {
			var id, in int64
			if err := sc.Scan(&id, &in); err != nil {
				return false, err
			}
			rows, last = rows+1, id
			if in == 1 {
				ids = append(ids, id)
			}
			return len(ids) < bound, nil
		})
		if err != nil {
			return nil, err
		}
		updated := newestUpdated(newest)
		for _, id := range ids {
			c.add(id, blend(lookupScore[src.score], updated[id]))
		}
		if err := estimate("tickets", len(ids) >= bound || rows >= walk, last, float64(len(ids))); err != nil {
			return nil, err
		}
	}
	return c, nil
}
