package db

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"sort"
	"strings"
	"time"
)

//go:embed migrations/sqlite/*.sql migrations/postgres/*.sql
var migrationFiles embed.FS

// Migrations lists the migration file names for an engine in the order they apply.
func Migrations(d Dialect) ([]string, error) {
	entries, err := fs.ReadDir(migrationFiles, "migrations/"+d.String())
	if err != nil {
		return nil, fmt.Errorf("db: list migrations: %w", err)
	}
	var names []string
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".sql") {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	return names, nil
}

// Migrate applies every migration not yet recorded, one transaction per file.
// It returns the names it applied.
func (d *DB) Migrate(ctx context.Context) ([]string, error) {
	const create = `CREATE TABLE IF NOT EXISTS schema_migrations (
		name TEXT PRIMARY KEY,
		applied_at BIGINT NOT NULL
	)`
	if err := d.Write(ctx, func(tx *Tx) error {
		_, err := tx.ExecContext(ctx, create)
		return err
	}); err != nil {
		return nil, fmt.Errorf("db: create schema_migrations: %w", err)
	}
	names, err := Migrations(d.dialect)
	if err != nil {
		return nil, err
	}
	var applied []string
	for _, name := range names {
		body, err := migrationFiles.ReadFile("migrations/" + d.dialect.String() + "/" + name)
		if err != nil {
			return applied, fmt.Errorf("db: read migration %s: %w", name, err)
		}
		did := false
		err = d.Write(ctx, func(tx *Tx) error {
			if d.dialect == Postgres {
				// Two instances starting together must not both migrate.
				if _, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock(7261)"); err != nil {
					return err
				}
			}
			var n int
			if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM schema_migrations WHERE name = ?", name).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				return nil
			}
			if _, err := tx.ExecContext(ctx, string(body)); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, "INSERT INTO schema_migrations (name, applied_at) VALUES (?, ?)", name, time.Now().UnixMilli()); err != nil {
				return err
			}
			did = true
			return nil
		})
		if err != nil {
			return applied, fmt.Errorf("db: migration %s: %w", name, err)
		}
		if did {
			applied = append(applied, name)
		}
	}
	// The address index's rows from before migration 0100 (addresses.go):
	// resumed here on every start until done.
	if _, err := d.FillTextAddresses(ctx); err != nil {
		return applied, err
	}
	// Migrations 0102's and 0103's indexes (sortedindex.go), built on
	// every start until they are as they should be.
	if err := d.ensureSortedIndexes(ctx); err != nil {
		return applied, err
	}
	if len(applied) > 0 {
		if err := d.Analyze(ctx); err != nil {
			return applied, err
		}
	}
	return applied, nil
}

// Analyze refreshes PostgreSQL's planner statistics. Until autovacuum gets
// to a new or freshly filled database the planner guesses row counts, and
// lists and searches ran three times slower; migrations and imports call it
// so no instance waits for autovacuum. SQLite's queries are planned without
// statistics (its planner's defaults are what they were tuned on), so there
// it does nothing.
func (d *DB) Analyze(ctx context.Context) error {
	if d.dialect != Postgres {
		return nil
	}
	if _, err := d.write.ExecContext(ctx, "ANALYZE"); err != nil {
		return fmt.Errorf("db: analyze: %w", err)
	}
	return nil
}

// Vacuum vacuums and analyzes tables on PostgreSQL after a bulk rewrite:
// the planner's statistics, and the visibility map without which an
// index-only scan visits the table for every entry (the report overview's
// medians walk the (kind, value, at) index: 0.4–2 s a page at 1M tickets
// right after a rebuild, docs/benchmarks.md). SQLite needs neither.
func (d *DB) Vacuum(ctx context.Context, tables ...string) error {
	if d.dialect != Postgres || len(tables) == 0 {
		return nil
	}
	if _, err := d.write.ExecContext(ctx, "VACUUM (ANALYZE) "+strings.Join(tables, ", ")); err != nil {
		return fmt.Errorf("db: vacuum: %w", err)
	}
	return nil
}

// Pending reports how many migrations are not applied (for /readyz).
func (d *DB) Pending(ctx context.Context) (int, error) {
	names, err := Migrations(d.dialect)
	if err != nil {
		return 0, err
	}
	var n int
	if err := d.QueryRowContext(ctx, "SELECT COUNT(*) FROM schema_migrations").Scan(&n); err != nil {
		return len(names), fmt.Errorf("db: count migrations: %w", err)
	}
	return len(names) - n, nil
}

// MigrationSQL returns one migration file's text (tests replay a
// migration's data steps on data made after it ran).
func MigrationSQL(d Dialect, name string) (string, error) {
	b, err := fs.ReadFile(migrationFiles, "migrations/"+d.String()+"/"+name)
	if err != nil {
		return "", fmt.Errorf("db: read migration %s: %w", name, err)
	}
	return string(b), nil
}
