package email

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/ombud/ombud/internal/db"
)

// T writes a catalog key in an agent's locale, for mail other services
// write to agents (report.Translator: the scheduled summaries).
func (s *Service) T(locale, key string, args ...any) string {
	return s.tr(s.matchLang(locale), key, args...)
}

// agentLocale is the language an agent reads mail in ("" for an unknown
// agent, which reads English).
func agentLocale(ctx context.Context, tx *db.Tx, id int64) (string, error) {
	var locale string
	err := tx.QueryRowContext(ctx, `SELECT locale FROM agents WHERE id = ?`, id).Scan(&locale)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("email: locale of agent %d: %w", id, err)
	}
	return locale, nil
}
