package db

import (
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"time"
)

// groupWriter serialises SQLite writes on one connection and lets concurrent
// writers share a transaction: while one commit waits for fsync, the next
// requests queue up and then commit together. Each request runs in its own
// savepoint so its failure undoes only its own work.
type groupWriter struct {
	conn     *sql.DB
	dialect  Dialect
	maxBatch int
	// reqs holds interactive writes (a visitor's message, an agent's
	// reply), bg background ones (job handlers, periodic sweeps; marked
	// with Background). A batch takes every interactive write waiting and
	// at most maxBackground background ones, so a backlog of jobs never
	// queues ahead of a person's write (docs/architecture.md).
	reqs    chan *writeReq
	bg      chan *writeReq
	stop    chan struct{}
	log     *slog.Logger
	walPath string // the WAL file, for the slow-batch log ("" unknown)
	wg      sync.WaitGroup
	once    sync.Once
	// prepared holds statements prepared on the writer's connection
	// (conn has exactly one), reused by every later transaction: parsing
	// and planning was a fifth of the writer's CPU when each batch
	// prepared its statements anew. A statement first seen inside a
	// transaction is noted in wanted and prepared after the commit, when
	// the connection is free. Both maps belong to the writer goroutine.
	prepared map[string]*sql.Stmt
	wanted   map[string]bool
	// ftsQueue is set once a commit has seen the full-text queue table
	// (migration 0081; before it, as while migrating, there is nothing to
	// flush). Belongs to the writer goroutine.
	ftsQueue bool
	// addresses is set once a commit has seen text_addresses (migration
	// 0100), which the flush then keeps. Belongs to the writer goroutine.
	addresses bool
	// pairs is set once a commit has seen word_pairs (migration 0105),
	// whose comments the flush then keeps; vocab is the registered pairs
	// as of the last commit (wordpairs.go). Belong to the writer goroutine.
	pairs bool
	vocab *pairVocab
	// merge is the idle-time full-text merger's state (ftsmerge.go).
	merge ftsMergeState
}

// flushSeen is what a commit's full-text flush found: the queue table,
// the address index and the word-pair index (each once a commit has seen
// it), and the word pairs it indexed with.
type flushSeen struct {
	queue, addresses, pairs bool
	vocab                   *pairVocab
}

