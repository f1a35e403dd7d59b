package sla

import (
	"context"

	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/ticket"
)

// Imported tickets' clocks are refreshed like those of any change, so the
// sweep records the breaches their history holds (docs/metrics.md,
// "Imported history and SLA").
var _ ticket.ImportFinisher = (*Service)(nil)

// ImportedTx refreshes an imported ticket's clocks once its whole history
// is written, inside the import's transaction. Every episode of the
// history is tracked, as refreshing at each replayed step would have
// tracked it; the next sweep records the breaches not yet recorded.
// Imported history gets no other lines (no sla_retargeted): hooks are
// silent while it is replayed.
func (s *Service) ImportedTx(ctx context.Context, tx *db.Tx, ticketID int64) error {
	r, err := loadRules(ctx, tx)
	if err != nil || len(r.policies) == 0 {
		return err // a new ticket has no state rows to drop
	}
	_, err = s.sync(ctx, tx, r, ticketID, s.now(), false, true)
	return err
}
