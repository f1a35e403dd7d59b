package jobs_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/dbtest"
	"github.com/ombud/ombud/internal/jobs"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

// t0 is where the fake clocks start: mid-minute, so slot boundaries are
// clearly apart from it.
var t0 = time.Date(2026, 1, 5, 9, 0, 30, 0, time.UTC)

// clock is a fake clock shared by a test and its runners.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: t0} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

func (c *clock) Advance(d time.Duration) { c.Set(c.Now().Add(d)) }

// linear is a test backoff: n minutes after the n-th failure.
func linear(n int) time.Duration { return time.Duration(n) * time.Minute }

// logWriter sends a runner's log to the test log.
type logWriter struct{ t *testing.T }

func (w logWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSuffix(string(p), "\n"))
	return len(p), nil
}

// newRunner is jobs.NewRunner with warnings and errors in the test log.
func newRunner(t *testing.T, d *db.DB, opts jobs.Options) *jobs.Runner {
	opts.Logger = slog.New(slog.NewTextHandler(logWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
	return jobs.NewRunner(d, opts)
}

// start runs r until the returned stop is called (or the test ends); stop
// returns once Run has.
func start(t *testing.T, r *jobs.Runner) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx) }()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			select {
			case err := <-done:
				if err != nil {
					t.Errorf("Run: %v", err)
				}
			case <-time.After(15 * time.Second):
				t.Errorf("Run did not return after cancel")
			}
		})
	}
	t.Cleanup(stop)
	return stop
}

// waitFor polls cond until it holds or 10 s pass.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	// Generous: under the race detector on a loaded two-core machine the
	// runners take many times their usual time; the condition ends the
	// wait as soon as it holds.
	deadline := time.Now().Add(60 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// enqueue writes one job in its own transaction and returns its id.
func enqueue(t *testing.T, d *db.DB, now time.Time, n jobs.New) int64 {
	t.Helper()
	ctx := context.Background()
	var id int64
	err := d.Write(ctx, func(tx *db.Tx) error {
		ok, err := jobs.Enqueue(ctx, tx, now, n)
		if err != nil {
			return err
		}
		if !ok {
			return errors.New("not inserted")
		}
		return tx.QueryRowContext(ctx, `SELECT MAX(id) FROM jobs WHERE kind = ?`, n.Kind).Scan(&id)
	})
	if err != nil {
		t.Fatalf("enqueue %s: %v", n.Kind, err)
	}
	return id
}

func get(t *testing.T, d *db.DB, id int64) jobs.Job {
	t.Helper()
	j, err := jobs.Get(context.Background(), d, id)
	if err != nil {
		t.Fatalf("get %d: %v", id, err)
	}
	return j
}

func exec(t *testing.T, d *db.DB, q string, args ...any) {
	t.Helper()
	ctx := context.Background()
	if err := d.Write(ctx, func(tx *db.Tx) error {
		_, err := tx.ExecContext(ctx, q, args...)
		return err
	}); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

func count(t *testing.T, d *db.DB, q string, args ...any) int {
	t.Helper()
	var n int
	if err := d.QueryRowContext(context.Background(), q, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

func TestEnqueue(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		now := t0

		t.Run("rollback leaves no job", func(t *testing.T) {
			err := d.Write(ctx, func(tx *db.Tx) error {
				if _, err := jobs.Enqueue(ctx, tx, now, jobs.New{Kind: "rolled.back"}); err != nil {
					return err
				}
				return errors.New("change refused")
			})
			if err == nil {
				t.Fatal("write: want error")
			}
			if n := count(t, d, `SELECT COUNT(*) FROM jobs WHERE kind = 'rolled.back'`); n != 0 {
				t.Fatalf("jobs after rollback = %d, want 0", n)
			}
		})

		t.Run("defaults and payload", func(t *testing.T) {
			id := enqueue(t, d, now, jobs.New{Kind: "mail.send", Payload: map[string]any{"to": "ada@example.com", "n": 3}})
			got := get(t, d, id)
			var payload map[string]any
			if err := json.Unmarshal(got.Payload, &payload); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(map[string]any{"to": "ada@example.com", "n": 3.0}, payload); diff != "" {
				t.Errorf("payload (-want +got):\n%s", diff)
			}
			got.Payload = nil
			want := jobs.Job{ID: id, Kind: "mail.send", RunAt: now, MaxAttempts: jobs.DefaultMaxAttempts,
				State: jobs.StateQueued, CreatedAt: now, UpdatedAt: now}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("job (-want +got):\n%s", diff)
			}
		})

		t.Run("idempotency key", func(t *testing.T) {
			tests := []struct {
				kind, key string
				want      bool
			}{
				{"webhook", "ticket-1-created", true},
				{"webhook", "ticket-1-created", false},  // same kind and key
				{"mail.send", "ticket-1-created", true}, // keys are per kind
				{"webhook", "ticket-2-created", true},
				{"webhook", "", true}, // no key: never deduplicated
				{"webhook", "", true},
			}
			for i, tt := range tests {
				var got bool
				err := d.Write(ctx, func(tx *db.Tx) error {
					var err error
					got, err = jobs.Enqueue(ctx, tx, now, jobs.New{Kind: tt.kind, Key: tt.key, RunAt: now.Add(time.Hour)})
					return err
				})
				if err != nil || got != tt.want {
					t.Errorf("%d: Enqueue(%s, %q) = %v, %v; want %v", i, tt.kind, tt.key, got, err, tt.want)
				}
			}
			// A duplicate inside a transaction that goes on to succeed does
			// not spoil it (PostgreSQL would abort on a raw unique violation).
			err := d.Write(ctx, func(tx *db.Tx) error {
				if ok, err := jobs.Enqueue(ctx, tx, now, jobs.New{Kind: "webhook", Key: "ticket-1-created"}); err != nil || ok {
					return fmt.Errorf("duplicate enqueue = %v, %v", ok, err)
				}
				_, err := jobs.Enqueue(ctx, tx, now, jobs.New{Kind: "webhook", Key: "ticket-3-created"})
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			if n := count(t, d, `SELECT COUNT(*) FROM jobs WHERE kind = 'webhook'`); n != 5 {
				t.Errorf("webhook jobs = %d, want 5", n)
			}
		})

		t.Run("invalid", func(t *testing.T) {
			tests := []struct {
				name string
				n    jobs.New
			}{
				{"no kind", jobs.New{}},
				{"long kind", jobs.New{Kind: strings.Repeat("k", 101)}},
				{"long key", jobs.New{Kind: "k", Key: strings.Repeat("k", 501)}},
				{"negative attempts", jobs.New{Kind: "k", MaxAttempts: -1}},
				{"unmarshalable payload", jobs.New{Kind: "k", Payload: make(chan int)}},
			}
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					err := d.Write(ctx, func(tx *db.Tx) error {
						_, err := jobs.Enqueue(ctx, tx, now, tt.n)
						return err
					})
					if err == nil {
						t.Fatal("want error")
					}
				})
			}
		})
	})
}

