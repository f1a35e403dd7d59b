package kb

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/ombud/ombud/internal/db"
)

// The knowledge report's view and search-miss counters (stats.go) are
// counted in memory and written in one set-based statement per table
// every flush (docs/knowledge.md, "Counting views and searches"): a
// public page view or search is no write of its own on the database's
// single writer. Flush runs periodically (RunCounters), on stop and
// before the report reads the counters.

// DefaultCounterFlush is how often RunCounters writes the counters.
const DefaultCounterFlush = 10 * time.Second

// maxBufferedMisses bounds the distinct missed queries held between two
// flushes; more are dropped until the next flush (a day keeps at most
// MaxMissesPerDay anyway).
const maxBufferedMisses = 4 * MaxMissesPerDay

// flushRows is how many counter rows one statement writes.
const flushRows = 200

type viewKey struct {
	article         int64
	language, chann string
	day             int64
}

type missKey struct {
	query, language, chann string
	day                    int64
}

type missCount struct {
	n        int64
	lastSeen int64
}

// counters are the counts not yet written. flushMu lets one flush run
// at a time, so the report's flush waits for a periodic one in progress.
type counters struct {
	mu      sync.Mutex
	views   map[viewKey]int64
	misses  map[missKey]missCount
	flushMu sync.Mutex
}

func (c *counters) addView(k viewKey) {
	c.mu.Lock()
	if c.views == nil {
		c.views = map[viewKey]int64{}
	}
	c.views[k]++
	c.mu.Unlock()
}

func (c *counters) addMiss(k missKey, at int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.misses == nil {
		c.misses = map[missKey]missCount{}
	}
	m, ok := c.misses[k]
	if !ok && len(c.misses) >= maxBufferedMisses {
		return
	}
	m.n++
	m.lastSeen = max(m.lastSeen, at)
	c.misses[k] = m
}

// take empties the buffer and returns what it held.
func (c *counters) take() (map[viewKey]int64, map[missKey]missCount) {
	c.mu.Lock()
	defer c.mu.Unlock()
	v, m := c.views, c.misses
	c.views, c.misses = nil, nil
	return v, m
}

// putBack returns counts a failed flush could not write, so the next
// flush tries them again.
func (c *counters) putBack(views map[viewKey]int64, misses map[missKey]missCount) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(views) > 0 && c.views == nil {
		c.views = map[viewKey]int64{}
	}
	for k, n := range views {
		c.views[k] += n
	}
	if len(misses) > 0 && c.misses == nil {
		c.misses = map[missKey]missCount{}
	}
	for k, m := range misses {
		o := c.misses[k]
		c.misses[k] = missCount{n: o.n + m.n, lastSeen: max(o.lastSeen, m.lastSeen)}
	}
}

// PendingCounts is how many views and missed searches are counted but not
// yet written.
func (s *Service) PendingCounts() (views, misses int64) {
	s.counters.mu.Lock()
	defer s.counters.mu.Unlock()
	for _, n := range s.counters.views {
		views += n
	}
	for _, m := range s.counters.misses {
		misses += m.n
	}
	return views, misses
}

// FlushCounters writes the counted views and missed searches in one
// transaction: one multi-row upsert per table (per flushRows rows). On
// failure the counts stay in memory for the next flush.
func (s *Service) FlushCounters(ctx context.Context) error {
	s.counters.flushMu.Lock()
	defer s.counters.flushMu.Unlock()
	views, misses := s.counters.take()
	if len(views) == 0 && len(misses) == 0 {
		return nil
	}
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		if err := writeViews(ctx, tx, views); err != nil {
			return err
		}
		return writeMisses(ctx, tx, misses)
	})
	if err != nil {
		s.counters.putBack(views, misses)
		return fmt.Errorf("kb: flush counters: %w", err)
	}
	return nil
}

// RunCounters flushes the counters every interval until ctx ends, then
// once more (with its own short deadline), so a stop loses nothing counted
// before it. Run it after the listeners stopped taking requests.
func (s *Service) RunCounters(ctx context.Context, interval time.Duration) {
	if interval <= 0 {
		interval = DefaultCounterFlush
	}
	tk := time.NewTicker(interval)
	defer tk.Stop()
	for {
		select {
		case <-tk.C:
			if err := s.FlushCounters(ctx); err != nil && ctx.Err() == nil {
				s.log.Warn("kb: flush counters", "err", err)
			}
		case <-ctx.Done():
			fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
			defer cancel()
			if err := s.FlushCounters(fctx); err != nil {
				s.log.Error("kb: flush counters on stop", "err", err)
			}
			return
		}
	}
}

