package jobs

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	mrand "math/rand/v2"
	"os"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ombud/ombud/internal/db"
)

// KindPeriodic is the kind of the jobs Every schedules; Handle refuses it.
const KindPeriodic = "periodic"

// Defaults for Options.
const (
	DefaultWorkers  = 4
	DefaultLease    = 2 * time.Minute
	DefaultPoll     = time.Second
	DefaultKeepDone = 7 * 24 * time.Hour
)

const (
	// opTimeout bounds the runner's own statements (claim, finish). They run
	// detached from Run's ctx so that shutting down never abandons a claim or
	// an outcome half-way — an abandoned one would rerun the job after its
	// lease expires.
	opTimeout = 30 * time.Second
	// periodicAttempts bounds retries of one periodic slot; the next slot
	// comes soon anyway.
	periodicAttempts = 3
	// expiredBatch bounds how many expired leases one claim requeues.
	expiredBatch = 100
	// cleanupBatch bounds one delete of old done jobs, so a large backlog
	// never holds SQLite's single writer for long.
	cleanupBatch = 1000
	// finishBatch bounds how many outcomes one transaction records.
	finishBatch = 256
)

// Handler runs one job. Returning nil marks it done; an error retries it
// after a backoff (see Permanent and RetryAfter). ctx ends when the job's
// lease would expire.
type Handler func(ctx context.Context, j Job) error

// Options configure a Runner. Zero values take the defaults.
type Options struct {
	// Owner identifies this instance in leases; default host-pid-random.
	Owner string
	// Workers is how many jobs run at once; default 4. It is also the
	// claim batch: a busy runner claims when at least half its workers are
	// free, so one claim transaction takes many jobs.
	Workers int
	// Lease is how long a claimed job belongs to this instance before another
	// may claim it again; default 2m. Handlers should finish well inside it.
	Lease time.Duration
	// Poll is how often an idle runner looks for due jobs; default 1s.
	Poll time.Duration
	// Now is the clock; default time.Now.
	Now func() time.Time
	// Logger receives job failures; default discards.
	Logger *slog.Logger
	// Backoff gives the delay before retry after the attempt-th failure
	// (1-based); default 10s·2^(n-1) capped at 1h, ±20% jitter.
	Backoff func(attempt int) time.Duration
	// KeepDone is how long done jobs are kept (and so how long their
	// idempotency keys hold) before a periodic cleanup deletes them; default
	// 7 days; negative keeps them for ever.
	KeepDone time.Duration
}

// Runner claims and runs jobs. Register handlers and periodic functions, then
// call Run.
type Runner struct {
	d        *db.DB
	owner    string
	workers  int
	lease    time.Duration
	poll     time.Duration
	now      func() time.Time
	log      *slog.Logger
	backoff  func(int) time.Duration
	keepDone time.Duration

	mu       sync.Mutex
	handlers map[string]Handler
	periodic []*periodic
	running  bool

	wake     chan struct{} // a job was committed
	freed    chan struct{} // a worker finished
	inflight atomic.Int64
	outcomes chan *outcome // to the finisher, which records them in batches
}

type periodic struct {
	name     string
	interval time.Duration
	fn       func(ctx context.Context, now time.Time) error
	// last is the start (ms) of the latest slot this runner has made sure is
	// enqueued; touched only by Run's loop.
	last int64
}