// TestOutcomes drives one job per case through a runner on a fake clock:
// whenever the job is queued again after a failure, the test notes the delay
// and moves the clock to its run time.
func TestOutcomes(t *testing.T) {
	errBoom := errors.New("boom")
	const lease = time.Hour
	tests := []struct {
		name        string
		maxAttempts int
		noHandler   bool
		handler     func(ctx context.Context, attempt int) error
		wantState   string
		wantAttempt int
		wantDelays  []time.Duration
		wantError   string // substring of last_error; "" means empty
	}{
		{
			name:        "success",
			handler:     func(context.Context, int) error { return nil },
			wantState:   jobs.StateDone,
			wantAttempt: 1,
		},
		{
			name: "fails twice then succeeds",
			handler: func(_ context.Context, n int) error {
				if n < 3 {
					return fmt.Errorf("attempt %d: %w", n, errBoom)
				}
				return nil
			},
			wantState:   jobs.StateDone,
			wantAttempt: 3,
			wantDelays:  []time.Duration{time.Minute, 2 * time.Minute},
			wantError:   "attempt 2: boom",
		},
		{
			name:        "max attempts",
			maxAttempts: 3,
			handler:     func(context.Context, int) error { return errBoom },
			wantState:   jobs.StateDead,
			wantAttempt: 3,
			wantDelays:  []time.Duration{time.Minute, 2 * time.Minute},
			wantError:   "boom",
		},
		{
			name:        "permanent",
			handler:     func(context.Context, int) error { return jobs.Permanent(errors.New("bad address")) },
			wantState:   jobs.StateDead,
			wantAttempt: 1,
			wantError:   "bad address",
		},
		{
			name:        "wrapped permanent",
			handler:     func(context.Context, int) error { return fmt.Errorf("send: %w", jobs.Permanent(errBoom)) },
			wantState:   jobs.StateDead,
			wantAttempt: 1,
			wantError:   "send: boom",
		},
		{
			name: "retry after",
			handler: func(_ context.Context, n int) error {
				if n == 1 {
					return jobs.RetryAfter(errors.New("451 try later"), 90*time.Second)
				}
				return nil
			},
			wantState:   jobs.StateDone,
			wantAttempt: 2,
			wantDelays:  []time.Duration{90 * time.Second},
			wantError:   "451 try later",
		},
		{
			name:        "retry after on the last attempt",
			maxAttempts: 1,
			handler:     func(context.Context, int) error { return jobs.RetryAfter(errBoom, time.Second) },
			wantState:   jobs.StateDead,
			wantAttempt: 1,
			wantError:   "boom",
		},
		{
			name: "panic",
			handler: func(_ context.Context, n int) error {
				if n == 1 {
					panic("kaboom")
				}
				return nil
			},
			wantState:   jobs.StateDone,
			wantAttempt: 2,
			wantDelays:  []time.Duration{time.Minute},
			wantError:   "panic: kaboom",
		},
		{
			name:        "unknown kind",
			maxAttempts: 2,
			noHandler:   true,
			wantState:   jobs.StateDead,
			wantAttempt: 2,
			wantDelays:  []time.Duration{time.Minute},
			wantError:   "no handler for kind",
		},
		{
			name: "ctx ends with the lease",
			handler: func(ctx context.Context, _ int) error {
				dl, ok := ctx.Deadline()
				if left := time.Until(dl); !ok || left <= 0 || left > lease {
					return jobs.Permanent(fmt.Errorf("deadline %v (%v), want within the lease", dl, ok))
				}
				return ctx.Err()
			},
			wantState:   jobs.StateDone,
			wantAttempt: 1,
		},
	}
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		clk := newClock()
		r := newRunner(t, d, jobs.Options{Owner: "test", Poll: 10 * time.Millisecond, Lease: lease,
			Now: clk.Now, Backoff: linear, KeepDone: -1})
		kind := func(i int) string { return fmt.Sprintf("case.%d", i) }
		for i, tt := range tests {
			if !tt.noHandler {
				r.Handle(kind(i), func(ctx context.Context, j jobs.Job) error { return tt.handler(ctx, j.Attempts) })
			}
		}
		start(t, r)
		for i, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				id := enqueue(t, d, clk.Now(), jobs.New{Kind: kind(i), MaxAttempts: tt.maxAttempts})
				r.Wake()
				var delays []time.Duration
				seen := 0
				var j jobs.Job
				for {
					waitFor(t, "the job to finish an attempt", func() bool {
						j = get(t, d, id)
						return j.State == jobs.StateDone || j.State == jobs.StateDead ||
							(j.State == jobs.StateQueued && j.Attempts > seen)
					})
					if j.State != jobs.StateQueued {
						break
					}
					seen = j.Attempts
					delays = append(delays, j.RunAt.Sub(clk.Now()))
					clk.Set(j.RunAt)
					r.Wake()
				}
				if j.State != tt.wantState || j.Attempts != tt.wantAttempt {
					t.Errorf("state, attempts = %s, %d; want %s, %d (last error %q)", j.State, j.Attempts, tt.wantState, tt.wantAttempt, j.LastError)
				}
				if diff := cmp.Diff(tt.wantDelays, delays); diff != "" {
					t.Errorf("retry delays (-want +got):\n%s", diff)
				}
				if tt.wantError == "" && j.LastError != "" || !strings.Contains(j.LastError, tt.wantError) {
					t.Errorf("last error = %q, want it to contain %q", j.LastError, tt.wantError)
				}
				if j.DoneAt == nil || !j.DoneAt.Equal(clk.Now()) {
					t.Errorf("done at = %v, want %v", j.DoneAt, clk.Now())
				}
			})
		}
	})
}

