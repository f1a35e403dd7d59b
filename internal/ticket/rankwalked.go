package ticket

import (
	"context"
	"fmt"
)

// The estimate's sample (sampleText) counts which of the newest tickets
// the text finds, reading each full-text index down to the sample's first
// rows. The bounded walks have usually read those rows already: a common
// word's 300 newest subjects and comments reach back past the newest 250
// tickets, and a filtered walk's 1,200 rows past 2,000. When they have,
// the sample is counted from what the walks kept — the same rows, tested
// against the same filters — and its query (≈ 11 % of a common-word
// search, ≈ 40 % of one with filters, docs/benchmarks.md) is not run.
// The count is the query's exactly, so estimates do not change.

// walked is what one walk read, newest first: the rows that passed the
// filters, the last row read, and whether the index had no more matches.
type walked struct {
	rows []walkedRow
	last int64
	done bool
}

// walkedRow is a subject (row = ticket) or a comment and its ticket.
type walkedRow struct{ row, ticket int64 }

func (w *walked) add(row, ticket int64) { w.rows = append(w.rows, walkedRow{row, ticket}) }

// reaches reports whether the walk read every match with a row id at or
// above first.
func (w *walked) reaches(first int64) bool { return w.done || w.last <= first }

// walkedPair is what the subject and comment walks read.
type walkedPair struct{ subjects, comments walked }

// covers reports whether the walks read every row of the sample of the
// tickets after from, whose comments start at firstComment: subjects with
// rowid > from, comments with rowid ≥ firstComment.
func (p *walkedPair) covers(from, firstComment int64) bool {
	return p.subjects.reaches(from+1) && p.comments.reaches(firstComment)
}

// count is the sample query's count from the walks: the tickets after
// from whose subject, or a comment from firstComment on, matched and
// passed the filters.
func (p *walkedPair) count(from, firstComment int64) int64 {
	return int64(len(p.found(from, firstComment)))
}

// found is the set count counts.
func (p *walkedPair) found(from, firstComment int64) map[int64]struct{} {
	found := make(map[int64]struct{}, len(p.subjects.rows)+len(p.comments.rows))
	for _, r := range p.subjects.rows {
		if r.row > from {
			found[r.ticket] = struct{}{}
		}
	}
	for _, r := range p.comments.rows {
		if r.row >= firstComment && r.ticket > from {
			found[r.ticket] = struct{}{}
		}
	}
	return found
}

// below is where the walks stop short of the sample of the tickets after
// from (comments from firstComment on): the sample's subjects with ids up
// to subjects, and comments with ids up to comments, are what the walks
// did not read; a side they cover has an empty range (its upper end
// below its lower one).
func (p *walkedPair) below(from, firstComment int64) (subjects, comments int64) {
	subjects, comments = from, firstComment-1
	if !p.subjects.reaches(from + 1) {
		subjects = p.subjects.last - 1
	}
	if !p.comments.reaches(firstComment) {
		comments = p.comments.last - 1
	}
	return subjects, comments
}

// sampleBelowWalks counts a round of the estimate's sample (sampleText)
// that the walks cover in part: what they read, and the rest of the
// round's rows by query — q, the round's query (with its filters) giving
// ticket ids over both ranges bounded above. A common word's second
// round, four times the first, reached about two thirds below the walks
// of `ikke` at 23,000 tickets on PostgreSQL and was read whole: the
// round's rows tested by query go from ≈ 5,000 to ≈ 1,400 (by the
// word's shares). The tickets are the round query's exactly: those the
// walks found and those the query found, each once.
func (s *Service) sampleBelowWalks(ctx context.Context, seen *walkedPair, q string, prepared bool, from, firstComment int64,
	tq textQuery, pass passTest, extra []any) (int64, error) {
	s.sampleBelowWalksRuns.Add(1)
	found := seen.found(from, firstComment)
	hiSubject, hiComment := seen.below(from, firstComment)
	args := []any{tq.fts, from, hiSubject, tq.fts, firstComment, hiComment, from}
	filtered := pass.ids != nil || pass.batch != nil // in Go; else in q
	if !filtered {
		args = append(args, extra...)
	}
	ids, err := s.sampleIDs(ctx, q, args, prepared, pass.except)
	if err != nil {
		return 0, err
	}
	if pass.batch != nil {
		if err := pass.batch.test(ctx, ids); err != nil {
			return 0, err
		}
	}
	for _, id := range ids {
		switch {
		case pass.ids != nil && !pass.ids[id]:
		case pass.batch != nil && !pass.batch.pass[id]:
		default:
			found[id] = struct{}{}
		}
	}
	return int64(len(found)), nil
}

// sampleSizes are the first and the widest sample, in tickets; the
// tests' sampleScale divides them (a small corpus then holds more than
// one sample).
func (s *Service) sampleSizes() (int64, int64) {
	k := max(s.sampleScale.Load(), 1)
	return max(sampleFirst/k, 1), max(sampleMax/k, 1)
}

// sampleIDs runs q, a sample's query of ticket ids, prepared (its one
// plan) or planned for its values, and returns the ids except those
// except names.
func (s *Service) sampleIDs(ctx context.Context, q string, args []any, prepared bool, except func(int64) bool) ([]int64, error) {
	var ids []int64
	read := func(sc scanner) (bool, error) {
		var id int64
		if err := sc.Scan(&id); err != nil {
			return false, err
		}
		if except == nil || !except(id) {
			ids = append(ids, id)
		}
		return true, nil
	}
	var err error
	if prepared {
		if s.onPrepared != nil {
			s.onPrepared(q, args)
		}
		err = s.scanArgs(ctx, q, args, read)
	} else {
		err = s.scan(ctx, q, args, read)
	}
	if err != nil {
		return nil, fmt.Errorf("ticket: search estimate: %w", err)
	}
	return ids, nil
}
