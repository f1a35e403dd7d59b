package db

import (
	"context"
	"fmt"
)

// SQLite's full-text indexes (ticket_fts, comment_fts, customer_fts,
// organization_fts) are written once per commit. Their triggers note the
// changed rows in pending_fts (migration 0081_fts_queue); flushFTS indexes
// them after the group writer has released every request's savepoint and
// before it commits, so the index changes in the same transaction as the
// rows and a row is findable as soon as the write that made it returns.
// FTS5 writes its in-memory terms to disk whenever a savepoint opens,
// so indexing inside each request's savepoint cost a new index segment per
// table per request (and per later statement with a statement journal),
// and merges of those segments.

// ftsTables are the indexed tables in pending_fts's numbering.
var ftsTables = []struct {
	n                  int
	fts, table, column string
}{
	{1, "ticket_fts", "tickets", "subject"},
	{2, "comment_fts", "comments", "body"},
	{3, "customer_fts", "customers", "name"},
	{4, "organization_fts", "organizations", "name"},
}

// flushFTSStmts removes the text the index holds for each noted row that
// existed before the transaction, indexes each noted row that exists now,
// and empties the queue.
var flushFTSStmts = func() []string {
	var out []string
	for _, t := range ftsTables {
		out = append(out,
			fmt.Sprintf(`INSERT INTO %[1]s (%[1]s, rowid, %[2]s) SELECT 'delete', id, old_text FROM pending_fts WHERE tbl = %[3]d AND indexed = 1`, t.fts, t.column, t.n),
			fmt.Sprintf(`INSERT INTO %[1]s (rowid, %[2]s) SELECT x.id, x.%[2]s FROM pending_fts p JOIN %[4]s x ON x.id = p.id WHERE p.tbl = %[3]d`, t.fts, t.column, t.n, t.table))
	}
	return append(out, `DELETE FROM pending_fts`)
}()

// flushFTS indexes the rows the transaction's writes noted. It is a no-op
// (one read of an empty table) when nothing was noted.
func flushFTS(ctx context.Context, tx *Tx) error {
	var any bool
	if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM pending_fts)`).Scan(&any); err != nil {
		return fmt.Errorf("db: full-text queue: %w", err)
	}
	if !any {
		return nil
	}
	for _, q := range flushFTSStmts {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("db: full-text index: %w", err)
		}
	}
	return nil
}
