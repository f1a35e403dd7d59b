package qa

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/audit"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/db"
)

// Acknowledge is the agent's "seen, agreed" on a submitted review of
// their work.
func (s *Service) Acknowledge(ctx context.Context, actor authz.Actor, id int64) (Review, error) {
	return s.answer(ctx, actor, id, StateAcknowledged, "")
}

// Dispute is the agent's objection to a submitted review; a reason is
// required, and a lead resolves it.
func (s *Service) Dispute(ctx context.Context, actor authz.Actor, id int64, reason string) (Review, error) {
	return s.answer(ctx, actor, id, StateDisputed, reason)
}

func (s *Service) answer(ctx context.Context, actor authz.Actor, id int64, state, reason string) (Review, error) {
	if err := authz.Check(actor, authz.QAOwn); err != nil {
		return Review{}, err
	}
	fe := apperr.FieldErrors{}
	reason = text(fe, "reason", reason, MaxText, state == StateDisputed)
	if err := fe.Err(); err != nil {
		return Review{}, err
	}
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		r, err := s.review(ctx, tx, id)
		if err != nil {
			return err
		}
		if r.Kind != KindReview || r.AgentID != actor.ID || r.State == StateDraft {
			return apperr.NotFound("review", id)
		}
		if r.State != StateSubmitted {
			return apperr.Conflict("state", "the review was already answered")
		}
		if _, err := tx.ExecContext(ctx, `UPDATE qa_reviews SET state = ?, dispute_reason = ?, answered_at = ? WHERE id = ?`,
			state, reason, db.Millis(s.now()), id); err != nil {
			return fmt.Errorf("qa: answer review: %w", err)
		}
		return nil
	})
	if err != nil {
		return Review{}, err
	}
	return s.review(ctx, s.db, id)
}

// ResolveInput resolves a dispute: upheld keeps the score; adjusted
// replaces the ratings (Ratings) and recomputes the score, keeping the
// first score as the original.
type ResolveInput struct {
	Resolution string   `json:"resolution"` // upheld, adjusted
	Note       string   `json:"note"`
	Ratings    []Rating `json:"ratings"`
}

// ResolveDispute is the lead's decision on a disputed review.
func (s *Service) ResolveDispute(ctx context.Context, actor authz.Actor, id int64, in ResolveInput) (Review, error) {
	if err := authz.Check(actor, authz.QAManage); err != nil {
		return Review{}, err
	}
	if err := checkRatings(in.Ratings); err != nil {
		return Review{}, err
	}
	fe := apperr.FieldErrors{}
	note := text(fe, "note", in.Note, MaxText, false)
	if in.Resolution != Uphold && in.Resolution != Adjust {
		fe.Add("resolution", "must be upheld or adjusted")
	}
	if err := fe.Err(); err != nil {
		return Review{}, err
	}
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		r, err := s.review(ctx, tx, id)
		if err != nil {
			return err
		}
		if r.State != StateDisputed {
			return apperr.Conflict("state", "the review is not disputed")
		}
		now := db.Millis(s.now())
		var adjusted struct {
			score int64
			crit  bool
		}
		if in.Resolution == Adjust {
			cats, err := categories(ctx, tx, r.ScorecardID)
			if err != nil {
				return err
			}
			res, err := Score(cats, in.Ratings, true)
			if err != nil {
				return err
			}
			if err := writeRatings(ctx, tx, id, cats, in.Ratings); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `UPDATE qa_reviews SET original_score = score, score = ?, critical_failed = ? WHERE id = ?`,
				res.Score, res.CriticalFailed, id); err != nil {
				return fmt.Errorf("qa: adjust review: %w", err)
			}
			adjusted.score, adjusted.crit = hundredths(res.Score), res.CriticalFailed
		}
		if _, err := tx.ExecContext(ctx, `UPDATE qa_reviews SET state = 'resolved', resolution = ?, resolution_note = ?, resolved_by = ?, resolved_at = ? WHERE id = ?`,
			in.Resolution, note, actor.ID, now, id); err != nil {
			return fmt.Errorf("qa: resolve dispute: %w", err)
		}
		if r.Kind == KindReview && s.tickets != nil {
			// The review's score now: the adjusted one, or the first.
			score, crit := hundredths(deref64(r.Score)), r.CriticalFailed
			if in.Resolution == Adjust {
				score, crit = adjusted.score, adjusted.crit
			}
			if err := s.tickets.RecordTx(ctx, tx, actor, r.TicketID, EvReviewResolved, map[string]any{
				"review_id": id, "resolution": in.Resolution, "score": score,
				"previous_score": hundredths(deref64(r.Score)), "critical_failed": crit,
			}); err != nil {
				return fmt.Errorf("qa: log resolution: %w", err)
			}
		}
		return audit.Record(ctx, tx, s.now(), actor, "qa.dispute.resolve", fmt.Sprintf("qa_review:%d", id), map[string]any{"resolution": in.Resolution})
	})
	if err != nil {
		return Review{}, err
	}
	return s.review(ctx, s.db, id)
}

// Coaching kinds.
const (
	CoachNote     = "note"       // a coaching note
	CoachOneToOne = "one_to_one" // an item on the agent's next one-to-one agenda
)