func TestRetry(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		clk := newClock()
		var fail atomic.Bool
		fail.Store(true)
		r := newRunner(t, d, jobs.Options{Poll: 10 * time.Millisecond, Now: clk.Now, KeepDone: -1})
		r.Handle("flaky", func(context.Context, jobs.Job) error {
			if fail.Load() {
				return jobs.Permanent(errors.New("down"))
			}
			return nil
		})
		start(t, r)
		id := enqueue(t, d, clk.Now(), jobs.New{Kind: "flaky"})
		waitFor(t, "the job to die", func() bool { return get(t, d, id).State == jobs.StateDead })

		fail.Store(false)
		clk.Advance(time.Hour)
		// The runner may claim the job as soon as Retry commits, so check
		// what Retry returned rather than re-reading.
		j, err := jobs.Retry(ctx, d, clk.Now(), id, nil)
		if err != nil {
			t.Fatal(err)
		}
		if j.State != jobs.StateQueued || j.Attempts != 0 || !j.RunAt.Equal(clk.Now()) || j.DoneAt != nil || j.LastError != "down" {
			t.Errorf("after retry: %+v", j)
		}
		r.Wake()
		waitFor(t, "the retried job to be done", func() bool { return get(t, d, id).State == jobs.StateDone })
		if got := get(t, d, id); got.Attempts != 1 {
			t.Errorf("attempts = %d, want 1", got.Attempts)
		}

		tests := []struct {
			name string
			id   int64
			want apperr.Code
		}{
			{"done job", id, apperr.CodeConflict},
			{"missing job", id + 1000, apperr.CodeNotFound},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				_, err := jobs.Retry(ctx, d, clk.Now(), tt.id, nil)
				if got := apperr.CodeOf(err); got != tt.want {
					t.Fatalf("Retry = %v (%s), want %s", err, got, tt.want)
				}
			})
		}
	})
}

