package audit

import (
	"context"
	"fmt"
	"time"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/jobs"
)

// RetentionName is the periodic job that deletes rows older than the
// retention; RetentionInterval how often it runs.
const (
	RetentionName     = "audit.retention"
	RetentionInterval = time.Hour
	// DefaultRetention is the days kept on a new install; MaxRetention
	// bounds the setting (a century is "forever" in all but name: use 0).
	DefaultRetention = 365
	MaxRetention     = 36500
	retentionBatch   = 1000
)

// Register schedules the retention job on r.
func (s *Service) Register(r *jobs.Runner) {
	r.Every(RetentionName, RetentionInterval, func(ctx context.Context, now time.Time) error {
		_, err := s.Prune(ctx, now)
		return err
	})
}

// Retention returns the days audit rows are kept (0: forever).
func (s *Service) Retention(ctx context.Context, actor authz.Actor) (int, error) {
	if err := authz.Check(actor, authz.AuditRead); err != nil {
		return 0, err
	}
	return s.retention(ctx)
}

func (s *Service) retention(ctx context.Context) (int, error) {
	var days int
	err := s.db.QueryRowContext(ctx, `SELECT retention_days FROM audit_settings WHERE id = 1`).Scan(&days)
	if err != nil {
		return 0, fmt.Errorf("audit: retention: %w", err)
	}
	return days, nil
}

// SetRetention changes the days kept; the change is itself audited.
func (s *Service) SetRetention(ctx context.Context, actor authz.Actor, days int) error {
	if err := authz.Check(actor, authz.AuditRead); err != nil {
		return err
	}
	if days < 0 || days > MaxRetention {
		return apperr.InvalidField("retention_days", "must be a whole number from 0 to 36500")
	}
	return s.db.Write(ctx, func(tx *db.Tx) error {
		var before int
		if err := tx.QueryRowContext(ctx, `SELECT retention_days FROM audit_settings WHERE id = 1`).Scan(&before); err != nil {
			return fmt.Errorf("audit: set retention: %w", err)
		}
		if before == days {
			return nil
		}
		now := s.now()
		if _, err := tx.ExecContext(ctx, `UPDATE audit_settings SET retention_days = ?, updated_at = ? WHERE id = 1`, days, db.Millis(now)); err != nil {
			return fmt.Errorf("audit: set retention: %w", err)
		}
		return Record(ctx, tx, now, actor, "audit.retention", "audit_settings",
			Change(map[string]any{"retention_days": before}, map[string]any{"retention_days": days}))
	})
}

// Prune deletes rows older than the retention, a batch per transaction so
// a first run on a large log never holds the writer long. It returns how
// many rows went.
func (s *Service) Prune(ctx context.Context, now time.Time) (int64, error) {
	days, err := s.retention(ctx)
	if err != nil || days == 0 {
		return 0, err
	}
	cut := db.Millis(now.AddDate(0, 0, -days))
	var total int64
	for {
		var n int64
		err := s.db.Write(ctx, func(tx *db.Tx) error {
			res, err := tx.ExecContext(ctx, `DELETE FROM audit_log WHERE id IN
				(SELECT id FROM audit_log WHERE at < ? ORDER BY at LIMIT ?)`, cut, retentionBatch)
			if err != nil {
				return err
			}
			n, err = res.RowsAffected()
			return err
		})
		if err != nil {
			return total, fmt.Errorf("audit: prune: %w", err)
		}
		total += n
		if n < retentionBatch {
			return total, nil
		}
	}
}
