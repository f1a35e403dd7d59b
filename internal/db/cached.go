package db

import (
	"context"
	"fmt"
	"sync"
)

// Configuration that ticket writes consult (active triggers, SLA policies
// and calendars, webhook subscriptions) changes rarely and is read by every
// write. It is kept in memory (Cached) and checked against the
// configuration stamp: a row whose value a database trigger changes in
// every transaction that changes one of those tables (migration
// 0068_config_stamp). A write learns the stamp once per transaction — in a
// column of its first statement (StampColumn, SetConfigStamp) or, failing
// that, with one small read — and a cached value loaded at another stamp
// is loaded again. A change committed on any instance sharing the database
// is therefore seen by the first write that starts after it, with no
// notification to miss; on SQLite a change made earlier in the same
// group-commit batch is seen too.

// StampColumn is a scalar subquery that a write's first statement returns
// as an extra column, so that the write learns the configuration stamp
// without a round trip of its own (pass it to Tx.SetConfigStamp).
const StampColumn = `(SELECT n FROM config_stamp WHERE id = 1)`

// SetConfigStamp records the configuration stamp read by a statement of
// this transaction.
func (t *Tx) SetConfigStamp(n int64) { t.stamp, t.hasStamp = n, true }

// HasConfigStamp reports whether the transaction knows its configuration
// stamp already, so ConfigStamp costs no round trip.
func (t *Tx) HasConfigStamp() bool { return t.hasStamp }

// ConfigStamp is the configuration stamp as this transaction sees it; it is
// read at most once per transaction. A transaction that changes the
// configuration and then reads it through a Cached value in the same
// transaction would see the value at its first reading: services change
// configuration in transactions of their own.
func (t *Tx) ConfigStamp(ctx context.Context) (int64, error) {
	if t.hasStamp {
		return t.stamp, nil
	}
	var n int64
	if err := t.QueryRowContext(ctx, `SELECT `+StampColumn).Scan(&n); err != nil {
		return 0, fmt.Errorf("db: read config stamp: %w", err)
	}
	t.SetConfigStamp(n)
	return n, nil
}

// Cached is a value derived from configuration tables covered by the
// configuration stamp, loaded again whenever the stamp moved. Values are
// shared between goroutines: callers must not modify them.
type Cached[T any] struct {
	load func(ctx context.Context, tx *Tx) (T, error)

	mu    sync.Mutex
	val   T
	stamp int64
	ok    bool
	loads int
}

// NewCached returns a cache filled by load, which reads inside the write's
// transaction.
func NewCached[T any](load func(ctx context.Context, tx *Tx) (T, error)) *Cached[T] {
	return &Cached[T]{load: load}
}

// Get returns the value as of tx's configuration stamp.
func (c *Cached[T]) Get(ctx context.Context, tx *Tx) (T, error) {
	var zero T
	n, err := tx.ConfigStamp(ctx)
	if err != nil {
		return zero, err
	}
	c.mu.Lock()
	if c.ok && c.stamp == n {
		v := c.val
		c.mu.Unlock()
		return v, nil
	}
	c.mu.Unlock()
	// Loaded after the stamp was read in the same transaction, the value is
	// at least as new as the stamp says.
	v, err := c.load(ctx, tx)
	if err != nil {
		return zero, err
	}
	c.mu.Lock()
	c.val, c.stamp, c.ok = v, n, true
	c.loads++
	c.mu.Unlock()
	return v, nil
}

// Loads reports how often the value was read from the database (tests).
func (c *Cached[T]) Loads() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.loads
}

// ReadConfigStamp reads the configuration stamp outside a write (a
// background job's reads). A value loaded after reading it is at least as
// new as the stamp says, so a cache filled that way may be kept for as long
// as the stamp stays the same.
func ReadConfigStamp(ctx context.Context, q Querier) (int64, error) {
	var n int64
	if err := q.QueryRowContext(ctx, `SELECT `+StampColumn).Scan(&n); err != nil {
		return 0, fmt.Errorf("db: read config stamp: %w", err)
	}
	return n, nil
}
