package routing

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/jobs"
	"github.com/ombud/ombud/internal/opt"
	"github.com/ombud/ombud/internal/ticket"
)

// sweepBatch bounds the escalations one team gets per sweep; the rest wait
// a minute for the next.
const sweepBatch = 100

type escalationPayload struct {
	TicketID int64 `json:"ticket_id"`
	TeamID   int64 `json:"team_id"` // the queue it waited in
	AgentID  int64 `json:"agent_id,omitempty"`
	ToTeamID int64 `json:"to_team_id,omitempty"`
}

// escalationRule is one team's escalation setting.
type escalationRule struct {
	teamID, agentID, toTeamID int64
	after                     int
}

// Sweep escalates every ticket that has waited in a team's queue longer than
// the team allows without a public agent reply. A ticket's queue episode
// starts when it was created in, or last moved to, its team; each episode is
// escalated at most once (routing_escalations), so the sweep may run any
// number of times, on any number of instances. The escalated event and the
// job that applies the change commit together.
func (s *Service) Sweep(ctx context.Context, now time.Time) error {
	rules, err := s.escalationRules(ctx)
	if err != nil {
		return err
	}
	var errs []error
	for _, r := range rules {
		if err := s.sweepTeam(ctx, r, now); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

func (s *Service) escalationRules(ctx context.Context) ([]escalationRule, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT team_id, COALESCE(escalate_agent_id, 0), COALESCE(escalate_team_id, 0), escalate_after_minutes
		FROM routing_teams WHERE escalate_after_minutes > 0 AND (escalate_agent_id IS NOT NULL OR escalate_team_id IS NOT NULL)
		ORDER BY team_id`)
	if err != nil {
		return nil, fmt.Errorf("routing: escalation rules: %w", err)
	}
	defer rows.Close()
	var out []escalationRule
	for rows.Next() {
		var r escalationRule
		if err := rows.Scan(&r.teamID, &r.agentID, &r.toTeamID, &r.after); err != nil {
			return nil, fmt.Errorf("routing: scan rule: %w", err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("routing: escalation rules: %w", err)
	}
	return out, nil
}

type overdue struct {
	ticketID, queuedAt int64
}

func (s *Service) sweepTeam(ctx context.Context, r escalationRule, now time.Time) error {
	deadline := db.Millis(now.Add(-time.Duration(r.after) * time.Minute))
	// Pending and on-hold tickets wait on someone else, so only new and open
	// ones are overdue.
	rows, err := s.db.QueryContext(ctx, `SELECT q.id, q.queued_at FROM (
			SELECT t.id, COALESCE((SELECT MAX(e.at) FROM ticket_events e WHERE e.ticket_id = t.id AND e.type = 'team_changed'), t.created_at) AS queued_at
			FROM tickets t WHERE t.team_id = ? AND t.status IN ('new','open') AND t.merged_into_id IS NULL
		) q
		WHERE q.queued_at <= ?
		AND NOT EXISTS (SELECT 1 FROM comments c WHERE c.ticket_id = q.id AND c.author_type = 'agent' AND c.public AND c.created_at >= q.queued_at)
		AND NOT EXISTS (SELECT 1 FROM routing_escalations x WHERE x.ticket_id = q.id AND x.team_id = ? AND x.queued_at = q.queued_at)
		ORDER BY q.queued_at, q.id LIMIT ?`, r.teamID, deadline, r.teamID, sweepBatch)
	if err != nil {
		return fmt.Errorf("routing: overdue in team %d: %w", r.teamID, err)
	}
	var due []overdue
	for rows.Next() {
		var o overdue
		if err := rows.Scan(&o.ticketID, &o.queuedAt); err != nil {
			rows.Close()
			return fmt.Errorf("routing: scan overdue: %w", err)
		}
		due = append(due, o)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("routing: overdue in team %d: %w", r.teamID, err)
	}
	for _, o := range due {
		if err := s.escalate(ctx, r, o, now); err != nil {
			return err
		}
	}
	return nil
}

// escalate records one escalation: the episode row (the idempotency), the
// escalated event and the job that makes the change, in one transaction.
func (s *Service) escalate(ctx context.Context, r escalationRule, o overdue, now time.Time) error {
	return s.db.Write(ctx, func(tx *db.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO routing_escalations (ticket_id, team_id, queued_at, escalated_at)
			VALUES (?, ?, ?, ?) ON CONFLICT (ticket_id, team_id, queued_at) DO NOTHING`,
			o.ticketID, r.teamID, o.queuedAt, db.Millis(now))
		if err != nil {
			return fmt.Errorf("routing: escalate ticket %d: %w", o.ticketID, err)
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return err // another sweep got here first
		}
		data := map[string]any{"team_id": r.teamID, "after_minutes": r.after}
		if r.agentID != 0 {
			data["to_agent_id"] = r.agentID
		} else {
			data["to_team_id"] = r.toTeamID
		}
		if err := s.tickets.RecordTx(ctx, tx, Actor, o.ticketID, EvEscalated, data); err != nil {
			return fmt.Errorf("routing: escalate ticket %d: %w", o.ticketID, err)
		}
		return s.enqueue(ctx, tx, jobs.New{Kind: KindEscalation,
			Key:     fmt.Sprintf("%d:%d:%d", o.ticketID, r.teamID, o.queuedAt),
			Payload: escalationPayload{TicketID: o.ticketID, TeamID: r.teamID, AgentID: r.agentID, ToTeamID: r.toTeamID}})
	})
}

