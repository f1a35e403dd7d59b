package ticket

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"
)

// One word on PostgreSQL without a plan per search.
//
// A one-token search is planned for its value (db.PlanEach) because a rare
// and a common token need different plans: the GIN index for the one, the
// primary key backwards for the other. Estimating `@@` reads the column's
// most common elements on every plan (thousands of them, migration 0099),
// which costs PostgreSQL about a fifth of a common word's walks and more
// than half of a rare one's (2026-12-06 16:35 section of docs/benchmarks).
// For a word whose statistics already place it, the answer is known
// without the planner, from the same statistics read every pgStatsTTL:
// the walks run as a prepared statement, their text query computed once
// per statement. A common word's is ts_match_vq (the function behind @@,
// which no index serves, so its one plan is the walk backwards); a rare
// word's reads its matches through the GIN index first (a subquery the
// planner cannot merge into the walk), then the newest of them. The rows
// are those of the planned walks, newest first, so pages and totals do
// not change (TestSearchPGCommonMatchesPlanned).

// pgStatsTTL is how long the statistics read stay in use: PostgreSQL
// refreshes them on ANALYZE (autovacuum's, or db.Analyze after imports).
const pgStatsTTL = 5 * time.Minute

// pgPlanMargin is how much cheaper one way must be than the other, by
// the walks' own cost model (pgFetchCost), for the search to skip the
// planner. At 1 the model decides every word the statistics list: it
// matched PostgreSQL's own timings near the crossover (`ikke` at 23,000
// tickets after a later ANALYZE, 4,110 subjects walked against 6,720
// matches fetched by the model: 0.92–1.18 ms walked backwards, 1.39–1.83
// ms from the index, 1.6 times), while planning a walk for its value read
// both tables' most common elements on every search, 2.4 ms of a loaded
// server's 12 ms statement (docs/benchmarks/results-2026-12-08.md). At 4,
// then 2, words near the crossover were left to the planner.
const pgPlanMargin = 1

// pgWordStats is what pg_stats says of the walks' two tables' search_vec:
// each listed lexeme's share of the rows, and the rows.
type pgWordStats struct {
	mu      sync.Mutex
	read    time.Time
	reading bool           // a search is reading them again
	tables  [2]pgWordTable // tickets, comments
}

type pgWordTable struct {
	freq  map[string]float64
	least float64 // the least listed share
	rows  float64
}

// add lists lexeme at share f of t's rows.
func (t *pgWordTable) add(lexeme string, f float64) {
	t.freq[lexeme] = f
	if t.least == 0 || f < t.least {
		t.least = f
	}
}

// pgWordTables are the walks' tables in pgWordStats' order.
var pgWordTables = [2]string{"tickets", "comments"}

// pgWordPlan is how a one-word search's walks run on PostgreSQL.
type pgWordPlan int

const (
	pgPlanned   pgWordPlan = iota // planned for the value (db.PlanEach)
	pgBackwards                   // prepared: backwards by the primary key
	pgFromIndex                   // prepared: every match from the GIN index
)

// pgWordPlans says how tq's two walks (tickets, comments) run, walk
// matches each: prepared when tq is one plain word whose share of each
// table's rows the statistics give and that share places the walk clearly
// on one side, by pgPlanMargin: common when reading walk matches from
// the newest rows costs less than fetching all its matches through the
// index, rare when the index costs less. A word not listed is estimated as
// the planner estimates it, at half the least listed share. Anything else,
// or a table without statistics, and both walks are planned.
func (s *Service) pgWordPlans(ctx context.Context, tq textQuery, walk int) ([2]pgWordPlan, error) {
	none := [2]pgWordPlan{}
	word, ok := plainWord(tq.fts)
	if s.noPGCommon.Load() || len(tq.tokens) != 1 || !ok {
		return none, nil
	}
	tables, err := s.pgStats.get(ctx, s)
	if err != nil {
		return none, err
	}
	lexeme := strings.ToLower(word)
	var plans [2]pgWordPlan
	for i, t := range tables {
		if plans[i] = t.plan(lexeme, walk); plans[i] == pgPlanned {
			return none, nil
		}
	}
	return plans, nil
}

// plan says how a walk of t for walk matches of lexeme runs: pgBackwards or
// pgFromIndex when the walk's rows tested (walk/f for a share f of the rows)
// and the index's matches fetched (pgFetchCost each) differ by
// pgPlanMargin, pgPlanned when they are closer or t has no statistics.
func (t pgWordTable) plan(lexeme string, walk int) pgWordPlan {
	if len(t.freq) == 0 || t.rows <= 0 {
		return pgPlanned
	}
	f, listed := t.freq[lexeme]
	if !listed {
		f = min(pgDefaultMatchSel, t.least/2)
	}
	walked, fetched := float64(walk)/f, pgFetchCost*f*t.rows
	switch {
	case pgPlanMargin*walked <= fetched:
		return pgBackwards
	case pgPlanMargin*fetched <= walked:
		return pgFromIndex
	}
	return pgPlanned
}

