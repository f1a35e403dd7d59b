package ticket

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"
)

// Common words on PostgreSQL without a plan per search.
//
// A one-token search is planned for its value (db.PlanEach) because a rare
// and a common token need different plans: the GIN index for the one, the
// primary key backwards for the other. Estimating `@@` reads the column's
// most common elements on every plan (thousands of them, migration 0099),
// which costs PostgreSQL about a fifth of a common word's walks (2026-12-06
// 16:50 section of docs/benchmarks). For a token whose statistics already
// say it is common, the answer is known without the planner: the walks run
// as a prepared statement of ts_match_vq (the function behind @@, which no
// index serves, so its one plan is the walk backwards), its query computed
// once per statement. The rows are those of the planned walk, newest first,
// so pages and totals do not change (TestSearchPGCommonMatchesPlanned).

// pgCommonTTL is how long the statistics read stay in use: PostgreSQL
// refreshes them on ANALYZE (autovacuum's, or db.Analyze after imports).
const pgCommonTTL = 5 * time.Minute

// pgCommonMargin is how much cheaper the walk must be than the index, by
// the walks' own cost model (pgFetchCost), for the search to skip the
// planner: near the crossover the planner decides, as before.
const pgCommonMargin = 4

// pgCommonWords is what pg_stats says of the walks' two tables' search_vec:
// each listed lexeme's share of the rows, and the rows.
type pgCommonWords struct {
	mu     sync.Mutex
	read   time.Time
	tables [2]pgCommonTable // tickets, comments
}

type pgCommonTable struct {
	freq map[string]float64
	rows float64
}

// pgCommonTables are the walks' tables in pgCommonWords' order.
var pgCommonTables = [2]string{"tickets", "comments"}

// pgCommonWord reports whether tq is one plain word that both of
// PostgreSQL's walks should read backwards by the primary key whatever the
// planner would say: each table's statistics list it as common enough
// that reading walk matches from the newest rows is cheaper, by
// pgCommonMargin, than fetching all its matches through the index.
func (s *Service) pgCommonWord(ctx context.Context, tq textQuery, walk int) (bool, error) {
	word, ok := plainWord(tq.fts)
	if s.noPGCommon.Load() || len(tq.tokens) != 1 || !ok {
		return false, nil
	}
	tables, err := s.pgCommon.get(ctx, s)
	if err != nil {
		return false, err
	}
	lexeme := strings.ToLower(word)
	for _, t := range tables {
		f := t.freq[lexeme]
		if f <= 0 || !commonEnough(f, t.rows, walk) {
			return false, nil
		}
	}
	return true, nil
}

// commonEnough reports whether walking backwards for walk matches of a
// lexeme in share f of rows rows (about walk/f rows tested) costs less,
// by pgCommonMargin, than the index's pgFetchCost for each of its f·rows
// matches.
func commonEnough(f, rows float64, walk int) bool {
	return pgCommonMargin*float64(walk)/f <= pgFetchCost*f*rows
}

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

// get returns the statistics, read again when older than pgCommonTTL. One
// search reads them; the others meanwhile use what was read before (none
// the first time: they wait).
func (w *pgCommonWords) get(ctx context.Context, s *Service) ([2]pgCommonTable, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.read.IsZero() && time.Since(w.read) < pgCommonTTL {
		return w.tables, nil
	}
	tables, err := s.readPGCommon(ctx)
	if err != nil {
		return [2]pgCommonTable{}, err
	}
	w.tables, w.read = tables, time.Now()
	return tables, nil
}

// readPGCommon reads the walks' tables' most common lexemes from pg_stats
// and their row counts from pg_class. A table never analyzed has none:
// its searches are planned.
func (s *Service) readPGCommon(ctx context.Context) ([2]pgCommonTable, error) {
	var out [2]pgCommonTable
	for i, table := range pgCommonTables {
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
				out[i].freq[e] = f
				return true, nil
			})
		if err != nil {
			return out, fmt.Errorf("ticket: search statistics of %s: %w", table, err)
		}
	}
	return out, nil
}
