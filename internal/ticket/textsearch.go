package ticket

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/search"
)

// This file is how a search's free text finds tickets besides the words of
// their subjects and comments (the full-text part is in list.go):
//
//	2628               the ticket with that number, ranked first
//	ola@example.no     the tickets of the customer with that email
//	+47 912 34 567     … with that phone (also typed without country code)
//	Ola Nordmann       the tickets of customers so named (all words)
//	Fjord Kraft        the tickets of organizations so named
//
// The people and organizations are looked up first, each by an index
// (identities by (type, value), the phone tail index, the name full-text
// indexes of migration 0017), and their tickets then found through
// tickets_requester or tickets_org by those ids: no scan over tickets.
// Giving the ticket query the ids themselves, not a subquery, keeps
// PostgreSQL from walking every ticket by id to test each against a
// subquery it misjudged. Issue 13 reworks ranking; the scores live here
// only.

// textQuery is a query's free text, ready for the engines.
type textQuery struct {
	fts    string           // the words and phrases as a full-text query
	lookup search.Lookup    // the text as a ticket number, email or phone
	rel    search.Relevance // scores the texts that match (rank.go)
	tokens []string         // the words' and phrases' tokens (rankfew.go)
	terms  []string         // the words and phrases, each to be found in order (ranklookups.go)
	// address is the text when it is one email address: its mentions are
	// the texts holding it exactly (rankaddress.go).
	address string
	// pair is the text's two words, when it is two words of one token
	// each; pairs is what the word-pair index holds for them, when
	// registered (rankpairs.go).
	pair  [2]string
	pairs *pairHits
	// Who the text names (resolveText), newest first.
	customers []int64 // by email or phone
	named     []int64 // customers whose name has all the words
	orgs      []int64 // organizations whose name has all the words
	// The ticket the number names as the lookups' statement read it
	// (PostgreSQL): numberRead when it was read, numberFound when it
	// exists, numberAt its last update.
	numberRead, numberFound bool
	numberAt                int64
	// bounds are the estimate's (searchBounds) and newestCustomer the
	// newest customer's id (lookupNewest) as the lookups' statement read
	// them (PostgreSQL), when bounds.read.
	bounds         sampleBounds
	newestCustomer int64
}

// Bounds on whom a text may name: beyond them a name is too common to
// single anyone out, and the newest are kept.
const (
	maxIdentified = 100
	maxNamed      = 500
	maxOrgs       = 100
)

// resolveText reads q's free text and looks up the people and
// organizations it names. ranking says the text is searched (ranked): on
// PostgreSQL its lookups' statement then reads the estimate's bounds too,
// which a view's text condition does not use.
func (s *Service) resolveText(ctx context.Context, q search.Query, ranking bool) (textQuery, error) {
	d := s.db.Dialect()
	tq := textQuery{fts: ftsQuery(d, q.Words, q.Phrases), lookup: q.Lookup(), rel: search.NewRelevance(q.Words, q.Phrases),
		tokens: textTokens(q.Words, q.Phrases), terms: append(slices.Clip(q.Words), q.Phrases...)}
	tq.address = emailAddress(q, tq.lookup)
	tq.pair = wordPair(q)
	var err error
	if d == db.Postgres {
		return tq, s.resolveLookupsPG(ctx, &tq, ranking)
	}
	if sub, args := identityCustomers(d, tq.lookup); sub != "" {
		if tq.customers, err = s.lookupIDs(ctx, sub, args, maxIdentified); err != nil {
			return tq, err
		}
	}
	if tq.fts != "" {
		if tq.named, err = s.lookupIDs(ctx, customerNameMatch(d), []any{tq.fts}, maxNamed); err != nil {
			return tq, err
		}
		if tq.orgs, err = s.lookupIDs(ctx, organizationNameMatch(d), []any{tq.fts}, maxOrgs); err != nil {
			return tq, err
		}
	}
	return tq, nil
}

