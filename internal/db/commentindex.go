package db

import (
	"context"
	"fmt"
)

// CommentTicketIndex is the SQLite index of each comment's ticket by the
// comment's id (id, ticket_id): the searches' comment walks and samples
// read thousands of comments for their ticket ids alone, and through the
// rowid each is a seek into the wide comments table (internal/ticket,
// commentindex.go). Migration 0102 marks it; ensureCommentTicketIndex
// builds it.
const CommentTicketIndex = "comments_id_ticket"

// ensureCommentTicketIndex builds CommentTicketIndex on SQLite when it is
// missing. Not in a migration's transaction: the build sorts every comment,
// and with the connections' temp_store=MEMORY that sort stayed in the
// process (an `ombud migrate` of 4M comments peaked at 323 MB RSS against
// 38 MB without it); SQLite refuses to change temp_store inside a
// transaction once the connection has used temporary storage, so the build
// runs outside one, on the writer's connection, pinned, with the sort in
// temporary files. Once built, the check is one read of sqlite_master.
func (d *DB) ensureCommentTicketIndex(ctx context.Context) error {
	if d.dialect != SQLite {
		return nil
	}
	var n int
	if err := d.write.QueryRowContext(ctx, `SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name = ?`, CommentTicketIndex).Scan(&n); err != nil {
		return fmt.Errorf("db: comment ticket index: %w", err)
	}
	if n > 0 {
		return nil
	}
	conn, err := d.write.Conn(ctx)
	if err != nil {
		return fmt.Errorf("db: comment ticket index: %w", err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `PRAGMA temp_store = FILE`); err != nil {
		return fmt.Errorf("db: comment ticket index: %w", err)
	}
	_, err = conn.ExecContext(ctx, `CREATE INDEX IF NOT EXISTS `+CommentTicketIndex+` ON comments(id, ticket_id)`)
	// The connection's other statements keep their journals in memory.
	if _, rerr := conn.ExecContext(ctx, `PRAGMA temp_store = MEMORY`); err == nil && rerr != nil {
		err = rerr
	}
	if err != nil {
		return fmt.Errorf("db: comment ticket index: %w", err)
	}
	return nil
}
