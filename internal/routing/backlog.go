package routing

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/jobs"
)

// backlogBatch bounds the tickets one backlog run routes per team.
const backlogBatch = 100

// queueBacklog asks, in tx, for the waiting tickets to be routed: room was
// made (an agent came online, a ticket left someone's load). key names the
// event, so a retried write queues one run.
func (s *Service) queueBacklog(ctx context.Context, tx *db.Tx, key string) error {
	return s.enqueue(ctx, tx, jobs.New{Kind: KindBacklog, Key: key, Payload: struct{}{}})
}

func (s *Service) handleBacklog(ctx context.Context, _ jobs.Job) error {
	return s.RouteBacklog(ctx)
}

// RouteBacklog routes the unassigned tickets waiting in every team that
// routes automatically, oldest first. Nobody being eligible does not depend
// on the ticket, so a team stops at the first ticket that finds no agent.
func (s *Service) RouteBacklog(ctx context.Context) error {
	rows, err := s.db.QueryContext(ctx, `SELECT team_id FROM routing_teams WHERE method <> 'manual' ORDER BY team_id`)
	if err != nil {
		return fmt.Errorf("routing: backlog teams: %w", err)
	}
	var teams []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return fmt.Errorf("routing: backlog teams: %w", err)
		}
		teams = append(teams, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("routing: backlog teams: %w", err)
	}
	var errs []error
	for _, team := range teams {
		if err := s.routeTeamBacklog(ctx, team); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

func (s *Service) routeTeamBacklog(ctx context.Context, team int64) error {
	rows, err := s.db.QueryContext(ctx, `SELECT id FROM tickets
		WHERE team_id = ? AND assignee_id IS NULL AND merged_into_id IS NULL AND status IN ('new','open','pending','on_hold')
		ORDER BY created_at, id LIMIT ?`, team, backlogBatch)
	if err != nil {
		return fmt.Errorf("routing: backlog of %d: %w", team, err)
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return fmt.Errorf("routing: backlog of %d: %w", team, err)
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("routing: backlog of %d: %w", team, err)
	}
	for _, id := range ids {
		agent, err := s.Assign(ctx, id)
		if err != nil {
			return err
		}
		if agent == 0 {
			return nil
		}
	}
	return nil
}

// sweep is the periodic work: escalations first (they may move tickets to
// other teams), then the backlog, then the claims an instance that died
// between pick and assignment left behind.
func (s *Service) sweep(ctx context.Context, now time.Time) error {
	return errors.Join(s.Sweep(ctx, now), s.RouteBacklog(ctx), s.db.Write(ctx, func(tx *db.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM routing_claims WHERE claimed_at <= ?`, db.Millis(now)-claimTTL.Milliseconds()); err != nil {
			return fmt.Errorf("routing: expire claims: %w", err)
		}
		return nil
	}))
}