// resolveLookupsPG finds what the text names on PostgreSQL in one
// statement: the customers whose email or phone it is, the customers and
// the organizations so named, and the ticket its number names with its
// last update (a read by primary key), each branch tagged with its kind,
// where four statements each cost a round trip and an execution of their
// own. Each kind's ids are then kept as lookupIDs keeps them; the ticket
// is the number's lookup (readLookupsPG). A text's statement also reads
// the estimate's bounds and the newest customer (tq.bounds, tq.tops).
func (s *Service) resolveLookupsPG(ctx context.Context, tq *textQuery, ranking bool) error {
	const identity, named, org, number, bounds, customers = 0, 1, 2, 3, 4, 5
	var parts []string
	var args []any
	if sub, sargs := identityCustomers(db.Postgres, tq.lookup); sub != "" {
		parts = append(parts, `SELECT 0, customer_id, 0 FROM (`+sub+`) i`)
		args = append(args, sargs...)
	}
	if tq.fts != "" {
		// The text query computed once, where the planner cannot see it:
		// planned for its value, each run read the name indexes'
		// statistics to estimate @@ (0.2 ms of planning at 1M tickets
		// against 0.02 ms of running); planned without it, PostgreSQL
		// keeps one plan (the GIN index, for any name) after five runs.
		parts = append(parts, `SELECT 1, id, 0 FROM customers WHERE to_tsvector('simple', name) @@ (SELECT websearch_to_tsquery('simple', ?))`,
			`SELECT 2, id, 0 FROM organizations WHERE to_tsvector('simple', name) @@ (SELECT websearch_to_tsquery('simple', ?))`)
		args = append(args, tq.fts, tq.fts)
		if ranking && !s.noBoundsWithLookups.Load() {
			// The estimate's bounds (searchBounds' statement), which a
			// text search that walks past its bound reads next, and the
			// newest customer, which a name's windows read with the
			// newest ticket (lookupNewest): a round trip fewer each,
			// each ≈ 0.1 ms of the two processes' CPU on this VM's
			// system calls.
			first, _ := s.sampleSizes()
			parts = append(parts, `SELECT 4, t.n, COALESCE((SELECT MIN(id) FROM comments
				WHERE ticket_id = CASE WHEN t.n > CAST(? AS BIGINT) THEN t.n - CAST(? AS BIGINT) ELSE 0 END + 1), 0)
				FROM (SELECT COALESCE(MAX(id), 0) AS n FROM tickets) t`,
				`SELECT 5, COALESCE(MAX(id), 0), 0 FROM customers`)
			args = append(args, first, first)
		}
	}
	if n := tq.lookup.Number; n > 0 && !s.noNumberRead.Load() {
		parts = append(parts, `SELECT 3, id, updated_at FROM tickets WHERE id = ?`)
		args = append(args, n)
		tq.numberRead = true
	}
	if len(parts) == 0 {
		return nil
	}
	q := strings.Join(parts, " UNION ALL ")
	if s.onPrepared != nil {
		s.onPrepared(q, args)
	}
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("ticket: search lookup: %w", err)
	}
	defer rows.Close()
	var found [3][]int64
	for rows.Next() {
		var kind int
		var id, at int64
		if err := rows.Scan(&kind, &id, &at); err != nil {
			return fmt.Errorf("ticket: search lookup: %w", err)
		}
		switch kind {
		case number:
			tq.numberFound, tq.numberAt = true, at
			continue
		case bounds:
			first, _ := s.sampleSizes()
			tq.bounds = sampleBounds{read: true, newest: id, from: max(id-first, 0), firstComment: at}
			s.boundsWithLookups.Add(1)
			continue
		case customers:
			tq.newestCustomer = id
			continue
		}
		found[kind] = append(found[kind], id)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("ticket: search lookup: %w", err)
	}
	tq.customers = newestIDs(found[identity], maxIdentified)
	tq.named = newestIDs(found[named], maxNamed)
	tq.orgs = newestIDs(found[org], maxOrgs)
	return nil
}

// lookupIDs runs a query of ids and keeps the newest max of them. The query
// has no ORDER BY or LIMIT on purpose: either could tempt PostgreSQL into
// reading every row in id order instead of asking the index.
func (s *Service) lookupIDs(ctx context.Context, q string, args []any, max int) ([]int64, error) {
	ids, err := queryIDs(ctx, s.db, "search lookup", q, args)
	if err != nil {
		return nil, err
	}
	return newestIDs(ids, max), nil
}

// newestIDs is ids without repeats, newest first, at most max of them.
func newestIDs(ids []int64, max int) []int64 {
	if len(ids) == 0 {
		return nil
	}
	slices.Sort(ids)
	ids = slices.Compact(ids)
	slices.Reverse(ids)
	if len(ids) > max {
		ids = ids[:max]
	}
	return ids
}

// Scores put what the text names above what merely mentions it: the ticket
// the number names, then the tickets of the customer whose email or phone
// it is, of customers and then organizations so named, then full-text hits
// by relevance (bm25 and ts_rank stay far below 1e8). Ties go to the newest
// ticket.
const (
	scoreNumber   = "1e12"
	scoreIdentity = "1e10"
	scoreName     = "1e9"
	scoreOrg      = "1e8"
)

// lookupSource is one way the text finds tickets: those whose col is one
// of ids.
type lookupSource struct {
	score string
	col   string // id, requester_id or organization_id
	ids   []int64
	// tops are the newest ticket and customer ids as the lookups'
	// statement read them (PostgreSQL), for the windows (lookupNewest).
	tops newestTops
}

// newestTops are the newest ticket and customer ids, when read.
type newestTops struct {
	read             bool
	ticket, customer int64
}

func (src lookupSource) cond(alias string) (string, []any) {
	args := make([]any, len(src.ids))
	for i, id := range src.ids {
		args[i] = id
	}
	return alias + src.col + " IN (" + placeholders(len(src.ids)) + ")", args
}

