package qa

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

// Review is a ticket scored with a scorecard.
type Review struct {
	ID             int64      `json:"id"`
	Kind           string     `json:"kind"` // review, calibration, agreed
	TicketID       int64      `json:"ticket_id"`
	TicketSubject  string     `json:"ticket_subject"`
	ScorecardID    int64      `json:"scorecard_id"`
	ScorecardName  string     `json:"scorecard_name"`
	ReviewerID     int64      `json:"reviewer_id"`
	ReviewerName   string     `json:"reviewer_name"`
	AgentID        int64      `json:"agent_id"` // the ticket's assignee: whose work is reviewed
	AgentName      string     `json:"agent_name"`
	TeamID         *int64     `json:"team_id"`
	Channel        string     `json:"channel"`
	AssignmentID   *int64     `json:"assignment_id"`
	CalibrationID  *int64     `json:"calibration_id"`
	State          string     `json:"state"`
	Score          *float64   `json:"score"` // nil until submitted
	OriginalScore  *float64   `json:"original_score"`
	CriticalFailed bool       `json:"critical_failed"`
	Comment        string     `json:"comment"`
	DisputeReason  string     `json:"dispute_reason"`
	Resolution     string     `json:"resolution"` // upheld, adjusted
	ResolutionNote string     `json:"resolution_note"`
	CreatedAt      time.Time  `json:"created_at"`
	SubmittedAt    *time.Time `json:"submitted_at"`
	AnsweredAt     *time.Time `json:"answered_at"` // acknowledged or disputed
	ResolvedAt     *time.Time `json:"resolved_at"`
	Ratings        []Rating   `json:"ratings"`
}

// StartInput starts a review.
type StartInput struct {
	TicketID    int64 `json:"ticket_id"`
	ScorecardID int64 `json:"scorecard_id"`
}

// SaveInput saves a review's ratings; Submit ends the draft.
type SaveInput struct {
	Ratings []Rating `json:"ratings"`
	Comment string   `json:"comment"`
	Submit  bool     `json:"submit"`
}

// ticketFacts is what a review records of its ticket.
type ticketFacts struct {
	Subject  string
	Assignee int64
	TeamID   *int64
	Channel  string
}

func ticketOf(ctx context.Context, q db.Querier, id int64) (ticketFacts, error) {
	var f ticketFacts
	var assignee, team sql.NullInt64
	err := q.QueryRowContext(ctx, `SELECT subject, assignee_id, team_id, channel FROM tickets WHERE id = ?`, id).Scan(&f.Subject, &assignee, &team, &f.Channel)
	if errors.Is(err, sql.ErrNoRows) {
		return f, apperr.NotFound("ticket", id)
	}
	if err != nil {
		return f, fmt.Errorf("qa: ticket %d: %w", id, err)
	}
	f.Assignee = assignee.Int64
	if team.Valid {
		f.TeamID = &team.Int64
	}
	return f, nil
}

// StartReview opens a draft review of a ticket (or returns the reviewer's
// open draft of it). A QA reviewer may review only the tickets sampled for
// them; managers may review any ticket. Nobody reviews their own ticket.
func (s *Service) StartReview(ctx context.Context, actor authz.Actor, in StartInput) (Review, error) {
	if err := authz.Check(actor, authz.QAReview); err != nil {
		return Review{}, err
	}
	fe := apperr.FieldErrors{}
	if in.TicketID <= 0 {
		fe.Add("ticket_id", "is required")
	}
	if in.ScorecardID <= 0 {
		fe.Add("scorecard_id", "is required")
	}
	if err := fe.Err(); err != nil {
		return Review{}, err
	}
	var id int64
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		var assignment *int64
		var aid int64
		err := tx.QueryRowContext(ctx, `SELECT id FROM qa_assignments WHERE ticket_id = ? AND reviewer_id = ? ORDER BY week DESC LIMIT 1`, in.TicketID, actor.ID).Scan(&aid)
		switch {
		case err == nil:
			assignment = &aid
		case !errors.Is(err, sql.ErrNoRows):
			return fmt.Errorf("qa: assignment: %w", err)
		case !manages(actor):
			return apperr.Forbidden("this ticket is not assigned to you for review")
		}
		id, err = s.startTx(ctx, tx, actor, KindReview, in, assignment, nil)
		return err
	})
	if err != nil {
		return Review{}, err
	}
	return s.review(ctx, s.db, id)
}

