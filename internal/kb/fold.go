package kb

import (
	"context"
	"fmt"
	"strings"
	"unicode"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"

	"github.com/ombud/ombud/internal/db"
)

// fold lower-cases s and takes the diacritics off its letters ("Vračilo"
// → "vracilo", "återbetalning" → "aterbetalning"; ø and æ are letters of
// their own and stay), as SQLite's unicode61 tokenizer does with
// remove_diacritics 2. PostgreSQL has no such folding without the unaccent
// extension, which a hosted database may not offer, so Ombud folds in Go.
func fold(s string) string {
	s = strings.ToLower(s)
	out, _, err := transform.String(transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC), s)
	if err != nil {
		return s
	}
	return out
}

// setVector writes a translation's PostgreSQL search vectors: title_vec
// its title alone (the first tier of a search), search_vec its title
// (weight A) and text (weight D) with the language's text search
// configuration (stemmed), and folded with simple (every word as written,
// without diacritics, for prefixes, other languages and Slovenian). The
// text is lower-cased in Go: a cluster with the C locale does not
// lower-case letters outside ASCII ("Å").
func setVector(ctx context.Context, tx *db.Tx, tid int64, lang, title, text string) error {
	cfg := pgConfig(lang)
	title, text = strings.ToLower(title), strings.ToLower(text)
	// The title vector also goes to kb_title_vecs (migration 0080), the
	// narrow rows the title tier reads, in the same statement.
	if _, err := tx.ExecContext(ctx, `WITH u AS (UPDATE kb_translations SET title_vec = to_tsvector(?::regconfig, ?) || to_tsvector('simple', ?),
		search_vec = setweight(to_tsvector(?::regconfig, ?), 'A') || setweight(to_tsvector('simple', ?), 'A')
		|| setweight(to_tsvector(?::regconfig, ?), 'D') || setweight(to_tsvector('simple', ?), 'D') WHERE id = ?
		RETURNING id, article_id, language, LENGTH(title) AS title_length, title_vec)
		INSERT INTO kb_title_vecs (id, article_id, language, title_length, title_vec) SELECT id, article_id, language, title_length, title_vec FROM u
		ON CONFLICT (id) DO UPDATE SET title_length = EXCLUDED.title_length, title_vec = EXCLUDED.title_vec`,
		cfg, title, fold(title), cfg, title, fold(title), cfg, text, fold(text), tid); err != nil {
		return fmt.Errorf("kb: search vector: %w", err)
	}
	return nil
}