func TestListGetStats(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		var ids []int64
		for i := range 6 {
			ids = append(ids, enqueue(t, d, t0, jobs.New{Kind: "k", Key: fmt.Sprint(i)}))
		}
		exec(t, d, `UPDATE jobs SET state = 'dead', done_at = 1 WHERE id IN (?, ?)`, ids[1], ids[4])
		exec(t, d, `UPDATE jobs SET state = 'done', done_at = 1 WHERE id = ?`, ids[2])
		exec(t, d, `UPDATE jobs SET state = 'running', lease_owner = 'x', lease_until = ? WHERE id = ?`, db.Millis(t0.Add(time.Hour)), ids[3])

		tests := []struct {
			name    string
			state   string
			limit   int
			afterID int64
			want    []int64
		}{
			{"all newest first", "", 0, 0, []int64{ids[5], ids[4], ids[3], ids[2], ids[1], ids[0]}},
			{"first page", "", 2, 0, []int64{ids[5], ids[4]}},
			{"next page", "", 2, ids[4], []int64{ids[3], ids[2]}},
			{"dead", jobs.StateDead, 10, 0, []int64{ids[4], ids[1]}},
			{"dead after", jobs.StateDead, 10, ids[4], []int64{ids[1]}},
			{"queued", jobs.StateQueued, 10, 0, []int64{ids[5], ids[0]}},
			{"past the end", "", 10, ids[0], []int64{}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				list, err := jobs.List(ctx, d, tt.state, tt.limit, tt.afterID)
				if err != nil {
					t.Fatal(err)
				}
				got := []int64{}
				for _, j := range list {
					got = append(got, j.ID)
				}
				if diff := cmp.Diff(tt.want, got); diff != "" {
					t.Errorf("ids (-want +got):\n%s", diff)
				}
			})
		}
		if _, err := jobs.List(ctx, d, "sleeping", 10, 0); apperr.CodeOf(err) != apperr.CodeInvalid {
			t.Errorf("List(bad state) = %v, want invalid", err)
		}

		if j := get(t, d, ids[3]); j.State != jobs.StateRunning || j.Key != "3" || j.Kind != "k" {
			t.Errorf("Get = %+v", j)
		}
		if _, err := jobs.Get(ctx, d, ids[5]+1); apperr.CodeOf(err) != apperr.CodeNotFound {
			t.Errorf("Get(missing) = %v, want not_found", err)
		}

		stats, err := jobs.Stats(ctx, d)
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]int{jobs.StateQueued: 2, jobs.StateRunning: 1, jobs.StateDone: 1, jobs.StateDead: 2}
		if diff := cmp.Diff(want, stats); diff != "" {
			t.Errorf("stats (-want +got):\n%s", diff)
		}
	})
}

