package db

import (
	"context"
	"testing"
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
