package ticket

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/search"
)

// A search with filters and words (status:open refund) walks up to
// walkFactor × bound text matches newest first and keeps those whose
// ticket passes the filters. Testing each match in SQL costs a seek into
// the tickets table per subject and two per comment (the comment, then its
// ticket): at 30,000 tickets ≈ 43 % of such a search went to b-tree seeks
// (docs/benchmarks.md, 2026-12-04 21:00). When the filters are selective
// and SQLite finds their tickets by an index (status, tag, assignee, team,
// requester, organization), the search first reads the ids of every ticket
// passing them — at most filterSideMax — and the walks then test each
// match against that set: the subject walk reads only the full-text
// index, the comment walk only the comment row, and the text and times
// are read for the kept rows alone. The kept rows are exactly those the
// SQL test keeps (the same filters on the same tickets), so ranking and
// totals are unchanged; rank_test.go compares both with the reference.

// tagCond is the tag: search term's condition (list.go); tagCondIn the
// same as the filter side reads it. Both take the tag as their one
// argument.
const (
	tagCond   = "EXISTS (SELECT 1 FROM ticket_tags tt WHERE tt.ticket_id = t.id AND tt.tag = lower(?))"
	tagCondIn = "t.id IN (SELECT tt.ticket_id FROM ticket_tags tt WHERE tt.tag = lower(?))"
)

// defaultFilterSideMax bounds the tickets a filter may pass for the walks
// to be driven from the filter side; beyond it the walks test rows in SQL.
// (Service.filterSideMax holds it, for the tests to change.)
const defaultFilterSideMax = 2000

// filterPlans caches, per filter SQL, whether SQLite finds its tickets
// without scanning a table or index (the plan does not depend on the
// values bound: connections run with QPSG, internal/db/qpsg.go).
type filterPlans struct {
	plans sync.Map // string → bool
	count atomic.Int64
}

// maxFilterPlans bounds filterPlans (filter texts differ by their terms
// and the number of values, not by the values); beyond it plans are asked
// for each search.
const maxFilterPlans = 1000

// filterSide returns the tickets passing w's filters when SQLite reaches
// them by index and there are at most filterSideMax of them; nil when the
// walks should test rows in SQL instead (PostgreSQL always: its planner
// chooses between the GIN index and the primary key itself).
func (s *Service) filterSide(ctx context.Context, w *where) (*passingTickets, error) {
	if len(w.conds) == 0 || s.db.Dialect() != db.SQLite {
		return nil, nil
	}
	// The tag filter as an IN list: read from ticket_tags_tag once, a
	// plan that scans nothing (the correlated EXISTS the list pages keep
	// is a scan of tickets here, and cheaper there: a list ordered by
	// time stops at its page).
	where := strings.ReplaceAll(strings.Join(w.conds, " AND "), tagCond, tagCondIn)
	q := `SELECT t.id, t.requester_id, COALESCE(t.organization_id, 0), t.updated_at FROM tickets t WHERE ` + where
	if indexed, err := s.filterIndexed(ctx, q, w.args); err != nil || !indexed {
		return nil, err
	}
	limit := int(s.filterSideMax.Load())
	key := fmt.Sprint(limit, q, w.args)
	if s.tooMany.recent(key) {
		return nil, nil
	}
	// The ids alone, as one string: SQLite reads a status's or an
	// assignee's from the index (the rows' other columns would be a seek
	// into tickets for each, ≈ half of a status:open search at 200,000
	// tickets), and a filter too many tickets pass (a common tag) costs
	// limit + 1 ids, not as many rows read into Go and dropped.
	ids, err := s.filterIDs(ctx, where, w.args, limit)
	if err != nil {
		return nil, err
	}
	if ids == nil {
		s.tooMany.remember(key)
		return nil, nil
	}
	pass := &passingTickets{ids: make(map[int64]bool, len(ids)), list: ids}
	for _, id := range ids {
		pass.ids[id] = true
	}
	s.filterSideRuns.Add(1)
	return pass, nil
}

