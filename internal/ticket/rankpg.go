package ticket

import (
	"context"
	"fmt"
	"slices"
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

// scanTextPG runs a PostgreSQL text walk over table (alias a):
// sel is the SELECT … FROM … part, pre its arguments; fts the text query.
// fn sees the rows newest first, at most walk of them, until it says stop.
func (s *Service) scanTextPG(ctx context.Context, table, a, sel string, pre []any, tq textQuery, walk int,
	fn func(scanner) (bool, error)) error {
	return s.scanTextPGSettle(ctx, table, a, sel, pre, tq, walk, fn, nil)
}

// scanTextPGSettle is scanTextPG with settle, when not nil, called after
// the window's rows and before any read below it: false ends the walk
// there, as fn's stop would (a caller that tests rows in batches).
func (s *Service) scanTextPGSettle(ctx context.Context, table, a, sel string, pre []any, tq textQuery, walk int,
	fn func(scanner) (bool, error), settle func() (bool, error)) error {
	tsq := `websearch_to_tsquery('simple', ?)`
	window := int64(pgWindow)
	if w := s.pgWindowSize.Load(); w != 0 {
		window = w
	}
	// An email address alone is one token to PostgreSQL's parser (the
	// tokens are counted as FTS5 splits them) and its estimate is sound.
	email := !strings.Contains(tq.fts, " ") && strings.Contains(tq.fts, "@")
	if len(tq.tokens) < 2 || email || window < 0 {
		return s.scan(ctx, sel+` WHERE `+a+`.search_vec @@ `+tsq+` ORDER BY `+a+`.id DESC LIMIT ?`,
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
	if err := s.scan(ctx, sel+` WHERE ts_match_vq(`+a+`.search_vec, `+tsq+`) AND `+a+`.id > ? ORDER BY `+a+`.id DESC LIMIT ?`,
		append(append(slices.Clip(pre), tq.fts, floor), walk), count); err != nil {
		return err
	}
	if stopped || n >= walk || floor == 0 {
		return nil
	}
	if settle != nil {
		more, err := settle()
		if err != nil || !more {
			return err
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
		return s.scan(ctx, sel+` WHERE ts_match_vq(`+a+`.search_vec, `+tsq+`) AND `+a+`.id <= ? ORDER BY `+a+`.id DESC LIMIT ?`,
			append(append(slices.Clip(pre), tq.fts, floor), left), fn)
	}
	s.pgIndexRuns.Add(1)
	return s.scan(ctx, `WITH m AS MATERIALIZED (SELECT id FROM `+table+` WHERE search_vec @@ `+tsq+` AND id <= ?) `+
		sel+` WHERE `+a+`.id IN (SELECT id FROM m ORDER BY id DESC LIMIT ?) ORDER BY `+a+`.id DESC`,
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