// counterValues is "(CAST(? AS t1), …), …" for n rows of the given column types:
// a VALUES list in a subquery needs its types spelled out on PostgreSQL.
func counterValues(n int, types ...string) string {
	cols := make([]string, len(types))
	for i, t := range types {
		cols[i] = "CAST(? AS " + t + ")"
	}
	row := "(" + strings.Join(cols, ", ") + ")"
	return strings.TrimSuffix(strings.Repeat(row+", ", n), ", ")
}

func writeViews(ctx context.Context, tx *db.Tx, views map[viewKey]int64) error {
	rows := make([][]any, 0, len(views))
	for k, n := range views {
		rows = append(rows, []any{k.article, k.language, k.chann, k.day, n})
	}
	for len(rows) > 0 {
		chunk := rows[:min(len(rows), flushRows)]
		rows = rows[len(chunk):]
		args := make([]any, 0, 5*len(chunk))
		for _, r := range chunk {
			args = append(args, r...)
		}
		// Views of an article deleted meanwhile are dropped (EXISTS).
		if _, err := tx.ExecContext(ctx, `INSERT INTO kb_views (article_id, language, channel, day, views)
			SELECT v.column1, v.column2, v.column3, v.column4, v.column5 FROM (VALUES `+counterValues(len(chunk), "BIGINT", "TEXT", "TEXT", "BIGINT", "BIGINT")+`) AS v
			WHERE EXISTS (SELECT 1 FROM kb_articles a WHERE a.id = v.column1)
			ON CONFLICT (article_id, language, channel, day) DO UPDATE SET views = kb_views.views + excluded.views`, args...); err != nil {
			return fmt.Errorf("kb: views: %w", err)
		}
	}
	return nil
}

// writeMisses adds the missed searches: queries already listed that day
// add up; new ones are listed while the day has fewer than
// MaxMissesPerDay.
func writeMisses(ctx context.Context, tx *db.Tx, misses map[missKey]missCount) error {
	if len(misses) == 0 {
		return nil
	}
	byDay := map[int64][]missKey{}
	for k := range misses {
		byDay[k.day] = append(byDay[k.day], k)
	}
	var rows [][]any
	for d, keys := range byDay {
		listed := map[missKey]bool{}
		kept := 0
		err := eachQueryRow(ctx, tx, `SELECT query, language, channel FROM kb_search_misses WHERE day = ?`, []any{d}, func(sc func(...any) error) error {
			k := missKey{day: d}
			if err := sc(&k.query, &k.language, &k.chann); err != nil {
				return err
			}
			kept++
			if _, ok := misses[k]; ok {
				listed[k] = true
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("kb: search misses: %w", err)
		}
		// Most searched first, so the cap keeps the biggest gaps.
		sortMisses(keys, misses)
		for _, k := range keys {
			if !listed[k] {
				if kept >= MaxMissesPerDay {
					continue
				}
				kept++
			}
			m := misses[k]
			rows = append(rows, []any{k.query, k.language, k.chann, k.day, m.n, m.lastSeen})
		}
	}
	for len(rows) > 0 {
		chunk := rows[:min(len(rows), flushRows)]
		rows = rows[len(chunk):]
		args := make([]any, 0, 6*len(chunk))
		for _, r := range chunk {
			args = append(args, r...)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO kb_search_misses (query, language, channel, day, searches, last_seen)
			SELECT v.column1, v.column2, v.column3, v.column4, v.column5, v.column6 FROM (VALUES `+counterValues(len(chunk), "TEXT", "TEXT", "TEXT", "BIGINT", "BIGINT", "BIGINT")+`) AS v
			WHERE true
			ON CONFLICT (query, language, channel, day) DO UPDATE SET searches = kb_search_misses.searches + excluded.searches,
			last_seen = CASE WHEN excluded.last_seen > kb_search_misses.last_seen THEN excluded.last_seen ELSE kb_search_misses.last_seen END`, args...); err != nil {
			return fmt.Errorf("kb: search misses: %w", err)
		}
	}
	return nil
}

func eachQueryRow(ctx context.Context, q db.Querier, query string, args []any, fn func(scan func(...any) error) error) error {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows.Scan); err != nil {
			return err
		}
	}
	return rows.Err()
}

func sortMisses(keys []missKey, misses map[missKey]missCount) {
	slices.SortFunc(keys, func(a, b missKey) int {
		if c := cmp.Compare(misses[b].n, misses[a].n); c != 0 {
			return c
		}
		return cmp.Compare(a.query+"\x00"+a.language+"\x00"+a.chann, b.query+"\x00"+b.language+"\x00"+b.chann)
	})
}