// filterIDs returns the ids of the tickets passing the filters where
// (over tickets t, with args), at most limit of them, read as one string;
// nil when more pass.
func (s *Service) filterIDs(ctx context.Context, where string, args []any, limit int) ([]int64, error) {
	var list sql.NullString
	if err := s.db.QueryRowContext(ctx, `SELECT group_concat(id) FROM (SELECT t.id FROM tickets t WHERE `+where+` LIMIT ?)`,
		append(slices.Clip(args), limit+1)...).Scan(&list); err != nil {
		return nil, fmt.Errorf("ticket: search filter: %w", err)
	}
	ids, err := parseIDList(list.String, limit)
	if err != nil {
		return nil, fmt.Errorf("ticket: search filter: %w", err)
	}
	return ids, nil
}

// parseIDList reads a group_concat of ids (decimal, comma-separated);
// nil when it holds more than limit. Digits are read in place: splitting
// the string first made a string per id (8,600 for status:open at 1M).
func parseIDList(list string, limit int) ([]int64, error) {
	if list == "" {
		return []int64{}, nil
	}
	n := strings.Count(list, ",") + 1
	if n > limit {
		return nil, nil
	}
	ids := make([]int64, 0, n)
	var id int64
	digits := 0
	for i := 0; i <= len(list); i++ {
		if i == len(list) || list[i] == ',' {
			if digits == 0 || digits > 18 {
				return nil, fmt.Errorf("bad id list at %d", i)
			}
			ids = append(ids, id)
			id, digits = 0, 0
			continue
		}
		c := list[i]
		if c < '0' || c > '9' {
			return nil, fmt.Errorf("bad id list at %d", i)
		}
		id, digits = id*10+int64(c-'0'), digits+1
	}
	return ids, nil
}

// filterIndexed reports whether SQLite's plan for q (a SELECT of tickets
// t with a search's filters) reaches its tickets without scanning a table
// or index, from the plan cache when known.
func (s *Service) filterIndexed(ctx context.Context, q string, args []any) (bool, error) {
	if indexed, known := s.filterPlans.plans.Load(q); known {
		return indexed.(bool), nil
	}
	ok, err := s.indexedPlan(ctx, q, args)
	if err != nil {
		return false, err
	}
	if s.filterPlans.count.Add(1) <= maxFilterPlans {
		s.filterPlans.plans.Store(q, ok)
	}
	return ok, nil
}

// passingTickets are the tickets passing a search's filters; the lookups
// read what they test of them when the text names someone
// (gatherLookupsFiltered).
type passingTickets struct {
	ids  map[int64]bool
	list []int64
}

type passing struct{ id, requester, org, updated int64 }

// indexedPlan reports whether SQLite's plan for q scans nothing: every
// table and index it reads it searches by key.
func (s *Service) indexedPlan(ctx context.Context, q string, args []any) (bool, error) {
	plan, err := s.planDetails(ctx, q, args)
	if err != nil {
		return false, err
	}
	for _, detail := range plan {
		// A full-text table's SCAN is its index lookup (MATCH).
		if strings.HasPrefix(detail, "SCAN") && !strings.Contains(detail, "VIRTUAL TABLE") {
			return false, nil
		}
	}
	return true, nil
}

// planDetails returns the detail of each step of SQLite's plan for q.
func (s *Service) planDetails(ctx context.Context, q string, args []any) ([]string, error) {
	rows, err := s.db.QueryContext(ctx, `EXPLAIN QUERY PLAN `+q, args...)
	if err != nil {
		return nil, fmt.Errorf("ticket: search plan: %w", err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, unused int64
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			return nil, fmt.Errorf("ticket: search plan: %w", err)
		}
		plan = append(plan, detail)
	}
	return plan, rows.Err()
}

