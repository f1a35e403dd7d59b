// Package jobs is Ombud's durable, database-backed job queue (the outbox) and
// periodic scheduler.
//
// A side effect — outbound email, a webhook, a notification, an SLA check —
// is written as a job row with Enqueue inside the same write transaction as
// the change that causes it, so a crash after the commit never loses it and a
// rollback never sends it. An idempotency key per kind makes a repeated
// enqueue (a retried request, two instances scheduling the same slot) a no-op.
//
// A Runner claims due jobs under a lease (PostgreSQL: FOR UPDATE SKIP LOCKED,
// so instances sharing a database never claim the same job), runs the
// handler registered for the job's kind and records the outcome: done, queued
// again after a backoff, or dead. Delivery is at least once: a job whose
// instance dies mid-run is claimed again when its lease expires, so handlers
// must tolerate an occasional repeat (use the job id or key as the idempotency
// key towards the outside world where it offers one).
package jobs

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/db"
)

// Job states.
const (
	StateQueued  = "queued"
	StateRunning = "running"
	StateDone    = "done"
	StateDead    = "dead"
)

// States lists every state, in lifecycle order.
var States = []string{StateQueued, StateRunning, StateDone, StateDead}

// DefaultMaxAttempts is used when New.MaxAttempts is 0.
const DefaultMaxAttempts = 8

// Limits on what Enqueue accepts; the key is an index column, the kind a label.
const (
	maxKindLen  = 100
	maxKeyLen   = 500
	maxErrorLen = 4000
)

// Job is one row of the queue.
type Job struct {
	ID          int64           `json:"id"`
	Kind        string          `json:"kind"`
	Key         string          `json:"key"`
	Payload     json.RawMessage `json:"payload"`
	RunAt       time.Time       `json:"run_at"`
	Attempts    int             `json:"attempts"`
	MaxAttempts int             `json:"max_attempts"`
	State       string          `json:"state"`      // queued, running, done, dead
	LastError   string          `json:"last_error"` // of the latest failed attempt, kept after a later success
	CreatedAt   time.Time       `json:"created_at"`
	UpdatedAt   time.Time       `json:"updated_at"`
	DoneAt      *time.Time      `json:"done_at"` // when it became done or dead
}

// New describes a job to enqueue.
type New struct {
	Kind string
	// Key is an idempotency key, unique per kind while the row exists (done
	// rows are kept for a week); "" means none.
	Key string
	// Payload is marshalled to JSON.
	Payload any
	// RunAt is the earliest time to run; zero means now.
	RunAt time.Time
	// MaxAttempts bounds the runs before the job is dead; 0 means DefaultMaxAttempts.
	MaxAttempts int
}

// jobColumns is the select list scanJob reads.
const jobColumns = `id, kind, idem_key, payload, run_at, attempts, max_attempts, state, last_error, created_at, updated_at, done_at`

type scanner interface{ Scan(dest ...any) error }

func scanJob(s scanner) (Job, error) {
	var j Job
	var payload []byte
	var runAt, created, updated int64
	var done sql.NullInt64
	if err := s.Scan(&j.ID, &j.Kind, &j.Key, &payload, &runAt, &j.Attempts, &j.MaxAttempts,
		&j.State, &j.LastError, &created, &updated, &done); err != nil {
		return Job{}, err
	}
	// The driver may reuse its buffer; keep a copy.
	j.Payload = append(json.RawMessage(nil), payload...)
	j.RunAt = db.Time(runAt)
	j.CreatedAt = db.Time(created)
	j.UpdatedAt = db.Time(updated)
	if done.Valid {
		t := db.Time(done.Int64)
		j.DoneAt = &t
	}
	return j, nil
}

// Enqueue inserts the job inside the caller's write transaction, so it exists
// exactly when the caller's change commits. A job with the same Kind and a
// non-empty Key already present is not inserted again: Enqueue then returns
// false and no error. Call tx.AfterCommit(runner.Wake) to have a runner in
// this process pick the job up at once instead of at its next poll.
func Enqueue(ctx context.Context, tx *db.Tx, now time.Time, n New) (inserted bool, err error) {
	switch {
	case n.Kind == "":
		return false, errors.New("jobs: enqueue: kind is required")
	case len(n.Kind) > maxKindLen:
		return false, fmt.Errorf("jobs: enqueue: kind longer than %d bytes", maxKindLen)
	case len(n.Key) > maxKeyLen:
		return false, fmt.Errorf("jobs: enqueue %s: key longer than %d bytes", n.Kind, maxKeyLen)
	case n.MaxAttempts < 0:
		return false, fmt.Errorf("jobs: enqueue %s: negative max attempts", n.Kind)
	}
	payload, err := json.Marshal(n.Payload)
	if err != nil {
		return false, fmt.Errorf("jobs: enqueue %s: marshal payload: %w", n.Kind, err)
	}
	if n.MaxAttempts == 0 {
		n.MaxAttempts = DefaultMaxAttempts
	}
	if n.RunAt.IsZero() {
		n.RunAt = now
	}
	ms := db.Millis(now)
	// ON CONFLICT … DO NOTHING rather than catching the unique violation: on
	// PostgreSQL a failed statement would abort the caller's whole transaction.
	// The conflict target repeats the partial index's predicate so both
	// engines can match it.
	var id int64
	err = tx.QueryRowContext(ctx, `INSERT INTO jobs (kind, idem_key, payload, state, run_at, attempts, max_attempts, created_at, updated_at)
		VALUES (?, ?, ?, 'queued', ?, 0, ?, ?, ?)
		ON CONFLICT (kind, idem_key) WHERE idem_key <> '' DO NOTHING
		RETURNING id`,
		n.Kind, n.Key, string(payload), db.Millis(n.RunAt), n.MaxAttempts, ms, ms).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("jobs: enqueue %s: %w", n.Kind, err)
	}
	return true, nil
}