func (s *Service) handleEscalation(ctx context.Context, j jobs.Job) error {
	var p escalationPayload
	if err := json.Unmarshal(j.Payload, &p); err != nil || p.TicketID <= 0 || (p.AgentID == 0) == (p.ToTeamID == 0) {
		return jobs.Permanent(fmt.Errorf("routing: escalation: bad payload %s", j.Payload))
	}
	err := s.applyEscalation(ctx, p)
	if apperr.Is(err, apperr.CodeInvalid) {
		// The lead was deactivated or the team deleted since: retrying
		// cannot help.
		return jobs.Permanent(err)
	}
	return err
}

// applyEscalation makes an escalation's change through the ticket service:
// the lead is assigned and follows the ticket, or the ticket moves to the
// other team (unassigned unless its assignee belongs there too, so that
// team's routing takes it). The lead gets the ticket whatever their load:
// an escalation is the exception capacity exists to allow. A ticket that
// left the queue meanwhile (solved, moved) is left alone.
func (s *Service) applyEscalation(ctx context.Context, p escalationPayload) error {
	for try := 0; try < maxPickTries; try++ {
		t, err := s.tickets.Get(ctx, Actor, p.TicketID)
		if apperr.Is(err, apperr.CodeNotFound) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("routing: escalation %d: %w", p.TicketID, err)
		}
		if t.TeamID == nil || *t.TeamID != p.TeamID || !t.Status.Unsolved() || t.MergedIntoID != nil {
			return nil
		}
		patch := ticket.Patch{Version: &t.Version}
		if p.AgentID != 0 {
			patch.AssigneeID = opt.Of(p.AgentID)
			if !slices.Contains(t.FollowerIDs, p.AgentID) {
				f := append(slices.Clone(t.FollowerIDs), p.AgentID)
				patch.FollowerIDs = &f
			}
		} else {
			patch.TeamID = opt.Of(p.ToTeamID)
			if t.AssigneeID != nil {
				member, err := s.isMember(ctx, p.ToTeamID, *t.AssigneeID)
				if err != nil {
					return err
				}
				if !member {
					patch.AssigneeID = opt.Null[int64]()
				}
			}
		}
		_, err = s.tickets.Update(ctx, Actor, p.TicketID, patch)
		switch {
		case err == nil:
			return nil
		case apperr.Is(err, apperr.CodeConflict):
			continue
		case apperr.Is(err, apperr.CodeUnprocessable):
			return nil // closed or merged meanwhile
		default:
			return fmt.Errorf("routing: escalation %d: %w", p.TicketID, err)
		}
	}
	return fmt.Errorf("routing: escalation %d: still changing after %d tries", p.TicketID, maxPickTries)
}

func (s *Service) isMember(ctx context.Context, teamID, agentID int64) (bool, error) {
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM team_members WHERE team_id = ? AND agent_id = ?`, teamID, agentID).Scan(&n); err != nil {
		return false, fmt.Errorf("routing: membership %d/%d: %w", teamID, agentID, err)
	}
	return n > 0, nil
}
