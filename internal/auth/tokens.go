package auth

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/audit"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/db"
)

// TokenPrefix starts every API token, so leaked tokens are easy to find in
// logs and code.
const TokenPrefix = "omb_"

// Token describes an API token; the secret itself is shown once at creation.
type Token struct {
	ID         int64      `json:"id"`
	AgentID    int64      `json:"agent_id"`
	Name       string     `json:"name"`
	Prefix     string     `json:"prefix"`
	CreatedAt  time.Time  `json:"created_at"`
	LastUsedAt *time.Time `json:"last_used_at"`
	RevokedAt  *time.Time `json:"revoked_at"`
}

// CreateTokenInput is the body of POST /tokens.
type CreateTokenInput struct {
	Name    string `json:"name"`
	AgentID int64  `json:"agent_id"`
}

// NewToken is the reply to a token creation: the only time the secret is shown.
type NewToken struct {
	Token
	Secret string `json:"token"`
}

// CreateToken makes an API token for agentID. Agents make their own; making
// one for someone else needs TokenManageOthers.
func (s *Service) CreateToken(ctx context.Context, actor authz.Actor, agentID int64, name string) (string, Token, error) {
	if actor.Kind != authz.KindSystem && actor.ID != agentID {
		if err := authz.Check(actor, authz.TokenManageOthers); err != nil {
			return "", Token{}, err
		}
	}
	if actor.Kind == "" {
		return "", Token{}, apperr.Unauthenticated("sign in first")
	}
	name = strings.TrimSpace(name)
	if len(name) > 100 {
		return "", Token{}, apperr.InvalidField("name", "must be at most 100 characters")
	}
	raw := TokenPrefix + randomToken(32)
	now := s.now()
	t := Token{AgentID: agentID, Name: name, Prefix: raw[:len(TokenPrefix)+6], CreatedAt: db.Time(db.Millis(now))}
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		var active bool
		err := tx.QueryRowContext(ctx, `SELECT active FROM agents WHERE id = ?`, agentID).Scan(&active)
		if errors.Is(err, sql.ErrNoRows) || (err == nil && !active) {
			return apperr.InvalidField("agent_id", fmt.Sprintf("agent %d does not exist or is deactivated", agentID))
		}
		if err != nil {
			return fmt.Errorf("auth: token agent: %w", err)
		}
		t.ID, err = tx.InsertID(ctx, `INSERT INTO api_tokens (agent_id, name, token_hash, prefix, created_at) VALUES (?, ?, ?, ?, ?)`,
			agentID, name, hashToken(raw), t.Prefix, db.Millis(now))
		if err != nil {
			return fmt.Errorf("auth: create token: %w", err)
		}
		return audit.Record(ctx, tx, now, actor, "token.create", fmt.Sprint(t.ID), map[string]any{"agent_id": agentID, "name": name,
			"before": nil, "after": map[string]any{"id": t.ID, "agent_id": agentID, "name": name}})
	})
	if err != nil {
		return "", Token{}, err
	}
	return raw, t, nil
}

