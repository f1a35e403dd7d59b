package ticket

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/page"
	"github.com/ombud/ombud/internal/search"
)

// Filter selects tickets for a list. Zero values mean "any".
type Filter struct {
	Statuses       []Status
	Priorities     []string
	Types          []string
	Channels       []string
	AssigneeID     int64
	Unassigned     bool
	TeamID         int64
	TeamIDs        []int64 // any of these teams (an agent's teams); empty matches none when TeamsOnly
	TeamsOnly      bool    // restrict to TeamIDs even when it is empty
	RequesterID    int64
	OrganizationID int64
	Tags           []string // all of them
	Language       string
	CreatedFrom    time.Time // inclusive
	CreatedTo      time.Time // exclusive
	UpdatedFrom    time.Time
	UpdatedTo      time.Time
	// Sort is "updated" (newest change first, the default) or "created"
	// (newest first) or "created_asc".
	Sort string
}

// Sorts lists the accepted Filter.Sort values: the same as a view's
// (ViewSorts), so a list and a view of the same tickets are ordered by the
// same words. "updated" and "created", the names of earlier releases, still
// mean updated_desc and created_desc.
var Sorts = append(slices.Clone(ViewSorts), "updated", "created")

// where accumulates SQL conditions and their arguments.
type where struct {
	conds []string
	args  []any
}

func (w *where) add(cond string, args ...any) {
	w.conds = append(w.conds, cond)
	w.args = append(w.args, args...)
}

func (w *where) in(col string, vals []string) {
	if len(vals) == 0 {
		return
	}
	args := make([]any, len(vals))
	for i, v := range vals {
		args[i] = v
	}
	w.add(col+" IN ("+placeholders(len(vals))+")", args...)
}

func (w *where) sql() string {
	if len(w.conds) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(w.conds, " AND ")
}

func (f Filter) apply(w *where) {
	st := make([]string, len(f.Statuses))
	for i, s := range f.Statuses {
		st[i] = string(s)
	}
	w.in("t.status", st)
	w.in("t.priority", f.Priorities)
	w.in("t.type", f.Types)
	w.in("t.channel", f.Channels)
	if f.Unassigned {
		w.add("t.assignee_id IS NULL")
	} else if f.AssigneeID != 0 {
		w.add("t.assignee_id = ?", f.AssigneeID)
	}
	if f.TeamID != 0 {
		w.add("t.team_id = ?", f.TeamID)
	}
	if f.TeamsOnly {
		if len(f.TeamIDs) == 0 {
			w.add("1 = 0")
		} else {
			args := make([]any, len(f.TeamIDs))
			for i, id := range f.TeamIDs {
				args[i] = id
			}
			w.add("t.team_id IN ("+placeholders(len(args))+")", args...)
		}
	}
	if f.RequesterID != 0 {
		w.add("t.requester_id = ?", f.RequesterID)
	}
	if f.OrganizationID != 0 {
		w.add("t.organization_id = ?", f.OrganizationID)
	}
	for _, tag := range f.Tags {
		w.add("EXISTS (SELECT 1 FROM ticket_tags tt WHERE tt.ticket_id = t.id AND tt.tag = ?)", tag)
	}
	if f.Language != "" {
		w.add("t.language = ?", f.Language)
	}
	if !f.CreatedFrom.IsZero() {
		w.add("t.created_at >= ?", db.Millis(f.CreatedFrom))
	}
	if !f.CreatedTo.IsZero() {
		w.add("t.created_at < ?", db.Millis(f.CreatedTo))
	}
	if !f.UpdatedFrom.IsZero() {
		w.add("t.updated_at >= ?", db.Millis(f.UpdatedFrom))
	}
	if !f.UpdatedTo.IsZero() {
		w.add("t.updated_at < ?", db.Millis(f.UpdatedTo))
	}
}

// List returns a page of tickets matching f, with keyset pagination on the
// sort column.
func (s *Service) List(ctx context.Context, actor authz.Actor, f Filter, pr page.Request) (page.List[Ticket], error) {
	if err := authz.Check(actor, authz.TicketRead); err != nil {
		return page.List[Ticket]{}, err
	}
	w := &where{}
	f.apply(w)
	return s.listWhere(ctx, w, f.Sort, pr)
}

// Stamp changes whenever any ticket is created or changed: every change
// appends to the event log, so the log's highest id is the stamp. Callers
// cache derived figures, such as view counts, against it. One index lookup.
func (s *Service) Stamp(ctx context.Context) (string, error) {
	var id int64
	if err := s.db.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) FROM ticket_events`).Scan(&id); err != nil {
		return "", fmt.Errorf("ticket: stamp: %w", err)
	}
	return strconv.FormatInt(id, 10), nil
}

// Count returns how many tickets match f (view counts in the sidebar).
func (s *Service) Count(ctx context.Context, actor authz.Actor, f Filter) (int, error) {
	if err := authz.Check(actor, authz.TicketRead); err != nil {
		return 0, err
	}
	w := &where{}
	f.apply(w)
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM tickets t`+w.sql(), w.args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("ticket: count: %w", err)
	}
	return n, nil
}

