package ticket

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/search"
)

// A search whose text names someone — a customer's email address or
// phone (an identity), customers or organizations by name — ranks their
// tickets first (scores of 1e8 and up, far above any text score), then the
// tickets whose subjects or comments merely mention the text. On SQLite an
// email address is an FTS5 phrase of five or six tokens, most of them
// common ("example", a first name, a number), and finding the few rows
// where they meet costs FTS5 a walk of their doclists: ≈ 16 ms of CPU at
// 1M tickets, whether or not any row mentions the address.
//
// When the named tickets fill the page asked for, the mentions cannot
// change it: every one of them ranks below every named ticket, and a named
// ticket that is also mentioned keeps its lookup score. The text walks are
// then skipped, the page is ranked from the lookups alone (the same
// tickets in the same order as with the walks), and the total becomes an
// estimate: the lookups' tickets plus the mentions counted in a sample of
// the newest tickets and scaled to all (sampleMentions). Pages past the
// named tickets walk the text as before, so paging neither repeats nor
// skips a ticket.

// lookupsFirst gathers the lookups' tickets into c and reports whether
// they reach need, the ranks the page asked for covers. When they do, c's
// total is made an estimate that counts the mentions, and the text walks
// are not needed.
func (s *Service) lookupsFirst(ctx context.Context, c *candidates, w *where, tq textQuery, bound, need int,
	blend func(float64, int64) float64, estimate func(string, bool, int64, float64) error) (bool, error) {
	var err error
	if s.db.Dialect() == db.Postgres && !s.noPGFilter.Load() {
		// The ids from the index alone, then the kept tickets' last
		// updates (rankpgfilter.go).
		_, err = s.gatherLookupsPG(ctx, c, tq, bound, bound, blend, estimate)
	} else {
		_, err = s.gatherLookups(ctx, c, w, tq, "1", bound, bound, blend, estimate)
	}
	if err != nil {
		return false, err
	}
	// Every lookup's score (1e8 and up) outranks every text score
	// (below 6, recency included), so c holds the best len(c.hits).
	if len(c.hits) < need {
		return false, nil
	}
	var mentions float64
	indexed, err := s.addressIndex(ctx, w, tq)
	if err == nil && indexed {
		s.addressRuns.Add(1)
		mentions, err = s.sampleAddress(ctx, tq, c.hits)
	} else if err == nil {
		mentions, err = s.sampleMentions(ctx, tq, c)
	}
	if err != nil {
		return false, err
	}
	s.rankedFromLookups(c, mentions)
	return true, nil
}

// rankedFromLookups makes c's total the estimate of a page ranked from its
// lookups alone: the lookups' tickets (or their own estimate, when a
// lookup's walk was cut) and the mentions sampled beside them.
func (s *Service) rankedFromLookups(c *candidates, mentions float64) {
	s.lookupsFirstRuns.Add(1)
	c.estimated = true
	c.estimate = max(c.estimate, float64(len(c.hits))) + mentions
}

// lookupsFirstOK reports whether a search may rank its page from the
// lookups alone (lookupsFirst): without filters, on both engines. (A
// filtered search tests its filter on the walked rows.) On PostgreSQL a
// name of two words is a several-token walk (rankpg.go): at 200,000
// tickets its comment walk cost 46 ms a search, the lookups ≈ 4
// (docs/benchmarks.md, 2026-12-05 17:46).
func (s *Service) lookupsFirstOK(w *where, tq textQuery, need int) bool {
	return !s.noLookupsFirst.Load() && len(w.conds) == 0 && need > 0 &&
		len(tq.customers)+len(tq.named)+len(tq.orgs) > 0
}

