package db_test

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/dbtest"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

func TestMigrationFilesMatch(t *testing.T) {
	s, err := db.Migrations(db.SQLite)
	if err != nil {
		t.Fatal(err)
	}
	p, err := db.Migrations(db.Postgres)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(s, p); diff != "" {
		t.Fatalf("migration sets differ (-sqlite +postgres):\n%s", diff)
	}
}

// engineOnly are columns and tables that exist on one engine by design
// (full-text machinery).
var engineOnly = map[string]bool{
	"tickets.search_vec":         true,
	"comments.search_vec":        true,
	"kb_translations.search_vec": true,
	"kb_translations.title_vec":  true,
	"kb_title_vecs.id":           true,
	"kb_title_vecs.article_id":   true,
	"kb_title_vecs.language":     true,
	"kb_title_vecs.title_length": true,
	"kb_title_vecs.title_vec":    true,
	// SQLite's index of the addresses in ticket texts (migration 0100).
	"text_addresses.address":    true,
	"text_addresses.tbl":        true,
	"text_addresses.id":         true,
	"text_address_fill.tbl":     true,
	"text_address_fill.next_id": true,
	"text_address_fill.last_id": true,
}

func columns(t *testing.T, d *db.DB) map[string][]string {
	t.Helper()
	ctx := context.Background()
	var q string
	if d.Dialect() == db.SQLite {
		q = `SELECT m.name, p.name FROM sqlite_master m, pragma_table_info(m.name) p
		     WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name NOT LIKE '%\_fts%' ESCAPE '\'`
	} else {
		q = `SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'public'`
	}
	rows, err := d.QueryContext(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string][]string{}
	for rows.Next() {
		var tbl, col string
		if err := rows.Scan(&tbl, &col); err != nil {
			t.Fatal(err)
		}
		if engineOnly[tbl+"."+col] {
			continue
		}
		out[tbl] = append(out[tbl], col)
	}
	for k := range out {
		sort.Strings(out[k])
	}
	return out
}

func TestSchemaParity(t *testing.T) {
	s := columns(t, dbtest.Open(t, db.SQLite))
	p := columns(t, dbtest.Open(t, db.Postgres))
	if diff := cmp.Diff(s, p); diff != "" {
		t.Fatalf("schemas differ (-sqlite +postgres):\n%s", diff)
	}
}

func TestMigrateIsIdempotent(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		applied, err := d.Migrate(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if len(applied) != 0 {
			t.Fatalf("second migrate applied %v", applied)
		}
		n, err := d.Pending(context.Background())
		if err != nil || n != 0 {
			t.Fatalf("pending = %d, %v", n, err)
		}
	})
}

func TestWriteIsolatesFailures(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		const n = 200
		var wg sync.WaitGroup
		errs := make([]error, n)
		hooks := make([]bool, n)
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs[i] = d.Write(ctx, func(tx *db.Tx) error {
					if _, err := tx.ExecContext(ctx, `INSERT INTO teams (name, created_at, updated_at) VALUES (?, 1, 1)`, fmt.Sprintf("team-%d", i)); err != nil {
						return err
					}
					tx.AfterCommit(func() { hooks[i] = true })
					switch i % 10 {
					case 3:
						return errors.New("refused")
					case 7:
						panic("boom")
					}
					return nil
				})
			}()
		}
		wg.Wait()
		want := 0
		for i, err := range errs {
			switch i % 10 {
			case 3, 7:
				if err == nil {
					t.Errorf("write %d: want error", i)
				}
				if hooks[i] {
					t.Errorf("write %d: after-commit hook ran for a failed write", i)
				}
			default:
				want++
				if err != nil {
					t.Errorf("write %d: %v", i, err)
				}
				if !hooks[i] {
					t.Errorf("write %d: after-commit hook did not run", i)
				}
			}
		}
		var got int
		if err := d.QueryRowContext(ctx, `SELECT COUNT(*) FROM teams`).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Fatalf("rows = %d, want %d", got, want)
		}
		// A unique violation is reported as such and does not disturb others.
		err := d.Write(ctx, func(tx *db.Tx) error {
			_, err := tx.ExecContext(ctx, `INSERT INTO teams (name, created_at, updated_at) VALUES ('team-0', 1, 1)`)
			return err
		})
		if !db.IsUniqueViolation(err) {
			t.Fatalf("duplicate insert: got %v, want unique violation", err)
		}
	})
}