// List returns jobs newest first, optionally only those in state, starting
// after the job id afterID (0 for the first page). limit is clamped to 1…1000
// (0 means 25).
func List(ctx context.Context, d *db.DB, state string, limit int, afterID int64) ([]Job, error) {
	if state != "" && !validState(state) {
		return nil, apperr.InvalidField("state", "must be one of queued, running, done, dead")
	}
	switch {
	case limit <= 0:
		limit = 25
	case limit > 1000:
		limit = 1000
	}
	q := `SELECT ` + jobColumns + ` FROM jobs WHERE 1 = 1`
	var args []any
	if state != "" {
		q += ` AND state = ?`
		args = append(args, state)
	}
	if afterID > 0 {
		q += ` AND id < ?`
		args = append(args, afterID)
	}
	q += ` ORDER BY id DESC LIMIT ?`
	args = append(args, limit)
	rows, err := d.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("jobs: list: %w", err)
	}
	defer rows.Close()
	out := []Job{}
	for rows.Next() {
		j, err := scanJob(rows)
		if err != nil {
			return nil, fmt.Errorf("jobs: list: %w", err)
		}
		out = append(out, j)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("jobs: list: %w", err)
	}
	return out, nil
}

func validState(s string) bool {
	for _, v := range States {
		if s == v {
			return true
		}
	}
	return false
}

// Get returns one job; apperr.NotFound when there is none with that id.
func Get(ctx context.Context, d *db.DB, id int64) (Job, error) {
	j, err := scanJob(d.QueryRowContext(ctx, `SELECT `+jobColumns+` FROM jobs WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Job{}, apperr.NotFound("job", id)
	}
	if err != nil {
		return Job{}, fmt.Errorf("jobs: get %d: %w", id, err)
	}
	return j, nil
}

// Retry puts a dead job back in the queue to run now with its attempts reset
// (its last error is kept for reference). It is apperr.Conflict for a
// job that is not dead and apperr.NotFound for a missing one. record, when
// not nil, runs in the same transaction with the job as retried (the audit
// row of a person's retry: jobs cannot import the audit package, which
// registers jobs of its own).
func Retry(ctx context.Context, d *db.DB, now time.Time, id int64, record func(*db.Tx, Job) error) (Job, error) {
	var j Job
	err := d.Write(ctx, func(tx *db.Tx) error {
		ms := db.Millis(now)
		var err error
		j, err = scanJob(tx.QueryRowContext(ctx, `UPDATE jobs SET state = 'queued', run_at = ?, attempts = 0,
			lease_owner = '', lease_until = 0, done_at = NULL, updated_at = ?
			WHERE id = ? AND state = 'dead'
			RETURNING `+jobColumns, ms, ms, id))
		if err == nil && record != nil {
			return record(tx, j)
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		var state string
		err = tx.QueryRowContext(ctx, `SELECT state FROM jobs WHERE id = ?`, id).Scan(&state)
		if errors.Is(err, sql.ErrNoRows) {
			return apperr.NotFound("job", id)
		}
		if err != nil {
			return err
		}
		return apperr.Conflict("state", "only a dead job can be retried; this one is "+state)
	})
	if err != nil {
		if apperr.CodeOf(err) != apperr.CodeInternal {
			return Job{}, err
		}
		return Job{}, fmt.Errorf("jobs: retry %d: %w", id, err)
	}
	return j, nil
}

// Stats counts jobs per state; every state is present, zero when empty.
func Stats(ctx context.Context, d *db.DB) (map[string]int, error) {
	rows, err := d.QueryContext(ctx, `SELECT state, COUNT(*) FROM jobs GROUP BY state`)
	if err != nil {
		return nil, fmt.Errorf("jobs: stats: %w", err)
	}
	defer rows.Close()
	out := make(map[string]int, len(States))
	for _, s := range States {
		out[s] = 0
	}
	for rows.Next() {
		var state string
		var n int
		if err := rows.Scan(&state, &n); err != nil {
			return nil, fmt.Errorf("jobs: stats: %w", err)
		}
		out[state] = n
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("jobs: stats: %w", err)
	}
	return out, nil
}
