package routing

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/ombud/ombud/internal/agent"
	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/audit"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/jobs"
	"github.com/ombud/ombud/internal/opt"
	"github.com/ombud/ombud/internal/ticket"
)

// Availability is an agent's availability after a change.
type Availability struct {
	AgentID      int64     `json:"agent_id"`
	Availability string    `json:"availability"`
	UpdatedAt    time.Time `json:"updated_at"`
}

// AvailabilityInput is the body of PUT /api/v1/agents/{id}/availability.
type AvailabilityInput struct {
	Availability string `json:"availability"`
}

type returnPayload struct {
	AgentID int64 `json:"agent_id"`
}

// SetAvailability sets an agent online, away or offline. Agents set their
// own; changing someone else's needs AgentWrite. Going offline queues, in
// the same transaction, the return of the agent's new and open tickets in
// teams whose offline policy is "return"; each unassignment is a ticket
// event, which routes the ticket again. Coming online queues a backlog run.
func (s *Service) SetAvailability(ctx context.Context, actor authz.Actor, agentID int64, status string) (Availability, error) {
	if actor.Kind != authz.KindAgent || actor.ID != agentID {
		if err := authz.Check(actor, authz.AgentWrite); err != nil {
			return Availability{}, err
		}
	}
	if !slices.Contains(agent.Availabilities, status) {
		return Availability{}, apperr.InvalidField("availability", "must be online, away or offline")
	}
	now := s.now()
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		var cur string
		err := tx.QueryRowContext(ctx, `SELECT availability FROM agents WHERE id = ?`, agentID).Scan(&cur)
		if errors.Is(err, sql.ErrNoRows) {
			return apperr.NotFound("agent", agentID)
		}
		if err != nil {
			return fmt.Errorf("routing: read agent %d: %w", agentID, err)
		}
		if status != cur {
			// Adherence is measured from these rows (internal/schedule).
			if err := agent.RecordAvailability(ctx, tx, agentID, status, now); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE agents SET availability = ?, updated_at = ? WHERE id = ?`,
			status, db.Millis(now), agentID); err != nil {
			return fmt.Errorf("routing: set availability %d: %w", agentID, err)
		}
		// An agent's own status is their presence, shown live and not
		// audited; someone else setting it (taking them off routing) is.
		if (actor.Kind != authz.KindAgent || actor.ID != agentID) && cur != status {
			if err := audit.Record(ctx, tx, now, actor, "agent.availability", fmt.Sprintf("agent:%d", agentID),
				audit.Change(map[string]any{"availability": cur}, map[string]any{"availability": status})); err != nil {
				return err
			}
		}
		if status == "online" && cur != "online" {
			// Tickets may be waiting for them.
			return s.queueBacklog(ctx, tx, fmt.Sprintf("agent:%d:%d", agentID, db.Millis(now)))
		}
		if status != "offline" || cur == "offline" {
			return nil
		}
		return s.enqueue(ctx, tx, jobs.New{Kind: KindReturn, Key: fmt.Sprintf("%d:%d", agentID, db.Millis(now)),
			Payload: returnPayload{AgentID: agentID}})
	})
	if err != nil {
		return Availability{}, err
	}
	return Availability{AgentID: agentID, Availability: status, UpdatedAt: db.Time(db.Millis(now))}, nil
}

// maxReturn bounds one return job; an agent with more tickets than this in
// returning teams gets the rest on the job's next run.
const maxReturn = 500

func (s *Service) handleReturn(ctx context.Context, j jobs.Job) error {
	var p returnPayload
	if err := json.Unmarshal(j.Payload, &p); err != nil || p.AgentID <= 0 {
		return jobs.Permanent(fmt.Errorf("routing: return: bad payload %s", j.Payload))
	}
	n, err := s.ReturnTickets(ctx, p.AgentID)
	if err == nil && n == maxReturn {
		return jobs.RetryAfter(errors.New("routing: return: more tickets to return"), 0)
	}
	return err
}

// ReturnTickets unassigns an offline agent's new and open tickets in teams
// whose offline policy is "return" and reports how many. It does nothing
// when the agent is back online (the job may run late).
func (s *Service) ReturnTickets(ctx context.Context, agentID int64) (int, error) {
	var availability string
	err := s.db.QueryRowContext(ctx, `SELECT availability FROM agents WHERE id = ?`, agentID).Scan(&availability)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("routing: return: read agent %d: %w", agentID, err)
	}
	if availability != "offline" {
		return 0, nil
	}
	rows, err := s.db.QueryContext(ctx, `SELECT t.id FROM tickets t
		JOIN routing_teams r ON r.team_id = t.team_id
		WHERE t.assignee_id = ? AND r.offline_policy = 'return' AND t.status IN ('new','open')
		ORDER BY t.id LIMIT ?`, agentID, maxReturn)
	if err != nil {
		return 0, fmt.Errorf("routing: return: tickets of %d: %w", agentID, err)
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return 0, fmt.Errorf("routing: return: scan: %w", err)
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("routing: return: tickets of %d: %w", agentID, err)
	}
	for _, id := range ids {
		if err := s.unassign(ctx, id, agentID); err != nil {
			return 0, err
		}
	}
	return len(ids), nil
}

// unassign clears a ticket's assignee if it is still agentID, conditional
// on the version read so a concurrent reassignment by a person wins.
func (s *Service) unassign(ctx context.Context, ticketID, agentID int64) error {
	for try := 0; try < maxPickTries; try++ {
		t, err := s.tickets.Get(ctx, Actor, ticketID)
		if apperr.CodeOf(err) == apperr.CodeNotFound {
			return nil
		}
		if err != nil {
			return fmt.Errorf("routing: return ticket %d: %w", ticketID, err)
		}
		if t.AssigneeID == nil || *t.AssigneeID != agentID {
			return nil
		}
		_, err = s.tickets.Update(ctx, Actor, ticketID, ticket.Patch{AssigneeID: opt.Null[int64](), Version: &t.Version})
		switch {
		case err == nil:
			return nil
		case apperr.Is(err, apperr.CodeConflict):
			continue
		case apperr.Is(err, apperr.CodeUnprocessable):
			return nil // closed or merged meanwhile
		default:
			return fmt.Errorf("routing: return ticket %d: %w", ticketID, err)
		}
	}
	return fmt.Errorf("routing: return ticket %d: still changing after %d tries", ticketID, maxPickTries)
}
