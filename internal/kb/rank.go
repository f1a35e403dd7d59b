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

// tierQuery is the query of one tier (title: the title tier) with conds
// (the viewer's and the filter's conditions on a and t, whose args are
// args), reading at most fetch hits.
func tierQuery(d db.Dialect, lang string, ts []string, all, title bool, conds string, args []any, fetch int) (string, []any) {
	newest := strconv.Itoa(rankCap)
	from, order := `kb_translations t JOIN kb_articles a ON a.id = t.article_id`, `t.id`
	var cond string
	var qargs []any
	if d == db.Postgres {
		cfg := "simple"
		if lang != "" {
			cfg = pgConfig(lang)
		}
		// The words stemmed, or as typed: a configuration drops its stop
		// words, and a search of stop words alone ("where") would
		// otherwise find nothing.
		m := match(d, ts, all)
		tq := `(to_tsquery(?::regconfig, ?) || to_tsquery('simple', ?))`
		cond, qargs = `t.title_vec @@ `+tq, []any{cfg, m, m}
		if !title {
			cond = `t.search_vec @@ ` + tq + ` AND NOT COALESCE(t.title_vec @@ ` + tq + `, false)`
			qargs = append(qargs, cfg, m, m)
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
	// The title tier: of the newest rankCap, the shortest titles first.
	q := `SELECT ` + hitCols + ` FROM (SELECT t.id AS tid FROM ` + from + ` WHERE ` + cond + ` AND ` + conds + `
			ORDER BY ` + order + ` DESC LIMIT ` + newest + `) y JOIN kb_translations t ON t.id = y.tid JOIN kb_articles a ON a.id = t.article_id
		ORDER BY LENGTH(t.title), t.id DESC LIMIT ?`
	return q, append(qargs, fetch)
}
