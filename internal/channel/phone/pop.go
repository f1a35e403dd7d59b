package phone

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

// Pop is what an agent sees when a call comes in: who calls, about which
// ticket, and the caller's recent tickets.
type Pop struct {
	TicketID     int64       `json:"ticket_id"`
	Subject      string      `json:"subject"`
	CustomerID   int64       `json:"customer_id"`
	CustomerName string      `json:"customer_name"`
	Number       string      `json:"number"`
	State        string      `json:"state"`
	StartedAt    time.Time   `json:"started_at"`
	Recent       []RecentRow `json:"recent"`
}

// RecentRow is one of the caller's other tickets.
type RecentRow struct {
	ID      int64  `json:"id"`
	Subject string `json:"subject"`
	Status  string `json:"status"`
}

// PopFor returns the pop of a ticket's latest call.
func (s *Service) PopFor(ctx context.Context, actor authz.Actor, ticketID int64) (Pop, error) {
	if err := authz.Check(actor, authz.TicketRead); err != nil {
		return Pop{}, err
	}
	p := Pop{TicketID: ticketID}
	var started int64
	err := s.db.QueryRowContext(ctx, `SELECT c.customer_id, COALESCE(cu.name, ''), c.from_number, c.state, c.started_at, t.subject
		FROM phone_calls c JOIN tickets t ON t.id = c.ticket_id LEFT JOIN customers cu ON cu.id = c.customer_id
		WHERE c.ticket_id = ? ORDER BY c.started_at DESC, c.id DESC LIMIT 1`, ticketID).
		Scan(&p.CustomerID, &p.CustomerName, &p.Number, &p.State, &started, &p.Subject)
	if errors.Is(err, sql.ErrNoRows) {
		return Pop{}, apperr.NotFound("call on ticket", ticketID)
	}
	if err != nil {
		return Pop{}, fmt.Errorf("phone: pop %d: %w", ticketID, err)
	}
	p.StartedAt = db.Time(started)
	rows, err := s.db.QueryContext(ctx, `SELECT id, subject, status FROM tickets WHERE requester_id = ? AND id <> ? ORDER BY updated_at DESC, id DESC LIMIT 5`,
		p.CustomerID, ticketID)
	if err != nil {
		return Pop{}, fmt.Errorf("phone: recent: %w", err)
	}
	defer rows.Close()
	p.Recent = []RecentRow{}
	for rows.Next() {
		var r RecentRow
		if err := rows.Scan(&r.ID, &r.Subject, &r.Status); err != nil {
			return Pop{}, err
		}
		p.Recent = append(p.Recent, r)
	}
	return p, rows.Err()
}
