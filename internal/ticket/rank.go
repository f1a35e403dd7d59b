package ticket

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/page"
	"github.com/ombud/ombud/internal/search"
)

// Ranked search at scale. A word most tickets hold used to cost a scan of
// its whole posting list and a score for every match (FTS5's bm25() counts
// each term's documents on every query; ts_rank scores every row the GIN
// index returns), so a common word took ≈ 0.6 s at 100,000 tickets and
// grew with the table. Now each index is walked newest first and stops
// after a bounded number of candidates (FTS5 walks its doclist by
// descending rowid, PostgreSQL the primary key backwards or the GIN index
// for a rare term, whichever its statistics favour), the candidates are
// scored in Go (search.Relevance, the same on both engines) and blended
// with recency. A query whose matches all fit in the bound is ranked
// exactly and counted exactly; beyond it only the newest candidates are
// ranked — old tickets then drop out, which recency would have ranked low
// anyway — and the total is an estimate, extrapolated from how densely the
// newest rows matched.

// DefaultSearchCandidates bounds the subjects, the comments and each
// lookup's tickets that one search ranks.
const DefaultSearchCandidates = 300

// commentPrefix bounds the characters of a comment that are scored: long
// mails are scored by their beginning, which keeps a search's cost bounded.
const commentPrefix = 4000

// Lookup scores in Go (textsearch.go has them as SQL literals).
var lookupScore = map[string]float64{scoreNumber: 1e12, scoreIdentity: 1e10, scoreName: 1e9, scoreOrg: 1e8}

// rankHit is one ticket the text finds.
type rankHit struct {
	id    int64
	score float64 // best text or lookup score, recency included
}

// candidates is what one search gathered.
type candidates struct {
	hits      map[int64]float64 // each ticket's best score, recency included
	estimated bool
	estimate  float64 // extrapolated number of tickets, when estimated
	bounds    sampleBounds
	// windows are the filtered lookups' windows of named tickets, each
	// newest first: the mention sample does not count them, kept, passed
	// over or untested (lookupsfiltered.go).
	windows [][]int64
}

// sampleBounds is what a search reads of the tickets' extent, once
// (searchBounds): the newest ticket's id, and the first sample's first
// ticket (tickets after from) with the first comment it starts at.
type sampleBounds struct {
	read                       bool
	newest, from, firstComment int64
}

// add keeps a ticket's best score, recency included.
func (c *candidates) add(id int64, score float64) {
	if old, ok := c.hits[id]; !ok || score > old {
		c.hits[id] = score
	}
}