// lookupSources lists the ways tq finds tickets besides full text.
func (s *Service) lookupSources(tq textQuery) []lookupSource {
	var out []lookupSource
	tops := newestTops{read: tq.bounds.read, ticket: tq.bounds.newest, customer: tq.newestCustomer}
	add := func(score, col string, ids []int64) {
		if len(ids) > 0 {
			out = append(out, lookupSource{score: score, col: col, ids: ids, tops: tops})
		}
	}
	if tq.lookup.Number > 0 {
		add(scoreNumber, "id", []int64{tq.lookup.Number})
	}
	add(scoreIdentity, "requester_id", tq.customers)
	add(scoreName, "requester_id", tq.named)
	add(scoreOrg, "organization_id", tq.orgs)
	return out
}

// textCond is the condition "the text finds this ticket" on tickets t, for
// views, which filter by text but keep their own order.
func (s *Service) textCond(ctx context.Context, q search.Query) (string, []any, error) {
	tq, err := s.resolveText(ctx, q, false)
	if err != nil {
		return "", nil, err
	}
	ors := []string{"t.id IN (" + s.matchIDs() + ")"}
	args := s.matchArgs(tq.fts)
	for _, src := range s.lookupSources(tq) {
		cond, cargs := src.cond("t.")
		ors = append(ors, cond)
		args = append(args, cargs...)
	}
	return "(" + strings.Join(ors, " OR ") + ")", args, nil
}

// identityCustomers is a subquery of the customers whose email or phone
// the lookup is, or "" when it names none. Each branch is one index lookup:
// (type, value), or the phone tail index and then the full tail.
func identityCustomers(d db.Dialect, l search.Lookup) (string, []any) {
	var parts []string
	var args []any
	if l.Email != "" {
		parts = append(parts, `SELECT customer_id FROM customer_identities WHERE type = 'email' AND value = ?`)
		args = append(args, l.Email)
	}
	if len(l.Phones) > 0 {
		parts = append(parts, `SELECT customer_id FROM customer_identities WHERE type = 'phone' AND value IN (`+placeholders(len(l.Phones))+`)`)
		for _, p := range l.Phones {
			args = append(args, p)
		}
	}
	if t := l.PhoneTail; len(t) >= search.PhoneTailLen {
		n := strconv.Itoa(len(t))
		if d == db.Postgres {
			parts = append(parts, `SELECT customer_id FROM customer_identities WHERE type = 'phone' AND right(value, 7) = ? AND right(value, `+n+`) = ?`)
		} else {
			parts = append(parts, `SELECT customer_id FROM customer_identities WHERE type = 'phone' AND substr(value, -7) = ? AND substr(value, -`+n+`) = ?`)
		}
		args = append(args, t[len(t)-search.PhoneTailLen:], t)
	}
	return strings.Join(parts, " UNION "), args
}

// customerNameMatch is a subquery of customers whose name has all the
// words of one full-text query argument.
func customerNameMatch(d db.Dialect) string {
	if d == db.Postgres {
		return `SELECT id FROM customers WHERE to_tsvector('simple', name) @@ websearch_to_tsquery('simple', ?)`
	}
	return `SELECT rowid FROM customer_fts WHERE customer_fts MATCH ?`
}

// organizationNameMatch is customerNameMatch for organizations.
func organizationNameMatch(d db.Dialect) string {
	if d == db.Postgres {
		return `SELECT id FROM organizations WHERE to_tsvector('simple', name) @@ websearch_to_tsquery('simple', ?)`
	}
	return `SELECT rowid FROM organization_fts WHERE organization_fts MATCH ?`
}

// requesterCond is the requester: term: a customer id, or an identity
// (email, phone in any format, handle) or a name (all words, in order).
func requesterCond(w *where, d db.Dialect, vals []string) {
	var ors []string
	var args []any
	for _, v := range vals {
		l := search.ReadLookup(v)
		if isDigits(v) {
			ors = append(ors, "t.requester_id = ?")
			args = append(args, atoi(v))
			if len(l.Phones) == 0 {
				continue // too short for a phone: only an id
			}
		}
		l.Number = 0
		sub, sargs := identityCustomers(d, l)
		if sub != "" {
			sub += " UNION "
		}
		// Handles (chat, social) as typed; a name by its words.
		sub += `SELECT customer_id FROM customer_identities WHERE type IN ('chat', 'twitter', 'facebook', 'whatsapp', 'instagram', 'telegram', 'other') AND value = ?
			UNION ` + customerNameMatch(d)
		sargs = append(sargs, v, ftsQuery(d, nil, []string{v}))
		ors = append(ors, "t.requester_id IN ("+sub+")")
		args = append(args, sargs...)
	}
	w.add("("+strings.Join(ors, " OR ")+")", args...)
}

// Now is the service's clock, which relative dates in searches and views
// are read against; the UI keys cached counts of such views by it.
func (s *Service) Now() time.Time { return s.now() }
