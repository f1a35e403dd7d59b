package customer

import (
	"context"
	"fmt"
	"strings"

	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/search"
)

// Suggestion is a customer offered while an agent types in the search box.
type Suggestion struct {
	ID    int64  `json:"id"`
	Name  string `json:"name"`
	Email string `json:"email"` // the primary email, or ""
	Phone string `json:"phone"` // the first phone, or ""
}

// Suggest offers up to limit customers for text typed so far: those whose
// email or phone starts with it (or is it, in any format, with or without
// country code), then those whose name has its words, the last one as a
// prefix. Each step is an index range or prefix lookup that stops at limit.
func (s *Service) Suggest(ctx context.Context, actor authz.Actor, text string, limit int) ([]Suggestion, error) {
	if err := authz.Check(actor, authz.CustomerRead); err != nil {
		return nil, err
	}
	out := []Suggestion{}
	text = strings.TrimSpace(text)
	if text == "" || len(text) > 254 || limit <= 0 {
		return out, nil
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
			return fmt.Errorf("customer: suggest: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				return fmt.Errorf("customer: suggest: %w", err)
			}
			if !seen[id] && len(ids) < limit {
				seen[id] = true
				ids = append(ids, id)
			}
		}
		return rows.Err()
	}
	// A prefix of an identity value: a range on (type, value) in byte
	// order — SQLite's own, and on PostgreSQL the "C" collation of the
	// migration's index, whatever the database's collation.
	prefix := func(typ, p string) error {
		val := "value"
		if d == db.Postgres {
			val = `(value COLLATE "C")`
		}
		return add(`SELECT customer_id FROM customer_identities WHERE type = ? AND `+val+` >= ? AND `+val+` < ? ORDER BY `+val+` LIMIT ?`,
			typ, p, p+"\U0010FFFF")
	}
	lk := search.ReadLookup(text)
	single := !strings.ContainsAny(text, " \t")
	if lk.Email != "" || single && len(text) >= 3 && !isPhoneish(text) {
		// An email, or the start of one ("kari.b").
		if err := prefix("email", strings.ToLower(text)); err != nil {
			return nil, err
		}
	}
	if len(lk.Phones) > 0 {
		if err := add(`SELECT customer_id FROM customer_identities WHERE type = 'phone' AND value IN (`+strings.TrimSuffix(strings.Repeat("?,", len(lk.Phones)), ",")+`) LIMIT ?`, anys(lk.Phones)...); err != nil {
			return nil, err
		}
	}
	if t := lk.PhoneTail; len(t) >= search.PhoneTailLen {
		tail := `SELECT customer_id FROM customer_identities WHERE type = 'phone' AND substr(value, -7) = ? AND substr(value, -` + fmt.Sprint(len(t)) + `) = ? LIMIT ?`
		if d == db.Postgres {
			tail = `SELECT customer_id FROM customer_identities WHERE type = 'phone' AND right(value, 7) = ? AND right(value, ` + fmt.Sprint(len(t)) + `) = ? LIMIT ?`
		}
		if err := add(tail, t[len(t)-search.PhoneTailLen:], t); err != nil {
			return nil, err
		}
	}
	if isPhoneish(text) {
		// The start of a number as stored: "+47 912" or "912".
		p := strings.Map(func(r rune) rune {
			if r == '+' || r >= '0' && r <= '9' {
				return r
			}
			return -1
		}, text)
		if strings.HasPrefix(p, "00") {
			p = "+" + p[2:]
		}
		if len(strings.TrimPrefix(p, "+")) >= 3 {
			if err := prefix("phone", p); err != nil {
				return nil, err
			}
		}
	}
	if lk.Email == "" {
		if tokens := search.PrefixTokens(text, 2); tokens != nil {
			if d == db.Postgres {
				// As ticket.prefixIDs: the newest customers first, the
				// index only when they hold too few (the planner cannot
				// guess how many names a prefix matches).
				match := strings.Join(tokens, " & ") + ":*"
				if err := add(`SELECT id FROM (SELECT id, name FROM customers ORDER BY id DESC LIMIT 200) r
					WHERE to_tsvector('simple', name) @@ to_tsquery('simple', ?) ORDER BY id DESC LIMIT ?`, match); err != nil {
					return nil, err
				}
				if err := add(`WITH m AS MATERIALIZED (SELECT id FROM customers WHERE to_tsvector('simple', name) @@ to_tsquery('simple', ?))
					SELECT id FROM m ORDER BY id DESC LIMIT ?`, match); err != nil {
					return nil, err
				}
			} else {
				m := make([]string, len(tokens))
				for i, t := range tokens {
					m[i] = `"` + t + `"`
				}
				if err := add(`SELECT rowid FROM customer_fts WHERE customer_fts MATCH ? ORDER BY rowid DESC LIMIT ?`, strings.Join(m, " AND ")+"*"); err != nil {
					return nil, err
				}
			}
		}
	}
	if len(ids) == 0 {
		return out, nil
	}
	rows, err := s.db.QueryContext(ctx, `SELECT c.id, c.name,
		COALESCE((SELECT value FROM customer_identities i WHERE i.customer_id = c.id AND i.type = 'email' ORDER BY is_primary DESC, id LIMIT 1), ''),
		COALESCE((SELECT value FROM customer_identities i WHERE i.customer_id = c.id AND i.type = 'phone' ORDER BY is_primary DESC, id LIMIT 1), '')
		FROM customers c WHERE c.id IN (`+strings.TrimSuffix(strings.Repeat("?,", len(ids)), ",")+`)`, anys(ids)...)
	if err != nil {
		return nil, fmt.Errorf("customer: suggest: %w", err)
	}
	defer rows.Close()
	byID := map[int64]Suggestion{}
	for rows.Next() {
		var sg Suggestion
		if err := rows.Scan(&sg.ID, &sg.Name, &sg.Email, &sg.Phone); err != nil {
			return nil, fmt.Errorf("customer: suggest: %w", err)
		}
		byID[sg.ID] = sg
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("customer: suggest: %w", err)
	}
	for _, id := range ids {
		if sg, ok := byID[id]; ok {
			out = append(out, sg)
		}
	}
	return out, nil
}

// isPhoneish reports whether text is being typed as a phone number: digits
// with the usual separators, and at least three digits.
func isPhoneish(text string) bool {
	digits := 0
	for _, r := range text {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case strings.ContainsRune("+ ()-./", r):
		default:
			return false
		}
	}
	return digits >= 3
}

func anys[T any](vs []T) []any {
	out := make([]any, len(vs))
	for i, v := range vs {
		out[i] = v
	}
	return out
}
