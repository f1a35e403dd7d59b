package ticket

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"unicode"

	"github.com/ombud/ombud/internal/db"
)

// Several words that seldom share a comment. The comment walk reads
// newest first (ORDER BY rowid DESC) and stops at its bound, which is cheap
// when matches are dense. When they are sparse — two common words that
// never meet, an email address whose words are common ("example", a first
// name) — FTS5 steps the doclists to their ends, and in descending order
// it can only step them entry by entry: its doclist index, which lets an
// ascending read jump over the pages of a common word to the next rowid of
// a rarer one, is used forwards only (fts5SegIterNextFrom). Nor does a
// rowid range bound such a walk: the first match is sought from the end of
// the lists before the range is applied (sqlite3Fts5ExprFirst), so a
// window of the newest rows costs as much as the whole index when the
// window holds no match (docs/benchmarks.md, search at 1M tickets).
//
// So a query of several tokens first reads, in ascending order, at most
// walk+1 matching comment ids, without the comments. If there are no more
// than walk, the descending walk would have read them all: their rows are
// read by id instead, newest first, through the same walk (same filters,
// same bound, same scores), so rankings and totals do not change. If there
// are more, the matches are dense and the usual walk runs; the ascending
// read stopped after walk+1 of them.

// fewComments returns, newest first, the ids of the comments matching tq
// when there are at most walk of them; ok is false when there are more, or
// when the walk is not worth it (PostgreSQL; a query of one token, whose
// descending walk reads one doclist and stops at the bound). Two words the
// word-pair index holds return its newest walk comments, however many
// match: the rows the descending walk would read.
func (s *Service) fewComments(ctx context.Context, tq textQuery, walk int) (ids []int64, ok bool, err error) {
	if s.noFew.Load() || s.db.Dialect() != db.SQLite || len(tq.tokens) < 2 {
		return nil, false, nil
	}
	// Two words a search found to meet seldom: from their index (rankpairs.go).
	if ids, ok := s.pairComments(tq, walk); ok {
		return ids, true, nil
	}
	rows, err := s.db.QueryContext(ctx, `SELECT rowid FROM comment_fts WHERE comment_fts MATCH ? LIMIT ?`, tq.fts, walk+1)
	if err != nil {
		return nil, false, fmt.Errorf("ticket: search: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, false, fmt.Errorf("ticket: search: %w", err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return nil, false, fmt.Errorf("ticket: search: %w", err)
	}
	if len(ids) > walk {
		return nil, false, nil
	}
	slices.Sort(ids)
	slices.Reverse(ids)
	s.fewRuns.Add(1)
	s.registerPair(ctx, tq, walk)
	return ids, true, nil
}

// textTokens splits words and phrases into the tokens the unicode61
// tokenizer sees (letters, digits and marks; the rest separates them). It
// only tells a query of one token from one of several.
func textTokens(words, phrases []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, part := range append(slices.Clip(words), phrases...) {
		for _, t := range strings.FieldsFunc(part, func(r rune) bool {
			return !unicode.IsLetter(r) && !unicode.IsNumber(r) && !unicode.IsMark(r)
		}) {
			if t = strings.ToLower(t); !seen[t] {
				seen[t] = true
				out = append(out, t)
			}
		}
	}
	return out
}
