package portal

import (
	"context"
	"fmt"
	"time"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/db"
)

// Deflect records a request avoided: while filing a new request the
// customer opened a suggested article and said it answered the question.
func (s *Service) Deflect(ctx context.Context, c Customer, articleID int64) error {
	if articleID <= 0 {
		return apperr.InvalidField("article", "must be an article id")
	}
	return s.db.Write(ctx, func(tx *db.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO portal_deflections (customer_id, article_id, created_at) VALUES (?, ?, ?)`,
			db.NullInt(c.ID), articleID, db.Millis(s.now())); err != nil {
			return fmt.Errorf("portal: deflection: %w", err)
		}
		return nil
	})
}

// Deflections counts the requests avoided in [from, to).
func (s *Service) Deflections(ctx context.Context, from, to time.Time) (int, error) {
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM portal_deflections WHERE created_at >= ? AND created_at < ?`,
		db.Millis(from), db.Millis(to)).Scan(&n); err != nil {
		return 0, fmt.Errorf("portal: deflections: %w", err)
	}
	return n, nil
}