// The walks' text match of col on PostgreSQL, in three forms:
//   - pgMatch, `@@`, which the planner estimates from the column's
//     statistics and may answer from the GIN index;
//   - pgMatchRange, ts_match_vq (the function behind @@), which it neither
//     estimates nor answers from an index: for a range of ids read by the
//     primary key, planned for its values without reading the statistics;
//   - pgMatchScan, ts_match_vq of the query computed once per statement,
//     for prepared statements (scanArgs, not scan) whose one plan is the
//     primary key: a common word's walks backwards, and the estimate's and
//     mention sample's small rounds over two-sided ranges.
func pgMatch(col string) string      { return col + ` @@ ` + pgTSQuery }
func pgMatchRange(col string) string { return `ts_match_vq(` + col + `, ` + pgTSQuery + `)` }
func pgMatchScan(col string) string  { return `ts_match_vq(` + col + `, (SELECT ` + pgTSQuery + `))` }

// pgOpaque is an integer argument a prepared statement's plan does not
// see, for the index read below a window (rankpg.go), whose plan is the
// same for every value. PostgreSQL plans a prepared statement for its
// values until the plan without them (the generic plan) is estimated no
// costlier, and a visible bound or limit makes that estimate differ, so
// it would be planned on every run. Not for a range read by the primary
// key: there the generic plan's default share of rows (a third for one
// bound) can turn the range into a scan of the table (measured at 1M
// tickets, 2026-12-06 16:35 section of docs/benchmarks).
const pgOpaque = `(SELECT CAST(? AS BIGINT))`

// pgDefaultMatchSel is PostgreSQL's share of rows estimated to match a
// lexeme it knows nothing of (DEFAULT_TS_MATCH_SEL).
const pgDefaultMatchSel = 0.005

// plainWord returns the word of q, a full-text query of one quoted word
// (ftsQuery's form), when it is ASCII letters and digits alone:
// PostgreSQL's simple configuration makes it one lexeme, its lower case,
// in any locale.
func plainWord(q string) (string, bool) {
	if len(q) < 3 || q[0] != '"' || q[len(q)-1] != '"' {
		return "", false
	}
	w := q[1 : len(q)-1]
	for i := 0; i < len(w); i++ {
		c := w[i] | 0x20
		if !(c >= 'a' && c <= 'z') && !(w[i] >= '0' && w[i] <= '9') {
			return "", false
		}
	}
	return w, true
}

// get returns the statistics, read again when older than pgStatsTTL. One
// search reads them while the others use what was read before (the first
// searches, with nothing read yet, read them too). Statistics that cannot
// be read are none: the walks are planned, and the read is tried again
// after pgStatsTTL.
func (w *pgWordStats) get(ctx context.Context, s *Service) ([2]pgWordTable, error) {
	w.mu.Lock()
	tables, read := w.tables, w.read
	if !read.IsZero() && (w.reading || time.Since(read) < pgStatsTTL) {
		w.mu.Unlock()
		return tables, nil
	}
	w.reading = true
	w.mu.Unlock()
	tables, err := s.readPGWordStats(ctx)
	w.mu.Lock()
	defer w.mu.Unlock()
	w.reading = false
	if err != nil {
		if ctx.Err() != nil {
			return [2]pgWordTable{}, err
		}
		tables = [2]pgWordTable{}
	}
	w.tables, w.read = tables, time.Now()
	return tables, nil
}

// readPGWordStats reads the walks' tables' most common lexemes from pg_stats
// and their row counts from pg_class. A table never analyzed has none:
// its searches are planned.
func (s *Service) readPGWordStats(ctx context.Context) ([2]pgWordTable, error) {
	var out [2]pgWordTable
	for i, table := range pgWordTables {
		out[i].freq = map[string]float64{}
		if err := s.db.QueryRowContext(ctx, `SELECT COALESCE((SELECT GREATEST(reltuples, 0) FROM pg_class WHERE oid = to_regclass(?)), 0)`,
			table).Scan(&out[i].rows); err != nil {
			return out, fmt.Errorf("ticket: search statistics of %s: %w", table, err)
		}
		// The frequencies end with three more (the least and most
		// common's, the share of nulls): unnest pairs them with nulls.
		err := s.scanArgs(ctx, `SELECT u.e, u.f FROM pg_stats p,
			unnest(p.most_common_elems::text::text[], p.most_common_elem_freqs) AS u(e, f)
			WHERE p.schemaname = current_schema() AND p.tablename = ? AND p.attname = 'search_vec' AND u.e IS NOT NULL`,
			[]any{table}, func(sc scanner) (bool, error) {
				var e string
				var f float64
				if err := sc.Scan(&e, &f); err != nil {
					return false, err
				}
				out[i].add(e, f)
				return true, nil
			})
		if err != nil {
			return out, fmt.Errorf("ticket: search statistics of %s: %w", table, err)
		}
	}
	return out, nil
}
