package auth

import (
	"context"
	"fmt"
	"strconv"

	"github.com/ombud/ombud/internal/db"
)

// What an agent may do is read from the database on every browser request
// (Session joins the agent row), so a role change or deactivation reaches
// sessions at once. API tokens are the exception: a verified token is cached
// for CacheTTL. Every change to an agent's access therefore evicts that
// agent's cached tokens in this process, and on PostgreSQL sends a NOTIFY on
// changeChannel inside the change's transaction (delivered only if it
// commits) so every other ombud process evicts them too (FollowChanges).
// While a process is not listening (connection lost), it clears its whole
// cache on each error and the TTL bounds what it could miss meanwhile.

// changeChannel is the PostgreSQL notification channel for agent access
// changes; the payload is the agent id.
const changeChannel = "ombud_agent_access"

// notifyAgentChange drops agentID's cached tokens here now and after tx
// commits, and queues the notification for the other processes.
func (s *Service) notifyAgentChange(ctx context.Context, tx *db.Tx, agentID int64) error {
	s.cache.evictAgent(agentID)
	tx.AfterCommit(func() { s.cache.evictAgent(agentID) })
	if tx.Dialect() != db.Postgres {
		return nil // SQLite: this process is the only one
	}
	if _, err := tx.ExecContext(ctx, `SELECT pg_notify(?, ?)`, changeChannel, strconv.FormatInt(agentID, 10)); err != nil {
		return fmt.Errorf("auth: notify access change: %w", err)
	}
	return nil
}

// AccessChanged is called inside the transaction that changes an agent's
// role or active state (agent.Service.OnAccessChange): their API tokens
// answer with the new role on the very next call, on every instance.
func (s *Service) AccessChanged(ctx context.Context, tx *db.Tx, agentID int64) error {
	return s.notifyAgentChange(ctx, tx, agentID)
}

// PasswordSet is called inside the transaction in which someone else (an
// admin or manager) gives an agent a new password
// (agent.Service.OnPasswordSet): all the agent's sessions end, their unused
// reset links are spent and their cached token roles are dropped.
func (s *Service) PasswordSet(ctx context.Context, tx *db.Tx, agentID int64) error {
	return s.passwordChanged(ctx, tx, agentID, "")
}

// passwordChanged ends the agent's sessions except keep (a raw session
// token, "" for none), spends their unused reset links and drops their
// cached token roles.
func (s *Service) passwordChanged(ctx context.Context, tx *db.Tx, agentID int64, keep string) error {
	q, args := `DELETE FROM sessions WHERE agent_id = ?`, []any{agentID}
	if keep != "" {
		q, args = q+` AND id_hash <> ?`, append(args, hashToken(keep))
	}
	if _, err := tx.ExecContext(ctx, q, args...); err != nil {
		return fmt.Errorf("auth: end sessions: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE password_resets SET spent_at = ? WHERE agent_id = ? AND spent_at IS NULL`, db.Millis(s.now()), agentID); err != nil {
		return fmt.Errorf("auth: spend reset links: %w", err)
	}
	return s.notifyAgentChange(ctx, tx, agentID)
}

// FollowChanges evicts the cached tokens of agents whose access another
// process changed, until ctx ends (PostgreSQL; on SQLite it returns nil at
// once). onErr, if set, hears about lost connections, which are retried.
func (s *Service) FollowChanges(ctx context.Context, onErr func(error)) error {
	if s.db.Dialect() != db.Postgres {
		return nil
	}
	return s.db.Listen(ctx, changeChannel, func(payload string) {
		id, err := strconv.ParseInt(payload, 10, 64)
		if err != nil {
			s.cache.clear()
			return
		}
		s.cache.evictAgent(id)
	}, func(err error) {
		// Notifications sent while disconnected are lost: forget everything.
		s.cache.clear()
		if onErr != nil {
			onErr(err)
		}
	})
}
