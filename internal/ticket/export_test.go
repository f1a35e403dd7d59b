package ticket

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/search"
)

// SetSearchCandidates lets tests bound a search's candidates low enough to
// cross the bound on a small corpus.
func (s *Service) SetSearchCandidates(n int) { s.searchCandidates = n }

// SearchWalkFactor is walkFactor, for the reference ranking.
const SearchWalkFactor = walkFactor

// SetFilterSideMax sets how many tickets a filter may pass for a search
// to be driven from the filter side (0: never, unless none pass).
func (s *Service) SetFilterSideMax(n int) { s.filterSideMax.Store(int64(n)) }

// DefaultFilterSideMax is the filter side's bound, to restore.
const DefaultFilterSideMax = defaultFilterSideMax

// FilterSideRuns counts the searches driven from the filter side.
func (s *Service) FilterSideRuns() int64 { return s.filterSideRuns.Load() }

// SampleFromWalks counts the estimates whose sample was counted from the
// walks.
func (s *Service) SampleFromWalks() int64 { return s.sampleFromWalks.Load() }

// SetSampleFromWalks lets the estimate count its sample from the walks
// (the default) or always by its query.
func (s *Service) SetSampleFromWalks(on bool) { s.noSampleFromWalks.Store(!on) }

// SampleBelowWalks counts the estimates' rounds counted partly from the
// walks; SetSampleBelowWalks(false) runs each such round's whole query.
func (s *Service) SampleBelowWalks() int64     { return s.sampleBelowWalksRuns.Load() }
func (s *Service) SetSampleBelowWalks(on bool) { s.noSampleBelowWalks.Store(!on) }

// BoundsWithLookups counts the searches whose lookups' statement read the
// estimate's bounds (PostgreSQL); SetBoundsWithLookups(false) leaves them
// to their own statement.
func (s *Service) BoundsWithLookups() int64     { return s.boundsWithLookups.Load() }
func (s *Service) SetBoundsWithLookups(on bool) { s.noBoundsWithLookups.Store(!on) }

// SetSampleScale divides the estimate's sample sizes by k (1: as shipped).
func (s *Service) SetSampleScale(k int64) { s.sampleScale.Store(k) }

// TagSideRuns counts the searches whose walks tested tags as one list.
func (s *Service) TagSideRuns() int64 { return s.tagSideRuns.Load() }

// SetTagSide lets tag filters be tested as one list (the default) or per
// row with the correlated EXISTS.
func (s *Service) SetTagSide(on bool) { s.noTagSide.Store(!on) }

// SetLookupWindow sets the least window of newest ids a requester lookup
// reads first (0: the lookups read every ticket of the named customers).
func (s *Service) SetLookupWindow(n int64) {
	if n == 0 {
		n = -1
	}
	s.lookupWindow = n
}

// SetLookupEstimate turns the customers' share in the first lookup
// window's size on or off.
func (s *Service) SetLookupEstimate(on bool) { s.noLookupEstimate.Store(!on) }

// LookupBelowRuns counts the lookup windows read below a first one.
func (s *Service) LookupBelowRuns() int64 { return s.lookupBelowRuns.Load() }

// LookupCrowdedRuns counts the lookup windows on SQLite that held too many
// tickets to sort in Go and were read again sorted.
func (s *Service) LookupCrowdedRuns() int64 { return s.lookupCrowdedRuns.Load() }

// LookupWindowRuns counts the lookups read from a window.
func (s *Service) LookupWindowRuns() int64 { return s.lookupWindowRuns.Load() }

// FewRuns counts the comment walks of sparse matches read by id.
func (s *Service) FewRuns() int64 { return s.fewRuns.Load() }

// SetFew lets sparse matches of several tokens be read by id (the default)
// or by the descending walk.
func (s *Service) SetFew(on bool) { s.noFew.Store(!on) }

// SetPairs lets two words that seldom meet be read from the word-pair
// index (the default) or from the full-text index; minDocs, when not 0,
// is how many comments each word must be in for a search to register it.
func (s *Service) SetPairs(on bool, minDocs int) { s.noPairs.Store(!on); s.pairMinDocs = minDocs }

// WaitPairs waits for the word-pair registrations under way (PostgreSQL
// runs them apart from the searches).
func (s *Service) WaitPairs() { s.pairWG.Wait() }

// PairRuns counts the comment walks the word-pair index answered.
func (s *Service) PairRuns() int64 { return s.pairRuns.Load() }

// SetPGWindow sets the first window of a several-token walk on PostgreSQL
// in ids (0: as shipped, negative: the single walk) and how the rest is
// read (path 0: by the cost, 1: on by the primary key, 2: the GIN index).
func (s *Service) SetPGWindow(n, path int64) { s.pgWindowSize.Store(n); s.pgPath.Store(path) }

