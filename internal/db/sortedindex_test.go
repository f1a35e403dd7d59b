package db_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/dbtest"
)

// TestSortedIndexes: on SQLite Migrate builds comments_id_ticket
// (migration 0102), tickets_requester_id with updated_at (0103) and
// tickets_status_id (0106), and
// builds each again when it is missing or as it was before, with the rows
// written before it; the writer's connection keeps its temp_store in
// memory afterwards. On PostgreSQL comments_id_ticket does not exist and
// tickets_requester_id was replaced by 0101's index; tickets_status_id is
// SQLite's alone.
func TestSortedIndexes(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		columns := func(name string) []string {
			t.Helper()
			q := `SELECT name FROM pragma_index_info(?) ORDER BY seqno`
			if d.Dialect() == db.Postgres {
				q = `SELECT a.attname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
					JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
					WHERE c.relname = $1 ORDER BY array_position(i.indkey, a.attnum)`
			}
			rows, err := d.QueryContext(ctx, q, name)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			var out []string
			for rows.Next() {
				var col string
				if err := rows.Scan(&col); err != nil {
					t.Fatal(err)
				}
				out = append(out, col)
			}
			return out
		}
		want := map[string]string{
			db.CommentTicketIndex: "[id ticket_id]",
			db.RequesterIndex:     "[requester_id id updated_at]",
			db.StatusIndex:        "[status]",
		}
		for name, cols := range want {
			got := fmt.Sprint(columns(name))
			if d.Dialect() == db.Postgres {
				cols = "[]"
			}
			if got != cols {
				t.Errorf("%s: columns %s, want %s", name, got, cols)
			}
		}
		if d.Dialect() != db.SQLite {
			return
		}
		if err := d.Write(ctx, func(tx *db.Tx) error {
			for _, q := range []string{
				`DROP INDEX ` + db.CommentTicketIndex,
				`DROP INDEX ` + db.RequesterIndex,
				`DROP INDEX ` + db.StatusIndex,
				`CREATE INDEX ` + db.RequesterIndex + ` ON tickets(requester_id, id)`, // as before 0103
				`INSERT INTO customers (id, name, created_at, updated_at) VALUES (3, 'c', 1, 1)`,
				`INSERT INTO tickets (id, subject, status, priority, type, channel, requester_id, created_at, updated_at)
				VALUES (7, 's', 'new', 'normal', 'question', 'email', 3, 1, 5)`,
				`INSERT INTO comments (id, ticket_id, author_type, public, body, created_at) VALUES (11, 7, 'system', 1, 'b', 1)`,
			} {
				if _, err := tx.ExecContext(ctx, q); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		if _, err := d.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		for name, cols := range want {
			if got := fmt.Sprint(columns(name)); got != cols {
				t.Errorf("after Migrate %s: columns %s, want %s", name, got, cols)
			}
		}
		var tid, at int64
		if err := d.QueryRowContext(ctx, `SELECT ticket_id FROM comments INDEXED BY `+db.CommentTicketIndex+` WHERE id = 11`).Scan(&tid); err != nil || tid != 7 {
			t.Fatalf("comment 11's ticket from the index: %d, %v", tid, err)
		}
		if err := d.QueryRowContext(ctx, `SELECT updated_at FROM tickets INDEXED BY `+db.RequesterIndex+` WHERE requester_id = 3 AND id = 7`).Scan(&at); err != nil || at != 5 {
			t.Fatalf("ticket 7's updated_at from the index: %d, %v", at, err)
		}
		var open int64
		if err := d.QueryRowContext(ctx, `SELECT id FROM tickets INDEXED BY `+db.StatusIndex+` WHERE status = 'new' AND id = 7`).Scan(&open); err != nil || open != 7 {
			t.Fatalf("ticket 7 by its status from the index: %d, %v", open, err)
		}
		var store int
		if err := d.Write(ctx, func(tx *db.Tx) error {
			return tx.QueryRowContext(ctx, `PRAGMA temp_store`).Scan(&store)
		}); err != nil || store != 2 {
			t.Fatalf("writer's temp_store %d (%v), want 2 (memory)", store, err)
		}
	})
}