func (s *Service) listWhere(ctx context.Context, w *where, sort string, pr page.Request) (page.List[Ticket], error) {
	switch sort {
	case "updated":
		sort = "updated_desc"
	case "created":
		sort = "created_desc"
	}
	return s.listSorted(ctx, w, sort, pr)
}

// Search runs an agent search-box query: field terms become filters, words
// and phrases full-text matches over subjects and comments (all words in the
// subject or in one comment) and lookups of what the text names (a ticket
// number, a requester's email, phone or name, an organization; see
// textsearch.go), ranked by what matched and then relevance. Without words
// the result is ordered by last update.
func (s *Service) Search(ctx context.Context, actor authz.Actor, q search.Query, pr page.Request) (page.List[Ticket], error) {
	if err := authz.Check(actor, authz.TicketRead); err != nil {
		return page.List[Ticket]{}, err
	}
	w, err := s.filterWhere(ctx, actor, q)
	if err != nil {
		return page.List[Ticket]{}, err
	}
	if !q.HasText() {
		return s.listWhere(ctx, w, "updated", pr)
	}
	tq, err := s.resolveText(ctx, q, true)
	if err != nil {
		return page.List[Ticket]{}, err
	}
	return s.ranked(ctx, w, tq, pr)
}

// filterWhere turns q's field terms and excluded words into conditions:
// what filters a search, a view and the plan test alike.
func (s *Service) filterWhere(ctx context.Context, actor authz.Actor, q search.Query) (*where, error) {
	defs, err := s.searchFields(ctx, q)
	if err != nil {
		return nil, err
	}
	w := &where{}
	for _, term := range q.Terms {
		if err := s.termCond(w, actor, term, defs); err != nil {
			return nil, err
		}
	}
	for _, nw := range q.NotWords {
		w.add("t.id NOT IN ("+s.matchIDs()+")", s.matchArgs(ftsQuery(s.db.Dialect(), []string{nw}, nil))...)
	}
	return w, nil
}

// ftsQuery renders words and phrases as one engine query string: FTS5 syntax
// (each term quoted, so no user text is read as an operator) or the text for
// websearch_to_tsquery, which is forgiving by design.
func ftsQuery(d db.Dialect, words, phrases []string) string {
	var parts []string
	for _, w := range words {
		parts = append(parts, `"`+strings.ReplaceAll(w, `"`, `""`)+`"`)
	}
	for _, p := range phrases {
		parts = append(parts, `"`+strings.ReplaceAll(p, `"`, `""`)+`"`)
	}
	if d == db.Postgres {
		// websearch_to_tsquery treats "…" as a phrase and space as AND;
		// doubled quotes inside are dropped by its parser.
		return strings.Join(parts, " ")
	}
	return strings.Join(parts, " AND ")
}

// matchIDs is a subquery of ticket ids whose subject or any comment matches.
func (s *Service) matchIDs() string {
	if s.db.Dialect() == db.Postgres {
		return `SELECT id FROM tickets WHERE search_vec @@ websearch_to_tsquery('simple', ?)
			UNION SELECT ticket_id FROM comments WHERE search_vec @@ websearch_to_tsquery('simple', ?)`
	}
	return `SELECT rowid FROM ticket_fts WHERE ticket_fts MATCH ?
		UNION SELECT c.ticket_id FROM comment_fts JOIN ` + s.commentTickets("c") + ` ON c.id = comment_fts.rowid WHERE comment_fts MATCH ?`
}

func (s *Service) matchArgs(q string) []any { return []any{q, q} }

