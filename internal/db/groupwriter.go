package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
)

// groupWriter serialises SQLite writes on one connection and lets concurrent
// writers share a transaction: while one commit waits for fsync, the next
// requests queue up and then commit together. Each request runs in its own
// savepoint so its failure undoes only its own work.
type groupWriter struct {
	conn     *sql.DB
	dialect  Dialect
	maxBatch int
	reqs     chan *writeReq
	stop     chan struct{}
	wg       sync.WaitGroup
	once     sync.Once
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
}

// beforeCommit indexes the full-text changes the transaction noted
// (ftsqueue.go). It reports whether the queue table exists.
func (g *groupWriter) beforeCommit(ctx context.Context, tx *Tx) (bool, error) {
	if !g.ftsQueue {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'pending_fts'`).Scan(&n); err != nil {
			return false, fmt.Errorf("db: full-text queue: %w", err)
		}
		if n == 0 {
			return false, nil
		}
	}
	return true, flushFTS(ctx, tx)
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
	ctx  context.Context
	fn   func(*Tx) error
	done chan error
	tx   *Tx
	// bulk: a transaction of its own, without a savepoint (WriteBulk).
	bulk bool
}

// ErrClosed is returned by Write after Close.
var ErrClosed = errors.New("db: closed")

func newGroupWriter(conn *sql.DB, d Dialect, maxBatch int) *groupWriter {
	g := &groupWriter{
		conn:     conn,
		dialect:  d,
		maxBatch: maxBatch,
		reqs:     make(chan *writeReq, maxBatch),
		stop:     make(chan struct{}),
		prepared: map[string]*sql.Stmt{},
		wanted:   map[string]bool{},
	}
	g.wg.Add(1)
	go g.loop()
	return g
}

func (g *groupWriter) do(ctx context.Context, fn func(*Tx) error, bulk bool) error {
	r := &writeReq{ctx: ctx, fn: fn, done: make(chan error, 1), bulk: bulk}
	select {
	case g.reqs <- r:
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
			select {
			case first = <-g.reqs:
			case <-g.stop:
				// Answer whatever is still queued, then stop.
				for {
					select {
					case r := <-g.reqs:
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
			continue
		}
		batch = append(batch[:0], first)
	drain:
		for len(batch) < g.maxBatch {
			select {
			case r := <-g.reqs:
				if r.bulk {
					next = r
					break drain
				}
				batch = append(batch, r)
			default:
				break drain
			}
		}
		g.commit(batch)
		g.prepareWanted()
	}
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
	queue, err := g.beforeCommit(ctx, r.tx)
	if err != nil {
		_ = sqltx.Rollback()
		r.done <- err
		return
	}
	if err := sqltx.Commit(); err != nil {
		r.done <- fmt.Errorf("db: commit: %w", err)
		return
	}
	g.ftsQueue = g.ftsQueue || queue
	r.done <- nil
}

func (g *groupWriter) commit(batch []*writeReq) {
	ctx := context.Background()
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
		if err := runProtected(r.tx, r.fn); err != nil {
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
	if ok > 0 {
		// The batch's full-text changes, indexed once now that no
		// savepoint is open. Its failure fails the whole batch.
		queue, err := g.beforeCommit(ctx, &Tx{tx: sqltx, dialect: g.dialect, stmts: stmts, gw: g, uncancelled: true})
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
		if cerr = sqltx.Commit(); cerr == nil {
			g.ftsQueue = g.ftsQueue || queue
		}
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
