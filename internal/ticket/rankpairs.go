package ticket

import (
	"context"
	"log/slog"

	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/search"
)

// Two common words that seldom share a text. fewComments' ascending read
// finds them by intersecting both words' doclists to their ends: ≈ 17 ms
// of CPU at 1M tickets for two words in most comments that never meet,
// 90 % of such a search, and the subject walk does the same in the
// subjects' index (≈ 5 ms for "ikke order"). The word-pair index
// (internal/db/wordpairs.go) keeps, for pairs a search found to be that,
// the subjects and comments holding both: the search for the two words
// reads them newest first by one index range each, and the full-text
// flush keeps them as texts are written.
//
// A pair is registered by the first search that finds it meets in at
// most the walk's bound of comments while each word is in at least
// minPairDocs: rarer words cost FTS5 little to intersect, and pairs that
// meet often are cheap to walk newest first, so neither is kept.

// minPairDocs is how many comments each of two words must be in for a
// search to register the pair: below it FTS5's intersection reads a few
// thousand entries at most (≈ 0.1 ms).
const minPairDocs = 5000

// maxPairComments bounds the comments a pair is registered with: the
// largest walk a search reads at the default bound (walkFactor × it),
// or the walk that found the pair when larger.
const maxPairComments = walkFactor * DefaultSearchCandidates

// wordPair returns q's two words as unicode61 folds them when q is two
// words of one token each and no phrase, on SQLite; else two empty strings.
func wordPair(d db.Dialect, q search.Query) [2]string {
	if d != db.SQLite || len(q.Words) != 2 || len(q.Phrases) != 0 {
		return [2]string{}
	}
	a, ok := db.OneToken(q.Words[0])
	if !ok {
		return [2]string{}
	}
	b, ok := db.OneToken(q.Words[1])
	if !ok || a == b {
		return [2]string{}
	}
	return [2]string{min(a, b), max(a, b)}
}

// pairHits is what the word-pair index holds for a search's two words,
// newest first, up to the walk and one more.
type pairHits struct {
	subjects, comments []int64
	walk               int
}

// readPairs reads, when the query's two words are a registered pair, the
// subjects and comments holding both (up to walk+1 of each) into tq.pairs.
func (s *Service) readPairs(ctx context.Context, tq *textQuery, walk int) error {
	if tq.pair[0] == "" || s.noPairs.Load() {
		return nil
	}
	subjects, comments, registered, err := s.db.WordPairTexts(ctx, tq.pair[0], tq.pair[1], walk+1)
	if err != nil || !registered {
		return err
	}
	tq.pairs = &pairHits{subjects: subjects, comments: comments, walk: walk}
	return nil
}

// pairComments returns the comments holding the query's two words, newest
// first, when the pair is registered and there are at most walk of them.
func (s *Service) pairComments(tq textQuery, walk int) ([]int64, bool) {
	p := tq.pairs
	if p == nil || walk > p.walk || len(p.comments) > walk {
		return nil, false
	}
	s.pairRuns.Add(1)
	return p.comments, true
}

// subjectMatches is a subject walk's source of ticket ids, aliased
// ticket_fts, and what follows it: the full-text index, newest first up to
// walk, or the subjects the word-pair index holds (when at most walk).
// from's arguments come before rest's.
func (s *Service) subjectMatches(tq textQuery, walk int) (from, rest string, fromArgs, restArgs []any) {
	if p := tq.pairs; p != nil && walk <= p.walk && len(p.subjects) <= walk {
		return `(SELECT value AS rowid FROM json_each(?)) AS ticket_fts`, `ORDER BY ticket_fts.rowid DESC`, []any{idList(p.subjects)}, nil
	}
	return `ticket_fts`, `WHERE ticket_fts MATCH ? ORDER BY ticket_fts.rowid DESC LIMIT ?`, nil, []any{tq.fts, walk}
}

// registerPair registers the query's two words as a pair when each is in
// at least minPairDocs comments. fewComments found they meet in at most
// walk. A failure is logged, not returned: the search has its answer.
func (s *Service) registerPair(ctx context.Context, tq textQuery, walk int) {
	if tq.pair[0] == "" || s.noPairs.Load() {
		return
	}
	least := minPairDocs
	if s.pairMinDocs > 0 {
		least = s.pairMinDocs
	}
	for _, w := range tq.pair {
		var id int64
		// The least-th newest comment holding w, if any: a read of
		// least entries of one doclist.
		err := s.db.QueryRowContext(ctx, `SELECT rowid FROM comment_fts WHERE comment_fts MATCH ? ORDER BY rowid DESC LIMIT 1 OFFSET ?`,
			ftsQuery(db.SQLite, []string{w}, nil), least-1).Scan(&id)
		if err != nil {
			return // too rare (sql.ErrNoRows), or the search's context ended
		}
	}
	if _, err := s.db.RegisterWordPair(ctx, tq.pair[0], tq.pair[1], max(maxPairComments, walk)); err != nil && ctx.Err() == nil {
		slog.Warn("ticket: search: registering a word pair", "err", err)
	}
}