// sampleMentions estimates how many tickets not already in c the text
// finds, as sampleText does: it counts them exactly among the newest
// tickets, the sample growing from sampleFirst until it holds
// sampleEnough of them or reaches sampleMax (or all tickets), and scales
// the count to all tickets. Each round reads only the rows the last one
// did not, and the sample grows by what the matches so far say it needs
// (nextSample), not fourfold: a common word is counted from its newest
// 250–350 tickets rather than from all of the widest sample's 2,000
// (46 % of a common-word search at 23,000 tickets before;
// docs/benchmarks.md, 2026-12-06 09:03 and 10:30).
func (s *Service) sampleMentions(ctx context.Context, tq textQuery, c *candidates) (float64, error) {
	b, err := s.searchBounds(ctx, c)
	if err != nil {
		return 0, err
	}
	newest := b.newest
	if newest == 0 || len(tq.tokens) == 0 {
		return 0, nil
	}
	first, widest := s.sampleSizes()
	// found holds every ticket a row read so far mentions: a comment
	// read in a newer round may belong to an older ticket, counted once
	// the sample reaches it.
	found := map[int64]bool{}
	r := mentionRange{hi: newest, commentHi: -1}
	n := 0                      // the sample's mentions
	var rest []mentionRow       // every row down to the widest sample, once read at once
	var restRange *mentionRange // the rows rest holds, once read
	pg := s.db.Dialect() == db.Postgres
	for size := first; ; size = nextSample(size, n) {
		r.lo = max(newest-min(size, widest), 0)
		if restRange != nil && r.lo == restRange.lo {
			r.commentLo = restRange.commentLo // read with rest
		} else if r.commentLo, err = s.sampleComment(ctx, b, r.lo); err != nil {
			return 0, err
		}
		if restRange == nil && pg && s.mentionsAtOnce(r.hi-r.lo, size, first, widest, n, newest-r.hi) {
			lo := max(newest-widest, 0)
			commentLo, err := s.sampleComment(ctx, b, lo)
			if err != nil {
				return 0, err
			}
			restRange = &mentionRange{lo: lo, hi: r.hi, commentLo: commentLo, commentHi: r.commentHi}
			if rest, err = s.mentionRowsPG(ctx, tq, *restRange); err != nil {
				return 0, err
			}
			s.mentionsAtOnceRuns.Add(1)
		}
		switch {
		case restRange != nil:
			r.add(rest, c, found)
		case pg:
			err = s.mentionsPG(ctx, tq, c, r, found)
		default:
			err = s.mentionsSQLite(ctx, tq, c, r, found)
		}
		if err != nil {
			return 0, err
		}
		n = 0
		for id := range found {
			if id > r.lo {
				n++
			}
		}
		if n >= sampleEnough || r.lo == 0 || size >= widest {
			return float64(n) * float64(newest) / float64(newest-r.lo), nil
		}
		r.hi, r.commentHi = r.lo, r.commentLo
	}
}

// mentionsAtOnce reports whether the mention sample's round of size
// tickets (width of them not read yet), and every round after it, should
// be read in one statement down to the widest sample: when the round is
// wide (planned for its values, mentionsPG: on PostgreSQL the text's GIN
// postings intersected whole, ≈ 2.7 ms for a name's two words at 1M
// tickets, however narrow the range), and the last sample, sampled
// tickets holding n mentions, says the rounds would go on to the widest
// (fewer than sampleEnough there at its density) through more than one of
// them. The rounds' outcome is then counted from the rows in Go
// (mentionRange.add), the same as read round by round; were the older
// tickets denser, the rounds would have stopped sooner and the one
// statement read more rows than they, not other ones.
func (s *Service) mentionsAtOnce(width, size, first, widest int64, n int, sampled int64) bool {
	return !s.noMentionsAtOnce.Load() && width > first && size < widest && sampled > 0 &&
		int64(n)*widest < sampleEnough*sampled
}

// mentionRow is a row the mention sample reads: a subject's (comment 0)
// or a comment's, with its ticket.
type mentionRow struct{ ticket, comment int64 }

