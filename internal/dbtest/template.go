package dbtest

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/ombud/ombud/internal/db"
)

// Migrating a new database runs every migration, about a hundred of them:
// half a second to a few seconds under -race, paid by every test that wants
// a database. Each engine's migrated schema is built once per test binary
// instead, and copied: a file copy on SQLite, CREATE DATABASE … TEMPLATE on
// PostgreSQL. What a test gets is the same database Migrate makes; the
// migrations themselves stay tested by the tests that migrate an empty one
// (internal/db, `ombud migrate`, the program's first start).

// sqliteTemplate is this test binary's migrated SQLite file.
type sqliteTemplate struct {
	once sync.Once
	dir  string
	err  error
}

var sqliteTmpl sqliteTemplate

func (s *sqliteTemplate) path() (string, error) {
	s.once.Do(func() {
		dir, err := os.MkdirTemp("", "ombud-sqlite-template-")
		if err != nil {
			s.err = errf("template dir: %v", err)
			return
		}
		s.dir = dir
		s.err = migrateAndClose(db.Options{DataDir: dir})
	})
	return filepath.Join(s.dir, "ombud.db"), s.err
}

func (s *sqliteTemplate) remove() {
	if s.dir != "" {
		_ = os.RemoveAll(s.dir)
	}
}

// migrateAndClose migrates the database opts names and closes it, so a
// SQLite file holds everything (the last close checkpoints the WAL) and a
// PostgreSQL database has no session left to block its use as a template.
func migrateAndClose(opts db.Options) error {
	ctx := context.Background()
	d, err := db.Open(ctx, opts)
	if err != nil {
		return errf("template: open: %v", err)
	}
	if _, err := d.Migrate(ctx); err != nil {
		d.Close()
		return errf("template: migrate: %v", err)
	}
	if err := d.Close(); err != nil {
		return errf("template: close: %v", err)
	}
	return nil
}

// MigratedSQLiteDir returns a new data directory holding a migrated, empty
// ombud.db, for tests that open SQLite themselves (app.Open, `ombud serve`).
func MigratedSQLiteDir(t testing.TB) string {
	t.Helper()
	src, err := sqliteTmpl.path()
	if err != nil {
		t.Fatalf("dbtest: %v", err)
	}
	dir := t.TempDir()
	if err := copyFile(src, filepath.Join(dir, "ombud.db")); err != nil {
		t.Fatalf("dbtest: copy template: %v", err)
	}
	return dir
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// NewMigratedPostgresDatabase is NewPostgresDatabase with the schema already
// migrated (copied from a template database made once per cluster).
func NewMigratedPostgresDatabase(t testing.TB) string {
	t.Helper()
	admin, err := serverURL()
	if err == nil {
		err = cluster.template(admin)
	}
	return newDatabaseFrom(t, admin, cluster.tmplName, err)
}

// template makes the cluster's migrated template database once.
func (c *pgCluster) template(admin string) error {
	c.tmplOnce.Do(func() {
		conn, err := sql.Open("pgx", admin)
		if err != nil {
			c.tmplErr = errf("connect postgres: %v", err)
			return
		}
		defer conn.Close()
		// Named per test binary: packages testing side by side against one
		// server (OMBUD_TEST_DATABASE_URL) each make and drop their own.
		migratedName := "ombud_template_" + randomHex()
		if _, err := conn.Exec("CREATE DATABASE " + migratedName); err != nil {
			c.tmplErr = errf("create template: %v", err)
			return
		}
		if err := migrateAndClose(db.Options{URL: withDatabase(admin, migratedName)}); err != nil {
			c.tmplErr = err
			return
		}
		// Nobody connects to it again: CREATE DATABASE … TEMPLATE refuses a
		// source with sessions.
		if _, err := conn.Exec("ALTER DATABASE " + migratedName + " WITH ALLOW_CONNECTIONS false"); err != nil {
			c.tmplErr = errf("close template: %v", err)
			return
		}
		c.tmplName, c.tmplAdmin = migratedName, admin
	})
	if c.tmplErr != nil {
		return fmt.Errorf("migrated template: %w", c.tmplErr)
	}
	return nil
}

// dropTemplate drops the template database made on a server that outlives
// the tests (a throwaway cluster goes with its data directory).
func (c *pgCluster) dropTemplate() {
	if c.tmplName == "" || c.cmd != nil {
		return
	}
	conn, err := sql.Open("pgx", c.tmplAdmin)
	if err != nil {
		return
	}
	defer conn.Close()
	_, _ = conn.Exec("DROP DATABASE IF EXISTS " + c.tmplName + " WITH (FORCE)")
}
