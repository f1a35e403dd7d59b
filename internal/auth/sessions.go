package auth

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/audit"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/db"
)

// Browser sessions end after SessionIdle without use or SessionMax after
// sign-in, whichever comes first; both are checked against the current
// settings on every request, so lowering them ends older sessions at once.
// expires_at holds the earlier of the two ends as of the last extension.

// sessionLimits returns the idle and absolute timeouts.
func (s *Service) sessionLimits() (idle, max time.Duration) {
	return s.opts.SessionIdle, s.opts.SessionMax
}

// sessionEnd is when a session last used at seen and created at created
// ends if nothing happens meanwhile.
func (s *Service) sessionEnd(created, seen time.Time) time.Time {
	idle, max := s.sessionLimits()
	end := seen.Add(idle)
	if abs := created.Add(max); abs.Before(end) {
		end = abs
	}
	return end
}

// extendEvery is how often a session in use is written back: often enough
// that the idle timeout is measured to a tenth of itself, at most every ten
// minutes.
func (s *Service) extendEvery() time.Duration {
	return min(10*time.Minute, s.opts.SessionIdle/10)
}

// openSession writes a new session for agentID inside tx.
func (s *Service) openSession(ctx context.Context, tx *db.Tx, now time.Time, agentID int64, ip, userAgent string) (SessionInfo, error) {
	if len(userAgent) > 300 {
		userAgent = userAgent[:300]
	}
	// The cookie lives until the absolute end; the server ends the session
	// earlier when it sits idle.
	info := SessionInfo{Token: randomToken(32), CSRF: randomToken(32), AgentID: agentID, ExpiresAt: now.Add(s.opts.SessionMax)}
	if _, err := tx.ExecContext(ctx, `INSERT INTO sessions (id_hash, agent_id, csrf_token, created_at, expires_at, last_seen_at, user_agent, ip)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, hashToken(info.Token), agentID, info.CSRF, db.Millis(now), db.Millis(s.sessionEnd(now, now)), db.Millis(now), userAgent, ip); err != nil {
		return SessionInfo{}, fmt.Errorf("auth: create session: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE agent_id = ? AND expires_at < ?`, agentID, db.Millis(now)); err != nil {
		return SessionInfo{}, fmt.Errorf("auth: prune sessions: %w", err)
	}
	return info, nil
}

// sessionLive reports whether a session created at created, last seen at
// seen and stored as ending at exp is still valid at now.
func (s *Service) sessionLive(now, created, seen, exp time.Time) bool {
	idle, max := s.sessionLimits()
	return now.Before(exp) && now.Sub(created) < max && now.Sub(seen) < idle
}

// BrowserSession is one signed-in browser of an agent, as listed on the
// profile and agent pages. ID is the stored hash of the cookie's token: it
// names the session without letting anyone use it.
type BrowserSession struct {
	ID         string
	CreatedAt  time.Time
	LastSeenAt time.Time
	ExpiresAt  time.Time
	IP         string
	UserAgent  string
	Current    bool // the session asking
}

// ListSessions returns agentID's live sessions, the most recently used
// first; current is the asking browser's raw session token ("" for none),
// whose row is marked. Agents list their own; someone else's (addresses
// and browsers) needs agent.write, as ending them does.
func (s *Service) ListSessions(ctx context.Context, actor authz.Actor, agentID int64, current string) ([]BrowserSession, error) {
	if actor.Kind != authz.KindAgent || actor.ID != agentID {
		if err := authz.Check(actor, authz.AgentWrite); err != nil {
			return nil, err
		}
	}
	rows, err := s.db.QueryContext(ctx, `SELECT id_hash, created_at, last_seen_at, expires_at, ip, user_agent FROM sessions
		WHERE agent_id = ? AND expires_at > ? ORDER BY last_seen_at DESC, created_at DESC`, agentID, db.Millis(s.now()))
	if err != nil {
		return nil, fmt.Errorf("auth: list sessions: %w", err)
	}
	defer rows.Close()
	cur := ""
	if current != "" {
		cur = hashToken(current)
	}
	now := s.now()
	out := []BrowserSession{}
	for rows.Next() {
		var b BrowserSession
		var created, seen, exp int64
		if err := rows.Scan(&b.ID, &created, &seen, &exp, &b.IP, &b.UserAgent); err != nil {
			return nil, fmt.Errorf("auth: list sessions: %w", err)
		}
		b.CreatedAt, b.LastSeenAt = db.Time(created), db.Time(seen)
		b.ExpiresAt = s.sessionEnd(b.CreatedAt, b.LastSeenAt)
		if !s.sessionLive(now, b.CreatedAt, b.LastSeenAt, db.Time(exp)) {
			continue
		}
		b.Current = b.ID == cur
		out = append(out, b)
	}
	return out, rows.Err()
}

// EndSession signs one of agentID's browsers out. Agents end their own;
// ending someone else's needs agent.write, and an admin's
// agent.admin_write.
func (s *Service) EndSession(ctx context.Context, actor authz.Actor, agentID int64, id string) error {
	if id == "" || len(id) > 100 {
		return apperr.NotFound("session", id)
	}
	return s.db.Write(ctx, func(tx *db.Tx) error {
		var role string
		err := tx.QueryRowContext(ctx, `SELECT a.role FROM sessions s JOIN agents a ON a.id = s.agent_id WHERE s.id_hash = ? AND s.agent_id = ?`, id, agentID).Scan(&role)
		if errors.Is(err, sql.ErrNoRows) {
			return apperr.NotFound("session", id)
		}
		if err != nil {
			return fmt.Errorf("auth: end session: %w", err)
		}
		if err := checkOther(actor, agentID, authz.Role(role)); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE id_hash = ?`, id); err != nil {
			return fmt.Errorf("auth: end session: %w", err)
		}
		return audit.Record(ctx, tx, s.now(), actor, "auth.session_end", strconv.FormatInt(agentID, 10), nil)
	})
}

// checkOther allows what an agent does to their own account, and to
// someone else's with agent.write (agent.admin_write for an admin's).
func checkOther(actor authz.Actor, agentID int64, role authz.Role) error {
	if actor.Kind == authz.KindAgent && actor.ID == agentID {
		return nil
	}
	perm := authz.AgentWrite
	if role == authz.Admin {
		perm = authz.AgentAdminWrite
	}
	return authz.Check(actor, perm)
}

// SessionID is the id BrowserSession lists for the session of raw token.
func SessionID(raw string) string { return hashToken(raw) }
