package automation

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/jobs"
	"github.com/ombud/ombud/internal/ticket"
)

// plan works out what a rule's actions would do to a ticket as it stands,
// with the rule's texts filled in; nothing is written.
func (s *Service) plan(ctx context.Context, r Rule, t ticket.Ticket) (plan, error) {
	name, err := s.agentName(ctx, t.AssigneeID)
	if err != nil {
		return plan{}, err
	}
	data := templateData(t, name)
	// {{comment.body}} is the comment that ran the trigger, when it is
	// public: a rule must not mail an internal note to a customer.
	if c := commentFrom(ctx); c != nil && c.Public {
		data["comment.body"] = c.Body
	}
	return buildPlan(r.acts, t, data), nil
}

// pendingFire is a matched trigger whose actions change nothing on the
// ticket: it only queues jobs (notification email, webhooks).
type pendingFire struct {
	rule Rule
	plan plan
}

// firePending records the pending rules' runs and queues their jobs in one
// transaction; with complete, the trigger job running in ctx is recorded as
// done in it too (jobs.Complete), so a change that sets off only such rules
// costs its job one transaction after the claim instead of three. Each run
// row is inserted with its actions; one already present (a retried job, or
// a sibling job of the chain that fired the rule) skips that rule, as the
// claim in fire does. A lost lease rolls everything back and leaves the
// job to the run that holds it.
func (s *Service) firePending(ctx context.Context, pending []pendingFire, t ticket.Ticket, events []EventFact, chainID string, complete bool) error {
	if len(pending) == 0 {
		// Nothing to write: the runner records the outcome with others.
		return nil
	}
	now := s.now()
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		for _, p := range pending {
			var runID int64
			err := tx.QueryRowContext(ctx, `INSERT INTO automation_runs (rule_id, ticket_id, chain, at, actions, error) VALUES (?, ?, ?, ?, ?, '')
				ON CONFLICT (chain, ticket_id, rule_id) DO NOTHING RETURNING id`,
				p.rule.ID, t.ID, chainID, db.Millis(now), mustJSON(p.plan.applied)).Scan(&runID)
			if errors.Is(err, sql.ErrNoRows) {
				continue
			}
			if err != nil {
				return fmt.Errorf("claim run of %s %d: %w", p.rule.Kind, p.rule.ID, err)
			}
			for i, post := range p.plan.posts {
				if err := s.queuePost(ctx, tx, now, p.rule, t, events, chainID, i, post); err != nil {
					return err
				}
			}
			for i, n := range p.plan.notices {
				if err := s.queueNotice(ctx, tx, p.rule, t, chainID, i, n); err != nil {
					return err
				}
			}
		}
		if complete {
			return jobs.Complete(ctx, tx)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("automation: record runs on ticket %d: %w", t.ID, err)
	}
	return nil
}
