package kb

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/db"
)

// pgConfig is the PostgreSQL text search configuration of a language:
// Snowball stemmers where PostgreSQL has one, simple (no stemming) for
// Slovenian.
func pgConfig(lang string) string {
	switch lang {
	case "en":
		return "english"
	case "nb":
		return "norwegian"
	case "sv":
		return "swedish"
	case "da":
		return "danish"
	}
	return "simple"
}

// Filter narrows a list or search of articles.
type Filter struct {
	Query      string `json:"q"`
	Language   string `json:"language"` // "" any; else only translations in it
	State      string `json:"state"`
	SectionID  int64  `json:"section_id"`
	Tag        string `json:"tag"`
	Visibility string `json:"visibility"`
	Outdated   bool   `json:"outdated"` // only articles with a translation out of date
	OwnerID    int64  `json:"owner_id"`
	Limit      int    `json:"limit"`
}

// Hit is one article in a list or search result, in one language.
type Hit struct {
	ArticleID  int64  `json:"article_id"`
	SectionID  int64  `json:"section_id"`
	Language   string `json:"language"`
	Title      string `json:"title"`
	Slug       string `json:"slug"`
	Snippet    string `json:"snippet"`
	State      string `json:"state"`
	Visibility string `json:"visibility"`
	UpdatedAt  int64  `json:"-"`
}

// terms splits text into lower-case words of letters and digits: nothing
// a user types reaches either engine's query syntax as an operator.
func terms(text string, min, max int) []string {
	var out []string
	for _, w := range strings.FieldsFunc(strings.ToLower(text), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		if len([]rune(w)) < min || len(w) > 64 || slices.Contains(out, w) {
			continue
		}
		out = append(out, w)
		if len(out) == max {
			break
		}
	}
	return out
}

// match renders terms as the engine's query: every term (all=true, each
// also as a prefix, for the search box) or any term (suggestions).
func match(d db.Dialect, ts []string, all bool) string {
	parts := make([]string, len(ts))
	for i, t := range ts {
		switch {
		case d == db.Postgres && all && fold(t) != t:
			parts[i] = "(" + t + ":* | " + fold(t) + ":*)"
		case d == db.Postgres && all:
			parts[i] = t + ":*"
		case d == db.Postgres && fold(t) != t:
			parts[i] = t + " | " + fold(t)
		case d == db.Postgres:
			parts[i] = t
		case all:
			parts[i] = `"` + t + `"*`
		default:
			parts[i] = `"` + t + `"`
		}
	}
	switch {
	case d == db.Postgres && all:
		return strings.Join(parts, " & ")
	case d == db.Postgres:
		return strings.Join(parts, " | ")
	case all:
		return strings.Join(parts, " ")
	}
	return strings.Join(parts, " OR ")
}

// Search lists the articles the viewer may read that match f: by
// relevance when f.Query has words, else newest change first. Agents need
// kb.read; anonymous visitors get published public articles only.
func (s *Service) Search(ctx context.Context, v Viewer, f Filter) ([]Hit, error) {
	if v.Actor.IsAgent() {
		if err := authz.Check(v.Actor, authz.KBRead); err != nil {
			return nil, err
		}
	}
	if f.Language != "" && !ValidLanguage(f.Language) {
		return nil, apperr.InvalidField("language", "must be one of "+strings.Join(Languages(), ", "))
	}
	if f.State != "" && !slices.Contains(States, f.State) {
		return nil, apperr.InvalidField("state", "must be draft, review, published or archived")
	}
	if f.Visibility != "" && !slices.Contains(Visibilities, f.Visibility) {
		return nil, apperr.InvalidField("visibility", "must be internal, public or orgs")
	}
	if f.Limit <= 0 || f.Limit > 100 {
		f.Limit = 25
	}
	return s.search(ctx, v, f, terms(f.Query, 1, 10), true)
}

// Results is the answer of Find: the hits, and when they are for a
// typo-corrected query, that query ("Did you mean …").
type Results struct {
	Hits       []Hit  `json:"hits"`
	DidYouMean string `json:"did_you_mean,omitempty"`
}

