package schedule

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/audit"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/db"
)

func isNoRows(err error) bool { return errors.Is(err, sql.ErrNoRows) }

func hashToken(tok string) string {
	h := sha256.Sum256([]byte(tok))
	return hex.EncodeToString(h[:])
}

// HasFeed reports whether the actor has a calendar feed.
func (s *Service) HasFeed(ctx context.Context, actor authz.Actor) (bool, error) {
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM schedule_feeds WHERE agent_id = ?`, actor.ID).Scan(&n); err != nil {
		return false, fmt.Errorf("schedule: feed: %w", err)
	}
	return n > 0, nil
}

// NewFeed gives the actor a new secret calendar feed token (shown once;
// stored as its SHA-256, like API tokens). An older feed link stops working.
func (s *Service) NewFeed(ctx context.Context, actor authz.Actor) (string, error) {
	if err := authz.Check(actor, authz.ScheduleRead); err != nil {
		return "", err
	}
	if actor.Kind != authz.KindAgent {
		return "", apperr.Forbidden("only agents have a calendar feed")
	}
	buf := make([]byte, 32)
	if _, err := rand.Read(buf); err != nil {
		return "", fmt.Errorf("schedule: feed token: %w", err)
	}
	tok := base64.RawURLEncoding.EncodeToString(buf)
	now := s.now()
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO schedule_feeds (agent_id, token_hash, created_at) VALUES (?, ?, ?)
			ON CONFLICT (agent_id) DO UPDATE SET token_hash = excluded.token_hash, created_at = excluded.created_at`,
			actor.ID, hashToken(tok), db.Millis(now)); err != nil {
			return fmt.Errorf("schedule: feed: %w", err)
		}
		return audit.Record(ctx, tx, now, actor, "schedule.feed_create", fmt.Sprint(actor.ID), nil)
	})
	return tok, err
}

// RevokeFeed ends the actor's calendar feed.
func (s *Service) RevokeFeed(ctx context.Context, actor authz.Actor) error {
	if err := authz.Check(actor, authz.ScheduleRead); err != nil {
		return err
	}
	return s.db.Write(ctx, func(tx *db.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM schedule_feeds WHERE agent_id = ?`, actor.ID); err != nil {
			return fmt.Errorf("schedule: revoke feed: %w", err)
		}
		return audit.Record(ctx, tx, s.now(), actor, "schedule.feed_revoke", fmt.Sprint(actor.ID), nil)
	})
}

// Feed is what a calendar feed shows: the agent's days from a week ago to
// eight weeks ahead.
type Feed struct {
	AgentID int64
	Name    string
	Locale  string
	Days    []Day
	Now     time.Time
}

// FeedDays are the days a feed covers: 7 back, 56 ahead.
const feedBack, feedAhead = 7, 56

// FeedByToken resolves a feed token (the link is the credential). An
// unknown or revoked token is not found.
func (s *Service) FeedByToken(ctx context.Context, tok string) (Feed, error) {
	var f Feed
	err := s.db.QueryRowContext(ctx, `SELECT a.id, a.name, a.locale FROM schedule_feeds f JOIN agents a ON a.id = f.agent_id
		WHERE f.token_hash = ? AND a.active`, hashToken(tok)).Scan(&f.AgentID, &f.Name, &f.Locale)
	if isNoRows(err) {
		return f, apperr.NotFound("feed", "token")
	}
	if err != nil {
		return f, fmt.Errorf("schedule: feed: %w", err)
	}
	f.Now = s.now()
	today := civil(f.Now)
	_, res, err := s.resolve(ctx, s.db, addDays(today, -feedBack), addDays(today, feedAhead))
	if err != nil {
		return f, err
	}
	f.Days = res[f.AgentID]
	return f, nil
}
