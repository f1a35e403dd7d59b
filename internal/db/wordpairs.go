package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// The word-pair index (SQLite, migration 0105). FTS5 answers a search for
// two words by intersecting their doclists, and it can skip ahead only
// reading them oldest first: two common words that seldom share a comment
// ("ikke" and "order" in a helpdesk writing Norwegian and English) cost a
// walk through both lists, ≈ 17 ms of CPU at 1M tickets, however few
// comments hold both. Bounding the walk does not help (the first match is
// sought from the end of the lists whatever the range).
//
// So such a pair, once a search has found it seldom meets, is registered
// (RegisterWordPair): the ticket subjects and comments holding both words
// are read from ticket_fts and comment_fts, in the writer's transaction,
// into word_pair_texts, and from then on the full-text flush keeps them —
// each noted text's pairs are removed and those of its current text added,
// read in Go by Unicode61Tokens, which splits and folds exactly as FTS5's
// unicode61 does (unicode61.go). Creates, comment adds, imports, edits,
// erasure and deletes all pass through the flush; a merge moves comments
// without changing their text. A search for the two words then reads the
// pair's texts newest first (WordPairTexts) instead of intersecting the
// doclists.
//
// Only pairs that a search found to meet seldom are kept, so the index
// stays small and a text's flush adds a row only for a registered pair it
// holds; a pair that grows common is read as such (more than the search's
// bound) and the search walks the doclists as before.

// pairVocab is the registered pairs: each word's partners, by pair number.
type pairVocab struct {
	version  int64 // MAX(word_pairs.n) when read
	partners map[string]map[string]int64
	buf      []byte // the tokenizer's, reused (the writer goroutine's)
}

// loadPairVocab returns the registered pairs as of tx: v itself when none
// was registered since it was read.
func loadPairVocab(ctx context.Context, tx *Tx, v *pairVocab) (*pairVocab, error) {
	var version int64
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(n), 0) FROM word_pairs`).Scan(&version); err != nil {
		return nil, fmt.Errorf("db: word pairs: %w", err)
	}
	if v != nil && v.version == version {
		return v, nil
	}
	nv := &pairVocab{version: version, partners: map[string]map[string]int64{}}
	if version == 0 {
		return nv, nil
	}
	rows, err := tx.QueryContext(ctx, `SELECT n, a, b FROM word_pairs`)
	if err != nil {
		return nil, fmt.Errorf("db: word pairs: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var n int64
		var a, b string
		if err := rows.Scan(&n, &a, &b); err != nil {
			return nil, fmt.Errorf("db: word pairs: %w", err)
		}
		nv.add(a, b, n)
		nv.add(b, a, n)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("db: word pairs: %w", err)
	}
	return nv, nil
}

func (v *pairVocab) add(a, b string, n int64) {
	m := v.partners[a]
	if m == nil {
		m = map[string]int64{}
		v.partners[a] = m
	}
	m[b] = n
}

// pairsIn appends to out the numbers of the registered pairs both of
// whose words text holds.
func (v *pairVocab) pairsIn(text string, out []int64) []int64 {
	var held []string
	v.buf = unicode61Each(text, v.buf, func(tok []byte) bool {
		if _, ok := v.partners[string(tok)]; ok && !slices.Contains(held, string(tok)) {
			held = append(held, string(tok))
		}
		return true
	})
	for i, a := range held {
		for _, b := range held[i+1:] {
			if n, ok := v.partners[a][b]; ok {
				out = append(out, n)
			}
		}
	}
	return out
}

// flushWordPairs brings word_pair_texts up to date for the rows of table
// tbl (1 or 2, addressTables) the transaction noted in pending_fts: the
// pairs of those that existed before (indexed, when any did) are removed
// and those of their current text added. It returns the pairs it read.
func flushWordPairs(ctx context.Context, tx *Tx, v *pairVocab, tbl int, indexed bool) (*pairVocab, error) {
	v, err := loadPairVocab(ctx, tx, v)
	if err != nil || v.version == 0 {
		return v, err // no pair registered: no text is in the index
	}
	if indexed {
		if _, err := tx.ExecContext(ctx, `DELETE FROM word_pair_texts WHERE tbl = ? AND id IN (SELECT id FROM pending_fts WHERE tbl = ? AND indexed = 1)`, tbl, tbl); err != nil {
			return nil, fmt.Errorf("db: word pairs: %w", err)
		}
	}
	t := addressTables[tbl-1]
	rows, err := tx.QueryContext(ctx, `SELECT x.id, x.`+t.column+` FROM pending_fts p JOIN `+t.table+` x ON x.id = p.id WHERE p.tbl = ?`, tbl)
	if err != nil {
		return nil, fmt.Errorf("db: word pairs: %w", err)
	}
	type posting struct{ pair, id int64 }
	var add []posting
	var pairs []int64
	for rows.Next() {
		var id int64
		var body string
		if err := rows.Scan(&id, &body); err != nil {
			rows.Close()
			return nil, fmt.Errorf("db: word pairs: %w", err)
		}
		pairs = v.pairsIn(body, pairs[:0])
		for _, n := range pairs {
			add = append(add, posting{n, id})
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("db: word pairs: %w", err)
	}
	for _, p := range add {
		if _, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO word_pair_texts (pair, tbl, id) VALUES (?, ?, ?)`, p.pair, tbl, p.id); err != nil {
			return nil, fmt.Errorf("db: word pairs: %w", err)
		}
	}
	return v, nil
}

