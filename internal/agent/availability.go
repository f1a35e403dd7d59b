package agent

import (
	"context"
	"fmt"
	"time"

	"github.com/ombud/ombud/internal/db"
)

// RecordAvailability appends an availability change to
// agent_availability_events in the change's transaction; schedule adherence
// and occupancy are measured from these rows (internal/schedule).
func RecordAvailability(ctx context.Context, tx *db.Tx, agentID int64, availability string, at time.Time) error {
	if _, err := tx.ExecContext(ctx, `INSERT INTO agent_availability_events (agent_id, availability, at) VALUES (?, ?, ?)`,
		agentID, availability, db.Millis(at)); err != nil {
		return fmt.Errorf("agent: record availability %d: %w", agentID, err)
	}
	return nil
}
