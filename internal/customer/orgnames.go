package customer

import (
	"context"
	"fmt"
	"strings"
)

// OrganizationNames returns the names of the given organizations by id, in
// one query (a ticket list's organization column asks for its page at
// once). Ids that name no organization are left out.
func (s *Service) OrganizationNames(ctx context.Context, ids []int64) (map[int64]string, error) {
	out := map[int64]string{}
	uniq := map[int64]bool{}
	args := []any{}
	for _, id := range ids {
		if !uniq[id] {
			uniq[id] = true
			args = append(args, id)
		}
	}
	if len(args) == 0 {
		return out, nil
	}
	rows, err := s.db.QueryContext(ctx, `SELECT id, name FROM organizations WHERE id IN (`+strings.TrimSuffix(strings.Repeat("?,", len(args)), ",")+`)`, args...)
	if err != nil {
		return nil, fmt.Errorf("customer: organization names: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var name string
		if err := rows.Scan(&id, &name); err != nil {
			return nil, fmt.Errorf("customer: organization names: %w", err)
		}
		out[id] = name
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("customer: organization names: %w", err)
	}
	return out, nil
}