func TestRebind(t *testing.T) {
	tests := []struct {
		d    db.Dialect
		in   string
		want string
	}{
		{db.SQLite, "a = ? AND b = ?", "a = ? AND b = ?"},
		{db.Postgres, "a = ? AND b = ?", "a = $1 AND b = $2"},
		{db.Postgres, strings.Repeat("?,", 11) + "?", "$1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12"},
		{db.Postgres, "no params", "no params"},
	}
	for _, tt := range tests {
		t.Run(tt.d.String()+" "+tt.in, func(t *testing.T) {
			if got := tt.d.Rebind(tt.in); got != tt.want {
				t.Fatalf("Rebind(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

// TestMigrateAnalyzes checks a migrated PostgreSQL database has planner
// statistics at once: reltuples is -1 until a table is first analyzed.
func TestMigrateAnalyzes(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		if d.Dialect() != db.Postgres {
			if err := d.Analyze(context.Background()); err != nil { // nothing to do on SQLite
				t.Fatal(err)
			}
			return
		}
		var n float64
		if err := d.QueryRowContext(context.Background(), "SELECT reltuples FROM pg_class WHERE relname = 'tickets'").Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n < 0 {
			t.Fatalf("tickets reltuples %v: never analyzed", n)
		}
	})
}

// TestWriteBulk: a bulk write is all or nothing, runs beside grouped
// writes without taking their failures or they its, and has no savepoint
// around it (a RELEASE of the group writer's savepoint fails inside it).
func TestWriteBulk(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		insert := func(tx *db.Tx, name string) error {
			_, err := tx.ExecContext(ctx, `INSERT INTO teams (name, created_at, updated_at) VALUES (?, 1, 1)`, name)
			return err
		}
		var wg sync.WaitGroup
		errs := make([]error, 40)
		for i := range 40 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				switch i % 4 {
				case 0: // a bulk write that fails after its first row
					errs[i] = d.WriteBulk(ctx, func(tx *db.Tx) error {
						if err := insert(tx, fmt.Sprintf("bulk-bad-%d", i)); err != nil {
							return err
						}
						return errors.New("refused")
					})
				case 1:
					errs[i] = d.WriteBulk(ctx, func(tx *db.Tx) error {
						if d.Dialect() == db.SQLite {
							if _, err := tx.ExecContext(ctx, "RELEASE w"); err == nil {
								return errors.New("a savepoint is open around a bulk write")
							}
						}
						for j := range 3 {
							if err := insert(tx, fmt.Sprintf("bulk-%d-%d", i, j)); err != nil {
								return err
							}
						}
						return nil
					})
				default:
					errs[i] = d.Write(ctx, func(tx *db.Tx) error { return insert(tx, fmt.Sprintf("single-%d", i)) })
				}
			}()
		}
		wg.Wait()
		for i, err := range errs {
			if (err != nil) != (i%4 == 0) {
				t.Errorf("write %d: %v", i, err)
			}
		}
		var bad, good, single int
		if err := d.QueryRowContext(ctx, `SELECT
			(SELECT COUNT(*) FROM teams WHERE name LIKE 'bulk-bad-%'),
			(SELECT COUNT(*) FROM teams WHERE name LIKE 'bulk-%' AND name NOT LIKE 'bulk-bad-%'),
			(SELECT COUNT(*) FROM teams WHERE name LIKE 'single-%')`).Scan(&bad, &good, &single); err != nil {
			t.Fatal(err)
		}
		if bad != 0 || good != 30 || single != 20 {
			t.Errorf("rows: failed bulk %d (want 0), bulk %d (want 30), single %d (want 20)", bad, good, single)
		}
	})
}

// TestPostgresJITOff: Ombud's PostgreSQL connections run without JIT
// compilation unless the URL asks for it (db.go says why).
func TestPostgresJITOff(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct{ query, want string }{{"", "off"}, {"jit=on", "on"}} {
		url := dbtest.NewPostgresDatabase(t)
		if tc.query != "" {
			sep := "?"
			if strings.Contains(url, "?") {
				sep = "&"
			}
			url += sep + tc.query
		}
		d, err := db.Open(ctx, db.Options{URL: url})
		if err != nil {
			t.Fatal(err)
		}
		var jit string
		if err := d.QueryRowContext(ctx, "SHOW jit").Scan(&jit); err != nil {
			t.Fatal(err)
		}
		d.Close()
		if jit != tc.want {
			t.Errorf("URL %q: jit %s, want %s", tc.query, jit, tc.want)
		}
	}
}
