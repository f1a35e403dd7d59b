package ticket

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/search"
)

// Suggestion is a ticket offered while an agent types in the search box.
type Suggestion struct {
	ID      int64  `json:"id"`
	Subject string `json:"subject"`
	Status  Status `json:"status"`
}

// prefixMatch renders words typed so far as a full-text query whose last
// word is a prefix (the tokens need no quoting: letters and digits only).
func prefixMatch(d db.Dialect, tokens []string) string {
	last := len(tokens) - 1
	if d == db.Postgres {
		return strings.Join(tokens, " & ") + ":*" // "kari & bak:*"
	}
	parts := make([]string, len(tokens))
	for i, t := range tokens {
		parts[i] = `"` + t + `"`
	}
	parts[last] += "*"
	return strings.Join(parts, " AND ")
}

// Suggest offers up to limit tickets for a query typed so far: the tickets
// it names by number (#12 or a bare 12), then the newest tickets of the
// customer whose email or phone it is, of customers whose name starts so,
// and with subjects that start so. Every step is an index lookup that
// stops at limit, so it stays fast however many tickets there are.
func (s *Service) Suggest(ctx context.Context, actor authz.Actor, q search.Query, limit int) ([]Suggestion, error) {
	if err := authz.Check(actor, authz.TicketRead); err != nil {
		return nil, err
	}
	d := s.db.Dialect()
	var ids []int64
	seen := map[int64]bool{}
	add := func(query string, args ...any) error {
		if len(ids) >= limit {
			return nil
		}
		rows, err := s.db.QueryContext(ctx, query, append(args, limit)...)
		if err != nil {
			return fmt.Errorf("ticket: suggest: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				return fmt.Errorf("ticket: suggest: %w", err)
			}
			if !seen[id] && len(ids) < limit {
				seen[id] = true
				ids = append(ids, id)
			}
		}
		return rows.Err()
	}
	var numbers []any
	for _, t := range q.Terms {
		if t.Field == "id" && t.Op == search.OpIs && !t.Negated {
			for _, v := range t.Values {
				numbers = append(numbers, atoi(v))
			}
		}
	}
	lk := q.Lookup()
	if lk.Number > 0 {
		numbers = append(numbers, lk.Number)
	}
	if len(numbers) > 0 {
		if err := add(`SELECT id FROM tickets WHERE id IN (`+placeholders(len(numbers))+`) ORDER BY id LIMIT ?`, numbers...); err != nil {
			return nil, err
		}
	}
	byRequester := func(customers []int64) error {
		if len(customers) == 0 {
			return nil
		}
		args := make([]any, len(customers))
		for i, id := range customers {
			args[i] = id
		}
		return add(`SELECT id FROM tickets WHERE requester_id IN (`+placeholders(len(args))+`) ORDER BY id DESC LIMIT ?`, args...)
	}
	if sub, args := identityCustomers(d, lk); sub != "" {
		customers, err := s.lookupIDs(ctx, sub, args, maxIdentified)
		if err != nil {
			return nil, err
		}
		if err := byRequester(customers); err != nil {
			return nil, err
		}
	}
	if tokens := search.PrefixTokens(q.Text(), 2); tokens != nil && len(ids) < limit {
		m := prefixMatch(d, tokens)
		// The newest tickets of the first customers so named, then subjects.
		named, err := s.prefixIDs(ctx, "customers", m, 20)
		if err != nil {
			return nil, err
		}
		if err := byRequester(named); err != nil {
			return nil, err
		}
		subjects, err := s.prefixIDs(ctx, "tickets", m, limit)
		if err != nil {
			return nil, err
		}
		for _, id := range subjects {
			if !seen[id] && len(ids) < limit {
				seen[id] = true
				ids = append(ids, id)
			}
		}
	}
	out := make([]Suggestion, 0, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	rows, err := s.db.QueryContext(ctx, `SELECT id, subject, status FROM tickets WHERE id IN (`+placeholders(len(ids))+`)`, args...)
	if err != nil {
		return nil, fmt.Errorf("ticket: suggest: %w", err)
	}
	defer rows.Close()
	byID := map[int64]Suggestion{}
	for rows.Next() {
		var sg Suggestion
		if err := rows.Scan(&sg.ID, &sg.Subject, &sg.Status); err != nil {
			return nil, fmt.Errorf("ticket: suggest: %w", err)
		}
		byID[sg.ID] = sg
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("ticket: suggest: %w", err)
	}
	for _, id := range ids {
		out = append(out, byID[id])
	}
	return out, nil
}

// prefixIDs finds up to n of the newest customers (by name) or tickets (by
// subject) matching a prefix query. FTS5 walks its index newest first. On
// PostgreSQL a prefix's matches cannot be counted ahead, so the planner
// guesses, and a wrong guess either reads every row in id order (a rare
// prefix) or every match through the index (a common one); so the newest
// rows are tried first, and only when they hold too few matches does the
// index give them all, which is then cheap because they are few.
func (s *Service) prefixIDs(ctx context.Context, table, match string, n int) ([]int64, error) {
	if s.db.Dialect() == db.SQLite {
		fts := map[string]string{"customers": "customer_fts", "tickets": "ticket_fts"}[table]
		return s.lookupIDsOrdered(ctx, `SELECT rowid FROM `+fts+` WHERE `+fts+` MATCH ? ORDER BY rowid DESC LIMIT ?`, match, n)
	}
	vec := map[string]string{"customers": "to_tsvector('simple', name)", "tickets": "search_vec"}[table]
	const window = 200
	ids, err := s.lookupIDsOrdered(ctx, `SELECT id FROM (SELECT id, `+vec+` AS v FROM `+table+` ORDER BY id DESC LIMIT `+strconv.Itoa(window)+`) r
		WHERE v @@ to_tsquery('simple', ?) ORDER BY id DESC LIMIT ?`, match, n)
	if err != nil || len(ids) >= n {
		return ids, err
	}
	return s.lookupIDsOrdered(ctx, `WITH m AS MATERIALIZED (SELECT id FROM `+table+` WHERE `+vec+` @@ to_tsquery('simple', ?))
		SELECT id FROM m ORDER BY id DESC LIMIT ?`, match, n)
}

// lookupIDsOrdered runs a query of ids, keeping their order.
func (s *Service) lookupIDsOrdered(ctx context.Context, q string, args ...any) ([]int64, error) {
	return queryIDs(ctx, s.db, "suggest", q, args)
}