// TestLeaseExpiry: instance A claims a job and hangs; once A's lease has
// expired instance B runs the job, and A's late outcome changes nothing.
func TestLeaseExpiry(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		clk := newClock()
		const lease = time.Minute
		started := make(chan struct{})
		release := make(chan struct{})
		a := newRunner(t, d, jobs.Options{Owner: "a", Workers: 1, Lease: lease, Poll: 10 * time.Millisecond, Now: clk.Now, KeepDone: -1})
		a.Handle("slow", func(context.Context, jobs.Job) error {
			close(started)
			<-release
			return errors.New("a's late outcome")
		})
		stopA := start(t, a)
		defer close(release) // ahead of stopA, which waits for the handler
		id := enqueue(t, d, clk.Now(), jobs.New{Kind: "slow"})
		a.Wake()
		<-started

		var ranB atomic.Int32
		b := newRunner(t, d, jobs.Options{Owner: "b", Lease: lease, Poll: 10 * time.Millisecond, Now: clk.Now, KeepDone: -1})
		b.Handle("slow", func(context.Context, jobs.Job) error {
			ranB.Add(1)
			return nil
		})
		start(t, b)
		time.Sleep(50 * time.Millisecond) // B polls a few times while A's lease holds
		if j := get(t, d, id); j.State != jobs.StateRunning || ranB.Load() != 0 {
			t.Fatalf("before expiry: state %s, B ran %d times", j.State, ranB.Load())
		}

		clk.Advance(lease + time.Second)
		waitFor(t, "B to run the job", func() bool { return get(t, d, id).State == jobs.StateDone })
		release <- struct{}{} // A's handler returns its error now
		stopA()
		j := get(t, d, id)
		if j.State != jobs.StateDone || j.Attempts != 2 || ranB.Load() != 1 {
			t.Errorf("after A's late outcome: state %s, attempts %d, B ran %d; want done, 2, 1", j.State, j.Attempts, ranB.Load())
		}
		if !strings.Contains(j.LastError, "lease expired: a") {
			t.Errorf("last error = %q, want the expired lease", j.LastError)
		}

		// A job whose lease expires on its last attempt is dead, not run again.
		// (Queued for later, so B cannot claim it before it is made to look
		// like a crashed instance's.)
		id = enqueue(t, d, clk.Now(), jobs.New{Kind: "slow", MaxAttempts: 2, RunAt: clk.Now().Add(time.Hour)})
		exec(t, d, `UPDATE jobs SET state = 'running', attempts = 2, lease_owner = 'crashed', lease_until = ? WHERE id = ?`,
			db.Millis(clk.Now().Add(-time.Second)), id)
		b.Wake()
		waitFor(t, "the crashed job to die", func() bool { return get(t, d, id).State == jobs.StateDead })
		if got := ranB.Load(); got != 1 {
			t.Errorf("B ran %d times, want still 1", got)
		}
	})
}

// openTwo opens two separate handles on one new, migrated database, as two
// instances would.
func openTwo(t *testing.T, e db.Dialect) (*db.DB, *db.DB) {
	t.Helper()
	ctx := context.Background()
	var opts db.Options
	switch e {
	case db.SQLite:
		opts.DataDir = t.TempDir()
	case db.Postgres:
		opts.URL = dbtest.NewPostgresDatabase(t)
	}
	open := func() *db.DB {
		d, err := db.Open(ctx, opts)
		if err != nil {
			t.Fatalf("open %s: %v", e, err)
		}
		t.Cleanup(func() { d.Close() })
		return d
	}
	first := open()
	if _, err := first.Migrate(ctx); err != nil {
		t.Fatalf("migrate %s: %v", e, err)
	}
	return first, open()
}

