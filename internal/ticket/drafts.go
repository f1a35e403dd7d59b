package ticket

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/db"
)

// Draft is an agent's unsent reply or note on a ticket.
type Draft struct {
	TicketID  int64     `json:"ticket_id"`
	Body      string    `json:"body"`
	Public    bool      `json:"public"`
	UpdatedAt time.Time `json:"updated_at"`
}

// SaveDraft stores the agent's draft for a ticket (an empty body deletes
// it). Drafts are private to their agent.
func (s *Service) SaveDraft(ctx context.Context, actor authz.Actor, ticketID int64, body string, public bool) error {
	if !actor.IsAgent() {
		return apperr.Forbidden("only agents keep drafts")
	}
	if err := authz.Check(actor, authz.TicketNote); err != nil {
		return err
	}
	if len(body) > MaxBody {
		return apperr.InvalidField("body", fmt.Sprintf("must be at most %d bytes", MaxBody))
	}
	if err := s.exists(ctx, ticketID); err != nil {
		return err
	}
	return s.db.Write(ctx, func(tx *db.Tx) error {
		if body == "" {
			_, err := tx.ExecContext(ctx, `DELETE FROM drafts WHERE agent_id = ? AND ticket_id = ?`, actor.ID, ticketID)
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO drafts (agent_id, ticket_id, body, public, updated_at) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (agent_id, ticket_id) DO UPDATE SET body = excluded.body, public = excluded.public, updated_at = excluded.updated_at`,
			actor.ID, ticketID, body, public, db.Millis(s.now()))
		if err != nil {
			return fmt.Errorf("ticket: save draft: %w", err)
		}
		return nil
	})
}

// GetDraft returns the agent's draft for a ticket; a zero Draft when none.
func (s *Service) GetDraft(ctx context.Context, actor authz.Actor, ticketID int64) (Draft, error) {
	d := Draft{TicketID: ticketID, Public: true}
	if !actor.IsAgent() {
		return d, nil
	}
	var at int64
	err := s.db.QueryRowContext(ctx, `SELECT body, public, updated_at FROM drafts WHERE agent_id = ? AND ticket_id = ?`, actor.ID, ticketID).Scan(&d.Body, &d.Public, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return d, nil
	}
	if err != nil {
		return d, fmt.Errorf("ticket: draft: %w", err)
	}
	d.UpdatedAt = db.Time(at)
	return d, nil
}