// OneToken returns word as the one token unicode61 reads in it, and false
// when it holds none or several.
func OneToken(word string) (string, bool) {
	var tok string
	n := 0
	Unicode61Tokens(word, func(t string) bool {
		tok = t
		n++
		return n < 2
	})
	return tok, n == 1
}

// pairMatch is the FTS5 query that finds the comments holding both tokens.
func pairMatch(a, b string) string {
	return `"` + strings.ReplaceAll(a, `"`, `""`) + `" AND "` + strings.ReplaceAll(b, `"`, `""`) + `"`
}

// RegisterWordPair registers the pair of tokens a and b (as unicode61
// folds them, OneToken) with the subjects and comments holding both, read
// from ticket_fts and comment_fts in the writer's transaction, when there
// are at most limit of each. It reports whether the pair is registered
// (now or before); never on PostgreSQL, which has no such index.
func (d *DB) RegisterWordPair(ctx context.Context, a, b string, limit int) (bool, error) {
	if d.dialect != SQLite {
		return false, nil
	}
	if a > b {
		a, b = b, a
	}
	if a == b || a == "" {
		return false, fmt.Errorf("db: word pair %q %q: two different tokens needed", a, b)
	}
	registered := false
	err := d.Write(ctx, func(tx *Tx) error {
		var n int64
		err := tx.QueryRowContext(ctx, `SELECT n FROM word_pairs WHERE a = ? AND b = ?`, a, b).Scan(&n)
		if err == nil {
			registered = true
			return nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		var texts [2][]int64
		for i, fts := range []string{"ticket_fts", "comment_fts"} {
			if texts[i], err = readIDs(ctx, tx, `SELECT rowid FROM `+fts+` WHERE `+fts+` MATCH ? LIMIT ?`, pairMatch(a, b), limit+1); err != nil {
				return err
			}
			if len(texts[i]) > limit {
				return nil
			}
		}
		if err := tx.QueryRowContext(ctx, `INSERT INTO word_pairs (a, b) VALUES (?, ?) RETURNING n`, a, b).Scan(&n); err != nil {
			return err
		}
		for i, ids := range texts {
			for _, id := range ids {
				if _, err := tx.ExecContext(ctx, `INSERT INTO word_pair_texts (pair, tbl, id) VALUES (?, ?, ?)`, n, i+1, id); err != nil {
					return err
				}
			}
		}
		registered = true
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("db: register word pair: %w", err)
	}
	return registered, nil
}

// readIDs reads a column of ids.
func readIDs(ctx context.Context, tx *Tx, q string, args ...any) ([]int64, error) {
	rows, err := tx.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// WordPairTexts returns, newest first, up to limit ids of the ticket
// subjects and of the comments holding both tokens a and b, and whether
// the pair is registered (when it is not, both are empty and the caller
// asks the full-text indexes). On PostgreSQL no pair is registered.
func (d *DB) WordPairTexts(ctx context.Context, a, b string, limit int) (subjects, comments []int64, registered bool, err error) {
	if d.dialect != SQLite {
		return nil, nil, false, nil
	}
	if a > b {
		a, b = b, a
	}
	rows, err := d.QueryContext(ctx, `SELECT 0, n FROM word_pairs WHERE a = ?1 AND b = ?2
		UNION ALL SELECT * FROM (SELECT tbl, id FROM word_pair_texts WHERE pair = (SELECT n FROM word_pairs WHERE a = ?1 AND b = ?2) AND tbl = 1 ORDER BY id DESC LIMIT ?3)
		UNION ALL SELECT * FROM (SELECT tbl, id FROM word_pair_texts WHERE pair = (SELECT n FROM word_pairs WHERE a = ?1 AND b = ?2) AND tbl = 2 ORDER BY id DESC LIMIT ?3)`, a, b, limit)
	if err != nil {
		return nil, nil, false, fmt.Errorf("db: word pair: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var tbl, id int64
		if err := rows.Scan(&tbl, &id); err != nil {
			return nil, nil, false, fmt.Errorf("db: word pair: %w", err)
		}
		switch tbl {
		case 0:
			registered = true
		case 1:
			subjects = append(subjects, id)
		case 2:
			comments = append(comments, id)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, nil, false, fmt.Errorf("db: word pair: %w", err)
	}
	return subjects, comments, registered, nil
}