// Find is Search with typo tolerance on titles: when the query finds
// nothing, each of its words that is no title word is replaced by the
// closest title word (typo.go) and the corrected query is searched; its
// hits come back with the corrected query in DidYouMean.
func (s *Service) Find(ctx context.Context, v Viewer, f Filter) (Results, error) {
	hits, err := s.Search(ctx, v, f)
	if err != nil || len(hits) > 0 {
		return Results{Hits: hits}, err
	}
	ts := terms(f.Query, 1, 10)
	if len(ts) == 0 {
		return Results{Hits: hits}, nil
	}
	fixed, changed, err := s.correct(ctx, ts, f.Language)
	if err != nil || !changed {
		return Results{Hits: hits}, err
	}
	if f.Limit <= 0 || f.Limit > 100 {
		f.Limit = 25
	}
	if hits, err = s.search(ctx, v, f, fixed, true); err != nil || len(hits) == 0 {
		return Results{Hits: hits}, err
	}
	return Results{Hits: hits, DidYouMean: strings.Join(fixed, " ")}, nil
}

// Suggest finds articles for a ticket: any of the longer words of its
// subject and latest customer message, in the ticket's language (else
// any), best first.
func (s *Service) Suggest(ctx context.Context, v Viewer, text, lang string, limit int) ([]Hit, error) {
	// Agents need kb.read; a customer filing a request (the portal) gets
	// what the viewer's filter lets them read: published public articles
	// and those for their organization.
	if v.Actor.Kind != authz.KindCustomer {
		if err := authz.Check(v.Actor, authz.KBRead); err != nil {
			return nil, err
		}
	}
	ts := terms(text, 3, 16)
	if len(ts) == 0 {
		return []Hit{}, nil
	}
	if !ValidLanguage(lang) {
		lang = ""
	}
	f := Filter{Language: lang, Limit: limit}
	if f.Limit <= 0 {
		f.Limit = 5
	}
	f.State = StatePublished
	hits, err := s.search(ctx, v, f, ts, false)
	if err != nil || len(hits) > 0 {
		return hits, err
	}
	if lang != "" {
		f.Language = ""
		if hits, err = s.search(ctx, v, f, ts, false); err != nil || len(hits) > 0 {
			return hits, err
		}
	}
	// Nothing at all: the words with typos corrected against the titles.
	fixed, changed, err := s.correct(ctx, ts, "")
	if err != nil || !changed {
		return hits, err
	}
	return s.search(ctx, v, f, fixed, false)
}

func (s *Service) search(ctx context.Context, v Viewer, f Filter, ts []string, all bool) ([]Hit, error) {
	if err := s.ensureTitles(ctx); err != nil {
		return nil, err
	}
	d := s.db.Dialect()
	where, args := v.filter()
	conds := []string{where}
	add := func(c string, a ...any) { conds = append(conds, c); args = append(args, a...) }
	if f.Language != "" {
		add("t.language = ?", f.Language)
	} else if len(ts) == 0 {
		conds = append(conds, "t.language = a.source_language")
	}
	if f.State != "" {
		add("a.state = ?", f.State)
	}
	if f.SectionID != 0 {
		add("a.section_id = ?", f.SectionID)
	}
	if f.Visibility != "" {
		add("a.visibility = ?", f.Visibility)
	}
	if f.OwnerID != 0 {
		add("a.owner_id = ?", f.OwnerID)
	}
	if f.Tag != "" {
		add("EXISTS (SELECT 1 FROM kb_article_tags g WHERE g.article_id = a.id AND g.tag = ?)", strings.ToLower(strings.TrimSpace(f.Tag)))
	}
	if f.Outdated {
		conds = append(conds, `EXISTS (SELECT 1 FROM kb_translations o JOIN kb_translations src ON src.article_id = o.article_id AND src.language = a.source_language
			WHERE o.article_id = a.id AND o.language <> a.source_language AND o.source_version < src.version)`)
	}
	fetch := f.Limit
	if f.Language == "" && len(ts) > 0 {
		fetch *= 3 // one row per translation; duplicates are dropped below
	}
	hits := []Hit{}
	seen := map[int64]bool{}
	keep := func(rows []Hit) {
		for _, h := range rows {
			if seen[h.ArticleID] || len(hits) == f.Limit {
				continue
			}
			seen[h.ArticleID] = true
			hits = append(hits, h)
		}
	}
	if len(ts) == 0 {
		q := `SELECT ` + hitCols + ` FROM kb_articles a JOIN kb_translations t ON t.article_id = a.id WHERE ` + strings.Join(conds, " AND ") + ` ORDER BY a.updated_at DESC, a.id DESC LIMIT ?`
		rows, _, err := s.hitRows(ctx, q, append(args, fetch), false)
		if err != nil {
			return nil, fmt.Errorf("kb: list: %w", err)
		}
		keep(rows)
		return hits, nil
	}
	// Two tiers (rank.go): articles whose title has the words, then the
	// others; the second is read only when the first leaves room.
	for _, title := range []bool{true, false} {
		if len(hits) == f.Limit {
			break
		}
		rows, err := s.tier(ctx, d, f.Language, ts, all, title, strings.Join(conds, " AND "), args, fetch)
		if err != nil {
			return nil, fmt.Errorf("kb: search: %w", err)
		}
		keep(rows)
	}
	return hits, nil
}

