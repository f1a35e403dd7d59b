package bench

import (
	"database/sql"
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

// xactCommits is the number of transactions committed in the server's
// PostgreSQL database so far (pg_stat_database.xact_commit), -1 on SQLite
// or when it cannot be read. Backends report their counts up to a second
// late, so a reading taken right after the load first waits that long.
// The second figure is the cluster's WAL flushes (pg_stat_wal.wal_sync).
func xactCommits(env []string) (int64, int64) {
	u := databaseURL(env)
	if u == "" {
		return -1, -1
	}
	time.Sleep(1500 * time.Millisecond)
	conn, err := sql.Open("pgx", u)
	if err != nil {
		return -1, -1
	}
	defer conn.Close()
	var n, syncs int64
	if err := conn.QueryRow(`SELECT xact_commit, (SELECT wal_sync FROM pg_stat_wal) FROM pg_stat_database WHERE datname = current_database()`).Scan(&n, &syncs); err != nil {
		return -1, -1
	}
	return n, syncs
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