// startTx opens (or finds) actor's draft of kind on the ticket.
func (s *Service) startTx(ctx context.Context, tx *db.Tx, actor authz.Actor, kind string, in StartInput, assignment, calibration *int64) (int64, error) {
	var id int64
	err := tx.QueryRowContext(ctx, `SELECT id FROM qa_reviews WHERE ticket_id = ? AND reviewer_id = ? AND kind = ? AND state = 'draft'
		AND COALESCE(calibration_id, 0) = ? ORDER BY id LIMIT 1`, in.TicketID, actor.ID, kind, deref(calibration)).Scan(&id)
	if err == nil {
		return id, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("qa: draft: %w", err)
	}
	t, err := ticketOf(ctx, tx, in.TicketID)
	if err != nil {
		return 0, err
	}
	if t.Assignee == 0 {
		return 0, apperr.InvalidField("ticket_id", "the ticket has no assignee to review")
	}
	if t.Assignee == actor.ID && kind != KindAgreed {
		return 0, apperr.Forbidden("nobody reviews their own tickets")
	}
	card, err := s.scorecard(ctx, tx, in.ScorecardID)
	if apperr.Is(err, apperr.CodeNotFound) {
		return 0, apperr.InvalidField("scorecard_id", "is not a scorecard")
	}
	if err != nil {
		return 0, err
	}
	if kind == KindReview && !card.Active {
		return 0, apperr.InvalidField("scorecard_id", "is retired; use its newest version")
	}
	if !card.Applies(t.TeamID, t.Channel) {
		return 0, apperr.InvalidField("scorecard_id", "does not apply to this ticket's team or channel")
	}
	id, err = tx.InsertID(ctx, `INSERT INTO qa_reviews (kind, ticket_id, scorecard_id, reviewer_id, agent_id, team_id, channel, assignment_id, calibration_id, state, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'draft', ?)`, kind, in.TicketID, in.ScorecardID, actor.ID, t.Assignee, t.TeamID, t.Channel, assignment, calibration, db.Millis(s.now()))
	if err != nil {
		return 0, fmt.Errorf("qa: start review: %w", err)
	}
	return id, nil
}

func deref(p *int64) int64 {
	if p == nil {
		return 0
	}
	return *p
}

// SaveReview saves the reviewer's ratings of their draft; Submit scores
// it and shows it to the agent.
func (s *Service) SaveReview(ctx context.Context, actor authz.Actor, id int64, in SaveInput) (Review, error) {
	if err := authz.Check(actor, authz.QAReview); err != nil {
		return Review{}, err
	}
	if err := checkRatings(in.Ratings); err != nil {
		return Review{}, err
	}
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		r, err := s.review(ctx, tx, id)
		if err != nil {
			return err
		}
		if r.ReviewerID != actor.ID {
			if !manages(actor) {
				return apperr.NotFound("review", id)
			}
			return apperr.Forbidden("only the reviewer edits a review")
		}
		if r.State != StateDraft {
			return apperr.Conflict("state", "the review is already submitted")
		}
		if r.CalibrationID != nil {
			if err := openSession(ctx, tx, *r.CalibrationID); err != nil {
				return err
			}
		}
		return s.saveTx(ctx, tx, actor, r, in)
	})
	if err != nil {
		return Review{}, err
	}
	return s.review(ctx, s.db, id)
}

