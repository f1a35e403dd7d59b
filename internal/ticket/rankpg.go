package ticket

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/ombud/ombud/internal/db"
)

// The text walks on PostgreSQL. A walk is "the newest walk rows whose
// search_vec matches, newest first": the planner answers it either by the
// primary key backwards, testing each row, or by the GIN index, fetching
// every match and sorting them; which is cheaper depends on how many rows
// match, which it reads from the column's statistics. Two misjudgements
// cost seconds at 1M tickets (docs/benchmarks.md, 2026-12-05 14:02):
//
//   - A prepared statement's generic plan knows no value: after five runs
//     pgx's cached statement may get one plan for rare and common words
//     alike. The search's statements are planned for their values
//     (db.PlanEach).
//   - Words that seldom meet: the planner multiplies the words' own
//     frequencies, so two common words never in one comment look common
//     and the walk backwards reads all 4.9M comments (20 s) to find none.
//     A query of several tokens therefore first walks a window of the
//     newest ids by the primary key alone (ts_match_vq, the function
//     behind @@, which no index serves); if the window holds walk matches
//     that is the walk. Otherwise the matches found there tell how dense
//     they are, and the rest is read below the window whichever way costs
//     less for that density: on by the primary key, or through the GIN
//     index (all older matches, sorted). The rows, their order and the
//     bound are those of the single walk, so rankings and totals do not
//     change (TestSearchRankingMatchesReference and the others run both
//     engines).
//
// A single token's estimate comes from the column's most common elements;
// migration 0099 raises their number (statistics target 1000) so that a
// rare token is estimated as rare and read through the index.

// pgWindow is the first window of a several-token walk, in ids.
const pgWindow = 4096

// pgFetchCost is what one match read through the GIN index costs (decoded
// from its posting list, its row fetched, sorted) against one row tested
// on the walk backwards.
const pgFetchCost = 4

// pgTSQuery is the walks' text query, of one argument.
const pgTSQuery = `websearch_to_tsquery('simple', ?)`

// pgSingleWalk reports whether tq's walks are one statement each, without
// a window: one token, or an email address alone (one token to
// PostgreSQL's parser, though its tokens are counted as FTS5 splits them,
// and its estimate is sound), or the window turned off.
func (s *Service) pgSingleWalk(tq textQuery) bool {
	email := !strings.Contains(tq.fts, " ") && strings.Contains(tq.fts, "@")
	return len(tq.tokens) < 2 || email || s.pgWindowSize.Load() < 0
}

// pgWindowIDs is the first window of a several-token walk, in ids:
// pgWindow unless a test set pgWindowSize.
func (s *Service) pgWindowIDs() int64 {
	if w := s.pgWindowSize.Load(); w != 0 {
		return w
	}
	return pgWindow
}

