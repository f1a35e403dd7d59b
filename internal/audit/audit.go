// Package audit records who did what outside the ticket event log: sign-ins,
// agent and role changes, tokens, settings, imports. Rows are written in the
// transaction of the change they describe.
package audit

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/db"
)

// Record appends one audit row inside tx.
func Record(ctx context.Context, tx *db.Tx, at time.Time, actor authz.Actor, action, target string, data map[string]any) error {
	b := []byte("{}")
	if len(data) > 0 {
		var err error
		if b, err = json.Marshal(data); err != nil {
			return fmt.Errorf("audit: encode %s: %w", action, err)
		}
	}
	_, err := tx.ExecContext(ctx,
		`INSERT INTO audit_log (at, actor_id, action, target, data) VALUES (?, ?, ?, ?, ?)`,
		db.Millis(at), db.NullInt(actor.ID), action, target, string(b))
	if err != nil {
		return fmt.Errorf("audit: record %s: %w", action, err)
	}
	return nil
}

// Entry is one audit row.
type Entry struct {
	ID      int64          `json:"id"`
	At      time.Time      `json:"at"`
	ActorID int64          `json:"actor_id,omitempty"`
	Action  string         `json:"action"`
	Target  string         `json:"target"`
	Data    map[string]any `json:"data"`
}

// List returns the newest entries first, at most limit.
func List(ctx context.Context, q db.Querier, limit int) ([]Entry, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, at, COALESCE(actor_id, 0), action, target, data FROM audit_log ORDER BY id DESC LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("audit: list: %w", err)
	}
	defer rows.Close()
	var out []Entry
	for rows.Next() {
		var e Entry
		var at int64
		var data string
		if err := rows.Scan(&e.ID, &at, &e.ActorID, &e.Action, &e.Target, &data); err != nil {
			return nil, fmt.Errorf("audit: scan: %w", err)
		}
		e.At = db.Time(at)
		_ = json.Unmarshal([]byte(data), &e.Data)
		out = append(out, e)
	}
	return out, rows.Err()
}
