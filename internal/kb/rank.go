package kb

import (
	"strconv"
	"strings"

	"github.com/ombud/ombud/internal/db"
)

// Ranking. A search reads two tiers: first the articles whose title has
// every word (any word, for suggestions), the shortest titles first (the
// title that is most nearly just the words typed), newest first among
// equal lengths; then the articles that have the words in the title and
// text together, newest first.
//
// Relevance scores (bm25, ts_rank) were the first ranking, and they cost
// time in proportion to the matches: FTS5's bm25 counts every row holding
// each word, ts_rank reads every vector; a common word matched most of
// 50,000 articles and took 60–370 ms. This order needs neither: both
// engines read matches newest first from the end of an index and stop
// (the title tier considers at most the rankCap newest title matches).
// The brute-force reference in reference_test.go checks it exactly.
const rankCap = 200

// hitCols are the columns of a Hit.
const hitCols = `a.id, a.section_id, t.language, t.title, t.slug, t.summary, SUBSTR(t.body_text, 1, 400), a.state, a.visibility, a.updated_at`

// pgQuery is the PostgreSQL text search query of m (match's output) as
// constants in the SQL text, not parameters. A prepared statement whose
// query is a parameter is planned once for every search after its fifth
// use (PostgreSQL's generic plan): the planner cannot see which words are
// searched, assumes a handful of matches, and for a common word reads and
// sorts all of its matches (25,000 of 66,000 translations for "the") and
// calls to_tsquery again on each row, 1–2 s under load. With constants,
// to_tsquery is folded once while planning and the word statistics of the
// GIN-indexed vectors choose the plan: a common word walks the newest rows
// by primary key and stops after a page, a rare one reads its few matches
// from the GIN index. m holds only letters, digits and the operators match
// writes (terms drops everything else); quotes are doubled all the same.
func pgQuery(cfg, m string) string {
	lit := "'" + strings.ReplaceAll(m, "'", "''") + "'"
	return "(to_tsquery('" + cfg + "', " + lit + ") || to_tsquery('simple', " + lit + "))"
}

// titleMatch renders terms as an FTS5 query on the title column.
func titleMatch(ts []string, all bool) string {
	parts := make([]string, len(ts))
	for i, t := range ts {
		parts[i] = `{title} : "` + t + `"`
		if all {
			parts[i] += "*"
		}
	}
	if all {
		return strings.Join(parts, " AND ")
	}
	return strings.Join(parts, " OR ")
}

// pgWindow and pgTitleWindow are how many of the newest translations a
// PostgreSQL search looks at first (Service.tier): the text tier needs
// fetch matches (a common word is in one text in six: 1,000 rows hold
// them), the title tier rankCap, and title vectors are small to read.
const (
	pgWindow      = 1000
	pgTitleWindow = 3000
)

// tierQuery is the query of one tier (title: the title tier) with conds
// (the viewer's and the filter's conditions on a and t, whose args are
// args), reading at most fetch hits. On PostgreSQL, window > 0 reads only
// the newest window translations, and window 0 reads the matches from the
// GIN index (pgTier); the title tier's rows then end with the number of
// candidates it ranked.
func tierQuery(d db.Dialect, lang string, ts []string, all, title bool, conds string, args []any, fetch, window int) (string, []any) {
	newest := strconv.Itoa(rankCap)
	from, order := `kb_translations t JOIN kb_articles a ON a.id = t.article_id`, `t.id`
	var cond string
	var qargs []any
	if d == db.Postgres {
		// The title tier reads kb_title_vecs (migration 0080): the title
		// vectors in narrow rows, under the names kb_translations gives
		// them (id, article_id, language, title_vec), so conds apply as
		// they are. Its window is the newest of the language searched
		// (index (language, id)): the newest of all languages held a
		// full tier of one language only for its most common words.
		src := `kb_translations`
		if title {
			src = `kb_title_vecs`
		}
		from = src + ` t JOIN kb_articles a ON a.id = t.article_id`
		switch {
		case window > 0 && title && lang != "":
			from = `(SELECT * FROM kb_title_vecs WHERE language = ? ORDER BY id DESC LIMIT ` + strconv.Itoa(window) + `) t JOIN kb_articles a ON a.id = t.article_id`
			qargs = append(qargs, lang)
		case window > 0:
			from = `(SELECT * FROM ` + src + ` ORDER BY id DESC LIMIT ` + strconv.Itoa(window) + `) t JOIN kb_articles a ON a.id = t.article_id`
		default:
			order = `t.id + 0` // not the primary key's order: the GIN index
		}
		cfg := "simple"
		if lang != "" {
			cfg = pgConfig(lang)
		}
		// The words stemmed, or as typed: a configuration drops its stop
		// words, and a search of stop words alone ("where") would
		// otherwise find nothing.
		tq := pgQuery(cfg, match(d, ts, all))
		cond = `t.title_vec @@ ` + tq
		if !title {
			cond = `t.search_vec @@ ` + tq + ` AND NOT COALESCE(t.title_vec @@ ` + tq + `, false)`
		}
	} else {
		m := titleMatch(ts, all)
		if !title {
			m = "(" + match(d, ts, all) + ") NOT (" + m + ")"
		}
		// FTS5 hands out its matches by rowid from the end and stops.
		from, order = `kb_fts JOIN kb_translations t ON t.id = kb_fts.rowid JOIN kb_articles a ON a.id = t.article_id`, `kb_fts.rowid`
		cond, qargs = `kb_fts MATCH ?`, []any{m}
	}
	qargs = append(qargs, args...)
	if !title {
		// The text tier: newest first, read from the end of the index
		// until fetch rows pass the filters.
		q := `SELECT ` + hitCols + ` FROM ` + from + ` WHERE ` + cond + ` AND ` + conds + ` ORDER BY ` + order + ` DESC LIMIT ?`
		return q, append(qargs, fetch)
	}
	if d == db.Postgres {
		// The title tier on PostgreSQL: of the newest rankCap, the
		// shortest titles first, ordered and cut to fetch on the narrow
		// rows of kb_title_vecs (the title's length is there); only those
		// fetch rows are then read from kb_translations. Joined before the
		// cut, every candidate's text was read and cut to its snippet
		// (SUBSTR of a compressed text: 2.4 of 5.2 ms of a common word's
		// search).
		q := `SELECT ` + hitCols + `, y.n FROM (SELECT z.tid, z.len, COUNT(*) OVER () AS n FROM (SELECT t.id AS tid, t.title_length AS len FROM ` + from + ` WHERE ` + cond + ` AND ` + conds + `
				ORDER BY ` + order + ` DESC LIMIT ` + newest + `) z ORDER BY z.len, z.tid DESC LIMIT ?) y
			JOIN kb_translations t ON t.id = y.tid JOIN kb_articles a ON a.id = t.article_id
			ORDER BY y.len, y.tid DESC`
		return q, append(qargs, fetch)
	}
	// The title tier: of the newest rankCap, the shortest titles first.
	q := `SELECT ` + hitCols + ` FROM (SELECT t.id AS tid FROM ` + from + ` WHERE ` + cond + ` AND ` + conds + `
			ORDER BY ` + order + ` DESC LIMIT ` + newest + `) y JOIN kb_translations t ON t.id = y.tid JOIN kb_articles a ON a.id = t.article_id
		ORDER BY LENGTH(t.title), t.id DESC LIMIT ?`
	return q, append(qargs, fetch)
}
