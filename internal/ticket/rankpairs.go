package ticket

import (
	"context"
	"log/slog"

	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/search"
)

// Two common words that seldom share a comment. fewComments' ascending
// read finds them by intersecting both words' doclists to their ends:
// ≈ 17 ms of CPU at 1M tickets for two words in most comments that never
// meet, 90 % of such a search. The word-pair index (internal/db/wordpairs.go)
// keeps, for pairs a search found to be that, the comments holding both:
// the search for the two words reads them newest first by one index
// range, and the full-text flush keeps them as comments are written.
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

// pairComments returns, newest first, the ids of the comments holding
// the query's two words when the pair is registered and there are at most
// walk of them; ok is false otherwise.
func (s *Service) pairComments(ctx context.Context, tq textQuery, walk int) (ids []int64, ok bool, err error) {
	if tq.pair[0] == "" || s.noPairs.Load() {
		return nil, false, nil
	}
	ids, registered, err := s.db.WordPairComments(ctx, tq.pair[0], tq.pair[1], walk+1)
	if err != nil || !registered || len(ids) > walk {
		return nil, false, err
	}
	s.pairRuns.Add(1)
	return ids, true, nil
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