// PGWindowRuns counts the several-token walks that read below their
// window; PGIndexRuns those that read it through the GIN index.
func (s *Service) PGWindowRuns() int64 { return s.pgWindowRuns.Load() }
func (s *Service) PGIndexRuns() int64  { return s.pgIndexRuns.Load() }

// SetPGFilter lets PostgreSQL's searches with filters and words test the
// walked tickets in batches (the default) or each row in SQL.
func (s *Service) SetPGFilter(on bool) { s.noPGFilter.Store(!on) }

// PGFilterRuns counts the searches whose walked tickets were tested in
// batches.
func (s *Service) PGFilterRuns() int64 { return s.pgFilterRuns.Load() }

// PGFilterTests counts the statements that tested tickets in batches.
func (s *Service) PGFilterTests() int64 { return s.pgFilterTests.Load() }

// SetPGBatch sets how the batch tests read tickets: span, when not 0,
// bounds the ids per ticket read as a range (negative: every ticket by
// id; on SQLite it applies to tags alone); tags alone are tested without
// the tickets table when tagsAlone (PostgreSQL).
func (s *Service) SetPGBatch(span int64, tagsAlone bool) {
	s.pgSpan.Store(span)
	s.noPGTagTest.Store(!tagsAlone)
}

// PGRanges, PGProbes and PGTagTests count the batch tests that read a
// range, that tested tickets by id, and that tested tags alone without
// the tickets table.
func (s *Service) PGRanges() int64   { return s.pgRanges.Load() }
func (s *Service) PGProbes() int64   { return s.pgProbes.Load() }
func (s *Service) PGTagTests() int64 { return s.pgTagTests.Load() }

// TagRanges counts SQLite's batch tests of tags alone that read a range.
func (s *Service) TagRanges() int64 { return s.tagRanges.Load() }

// SetLookupsFirst lets a page that the named tickets fill skip the text
// walks (the default) or always walk them.
func (s *Service) SetLookupsFirst(on bool) { s.noLookupsFirst.Store(!on) }

// SetMentionsAtOnce lets the mention sample read its wide rounds in one
// statement (the default) or makes it read each alone; MentionsAtOnceRuns
// counts the samples that did.
func (s *Service) SetMentionsAtOnce(on bool) { s.noMentionsAtOnce.Store(!on) }
func (s *Service) MentionsAtOnceRuns() int64 { return s.mentionsAtOnceRuns.Load() }

// SetOnePGPage makes PostgreSQL read a list page in one statement (true)
// or its ids and then their rows (false, the default).
func (s *Service) SetOnePGPage(on bool) { s.onePGPage.Store(on) }

// SetLookupTop lets a filtered search's lookups test a full window best
// first only as far as the page needs (the default) or test all of it;
// LookupTopRuns counts the windows tested so.
func (s *Service) SetLookupTop(on bool) { s.noLookupTop.Store(!on) }
func (s *Service) LookupTopRuns() int64 { return s.lookupTopRuns.Load() }

// LookupsFirstRuns counts the searches ranked from the lookups alone.
func (s *Service) LookupsFirstRuns() int64 { return s.lookupsFirstRuns.Load() }

// SetBatchFilter lets SQLite's searches with filters and words that the
// filter side does not take test the walked tickets in batches (the
// default) or each walked row in SQL (tags alone: the tag side).
func (s *Service) SetBatchFilter(on bool) { s.noBatch.Store(!on) }

// BatchFilterRuns counts the SQLite searches whose walked tickets were
// tested in batches.
func (s *Service) BatchFilterRuns() int64 { return s.batchRuns.Load() }

// SetBatchSetMax sets how many tickets a filter may pass for the batch
// test to read them as a set first (0: never).
func (s *Service) SetBatchSetMax(n int) { s.batchSetMax.Store(int64(n)) }

// BatchSetRuns counts the batch-tested searches that read the passing
// tickets as a set.
func (s *Service) BatchSetRuns() int64 { return s.batchSetRuns.Load() }

// SetAddressIndex lets an address search read its mentions from the
// address index on SQLite (the default) or walk the full-text index.
func (s *Service) SetAddressIndex(on bool) { s.noAddressIndex.Store(!on) }

// AddressRuns counts the searches that read the address index.
func (s *Service) AddressRuns() int64 { return s.addressRuns.Load() }

// SetLookupAt lets PostgreSQL's requester lookups read their tickets'
// last updates with the ids, from the index (the default), or by id
// afterwards.
func (s *Service) SetLookupAt(on bool) { s.noLookupAt.Store(!on) }

// LookupAtRuns counts the lookups whose kept tickets' last updates came
// with their ids.
func (s *Service) LookupAtRuns() int64 { return s.lookupAtRuns.Load() }

