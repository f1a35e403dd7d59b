package kb

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/ombud/ombud/internal/db"
)

// Typo tolerance on titles. Every word of every title is kept in
// kb_title_words, and under itself and each form of it with one letter left
// out in kb_title_deletes (the symmetric-delete method of SymSpell). A
// typed word that is no title word is looked up under itself and its own
// one-letter deletes: a title word one edit away (a letter missing, extra,
// changed, or two swapped: "refnud" and "refund" share "refud") or two
// edits away in most cases meets it under a shared key. The lookup is one
// primary-key IN (…) of about as many keys as the word has letters, so it
// costs the same at 50 articles and at 50,000. Candidates are then checked
// with the true (optimal string alignment) distance.

// titleWordMax bounds the words indexed per title.
const titleWordMax = 24

// deletes returns w and every form of it with one letter left out.
func deletes(w string) []string {
	r := []rune(w)
	out := []string{w}
	for i := range r {
		d := string(r[:i]) + string(r[i+1:])
		if d != "" && !slices.Contains(out, d) {
			out = append(out, d)
		}
	}
	return out
}

// indexTitle records the words of a saved title.
func indexTitle(ctx context.Context, tx *db.Tx, lang, title string) error {
	for _, w := range titleWords(title) {
		if err := indexWord(ctx, tx, w, lang, 1); err != nil {
			return err
		}
	}
	return nil
}

// titleWords are the words of a title the vocabulary keeps.
func titleWords(title string) []string {
	return slices.DeleteFunc(terms(title, 3, titleWordMax), func(w string) bool { return len([]rune(w)) > 32 })
}

// indexWord counts n more titles with w and files w under its deletes.
func indexWord(ctx context.Context, tx *db.Tx, w, lang string, n int) error {
	if _, err := tx.ExecContext(ctx, `INSERT INTO kb_title_words (word, language, titles) VALUES (?, ?, ?)
		ON CONFLICT (word, language) DO UPDATE SET titles = kb_title_words.titles + excluded.titles`, w, lang, n); err != nil {
		return fmt.Errorf("kb: title words: %w", err)
	}
	for _, d := range deletes(w) {
		if _, err := tx.ExecContext(ctx, `INSERT INTO kb_title_deletes (del, word) VALUES (?, ?) ON CONFLICT DO NOTHING`, d, w); err != nil {
			return fmt.Errorf("kb: title deletes: %w", err)
		}
	}
	return nil
}

// IndexTitles rebuilds the title vocabulary (and on PostgreSQL the search
// vectors) from every translation: for knowledge bases written before
// migration 0063, and bulk loads.
func (s *Service) IndexTitles(ctx context.Context) error {
	type row struct {
		id                int64
		lang, title, text string
	}
	var rows []row
	if err := s.eachRow(ctx, `SELECT id, language, title, body_text FROM kb_translations ORDER BY id`, nil, func(sc func(...any) error) error {
		var r row
		if err := sc(&r.id, &r.lang, &r.title, &r.text); err != nil {
			return err
		}
		rows = append(rows, r)
		return nil
	}); err != nil {
		return err
	}
	return s.db.WriteBulk(ctx, func(tx *db.Tx) error {
		for _, q := range []string{`DELETE FROM kb_title_deletes`, `DELETE FROM kb_title_words`} {
			if _, err := tx.ExecContext(ctx, q); err != nil {
				return fmt.Errorf("kb: title index: %w", err)
			}
		}
		type key struct{ word, lang string }
		count := map[key]int{}
		var keys []key
		for _, r := range rows {
			for _, w := range titleWords(r.title) {
				k := key{w, r.lang}
				if count[k] == 0 {
					keys = append(keys, k)
				}
				count[k]++
			}
		}
		for _, k := range keys {
			if err := indexWord(ctx, tx, k.word, k.lang, count[k]); err != nil {
				return err
			}
		}
		for _, r := range rows {
			if tx.Dialect() == db.Postgres {
				if err := setVector(ctx, tx, r.id, r.lang, r.title, r.text); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// ensureTitles builds the vocabulary once per process when it is empty
// but articles exist (a database from before migration 0063).
func (s *Service) ensureTitles(ctx context.Context) error {
	if s.titlesReady.Load() {
		return nil
	}
	var words, texts int
	if err := s.db.QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM (SELECT 1 FROM kb_title_words LIMIT 1) w), (SELECT COUNT(*) FROM (SELECT 1 FROM kb_translations LIMIT 1) t)`).Scan(&words, &texts); err != nil {
		return fmt.Errorf("kb: title index: %w", err)
	}
	if words == 0 && texts > 0 {
		if err := s.IndexTitles(ctx); err != nil {
			return err
		}
	}
	s.titlesReady.Store(true)
	return nil
}

// correct returns ts with each word that is no title word (in lang, or in
// any language when lang is "") replaced by the closest title word: one
// edit away for words of up to four letters, two for longer ones; ties go
// to the word in more titles. changed is false when nothing was replaced.
func (s *Service) correct(ctx context.Context, ts []string, lang string) (out []string, changed bool, err error) {
	if err := s.ensureTitles(ctx); err != nil {
		return nil, false, err
	}
	out = slices.Clone(ts)
	for i, t := range ts {
		n := len([]rune(t))
		if n < 3 || n > 32 {
			continue
		}
		keys := deletes(t)
		args := make([]any, 0, len(keys)+1)
		for _, k := range keys {
			args = append(args, k)
		}
		q := `SELECT d.word, SUM(w.titles) FROM kb_title_deletes d JOIN kb_title_words w ON w.word = d.word WHERE d.del IN (?` + strings.Repeat(", ?", len(keys)-1) + `)`
		if lang != "" {
			q += ` AND w.language = ?`
			args = append(args, lang)
		}
		q += ` GROUP BY d.word`
		best, bestDist, bestN := "", 3, 0
		known := false
		if err := s.eachRow(ctx, q, args, func(sc func(...any) error) error {
			var w string
			var cnt int
			if err := sc(&w, &cnt); err != nil {
				return err
			}
			if w == t {
				known = true
				return nil
			}
			dist := osa(t, w)
			max := 2
			if n <= 4 {
				max = 1
			}
			if dist > max {
				return nil
			}
			if dist < bestDist || dist == bestDist && (cnt > bestN || cnt == bestN && w < best) {
				best, bestDist, bestN = w, dist, cnt
			}
			return nil
		}); err != nil {
			return nil, false, fmt.Errorf("kb: correct: %w", err)
		}
		if !known && best != "" {
			out[i], changed = best, true
		}
	}
	return out, changed, nil
}

// osa is the optimal string alignment distance of a and b: letters
// inserted, deleted, changed, or two neighbours swapped, each one edit.
func osa(a, b string) int {
	x, y := []rune(a), []rune(b)
	d := make([][]int, len(x)+1)
	for i := range d {
		d[i] = make([]int, len(y)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(x); i++ {
		for j := 1; j <= len(y); j++ {
			cost := 1
			if x[i-1] == y[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && x[i-1] == y[j-2] && x[i-2] == y[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(x)][len(y)]
}
