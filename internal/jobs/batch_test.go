package jobs_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/dbtest"
	"github.com/ombud/ombud/internal/jobs"
)

// TestBatchOneFails runs a batch of jobs claimed together whose outcomes are
// recorded together; one of them fails. The others are done, the failed one
// is queued again with its error and then runs to done on its retry.
func TestBatchOneFails(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		clk := newClock()
		const n = 12
		var mu sync.Mutex
		runs := map[string]int{}
		// All handlers wait until every one of the batch has started, so
		// the batch is claimed together and finishes together.
		var started sync.WaitGroup
		started.Add(n)
		r := newRunner(t, d, jobs.Options{Workers: n, Poll: 10 * time.Millisecond, Now: clk.Now, Backoff: linear, KeepDone: -1})
		r.Handle("batch", func(_ context.Context, j jobs.Job) error {
			mu.Lock()
			runs[j.Key]++
			first := runs[j.Key] == 1
			mu.Unlock()
			if first {
				started.Done()
				started.Wait()
			}
			if j.Key == "k5" && first {
				return errors.New("the fifth fails once")
			}
			return nil
		})
		ids := map[string]int64{}
		for i := range n {
			k := fmt.Sprintf("k%d", i)
			ids[k] = enqueue(t, d, clk.Now(), jobs.New{Kind: "batch", Key: k})
		}
		start(t, r)
		waitFor(t, "the batch to be recorded", func() bool {
			return count(t, d, `SELECT COUNT(*) FROM jobs WHERE kind = 'batch' AND state IN ('done', 'queued') AND attempts = 1`) == n
		})
		for k, id := range ids {
			j := get(t, d, id)
			want := jobs.StateDone
			if k == "k5" {
				want = jobs.StateQueued
			}
			if j.State != want || j.Attempts != 1 {
				t.Errorf("%s: state %s, attempts %d; want %s, 1", k, j.State, j.Attempts, want)
			}
		}
		if j := get(t, d, ids["k5"]); j.LastError != "the fifth fails once" || !j.RunAt.Equal(clk.Now().Add(time.Minute)) {
			t.Errorf("failed job: last error %q, run at %v; want its error, a minute on", j.LastError, j.RunAt)
		}
		clk.Advance(time.Minute)
		r.Wake()
		waitFor(t, "the retry", func() bool { return get(t, d, ids["k5"]).State == jobs.StateDone })
		if j := get(t, d, ids["k5"]); j.Attempts != 2 {
			t.Errorf("retried job: attempts %d, want 2", j.Attempts)
		}
		mu.Lock()
		defer mu.Unlock()
		for k, c := range runs {
			if want := map[bool]int{true: 2, false: 1}[k == "k5"]; c != want {
				t.Errorf("%s ran %d times, want %d", k, c, want)
			}
		}
	})
}

// TestCrashMidBatch: an instance claims a batch and dies after recording
// only some outcomes (the rest never reach the database). Another instance
// runs the rest once their lease expires; none is lost, none run twice
// that was recorded.
func TestCrashMidBatch(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		clk := newClock()
		const lease = time.Minute
		const n = 8
		release := make(chan struct{})
		var mu sync.Mutex
		ranA := map[string]bool{}
		a := newRunner(t, d, jobs.Options{Owner: "a", Workers: n, Lease: lease, Poll: 10 * time.Millisecond, Now: clk.Now, KeepDone: -1})
		a.Handle("batch", func(_ context.Context, j jobs.Job) error {
			mu.Lock()
			ranA[j.Key] = true
			mu.Unlock()
			if j.Key >= "k4" {
				<-release // dies before finishing these
			}
			return nil
		})
		ids := map[string]int64{}
		for i := range n {
			k := fmt.Sprintf("k%d", i)
			ids[k] = enqueue(t, d, clk.Now(), jobs.New{Kind: "batch", Key: k})
		}
		// A runs under its own context: "killing" it below stops its
		// claims at once, while its hung handlers stay blocked.
		ctxA, killA := context.WithCancel(context.Background())
		doneA := make(chan error, 1)
		go func() { doneA <- a.Run(ctxA) }()
		waitFor(t, "A to finish half the batch", func() bool {
			return count(t, d, `SELECT COUNT(*) FROM jobs WHERE kind = 'batch' AND state = 'done'`) == n/2
		})
		if c := count(t, d, `SELECT COUNT(*) FROM jobs WHERE kind = 'batch' AND state = 'running' AND lease_owner = 'a'`); c != n/2 {
			t.Fatalf("%d jobs running under A, want %d", c, n/2)
		}
		// A is "killed": it claims nothing more (else, polling, it could
		// take the expired jobs back before B and hang on them again),
		// and its hung handlers' outcomes never count. The outcome of a
		// late finish is fenced off by the new lease.
		killA()
		var ranB sync.Map
		b := newRunner(t, d, jobs.Options{Owner: "b", Workers: n, Lease: lease, Poll: 10 * time.Millisecond, Now: clk.Now, KeepDone: -1})
		b.Handle("batch", func(_ context.Context, j jobs.Job) error {
			if _, dup := ranB.LoadOrStore(j.Key, true); dup {
				return errors.New("ran twice on B")
			}
			return nil
		})
		start(t, b)
		clk.Advance(lease + time.Second)
		b.Wake()
		waitFor(t, "B to finish the rest", func() bool {
			return count(t, d, `SELECT COUNT(*) FROM jobs WHERE kind = 'batch' AND state = 'done'`) == n
		})
		close(release)
		select {
		case <-doneA:
		case <-time.After(15 * time.Second):
			t.Fatal("A's Run did not return after its handlers were released")
		}
		for k, id := range ids {
			j := get(t, d, id)
			_, onB := ranB.Load(k)
			wantAttempts := 1
			if k >= "k4" {
				wantAttempts = 2
			}
			if j.State != jobs.StateDone || j.Attempts != wantAttempts || onB != (k >= "k4") {
				t.Errorf("%s: state %s, attempts %d, ran on B %v; want done, %d, %v", k, j.State, j.Attempts, onB, wantAttempts, k >= "k4")
			}
		}
	})
}