// termCond turns one search field term into a condition; defs are the
// custom field definitions by key (needed for field.<key> terms only).
func (s *Service) termCond(w *where, actor authz.Actor, t search.Term, defs map[string]Field) error {
	inner := &where{}
	switch t.Field {
	case "status", "priority", "type", "channel":
		inner.in("t."+t.Field, t.Values)
	case "language":
		inner.in("t.language", t.Values)
	case "id":
		if err := compareInt(inner, "t.id", t); err != nil {
			return err
		}
	case "assignee":
		var ors []string
		for _, v := range t.Values {
			switch {
			case v == "me":
				if !actor.IsAgent() {
					return search.Invalid("assignee:me needs a signed-in agent")
				}
				ors = append(ors, "t.assignee_id = ?")
				inner.args = append(inner.args, actor.ID)
			case v == "none":
				ors = append(ors, "t.assignee_id IS NULL")
			case isDigits(v):
				ors = append(ors, "t.assignee_id = ?")
				inner.args = append(inner.args, atoi(v))
			default:
				ors = append(ors, "t.assignee_id IN (SELECT id FROM agents WHERE lower(email) = lower(?) OR lower(name) = lower(?))")
				inner.args = append(inner.args, v, v)
			}
		}
		inner.conds = append(inner.conds, "("+strings.Join(ors, " OR ")+")")
	case "team":
		idOrName(inner, "t.team_id", "SELECT id FROM teams WHERE lower(name) = lower(?)", t.Values)
	case "organization":
		idOrName(inner, "t.organization_id", "SELECT id FROM organizations WHERE lower(name) = lower(?)", t.Values)
	case "requester":
		requesterCond(inner, s.db.Dialect(), t.Values)
	case "tag":
		for _, v := range t.Values {
			inner.add(tagCond, v)
		}
	case "created", "updated", "solved":
		col := "t." + t.Field + "_at"
		if t.Rel != "" {
			// A relative date is resolved now, by the service's clock, in
			// the zone the query was read in.
			from, to := t.Resolve(s.now()).Bounds()
			if !from.IsZero() {
				inner.add(col+" >= ?", db.Millis(from))
			}
			if !to.IsZero() {
				inner.add(col+" < ?", db.Millis(to))
			}
			break
		}
		switch t.Op {
		case ":":
			inner.add(col+" >= ? AND "+col+" < ?", db.Millis(t.Time), db.Millis(t.End))
		case ">":
			inner.add(col+" > ?", db.Millis(t.Time))
		case ">=":
			inner.add(col+" >= ?", db.Millis(t.Time))
		case "<":
			inner.add(col+" < ?", db.Millis(t.Time))
		case "<=":
			inner.add(col+" <= ?", db.Millis(t.Time))
		}
	case "delivery":
		ds, ok := s.outbox.(DeliverySearch) // channel.go
		if !ok {
			inner.add("1 = 0") // nothing is sent, so nothing failed
			break
		}
		cond, args := ds.DeliveryCond(t.Values)
		inner.add(cond, args...)
	case "subject":
		for _, v := range t.Values {
			if s.db.Dialect() == db.Postgres {
				inner.add("t.search_vec @@ websearch_to_tsquery('simple', ?)", ftsQuery(db.Postgres, nil, []string{v}))
			} else {
				inner.add("t.id IN (SELECT rowid FROM ticket_fts WHERE ticket_fts MATCH ?)", ftsQuery(db.SQLite, nil, []string{v}))
			}
		}
	default:
		if _, ok := search.IsCustom(t.Field); !ok {
			return search.Invalid("field %q cannot be searched", t.Field)
		}
		if err := customFieldCond(inner, s.db.Dialect(), defs, t); err != nil {
			return err
		}
	}
	if len(inner.conds) == 0 {
		return nil
	}
	cond := strings.Join(inner.conds, " AND ")
	if t.Negated {
		cond = "NOT (" + cond + ")"
	}
	w.add("("+cond+")", inner.args...)
	return nil
}

func idOrName(w *where, col, byName string, vals []string) {
	var ors []string
	var args []any
	for _, v := range vals {
		if isDigits(v) {
			ors = append(ors, col+" = ?")
			args = append(args, atoi(v))
		} else {
			ors = append(ors, col+" IN ("+byName+")")
			args = append(args, v)
		}
	}
	w.add("("+strings.Join(ors, " OR ")+")", args...)
}

func compareInt(w *where, col string, t search.Term) error {
	if len(t.Values) == 0 {
		return nil
	}
	op := string(t.Op)
	if op == ":" {
		op = "="
	}
	var ors []string
	var args []any
	for _, v := range t.Values {
		if !isDigits(v) {
			return search.Invalid("%s needs a number, not %q", t.Field, v)
		}
		ors = append(ors, col+" "+op+" ?")
		args = append(args, atoi(v))
	}
	w.add("("+strings.Join(ors, " OR ")+")", args...)
	return nil
}

func isDigits(s string) bool {
	if s == "" || len(s) > 18 {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

func atoi(s string) int64 {
	n, _ := strconv.ParseInt(s, 10, 64)
	return n
}

// TagCount is a tag in use and how many tickets carry it.
type TagCount struct {
	Name    string `json:"name"`
	Tickets int64  `json:"tickets"`
}

// Tags lists tags in use, most used first, optionally those starting with prefix.
func (s *Service) Tags(ctx context.Context, actor authz.Actor, prefix string, limit int) ([]TagCount, error) {
	if err := authz.Check(actor, authz.TicketRead); err != nil {
		return nil, err
	}
	w := &where{}
	if prefix != "" {
		// Range instead of LIKE so no user character acts as a wildcard.
		p := strings.ToLower(prefix)
		w.add("tag >= ? AND tag < ?", p, p+"\U0010FFFF")
	}
	rows, err := s.db.QueryContext(ctx, `SELECT tag, COUNT(*) AS n FROM ticket_tags`+w.sql()+` GROUP BY tag ORDER BY n DESC, tag LIMIT ?`, append(w.args, limit)...)
	if err != nil {
		return nil, fmt.Errorf("ticket: tags: %w", err)
	}
	defer rows.Close()
	out := []TagCount{}
	for rows.Next() {
		var t TagCount
		if err := rows.Scan(&t.Name, &t.Tickets); err != nil {
			return nil, fmt.Errorf("ticket: scan tag: %w", err)
		}
		out = append(out, t)
	}
	return out, rows.Err()
}