// TestTwoInstances runs two runners, each on its own connection pool, against
// one database and checks that every job ran exactly once.
func TestTwoInstances(t *testing.T) {
	for _, e := range dbtest.Engines {
		t.Run(e.String(), func(t *testing.T) {
			ctx := context.Background()
			d1, d2 := openTwo(t, e)
			const total = 300
			var runs sync.Map // job id → *atomic.Int32
			var perOwner [2]atomic.Int32
			var runners []*jobs.Runner
			for i, d := range []*db.DB{d1, d2} {
				r := newRunner(t, d, jobs.Options{Owner: fmt.Sprint("instance-", i), Poll: 10 * time.Millisecond, KeepDone: -1})
				r.Handle("counted", func(_ context.Context, j jobs.Job) error {
					n, _ := runs.LoadOrStore(j.ID, new(atomic.Int32))
					n.(*atomic.Int32).Add(1)
					perOwner[i].Add(1)
					time.Sleep(2 * time.Millisecond) // long enough for the instances to overlap
					return nil
				})
				runners = append(runners, r)
				start(t, r)
			}
			// Enqueue from both instances while they run, in small
			// transactions, waking the local runner as the app does.
			var wg sync.WaitGroup
			for w := range 10 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					d, r := d1, runners[0]
					if w%2 == 1 {
						d, r = d2, runners[1]
					}
					for b := range total / 10 / 5 {
						err := d.Write(ctx, func(tx *db.Tx) error {
							for k := range 5 {
								if _, err := jobs.Enqueue(ctx, tx, time.Now(), jobs.New{Kind: "counted", Key: fmt.Sprintf("%d-%d-%d", w, b, k)}); err != nil {
									return err
								}
							}
							tx.AfterCommit(r.Wake)
							return nil
						})
						if err != nil {
							t.Error(err)
							return
						}
					}
				}()
			}
			wg.Wait()
			waitFor(t, "all jobs done", func() bool {
				return count(t, d1, `SELECT COUNT(*) FROM jobs WHERE kind = 'counted' AND state = 'done'`) == total
			})
			ids := 0
			runs.Range(func(id, n any) bool {
				ids++
				if got := n.(*atomic.Int32).Load(); got != 1 {
					t.Errorf("job %d ran %d times", id, got)
				}
				return true
			})
			if ids != total {
				t.Errorf("%d jobs ran, want %d", ids, total)
			}
			if perOwner[0].Load() == 0 || perOwner[1].Load() == 0 {
				t.Errorf("runs per instance = %d, %d; want both to take part", perOwner[0].Load(), perOwner[1].Load())
			}
			if n := count(t, d2, `SELECT COUNT(*) FROM jobs WHERE attempts <> 1`); n != 0 {
				t.Errorf("%d jobs with attempts <> 1", n)
			}
			t.Logf("runs per instance: %d, %d", perOwner[0].Load(), perOwner[1].Load())
		})
	}
}

// TestPeriodic runs two instances with the same periodic function on a fake
// clock and checks that each slot ran exactly once.
func TestPeriodic(t *testing.T) {
	for _, e := range dbtest.Engines {
		t.Run(e.String(), func(t *testing.T) {
			d1, d2 := openTwo(t, e)
			clk := newClock()
			var mu sync.Mutex
			ran := map[time.Time]int{}
			var stops []func()
			for i, d := range []*db.DB{d1, d2} {
				// The lease outlasts the fake time the test spans: a slow
				// commit must not let a lease expire and rerun a slot.
				r := newRunner(t, d, jobs.Options{Owner: fmt.Sprint("instance-", i), Poll: 5 * time.Millisecond, Lease: time.Hour, Now: clk.Now})
				r.Every("tick", time.Minute, func(_ context.Context, now time.Time) error {
					mu.Lock()
					defer mu.Unlock()
					ran[now.Truncate(time.Minute)]++
					return nil
				})
				stops = append(stops, start(t, r))
			}
			const slots = 5
			for s := 1; s <= slots; s++ {
				waitFor(t, fmt.Sprintf("slot %d", s), func() bool {
					return count(t, d1, `SELECT COUNT(*) FROM jobs WHERE idem_key LIKE 'tick@%' AND state = 'done'`) >= s
				})
				// Let both instances poll in this slot before moving on.
				time.Sleep(20 * time.Millisecond)
				if s < slots {
					clk.Advance(time.Minute)
				}
			}
			for _, stop := range stops {
				stop()
			}
			want := map[time.Time]int{}
			for s := range slots {
				want[t0.Truncate(time.Minute).Add(time.Duration(s)*time.Minute)] = 1
			}
			mu.Lock()
			defer mu.Unlock()
			if diff := cmp.Diff(want, ran); diff != "" {
				t.Errorf("runs per slot (-want +got):\n%s", diff)
			}
			if n := count(t, d1, `SELECT COUNT(*) FROM jobs WHERE kind = ? AND idem_key LIKE 'tick@%' AND state = 'done' AND attempts = 1`, jobs.KindPeriodic); n != slots {
				t.Errorf("done periodic jobs = %d, want %d", n, slots)
			}
			// Both instances registered the cleanup too: still one per slot.
			if n := count(t, d1, `SELECT COUNT(*) FROM jobs WHERE idem_key LIKE 'jobs.cleanup@%'`); n != 1 {
				t.Errorf("cleanup jobs = %d, want 1", n)
			}
		})
	}
}