// NewRunner returns a runner on d. It registers the periodic cleanup of old
// done jobs unless opts.KeepDone is negative.
func NewRunner(d *db.DB, opts Options) *Runner {
	r := &Runner{
		d:        d,
		owner:    opts.Owner,
		workers:  opts.Workers,
		lease:    opts.Lease,
		poll:     opts.Poll,
		now:      opts.Now,
		log:      opts.Logger,
		backoff:  opts.Backoff,
		keepDone: opts.KeepDone,
		handlers: map[string]Handler{},
		wake:     make(chan struct{}, 1),
		freed:    make(chan struct{}, 1),
	}
	if r.owner == "" {
		r.owner = defaultOwner()
	}
	if r.workers <= 0 {
		r.workers = DefaultWorkers
	}
	if r.lease <= 0 {
		r.lease = DefaultLease
	}
	if r.poll <= 0 {
		r.poll = DefaultPoll
	}
	if r.now == nil {
		r.now = time.Now
	}
	if r.log == nil {
		r.log = slog.New(slog.DiscardHandler)
	}
	if r.backoff == nil {
		r.backoff = defaultBackoff
	}
	if r.keepDone == 0 {
		r.keepDone = DefaultKeepDone
	}
	if r.keepDone > 0 {
		r.Every("jobs.cleanup", time.Hour, r.cleanup)
	}
	return r
}

// Owner is the instance id this runner writes into leases.
func (r *Runner) Owner() string { return r.owner }

func defaultOwner() string {
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "ombud"
	}
	var b [4]byte
	_, _ = rand.Read(b[:])
	return fmt.Sprintf("%s-%d-%s", host, os.Getpid(), hex.EncodeToString(b[:]))
}

// defaultBackoff is 10s·2^(attempt-1) capped at an hour, with ±20% jitter so
// that jobs failing together (a mail server down) do not retry in lockstep.
func defaultBackoff(attempt int) time.Duration {
	d := time.Hour
	if attempt < 1 {
		attempt = 1
	}
	if attempt <= 10 { // 10s·2^9 already exceeds the cap; avoids overflow
		d = min(10*time.Second<<(attempt-1), time.Hour)
	}
	return time.Duration(float64(d) * (0.8 + 0.4*mrand.Float64()))
}

