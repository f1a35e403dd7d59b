package bench

import (
	"database/sql"
	"net/url"
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
