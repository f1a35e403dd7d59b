package db

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestWriterStatementsOutliveABatch: a statement the SQLite writer ran
// once is prepared on its connection and reused by later transactions,
// and stays right when the table it names is dropped and made again with
// other columns (SQLite re-prepares a statement whose schema changed).
func TestWriterStatementsOutliveABatch(t *testing.T) {
	ctx := context.Background()
	d, err := Open(ctx, Options{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	const ins = `INSERT INTO kv (k, v) VALUES (?, ?)`
	write := func(f func(tx *Tx) error) {
		t.Helper()
		if err := d.Write(ctx, f); err != nil {
			t.Fatal(err)
		}
	}
	write(func(tx *Tx) error {
		_, err := tx.ExecContext(ctx, `CREATE TABLE kv (k TEXT PRIMARY KEY, v INTEGER)`)
		return err
	})
	for i := range 3 {
		write(func(tx *Tx) error {
			_, err := tx.ExecContext(ctx, ins, string(rune('a'+i)), i)
			return err
		})
	}
	// The writer goroutine prepared it after the first batch; reading
	// the map here is safe once a later write has come back.
	if d.writer.prepared[ins] == nil {
		t.Fatal("the insert was not kept prepared on the writer's connection")
	}
	write(func(tx *Tx) error {
		if _, err := tx.ExecContext(ctx, `DROP TABLE kv`); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `CREATE TABLE kv (id INTEGER PRIMARY KEY, k TEXT UNIQUE, v TEXT)`)
		return err
	})
	write(func(tx *Tx) error {
		_, err := tx.ExecContext(ctx, ins, "x", "text now")
		return err
	})
	var v string
	if err := d.QueryRowContext(ctx, `SELECT v FROM kv WHERE k = 'x'`).Scan(&v); err != nil || v != "text now" {
		t.Fatalf("after the table changed: %q, %v", v, err)
	}
}

// TestWriterPutsInteractiveWritesFirst: with a backlog of background
// writes (jobs, sweeps) queued while the writer is busy, an interactive
// write queued after them commits in the next batch, with at most
// maxBackground of them, not behind the whole backlog.
func TestWriterPutsInteractiveWritesFirst(t *testing.T) {
	ctx := context.Background()
	d, err := Open(ctx, Options{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if err := d.Write(ctx, func(tx *Tx) error {
		_, err := tx.ExecContext(ctx, `CREATE TABLE w (id INTEGER PRIMARY KEY, kind TEXT)`)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	// Hold the writer in a batch while the backlog queues up.
	release := make(chan struct{})
	held := make(chan struct{})
	go func() {
		_ = d.Write(Background(ctx), func(tx *Tx) error {
			close(held)
			<-release
			return nil
		})
	}()
	<-held
	const backlog = 200
	var ran atomic.Int64 // background writes whose statements ran
	var wg sync.WaitGroup
	for range backlog {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := d.Write(Background(ctx), func(tx *Tx) error {
				ran.Add(1)
				time.Sleep(time.Millisecond) // a job's statements
				_, err := tx.ExecContext(ctx, `INSERT INTO w (kind) VALUES ('background')`)
				return err
			}); err != nil {
				t.Error(err)
			}
		}()
	}
	for len(d.writer.bg) < backlog {
		time.Sleep(time.Millisecond)
	}
	interactive := make(chan int64, 1)
	go func() {
		if err := d.Write(ctx, func(tx *Tx) error {
			_, err := tx.ExecContext(ctx, `INSERT INTO w (kind) VALUES ('interactive')`)
			return err
		}); err != nil {
			t.Error(err)
		}
		interactive <- ran.Load()
	}()
	for len(d.writer.reqs) < 1 {
		time.Sleep(time.Millisecond)
	}
	close(release)
	before := <-interactive
	wg.Wait()
	// maxBackground share its batch; a few more may start before this
	// goroutine reads the count, not the whole backlog.
	if before > backlog/2 {
		t.Fatalf("%d of %d background writes ran before the interactive one was answered (%d may share its batch)", before, backlog, maxBackground)
	}
	var n int
	if err := d.QueryRowContext(ctx, `SELECT COUNT(*) FROM w`).Scan(&n); err != nil || n != backlog+1 {
		t.Fatalf("rows %d, %v; want %d", n, err, backlog+1)
	}
}

// TestWriterBulkNotLoggedSlowForItsLength: a bulk write (an import's
// batch) longer than slowBatch is not logged as a slow batch when it did
// not wait in the queue; an interactive write as long still is.
func TestWriterBulkNotLoggedSlowForItsLength(t *testing.T) {
	ctx := context.Background()
	var buf syncBuffer
	d, err := Open(ctx, Options{DataDir: t.TempDir(), Log: slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelInfo}))})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	long := func(*Tx) error { time.Sleep(slowBatch + 100*time.Millisecond); return nil }
	if err := d.WriteBulk(ctx, long); err != nil {
		t.Fatal(err)
	}
	if err := d.Write(ctx, long); err != nil {
		t.Fatal(err)
	}
	// The writer logs a batch after answering it, one request after the
	// other: once the interactive write's line is there (its slowest
	// write is timed; a bulk write's is not), a line for the bulk write
	// would be too.
	interactive := func() bool {
		for _, l := range strings.Split(buf.String(), "\n") {
			if strings.Contains(l, "slow write batch") && !strings.Contains(l, "slowest=0s") {
				return true
			}
		}
		return false
	}
	for deadline := time.Now().Add(5 * time.Second); !interactive() && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
	got := buf.String()
	if n := strings.Count(got, "slow write batch"); n != 1 || !strings.Contains(got, "writes=1") {
		t.Fatalf("want one slow batch logged (the interactive write), got %d:\n%s", n, got)
	}
}

// syncBuffer is a bytes.Buffer safe for the writer goroutine's logging.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// TestWALSeqCountsCompleteCheckpoints: the debug log's wal_seq moves by one
// after a checkpoint that copied every frame, and not on an ordinary commit.
func TestWALSeqCountsCompleteCheckpoints(t *testing.T) {
	ctx := context.Background()
	d, err := Open(ctx, Options{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	write := func(q string) {
		t.Helper()
		if err := d.Write(ctx, func(tx *Tx) error { _, err := tx.ExecContext(ctx, q); return err }); err != nil {
			t.Fatal(err)
		}
	}
	write(`CREATE TABLE kv (k INTEGER PRIMARY KEY)`)
	s0 := d.writer.walSeq()
	if s0 < 0 {
		t.Fatal("no WAL header read")
	}
	write(`INSERT INTO kv (k) VALUES (1)`)
	if s := d.writer.walSeq(); s != s0 {
		t.Fatalf("an ordinary commit moved wal_seq %d -> %d", s0, s)
	}
	if _, err := d.write.ExecContext(ctx, `PRAGMA wal_checkpoint(PASSIVE)`); err != nil {
		t.Fatal(err)
	}
	write(`INSERT INTO kv (k) VALUES (2)`)
	if s := d.writer.walSeq(); s != s0+1 {
		t.Fatalf("after a complete checkpoint wal_seq is %d, want %d", s, s0+1)
	}
}
