package ticket

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
	return int64(len(found))
}

// sampleSizes are the first and the widest sample, in tickets; the
// tests' sampleScale divides them (a small corpus then holds more than
// one sample).
func (s *Service) sampleSizes() (int64, int64) {
	k := max(s.sampleScale.Load(), 1)
	return max(sampleFirst/k, 1), max(sampleMax/k, 1)
}
