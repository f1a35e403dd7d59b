package bench

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ombud/ombud/internal/dbtest"
)

// BenchmarkRawInsert measures what the machine allows: single-row INSERTs,
// each its own durable transaction, from OMBUD_BENCH_CLIENTS connections
// for OMBUD_BENCH_SECONDS — on the production-configured PostgreSQL
// (fsync and synchronous_commit on) and on SQLite (WAL, synchronous=FULL;
// one connection, as SQLite allows one writer). The write figures of
// BenchmarkLoad read as a fraction of these.
//
//	go test ./bench/ -run '^$' -bench RawInsert -benchtime 1x
func BenchmarkRawInsert(b *testing.B) {
	seconds := envInt("OMBUD_BENCH_SECONDS", 10)
	clients := envInt("OMBUD_BENCH_CLIENTS", 64)
	body := strings.Repeat("x", 200)
	for _, engine := range []string{"postgres-durable", "sqlite"} {
		b.Run(engine, func(b *testing.B) {
			var conn *sql.DB
			var err error
			n := clients
			if engine == "sqlite" {
				conn, err = sql.Open("sqlite", "file:"+filepath.Join(b.TempDir(), "raw.db")+"?_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)")
				n = 1
			} else {
				conn, err = sql.Open("pgx", dbtest.NewDurablePostgresDatabase(b))
			}
			if err != nil {
				b.Fatal(err)
			}
			defer conn.Close()
			conn.SetMaxOpenConns(n)
			conn.SetMaxIdleConns(n)
			q := "INSERT INTO raw (body, at) VALUES (?, ?)"
			ddl := "CREATE TABLE raw (id INTEGER PRIMARY KEY, body TEXT NOT NULL, at BIGINT NOT NULL)"
			if engine != "sqlite" {
				q = "INSERT INTO raw (body, at) VALUES ($1, $2)"
				ddl = "CREATE TABLE raw (id BIGSERIAL PRIMARY KEY, body TEXT NOT NULL, at BIGINT NOT NULL)"
			}
			if _, err := conn.Exec(ddl); err != nil {
				b.Fatal(err)
			}
			r := drive("single-row insert", clients, time.Duration(seconds)*time.Second, func(_ *rand.Rand, i int64) error {
				_, err := conn.ExecContext(context.Background(), q, body, i)
				return err
			})
			fmt.Fprintf(os.Stdout, "\n%s: %d clients (%d connections), %ds: %.0f durable single-row inserts/s, p50 %s p99 %s\n",
				engine, clients, n, seconds, r.rate, r.p50.Round(10*time.Microsecond), r.p99.Round(10*time.Microsecond))
			b.ReportMetric(r.rate, "inserts/s")
		})
	}
}
