package ticket

import (
	"context"
	"database/sql"
	"errors"
	"log/slog"
	"time"

	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/search"
)

// Two common words that seldom share a text. On SQLite fewComments'
// ascending read finds them by intersecting both words' doclists to their
// ends: ≈ 17 ms of CPU at 1M tickets for two words in most comments that
// never meet, 90 % of such a search, and the subject walk does the same
// in the subjects' index (≈ 5 ms for "ikke order"); on PostgreSQL the
// walks below their windows AND both words' GIN postings. The word-pair
// index (internal/db/wordpairs.go) keeps, for pairs a search found to be
// that, the subjects and comments holding both: a search for the two
// words reads its walks' rows from it by id, and writes keep it.
//
// Each word must be in at least minPairDocs comments: rarer words cost
// little to intersect. On SQLite a pair is registered by the search whose
// ascending read found it meets in at most the walk's bound of comments
// (pairs that meet often are cheap to walk newest first); on PostgreSQL
// by a search whose walk read the GIN index below its window, when
// neither walk's matches are estimated at more than maxPairTexts.

// minPairDocs is how many comments each of two words must be in for a
// search to register the pair: below it FTS5's intersection reads a few
// thousand entries at most (≈ 0.1 ms).
const minPairDocs = 5000

// maxPairTexts bounds the subjects, and the comments, a pair is
// registered with: the registration reads them all, once (82,000 comments
// took 0.5–2.5 s on PostgreSQL at 1M tickets). Two words in more texts
// are not kept, and the search does not ask again.
const maxPairTexts = 100_000

// pairRegisterTime bounds a registration on PostgreSQL, which runs apart
// from the search that asked for it.
const pairRegisterTime = time.Minute

// maxRefusedPairs bounds the pairs a Service remembers not to ask about.
const maxRefusedPairs = 10_000

// pairNever is how long a pair not kept (too rare, too many texts) is not
// asked about again: the process's life.
const pairNever = 100 * 365 * 24 * time.Hour

// pairRetry is how long a pair whose registration failed (on PostgreSQL,
// transactions still under way after db's wait) is not asked about again
// by the process.
const pairRetry = time.Minute

// wordPair returns q's two words when q is two words of one token each
// (as unicode61 reads them) and no phrase; else two empty strings. The
// index reads them as its engine does (db.WordPairTexts).
func wordPair(q search.Query) [2]string {
	if len(q.Words) != 2 || len(q.Phrases) != 0 {
		return [2]string{}
	}
	a, ok1 := db.OneToken(q.Words[0])
	b, ok2 := db.OneToken(q.Words[1])
	if !ok1 || !ok2 || a == b {
		return [2]string{}
	}
	return [2]string{q.Words[0], q.Words[1]}
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

// pairComments returns the newest walk comments holding the query's two
// words, newest first, when the pair is registered: the rows the comment
// walk reads (more than walk match when it returns walk of them).
func (s *Service) pairComments(tq textQuery, walk int) ([]int64, bool) {
	p := tq.pairs
	if p == nil || walk > p.walk {
		return nil, false
	}
	s.pairRuns.Add(1)
	return p.comments[:min(len(p.comments), walk)], true
}

// subjectMatches is a subject walk's source of ticket ids, aliased
// ticket_fts, and what follows it: the full-text index, newest first up to
// walk, or the newest walk subjects the word-pair index holds. from's
// arguments come before rest's.
func (s *Service) subjectMatches(tq textQuery, walk int) (from, rest string, fromArgs, restArgs []any) {
	if p := tq.pairs; p != nil && walk <= p.walk {
		return `(SELECT value AS rowid FROM json_each(?)) AS ticket_fts`, `ORDER BY ticket_fts.rowid DESC`, []any{idList(p.subjects[:min(len(p.subjects), walk)])}, nil
	}
	return `ticket_fts`, `WHERE ticket_fts MATCH ? ORDER BY ticket_fts.rowid DESC LIMIT ?`, nil, []any{tq.fts, walk}
}

// registerPair registers the query's two words as a pair when each is in
// at least minPairDocs comments: on SQLite the search found they meet in
// at most walk comments, on PostgreSQL its walks intersected their
// postings. A pair not kept (too rare, too many texts) is not asked about
// again by the process, one whose registration failed not for pairRetry,
// and one being registered not by the other searches. On PostgreSQL the
// registration runs apart from the search. A failure is logged, not
// returned: the search has its answer.
func (s *Service) registerPair(ctx context.Context, tq textQuery, walk int) {
	if tq.pair[0] == "" || tq.pairs != nil || s.noPairs.Load() {
		return
	}
	key := tq.pair[0] + " " + tq.pair[1]
	now := time.Now()
	s.pairMu.Lock()
	if until, ok := s.pairRefused[key]; ok && now.Before(until) {
		s.pairMu.Unlock()
		return
	}
	if s.pairRefused == nil || len(s.pairRefused) >= maxRefusedPairs {
		// Forgotten all at once when full: a pair asked about again
		// costs its probes (and on PostgreSQL a dense one is not tried).
		s.pairRefused = map[string]time.Time{}
	}
	// Other searches of the pair meanwhile do not ask again.
	s.pairRefused[key] = now.Add(pairRetry)
	s.pairMu.Unlock()
	if s.db.Dialect() == db.Postgres {
		// It waits for the transactions under way and reads up to
		// maxPairTexts texts: not the search's business.
		s.pairWG.Add(1)
		go func() {
			defer s.pairWG.Done()
			ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), pairRegisterTime)
			defer cancel()
			s.registered(ctx, key, now, tq, walk)
		}()
		return
	}
	s.registered(ctx, key, now, tq, walk)
}

