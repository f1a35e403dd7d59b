package db

import (
	"context"
	"fmt"
	"log/slog"
	"time"
)

// FTS5 merges its index segments as it writes them (automerge): every few
// commits the commit that flushed a new segment also merged older ones,
// and now and then a level of 16 segments was merged whole (crisismerge),
// a merge of thousands of pages inside one interactive commit. Those
// commits were the create tail on SQLite (docs/benchmarks.md, issue 13
// item 3). The group writer turns automerge off on the indexes it feeds
// (ftsTables) and does the same merging itself in small steps, each a
// transaction of its own, when no write is waiting; see mergeStep.
//
// Bounds: each step merges at most mergeStepPages pages, so a write that
// arrives during one waits for at most that. A writer that never idles
// still runs a step after every forceMergeAfter batches, and FTS5's
// crisismerge (a level of 16 segments is merged at once, kept on) bounds
// the segments per level whatever happens.

// ftsSet is a set of indexes, bit i for ftsTables[i].
type ftsSet uint8

func (s ftsSet) with(i int) ftsSet    { return s | 1<<i }
func (s ftsSet) without(i int) ftsSet { return s &^ (1 << i) }
func (s ftsSet) has(i int) bool       { return s&(1<<i) != 0 }

// allFTS is every index in ftsTables.
var allFTS = ftsSet(1<<len(ftsTables) - 1)

const (
	// mergeStepPages is the output pages of one merge step ('merge' N):
	// about a millisecond of the writer's time on a 100,000-ticket index.
	mergeStepPages = 32
	// forceMergeAfter is the batches after which a step runs although
	// writes are waiting, so merging keeps up with a writer that never
	// idles.
	forceMergeAfter = 16
)

// ftsMergeState is the idle-time merger's state; it belongs to the writer
// goroutine.
type ftsMergeState struct {
	pending ftsSet // indexes that may have merge work left
	next    int    // the index the next step starts looking at
	batches int    // batches committed since the last step
}

// mergeStep runs one merge step on the next index with work pending, in a
// transaction of its own, and clears the index from pending when FTS5
// found nothing left to merge (the step changed no rows).
//
// The step commits with synchronous=NORMAL: a merge rewrites what is
// already durable, so losing the step to a power cut loses nothing, and
// the WAL frames it wrote are synced by the next interactive commit. A
// step that had to wait for fsync would hold up the writes arriving
// during it by as much as a commit.
func (g *groupWriter) mergeStep() {
	m := &g.merge
	if m.pending == 0 {
		return
	}
	i := m.next
	for !m.pending.has(i) {
		i = (i + 1) % len(ftsTables)
	}
	m.next = (i + 1) % len(ftsTables)
	m.batches = 0
	began := time.Now()
	did, err := g.mergeIndex(context.Background(), ftsTables[i].fts)
	if g.log.Enabled(context.Background(), slog.LevelDebug) {
		g.log.Debug("db: full-text merge step", "index", ftsTables[i].fts, "took", time.Since(began), "merged", did,
			"queued_interactive", len(g.reqs))
	}
	if err != nil {
		// Not retried until the index is written again: a failing step
		// must not spin the idle writer. FTS5's crisismerge still bounds
		// the index meanwhile.
		g.log.Warn("db: full-text merge step", "index", ftsTables[i].fts, "err", err)
		did = false
	}
	if !did {
		m.pending = m.pending.without(i)
	}
}

// mergeIndex turns automerge off on fts (again, if the table was made
// anew) and merges up to mergeStepPages of its pages. It reports whether
// FTS5 merged anything.
func (g *groupWriter) mergeIndex(ctx context.Context, fts string) (merged bool, err error) {
	if _, err := g.conn.ExecContext(ctx, `PRAGMA synchronous = NORMAL`); err != nil {
		return false, fmt.Errorf("relax sync: %w", err)
	}
	defer func() {
		// Every later commit must be durable again: a failure here is the
		// one error that matters more than the step's.
		if _, rerr := g.conn.ExecContext(ctx, `PRAGMA synchronous = FULL`); rerr != nil {
			g.log.Error("db: restore synchronous=FULL after a full-text merge step", "err", rerr)
			err = fmt.Errorf("restore sync: %w", rerr)
		}
	}()
	tx, err := g.conn.BeginTx(ctx, nil)
	if err != nil {
		return false, fmt.Errorf("begin: %w", err)
	}
	defer func() {
		if err != nil {
			_ = tx.Rollback()
		}
	}()
	var off int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM `+fts+`_config WHERE k = 'automerge' AND v = 0`).Scan(&off); err != nil {
		return false, fmt.Errorf("read automerge: %w", err)
	}
	if off == 0 {
		if _, err := tx.ExecContext(ctx, `INSERT INTO `+fts+`(`+fts+`, rank) VALUES ('automerge', 0)`); err != nil {
			return false, fmt.Errorf("automerge off: %w", err)
		}
	}
	// FTS5 changes at least two rows (a page and the structure record)
	// when it merged anything, none when there was nothing to merge.
	var before, after int64
	if err := tx.QueryRowContext(ctx, `SELECT total_changes()`).Scan(&before); err != nil {
		return false, fmt.Errorf("changes: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO `+fts+`(`+fts+`, rank) VALUES ('merge', ?)`, mergeStepPages); err != nil {
		return false, fmt.Errorf("merge: %w", err)
	}
	if err := tx.QueryRowContext(ctx, `SELECT total_changes()`).Scan(&after); err != nil {
		return false, fmt.Errorf("changes: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return false, fmt.Errorf("commit: %w", err)
	}
	return after-before >= 2, nil
}
