package importer_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/customer"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/dbtest"
	"github.com/ombud/ombud/internal/importer"
	"github.com/ombud/ombud/internal/richtext"
	"github.com/ombud/ombud/internal/ticket"
)

// TestImportAnalyzes: a large import leaves PostgreSQL's planner
// statistics counting the rows it wrote (issue 13, item 2), so lists and
// searches right after it are planned on real row counts. Autovacuum is
// off for the tables, so only the import's own ANALYZE can have done it.
// On SQLite the import runs the same and Analyze does nothing.
func TestImportAnalyzes(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		pg := d.Dialect() == db.Postgres
		if pg {
			err := d.Write(ctx, func(tx *db.Tx) error {
				for _, table := range []string{"tickets", "ticket_events", "customers"} {
					if _, err := tx.ExecContext(ctx, `ALTER TABLE `+table+` SET (autovacuum_enabled = false)`); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		reltuples := func(table string) float64 {
			t.Helper()
			var n float64
			if err := d.QueryRowContext(ctx, `SELECT reltuples FROM pg_class WHERE relname = ?`, table).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		if pg && reltuples("tickets") > 0 {
			t.Fatalf("tickets reltuples %v before the import", reltuples("tickets"))
		}
		now := func() time.Time { return time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC) }
		tickets := ticket.NewService(d, now, requesters{customer.NewService(d, now)}, richtext.New())
		imp := importer.NewService(d, tickets, directory{d})
		admin := authz.Actor{Kind: authz.KindSystem, Role: authz.Admin}
		const n = 1200
		res, err := imp.ImportWith(ctx, admin, strings.NewReader(history(n, 0, true)), importer.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if res.Imported != n {
			t.Fatalf("imported %d, want %d", res.Imported, n)
		}
		if got := ticketCount(t, d); got != n {
			t.Fatalf("%d tickets, want %d", got, n)
		}
		if !pg {
			return
		}
		// ANALYZE samples; on a table this small it reads every row.
		if got := reltuples("tickets"); got < n*0.9 {
			t.Errorf("tickets reltuples %v after importing %d: not analyzed", got, n)
		}
		if got := reltuples("ticket_events"); got < n {
			t.Errorf("ticket_events reltuples %v after importing %d tickets' events: not analyzed", got, n)
		}
	})
}
