package db

import (
	"context"
	"fmt"
)

// CommentTicketIndex is the SQLite index of each comment's ticket by the
// comment's id (id, ticket_id): the searches' comment walks and samples
// read thousands of comments for their ticket ids alone, and through the
// rowid each is a seek into the wide comments table (internal/ticket,
// commentindex.go). Migration 0102 marks it; ensureSortedIndexes builds it.
const CommentTicketIndex = "comments_id_ticket"

// RequesterIndex is the SQLite index of the tickets by requester and id,
// with each one's updated_at (migration 0103): a search's requester lookup
// reads the newest ids of the named customers and the recency they are
// ranked by from it alone (internal/ticket, lookupwindow.go).
const RequesterIndex = "tickets_requester_id"

// StatusIndex is the SQLite index of the tickets by status, each status's
// in id order (the rowid follows the key; migration 0106): a search's
// status test probes it for each walked ticket (internal/ticket,
// rankpgfilter.go) where the tickets table would cost a seek into its
// wide rows.
const StatusIndex = "tickets_status_id"

// sortedIndexes are the SQLite indexes the migration runner builds itself,
// outside the migrations' transactions: each sorts a large table, and with
// the connections' temp_store=MEMORY that sort stayed in the process (an
// `ombud migrate` of 4M comments peaked at 323 MB RSS against 38 MB
// without it); SQLite refuses to change temp_store inside a transaction
// once the connection has used temporary storage. A migration marks each
// (it is the SQL of record); built counts the index as it should be.
var sortedIndexes = []struct {
	name, create, built string
}{
	{CommentTicketIndex, `CREATE INDEX ` + CommentTicketIndex + ` ON comments(id, ticket_id)`,
		`SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name = '` + CommentTicketIndex + `'`},
	// Before 0103 the index was (requester_id, id).
	{RequesterIndex, `CREATE INDEX ` + RequesterIndex + ` ON tickets(requester_id, id, updated_at)`,
		`SELECT COUNT(*) FROM pragma_index_info('` + RequesterIndex + `') WHERE name = 'updated_at'`},
	{StatusIndex, `CREATE INDEX ` + StatusIndex + ` ON tickets(status)`,
		`SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name = '` + StatusIndex + `'`},
}

// ensureSortedIndexes builds each of sortedIndexes that is missing or not
// yet as it should be, on the writer's connection, pinned, with the sort
// in temporary files. Once built, the check is one read of the schema per
// index.
func (d *DB) ensureSortedIndexes(ctx context.Context) error {
	if d.dialect != SQLite {
		return nil
	}
	for _, ix := range sortedIndexes {
		var n int
		if err := d.write.QueryRowContext(ctx, ix.built).Scan(&n); err != nil {
			return fmt.Errorf("db: index %s: %w", ix.name, err)
		}
		if n > 0 {
			continue
		}
		if err := d.buildSorted(ctx, ix.name, ix.create); err != nil {
			return fmt.Errorf("db: index %s: %w", ix.name, err)
		}
	}
	return nil
}

// buildSorted replaces the index name by create's, its sort in files.
func (d *DB) buildSorted(ctx context.Context, name, create string) error {
	conn, err := d.write.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `PRAGMA temp_store = FILE`); err != nil {
		return err
	}
	_, err = conn.ExecContext(ctx, `DROP INDEX IF EXISTS `+name)
	if err == nil {
		_, err = conn.ExecContext(ctx, create)
	}
	// The connection's other statements keep their journals in memory.
	if _, rerr := conn.ExecContext(ctx, `PRAGMA temp_store = MEMORY`); err == nil && rerr != nil {
		err = rerr
	}
	return err
}