// scanTextPGSettle runs a PostgreSQL text walk over table (alias a):
// sel is the SELECT … FROM … part, pre its arguments; fts the text query.
// fn sees the rows newest first, at most walk of them, until it says stop.
// settle, when not nil, is called after the window's rows and before any
// read below it: false ends the walk there, as fn's stop would (a caller
// that tests rows in batches).
func (s *Service) scanTextPGSettle(ctx context.Context, table, a, sel string, pre []any, tq textQuery, walk int,
	fn func(scanner) (bool, error), settle func() (bool, error)) error {
	window := s.pgWindowIDs()
	if s.pgSingleWalk(tq) {
		return s.scan(ctx, sel+` WHERE `+pgMatch(a+`.search_vec`)+` ORDER BY `+a+`.id DESC LIMIT ?`,
			append(append(slices.Clip(pre), tq.fts), walk), fn)
	}
	var newest int64
	if err := s.db.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) FROM `+table).Scan(&newest); err != nil {
		return fmt.Errorf("ticket: search: %w", err)
	}
	floor := max(newest-window, 0)
	n, stopped := 0, false
	count := func(sc scanner) (bool, error) {
		n++
		more, err := fn(sc)
		stopped = !more
		return more, err
	}
	if err := s.scan(ctx, sel+` WHERE `+pgMatchRange(a+`.search_vec`)+` AND `+a+`.id > ? ORDER BY `+a+`.id DESC LIMIT ?`,
		append(append(slices.Clip(pre), tq.fts, floor), walk), count); err != nil {
		return err
	}
	_, err := s.scanBelowPG(ctx, table, a, sel, pre, tq, walk, fn, settle, window, floor, n, stopped)
	return err
}

// scanBelowPG is the rest of a several-token walk whose window (the ids
// above floor, window of them) gave n rows, the last of which said stop
// when stopped: the read below the window, when one is needed. It reports
// how many matches the table holds, estimated from the window's share, and
// whether the read went through the GIN index (the words' postings
// intersected).
func (s *Service) scanBelowPG(ctx context.Context, table, a, sel string, pre []any, tq textQuery, walk int,
	fn func(scanner) (bool, error), settle func() (bool, error), window, floor int64, n int, stopped bool) (pgBelow, error) {
	tsq := pgTSQuery
	below := pgBelow{matches: float64(n) * float64(floor+window) / float64(window)}
	if floor == 0 {
		below.matches = float64(n) // the window held the whole table
	}
	if stopped || n >= walk || floor == 0 {
		return below, nil
	}
	if settle != nil {
		more, err := settle()
		if err != nil || !more {
			return below, err
		}
	}
	s.pgWindowRuns.Add(1)
	left := walk - n
	// n matches in pgWindow ids: walking on costs about left·pgWindow/n
	// ids, the index about n·floor/pgWindow matches fetched.
	walkOn := n > 0 && float64(left)*float64(window)/float64(n) < pgFetchCost*float64(n)*float64(floor)/float64(window)
	if p := s.pgPath.Load(); p != 0 {
		walkOn = p == 1
	}
	if walkOn {
		return below, s.scan(ctx, sel+` WHERE `+pgMatchRange(a+`.search_vec`)+` AND `+a+`.id <= ? ORDER BY `+a+`.id DESC LIMIT ?`,
			append(append(slices.Clip(pre), tq.fts, floor), left), fn)
	}
	s.pgIndexRuns.Add(1)
	// The index chosen here, not by the planner: prepared (pgcommon.go).
	// The bound a filter on the matches (id + 0): as an index condition
	// of a plan that cannot see it, the primary key's whole range would
	// be read into a bitmap to AND with the matches'.
	below.viaIndex = true
	return below, s.scanArgs(ctx, `WITH m AS MATERIALIZED (SELECT id FROM `+table+` WHERE search_vec @@ (SELECT `+tsq+`) AND id + 0 <= `+pgOpaque+`) `+
		sel+` WHERE `+a+`.id IN (SELECT id FROM m ORDER BY id DESC LIMIT `+pgOpaque+`) ORDER BY `+a+`.id DESC`,
		append(append([]any{tq.fts, floor}, pre...), left), fn)
}

// planArgs puts db.PlanEach before a PostgreSQL query's arguments: the
// search's statements are planned for their values.
func (s *Service) planArgs(args []any) []any {
	if s.db.Dialect() != db.Postgres {
		return args
	}
	return append([]any{db.PlanEach}, args...)
}

// pgWalk is one of the two text walks scanTextPGPair runs: "SELECT cols
// FROM from" over table (alias a), pre its arguments, and the rest as
// scanTextPGSettle takes them.
type pgWalk struct {
	table, a, cols, from string
	pre                  []any
	walk                 int
	fn                   func(scanner) (bool, error)
	settle               func() (bool, error)
	// below, when set, is set to what the walk found of its matches
	// (rankpairs.go: a read through the GIN index is what the word-pair
	// index spares).
	below *pgBelow
}

// pgBelow is what a several-token walk found of its matches: how many the
// table holds, estimated from its window's share, and whether it read
// below the window through the GIN index.
type pgBelow struct {
	matches  float64
	viaIndex bool
}

// scanTextPGPair runs the subject and the comment walk of a search. When
// each is one statement (pgSingleWalk) both are sent as one UNION ALL,
// each branch tagged with its walk: PostgreSQL still plans each branch
// for the value (a rare token through the GIN index, a common one by the
// primary key backwards), but the search pays one round trip, one parse
// and one statement's start and end instead of two. Each walk's rows come
// to its fn newest first as they would alone; a walk that says stop gets
// no more rows (the statement's LIMIT bounds what is read past it). The
// cols of the two walks have the same types, column by column. Several
// tokens (scanTextPGSettle's windows): both tables' newest ids in one
// statement and both windows in one, then each walk's read below its
// window (its settle first), where each walk took two statements for
// that.
func (s *Service) scanTextPGPair(ctx context.Context, tq textQuery, walks [2]pgWalk) error {
	if p := tq.pairs; p != nil && max(walks[0].walk, walks[1].walk) <= p.walk {
		// Two words that seldom meet: the newest of their texts from the
		// word-pair index (rankpairs.go), by id.
		s.pairRuns.Add(1)
		var parts [2]string
		var args []any
		for i, w := range walks {
			ids := p.subjects[:min(len(p.subjects), w.walk)]
			if i == 1 {
				ids = p.comments[:min(len(p.comments), w.walk)]
			}
			// Each text tested against the words: an entry a deletion or
			// an edit left behind while the pair was filled is not read.
			parts[i] = `(SELECT ` + strconv.Itoa(i) + `, ` + w.cols + ` FROM ` + w.from + ` WHERE ` + w.a + `.id = ANY(CAST(? AS BIGINT[])) AND ` +
				pgMatchRange(w.a+`.search_vec`) + ` ORDER BY ` + w.a + `.id DESC)`
			args = append(append(args, w.pre...), ids, tq.fts)
		}
		return s.scanTagged(ctx, strings.Join(parts[:], " UNION ALL "), args, [2]func(scanner) (bool, error){walks[0].fn, walks[1].fn})
	}
	if s.noPGPair.Load() {
		for _, w := range walks {
			if err := s.scanTextPGSettle(ctx, w.table, w.a, `SELECT `+w.cols+` FROM `+w.from, w.pre, tq, w.walk, w.fn, w.settle); err != nil {
				return err
			}
		}
		return nil
	}
	s.pgPairRuns.Add(1)
	var parts [2]string
	var args []any
	if s.pgSingleWalk(tq) {
		// A word the statistics place: the walks prepared
		// (pgcommon.go); otherwise planned for the value.
		var plans [2]pgWordPlan
		if len(walks[0].pre) == 0 && len(walks[1].pre) == 0 {
			var err error
			if plans, err = s.pgWordPlans(ctx, tq, max(walks[0].walk, walks[1].walk)); err != nil {
				return err
			}
		}
		match := func(i int, w pgWalk) string {
			switch plans[i] {
			case pgBackwards:
				return pgMatchScan(w.a + `.search_vec`)
			case pgFromIndex:
				return w.a + `.id IN (SELECT id FROM (SELECT id FROM ` + w.table + ` WHERE search_vec @@ (SELECT ` + pgTSQuery +
					`) OFFSET 0) m ORDER BY id DESC LIMIT ` + strconv.Itoa(w.walk) + `)`
			}
			return pgMatch(w.a + `.search_vec`)
		}
		prepared := plans[0] != pgPlanned
		if prepared {
			s.pgPreparedRuns.Add(1)
		}
		for i, w := range walks {
			// Prepared, the LIMIT is written into the statement: as an
			// argument, the plan without values (the generic plan) is
			// estimated costlier than one planned for them, so PostgreSQL
			// would plan the statement on every run (0.12–0.29 ms at 1M
			// tickets, more than the rare token's walks cost to run). A
			// search has few walk sizes, so few statements.
			limit := `?`
			if prepared {
				limit = strconv.Itoa(w.walk)
			}
			parts[i] = `(SELECT ` + strconv.Itoa(i) + `, ` + w.cols + ` FROM ` + w.from + ` WHERE ` + match(i, w) +
				` ORDER BY ` + w.a + `.id DESC LIMIT ` + limit + `)`
			args = append(append(args, w.pre...), tq.fts)
			if !prepared {
				args = append(args, w.walk)
			}
		}
		scan := s.scanTagged
		if prepared {
			scan = s.scanTaggedPrepared
		}
		return scan(ctx, strings.Join(parts[:], " UNION ALL "), args, [2]func(scanner) (bool, error){walks[0].fn, walks[1].fn})
	}
	// Several tokens: both tables' newest ids in one statement, both
	// windows in one, then each walk's read below its window, if any
	// (scanTextPGSettle's steps, two statements fewer).
	window := s.pgWindowIDs()
	var newest [2]int64
	if err := s.db.QueryRowContext(ctx, `SELECT (SELECT COALESCE(MAX(id), 0) FROM `+walks[0].table+`), (SELECT COALESCE(MAX(id), 0) FROM `+
		walks[1].table+`)`).Scan(&newest[0], &newest[1]); err != nil {
		return fmt.Errorf("ticket: search: %w", err)
	}
	var floor [2]int64
	var n [2]int
	var stopped [2]bool
	var fns [2]func(scanner) (bool, error)
	for i, w := range walks {
		floor[i] = max(newest[i]-window, 0)
		parts[i] = `(SELECT ` + strconv.Itoa(i) + `, ` + w.cols + ` FROM ` + w.from + ` WHERE ` + pgMatchRange(w.a+`.search_vec`) +
			` AND ` + w.a + `.id > ? ORDER BY ` + w.a + `.id DESC LIMIT ?)`
		args = append(append(append(args, w.pre...), tq.fts, floor[i]), w.walk)
		fns[i] = func(sc scanner) (bool, error) {
			n[i]++
			more, err := w.fn(sc)
			stopped[i] = !more
			return more, err
		}
	}
	if err := s.scanTagged(ctx, strings.Join(parts[:], " UNION ALL "), args, fns); err != nil {
		return err
	}
	for i, w := range walks {
		below, err := s.scanBelowPG(ctx, w.table, w.a, `SELECT `+w.cols+` FROM `+w.from, w.pre, tq, w.walk, w.fn, w.settle,
			window, floor[i], n[i], stopped[i])
		if err != nil {
			return err
		}
		if w.below != nil {
			*w.below = below
		}
	}
	return nil
}

// scanTagged runs q, planned for its values, whose rows' first column
// says which of fns sees the rest (0 or 1), each fn its rows in order
// until it says stop.
func (s *Service) scanTagged(ctx context.Context, q string, args []any, fns [2]func(scanner) (bool, error)) error {
	return s.scan(ctx, q, args, tagged(fns))
}

// scanTaggedPrepared is scanTagged for a statement whose plan is the same
// for every value: pgx prepares it once.
func (s *Service) scanTaggedPrepared(ctx context.Context, q string, args []any, fns [2]func(scanner) (bool, error)) error {
	if s.onPrepared != nil {
		s.onPrepared(q, args)
	}
	return s.scanArgs(ctx, q, args, tagged(fns))
}

// tagged is scanTagged's row callback.
func tagged(fns [2]func(scanner) (bool, error)) func(scanner) (bool, error) {
	var stopped [2]bool
	var vals []any
	var row valueScanner
	return func(sc scanner) (bool, error) {
		if vals == nil {
			// One holder per column, the walk's tag first.
			cs, ok := sc.(interface{ Columns() ([]string, error) })
			if !ok {
				return false, fmt.Errorf("walks: no columns on %T", sc)
			}
			names, err := cs.Columns()
			if err != nil {
				return false, err
			}
			vals = make([]any, len(names))
			row = make(valueScanner, len(names))
			for i := range vals {
				vals[i] = &row[i]
			}
		}
		if err := sc.Scan(vals...); err != nil {
			return false, err
		}
		kind, ok := row[0].(int64)
		if !ok || kind < 0 || int(kind) >= len(fns) {
			return false, fmt.Errorf("walk tag %v", row[0])
		}
		if stopped[kind] {
			return true, nil
		}
		more, err := fns[kind](row[1:])
		if err != nil {
			return false, err
		}
		stopped[kind] = !more
		return !stopped[0] || !stopped[1], nil
	}
}

// valueScanner hands a row already read (as database/sql reads into *any)
// to a walk's callback: integers into *int64, texts into *string.
type valueScanner []any

func (v valueScanner) Scan(dest ...any) error {
	if len(dest) != len(v) {
		return fmt.Errorf("%d columns, %d destinations", len(v), len(dest))
	}
	for i, d := range dest {
		switch p := d.(type) {
		case *int64:
			n, ok := v[i].(int64)
			if !ok {
				return fmt.Errorf("column %d: %T into int64", i, v[i])
			}
			*p = n
		case *string:
			switch t := v[i].(type) {
			case string:
				*p = t
			case []byte:
				*p = string(t)
			default:
				return fmt.Errorf("column %d: %T into string", i, v[i])
			}
		case *any:
			*p = v[i]
		default:
			return fmt.Errorf("column %d: into %T", i, d)
		}
	}
	return nil
}

// dropColumn scans a row into dest with its column i read and dropped.
type dropColumn struct {
	s scanner
	i int
}

func (d dropColumn) Scan(dest ...any) error {
	var skip any
	return d.s.Scan(slices.Insert(slices.Clip(dest), d.i, any(&skip))...)
}
