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
}

type writeReq struct {
	ctx  context.Context
	fn   func(*Tx) error
	done chan error
	tx   *Tx
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
	}
	g.wg.Add(1)
	go g.loop()
	return g
}

func (g *groupWriter) do(ctx context.Context, fn func(*Tx) error) error {
	r := &writeReq{ctx: ctx, fn: fn, done: make(chan error, 1)}
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
	batch := make([]*writeReq, 0, g.maxBatch)
	for {
		var first *writeReq
		select {
		case first = <-g.reqs:
		case <-g.stop:
			// Answer whatever is still queued, then stop.
			for {
				select {
				case r := <-g.reqs:
					batch = append(batch[:0], r)
					g.commit(batch)
				default:
					return
				}
			}
		}
		batch = append(batch[:0], first)
	drain:
		for len(batch) < g.maxBatch {
			select {
			case r := <-g.reqs:
				batch = append(batch, r)
			default:
				break drain
			}
		}
		g.commit(batch)
	}
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
		r.tx = &Tx{tx: sqltx, dialect: g.dialect, stmts: stmts}
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
		cerr = sqltx.Commit()
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
