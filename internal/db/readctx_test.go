package db

import (
	"context"
	"errors"
	"testing"
	"time"
)

type ctxKey struct{}

// TestReadCtx: a read statement on SQLite runs without a context that
// only a cancellation could end (no goroutines per statement), keeps its
// values, and a done context or one with a deadline is passed on as is;
// PostgreSQL's statements always keep theirs.
func TestReadCtx(t *testing.T) {
	base := context.WithValue(context.Background(), ctxKey{}, "v")
	cancelled, cancel := context.WithCancel(base)
	cancel()
	live, stop := context.WithCancel(base)
	defer stop()
	timed, stopTimed := context.WithTimeout(base, time.Hour)
	defer stopTimed()
	for _, c := range []struct {
		name     string
		dialect  Dialect
		ctx      context.Context
		same     bool // passed on unchanged
		wantDone bool // the result can still end
	}{
		{"background", SQLite, base, true, false},
		{"cancellable", SQLite, live, false, false},
		{"done already", SQLite, cancelled, true, true},
		{"deadline", SQLite, timed, true, true},
		{"postgres cancellable", Postgres, live, true, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := (&DB{dialect: c.dialect}).readCtx(c.ctx)
			if (got == c.ctx) != c.same {
				t.Errorf("passed on unchanged: %v, want %v", got == c.ctx, c.same)
			}
			if (got.Done() != nil) != c.wantDone {
				t.Errorf("can end: %v, want %v", got.Done() != nil, c.wantDone)
			}
			if got.Value(ctxKey{}) != "v" {
				t.Error("the context's values were lost")
			}
		})
	}
}

// TestReadStopsAtTheNextStatement: once a request's context is cancelled
// its next read fails with the cancellation, and a result set opened
// before reads to its end.
func TestReadStopsAtTheNextStatement(t *testing.T) {
	d, err := Open(context.Background(), Options{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	ctx, cancel := context.WithCancel(context.Background())
	const q = `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000) SELECT i FROM n`
	rows, err := d.QueryContext(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	cancel()
	n := 0
	for rows.Next() {
		n++
	}
	if err := rows.Close(); err != nil || n != 1000 {
		t.Fatalf("the open result set read %d rows, %v; want 1000", n, err)
	}
	var one int
	if err := d.QueryRowContext(ctx, `SELECT 1`).Scan(&one); !errors.Is(err, context.Canceled) {
		t.Errorf("a row read after the cancel: %v, want context.Canceled", err)
	}
	if _, err := d.QueryContext(ctx, q); !errors.Is(err, context.Canceled) {
		t.Errorf("a query after the cancel: %v, want context.Canceled", err)
	}
}
