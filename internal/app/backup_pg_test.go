package app_test

import (
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/ombud/ombud/internal/dbtest"
)

// TestBackupUnderLoadPostgres is TestBackupUnderLoad on PostgreSQL: the
// archive holds a pg_dump taken while writers create tickets, restored
// into a new empty database it serves every ticket acknowledged before
// the backup and the attachment; restores that would mix with data, and
// damaged archives, are refused with the target left as it was.
func TestBackupUnderLoadPostgres(t *testing.T) {
	src := dbtest.NewPostgresDatabase(t)
	env := map[string]string{"OMBUD_DATA": t.TempDir(), "OMBUD_LOG_LEVEL": "warn", "OMBUD_DATABASE_URL": src}
	lb := backupUnderLoad(t, env)
	names := map[string]bool{}
	rewriteArchive(t, lb.archive, func(name string, b []byte) ([]byte, bool) { names[name] = true; return b, true })
	if !names["database.pgdump"] || !names["manifest.json"] || !names["secret.key"] || names["ombud.db"] {
		t.Fatalf("entries %v", names)
	}

	dst := dbtest.NewPostgresDatabase(t)
	restored := filepath.Join(t.TempDir(), "restored")
	env2 := map[string]string{"OMBUD_DATA": restored, "OMBUD_LOG_LEVEL": "warn", "OMBUD_DATABASE_URL": dst}
	if code, out, er := run(t, env2, "restore", "--in", lb.archive); code != 0 || !strings.Contains(out, "row counts match the manifest") {
		t.Fatalf("restore: exit %d\n%s\n%s", code, out, er)
	}
	if _, err := os.Stat(filepath.Join(restored, "database.pgdump")); err == nil {
		t.Fatal("the dump was left in the data directory")
	}
	checkRestored(t, env2, lb)

	t.Run("refusals", func(t *testing.T) {
		damaged := rewriteArchive(t, lb.archive, func(name string, b []byte) ([]byte, bool) {
			if name == "database.pgdump" {
				b = append([]byte(nil), b...)
				b[len(b)/2] ^= 1
			}
			return b, true
		})
		srcTickets := count(t, src, "tickets")
		tests := []struct {
			name string
			in   string
			db   string // "" for a new empty database
			data string // "" for a new directory
			er   string
		}{
			{"into a database with tables", lb.archive, src, "", "it has tables public."},
			{"into a non-empty directory", lb.archive, "", restored, "not empty"},
			{"a damaged dump", damaged, "", "", "database.pgdump is damaged"},
			{"into SQLite", lb.archive, "-", "", "PostgreSQL installation"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				target, dir := tt.db, tt.data
				if target == "" {
					target = dbtest.NewPostgresDatabase(t)
				}
				if dir == "" {
					dir = filepath.Join(t.TempDir(), "new")
				}
				e := map[string]string{"OMBUD_DATA": dir, "OMBUD_LOG_LEVEL": "warn", "OMBUD_DATABASE_URL": target}
				if target == "-" {
					delete(e, "OMBUD_DATABASE_URL")
				}
				code, _, er := run(t, e, "restore", "--in", tt.in)
				if code == 0 || !strings.Contains(er, tt.er) {
					t.Fatalf("exit %d, stderr %q (want %q)", code, er, tt.er)
				}
				switch {
				case target == src:
					if n := count(t, src, "tickets"); n != srcTickets {
						t.Fatalf("the refused restore changed the database: %d tickets, had %d", n, srcTickets)
					}
				case target != "-":
					if n := count(t, target, "pg_tables WHERE schemaname = 'public'"); n != 0 {
						t.Fatalf("a refused restore left %d tables in the empty database", n)
					}
				}
				if tt.data == "" {
					if entries, _ := os.ReadDir(dir); len(entries) > 0 {
						t.Fatalf("a refused restore left %d entries in %s", len(entries), dir)
					}
				}
			})
		}
	})

	t.Run("pg_dump", func(t *testing.T) {
		old := filepath.Join(t.TempDir(), "pg_dump")
		if err := os.WriteFile(old, []byte("#!/bin/sh\necho 'pg_dump (PostgreSQL) 9.6.24'\n"), 0o755); err != nil {
			t.Fatal(err)
		}
		tests := []struct{ name, path, er string }{
			{"missing", filepath.Join(t.TempDir(), "nowhere", "pg_dump"), "postgresql-client"},
			{"older than the server", old, "must be of the server's major version or newer"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				out := filepath.Join(t.TempDir(), "x.tar.gz")
				code, _, er := run(t, env, "backup", "--out", out, "--pg-dump", tt.path)
				if code == 0 || !strings.Contains(er, tt.er) {
					t.Fatalf("exit %d, stderr %q (want %q)", code, er, tt.er)
				}
				if entries, _ := os.ReadDir(filepath.Dir(out)); len(entries) > 0 {
					t.Fatalf("a failed backup left %v", entries)
				}
			})
		}
	})
}

// count is SELECT COUNT(*) FROM what, on a PostgreSQL database.
func count(t *testing.T, url, what string) int64 {
	t.Helper()
	c, err := sql.Open("pgx", url)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var n int64
	if err := c.QueryRow("SELECT COUNT(*) FROM " + what).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