// ListTokens lists an agent's tokens (their own, or anyone's with TokenManageOthers).
func (s *Service) ListTokens(ctx context.Context, actor authz.Actor, agentID int64) ([]Token, error) {
	if actor.ID != agentID {
		if err := authz.Check(actor, authz.TokenManageOthers); err != nil {
			return nil, err
		}
	}
	rows, err := s.db.QueryContext(ctx, `SELECT id, agent_id, name, prefix, created_at, last_used_at, revoked_at FROM api_tokens WHERE agent_id = ? ORDER BY id`, agentID)
	if err != nil {
		return nil, fmt.Errorf("auth: list tokens: %w", err)
	}
	defer rows.Close()
	out := []Token{}
	for rows.Next() {
		var t Token
		var c int64
		var used, revoked sql.NullInt64
		if err := rows.Scan(&t.ID, &t.AgentID, &t.Name, &t.Prefix, &c, &used, &revoked); err != nil {
			return nil, fmt.Errorf("auth: scan token: %w", err)
		}
		t.CreatedAt = db.Time(c)
		if used.Valid {
			u := db.Time(used.Int64)
			t.LastUsedAt = &u
		}
		if revoked.Valid {
			r := db.Time(revoked.Int64)
			t.RevokedAt = &r
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// RevokeToken revokes a token at once, on this instance and (PostgreSQL)
// on the others.
func (s *Service) RevokeToken(ctx context.Context, actor authz.Actor, tokenID int64) error {
	return s.db.Write(ctx, func(tx *db.Tx) error {
		var agentID int64
		var hash string
		err := tx.QueryRowContext(ctx, `SELECT agent_id, token_hash FROM api_tokens WHERE id = ?`, tokenID).Scan(&agentID, &hash)
		if errors.Is(err, sql.ErrNoRows) {
			return apperr.NotFound("token", tokenID)
		}
		if err != nil {
			return fmt.Errorf("auth: revoke: %w", err)
		}
		if actor.ID != agentID {
			if err := authz.Check(actor, authz.TokenManageOthers); err != nil {
				// Do not reveal other agents' token ids.
				return apperr.NotFound("token", tokenID)
			}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL`, db.Millis(s.now()), tokenID); err != nil {
			return fmt.Errorf("auth: revoke: %w", err)
		}
		s.cache.evict(hash) // now, and again after commit in case a reader refilled it
		tx.AfterCommit(func() { s.cache.evict(hash) })
		if err := s.notifyAgentChange(ctx, tx, agentID); err != nil { // other instances' caches
			return err
		}
		return audit.Record(ctx, tx, s.now(), actor, "token.revoke", fmt.Sprint(tokenID), audit.Change(
			map[string]any{"agent_id": agentID, "revoked": false}, map[string]any{"agent_id": agentID, "revoked": true}))
	})
}

// TokenActor resolves a bearer token. It is on every API call's path, so a
// verified token is kept in memory for a few seconds.
func (s *Service) TokenActor(ctx context.Context, raw string) (authz.Actor, error) {
	if !strings.HasPrefix(raw, TokenPrefix) || len(raw) > 100 {
		return authz.Actor{}, apperr.Unauthenticated("the API token is not valid")
	}
	h := hashToken(raw)
	now := s.now()
	if e, ok := s.cache.get(h, now); ok {
		s.touch(ctx, e, h, now)
		return e.actor, nil
	}
	// Taken before the query: if an eviction happens while it runs (a
	// role change committing), what it read may be stale and is not kept.
	epoch := s.cache.stamp()
	var a authz.Actor
	var role string
	var tokenID int64
	var used sql.NullInt64
	err := s.db.QueryRowContext(ctx, `SELECT t.id, t.last_used_at, a.id, a.role, a.name FROM api_tokens t JOIN agents a ON a.id = t.agent_id
		WHERE t.token_hash = ? AND t.revoked_at IS NULL AND a.active = TRUE`, h).Scan(&tokenID, &used, &a.ID, &role, &a.Name)
	if errors.Is(err, sql.ErrNoRows) {
		return authz.Actor{}, apperr.Unauthenticated("the API token is not valid or was revoked")
	}
	if err != nil {
		return authz.Actor{}, fmt.Errorf("auth: token: %w", err)
	}
	a.Kind = authz.KindAgent
	a.Role = authz.Role(role)
	e := &cacheEntry{actor: a, tokenID: tokenID, until: now.Add(s.opts.CacheTTL), lastUsed: db.NullTime(used)}
	s.cache.put(h, e, epoch)
	s.touch(ctx, e, h, now)
	return a, nil
}

// touch records last use at most once a minute per token, off the request path.
func (s *Service) touch(ctx context.Context, e *cacheEntry, h string, now time.Time) {
	if !s.cache.markUsed(e, now) {
		return
	}
	id := e.tokenID
	go func() {
		_ = s.db.Write(context.WithoutCancel(ctx), func(tx *db.Tx) error {
			_, err := tx.ExecContext(context.WithoutCancel(ctx), `UPDATE api_tokens SET last_used_at = ? WHERE id = ?`, db.Millis(now), id)
			return err
		})
	}()
}

type cacheEntry struct {
	actor    authz.Actor
	tokenID  int64
	until    time.Time
	lastUsed time.Time
}

// tokenCache is a bounded map of verified token hashes. Every eviction
// advances epoch, and put keeps an entry only if no eviction happened since
// its lookup began, so a lookup racing a role change or revocation cannot
// put back what the eviction removed.
type tokenCache struct {
	mu    sync.Mutex
	max   int
	m     map[string]*cacheEntry
	epoch uint64
}

func newTokenCache(max int) *tokenCache { return &tokenCache{max: max, m: map[string]*cacheEntry{}} }

func (c *tokenCache) get(h string, now time.Time) (*cacheEntry, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[h]
	if !ok || now.After(e.until) {
		return nil, false
	}
	return e, true
}

// stamp is the epoch a lookup starts in, for put.
func (c *tokenCache) stamp() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.epoch
}

func (c *tokenCache) put(h string, e *cacheEntry, epoch uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if epoch != c.epoch {
		return // evicted meanwhile: the next call reads again
	}
	if len(c.m) >= c.max {
		clear(c.m) // simple and bounded; a refill is one query per token
	}
	c.m[h] = e
}

func (c *tokenCache) markUsed(e *cacheEntry, now time.Time) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if now.Sub(e.lastUsed) < time.Minute {
		return false
	}
	e.lastUsed = now
	return true
}

func (c *tokenCache) evict(h string) {
	c.mu.Lock()
	c.epoch++
	delete(c.m, h)
	c.mu.Unlock()
}

// clear drops every entry (a missed change notification could name any agent).
func (c *tokenCache) clear() {
	c.mu.Lock()
	c.epoch++
	clear(c.m)
	c.mu.Unlock()
}

func (c *tokenCache) evictAgent(agentID int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.epoch++
	for h, e := range c.m {
		if e.actor.ID == agentID {
			delete(c.m, h)
		}
	}
}
