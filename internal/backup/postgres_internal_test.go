package backup

import (
	"strings"
	"testing"
)

// TestPgEnv: the connection reaches pg_dump and pg_restore in libpq's
// environment variables (the password never on a command line), and pgx
// settings libpq does not know are left out.
func TestPgEnv(t *testing.T) {
	tests := []struct {
		url  string
		want map[string]string
	}{
		{"postgres://ombud:s3cr%40t@db.example:6432/helpdesk?sslmode=verify-full&pool_max_conns=9",
			map[string]string{"PGUSER": "ombud", "PGPASSWORD": "s3cr@t", "PGHOST": "db.example", "PGPORT": "6432", "PGDATABASE": "helpdesk", "PGSSLMODE": "verify-full"}},
		{"postgresql://a@h1:5432,h2:5433/x", map[string]string{"PGUSER": "a", "PGHOST": "h1,h2", "PGPORT": "5432,5433", "PGDATABASE": "x"}},
		{"postgres://u@[::1]/d", map[string]string{"PGHOST": "::1", "PGDATABASE": "d"}},
		{"postgres:///d?host=/run/postgresql&user=u&password=p", map[string]string{"PGHOST": "/run/postgresql", "PGUSER": "u", "PGPASSWORD": "p"}},
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			env, err := pgEnv(tt.url)
			if err != nil {
				t.Fatal(err)
			}
			for k, v := range tt.want {
				if got := envValue(env, k); got != v {
					t.Errorf("%s = %q, want %q", k, got, v)
				}
			}
			for _, e := range env {
				if strings.Contains(e, "pool_max_conns") {
					t.Errorf("pgx setting passed to libpq: %s", e)
				}
			}
		})
	}
	if _, err := pgEnv("mysql://x"); err == nil {
		t.Fatal("a non-postgres URL was accepted")
	}
}