// walkSubjectsFiltered is the subject walk driven from the filter side:
// the newest walk subject matches from the full-text index alone, those
// of tickets in pass kept up to bound, then their subjects and times read
// and scored. It returns the kept and walked row counts.
func (s *Service) walkSubjectsFiltered(ctx context.Context, c *candidates, tq textQuery, pass passTest, bound, walk int, blend func(float64, int64) float64, seen *walked) (int, int, error) {
	var ids []int64
	rows := 0
	from, rest, fromArgs, restArgs := s.subjectMatches(tq, walk)
	q, args := `SELECT ticket_fts.rowid, 0 FROM `+from+` `+rest, append(slices.Clip(fromArgs), restArgs...)
	if pass.in != nil {
		q, args = `SELECT ticket_fts.rowid, `+pass.in("ticket_fts.rowid")+` FROM `+from+` `+rest, append(append(slices.Clip(pass.args), fromArgs...), restArgs...)
	}
	err := s.scan(ctx, q, args, func(sc scanner) (bool, error) {
		var id, in int64
		if err := sc.Scan(&id, &in); err != nil {
			return false, err
		}
		rows++
		seen.last = id
		if pass.passes(id, in) {
			ids = append(ids, id)
			seen.add(id, id)
		}
		return len(ids) < bound, nil
	})
	seen.done = len(ids) < bound && rows < walk
	if err != nil || len(ids) == 0 {
		return len(ids), rows, err
	}
	err = s.scan(ctx, `SELECT id, subject, updated_at FROM tickets WHERE id IN (SELECT value FROM json_each(?))`, []any{idList(ids)}, func(sc scanner) (bool, error) {
		var id, updated int64
		var subject string
		if err := sc.Scan(&id, &subject, &updated); err != nil {
			return false, err
		}
		c.add(id, blend(search.SubjectWeight*tq.rel.Score(subject, search.AvgSubjectLen), updated))
		return true, nil
	})
	return len(ids), rows, err
}

// walkCommentsFiltered is the comment walk driven from the filter side:
// the newest walk comment matches with their tickets (the comment row
// only), those of tickets in pass kept up to bound, then their texts read
// and scored.
func (s *Service) walkCommentsFiltered(ctx context.Context, c *candidates, tq textQuery, pass passTest, bound, walk int, blend func(float64, int64) float64, seen *walked) (int, int, error) {
	var ids []int64
	rows := 0
	in, args := "0", []any{tq.fts, walk}
	if pass.in != nil {
		in, args = pass.in("c.ticket_id"), append(slices.Clip(pass.args), tq.fts, walk)
	}
	err := s.scan(ctx, `SELECT c.id, c.ticket_id, `+in+` FROM comment_fts JOIN `+s.commentTickets("c")+` ON c.id = comment_fts.rowid
		WHERE comment_fts MATCH ? ORDER BY comment_fts.rowid DESC LIMIT ?`, args, func(sc scanner) (bool, error) {
		var id, tid, in int64
		if err := sc.Scan(&id, &tid, &in); err != nil {
			return false, err
		}
		rows++
		seen.last = id
		if pass.passes(tid, in) {
			ids = append(ids, id)
			seen.add(id, tid)
		}
		return len(ids) < bound, nil
	})
	seen.done = len(ids) < bound && rows < walk
	if err != nil || len(ids) == 0 {
		return len(ids), rows, err
	}
	q := `SELECT ticket_id, substr(body, 1, ` + strconv.Itoa(commentPrefix) + `), created_at FROM comments WHERE id IN (SELECT value FROM json_each(?))`
	err = s.scan(ctx, q, []any{idList(ids)}, func(sc scanner) (bool, error) {
		var tid, at int64
		var text string
		if err := sc.Scan(&tid, &text, &at); err != nil {
			return false, err
		}
		c.add(tid, blend(tq.rel.Score(text, search.AvgCommentLen), at))
		return true, nil
	})
	return len(ids), rows, err
}

// idList is ids as a JSON array, for json_each: one statement for any
// number of ids (an IN list of placeholders would be one per length).
func idList(ids []int64) string {
	b := make([]byte, 0, len(ids)*8+2)
	b = append(b, '[')
	for i, id := range ids {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendInt(b, id, 10)
	}
	return string(append(b, ']'))
}

