package db_test

import (
	"context"
	"errors"
	"testing"

	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/dbtest"
)

// countRules is a cached value over a table the configuration stamp covers.
func countRules(ctx context.Context, tx *db.Tx) (int, error) {
	var n int
	err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM automation_rules WHERE active = TRUE`).Scan(&n)
	return n, err
}

func addRule(t *testing.T, d *db.DB, name string) {
	t.Helper()
	err := d.Write(context.Background(), func(tx *db.Tx) error {
		_, err := tx.ExecContext(context.Background(), `INSERT INTO automation_rules (kind, name, created_at, updated_at) VALUES ('trigger', ?, 1, 1)`, name)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

func cachedCount(t *testing.T, d *db.DB, c *db.Cached[int]) int {
	t.Helper()
	var n int
	err := d.Write(context.Background(), func(tx *db.Tx) error {
		var err error
		n, err = c.Get(context.Background(), tx)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestCachedConfig checks that a cached configuration value is read once
// while nothing changes and that every committed change — an insert, an
// update, a delete, on this handle or on another instance's — is seen by
// the next write, while a rolled-back change is not.
func TestCachedConfig(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		c := db.NewCached(countRules)
		for range 3 {
			if n := cachedCount(t, d, c); n != 0 {
				t.Fatalf("count %d, want 0", n)
			}
		}
		if c.Loads() != 1 {
			t.Fatalf("%d loads while nothing changed, want 1", c.Loads())
		}
		addRule(t, d, "one")
		if n := cachedCount(t, d, c); n != 1 {
			t.Fatalf("after an insert: count %d, want 1", n)
		}
		if err := d.Write(ctx, func(tx *db.Tx) error {
			_, err := tx.ExecContext(ctx, `UPDATE automation_rules SET active = FALSE`)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if n := cachedCount(t, d, c); n != 0 {
			t.Fatalf("after an update: count %d, want 0", n)
		}
		// A change that rolls back leaves the stamp (and the value) alone.
		boom := errors.New("boom")
		err := d.Write(ctx, func(tx *db.Tx) error {
			if _, err := tx.ExecContext(ctx, `INSERT INTO automation_rules (kind, name, created_at, updated_at) VALUES ('trigger', 'gone', 1, 1)`); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("write: %v", err)
		}
		loads := c.Loads()
		if n := cachedCount(t, d, c); n != 0 || c.Loads() != loads {
			t.Fatalf("after a rolled-back insert: count %d, %d loads (was %d); want 0 and no load", n, c.Loads(), loads)
		}
		if err := d.Write(ctx, func(tx *db.Tx) error {
			_, err := tx.ExecContext(ctx, `DELETE FROM automation_rules`)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		addRule(t, d, "two")
		addRule(t, d, "three")
		if n := cachedCount(t, d, c); n != 2 {
			t.Fatalf("after a delete and inserts: count %d, want 2", n)
		}
		// A statement of the write that returns the stamp saves the read.
		if err := d.Write(ctx, func(tx *db.Tx) error {
			var one, stamp int64
			if err := tx.QueryRowContext(ctx, `SELECT 1, `+db.StampColumn).Scan(&one, &stamp); err != nil {
				return err
			}
			tx.SetConfigStamp(stamp)
			n, err := c.Get(ctx, tx)
			if err == nil && n != 2 {
				t.Errorf("with the stamp given: count %d, want 2", n)
			}
			return err
		}); err != nil {
			t.Fatal(err)
		}

		if d.Dialect() != db.Postgres {
			return
		}
		// A second instance on the same database: a change it commits is
		// seen by this instance's next write, with nothing sent between them.
		other, err := db.Open(ctx, db.Options{URL: d.Location()})
		if err != nil {
			t.Fatal(err)
		}
		defer other.Close()
		oc := db.NewCached(countRules)
		if n := cachedCount(t, other, oc); n != 2 {
			t.Fatalf("other instance: count %d, want 2", n)
		}
		addRule(t, other, "four")
		if n := cachedCount(t, d, c); n != 3 {
			t.Fatalf("a change on the other instance: count %d here, want 3", n)
		}
		addRule(t, d, "five")
		if n := cachedCount(t, other, oc); n != 4 {
			t.Fatalf("a change here: count %d on the other instance, want 4", n)
		}
	})
}