// TestComplete: a handler that records its job done in its own transaction
// costs no separate outcome; a rolled-back transaction leaves the job to
// the runner (and a retry); a lost lease refuses the completion.
func TestComplete(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		clk := newClock()
		exec(t, d, `CREATE TABLE work_done (k TEXT NOT NULL)`)
		var fail sync.Map
		r := newRunner(t, d, jobs.Options{Poll: 10 * time.Millisecond, Now: clk.Now, Backoff: linear, KeepDone: -1})
		var leaseErr atomic.Pointer[error]
		r.Handle("work", func(ctx context.Context, j jobs.Job) error {
			if j.Key == "stolen" {
				// Another run took the job over meanwhile.
				exec(t, d, `UPDATE jobs SET lease_owner = 'other' WHERE id = ?`, j.ID)
			}
			err := d.Write(ctx, func(tx *db.Tx) error {
				if _, err := tx.ExecContext(ctx, `INSERT INTO work_done (k) VALUES (?)`, j.Key); err != nil {
					return err
				}
				if err := jobs.Complete(ctx, tx); err != nil {
					return err
				}
				if _, ok := fail.LoadAndDelete(j.Key); ok {
					return errors.New("fails after completing: rolled back")
				}
				return nil
			})
			if j.Key == "stolen" {
				leaseErr.Store(&err)
			}
			if j.Key == "late-error" {
				return errors.New("an error after the commit changes nothing")
			}
			return err
		})
		fail.Store("rollback", true)
		ok := enqueue(t, d, clk.Now(), jobs.New{Kind: "work", Key: "ok"})
		rb := enqueue(t, d, clk.Now(), jobs.New{Kind: "work", Key: "rollback"})
		late := enqueue(t, d, clk.Now(), jobs.New{Kind: "work", Key: "late-error"})
		stolen := enqueue(t, d, clk.Now(), jobs.New{Kind: "work", Key: "stolen"})
		start(t, r)
		waitFor(t, "the jobs to run", func() bool {
			return get(t, d, stolen).LastError == "" && leaseErr.Load() != nil && get(t, d, ok).State == jobs.StateDone && get(t, d, late).State == jobs.StateDone && get(t, d, rb).State == jobs.StateQueued
		})
		if j := get(t, d, rb); j.LastError == "" || j.Attempts != 1 {
			t.Errorf("rolled back job: last error %q, attempts %d", j.LastError, j.Attempts)
		}
		if le := *leaseErr.Load(); !errors.Is(le, jobs.ErrLeaseLost) || get(t, d, stolen).State != jobs.StateRunning {
			t.Errorf("stolen job: Complete said %v, state %s; want ErrLeaseLost, still running under the other lease", le, get(t, d, stolen).State)
		}
		if c := count(t, d, `SELECT COUNT(*) FROM work_done WHERE k IN ('rollback', 'stolen')`); c != 0 {
			t.Errorf("the rolled-back work is there %d times", c)
		}
		clk.Advance(time.Minute)
		r.Wake()
		waitFor(t, "the retry", func() bool { return get(t, d, rb).State == jobs.StateDone })
		if c := count(t, d, `SELECT COUNT(*) FROM work_done`); c != 3 {
			t.Errorf("%d pieces of work, want 3 (once each)", c)
		}

		// Outside a runner Complete does nothing.
		if err := d.Write(ctx, func(tx *db.Tx) error { return jobs.Complete(ctx, tx) }); err != nil {
			t.Errorf("Complete outside a runner: %v", err)
		}
	})
}

// TestLongJobsDoNotHoldBackClaims keeps three of four workers busy with
// jobs that do not end; a job queued meanwhile still runs. A busy runner
// waits for half its workers before claiming, but never longer than a poll:
// a customer's reply must not wait for a long report job to end.
func TestLongJobsDoNotHoldBackClaims(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		clk := newClock()
		release := make(chan struct{})
		var long atomic.Int32
		r := newRunner(t, d, jobs.Options{Workers: 4, Poll: 20 * time.Millisecond, Now: clk.Now, Backoff: linear, KeepDone: -1})
		r.Handle("long", func(ctx context.Context, _ jobs.Job) error {
			long.Add(1)
			select {
			case <-release:
			case <-ctx.Done():
			}
			return nil
		})
		var quick atomic.Bool
		r.Handle("quick", func(context.Context, jobs.Job) error {
			quick.Store(true)
			return nil
		})
		for i := range 3 {
			enqueue(t, d, clk.Now(), jobs.New{Kind: "long", Key: fmt.Sprintf("l%d", i)})
		}
		stop := start(t, r)
		defer stop()
		defer close(release)
		waitFor(t, "three long jobs to run", func() bool { return long.Load() == 3 })
		enqueue(t, d, clk.Now(), jobs.New{Kind: "quick", Key: "q"})
		r.Wake()
		waitFor(t, "the quick job beside the long ones", quick.Load)
		if n := long.Load(); n != 3 {
			t.Errorf("long jobs started: %d, want 3", n)
		}
	})
}