// gatherFiltered is gather's text part driven from the filter side.
func (s *Service) gatherFiltered(ctx context.Context, c *candidates, w *where, tq textQuery, pass passTest, bound, walk int, blend func(float64, int64) float64) error {
	var seen walkedPair
	kept, rows, err := s.walkSubjectsFiltered(ctx, c, tq, pass, bound, walk, blend, &seen.subjects)
	if err != nil {
		return fmt.Errorf("ticket: search: %w", err)
	}
	cut := kept >= bound || rows >= walk
	if kept, rows, err = s.walkCommentsFiltered(ctx, c, tq, pass, bound, walk, blend, &seen.comments); err != nil {
		return fmt.Errorf("ticket: search: %w", err)
	}
	if cut || kept >= bound || rows >= walk {
		est, err := s.sampleText(ctx, c, w, tq, pass, &seen)
		if err != nil {
			return err
		}
		c.estimated, c.estimate = true, max(c.estimate, est)
	}
	return nil
}

// gatherLookupsFiltered is gatherLookups driven from the filter side: the
// passing tickets' requester, organization and last update, read by their
// ids (filterSide) when the text names someone, are tested in Go, and each lookup keeps the
// newest bound of them whose requester, organization or number it names.
// Asking SQL for each lookup's tickets (a requester IN list of up to 500
// customers whose name is a common word, each ticket then tested against
// the filters) was ≈ 21 % of a filtered search. Every passing ticket is
// seen, so the count is exact: a total beyond the bound is that count.
func (s *Service) gatherLookupsFiltered(ctx context.Context, c *candidates, tq textQuery, pass *passingTickets, bound int, blend func(float64, int64) float64) error {
	srcs := s.lookupSources(tq)
	if len(srcs) == 0 || len(pass.list) == 0 {
		return nil
	}
	ts := make([]passing, 0, len(pass.list))
	err := s.scan(ctx, `SELECT id, requester_id, COALESCE(organization_id, 0), updated_at FROM tickets WHERE id IN (SELECT value FROM json_each(?))`,
		[]any{idList(pass.list)}, func(sc scanner) (bool, error) {
			var p passing
			if err := sc.Scan(&p.id, &p.requester, &p.org, &p.updated); err != nil {
				return false, err
			}
			ts = append(ts, p)
			return true, nil
		})
	if err != nil {
		return err
	}
	slices.SortFunc(ts, func(a, b passing) int { return -cmpInt(a.id, b.id) })
	for _, src := range srcs {
		named := make(map[int64]bool, len(src.ids))
		for _, id := range src.ids {
			named[id] = true
		}
		found := 0
		for _, t := range ts {
			key := t.id
			switch src.col {
			case "requester_id":
				key = t.requester
			case "organization_id":
				key = t.org
			}
			if !named[key] {
				continue
			}
			if found++; found <= bound {
				c.add(t.id, blend(lookupScore[src.score], t.updated))
			}
		}
		if found > bound {
			c.estimated, c.estimate = true, max(c.estimate, float64(found))
		}
	}
	return nil
}

// A filter that passed too many tickets for the filter side (a common tag)
// is remembered for tooManyFor: its searches take the walks tested in SQL
// without counting again (≈ 2 ms for tag:billing at 30,000 tickets). The
// verdict only chooses between two ways to the same result, so a stale
// one costs time, never correctness. At most maxTooMany are kept.
const (
	tooManyFor = 30 * time.Second
	maxTooMany = 1000
)

// tooManyFilters remembers when filters passed too many tickets (keyed by
// the limit, the filter SQL and its values).
type tooManyFilters struct {
	mu sync.Mutex
	at map[string]time.Time
}

func (f *tooManyFilters) recent(key string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	at, ok := f.at[key]
	return ok && time.Since(at) < tooManyFor
}

func (f *tooManyFilters) remember(key string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.at == nil || len(f.at) >= maxTooMany {
		f.at = map[string]time.Time{}
	}
	f.at[key] = time.Now()
}