// add adds to found the tickets not in c of rows that fall in r.
func (r mentionRange) add(rows []mentionRow, c *candidates, found map[int64]bool) {
	for _, row := range rows {
		in := row.comment == 0 && row.ticket > r.lo && row.ticket <= r.hi ||
			row.comment != 0 && row.comment >= r.commentLo && (r.commentHi < 0 || row.comment < r.commentHi)
		if !in {
			continue
		}
		if _, hit := c.hits[row.ticket]; !hit {
			found[row.ticket] = true
		}
	}
}

// mentionRowsPG reads the rows in r that the text finds, as mentionsPG
// matches them, planned for the values.
func (s *Service) mentionRowsPG(ctx context.Context, tq textQuery, r mentionRange) ([]mentionRow, error) {
	bound, bargs := r.commentBound("id")
	q := `SELECT id, 0 FROM tickets WHERE ` + pgMatch("search_vec") + ` AND id > ? AND id <= ?
		UNION ALL SELECT ticket_id, id FROM comments WHERE ` + pgMatch("search_vec") + ` AND ` + bound
	var rows []mentionRow
	err := s.scan(ctx, q, append([]any{tq.fts, r.lo, r.hi, tq.fts}, bargs...), func(sc scanner) (bool, error) {
		var row mentionRow
		if err := sc.Scan(&row.ticket, &row.comment); err != nil {
			return false, err
		}
		rows = append(rows, row)
		return true, nil
	})
	if err != nil {
		return nil, fmt.Errorf("ticket: search mentions: %w", err)
	}
	return rows, nil
}

// nextSample is the size of the sample after one of size tickets that
// held n matches, too few: as large as their density says would hold
// sampleEnough, and a quarter more, from 1.25 to 4 times size. A sample
// that held 55 of 250 grows to 340 tickets, not 1,000.
func nextSample(size int64, n int) int64 {
	next := size * 4
	if n > 0 {
		next = min(next, size*sampleEnough*5/(4*int64(n)))
	}
	return max(next, size*5/4, size+1)
}

// mentionRange is one round of sampleMentions: the tickets in (lo, hi]
// and the comments with ids in [commentLo, commentHi) (no upper bound
// when commentHi < 0).
type mentionRange struct {
	lo, hi               int64
	commentLo, commentHi int64
}

// commentBound is the SQL bound of r's comments on column col, with its
// arguments.
func (r mentionRange) commentBound(col string) (string, []any) {
	if r.commentHi < 0 {
		return col + ` >= ?`, []any{r.commentLo}
	}
	return col + ` >= ? AND ` + col + ` < ?`, []any{r.commentLo, r.commentHi}
}

// mentionsPG is mentionsSQLite on PostgreSQL: its match is the walks' own
// (search_vec @@ the query), asked within the round's rows by id range,
// as sampleText asks it.
//
// A round of at most sampleFirst new tickets (the first, and the small
// steps a common word's sample grows by) tests its rows by the primary key
// range alone: ts_match_vq is the function behind @@, which no index
// serves and whose selectivity the planner does not estimate. Estimating
// @@ reads the column's most common elements (5,466 of them on comments at
// 23,000 tickets, migration 0099) on every plan: 0.5-0.7 ms of
// PostgreSQL's CPU a round, more than the round's own execution for a
// common word (0.3-0.5 ms), while the range scan costs about as much as
// the index for a rare one over so few rows. Such a round is a prepared
// statement, both its ranges two-sided so that its one plan reads them by
// the primary key. Wider rounds, up to sampleMax tickets, keep the
// planner's choice.
func (s *Service) mentionsPG(ctx context.Context, tq textQuery, c *candidates, r mentionRange, found map[int64]bool) error {
	match, scan := pgMatch, s.scan
	bound, bargs := r.commentBound("id")
	small := false
	if first, _ := s.sampleSizes(); r.hi-r.lo <= first {
		// Both ranges two-sided, so that the plan without values reads
		// them by the primary key too (PostgreSQL's default share for a
		// range is small, for one bound a third of the rows): prepared,
		// one plan, and the text query computed once.
		hi := r.commentHi
		if hi < 0 {
			hi = math.MaxInt64
		}
		small, match, scan = true, pgMatchScan, s.scanArgs
		bound, bargs = `id >= ? AND id < ?`, []any{r.commentLo, hi}
	}
	q := `SELECT id FROM tickets WHERE ` + match("search_vec") + ` AND id > ? AND id <= ?
		UNION SELECT ticket_id FROM comments WHERE ` + match("search_vec") + ` AND ` + bound
	args := append([]any{tq.fts, r.lo, r.hi, tq.fts}, bargs...)
	if small && s.onPrepared != nil {
		s.onPrepared(q, args)
	}
	err := scan(ctx, q, args, func(sc scanner) (bool, error) {
		var id int64
		if err := sc.Scan(&id); err != nil {
			return false, err
		}
		if _, ok := c.hits[id]; !ok {
			found[id] = true
		}
		return true, nil
	})
	if err != nil {
		return fmt.Errorf("ticket: search mentions: %w", err)
	}
	return nil
}