func TestCleanup(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		clk := newClock()
		now := clk.Now()
		old := enqueue(t, d, now, jobs.New{Kind: "old"})
		recent := enqueue(t, d, now, jobs.New{Kind: "recent"})
		dead := enqueue(t, d, now, jobs.New{Kind: "dead"})
		exec(t, d, `UPDATE jobs SET state = 'done', done_at = ? WHERE id = ?`, db.Millis(now.Add(-8*24*time.Hour)), old)
		exec(t, d, `UPDATE jobs SET state = 'done', done_at = ? WHERE id = ?`, db.Millis(now.Add(-6*24*time.Hour)), recent)
		exec(t, d, `UPDATE jobs SET state = 'dead', done_at = ? WHERE id = ?`, db.Millis(now.Add(-30*24*time.Hour)), dead)
		r := newRunner(t, d, jobs.Options{Poll: 10 * time.Millisecond, Now: clk.Now})
		start(t, r)
		waitFor(t, "the cleanup to run", func() bool {
			return count(t, d, `SELECT COUNT(*) FROM jobs WHERE kind = ? AND state = 'done'`, jobs.KindPeriodic) == 1
		})
		var left []string
		rows, err := d.QueryContext(context.Background(), `SELECT kind FROM jobs WHERE kind <> ? ORDER BY id`, jobs.KindPeriodic)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		for rows.Next() {
			var k string
			if err := rows.Scan(&k); err != nil {
				t.Fatal(err)
			}
			left = append(left, k)
		}
		if diff := cmp.Diff([]string{"recent", "dead"}, left); diff != "" {
			t.Errorf("jobs left (-want +got):\n%s", diff)
		}
	})
}

// TestGracefulStop: cancelling Run's ctx lets the running handler finish and
// record its outcome before Run returns.
func TestGracefulStop(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		started := make(chan struct{})
		release := make(chan struct{})
		var handlerCtxErr atomic.Value
		r := newRunner(t, d, jobs.Options{Poll: 10 * time.Millisecond, KeepDone: -1})
		r.Handle("long", func(ctx context.Context, _ jobs.Job) error {
			close(started)
			<-release
			handlerCtxErr.Store(fmt.Sprint(ctx.Err()))
			return nil
		})
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- r.Run(ctx) }()
		id := enqueue(t, d, time.Now(), jobs.New{Kind: "long"})
		r.Wake()
		<-started
		cancel()
		select {
		case <-done:
			t.Fatal("Run returned while a handler was running")
		case <-time.After(100 * time.Millisecond):
		}
		close(release)
		select {
		case err := <-done:
			if err != nil {
				t.Fatalf("Run = %v", err)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("Run did not return after the handler finished")
		}
		if j := get(t, d, id); j.State != jobs.StateDone {
			t.Errorf("state = %s, want done", j.State)
		}
		if got := handlerCtxErr.Load(); got != "<nil>" {
			t.Errorf("handler ctx err = %v, want none: stopping must not cancel running handlers", got)
		}
	})
}

// TestWake: a job committed with AfterCommit(Wake) runs long before the
// next poll.
func TestWake(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		ran := make(chan struct{})
		r := newRunner(t, d, jobs.Options{Poll: time.Hour, KeepDone: -1})
		r.Handle("now", func(context.Context, jobs.Job) error {
			close(ran)
			return nil
		})
		start(t, r)
		time.Sleep(20 * time.Millisecond) // Run is idle, waiting for its poll
		if err := d.Write(ctx, func(tx *db.Tx) error {
			_, err := jobs.Enqueue(ctx, tx, time.Now(), jobs.New{Kind: "now"})
			tx.AfterCommit(r.Wake)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		select {
		case <-ran:
		case <-time.After(10 * time.Second):
			t.Fatal("woken runner did not run the job")
		}
	})
}

func TestRunTwice(t *testing.T) {
	d := dbtest.Open(t, db.SQLite)
	r := newRunner(t, d, jobs.Options{Poll: 10 * time.Millisecond, KeepDone: -1})
	start(t, r)
	time.Sleep(10 * time.Millisecond)
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if err := r.Run(ctx); err == nil {
		t.Fatal("second Run = nil, want an error")
	}
}