// ReadRef reads a ticket another way than Get and a list page do: the
// write path's columns (lockCols) scanned into typed destinations, and the
// requester from the copy kept on the row, else from the customer's own
// rows (name, primary else first email), for comparing the two.
func (s *Service) ReadRef(ctx context.Context, id int64) (Ticket, error) {
	t, err := scanTicketLocked(s.db.QueryRowContext(ctx, `SELECT `+lockCols(s.db.Dialect())+` FROM tickets t WHERE t.id = ?`, id))
	if err != nil {
		return t, err
	}
	var name, email sql.NullString
	err = s.db.QueryRowContext(ctx, `SELECT requester_name, requester_email FROM tickets WHERE id = ?`, id).Scan(&name, &email)
	if err != nil {
		return t, err
	}
	if !name.Valid {
		err = s.db.QueryRowContext(ctx, `SELECT c.name, `+firstEmailOf("c.id")+` FROM customers c WHERE c.id = ?`, t.RequesterID).Scan(&name, &email)
		if errors.Is(err, sql.ErrNoRows) {
			return t, nil
		}
		if err != nil {
			return t, err
		}
	}
	t.Requester = &Person{ID: t.RequesterID, Type: "customer", Name: name.String, Email: email.String}
	return t, nil
}

// SetCommentIndex lets SQLite's comment walks and samples read a comment's
// ticket from comments_id_ticket (the default) or through the comment row.
func (s *Service) SetCommentIndex(on bool) { s.noCommentIndex.Store(!on) }

// CommentIndexRuns counts the statements that read comments' tickets from
// comments_id_ticket.
func (s *Service) CommentIndexRuns() int64 { return s.commentIndexRuns.Load() }

// SetPGPair lets PostgreSQL's subject and comment walks run as one
// statement when each is one (the default) or always as two.
func (s *Service) SetPGPair(on bool) { s.noPGPair.Store(!on) }

// PGPairRuns counts the searches whose two walks were one statement.
func (s *Service) PGPairRuns() int64 { return s.pgPairRuns.Load() }

// SetNumberRead lets a ticket number's lookup take its ticket from the
// other lookups' statement on PostgreSQL (the default) or read it alone.
func (s *Service) SetNumberRead(on bool) { s.noNumberRead.Store(!on) }

// NumberReads counts the number lookups that took their ticket from the
// other lookups' statement.
func (s *Service) NumberReads() int64 { return s.numberReads.Load() }

// NextSample is nextSample, for its table test.
var NextSample = nextSample

// SetPGCommon turns the prepared walks of words PostgreSQL's statistics
// place on or off; PGPreparedRuns counts the searches that ran them;
// ForgetPGCommon makes the next search read the statistics again;
// WordPlans is the plan of each walk of walk matches of word
// ("backwards", "index" or "planned"). See pgcommon.go.
func (s *Service) SetPGCommon(on bool)   { s.noPGCommon.Store(!on) }
func (s *Service) PGPreparedRuns() int64 { return s.pgPreparedRuns.Load() }

// OnPrepared sets the hook that sees each statement PostgreSQL is meant to
// keep one plan for.
func (s *Service) OnPrepared(fn func(q string, args []any)) { s.onPrepared = fn }
func (s *Service) ForgetPGCommon() {
	s.pgStats.mu.Lock()
	defer s.pgStats.mu.Unlock()
	s.pgStats.read = time.Time{}
}

func (s *Service) WordPlans(ctx context.Context, word string, walk int) ([2]string, error) {
	plans, err := s.pgWordPlans(ctx, textQuery{fts: `"` + word + `"`, tokens: []string{word}}, walk)
	var out [2]string
	for i, p := range plans {
		out[i] = [...]string{"planned", "backwards", "index"}[p]
	}
	return out, err
}

// WordPlan is pgWordTable.plan for a table of rows rows whose listed
// shares are freq.
func WordPlan(freq map[string]float64, rows float64, lexeme string, walk int) string {
	t := pgWordTable{freq: map[string]float64{}, rows: rows}
	for l, f := range freq {
		t.add(l, f)
	}
	return [...]string{"planned", "backwards", "index"}[t.plan(lexeme, walk)]
}

// SampleEnough is sampleEnough, the matches an estimate's round wants;
// PGRangeRounds counts the rounds wider than the first that tested their
// range alone (a word common in both tables).
const SampleEnough = sampleEnough

func (s *Service) PGRangeRounds() int64 { return s.pgRangeRounds.Load() }

// FilterTestPlans returns SQLite's query plan details for the batch test
// of the search filters of query (rankbatch.go) on a few ticket ids.
func (s *Service) FilterTestPlans(ctx context.Context, actor authz.Actor, query string) ([]string, error) {
	q, err := search.Parse(query)
	if err != nil {
		return nil, err
	}
	w, err := s.filterWhere(ctx, actor, q)
	if err != nil {
		return nil, err
	}
	f := s.newBatchFilter(w)
	if pass, ok := s.tagTest(w); ok {
		f.tags = &pass
	}
	stmt, args := f.sqliteTest([]int64{3, 2, 1})
	return s.planDetails(ctx, stmt, args)
}