// tier reads one tier's rows. On PostgreSQL it first looks at the newest
// translations only (pgWindow, pgTitleWindow): when they hold a full tier (fetch rows; the
// title tier's rankCap candidates), those are the tier's rows, as every
// match outside the window is older. That is the cheap path of a common
// word, whatever the planner would estimate. Otherwise the words are rare
// among the newest, and the tier is read again from the GIN index, never
// by walking the primary key (the planner's estimate of a prefix's matches
// can be off by thousands: "va:*" was taken for 9,544 title matches and
// walked all 66,000 rows to find none).
func (s *Service) tier(ctx context.Context, d db.Dialect, lang string, ts []string, all, title bool, conds string, args []any, fetch int) ([]Hit, error) {
	if d != db.Postgres {
		q, qargs := tierQuery(d, lang, ts, all, title, conds, args, fetch, 0)
		rows, _, err := s.hitRows(ctx, q, qargs, false)
		return rows, err
	}
	window := pgWindow
	if title {
		window = pgTitleWindow
	}
	// Each query's SQL differs with the words: sent in one round trip,
	// planned for its values (db.PlanEach).
	q, qargs := tierQuery(d, lang, ts, all, title, conds, args, fetch, window)
	rows, ranked, err := s.hitRows(ctx, q, append([]any{db.PlanEach}, qargs...), title)
	if err != nil || (title && ranked == rankCap) || (!title && len(rows) == fetch) {
		return rows, err
	}
	q, qargs = tierQuery(d, lang, ts, all, title, conds, args, fetch, 0)
	rows, _, err = s.hitRows(ctx, q, append([]any{db.PlanEach}, qargs...), title)
	return rows, err
}

// hitRows reads hits; counted: each row ends with a count, returned.
func (s *Service) hitRows(ctx context.Context, q string, args []any, counted bool) ([]Hit, int, error) {
	var out []Hit
	n := 0
	err := s.eachRow(ctx, q, args, func(sc func(...any) error) error {
		var h Hit
		var summary, text string
		dest := []any{&h.ArticleID, &h.SectionID, &h.Language, &h.Title, &h.Slug, &summary, &text, &h.State, &h.Visibility, &h.UpdatedAt}
		if counted {
			dest = append(dest, &n)
		}
		if err := sc(dest...); err != nil {
			return err
		}
		h.Snippet = summarize(summary, text)
		out = append(out, h)
		return nil
	})
	return out, n, err
}

// SitemapEntry is one public article in one language.
type SitemapEntry struct {
	ArticleID int64
	Language  string
	Slug      string
	Updated   time.Time
}

// SitemapEntries lists every translation of every published public
// article (at most 50,000, the sitemap protocol's limit).
func (s *Service) SitemapEntries(ctx context.Context) ([]SitemapEntry, error) {
	var out []SitemapEntry
	err := s.eachRow(ctx, `SELECT a.id, t.language, t.slug, t.updated_at FROM kb_articles a JOIN kb_translations t ON t.article_id = a.id
		WHERE a.state = 'published' AND a.visibility = 'public' ORDER BY a.id, t.language LIMIT 50000`, nil, func(sc func(...any) error) error {
		var e SitemapEntry
		var at int64
		if err := sc(&e.ArticleID, &e.Language, &e.Slug, &at); err != nil {
			return err
		}
		e.Updated = db.Time(at)
		out = append(out, e)
		return nil
	})
	return out, err
}