// ranked pages through the tickets the text finds, best first; the cursor
// is an offset into the ranking, since relevance is no stable key.
func (s *Service) ranked(ctx context.Context, w *where, tq textQuery, pr page.Request) (page.List[Ticket], error) {
	offset := int64(0)
	if pr.Cursor != nil {
		if pr.Cursor.Sort != "rank" {
			return page.List[Ticket]{}, apperr.InvalidField("cursor", "belongs to another sort order")
		}
		offset = pr.Cursor.Key
	}
	bound := s.searchCandidates
	if bound <= 0 {
		bound = DefaultSearchCandidates
	}
	// Every page ranks the same candidates, so pages neither repeat nor
	// skip tickets; paging ends with them (refine the query to go further).
	c, err := s.gather(ctx, w, tq, bound, int(offset)+pr.Limit+1)
	if err != nil {
		return page.List[Ticket]{}, err
	}
	hits := make([]rankHit, 0, len(c.hits))
	for id, score := range c.hits {
		hits = append(hits, rankHit{id: id, score: score})
	}
	slices.SortFunc(hits, func(a, b rankHit) int {
		if a.score != b.score {
			if a.score > b.score {
				return -1
			}
			return 1
		}
		return -cmpInt(a.id, b.id)
	})
	total := int64(len(hits))
	if c.estimated {
		// No more than there are tickets.
		b, err := s.searchBounds(ctx, c)
		if err != nil {
			return page.List[Ticket]{}, err
		}
		tickets := b.newest
		total = max(int64(len(hits)), min(roundEstimate(c.estimate), tickets))
	}
	var ids []int64
	if offset < int64(len(hits)) {
		end := min(int64(len(hits)), offset+int64(pr.Limit)+1)
		for _, h := range hits[offset:end] {
			ids = append(ids, h.id)
		}
	}
	ts, err := s.readByID(ctx, "search page", ids)
	if err != nil {
		return page.List[Ticket]{}, err
	}
	next := offset + int64(pr.Limit)
	l := page.Trim(ts, pr.Limit, func(t Ticket) page.Cursor { return page.Cursor{Key: next, ID: t.ID, Sort: "rank"} })
	l.Total, l.TotalEstimated = &total, c.estimated
	return l, nil
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// roundEstimate keeps two significant digits: an estimate that looks
// exact would mislead.
func roundEstimate(n float64) int64 {
	if n < 100 {
		return int64(math.Round(n))
	}
	p := math.Pow(10, math.Floor(math.Log10(n))-1)
	return int64(math.Round(n/p) * p)
}

// readByID loads tickets (decorated) in the order of ids, in one
// statement: each row with its tags, followers and requester (readCols'
// columns, as a list page and Get read them; on PostgreSQL pgReadByID),
// where a search's page took four (the rows, tags, followers,
// requesters). On PostgreSQL the ids go as one array, so the statement's
// text is the same for every page and pgx prepares it once: its plan, by
// primary key, does not depend on the ids.
// what names the read in its errors ("search page", "list").
func (s *Service) readByID(ctx context.Context, what string, ids []int64) ([]Ticket, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	d := s.db.Dialect()
	q, args := pgReadByID, []any{ids, ids, ids}
	if d == db.SQLite {
		q = `SELECT ` + readCols(d) + ` FROM tickets t WHERE t.id IN (` + placeholders(len(ids)) + `)`
		args = make([]any, len(ids))
		for i, id := range ids {
			args[i] = id
		}
	}
	ts, err := s.readTickets(ctx, what, q, args, len(ids))
	if err != nil {
		return nil, err
	}
	pos := make(map[int64]int, len(ids))
	for i, id := range ids {
		pos[id] = i
	}
	slices.SortFunc(ts, func(a, b Ticket) int { return pos[a.ID] - pos[b.ID] })
	return ts, nil
}

// walkFactor bounds how many text matches a filtered search walks: up to
// walkFactor × bound, newest first, of which those passing the filters are
// kept. A filter that few recent tickets pass then ends the walk with
// fewer candidates and an estimated total instead of a walk through the
// whole index.
const walkFactor = 4

// gather collects the candidates: the newest bound subjects and comments
// that match and pass the filters w, and each lookup's newest bound
// tickets, each scored with its own recency (a subject and a lookup by
// the ticket's last update, a comment by its own time). need is how many
// of the best ranks the page asked for covers (lookupsFirst).
func (s *Service) gather(ctx context.Context, w *where, tq textQuery, bound, need int) (*candidates, error) {
	// Room for both walks' bound: the map does not grow while they run.
	c := &candidates{hits: make(map[int64]float64, 2*bound), bounds: tq.bounds}
	if len(w.conds) > 0 {
		tq.address = "" // filtered searches keep the phrase (rankaddress.go)
	}
	now := s.now()
	blend := func(score float64, at int64) float64 { return search.Blend(score, now.Sub(db.Time(at))) }
	// ok is 1 for a row that passes the filters: rows are read newest
	// first and reading stops at bound kept rows, so SQLite walks no
	// further (PostgreSQL computes at most the walk's LIMIT).
	ok, walk := "1", bound
	if len(w.conds) > 0 {
		ok, walk = "CASE WHEN "+strings.Join(w.conds, " AND ")+" THEN 1 ELSE 0 END", bound*walkFactor
	}
	pg := s.db.Dialect() == db.Postgres
	estimate := func(table string, walked bool, last int64, found float64) error {
		if !walked {
			return nil
		}
		est, err := s.extrapolate(ctx, c, table, last, found)
		if err != nil {
			return err
		}
		c.estimated, c.estimate = true, max(c.estimate, est)
		return nil
	}
	lookedUp := false
	if tq.fts != "" && s.lookupsFirstOK(w, tq, need) {
		// The tickets the text names may fill the page on their own
		// (ranklookups.go).
		done, err := s.lookupsFirst(ctx, c, w, tq, bound, need, blend, estimate)
		if err != nil {
			return nil, err
		}
		if done {
			return c, nil
		}
		lookedUp = true
	}
	if tq.fts != "" {
		// Two words that seldom meet: their texts from the word-pair
		// index (rankpairs.go).
		if err := s.readPairs(ctx, &tq, walk); err != nil {
			return nil, err
		}
		// A selective filter SQLite finds by index: the walks test rows
		// against its tickets (rankfilter.go).
		passing, err := s.filterSide(ctx, w)
		if err != nil {
			return nil, err
		}
		if passing != nil {
			if err := s.gatherFiltered(ctx, c, w, tq, passTest{ids: passing.ids}, bound, walk, blend); err != nil {
				return nil, err
			}
			if err := s.gatherLookupsFiltered(ctx, c, tq, passing, bound, blend); err != nil {
				return nil, err
			}
			return c, nil
		}
		// Other filters on SQLite: the walks read ids, their tickets
		// tested in batches (rankbatch.go).
		if !pg && len(w.conds) > 0 && !s.noBatch.Load() {
			return s.gatherBatch(ctx, c, w, tq, bound, walk, need, blend, estimate)
		}
		// Tags alone: each walk tests its rows against the tags' tickets
		// as one list SQLite builds from ticket_tags_tag (ranktag.go).
		if pass, ok := s.tagSide(w); ok {
			if err := s.gatherFiltered(ctx, c, w, tq, pass, bound, walk, blend); err != nil {
				return nil, err
			}
			return s.gatherLookupsTagged(ctx, c, tq, pass, bound, walk, blend, estimate)
		}
		// Other filters on PostgreSQL: the walks read ids, their tickets
		// tested in batches (rankpgfilter.go).
		if pg && len(w.conds) > 0 && !s.noPGFilter.Load() {
			return s.gatherPGFiltered(ctx, c, w, tq, bound, walk, need, blend, estimate)
		}
		// An address's mentions from its index (rankaddress.go).
		byAddress, err := s.addressIndex(ctx, w, tq)
		if err != nil {
			return nil, err
		}
		textWalk := walk // the subject and comment walks' bound
		if byAddress {
			s.addressRuns.Add(1)
		} else if tq.address != "" {
			// The walk drops the rows that match the address's tokens but
			// do not hold it, so it reads on until bound rows hold it
			// (rankaddress.go): SQLite, before the index is filled, to the
			// end (its phrase walk reads the whole doclists anyway);
			// PostgreSQL, whose parser reads the address as one token and
			// so seldom finds other rows, up to walkFactor × bound.
			textWalk = bound * walkFactor
			if !pg {
				textWalk = math.MaxInt32
			}
		}
		// Subjects.
		from, rest, fromArgs, restArgs := s.subjectMatches(tq, textWalk)
		q := `SELECT t.id, ` + ok + `, t.subject, t.updated_at FROM ` + from + ` JOIN tickets t ON t.id = ticket_fts.rowid ` + rest
		seen := walkedPair{subjects: walked{rows: make([]walkedRow, 0, bound)}, comments: walked{rows: make([]walkedRow, 0, bound)}}
		kept, rows := 0, 0 // the subject walk's
		// Each walk's row goes into the same variables: a Scan's
		// destinations escape, and per row they were five allocations.
		var id, pass, updated int64
		var subject string
		subjectDest := []any{&id, &pass, &subject, &updated}
		subjectRow := func(sc scanner) (bool, error) {
			if err := sc.Scan(subjectDest...); err != nil {
				return false, err
			}
			rows++
			seen.subjects.last = id
			if pass == 1 && tq.mentions(subject) {
				kept++
				seen.subjects.add(id, id)
				c.add(id, blend(search.SubjectWeight*tq.rel.Score(subject, search.AvgSubjectLen), updated))
			}
			return kept < bound, nil
		}
		// Comments: the ticket row only when filters need it, the body
		// only of rows that pass them.
		body := `substr(c.body, 1, ` + strconv.Itoa(commentPrefix) + `)`
		join := ""
		if len(w.conds) > 0 {
			join = ` JOIN tickets t ON t.id = c.ticket_id`
			body = `CASE WHEN ` + strings.Join(w.conds, " AND ") + ` THEN ` + body + ` ELSE '' END`
		}
		cargs := slices.Clip(w.args)
		if len(w.conds) > 0 {
			cargs = append(cargs, w.args...) // the body's CASE
		}
		ckept, crows := 0, 0 // the comment walk's
		var cid, cpass, tid, at int64
		var text string
		commentDest := []any{&cid, &cpass, &tid, &text, &at}
		comment := func(sc scanner) (bool, error) {
			if err := sc.Scan(commentDest...); err != nil {
				return false, err
			}
			crows++
			seen.comments.last = cid
			if cpass == 1 && tq.mentions(text) {
				ckept++
				seen.comments.add(cid, tid)
				c.add(tid, blend(tq.rel.Score(text, search.AvgCommentLen), at))
			}
			return ckept < bound, nil
		}
		var below [2]pgBelow // what the PostgreSQL walks found of their matches
		if pg {
			// Both walks, in one statement when each is one (rankpg.go):
			// the columns as the comments', a subject's ticket its own id.
			err = s.scanTextPGPair(ctx, tq, [2]pgWalk{
				{table: "tickets", a: "t", cols: `t.id, ` + ok + `, t.id, t.subject, t.updated_at`, from: `tickets t`, pre: w.args,
					walk: textWalk, fn: func(sc scanner) (bool, error) { return subjectRow(dropColumn{sc, 2}) }, below: &below[0]},
				{table: "comments", a: "c", cols: `c.id, ` + ok + `, c.ticket_id, ` + body + `, c.created_at`, from: `comments c` + join,
					pre: cargs, walk: textWalk, fn: comment, below: &below[1]},
			})
		} else {
			if byAddress {
				err = s.scan(ctx, addressSubjects, []any{tq.address, textWalk}, subjectRow)
			} else {
				err = s.scan(ctx, q, append(append(slices.Clip(w.args), fromArgs...), restArgs...), subjectRow)
			}
			if err != nil {
				return nil, err
			}
			q = `SELECT c.id, ` + ok + `, c.ticket_id, ` + body + `, c.created_at FROM comment_fts
				JOIN comments c ON c.id = comment_fts.rowid` + join + `
				WHERE comment_fts MATCH ? ORDER BY comment_fts.rowid DESC LIMIT ?`
			args := append(append(cargs, tq.fts), textWalk)
			// Sparse matches of several tokens: read by id (rankfew.go).
			few, isFew := []int64(nil), false
			if !byAddress {
				if few, isFew, err = s.fewComments(ctx, tq, textWalk); err != nil {
					return nil, err
				}
			}
			if byAddress {
				q, args = addressComments, []any{commentPrefix, tq.address, textWalk}
			} else if isFew {
				q = `SELECT c.id, ` + ok + `, c.ticket_id, ` + body + `, c.created_at FROM comments c` + join + `
					WHERE c.id IN (` + placeholders(max(len(few), 1)) + `) ORDER BY c.id DESC`
				args = slices.Clip(cargs)
				for _, id := range few {
					args = append(args, id)
				}
				if len(few) == 0 {
					args = append(args, 0) // no comment has id 0
				}
			}
			err = s.scan(ctx, q, args, comment)
		}
		if err != nil {
			return nil, err
		}
		textCut := kept >= bound || rows >= textWalk
		seen.subjects.done = !textCut
		seen.comments.done = ckept < bound && crows < textWalk
		if pg && (below[0].viaIndex || below[1].viaIndex) && max(below[0].matches, below[1].matches) <= maxPairTexts {
			// Two words whose newest texts took the GIN index's
			// intersection of their postings, in few enough subjects and
			// comments to keep (as estimated from the walks' windows): on
			// SQLite fewComments registers them (rankpairs.go).
			s.registerPair(ctx, tq, textWalk)
		}
		if textCut || !seen.comments.done {
			var est float64
			switch {
			case byAddress:
				est, err = s.sampleAddress(ctx, tq, nil)
			case tq.address != "" && len(w.conds) == 0:
				est, err = s.sampleAddressWalked(ctx, tq)
			default:
				est, err = s.sampleText(ctx, c, w, tq, passTest{}, &seen)
			}
			if err != nil {
				return nil, err
			}
			c.estimated, c.estimate = true, max(c.estimate, est)
		}
	}
	if lookedUp {
		return c, nil
	}
	if pg && len(w.conds) == 0 && !s.noPGFilter.Load() {
		// The lookups' ids from their index alone (rankpgfilter.go).
		return s.gatherLookupsPG(ctx, c, tq, bound, walk, blend, estimate)
	}
	return s.gatherLookups(ctx, c, w, tq, ok, bound, walk, blend, estimate)
}

// gatherLookups adds each lookup's newest bound tickets that pass the
// filters (ok) to c.
func (s *Service) gatherLookups(ctx context.Context, c *candidates, w *where, tq textQuery, ok string, bound, walk int,
	blend func(float64, int64) float64, estimate func(string, bool, int64, float64) error) (*candidates, error) {
	for _, src := range s.lookupSources(tq) {
		cond, cargs := src.cond("t.")
		q := `SELECT t.id, ` + ok + `, t.updated_at FROM tickets t WHERE ` + cond + ` ORDER BY t.id DESC LIMIT ?`
		args := append(append(slices.Clip(w.args), cargs...), walk)
		if s.db.Dialect() == db.SQLite {
			// The newest walk tickets from the index alone
			// (tickets_requester_id holds the rowid and updated_at), read
			// from the windows of the newest ids that hold them
			// (lookupwindow.go): a name as common as a first name has a
			// thousand tickets at 30,000, each a seek into tickets that
			// only the sort needed.
			newest, err := s.lookupNewest(ctx, src, cond, cargs, walk)
			if err != nil {
				return nil, err
			}
			if ok == "1" {
				// Every ticket passes: ranked from the index's rows.
				kept := min(len(newest), bound)
				for _, r := range newest[:kept] {
					c.add(r.id, blend(lookupScore[src.score], r.updated))
				}
				last := int64(0)
				if kept > 0 {
					last = newest[kept-1].id
				}
				if err := estimate("tickets", kept >= bound || len(newest) >= walk, last, float64(kept)); err != nil {
					return nil, err
				}
				continue
			}
			// CROSS JOIN keeps the ids the outer loop, each a seek by
			// rowid for the filters.
			q = `SELECT t.id, ` + ok + `, t.updated_at FROM json_each(?) j CROSS JOIN tickets t ON t.id = j.value ORDER BY t.id DESC`
			args = append(slices.Clip(w.args), idList(lookupIDsOf(newest)))
		}
		kept, rows, last := 0, 0, int64(0)
		err := s.scan(ctx, q, args, func(sc scanner) (bool, error) {
			var id, pass, updated int64
			if err := sc.Scan(&id, &pass, &updated); err != nil {
				return false, err
			}
			rows, last = rows+1, id
			if pass == 1 {
				kept++
				c.add(id, blend(lookupScore[src.score], updated))
			}
			return kept < bound, nil
		})
		if err != nil {
			return nil, err
		}
		if err := estimate("tickets", kept >= bound || rows >= walk, last, float64(kept)); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// The estimate of a text's matches counts exactly which of the newest
// tickets it finds: first the newest sampleFirst, then four times as many
// each round, until sampleEnough of them match or sampleMax tickets are
// counted (or all are). A filtered search counts sampleMax at once.
const (
	sampleFirst  = 250
	sampleEnough = 60
	sampleMax    = 2000
)

// sampleText estimates how many tickets the text (and the filters) find:
// it counts exactly which of the newest tickets they find — each index
// walked only over those tickets' rows, by rowid range — and scales that
// to all tickets. The sample grows until it holds enough matches: a
// common word is estimated from its first 250 tickets (≈ 75 matches,
// within ±12 %), a rarer one from up to 2,000. Extrapolating the bounded
// walk itself would count a ticket once per matching comment (≈ 1.6 times
// at 100,000 demo tickets), since a window of the newest comments seldom
// holds two of one ticket.
//
// pass, when set, tests the filters without the tickets table: a set of
// every ticket passing them (filterSide), against which the sample's
// matches are counted in Go, or an SQL test of the ticket id (tagSide).
//
// seen, when not nil, is what the walks read: where they reach below a
// sample's first rows, the sample is counted from them without a query.
func (s *Service) sampleText(ctx context.Context, c *candidates, w *where, tq textQuery, pass passTest, seen *walkedPair) (float64, error) {
	b, err := s.searchBounds(ctx, c)
	if err != nil {
		return 0, err
	}
	newest := b.newest
	// Each index is read newest first down to the sample's first row:
	// FTS5 then starts at the end of each doclist and stops at the bound,
	// where an unordered read seeks the bound from the oldest entry
	// forward (2–4 times the cost at 30,000 tickets, growing with the
	// table). LIMIT -1 keeps SQLite from flattening the subqueries and
	// dropping their order.
	sqliteQ := func(ticketsUpper, commentsUpper string) string {
		return `SELECT COUNT(*) FROM (SELECT id FROM (SELECT rowid AS id FROM ticket_fts WHERE ticket_fts MATCH ? AND rowid > ?` + ticketsUpper + `
			ORDER BY rowid DESC LIMIT -1)
		UNION SELECT ticket_id FROM (SELECT c.ticket_id FROM comment_fts JOIN ` + s.commentTickets("c") + ` ON c.id = comment_fts.rowid
			WHERE comment_fts MATCH ? AND comment_fts.rowid >= ?` + commentsUpper + `
			AND c.ticket_id > ? ORDER BY comment_fts.rowid DESC LIMIT -1)) m`
	}
	q := sqliteQ("", "")
	// The rounds the walks cover in part read the rest alone: both
	// ranges bounded above too (sampleBelowWalks).
	ranged := sqliteQ(` AND rowid <= ?`, ` AND comment_fts.rowid <= ?`)
	// On PostgreSQL a round is planned for its values, or (alone) tests
	// its range by the primary key without the planner reading the
	// column's statistics for @@: prepared, both ranges two-sided so that
	// the plan without values reads them by the primary key (mentionsPG).
	alone := q
	pg := s.db.Dialect() == db.Postgres
	if pg {
		pgq := func(match func(string) string, upper string) string {
			return `SELECT COUNT(*) FROM (SELECT id FROM tickets WHERE ` + match("search_vec") + ` AND id > ?` + upper + `
		UNION SELECT ticket_id FROM comments WHERE ` + match("search_vec") + ` AND id >= ?` + upper + ` AND ticket_id > ?) m`
		}
		q, alone = pgq(pgMatch, ""), pgq(pgMatchScan, ` AND id <= ?`)
		ranged = pgq(pgMatch, ` AND id <= ?`)
	}
	extra := w.args
	shape := func(q string) string { return q }
	switch {
	case pass.ids != nil || pass.batch != nil:
		shape = func(q string) string { return strings.Replace(q, `SELECT COUNT(*) FROM`, `SELECT m.id FROM`, 1) }
	case pass.in != nil:
		shape = func(q string) string { return q + ` WHERE ` + pass.in("m.id") }
		extra = pass.args
	case len(w.conds) > 0:
		shape = func(q string) string {
			return q + ` JOIN tickets t ON t.id = m.id WHERE ` + strings.Join(w.conds, " AND ")
		}
	}
	// The same rounds' ticket ids, filtered alike (sampleBelowWalks).
	idShape := func(q string) string { return shape(strings.Replace(q, `SELECT COUNT(*) FROM`, `SELECT m.id FROM`, 1)) }
	rangedIDs, aloneIDs := idShape(ranged), idShape(alone)
	planned, alone := shape(q), shape(alone)
	first, widest := s.sampleSizes()
	small := first // a round this small reads its range alone (PostgreSQL)
	if len(w.conds) > 0 {
		// How many of the newest tickets pass the filters says nothing
		// about the rest: one pass over the widest sample.
		first = widest
	}
	// A word PostgreSQL's statistics place as common in both tables is
	// dense in every round: each reads its range alone (pgcommon.go).
	dense := false
	if pg && len(w.conds) == 0 {
		plans, err := s.pgWordPlans(ctx, tq, sampleEnough)
		if err != nil {
			return 0, err
		}
		dense = plans == [2]pgWordPlan{pgBackwards, pgBackwards}
	}
	for size := first; ; size *= 4 {
		from := max(newest-size, 0) // tickets after from are the sample
		if newest == from {
			return 0, nil
		}
		// On PostgreSQL a small round tests its rows by the primary key
		// range alone, as the mention sample's small rounds do
		// (mentionsPG): estimating @@ reads the column's most common
		// elements on every plan, which costs more than the round.
		q := planned
		firstComment, err := s.sampleComment(ctx, b, from)
		if err != nil {
			return 0, err
		}
		args := []any{tq.fts, from, tq.fts, firstComment, from}
		prepared := false
		if pg && (size <= small || dense) {
			q, prepared = alone, true
			args = []any{tq.fts, from, int64(math.MaxInt64), tq.fts, firstComment, int64(math.MaxInt64), from}
			if size > small {
				s.pgRangeRounds.Add(1)
			}
		}
		var n int64
		fromWalks := seen != nil && !s.noSampleFromWalks.Load()
		if fromWalks && seen.covers(from, firstComment) {
			n = seen.count(from, firstComment)
			s.sampleFromWalks.Add(1)
		} else if fromWalks && !s.noSampleBelowWalks.Load() {
			// Only the rows below the walks by query, on PostgreSQL
			// prepared as the round would be.
			rq := rangedIDs
			if prepared {
				rq = aloneIDs
			}
			if n, err = s.sampleBelowWalks(ctx, seen, rq, prepared, from, firstComment, tq, pass, extra); err != nil {
				return 0, err
			}
		} else if pass.ids != nil {
			err := s.scan(ctx, q, args, func(sc scanner) (bool, error) {
				var id int64
				if err := sc.Scan(&id); err != nil {
					return false, err
				}
				if pass.ids[id] {
					n++
				}
				return true, nil
			})
			if err != nil {
				return 0, err
			}
		} else if pass.batch != nil {
			ids, err := s.sampleIDs(ctx, q, args, false, pass.except)
			if err != nil {
				return 0, err
			}
			if err := pass.batch.test(ctx, ids); err != nil {
				return 0, err
			}
			for _, id := range ids {
				if pass.batch.pass[id] {
					n++
				}
			}
		} else {
			all := append(args, extra...)
			if !prepared {
				all = s.planArgs(all)
			} else if s.onPrepared != nil {
				s.onPrepared(q, all)
			}
			if err := s.db.QueryRowContext(ctx, q, all...).Scan(&n); err != nil {
				return 0, fmt.Errorf("ticket: search estimate: %w", err)
			}
		}
		if n >= sampleEnough || from == 0 || size >= widest {
			return float64(n) * float64(newest) / float64(newest-from), nil
		}
	}
}

// extrapolate estimates how many tickets a walk that stopped at row id
// last of table would have found in all: found tickets came from the rows
// from last up to the newest, and the older rows are assumed to match as
// densely.
func (s *Service) extrapolate(ctx context.Context, c *candidates, table string, last int64, found float64) (float64, error) {
	var newest int64
	if table == "tickets" {
		b, err := s.searchBounds(ctx, c)
		if err != nil {
			return 0, err
		}
		newest = b.newest
	} else if err := s.db.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) FROM `+table).Scan(&newest); err != nil {
		return 0, fmt.Errorf("ticket: search estimate: %w", err)
	}
	if newest < last || last <= 0 {
		return found, nil
	}
	return found * float64(newest) / float64(newest-last+1), nil
}

// searchBounds returns c's sampleBounds, reading them on first use: one
// statement for the newest ticket and where the first sample's comments
// start, where a common-word search used to read MAX(id) two or three
// times (the extrapolation, the sample, the cap on the total) and the
// first comment once more, each a round trip on PostgreSQL. Read once,
// every part of one search also counts against the same newest ticket.
func (s *Service) searchBounds(ctx context.Context, c *candidates) (sampleBounds, error) {
	if c.bounds.read {
		return c.bounds, nil
	}
	first, _ := s.sampleSizes()
	// The sample's first ticket as the samples compute it:
	// max(newest-first, 0)+1, its first comment 0 when it has none.
	q := `SELECT t.n, CASE WHEN t.n > ? THEN t.n - ? ELSE 0 END,
			COALESCE((SELECT MIN(id) FROM comments WHERE ticket_id = CASE WHEN t.n > ? THEN t.n - ? ELSE 0 END + 1), 0)
		FROM (SELECT COALESCE(MAX(id), 0) AS n FROM tickets) t`
	b := sampleBounds{read: true}
	if err := s.db.QueryRowContext(ctx, q, first, first, first, first).Scan(&b.newest, &b.from, &b.firstComment); err != nil {
		return sampleBounds{}, fmt.Errorf("ticket: search estimate: %w", err)
	}
	c.bounds = b
	return b, nil
}

// sampleComment is the first comment of the sample of the tickets after
// from: the first comment of ticket from+1, 0 when it has none.
func (s *Service) sampleComment(ctx context.Context, b sampleBounds, from int64) (int64, error) {
	if b.read && from == b.from {
		return b.firstComment, nil
	}
	var id int64
	if err := s.db.QueryRowContext(ctx, `SELECT COALESCE(MIN(id), 0) FROM comments WHERE ticket_id = ?`, from+1).Scan(&id); err != nil {
		return 0, fmt.Errorf("ticket: search estimate: %w", err)
	}
	return id, nil
}

// scan runs a query and hands each row to fn until fn says stop. On
// PostgreSQL it is planned for its values (planArgs).
func (s *Service) scan(ctx context.Context, q string, args []any, fn func(scanner) (bool, error)) error {
	return s.scanArgs(ctx, q, s.planArgs(args), fn)
}

// scanKeyed is scan for a statement read by primary key whatever its
// values (its ids one array, so its text is the same on every call): pgx
// prepares it once, where scan's statements are parsed and planned anew
// on every call.
func (s *Service) scanKeyed(ctx context.Context, q string, args []any, fn func(scanner) (bool, error)) error {
	return s.scanArgs(ctx, q, args, fn)
}

func (s *Service) scanArgs(ctx context.Context, q string, args []any, fn func(scanner) (bool, error)) error {
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("ticket: search: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		more, err := fn(rows)
		if err != nil {
			return fmt.Errorf("ticket: search: %w", err)
		}
		if !more {
			return nil
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("ticket: search: %w", err)
	}
	return nil
}