// registered registers the pair and notes the outcome for registerPair.
func (s *Service) registered(ctx context.Context, key string, now time.Time, tq textQuery, walk int) {
	kept, err := s.tryRegisterPair(ctx, tq, walk)
	s.pairMu.Lock()
	switch {
	case err != nil:
		if ctx.Err() == nil {
			slog.Warn("ticket: search: registering a word pair", "err", err)
		}
	case kept:
		delete(s.pairRefused, key)
	default:
		s.pairRefused[key] = now.Add(pairNever)
	}
	s.pairMu.Unlock()
}

// tryRegisterPair registers the pair when each word is common and the
// pair's texts are few enough; kept reports whether it is registered.
func (s *Service) tryRegisterPair(ctx context.Context, tq textQuery, walk int) (kept bool, err error) {
	least := minPairDocs
	if s.pairMinDocs > 0 {
		least = s.pairMinDocs
	}
	for _, w := range tq.pair {
		common, err := s.commonWord(ctx, w, least)
		if err != nil || !common {
			return false, err
		}
	}
	return s.db.RegisterWordPair(ctx, tq.pair[0], tq.pair[1], max(maxPairTexts, walk))
}

// commonWord reports whether at least least comments hold word. On SQLite
// it reads least entries of the word's doclist; on PostgreSQL it asks the
// statistics of comments.search_vec (the word's share of the most common
// lexemes times the table's rows), as a read of the table would cost the
// walk it spares.
func (s *Service) commonWord(ctx context.Context, word string, least int) (bool, error) {
	if s.db.Dialect() == db.Postgres {
		var docs float64
		err := s.db.QueryRowContext(ctx, `SELECT COALESCE((SELECT e.f FROM pg_stats st
				CROSS JOIN LATERAL unnest(st.most_common_elems::text::text[], st.most_common_elem_freqs) AS e(elem, f)
				WHERE st.schemaname = current_schema() AND st.tablename = 'comments' AND st.attname = 'search_vec'
				AND e.elem = (SELECT MIN(l) FROM unnest(tsvector_to_array(to_tsvector('simple', ?))) l) LIMIT 1), 0)
			* (SELECT GREATEST(reltuples, 0) FROM pg_class WHERE oid = 'comments'::regclass)`, word).Scan(&docs)
		return docs >= float64(least), err
	}
	var id int64
	// The least-th newest comment holding word, if any.
	err := s.db.QueryRowContext(ctx, `SELECT rowid FROM comment_fts WHERE comment_fts MATCH ? ORDER BY rowid DESC LIMIT 1 OFFSET ?`,
		ftsQuery(db.SQLite, []string{word}, nil), least-1).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}
