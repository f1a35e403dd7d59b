package db_test

import (
	"context"
	"testing"

	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/dbtest"
)

// TestCommentTicketIndex: on SQLite Migrate builds comments_id_ticket
// (migration 0102) and builds it again when it is missing, with the
// comments written before it, and the writer's connection keeps its
// temp_store in memory afterwards; on PostgreSQL there is no such index.
func TestCommentTicketIndex(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		exists := func() bool {
			t.Helper()
			q := `SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name = ?`
			if d.Dialect() == db.Postgres {
				q = `SELECT COUNT(*) FROM pg_indexes WHERE indexname = ?`
			}
			var n int
			if err := d.QueryRowContext(ctx, q, db.CommentTicketIndex).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n > 0
		}
		if got, want := exists(), d.Dialect() == db.SQLite; got != want {
			t.Fatalf("index exists %v, want %v", got, want)
		}
		if d.Dialect() != db.SQLite {
			return
		}
		if err := d.Write(ctx, func(tx *db.Tx) error {
			if _, err := tx.ExecContext(ctx, `DROP INDEX `+db.CommentTicketIndex); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO customers (id, name, created_at, updated_at) VALUES (3, 'c', 1, 1)`); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, `INSERT INTO tickets (id, subject, status, priority, type, channel, requester_id, created_at, updated_at)
				VALUES (7, 's', 'new', 'normal', 'question', 'email', 3, 1, 1)`)
			if err != nil {
				return err
			}
			_, err = tx.ExecContext(ctx, `INSERT INTO comments (id, ticket_id, author_type, public, body, created_at) VALUES (11, 7, 'system', 1, 'b', 1)`)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if _, err := d.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		if !exists() {
			t.Fatal("Migrate did not build the missing index")
		}
		var tid int64
		if err := d.QueryRowContext(ctx, `SELECT ticket_id FROM comments INDEXED BY `+db.CommentTicketIndex+` WHERE id = 11`).Scan(&tid); err != nil || tid != 7 {
			t.Fatalf("comment 11's ticket from the index: %d, %v", tid, err)
		}
		var store int
		if err := d.Write(ctx, func(tx *db.Tx) error {
			return tx.QueryRowContext(ctx, `PRAGMA temp_store`).Scan(&store)
		}); err != nil || store != 2 {
			t.Fatalf("writer's temp_store %d (%v), want 2 (memory)", store, err)
		}
	})
}