// beforeCommit indexes the full-text changes the transaction noted
// (ftsqueue.go). It reports which of the flush's tables exist, and which
// indexes it wrote to.
func (g *groupWriter) beforeCommit(ctx context.Context, tx *Tx) (seen flushSeen, wrote ftsSet, err error) {
	seen = flushSeen{queue: g.ftsQueue, addresses: g.addresses, pairs: g.pairs, vocab: g.vocab}
	if !seen.queue || !seen.addresses || !seen.pairs {
		var q, a, p int
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(SUM(name = 'pending_fts'), 0), COALESCE(SUM(name = 'text_addresses'), 0),
			COALESCE(SUM(name = 'word_pairs'), 0) FROM sqlite_master
			WHERE type = 'table' AND name IN ('pending_fts', 'text_addresses', 'word_pairs')`).Scan(&q, &a, &p); err != nil {
			return flushSeen{}, 0, fmt.Errorf("db: full-text queue: %w", err)
		}
		seen.queue, seen.addresses, seen.pairs = q > 0, a > 0, p > 0
		if !seen.queue {
			return flushSeen{}, 0, nil
		}
	}
	wrote, err = flushFTS(ctx, tx, &seen)
	return seen, wrote, err
}

// committed notes a commit's full-text writes for the merger. The first
// commit that finds the queue table marks every index: automerge is then
// turned off on each, and what the index holds from before is merged.
// The word pairs the flush read are kept only now: a rolled-back
// transaction may have registered a pair that does not exist.
func (g *groupWriter) committed(seen flushSeen, wrote ftsSet) {
	if seen.queue && !g.ftsQueue {
		wrote = allFTS
	}
	g.ftsQueue = g.ftsQueue || seen.queue
	g.addresses = g.addresses || seen.addresses
	g.pairs = g.pairs || seen.pairs
	g.vocab = seen.vocab
	g.merge.pending |= wrote
}

// maxWriterStmts bounds the writer's statement cache: statements built
// from many combinations beyond it are prepared per batch.
const maxWriterStmts = 2000

// want notes q for preparing after the batch.
func (g *groupWriter) want(q string) {
	if len(g.prepared)+len(g.wanted) < maxWriterStmts {
		g.wanted[q] = true
	}
}

// prepareWanted prepares the statements noted during the last batch.
func (g *groupWriter) prepareWanted() {
	for q := range g.wanted {
		delete(g.wanted, q)
		st, err := g.conn.PrepareContext(context.Background(), q)
		if err != nil {
			continue // the statement's own run reports the error
		}
		g.prepared[q] = st
	}
}

type writeReq struct {
	ctx    context.Context
	queued time.Time // when it was handed to the writer
	// background: written for a job or a sweep (Background), behind
	// every interactive write.
	background bool
	fn         func(*Tx) error
	done       chan error
	tx         *Tx
	// bulk: a transaction of its own, without a savepoint (WriteBulk).
	bulk bool
}

// ErrClosed is returned by Write after Close.
var ErrClosed = errors.New("db: closed")

// maxBackground bounds the background writes in one batch: they run
// after the batch's interactive ones, and a batch commits (and answers
// its interactive writes) once they are done, so each batch carries at
// most this much background work.
const maxBackground = 16

// slowBatch is the batch duration (queue wait of its oldest write to its
// commit) from which the writer logs the batch's make-up.
const slowBatch = 500 * time.Millisecond

type backgroundKey struct{}

// Background marks ctx's writes as background work (jobs, periodic
// sweeps): on SQLite they queue behind interactive writes and at most
// maxBackground of them share a batch. Reads and PostgreSQL ignore it.
func Background(ctx context.Context) context.Context {
	return context.WithValue(ctx, backgroundKey{}, true)
}

// IsBackground reports whether ctx was marked by Background.
func IsBackground(ctx context.Context) bool {
	b, _ := ctx.Value(backgroundKey{}).(bool)
	return b
}

func newGroupWriter(conn *sql.DB, d Dialect, maxBatch int, log *slog.Logger, walPath string) *groupWriter {
	if log == nil {
		log = slog.Default()
	}
	g := &groupWriter{
		conn:     conn,
		dialect:  d,
		maxBatch: maxBatch,
		log:      log,
		walPath:  walPath,
		reqs:     make(chan *writeReq, maxBatch),
		bg:       make(chan *writeReq, maxBatch),
		stop:     make(chan struct{}),
		prepared: map[string]*sql.Stmt{},
		wanted:   map[string]bool{},
	}
	g.wg.Add(1)
	go g.loop()
	return g
}

func (g *groupWriter) do(ctx context.Context, fn func(*Tx) error, bulk bool) error {
	r := &writeReq{ctx: ctx, fn: fn, done: make(chan error, 1), bulk: bulk, queued: time.Now(), background: IsBackground(ctx)}
	q := g.reqs
	if r.background {
		q = g.bg
	}
	select {
	case q <- r:
	case <-g.stop:
		return ErrClosed
	case <-ctx.Done():
		return ctx.Err()
	}
	// Once queued the request is always answered: waiting for the answer
	// (rather than ctx) means a caller never reports failure for a write that
	// then commits.
	err := <-r.done
	if err == nil {
		for _, f := range r.tx.after {
			f()
		}
	}
	return err
}

func (g *groupWriter) close() {
	g.once.Do(func() {
		close(g.stop)
		g.wg.Wait()
	})
}

func (g *groupWriter) loop() {
	defer g.wg.Done()
	defer func() {
		for _, st := range g.prepared {
			st.Close()
		}
	}()
	batch := make([]*writeReq, 0, g.maxBatch)
	// next is a bulk request taken while gathering a batch: it waits for
	// the batch's commit and then has a transaction of its own.
	var next *writeReq
	for {
		first := next
		next = nil
		if first == nil {
			first = g.take()
			if first == nil {
				// Answer whatever is still queued, then stop.
				for {
					select {
					case r := <-g.reqs:
						g.commit(append(batch[:0], r))
					case r := <-g.bg:
						g.commit(append(batch[:0], r))
					default:
						return
					}
				}
			}
		}
		if first.bulk {
			g.commitBulk(first)
			g.prepareWanted()
			g.mergeIfBehind()
			continue
		}
		batch = append(batch[:0], first)
		nbg := 0
		if first.background {
			nbg++
		}
		// Every interactive write waiting, then background ones up to
		// maxBackground.
		batch, next = drain(g.reqs, batch, g.maxBatch)
		if next == nil {
			batch, next = drain(g.bg, batch, min(g.maxBatch, len(batch)+maxBackground-nbg))
		}
		g.commit(batch)
		g.prepareWanted()
		g.mergeIfBehind()
	}
}

// mergeIfBehind runs a full-text merge step when forceMergeAfter batches
// have committed since the last one while merge work was pending: the
// writer had no idle moment for it.
func (g *groupWriter) mergeIfBehind() {
	if g.merge.pending == 0 {
		return
	}
	g.merge.batches++
	if g.merge.batches >= forceMergeAfter {
		g.mergeStep()
	}
}

// drain adds the requests waiting on ch to batch until it holds limit; a
// bulk request ends the batch and is returned as next.
func drain(ch chan *writeReq, batch []*writeReq, limit int) (_ []*writeReq, next *writeReq) {
	for len(batch) < limit {
		select {
		case r := <-ch:
			if r.bulk {
				return batch, r
			}
			batch = append(batch, r)
		default:
			return batch, nil
		}
	}
	return batch, nil
}

// take waits for the next request, an interactive one first when both
// kinds wait; nil once the writer stops. While none waits it runs
// full-text merge steps (ftsmerge.go), one at a time, looking at the
// queues between them.
func (g *groupWriter) take() *writeReq {
	for {
		select {
		case r := <-g.reqs:
			return r
		default:
		}
		if g.merge.pending == 0 {
			break
		}
		select {
		case r := <-g.bg:
			return r
		case <-g.stop:
			return nil
		default:
		}
		g.mergeStep()
	}
	select {
	case r := <-g.reqs:
		return r
	case r := <-g.bg:
		return r
	case <-g.stop:
		return nil
	}
}

// batchTimes is how one batch's time was spent, for the slow-batch log.
type batchTimes struct {
	start           time.Time     // the batch began
	wait            time.Duration // its oldest write's wait in the queue
	slowest         time.Duration // its slowest write's statements
	slowestBg       bool          // the slowest was a background write
	work, fts, sync time.Duration // statements, full-text flush, commit
	n, bg           int
	bulk            bool // a bulk write (WriteBulk): long by design
}

// logSlow logs a batch that took slowBatch or more from its oldest
// write's arrival to its commit, with what it was made of, so a stall
// can be told apart: a long queue (wait), slow statements (work,
// slowest), or a slow commit (sync: the fsync, on SQLite also a WAL
// checkpoint when one runs on the commit path).
//
// A bulk write (an import's batch of hundreds of tickets) is long by
// design: it is logged as slow only when it waited slowBatch in the
// queue. The interactive writes it holds up are logged with their own
// queue wait.
func (g *groupWriter) logSlow(t batchTimes) {
	total := t.wait + time.Since(t.start)
	if total < slowBatch || t.bulk && t.wait < slowBatch {
		// At debug level every batch is logged: where a write's latency
		// goes (docs/benchmarks.md, the create tail on SQLite).
		if g.log.Enabled(context.Background(), slog.LevelDebug) {
			g.log.Debug("db: write batch", "total", total, "queue_wait", t.wait, "writes", t.n, "background", t.bg,
				"statements", t.work, "fts", t.fts, "commit", t.sync, "wal_bytes", g.walSize(), "wal_seq", g.walSeq())
		}
		return
	}
	g.log.Warn("db: slow write batch", "total", total, "queue_wait", t.wait, "writes", t.n, "background", t.bg,
		"statements", t.work, "slowest", t.slowest, "slowest_background", t.slowestBg, "fts", t.fts, "commit", t.sync,
		"wal_bytes", g.walSize(), "queued_interactive", len(g.reqs), "queued_background", len(g.bg))
}

// walSeq is the checkpoint sequence number in the WAL file's header (-1
// unknown), for the debug log: SQLite starts the WAL over, and counts one
// more, on the first commit after a checkpoint has copied every frame
// into the database, so a batch whose number differs from the batch
// before follows a complete checkpoint — as a rule the automatic one that
// ran inside the previous batch's commit, which that commit's time holds.
func (g *groupWriter) walSeq() int64 {
	if g.walPath == "" {
		return -1
	}
	f, err := os.Open(g.walPath)
	if err != nil {
		return -1
	}
	defer f.Close()
	var h [16]byte
	if _, err := f.ReadAt(h[:], 0); err != nil {
		return -1
	}
	return int64(binary.BigEndian.Uint32(h[12:16]))
}

// walSize is the WAL file's size (-1 unknown).
func (g *groupWriter) walSize() int64 {
	if g.walPath != "" {
		if fi, err := os.Stat(g.walPath); err == nil {
			return fi.Size()
		}
	}
	return -1
}

// commitBulk runs one request in a transaction of its own with no
// savepoint: its failure rolls the whole transaction back. Inside a
// savepoint SQLite copies each page a write changes into the statement
// journal (in memory: temp_store=MEMORY) for as long as the savepoint is
// open, and every statement's end truncates that journal by walking it
// from the start, so a write of thousands of rows in one savepoint costs
// the square of its size. Without one, each statement's journal is
// dropped whole when the statement ends.
func (g *groupWriter) commitBulk(r *writeReq) {
	bt := batchTimes{start: time.Now(), n: 1, bulk: true}
	bt.wait = bt.start.Sub(r.queued)
	if r.background {
		bt.bg = 1
	}
	defer func() {
		bt.work = time.Since(bt.start)
		g.logSlow(bt)
	}()
	if err := r.ctx.Err(); err != nil {
		r.done <- err
		return
	}
	ctx := context.Background()
	sqltx, err := g.conn.BeginTx(ctx, nil)
	if err != nil {
		r.done <- fmt.Errorf("db: begin: %w", err)
		return
	}
	r.tx = &Tx{tx: sqltx, dialect: g.dialect, stmts: map[string]*sql.Stmt{}, gw: g}
	if err := runProtected(r.tx, r.fn); err != nil {
		_ = sqltx.Rollback()
		r.done <- err
		return
	}
	seen, wrote, err := g.beforeCommit(ctx, r.tx)
	if err != nil {
		_ = sqltx.Rollback()
		r.done <- err
		return
	}
	if err := sqltx.Commit(); err != nil {
		r.done <- fmt.Errorf("db: commit: %w", err)
		return
	}
	g.committed(seen, wrote)
	r.done <- nil
}

func (g *groupWriter) commit(batch []*writeReq) {
	ctx := context.Background()
	bt := batchTimes{start: time.Now(), n: len(batch)}
	for _, r := range batch {
		bt.wait = max(bt.wait, bt.start.Sub(r.queued))
		if r.background {
			bt.bg++
		}
	}
	defer func() { g.logSlow(bt) }()
	sqltx, err := g.conn.BeginTx(ctx, nil)
	if err != nil {
		for _, r := range batch {
			r.done <- fmt.Errorf("db: begin: %w", err)
		}
		return
	}
	results := make([]error, len(batch))
	ok := 0
	stmts := map[string]*sql.Stmt{}
	for i, r := range batch {
		if err := r.ctx.Err(); err != nil {
			results[i] = err
			continue
		}
		r.tx = &Tx{tx: sqltx, dialect: g.dialect, stmts: stmts, gw: g, uncancelled: true}
		if _, err := sqltx.ExecContext(ctx, "SAVEPOINT w"); err != nil {
			results[i] = fmt.Errorf("db: savepoint: %w", err)
			continue
		}
		began := time.Now()
		err := runProtected(r.tx, r.fn)
		if d := time.Since(began); d > bt.slowest {
			bt.slowest, bt.slowestBg = d, r.background
		}
		if err != nil {
			results[i] = err
			if _, rerr := sqltx.ExecContext(ctx, "ROLLBACK TO w"); rerr != nil {
				// The transaction is unusable: fail the whole batch.
				_ = sqltx.Rollback()
				for _, r := range batch {
					r.done <- fmt.Errorf("db: rollback to savepoint: %w", rerr)
				}
				return
			}
		} else {
			ok++
		}
		if _, err := sqltx.ExecContext(ctx, "RELEASE w"); err != nil && results[i] == nil {
			results[i] = fmt.Errorf("db: release savepoint: %w", err)
		}
	}
	var cerr error
	bt.work = time.Since(bt.start)
	if ok > 0 {
		// The batch's full-text changes, indexed once now that no
		// savepoint is open. Its failure fails the whole batch.
		seen, wrote, err := g.beforeCommit(ctx, &Tx{tx: sqltx, dialect: g.dialect, stmts: stmts, gw: g, uncancelled: true})
		bt.fts = time.Since(bt.start) - bt.work
		if err != nil {
			_ = sqltx.Rollback()
			for i, r := range batch {
				if results[i] != nil {
					r.done <- results[i]
				} else {
					r.done <- err
				}
			}
			return
		}
		synced := time.Now()
		if cerr = sqltx.Commit(); cerr == nil {
			g.committed(seen, wrote)
		}
		bt.sync = time.Since(synced)
	} else {
		cerr = sqltx.Rollback()
		if cerr != nil {
			cerr = nil // nothing to keep; a failed rollback changes no answer
		}
	}
	for i, r := range batch {
		switch {
		case results[i] != nil:
			r.done <- results[i]
		case cerr != nil:
			r.done <- fmt.Errorf("db: commit: %w", cerr)
		default:
			r.done <- nil
		}
	}
}
