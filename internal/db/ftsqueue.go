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

// ftsFlushStmts are, per table in ftsTables, the statement that removes
// the text the index holds for each noted row that existed before the
// transaction, and the one that indexes each noted row that exists now.
var ftsFlushStmts = func() [][2]string {
	var out [][2]string
	for _, t := range ftsTables {
		out = append(out, [2]string{
			fmt.Sprintf(`INSERT INTO %[1]s (%[1]s, rowid, %[2]s) SELECT 'delete', id, old_text FROM pending_fts WHERE tbl = %[3]d AND indexed = 1`, t.fts, t.column, t.n),
			fmt.Sprintf(`INSERT INTO %[1]s (rowid, %[2]s) SELECT x.id, x.%[2]s FROM pending_fts p JOIN %[4]s x ON x.id = p.id WHERE p.tbl = %[3]d`, t.fts, t.column, t.n, t.table)})
	}
	return out
}()

// flushFTS indexes the rows the transaction's writes noted and empties the
// queue. It is one read of an empty table when nothing was noted, and it
// runs only the statements that have rows to work on: each statement on
// a full-text table opens a statement savepoint, at which FTS5 writes the
// terms it holds in memory to disk, and a batch of creates notes only new
// rows (nothing to remove) of three of the four tables.
//
// With addresses (migration 0100 applied), the noted subjects and comments
// also update text_addresses (addresses.go); with pairs (migration 0105),
// the noted subjects and comments update word_pair_texts (wordpairs.go), and
// seen.vocab is set to the pairs read. It returns the indexes (in
// ftsTables) it wrote to, for the idle-time merger (ftsmerge.go).
func flushFTS(ctx context.Context, tx *Tx, seen *flushSeen) (ftsSet, error) {
	addresses := seen.addresses
	var wrote ftsSet
	rows, err := tx.QueryContext(ctx, `SELECT tbl, MAX(indexed) FROM pending_fts GROUP BY tbl`)
	if err != nil {
		return 0, fmt.Errorf("db: full-text queue: %w", err)
	}
	var todo []string
	var addrs [][2]int // tbl, MAX(indexed) of the noted subjects and comments (address and pair indexes)
	noted := false
	for rows.Next() {
		noted = true
		var tbl, indexed int
		if err := rows.Scan(&tbl, &indexed); err != nil {
			rows.Close()
			return 0, fmt.Errorf("db: full-text queue: %w", err)
		}
		if tbl < 1 || tbl > len(ftsFlushStmts) {
			continue
		}
		if tbl <= len(addressTables) {
			addrs = append(addrs, [2]int{tbl, indexed})
		}
		st := ftsFlushStmts[tbl-1]
		wrote = wrote.with(tbl - 1)
		if indexed == 1 {
			todo = append(todo, st[0])
		}
		todo = append(todo, st[1])
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("db: full-text queue: %w", err)
	}
	if !noted {
		return 0, nil
	}
	if seen.pairs && len(addrs) > 0 {
		// The registered pairs, read once for the flush's tables.
		v, err := loadPairVocab(ctx, tx, seen.vocab)
		if err != nil {
			return 0, err
		}
		seen.vocab = v
	}
	for _, a := range addrs {
		if addresses {
			if err := flushAddresses(ctx, tx, a[0], a[1] == 1); err != nil {
				return 0, err
			}
		}
		if seen.pairs {
			if err := flushWordPairs(ctx, tx, seen.vocab, a[0], a[1] == 1); err != nil {
				return 0, err
			}
		}
	}
	for _, q := range append(todo, `DELETE FROM pending_fts`) {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return 0, fmt.Errorf("db: full-text index: %w", err)
		}
	}
	return wrote, nil
}
