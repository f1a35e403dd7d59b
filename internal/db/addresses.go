package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// The email addresses written in ticket subjects and comments, kept in
// text_addresses (SQLite, migration 0100) so that a search for an address
// finds the texts mentioning it with one index lookup. FTS5 reads an
// address as a phrase of five or six mostly common tokens, and finding
// where they meet walked their doclists: ≈ 16 ms of CPU a search at 1M
// tickets, whether or not any text held the address.
//
// The index is kept with the full-text queue: every write to a subject or
// a comment body notes its row in pending_fts (migration 0081's triggers),
// and flushAddresses re-reads each noted row's text before the commit, so
// creates, comments, imports, edits, erasure and deletes all keep it
// without their own code. A comment's ticket is read through comments at
// search time, so a merge (which moves comments) needs nothing either.
//
// Rows written before the migration are filled by FillTextAddresses in
// chunks; until it is done (text_address_fill empty), searches walk the
// full-text index as before.

// TextAddresses returns the email addresses in text, lower case, in order
// of first appearance, each once. An address is a local part of ASCII
// letters, digits and ._%+- then @ then a domain of at least two labels
// of ASCII letters, digits and hyphens; it must not be glued to other
// letters or digits (an address inside a longer non-ASCII word is none).
func TextAddresses(text string) []string {
	var out []string
	for i := 0; i < len(text); i++ {
		at := strings.IndexByte(text[i:], '@')
		if at < 0 {
			break
		}
		i += at
		lo := i
		for lo > 0 && localByte(text[lo-1]) {
			lo--
		}
		hi := i + 1
		for hi < len(text) && domainByte(text[hi]) {
			hi++
		}
		local := strings.TrimLeft(text[lo:i], ".") // "..ola@…": punctuation
		domain := strings.TrimRight(text[i+1:hi], ".-")
		if local == "" || !validDomain(domain) || gluedBefore(text, lo) || gluedAfter(text, i+1+len(domain)) {
			continue
		}
		a := strings.ToLower(local + "@" + domain)
		if !slices.Contains(out, a) {
			out = append(out, a)
		}
	}
	return out
}

// IsTextAddress reports whether s, as typed, is one address as
// TextAddresses reads them (a search for it can use the index).
func IsTextAddress(s string) bool {
	a := TextAddresses(s)
	return len(a) == 1 && a[0] == strings.ToLower(s)
}

func localByte(b byte) bool {
	return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9' || strings.IndexByte("._%+-", b) >= 0
}

func domainByte(b byte) bool {
	return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9' || b == '.' || b == '-'
}

func validDomain(d string) bool {
	labels := strings.Split(d, ".")
	if len(labels) < 2 {
		return false
	}
	for _, l := range labels {
		if l == "" {
			return false
		}
	}
	return true
}

// gluedBefore reports whether the text before lo ends in a non-ASCII
// letter or digit (the ASCII ones would have joined the local part).
func gluedBefore(text string, lo int) bool {
	r, n := utf8.DecodeLastRuneInString(text[:lo])
	return n > 1 && wordRune(r)
}

func gluedAfter(text string, hi int) bool {
	r, n := utf8.DecodeRuneInString(text[hi:])
	return n > 1 && wordRune(r)
}

func wordRune(r rune) bool {
	return r != utf8.RuneError && r >= utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r))
}

// addressTables are the texts text_addresses indexes, in pending_fts's
// numbering (ftsTables).
var addressTables = []struct {
	n             int
	table, column string
}{
	{1, "tickets", "subject"},
	{2, "comments", "body"},
}

// flushAddresses brings text_addresses up to date for the rows of table
// tbl (1 or 2) that the transaction noted in pending_fts: the addresses of
// the rows that existed before (indexed, when any did) are removed and
// those of their current text added.
func flushAddresses(ctx context.Context, tx *Tx, tbl int, indexed bool) error {
	t := addressTables[tbl-1]
	if indexed {
		if _, err := tx.ExecContext(ctx, `DELETE FROM text_addresses WHERE tbl = ? AND id IN (SELECT id FROM pending_fts WHERE tbl = ? AND indexed = 1)`,
			tbl, tbl); err != nil {
			return fmt.Errorf("db: address index: %w", err)
		}
	}
	// Only texts holding an @ are read into Go.
	return addAddresses(ctx, tx, tbl, `SELECT x.id, x.`+t.column+` FROM pending_fts p JOIN `+t.table+` x ON x.id = p.id
		WHERE p.tbl = ? AND instr(x.`+t.column+`, '@') > 0`, tbl)
}

// addAddresses indexes the addresses of the (id, text) rows q returns.
func addAddresses(ctx context.Context, tx *Tx, tbl int, q string, args ...any) error {
	rows, err := tx.QueryContext(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("db: address index: %w", err)
	}
	type found struct {
		id   int64
		addr string
	}
	var add []found
	for rows.Next() {
		var id int64
		var text string
		if err := rows.Scan(&id, &text); err != nil {
			rows.Close()
			return fmt.Errorf("db: address index: %w", err)
		}
		for _, a := range TextAddresses(text) {
			add = append(add, found{id, a})
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("db: address index: %w", err)
	}
	for _, f := range add {
		if _, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO text_addresses (address, tbl, id) VALUES (?, ?, ?)`, f.addr, tbl, f.id); err != nil {
			return fmt.Errorf("db: address index: %w", err)
		}
	}
	return nil
}

// fillChunk is how many rows one fill transaction reads: small enough
// that a person's write queued behind it waits little.
const fillChunk = 2000

// FillTextAddresses indexes the addresses of the subjects and comments
// written before migration 0100 (ids up to text_address_fill.last_id), in
// transactions of fillChunk rows, from where an earlier run stopped, and
// returns how many rows it read. It does nothing on PostgreSQL or when the
// fill is done. Rows written meanwhile are kept by the full-text flush;
// the fill reads each row's current text in the writer's transaction, so
// it cannot index a text an edit has replaced.
func (d *DB) FillTextAddresses(ctx context.Context) (int64, error) {
	if d.dialect != SQLite {
		return 0, nil
	}
	var rows int64
	for {
		done := false
		err := d.WriteBulk(ctx, func(tx *Tx) error {
			var tbl int
			var next, end int64
			err := tx.QueryRowContext(ctx, `SELECT tbl, next_id, last_id FROM text_address_fill ORDER BY tbl LIMIT 1`).Scan(&tbl, &next, &end)
			if errors.Is(err, sql.ErrNoRows) {
				done = true
				return nil
			}
			if err != nil {
				return err
			}
			t := addressTables[tbl-1]
			var last int64
			var n int64
			if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0), COUNT(*) FROM (SELECT id FROM `+t.table+` WHERE id BETWEEN ? AND ? ORDER BY id LIMIT ?)`,
				next, end, fillChunk).Scan(&last, &n); err != nil {
				return err
			}
			if n == 0 {
				_, err := tx.ExecContext(ctx, `DELETE FROM text_address_fill WHERE tbl = ?`, tbl)
				return err
			}
			if err := addAddresses(ctx, tx, tbl, `SELECT id, `+t.column+` FROM `+t.table+` WHERE id BETWEEN ? AND ? AND instr(`+t.column+`, '@') > 0`, next, last); err != nil {
				return err
			}
			rows += n
			_, err = tx.ExecContext(ctx, `UPDATE text_address_fill SET next_id = ? WHERE tbl = ?`, last+1, tbl)
			return err
		})
		if err != nil {
			return rows, fmt.Errorf("db: fill address index: %w", err)
		}
		if done {
			return rows, nil
		}
	}
}