// mentionsSQLite adds to found the tickets not in c whose subject (tickets
// in r) or a comment (comments in r) the text finds. It asks FTS5 for
// each token alone, within the round's rows: a query of several tokens,
// phrase or not, makes FTS5 find its first match from the end of the
// doclists before it applies a rowid range, which for a sparse phrase is
// a walk of the whole index (rankfew.go), while one token seeks the range
// through its doclist index. For a phrase the rows holding every token
// are then read and tested for the words and phrases in Go, as the
// reference ranking reads them; for words alone those rows are the
// mentions (mentionsByRow).
func (s *Service) mentionsSQLite(ctx context.Context, tq textQuery, c *candidates, r mentionRange, found map[int64]bool) error {
	// Words of one token each are found by the rows that hold them all;
	// only a phrase (or a word the tokenizer splits) needs the text read.
	if len(tq.tokens) == len(tq.terms) && !slices.ContainsFunc(tq.terms, func(t string) bool { return len(search.Tokens(t)) > 1 }) {
		return s.mentionsByRow(ctx, tq, c, r, found)
	}
	bound, bargs := r.commentBound("rowid")
	for _, side := range []struct {
		fts, rows string
		args      []any
	}{
		{`SELECT rowid FROM ticket_fts WHERE ticket_fts MATCH ? AND rowid > ? AND rowid <= ? ORDER BY rowid`,
			`SELECT id, id, subject FROM tickets WHERE id IN (`, []any{r.lo, r.hi}},
		{`SELECT rowid FROM comment_fts WHERE comment_fts MATCH ? AND ` + bound + ` ORDER BY rowid`,
			`SELECT id, ticket_id, substr(body, 1, ` + strconv.Itoa(commentPrefix) + `) FROM comments WHERE id IN (`, bargs},
	} {
		rows, err := s.rowsWithAll(ctx, side.fts, tq.tokens, side.args)
		if err != nil {
			return err
		}
		err = s.scanIn(ctx, side.rows, rows, func(sc scanner) (bool, error) {
			var id, tid int64
			var text string
			if err := sc.Scan(&id, &tid, &text); err != nil {
				return false, err
			}
			if _, ok := c.hits[tid]; !ok && holdsAll(text, tq.terms) && tq.mentions(text) {
				found[tid] = true
			}
			return true, nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// mentionsByRow is mentionsSQLite for words of one token each, where the
// rows that hold every token are the mentions: a subject's row is its
// ticket, and a comment's ticket is read from comments_id_ticket — in the
// full-text read's own statement when the text is one token.
func (s *Service) mentionsByRow(ctx context.Context, tq textQuery, c *candidates, r mentionRange, found map[int64]bool) error {
	add := func(tid int64) {
		if _, ok := c.hits[tid]; !ok {
			found[tid] = true
		}
	}
	subjects, err := s.rowsWithAll(ctx, `SELECT rowid FROM ticket_fts WHERE ticket_fts MATCH ? AND rowid > ? AND rowid <= ? ORDER BY rowid`,
		tq.tokens, []any{r.lo, r.hi})
	if err != nil {
		return err
	}
	for _, id := range subjects {
		add(id)
	}
	bound, bargs := r.commentBound("comment_fts.rowid")
	if len(tq.tokens) == 1 {
		q := `SELECT c.ticket_id FROM comment_fts JOIN ` + s.commentTickets("c") + ` ON c.id = comment_fts.rowid
			WHERE comment_fts MATCH ? AND ` + bound
		args := append([]any{ftsToken(tq.tokens[0])}, bargs...)
		return s.scan(ctx, q, args, func(sc scanner) (bool, error) {
			var tid int64
			if err := sc.Scan(&tid); err != nil {
				return false, err
			}
			add(tid)
			return true, nil
		})
	}
	bound, bargs = r.commentBound("rowid")
	comments, err := s.rowsWithAll(ctx, `SELECT rowid FROM comment_fts WHERE comment_fts MATCH ? AND `+bound+` ORDER BY rowid`, tq.tokens, bargs)
	if err != nil {
		return err
	}
	return s.scanIn(ctx, `SELECT ticket_id FROM `+s.commentTickets("")+` WHERE id IN (`, comments, func(sc scanner) (bool, error) {
		var tid int64
		if err := sc.Scan(&tid); err != nil {
			return false, err
		}
		add(tid)
		return true, nil
	})
}

// scanIn runs q, a statement ending in "IN (", for ids, in chunks (SQLite
// bounds a statement's parameters), handing each row to fn.
func (s *Service) scanIn(ctx context.Context, q string, ids []int64, fn func(scanner) (bool, error)) error {
	for chunk := range slices.Chunk(ids, 1000) {
		args := make([]any, len(chunk))
		for i, id := range chunk {
			args[i] = id
		}
		if err := s.scan(ctx, q+placeholders(len(chunk))+`)`, args, fn); err != nil {
			return err
		}
	}
	return nil
}

// ftsToken is tok as an FTS5 string: one token, quoted.
func ftsToken(tok string) string { return `"` + strings.ReplaceAll(tok, `"`, `""`) + `"` }

// rowsWithAll returns the rows of the full-text query q (MATCH one token,
// then bounds) that hold every token, reading one token at a time and
// stopping when none is left.
func (s *Service) rowsWithAll(ctx context.Context, q string, tokens []string, bounds []any) ([]int64, error) {
	var keep map[int64]bool
	for _, tok := range tokens {
		next := map[int64]bool{}
		args := append([]any{ftsToken(tok)}, bounds...)
		err := s.scan(ctx, q, args, func(sc scanner) (bool, error) {
			var id int64
			if err := sc.Scan(&id); err != nil {
				return false, err
			}
			if keep == nil || keep[id] {
				next[id] = true
			}
			return true, nil
		})
		if err != nil {
			return nil, err
		}
		if keep = next; len(keep) == 0 {
			return nil, nil
		}
	}
	out := make([]int64, 0, len(keep))
	for id := range keep {
		out = append(out, id)
	}
	return out, nil
}

// holdsAll reports whether text holds every term (a word or a phrase), its
// tokens in order.
func holdsAll(text string, terms []string) bool {
	toks := search.Tokens(text)
	for _, term := range terms {
		tt := search.Tokens(term)
		if len(tt) == 0 {
			continue
		}
		found := false
		for i := 0; i+len(tt) <= len(toks) && !found; i++ {
			found = slices.Equal(toks[i:i+len(tt)], tt)
		}
		if !found {
			return false
		}
	}
	return true
}