// Coaching is a note or one-to-one agenda item about an agent.
type Coaching struct {
	ID         int64     `json:"id"`
	AgentID    int64     `json:"agent_id"`
	AgentName  string    `json:"agent_name"`
	ReviewID   *int64    `json:"review_id"`
	Kind       string    `json:"kind"`
	Body       string    `json:"body"`
	FollowUp   string    `json:"follow_up"` // YYYY-MM-DD or ""
	Done       bool      `json:"done"`
	AuthorID   int64     `json:"author_id"`
	AuthorName string    `json:"author_name"`
	CreatedAt  time.Time `json:"created_at"`
}

// CoachingInput adds a coaching note.
type CoachingInput struct {
	AgentID  int64  `json:"agent_id"`
	ReviewID *int64 `json:"review_id"`
	Kind     string `json:"kind"`
	Body     string `json:"body"`
	FollowUp string `json:"follow_up"`
}

// AddCoaching adds a note or agenda item (managers). Linked to a review,
// it must be a review of that agent.
func (s *Service) AddCoaching(ctx context.Context, actor authz.Actor, in CoachingInput) (Coaching, error) {
	if err := authz.Check(actor, authz.QAManage); err != nil {
		return Coaching{}, err
	}
	fe := apperr.FieldErrors{}
	in.Body = text(fe, "body", in.Body, MaxText, true)
	if in.Kind != CoachNote && in.Kind != CoachOneToOne {
		fe.Add("kind", "must be note or one_to_one")
	}
	if in.FollowUp != "" {
		if _, err := time.Parse(time.DateOnly, in.FollowUp); err != nil {
			fe.Add("follow_up", "must be a date (YYYY-MM-DD)")
		}
	}
	if in.AgentID == 0 {
		fe.Add("agent_id", "is required")
	}
	if err := fe.Err(); err != nil {
		return Coaching{}, err
	}
	var id int64
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM agents WHERE id = ?`, in.AgentID).Scan(&n); err != nil {
			return fmt.Errorf("qa: agent: %w", err)
		}
		if n == 0 {
			return apperr.InvalidField("agent_id", "is not an agent")
		}
		if in.ReviewID != nil {
			r, err := s.review(ctx, tx, *in.ReviewID)
			if err != nil || r.AgentID != in.AgentID || r.Kind != KindReview {
				return apperr.InvalidField("review_id", "is not a review of this agent")
			}
		}
		var err error
		id, err = tx.InsertID(ctx, `INSERT INTO qa_coaching (agent_id, review_id, kind, body, follow_up, done, author_id, created_at) VALUES (?, ?, ?, ?, ?, FALSE, ?, ?)`,
			in.AgentID, in.ReviewID, in.Kind, in.Body, in.FollowUp, actor.ID, db.Millis(s.now()))
		if err != nil {
			return fmt.Errorf("qa: add coaching: %w", err)
		}
		return nil
	})
	if err != nil {
		return Coaching{}, err
	}
	list, err := s.coaching(ctx, ` WHERE k.id = ?`, id)
	if err != nil {
		return Coaching{}, err
	}
	return list[0], nil
}

// SetCoachingDone marks an item done or not (managers).
func (s *Service) SetCoachingDone(ctx context.Context, actor authz.Actor, id int64, done bool) error {
	if err := authz.Check(actor, authz.QAManage); err != nil {
		return err
	}
	return s.db.Write(ctx, func(tx *db.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE qa_coaching SET done = ? WHERE id = ?`, done, id)
		if err != nil {
			return fmt.Errorf("qa: coaching done: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return apperr.NotFound("coaching note", id)
		}
		return nil
	})
}

// CoachingFor lists an agent's notes and agenda items, open follow-ups
// first: managers for anyone, an agent for themselves.
func (s *Service) CoachingFor(ctx context.Context, actor authz.Actor, agentID int64) ([]Coaching, error) {
	if !manages(actor) {
		if err := authz.Check(actor, authz.QAOwn); err != nil {
			return nil, err
		}
		if agentID != actor.ID {
			return nil, apperr.Forbidden("you may read only your own coaching notes")
		}
	}
	return s.coaching(ctx, ` WHERE k.agent_id = ?`, agentID)
}

func (s *Service) coaching(ctx context.Context, where string, arg int64) ([]Coaching, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT k.id, k.agent_id, ag.name, k.review_id, k.kind, k.body, k.follow_up, k.done, k.author_id, au.name, k.created_at
		FROM qa_coaching k JOIN agents ag ON ag.id = k.agent_id JOIN agents au ON au.id = k.author_id`+where+` ORDER BY k.done, k.follow_up, k.created_at DESC, k.id DESC`, arg)
	if err != nil {
		return nil, fmt.Errorf("qa: coaching: %w", err)
	}
	defer rows.Close()
	out := []Coaching{}
	for rows.Next() {
		var c Coaching
		var rid sql.NullInt64
		var created int64
		if err := rows.Scan(&c.ID, &c.AgentID, &c.AgentName, &rid, &c.Kind, &c.Body, &c.FollowUp, &c.Done, &c.AuthorID, &c.AuthorName, &created); err != nil {
			return nil, fmt.Errorf("qa: coaching: %w", err)
		}
		c.ReviewID, c.CreatedAt = nullID(rid), db.Time(created)
		out = append(out, c)
	}
	return out, rows.Err()
}