// Handle registers h for jobs of kind. Register before Run; registering a
// kind twice (or KindPeriodic) is a programming error and panics.
func (r *Runner) Handle(kind string, h Handler) {
	if kind == "" || kind == KindPeriodic || h == nil {
		panic(fmt.Sprintf("jobs: Handle(%q): kind must be set and not %q, handler non-nil", kind, KindPeriodic))
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, dup := r.handlers[kind]; dup {
		panic(fmt.Sprintf("jobs: Handle(%q) registered twice", kind))
	}
	r.handlers[kind] = h
}

// Every runs fn once per interval slot across every instance sharing the
// database. Slots are aligned to the Unix epoch (an hourly job runs at the
// top of the hour). Each runner, on seeing a new slot, enqueues a
// KindPeriodic job keyed by name and slot start; the idempotency key lets the
// first instance win and the rest do nothing, and the job runs on whichever
// instance claims it. Slots that pass while no instance runs are skipped. fn
// receives the clock's time when it runs; a failure is retried a few times
// with the usual backoff. Register before Run; a duplicate name panics.
func (r *Runner) Every(name string, interval time.Duration, fn func(ctx context.Context, now time.Time) error) {
	if name == "" || interval < time.Millisecond || fn == nil {
		panic(fmt.Sprintf("jobs: Every(%q, %v): name, an interval of at least 1ms and fn are required", name, interval))
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, p := range r.periodic {
		if p.name == name {
			panic(fmt.Sprintf("jobs: Every(%q) registered twice", name))
		}
	}
	r.periodic = append(r.periodic, &periodic{name: name, interval: interval, fn: fn, last: -1})
}

// Wake makes a running runner look for due jobs now instead of at its next
// poll; call it after committing a job (tx.AfterCommit(r.Wake)). It never
// blocks.
func (r *Runner) Wake() {
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

// Run claims and runs jobs until ctx is done, then waits for the handlers
// still running to finish (they are not cancelled; their lease bounds them)
// and returns nil. Database errors are logged and retried at the poll
// interval, so a database outage does not stop the runner.
func (r *Runner) Run(ctx context.Context) error {
	r.mu.Lock()
	if r.running {
		r.mu.Unlock()
		return errors.New("jobs: runner is already running")
	}
	r.running = true
	r.mu.Unlock()
	// Jobs, their bookkeeping and the periodic sweeps write behind the
	// interactive writes on SQLite (db.Background).
	ctx = db.Background(ctx)
	defer func() {
		r.mu.Lock()
		r.running = false
		r.mu.Unlock()
	}()

	r.outcomes = make(chan *outcome, r.workers)
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		r.finisher()
	}()
	defer func() {
		close(r.outcomes)
		<-finished
	}()

	var wg sync.WaitGroup
	timer := time.NewTimer(r.poll)
	defer timer.Stop()
	// A busy runner claims only once half its workers are free (or none
	// is busy): claims then take many jobs per transaction instead of one
	// per finished job, each a durable commit.
	// That wait is bounded by one poll interval: workers held by long jobs
	// must not keep a customer's reply queued behind them until one ends.
	minClaim := max(1, r.workers/2)
	var lastClaim time.Time
	for ctx.Err() == nil {
		r.schedule(ctx)
		busy := int(r.inflight.Load())
		free := r.workers - busy
		if free > 0 && (busy == 0 || free >= minClaim || time.Since(lastClaim) >= r.poll) {
			lastClaim = time.Now()
			jobs, deadline, err := r.claim(ctx, free)
			if err != nil && ctx.Err() == nil {
				r.log.ErrorContext(ctx, "jobs: claim", "owner", r.owner, "err", err)
			}
			for _, j := range jobs {
				r.inflight.Add(1)
				wg.Add(1)
				go func() {
					defer wg.Done()
					r.execute(ctx, j, deadline)
				}()
			}
			if err == nil && len(jobs) == free {
				continue // there may be more due right now
			}
		}
		// Only a runner too busy to claim cares that a worker finished.
		var freed chan struct{}
		if busy := int(r.inflight.Load()); busy > 0 && r.workers-busy < minClaim {
			freed = r.freed
		}
		timer.Reset(r.poll)
		select {
		case <-ctx.Done():
		case <-r.wake:
		case <-freed:
		case <-timer.C:
		}
	}
	wg.Wait()
	return nil
}

// schedule enqueues the current slot of every periodic function this runner
// has not yet seen enqueued.
func (r *Runner) schedule(ctx context.Context) {
	r.mu.Lock()
	ps := slices.Clone(r.periodic)
	r.mu.Unlock()
	if len(ps) == 0 {
		return
	}
	now := r.now()
	ms := db.Millis(now)
	for _, p := range ps {
		iv := p.interval.Milliseconds()
		slot := ms - ms%iv
		if slot == p.last {
			continue
		}
		start := db.Time(slot)
		err := r.d.Write(ctx, func(tx *db.Tx) error {
			_, err := Enqueue(ctx, tx, now, New{
				Kind:        KindPeriodic,
				Key:         p.name + "@" + start.Format(time.RFC3339Nano),
				Payload:     periodicPayload{Name: p.name, Slot: start},
				RunAt:       start,
				MaxAttempts: periodicAttempts,
			})
			return err
		})
		if err != nil {
			if ctx.Err() == nil {
				r.log.ErrorContext(ctx, "jobs: schedule periodic", "name", p.name, "err", err)
			}
			continue // try again on the next loop
		}
		p.last = slot
	}
}

type periodicPayload struct {
	Name string    `json:"name"`
	Slot time.Time `json:"slot"`
}

// claim requeues jobs whose lease expired and claims up to n due jobs. The
// returned deadline is when their lease ends in real time (the injected
// clock may differ from it in tests).
func (r *Runner) claim(ctx context.Context, n int) ([]Job, time.Time, error) {
	deadline := time.Now().Add(r.lease)
	now := r.now()
	ms := db.Millis(now)
	// A read first: an idle runner then costs the database a cheap indexed
	// query per poll rather than a write transaction, which on SQLite would
	// occupy the single writer.
	var due bool
	err := r.d.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM jobs WHERE state = 'queued' AND run_at <= ?)
		OR EXISTS (SELECT 1 FROM jobs WHERE state = 'running' AND lease_until < ?)`, ms, ms).Scan(&due)
	if err != nil {
		return nil, deadline, fmt.Errorf("jobs: look for due jobs: %w", err)
	}
	if !due {
		return nil, deadline, nil
	}
	wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), opTimeout)
	defer cancel()
	until := db.Millis(now.Add(r.lease))
	var jobs []Job
	err = r.d.Write(wctx, func(tx *db.Tx) error {
		jobs = jobs[:0]
		if err := requeueExpired(wctx, tx, ms); err != nil {
			return err
		}
		var rows *sql.Rows
		var err error
		if tx.Dialect() == db.Postgres {
			// SKIP LOCKED: instances claiming at the same moment take
			// different rows instead of queueing behind each other. The CTE
			// is materialised so the locked set is computed exactly once.
			rows, err = tx.QueryContext(wctx, `WITH next AS MATERIALIZED (
					SELECT id FROM jobs WHERE state = 'queued' AND run_at <= ?
					ORDER BY run_at, id LIMIT ? FOR UPDATE SKIP LOCKED)
				UPDATE jobs SET state = 'running', lease_owner = ?, lease_until = ?, attempts = attempts + 1, updated_at = ?
				FROM next WHERE jobs.id = next.id
				RETURNING `+qualifiedColumns, ms, n, r.owner, until, ms)
		} else {
			// SQLite writes are serialised by db.Write: no one else can
			// claim between the select and the update.
			rows, err = tx.QueryContext(wctx, `UPDATE jobs SET state = 'running', lease_owner = ?, lease_until = ?, attempts = attempts + 1, updated_at = ?
				WHERE id IN (SELECT id FROM jobs WHERE state = 'queued' AND run_at <= ? ORDER BY run_at, id LIMIT ?)
				RETURNING `+jobColumns, r.owner, until, ms, ms, n)
		}
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			j, err := scanJob(rows)
			if err != nil {
				return err
			}
			jobs = append(jobs, j)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, deadline, fmt.Errorf("jobs: claim: %w", err)
	}
	// RETURNING has no order; run the oldest first.
	slices.SortFunc(jobs, func(a, b Job) int {
		if c := a.RunAt.Compare(b.RunAt); c != 0 {
			return c
		}
		return int(a.ID - b.ID)
	})
	return jobs, deadline, nil
}

// qualifiedColumns is jobColumns for UPDATE … FROM, where id is ambiguous.
const qualifiedColumns = `jobs.id, jobs.kind, jobs.idem_key, jobs.payload, jobs.run_at, jobs.attempts, jobs.max_attempts,
	jobs.state, jobs.last_error, jobs.created_at, jobs.updated_at, jobs.done_at`

// requeueExpired hands back the jobs whose instance did not finish them
// within the lease (it crashed, was killed, or its handler ignored ctx). The expired run counts as an attempt, so a
// job that kills its instance every time ends up dead instead of looping.
func requeueExpired(ctx context.Context, tx *db.Tx, ms int64) error {
	lock := ""
	if tx.Dialect() == db.Postgres {
		lock = " FOR UPDATE SKIP LOCKED"
	}
	_, err := tx.ExecContext(ctx, `UPDATE jobs SET
			state = CASE WHEN attempts >= max_attempts THEN 'dead' ELSE 'queued' END,
			done_at = CASE WHEN attempts >= max_attempts THEN CAST(? AS BIGINT) ELSE NULL END,
			run_at = ?, last_error = 'lease expired: ' || lease_owner || ' did not finish the job',
			lease_owner = '', lease_until = 0, updated_at = ?
		WHERE id IN (SELECT id FROM jobs WHERE state = 'running' AND lease_until < ?
			ORDER BY lease_until LIMIT ?`+lock+`)`, ms, ms, ms, ms, expiredBatch)
	if err != nil {
		return fmt.Errorf("requeue expired leases: %w", err)
	}
	return nil
}

// execute runs one claimed job and records the outcome.
func (r *Runner) execute(ctx context.Context, j Job, deadline time.Time) {
	defer func() {
		r.inflight.Add(-1)
		select {
		case r.freed <- struct{}{}:
		default:
		}
	}()
	// Detached from Run's ctx: shutting down lets running handlers finish.
	run := &running{job: j, owner: r.owner, now: r.now}
	hctx, cancel := context.WithDeadline(context.WithValue(context.WithoutCancel(ctx), runKey{}, run), deadline)
	start := time.Now()
	err := r.call(hctx, j)
	cancel()
	r.log.DebugContext(ctx, "jobs: ran", "job_id", j.ID, "kind", j.Kind, "attempt", j.Attempts,
		"duration", time.Since(start), "err", err)
	if run.completed.Load() {
		// The handler recorded the job done in its own transaction.
		if err != nil {
			r.log.ErrorContext(ctx, "jobs: handler failed after completing its job; the job stays done",
				"job_id", j.ID, "kind", j.Kind, "err", err)
		}
		return
	}
	// The worker stays busy until its outcome is committed, together with
	// those of the other workers that finished meanwhile.
	o := &outcome{job: j, err: err, recorded: make(chan struct{})}
	r.outcomes <- o
	<-o.recorded
}

// call runs the job's handler; a panic becomes an error so one bad job
// cannot take the process down.
func (r *Runner) call(ctx context.Context, j Job) (err error) {
	defer func() {
		if p := recover(); p != nil {
			r.log.ErrorContext(ctx, "jobs: handler panicked", "job_id", j.ID, "kind", j.Kind,
				"panic", p, "stack", string(debug.Stack()))
			err = fmt.Errorf("panic: %v", p)
		}
	}()
	if j.Kind == KindPeriodic {
		return r.runPeriodic(ctx, j)
	}
	r.mu.Lock()
	h := r.handlers[j.Kind]
	r.mu.Unlock()
	if h == nil {
		// Not left untouched: an older binary beside a newer one may lack
		// the handler, and the job must still be seen to fail if none has it.
		return fmt.Errorf("no handler for kind %q in instance %s", j.Kind, r.owner)
	}
	return h(ctx, j)
}

func (r *Runner) runPeriodic(ctx context.Context, j Job) error {
	var p periodicPayload
	if err := json.Unmarshal(j.Payload, &p); err != nil {
		return Permanent(fmt.Errorf("periodic payload: %w", err))
	}
	r.mu.Lock()
	var fn func(context.Context, time.Time) error
	for _, q := range r.periodic {
		if q.name == p.Name {
			fn = q.fn
		}
	}
	r.mu.Unlock()
	if fn == nil {
		return fmt.Errorf("no periodic function %q in instance %s", p.Name, r.owner)
	}
	return fn(ctx, r.now())
}

// errorText makes err storable: bounded, valid UTF-8 and free of NUL, which
// PostgreSQL text refuses.
func errorText(err error) string {
	s := err.Error()
	if len(s) > maxErrorLen {
		s = s[:maxErrorLen]
	}
	s = strings.ReplaceAll(s, "\x00", "")
	return strings.ToValidUTF8(s, "\uFFFD")
}

// cleanup deletes done jobs older than KeepDone, in batches.
func (r *Runner) cleanup(ctx context.Context, now time.Time) error {
	before := db.Millis(now.Add(-r.keepDone))
	for {
		var n int64
		err := r.d.Write(ctx, func(tx *db.Tx) error {
			res, err := tx.ExecContext(ctx, `DELETE FROM jobs WHERE id IN
				(SELECT id FROM jobs WHERE state = 'done' AND done_at < ? LIMIT ?)`, before, cleanupBatch)
			if err != nil {
				return err
			}
			n, err = res.RowsAffected()
			return err
		})
		if err != nil {
			return fmt.Errorf("jobs: cleanup: %w", err)
		}
		if n < cleanupBatch {
			return nil
		}
	}
}
