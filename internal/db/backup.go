package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// SQLitePath is the database file inside a data directory.
func SQLitePath(dataDir string) string { return filepath.Join(dataDir, "ombud.db") }

// SnapshotSQLite writes a consistent copy of the SQLite database to dst (a
// file that must not exist) with VACUUM INTO. It reads inside one read
// transaction, so in WAL mode writers (this process's or a running
// server's) go on while it copies, and the copy holds exactly the commits
// made before it started. It uses a connection of its own: the read pool is
// query_only, which VACUUM INTO refuses, and the writer belongs to the
// group-commit goroutine.
func (d *DB) SnapshotSQLite(ctx context.Context, dst string) error {
	if d.dialect != SQLite {
		return errors.New("db: snapshot: only SQLite databases are copied by Ombud; use pg_dump for PostgreSQL")
	}
	if _, err := os.Stat(dst); err == nil {
		return fmt.Errorf("db: snapshot: %s already exists", dst)
	}
	c, err := sql.Open("sqlite", "file:"+d.url+"?_pragma=busy_timeout(10000)")
	if err != nil {
		return fmt.Errorf("db: snapshot: open: %w", err)
	}
	defer c.Close()
	c.SetMaxOpenConns(1)
	if _, err := c.ExecContext(ctx, "VACUUM INTO ?", dst); err != nil {
		return fmt.Errorf("db: snapshot into %s: %w", dst, err)
	}
	return nil
}

// MigrationLevel returns the name of the last migration applied ("" on a
// database never migrated).
func (d *DB) MigrationLevel(ctx context.Context) (string, error) {
	return migrationLevel(ctx, d)
}

// ReadOnlySQLite opens a SQLite file that nothing else writes (a snapshot,
// a file being restored) for reading: immutable, so no -wal or -shm file is
// created beside it and the file is not changed.
func ReadOnlySQLite(path string) (*sql.DB, error) {
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("db: open %s: %w", path, err)
	}
	c, err := sql.Open("sqlite", "file:"+path+"?mode=ro&immutable=1")
	if err != nil {
		return nil, fmt.Errorf("db: open %s: %w", path, err)
	}
	return c, nil
}

// MigrationLevelOf is MigrationLevel for a plain connection (a snapshot).
func MigrationLevelOf(ctx context.Context, q interface {
	QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row
}) (string, error) {
	return migrationLevel(ctx, q)
}

func migrationLevel(ctx context.Context, q interface {
	QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row
}) (string, error) {
	var name sql.NullString
	if err := q.QueryRowContext(ctx, "SELECT MAX(name) FROM schema_migrations").Scan(&name); err != nil {
		return "", fmt.Errorf("db: migration level: %w", err)
	}
	return name.String, nil
}
