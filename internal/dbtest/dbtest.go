// Package dbtest runs store tests against both engines: a fresh SQLite file
// and a fresh database in a throwaway PostgreSQL cluster that the test binary
// starts itself with initdb (or the server named by OMBUD_TEST_DATABASE_URL).
// There is no skip: a machine without PostgreSQL fails the test, because CI
// must exercise both engines.
package dbtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"os"
	"testing"

	"github.com/ombud/ombud/internal/db"
)

// Engines lists the engines ForEachDB covers.
var Engines = []db.Dialect{db.SQLite, db.Postgres}

// ForEachDB runs fn as a subtest once per engine, each with a new, migrated,
// empty database that is removed afterwards.
func ForEachDB(t *testing.T, fn func(t *testing.T, d *db.DB)) {
	t.Helper()
	for _, e := range Engines {
		t.Run(e.String(), func(t *testing.T) {
			d := Open(t, e)
			fn(t, d)
		})
	}
}

// Open returns a new, migrated, empty database of the given engine, closed
// and removed when the test ends.
func Open(t testing.TB, e db.Dialect) *db.DB {
	t.Helper()
	var opts db.Options
	switch e {
	case db.SQLite:
		opts.DataDir = MigratedSQLiteDir(t)
	case db.Postgres:
		opts.URL = NewMigratedPostgresDatabase(t)
	}
	return open(t, opts, e)
}

// OpenURL opens the PostgreSQL database at url (made by
// NewPostgresDatabase or NewMigratedPostgresDatabase), migrated, as one
// more pool of its own, closed when the test ends: for tests that need
// the URL too, or two nodes on one database.
func OpenURL(t testing.TB, url string) *db.DB {
	t.Helper()
	return open(t, db.Options{URL: url}, db.Postgres)
}

func open(t testing.TB, opts db.Options, e db.Dialect) *db.DB {
	t.Helper()
	ctx := context.Background()
	d, err := db.Open(ctx, opts)
	if err != nil {
		t.Fatalf("dbtest: open %s: %v", e, err)
	}
	t.Cleanup(func() { d.Close() })
	if _, err := d.Migrate(ctx); err != nil {
		t.Fatalf("dbtest: migrate %s: %v", e, err)
	}
	return d
}

// NewPostgresDatabase creates an empty database on the test server and
// returns its URL; it is dropped when the test ends.
func NewPostgresDatabase(t testing.TB) string {
	t.Helper()
	admin, err := serverURL()
	return newDatabase(t, admin, err)
}

// NewDurablePostgresDatabase is NewPostgresDatabase on a second throwaway
// server configured as in production (fsync, synchronous_commit and
// full_page_writes on), for benchmarks whose figures depend on durable
// commits. OMBUD_BENCH_DATABASE_URL names an existing server instead.
func NewDurablePostgresDatabase(t testing.TB) string {
	t.Helper()
	if u := os.Getenv("OMBUD_BENCH_DATABASE_URL"); u != "" {
		return newDatabase(t, u, nil)
	}
	admin, err := durableCluster.start()
	return newDatabase(t, admin, err)
}

func newDatabase(t testing.TB, admin string, err error) string {
	t.Helper()
	return newDatabaseFrom(t, admin, "", err)
}

func randomHex() string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// newDatabaseFrom creates a database on the server at admin, a copy of the
// template database when one is named.
func newDatabaseFrom(t testing.TB, admin, template string, err error) string {
	t.Helper()
	if err != nil {
		t.Fatalf("dbtest: postgres: %v", err)
	}
	name := "ombud_test_" + randomHex()
	conn, err := sql.Open("pgx", admin)
	if err != nil {
		t.Fatalf("dbtest: connect postgres: %v", err)
	}
	defer conn.Close()
	create := "CREATE DATABASE " + name
	if template != "" {
		create += " TEMPLATE " + template
	}
	if _, err := conn.Exec(create); err != nil {
		t.Fatalf("dbtest: create database: %v", err)
	}
	t.Cleanup(func() {
		c, err := sql.Open("pgx", admin)
		if err != nil {
			return
		}
		defer c.Close()
		_, _ = c.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)")
	})
	return withDatabase(admin, name)
}

// Main wraps testing.M.Run for packages using ForEachDB so the throwaway
// cluster is stopped when the package's tests end.
func Main(m *testing.M) { MainThen(m, nil) }

// MainThen is Main for a package that holds something of its own across its
// tests (a shared browser): after, when not nil, releases it once the tests
// have ended, before the process exits.
func MainThen(m *testing.M, after func()) {
	code := m.Run()
	if after != nil {
		after()
	}
	cluster.dropTemplate()
	sqliteTmpl.remove()
	stopCluster()
	os.Exit(code)
}

func serverURL() (string, error) {
	if u := os.Getenv("OMBUD_TEST_DATABASE_URL"); u != "" {
		return u, nil
	}
	return startCluster()
}

func withDatabase(url, name string) string {
	// url is either ours (…/postgres?sslmode=disable) or the user's; replace
	// the path part.
	u, err := parseURL(url)
	if err != nil {
		return url
	}
	u.Path = "/" + name
	return u.String()
}

// ServerURL returns the admin URL of the test PostgreSQL server, starting
// the throwaway cluster when needed (for tests that start whole programs).
func ServerURL(t testing.TB) string {
	t.Helper()
	u, err := serverURL()
	if err != nil {
		t.Fatalf("dbtest: postgres: %v", err)
	}
	return u
}

// errf formats an error with the package prefix.
func errf(format string, args ...any) error { return fmt.Errorf("dbtest: "+format, args...) }
