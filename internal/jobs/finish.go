package jobs

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"time"

	"github.com/ombud/ombud/internal/db"
)

// outcome is one finished run waiting for the finisher to record it.
type outcome struct {
	job      Job
	err      error
	recorded chan struct{} // closed once recorded (or given up on)
}

// finisher records outcomes until r.outcomes is closed. It takes every
// outcome waiting and writes them in one transaction, so a busy runner pays
// one durable commit for many finished jobs instead of one each (group
// commit). A batch that fails is retried one outcome at a time, so one bad
// row cannot keep the others from being recorded; an outcome that still
// cannot be written is dropped with a log line: its lease expires and the
// job runs again (at least once).
func (r *Runner) finisher() {
	for o := range r.outcomes {
		batch := []*outcome{o}
	drain:
		for len(batch) < finishBatch {
			select {
			case o, ok := <-r.outcomes:
				if !ok {
					break drain
				}
				batch = append(batch, o)
			default:
				break drain
			}
		}
		// Not the runner's context: outcomes are recorded even while it
		// stops. Behind interactive writes on SQLite, as the jobs are.
		ctx, cancel := context.WithTimeout(db.Background(context.Background()), opTimeout)
		if err := r.finish(ctx, batch); err != nil && len(batch) > 1 {
			for _, o := range batch {
				if err := r.finish(ctx, []*outcome{o}); err != nil {
					r.log.ErrorContext(ctx, "jobs: record outcome", "job_id", o.job.ID, "kind", o.job.Kind, "err", err)
				}
			}
		} else if err != nil {
			r.log.ErrorContext(ctx, "jobs: record outcome", "job_id", o.job.ID, "kind", o.job.Kind, "err", err)
		}
		cancel()
		for _, o := range batch {
			close(o.recorded)
		}
	}
}

// finish records the outcomes of a batch of runs in one transaction: the
// successes in one statement, each failure in its own. The lease owner and
// attempt number fence every update: if a lease expired and another
// instance took the job over, this late outcome changes nothing.
func (r *Runner) finish(ctx context.Context, batch []*outcome) error {
	now := r.now()
	ms := db.Millis(now)
	var doneQ strings.Builder
	doneArgs := []any{ms, ms, r.owner}
	doneQ.WriteString(`UPDATE jobs SET state = 'done', done_at = ?, lease_until = 0, updated_at = ?
		WHERE state = 'running' AND lease_owner = ? AND (`)
	var ok []*outcome
	type failed struct {
		o     *outcome
		state string
		delay time.Duration
		q     string
		args  []any
	}
	var fails []failed
	for _, o := range batch {
		j, herr := o.job, o.err
		if herr == nil {
			if len(ok) > 0 {
				doneQ.WriteString(" OR ")
			}
			doneQ.WriteString("(id = ? AND attempts = ?)")
			doneArgs = append(doneArgs, j.ID, j.Attempts)
			ok = append(ok, o)
			continue
		}
		f := failed{o: o}
		if IsPermanent(herr) || j.Attempts >= j.MaxAttempts {
			f.state = StateDead
			f.q = `UPDATE jobs SET state = 'dead', last_error = ?, done_at = ?, lease_until = 0, updated_at = ?`
			f.args = []any{errorText(herr), ms, ms}
		} else {
			f.state = StateQueued
			var has bool
			if f.delay, has = retryDelay(herr); !has {
				f.delay = r.backoff(j.Attempts)
			}
			f.q = `UPDATE jobs SET state = 'queued', run_at = ?, last_error = ?, lease_owner = '', lease_until = 0, updated_at = ?`
			f.args = []any{db.Millis(now.Add(f.delay)), errorText(herr), ms}
		}
		f.q += ` WHERE id = ? AND state = 'running' AND lease_owner = ? AND attempts = ?`
		f.args = append(f.args, j.ID, r.owner, j.Attempts)
		fails = append(fails, f)
	}
	doneQ.WriteString(")")
	var doneN int64
	lost := make([]bool, len(fails))
	err := r.d.Write(ctx, func(tx *db.Tx) error {
		doneN = 0
		if len(ok) > 0 {
			res, err := tx.ExecContext(ctx, doneQ.String(), doneArgs...)
			if err != nil {
				return err
			}
			if doneN, err = res.RowsAffected(); err != nil {
				return err
			}
		}
		for i, f := range fails {
			res, err := tx.ExecContext(ctx, f.q, f.args...)
			if err != nil {
				return err
			}
			n, err := res.RowsAffected()
			if err != nil {
				return err
			}
			lost[i] = n == 0
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("jobs: record %d outcomes: %w", len(batch), err)
	}
	if doneN < int64(len(ok)) {
		r.log.WarnContext(ctx, "jobs: lease lost before jobs finished; their outcomes dropped",
			"done", len(ok), "recorded", doneN)
	}
	for i, f := range fails {
		j := f.o.job
		attrs := []any{"job_id", j.ID, "kind", j.Kind, "attempt", j.Attempts, "err", f.o.err}
		switch {
		case lost[i]:
			r.log.WarnContext(ctx, "jobs: lease lost before the job finished; outcome dropped", append(attrs, "outcome", f.state)...)
		case f.state == StateDead:
			r.log.ErrorContext(ctx, "jobs: job dead", attrs...)
		default:
			r.log.WarnContext(ctx, "jobs: job failed, will retry", append(attrs, "retry_in", f.delay)...)
		}
	}
	return nil
}

// running is the run of one claimed job, carried in its handler's context.
type running struct {
	job       Job
	owner     string
	now       func() time.Time
	completed atomic.Bool // set once a Complete committed
}

type runKey struct{}

// ErrLeaseLost is returned by Complete when the job is no longer this
// runner's to complete: its lease expired and another run took it over.
var ErrLeaseLost = errors.New("jobs: the job's lease was lost to another run")

// Complete records the job running in ctx (a handler's context) as done
// inside tx, the handler's own write transaction: the job's work and its
// completion then cost one durable commit instead of two, and commit or
// roll back together. Once tx commits the runner records nothing more for
// this run, whatever the handler then returns. The update is fenced like
// the runner's own: when the lease was lost to another run, Complete
// returns ErrLeaseLost and the caller should roll back, leaving the work to
// that run. Outside a runner's handler (a handler called directly)
// Complete does nothing.
func Complete(ctx context.Context, tx *db.Tx) error {
	run, _ := ctx.Value(runKey{}).(*running)
	if run == nil {
		return nil
	}
	ms := db.Millis(run.now())
	res, err := tx.ExecContext(ctx, `UPDATE jobs SET state = 'done', done_at = ?, lease_until = 0, updated_at = ?
		WHERE id = ? AND state = 'running' AND lease_owner = ? AND attempts = ?`,
		ms, ms, run.job.ID, run.owner, run.job.Attempts)
	if err != nil {
		return fmt.Errorf("jobs: complete %d: %w", run.job.ID, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("jobs: complete %d: %w", run.job.ID, err)
	}
	if n == 0 {
		return ErrLeaseLost
	}
	tx.AfterCommit(func() { run.completed.Store(true) })
	return nil
}