// saveTx validates and writes ratings, scoring the review when submitted.
func (s *Service) saveTx(ctx context.Context, tx *db.Tx, actor authz.Actor, r Review, in SaveInput) error {
	fe := apperr.FieldErrors{}
	comment := text(fe, "comment", in.Comment, MaxText, false)
	if err := fe.Err(); err != nil {
		return err
	}
	cats, err := categories(ctx, tx, r.ScorecardID)
	if err != nil {
		return err
	}
	res, err := Score(cats, in.Ratings, in.Submit)
	if err != nil {
		return err
	}
	if err := writeRatings(ctx, tx, r.ID, cats, in.Ratings); err != nil {
		return err
	}
	now := db.Millis(s.now())
	if !in.Submit {
		_, err := tx.ExecContext(ctx, `UPDATE qa_reviews SET comment = ? WHERE id = ?`, comment, r.ID)
		return err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE qa_reviews SET comment = ?, state = 'submitted', score = ?, critical_failed = ?, submitted_at = ? WHERE id = ?`,
		comment, res.Score, res.CriticalFailed, now, r.ID); err != nil {
		return fmt.Errorf("qa: submit review: %w", err)
	}
	if r.Kind == KindReview && s.tickets != nil {
		if err := s.tickets.RecordTx(ctx, tx, actor, r.TicketID, EvReviewed, map[string]any{
			"review_id": r.ID, "score": hundredths(res.Score), "critical_failed": res.CriticalFailed,
			"agent_id": r.AgentID, "team_id": deref(r.TeamID), "reviewer_id": r.ReviewerID,
		}); err != nil {
			return fmt.Errorf("qa: log review: %w", err)
		}
	}
	if r.AssignmentID != nil {
		if _, err := tx.ExecContext(ctx, `UPDATE qa_assignments SET review_id = ? WHERE id = ?`, r.ID, *r.AssignmentID); err != nil {
			return fmt.Errorf("qa: assignment done: %w", err)
		}
	}
	return nil
}

func writeRatings(ctx context.Context, tx *db.Tx, id int64, cats []Category, ratings []Rating) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM qa_ratings WHERE review_id = ?`, id); err != nil {
		return fmt.Errorf("qa: ratings: %w", err)
	}
	for _, r := range ratings {
		if !hasCategory(cats, r.CategoryID) {
			continue
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO qa_ratings (review_id, category_id, rating, comment) VALUES (?, ?, ?, ?)`,
			id, r.CategoryID, r.Rating, r.Comment); err != nil {
			return fmt.Errorf("qa: ratings: %w", err)
		}
	}
	return nil
}

const reviewCols = `r.id, r.kind, r.ticket_id, t.subject, r.scorecard_id, c.name, r.reviewer_id, ra.name, r.agent_id, aa.name, r.team_id, r.channel,
	r.assignment_id, r.calibration_id, r.state, r.score, r.original_score, r.critical_failed, r.comment, r.dispute_reason, r.resolution,
	r.resolution_note, r.created_at, r.submitted_at, r.answered_at, r.resolved_at`

const reviewFrom = ` FROM qa_reviews r JOIN tickets t ON t.id = r.ticket_id JOIN qa_scorecards c ON c.id = r.scorecard_id
	JOIN agents ra ON ra.id = r.reviewer_id JOIN agents aa ON aa.id = r.agent_id`

func scanReview(sc scanner) (Review, error) {
	var r Review
	var team, assignment, calibration sql.NullInt64
	var score, orig sql.NullFloat64
	var created int64
	var submitted, answered, resolved sql.NullInt64
	if err := sc.Scan(&r.ID, &r.Kind, &r.TicketID, &r.TicketSubject, &r.ScorecardID, &r.ScorecardName, &r.ReviewerID, &r.ReviewerName, &r.AgentID, &r.AgentName,
		&team, &r.Channel, &assignment, &calibration, &r.State, &score, &orig, &r.CriticalFailed, &r.Comment, &r.DisputeReason, &r.Resolution,
		&r.ResolutionNote, &created, &submitted, &answered, &resolved); err != nil {
		return Review{}, err
	}
	r.TeamID, r.AssignmentID, r.CalibrationID = nullID(team), nullID(assignment), nullID(calibration)
	if score.Valid {
		r.Score = &score.Float64
	}
	if orig.Valid {
		r.OriginalScore = &orig.Float64
	}
	r.CreatedAt = db.Time(created)
	r.SubmittedAt, r.AnsweredAt, r.ResolvedAt = nullTime(submitted), nullTime(answered), nullTime(resolved)
	return r, nil
}

func nullID(n sql.NullInt64) *int64 {
	if !n.Valid {
		return nil
	}
	v := n.Int64
	return &v
}

func nullTime(n sql.NullInt64) *time.Time {
	if !n.Valid {
		return nil
	}
	t := db.Time(n.Int64)
	return &t
}

func (s *Service) review(ctx context.Context, q db.Querier, id int64) (Review, error) {
	r, err := scanReview(q.QueryRowContext(ctx, `SELECT `+reviewCols+reviewFrom+` WHERE r.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Review{}, apperr.NotFound("review", id)
	}
	if err != nil {
		return Review{}, fmt.Errorf("qa: review %d: %w", id, err)
	}
	r.Ratings, err = ratingsOf(ctx, q, id)
	return r, err
}

func ratingsOf(ctx context.Context, q db.Querier, id int64) ([]Rating, error) {
	rows, err := q.QueryContext(ctx, `SELECT g.category_id, g.rating, g.comment FROM qa_ratings g JOIN qa_categories c ON c.id = g.category_id
		WHERE g.review_id = ? ORDER BY c.position`, id)
	if err != nil {
		return nil, fmt.Errorf("qa: ratings: %w", err)
	}
	defer rows.Close()
	out := []Rating{}
	for rows.Next() {
		var g Rating
		var v sql.NullInt64
		if err := rows.Scan(&g.CategoryID, &v, &g.Comment); err != nil {
			return nil, fmt.Errorf("qa: ratings: %w", err)
		}
		if v.Valid {
			n := int(v.Int64)
			g.Rating = &n
		}
		out = append(out, g)
	}
	return out, rows.Err()
}

// canRead says whether the actor may read the review: managers all;
// the reviewer their own; the agent their own once submitted (kind
// review). Calibration scores follow the session's blind rule.
func (s *Service) canRead(ctx context.Context, actor authz.Actor, r Review) (bool, error) {
	if manages(actor) {
		return true, nil
	}
	if !actor.IsAgent() {
		return false, nil
	}
	if r.ReviewerID == actor.ID && authz.Can(actor, authz.QAReview) {
		return true, nil
	}
	switch r.Kind {
	case KindReview:
		return r.AgentID == actor.ID && r.State != StateDraft && authz.Can(actor, authz.QAOwn), nil
	default:
		return s.seesSession(ctx, actor, *r.CalibrationID)
	}
}

// Review returns one review, ratings included, if the actor may read it
// (others get not_found, so ids reveal nothing).
func (s *Service) Review(ctx context.Context, actor authz.Actor, id int64) (Review, error) {
	if err := checkAny(actor, authz.QAReview, authz.QAManage, authz.QAOwn); err != nil {
		return Review{}, err
	}
	r, err := s.review(ctx, s.db, id)
	if err != nil {
		return Review{}, err
	}
	ok, err := s.canRead(ctx, actor, r)
	if err != nil {
		return Review{}, err
	}
	if !ok {
		return Review{}, apperr.NotFound("review", id)
	}
	return r, nil
}

// ReviewFilter narrows Reviews.
type ReviewFilter struct {
	AgentID    int64  // whose work
	ReviewerID int64  // who reviewed
	State      string // "" any
	Mine       bool   // the actor's own reviews (as the agent reviewed)
	Limit      int
}

// Reviews lists reviews of kind review, newest first. Managers see every
// review; a reviewer sees the ones they wrote; an agent sees their own
// submitted reviews (Mine, or an AgentID that is theirs).
func (s *Service) Reviews(ctx context.Context, actor authz.Actor, f ReviewFilter) ([]Review, error) {
	if err := checkAny(actor, authz.QAReview, authz.QAManage, authz.QAOwn); err != nil {
		return nil, err
	}
	where := ` WHERE r.kind = 'review'`
	var args []any
	switch {
	case f.Mine || (!manages(actor) && f.AgentID == actor.ID && f.AgentID != 0):
		if err := authz.Check(actor, authz.QAOwn); err != nil {
			return nil, err
		}
		where += ` AND r.agent_id = ? AND r.state <> 'draft'`
		args = append(args, actor.ID)
	case manages(actor):
		if f.AgentID != 0 {
			where += ` AND r.agent_id = ?`
			args = append(args, f.AgentID)
		}
		if f.ReviewerID != 0 {
			where += ` AND r.reviewer_id = ?`
			args = append(args, f.ReviewerID)
		}
	case authz.Can(actor, authz.QAReview):
		if f.AgentID != 0 {
			where += ` AND r.agent_id = ?`
			args = append(args, f.AgentID)
		}
		where += ` AND r.reviewer_id = ?`
		args = append(args, actor.ID)
	case f.AgentID == 0 && authz.Can(actor, authz.QAOwn):
		where += ` AND r.agent_id = ? AND r.state <> 'draft'`
		args = append(args, actor.ID)
	default:
		return nil, apperr.Forbidden("you may read only your own reviews")
	}
	if f.State != "" {
		where += ` AND r.state = ?`
		args = append(args, f.State)
	}
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 200
	}
	rows, err := s.db.QueryContext(ctx, `SELECT `+reviewCols+reviewFrom+where+fmt.Sprintf(` ORDER BY r.created_at DESC, r.id DESC LIMIT %d`, f.Limit), args...)
	if err != nil {
		return nil, fmt.Errorf("qa: reviews: %w", err)
	}
	defer rows.Close()
	out := []Review{}
	for rows.Next() {
		r, err := scanReview(rows)
		if err != nil {
			return nil, fmt.Errorf("qa: reviews: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}
