package bench

import (
	"cmp"
	"database/sql"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"
)

// databaseURL is the PostgreSQL URL among a server's environment, "" on SQLite.
func databaseURL(env []string) string {
	for _, e := range env {
		if v, ok := strings.CutPrefix(e, "OMBUD_DATABASE_URL="); ok {
			return v
		}
	}
	return ""
}

// pgDatabase is the name of the PostgreSQL database among a server's
// environment, "" on SQLite.
func pgDatabase(env []string) string {
	u, err := url.Parse(databaseURL(env))
	if err != nil || u.Path == "" {
		return ""
	}
	return strings.TrimPrefix(u.Path, "/")
}

// xactCommits is the number of transactions committed in the server's
// PostgreSQL database so far (pg_stat_database.xact_commit), -1 on SQLite
// or when it cannot be read. Backends report their counts up to a second
// late, so a reading taken right after the load first waits that long.
// The second figure is the cluster's WAL flushes (pg_stat_wal.wal_sync).
// The third is the statements clients sent to the database so far
// (pg_stat_statements, top level, BEGIN and COMMIT included), -1 where
// the extension is not loaded (the durable cluster loads it).
func xactCommits(env []string) (int64, int64, int64) {
	u := databaseURL(env)
	if u == "" {
		return -1, -1, -1
	}
	time.Sleep(1500 * time.Millisecond)
	conn, err := sql.Open("pgx", u)
	if err != nil {
		return -1, -1, -1
	}
	defer conn.Close()
	var n, syncs int64
	if err := conn.QueryRow(`SELECT xact_commit, (SELECT wal_sync FROM pg_stat_wal) FROM pg_stat_database WHERE datname = current_database()`).Scan(&n, &syncs); err != nil {
		return -1, -1, -1
	}
	stmts := int64(-1)
	if _, err := conn.Exec(`CREATE EXTENSION IF NOT EXISTS pg_stat_statements`); err == nil {
		if err := conn.QueryRow(`SELECT COALESCE(SUM(calls), 0)::bigint FROM pg_stat_statements s
			JOIN pg_database d ON d.oid = s.dbid WHERE d.datname = current_database()`).Scan(&stmts); err != nil {
			stmts = -1
		}
	}
	return n, syncs, stmts
}

// pgBacklog counts the jobs queued or running in the server's PostgreSQL
// database, -1 when it cannot be read.
func pgBacklog(env []string) int {
	u := databaseURL(env)
	if u == "" {
		return -1
	}
	return countBacklog("pgx", u)
}

// statementCalls is pg_stat_statements' calls per statement text in the
// server's database so far (nil where the extension is not loaded).
func statementCalls(env []string) map[string]int64 {
	u := databaseURL(env)
	if u == "" {
		return nil
	}
	conn, err := sql.Open("pgx", u)
	if err != nil {
		return nil
	}
	defer conn.Close()
	if _, err := conn.Exec(`CREATE EXTENSION IF NOT EXISTS pg_stat_statements`); err != nil {
		return nil
	}
	rows, err := conn.Query(`SELECT query, SUM(calls)::bigint FROM pg_stat_statements s
		JOIN pg_database d ON d.oid = s.dbid WHERE d.datname = current_database() GROUP BY query`)
	if err != nil {
		return nil
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var q string
		var n int64
		if rows.Scan(&q, &n) == nil {
			out[q] = n
		}
	}
	return out
}

// printStatements prints the statements sent per operation between two
// readings of statementCalls, most frequent first, those at least once in
// twenty operations (OMBUD_BENCH_STATEMENTS=1).
func printStatements(op string, before, after map[string]int64, n int64) {
	if after == nil || n == 0 {
		return
	}
	type row struct {
		q   string
		per float64
	}
	var rows []row
	for q, c := range after {
		if per := float64(c-before[q]) / float64(n); per >= 0.05 {
			rows = append(rows, row{q, per})
		}
	}
	slices.SortFunc(rows, func(a, b row) int { return cmp.Compare(b.per, a.per) })
	fmt.Printf("\nstatements per operation, %s:\n", op)
	for _, r := range rows {
		q := strings.Join(strings.Fields(r.q), " ")
		if len(q) > 150 {
			q = q[:150] + "…"
		}
		fmt.Printf("  %6.2f  %s\n", r.per, q)
	}
}
