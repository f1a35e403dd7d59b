package kb

import (
	"strconv"
	"strings"

	"github.com/ombud/ombud/internal/db"
)

// Ranking. A search reads two tiers: first the articles whose title has
// every word (any word, for suggestions), then the articles that have them
// in the title and text together but not all in the title. Within a tier
// the engine's relevance orders them (bm25 with the title weighing ten
// times the text on SQLite, ts_rank on PostgreSQL), newest first on ties.
//
// Ranking every match costs time in proportion to the matches: a common
// word matched most of 50,000 articles and took 60–250 ms. So each tier
// ranks at most the rankCap newest matches, which both engines find
// without reading the others (SQLite walks the FTS index by rowid from the
// end and stops; PostgreSQL walks the primary key backwards or sorts the
// few matches of a rare word). Below rankCap matches per tier the order is
// exactly the relevance order; above it a query is so general that the
// newest matching articles are a fair answer. The title tier keeps the
// articles named by the words at the top however old they are.
const rankCap = 1000

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
	if d == db.Postgres {
		cfg := "simple"
		if lang != "" {
			cfg = pgConfig(lang)
		}
		m := match(d, ts, all)
		cond := `t.title_vec @@ to_tsquery(?::regconfig, ?)`
		qargs := []any{cfg, m}
		if !title {
			cond = `t.search_vec @@ to_tsquery(?::regconfig, ?) AND NOT COALESCE(t.title_vec @@ to_tsquery(?::regconfig, ?), false)`
			qargs = append(qargs, cfg, m)
		}
		// The newest rankCap matches by id alone, ranked after: ts_rank
		// reads each vector, so it runs on those rows only.
		q := `SELECT ` + hitCols + ` FROM (SELECT y.tid, ts_rank(t.search_vec, to_tsquery(?::regconfig, ?)) AS r FROM (
				SELECT t.id AS tid FROM kb_translations t JOIN kb_articles a ON a.id = t.article_id WHERE ` + cond + ` AND ` + conds + `
				ORDER BY t.id DESC LIMIT ` + newest + `) y JOIN kb_translations t ON t.id = y.tid ORDER BY r DESC, y.tid DESC LIMIT ?) x
			JOIN kb_translations t ON t.id = x.tid JOIN kb_articles a ON a.id = t.article_id ORDER BY x.r DESC, t.id DESC`
		return q, append(append(append([]any{cfg, m}, qargs...), args...), fetch)
	}
	m := titleMatch(ts, all)
	if !title {
		m = "(" + match(d, ts, all) + ") NOT (" + m + ")"
	}
	q := `SELECT ` + hitCols + ` FROM (SELECT tid, r FROM (SELECT t.id AS tid, bm25(kb_fts, 10.0, 1.0) AS r FROM kb_fts JOIN kb_translations t ON t.id = kb_fts.rowid
			JOIN kb_articles a ON a.id = t.article_id WHERE kb_fts MATCH ? AND ` + conds + ` ORDER BY kb_fts.rowid DESC LIMIT ` + newest + `) ORDER BY r, tid DESC LIMIT ?) x
		JOIN kb_translations t ON t.id = x.tid JOIN kb_articles a ON a.id = t.article_id ORDER BY x.r, t.id DESC`
	return q, append(append([]any{m}, args...), fetch)
}
