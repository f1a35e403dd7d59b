package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The word-pair index (migration 0105). A full-text index answers a search
// for two words by intersecting their postings: FTS5 can skip ahead only
// reading its doclists oldest first, and PostgreSQL's GIN index ANDs both
// posting lists whole. So two common words that seldom share a text
// ("ikke" and "order" in a helpdesk writing Norwegian and English) cost a
// walk through both lists, ≈ 17 ms of CPU at 1M tickets on SQLite and
// ≈ 31 ms of PostgreSQL's, however few texts hold both; bounding the walk
// does not help (FTS5 seeks the first match from the end of the lists
// whatever the range).
//
// So such a pair, once a search has found it seldom meets, is registered
// (RegisterWordPair): the ticket subjects and comments holding both words
// are read from the full-text indexes into word_pair_texts, and from then
// on every write keeps them. On SQLite the full-text flush does: each
// noted text's pairs are removed and those of its current text added,
// read in Go by Unicode61Tokens, which splits and folds exactly as FTS5's
// unicode61 does (unicode61.go). On PostgreSQL triggers do, from the rows'
// search_vec. Creates, comment adds, imports, edits, erasure and deletes
// all pass through them; a merge moves comments without changing their
// text. A search for the two words then reads the pair's texts newest
// first (WordPairTexts) instead of intersecting the postings.
//
// Only pairs that a search found to meet seldom (in at most 100,000
// texts, internal/ticket/rankpairs.go) are kept, so the index stays small
// and a write adds a row only for a registered pair its text holds; a
// registered pair answers every search of its words, however many texts
// it gains.

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
// tbl (1 or 2, addressTables) the transaction noted in pending_fts, with
// the registered pairs v: the pairs of those that existed before
// (indexed, when any did) are removed and those of their current text
// added.
func flushWordPairs(ctx context.Context, tx *Tx, v *pairVocab, tbl int, indexed bool) error {
	if v.version == 0 {
		return nil // no pair registered: no text is in the index
	}
	if indexed {
		if _, err := tx.ExecContext(ctx, `DELETE FROM word_pair_texts WHERE tbl = ? AND id IN (SELECT id FROM pending_fts WHERE tbl = ? AND indexed = 1)`, tbl, tbl); err != nil {
			return fmt.Errorf("db: word pairs: %w", err)
		}
	}
	t := addressTables[tbl-1]
	rows, err := tx.QueryContext(ctx, `SELECT x.id, x.`+t.column+` FROM pending_fts p JOIN `+t.table+` x ON x.id = p.id WHERE p.tbl = ?`, tbl)
	if err != nil {
		return fmt.Errorf("db: word pairs: %w", err)
	}
	add := map[int64][]int64{} // pair → the texts to add
	var pairs []int64
	for rows.Next() {
		var id int64
		var body string
		if err := rows.Scan(&id, &body); err != nil {
			rows.Close()
			return fmt.Errorf("db: word pairs: %w", err)
		}
		pairs = v.pairsIn(body, pairs[:0])
		for _, n := range pairs {
			add[n] = append(add[n], id)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("db: word pairs: %w", err)
	}
	// A statement a pair, not a row: a bulk import's flush notes
	// thousands of comments.
	for n, ids := range add {
		if err := insertPairTexts(ctx, tx, n, tbl, ids); err != nil {
			return fmt.Errorf("db: word pairs: %w", err)
		}
	}
	return nil
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

// pairTokens returns the two words w1 and w2 as the engine's index reads
// them (unicode61's folding, OneToken), in order, and false unless each
// is one token and they differ. On PostgreSQL it returns the words as
// they are: the statements read their lexemes (pgPairLexemes).
func (d *DB) pairTokens(w1, w2 string) (a, b string, ok bool) {
	if d.dialect != SQLite {
		return w1, w2, true
	}
	a, ok1 := OneToken(w1)
	b, ok2 := OneToken(w2)
	if !ok1 || !ok2 || a == b {
		return "", "", false
	}
	return min(a, b), max(a, b), true
}

// pgPairLexemes is a subquery of the two lexemes of its text argument,
// (a, b) with a < b, and no row unless there are exactly two.
const pgPairLexemes = `(SELECT MIN(l) AS a, MAX(l) AS b FROM unnest(tsvector_to_array(to_tsvector('simple', ?))) l HAVING COUNT(*) = 2)`

// RegisterWordPair registers the pair of words w1 and w2 with the ticket
// subjects and comments holding both, when there are at most limit of
// each. It reports whether the pair is registered (now or before).
//
// On SQLite the texts are read from ticket_fts and comment_fts in the
// writer's transaction. On PostgreSQL writes are not held back: the pair
// is written first, not ready, so that the triggers keep its texts from
// then on; once every transaction under way at that moment has ended
// (each may have written a text before its trigger could see the pair),
// its texts are read through the GIN indexes and it is made ready. A text
// deleted or edited while they are read may leave an entry behind: the
// searches test each text they read by id against the words.
func (d *DB) RegisterWordPair(ctx context.Context, w1, w2 string, limit int) (bool, error) {
	a, b, ok := d.pairTokens(w1, w2)
	if !ok {
		return false, nil
	}
	if d.dialect == Postgres {
		return d.registerPairPG(ctx, a+" "+b, limit)
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
		registered = true
		for i, ids := range texts {
			if err := insertPairTexts(ctx, tx, n, i+1, ids); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("db: register word pair: %w", err)
	}
	return registered, nil
}

// pgPairWait bounds how long a registration on PostgreSQL waits for the
// transactions under way when its pair was written; past it the pair is
// removed and the registration fails (the next search tries again).
const pgPairWait = 10 * time.Second

// registerPairPG is RegisterWordPair on PostgreSQL; text holds the two
// words.
func (d *DB) registerPairPG(ctx context.Context, text string, limit int) (bool, error) {
	var n int64
	var a, b string
	done := false // registered before, or not a pair of two lexemes
	err := d.Write(ctx, func(tx *Tx) error {
		var ready bool
		err := tx.QueryRowContext(ctx, `SELECT COALESCE(w.n, 0), COALESCE(w.ready, false), p.a, p.b FROM `+pgPairLexemes+` p
			LEFT JOIN word_pairs w ON w.a = p.a AND w.b = p.b`, text).Scan(&n, &ready, &a, &b)
		if errors.Is(err, sql.ErrNoRows) {
			n, done = -1, true
			return nil
		}
		if err != nil || ready {
			done = true
			return err
		}
		if n != 0 {
			// Written and not ready: another registration is filling it,
			// or one ended before it could (a process stopped). Filling
			// it again is harmless.
			return nil
		}
		// Another process may register it meanwhile: its row stands.
		err = tx.QueryRowContext(ctx, `INSERT INTO word_pairs (a, b, ready) VALUES (?, ?, false) ON CONFLICT (a, b) DO NOTHING RETURNING n`, a, b).Scan(&n)
		if errors.Is(err, sql.ErrNoRows) {
			done = true
			return nil
		}
		return err
	})
	if err != nil || done {
		if err != nil {
			return false, fmt.Errorf("db: register word pair: %w", err)
		}
		return n != -1, nil
	}
	kept, err := d.fillPairPG(ctx, n, a+" "+b, limit)
	if err != nil || !kept {
		// Removed with the triggers' entries, so that a later search may
		// try again; even when the context has ended.
		cctx := context.WithoutCancel(ctx)
		_ = d.Write(cctx, func(tx *Tx) error {
			if _, err := tx.ExecContext(cctx, `DELETE FROM word_pair_texts WHERE pair = ?`, n); err != nil {
				return err
			}
			_, err := tx.ExecContext(cctx, `DELETE FROM word_pairs WHERE n = ?`, n)
			return err
		})
	}
	if err != nil {
		return false, fmt.Errorf("db: register word pair: %w", err)
	}
	return kept, nil
}

// fillPairPG waits out the transactions under way, then reads pair n's
// texts (the lexemes in text) and makes it ready; false when there are
// more than limit of either kind.
func (d *DB) fillPairPG(ctx context.Context, n int64, text string, limit int) (bool, error) {
	var snap string
	if err := d.QueryRowContext(ctx, `SELECT CAST(pg_current_snapshot() AS TEXT)`).Scan(&snap); err != nil {
		return false, err
	}
	deadline := time.Now().Add(pgPairWait)
	for {
		var left bool
		if err := d.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM pg_snapshot_xip(CAST(? AS pg_snapshot)) x
			WHERE pg_xact_status(x) = 'in progress')`, snap).Scan(&left); err != nil {
			return false, err
		}
		if !left {
			break
		}
		if time.Now().After(deadline) {
			return false, fmt.Errorf("transactions still under way after %v", pgPairWait)
		}
		select {
		case <-ctx.Done():
			return false, ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
	kept := false
	err := d.Write(ctx, func(tx *Tx) error {
		for _, q := range []string{
			// The GIN indexes, not a walk that tests every row: for two
			// common words that never meet the planner expects many
			// matches and would read the whole table.
			`SET LOCAL enable_seqscan = off`,
			`SET LOCAL enable_indexscan = off`,
			// An exact bitmap: a lossy one tests every row of its pages.
			`SET LOCAL work_mem = '32MB'`,
		} {
			if _, err := tx.ExecContext(ctx, q); err != nil {
				return err
			}
		}
		for i, table := range []string{"tickets", "comments"} {
			ids, err := readIDs(ctx, tx, `SELECT id FROM `+table+` WHERE search_vec @@ plainto_tsquery('simple', ?) LIMIT ?`, text, limit+1)
			if err != nil {
				return err
			}
			if len(ids) > limit {
				return nil
			}
			if err := insertPairTexts(ctx, tx, n, i+1, ids); err != nil {
				return err
			}
		}
		kept = true
		_, err := tx.ExecContext(ctx, `UPDATE word_pairs SET ready = true WHERE n = ?`, n)
		return err
	})
	return kept, err
}

// insertPairTexts adds pair n's texts of table tbl (1 subjects, 2
// comments) in one statement; those already there (on PostgreSQL added
// by a trigger meanwhile) stand.
func insertPairTexts(ctx context.Context, tx *Tx, n int64, tbl int, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	if tx.dialect == Postgres {
		_, err := tx.ExecContext(ctx, `INSERT INTO word_pair_texts (pair, tbl, id) SELECT ?, ?, unnest(CAST(? AS BIGINT[]))
			ON CONFLICT DO NOTHING`, n, tbl, ids)
		return err
	}
	list := make([]byte, 0, 8*len(ids)+2)
	list = append(list, '[')
	for i, id := range ids {
		if i > 0 {
			list = append(list, ',')
		}
		list = strconv.AppendInt(list, id, 10)
	}
	_, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO word_pair_texts (pair, tbl, id) SELECT ?, ?, value FROM json_each(?)`, n, tbl, string(append(list, ']')))
	return err
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
// subjects and of the comments holding both words w1 and w2, and whether
// the pair is registered (when it is not, both are empty and the caller
// asks the full-text indexes).
func (d *DB) WordPairTexts(ctx context.Context, w1, w2 string, limit int) (subjects, comments []int64, registered bool, err error) {
	a, b, ok := d.pairTokens(w1, w2)
	if !ok {
		return nil, nil, false, nil
	}
	q, args := `WITH p AS (SELECT n FROM word_pairs WHERE a = ? AND b = ? AND ready = 1)`, []any{a, b}
	if d.dialect == Postgres {
		q, args = `WITH p AS (SELECT w.n FROM word_pairs w JOIN `+pgPairLexemes+` x ON w.a = x.a AND w.b = x.b WHERE w.ready)`, []any{a + " " + b}
	}
	rows, err := d.QueryContext(ctx, q+`
		SELECT 0, n FROM p
		UNION ALL SELECT * FROM (SELECT tbl, id FROM word_pair_texts WHERE pair = (SELECT n FROM p) AND tbl = 1 ORDER BY id DESC LIMIT ?) s
		UNION ALL SELECT * FROM (SELECT tbl, id FROM word_pair_texts WHERE pair = (SELECT n FROM p) AND tbl = 2 ORDER BY id DESC LIMIT ?) c`,
		append(args, limit, limit)...)
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
