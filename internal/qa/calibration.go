package qa

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/audit"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/db"
)

// Calibration is a session in which several reviewers score the same
// tickets blind: while it is open a reviewer sees only their own scores;
// the lead sees every submitted score and the spread per category, sets
// the agreed score and closes it, and then every participant sees all.
type Calibration struct {
	ID          int64      `json:"id"`
	Name        string     `json:"name"`
	ScorecardID int64      `json:"scorecard_id"`
	State       string     `json:"state"` // open, closed
	CreatedBy   int64      `json:"created_by"`
	CreatedAt   time.Time  `json:"created_at"`
	ClosedAt    *time.Time `json:"closed_at"`
	TicketIDs   []int64    `json:"ticket_ids"`
	ReviewerIDs []int64    `json:"reviewer_ids"`
	// Reviews are the scores the actor may see (see above); Agreed the
	// lead's agreed scores.
	Reviews []Review `json:"reviews"`
	Agreed  []Review `json:"agreed"`
	// Blind is true when the actor sees only their own scores.
	Blind bool `json:"blind"`
}

// CalibrationInput creates a session.
type CalibrationInput struct {
	Name        string  `json:"name"`
	ScorecardID int64   `json:"scorecard_id"`
	TicketIDs   []int64 `json:"ticket_ids"`
	ReviewerIDs []int64 `json:"reviewer_ids"`
}

// Spread is how a session's reviewers rated one category of one ticket.
type Spread struct {
	TicketID   int64         `json:"ticket_id"`
	CategoryID int64         `json:"category_id"`
	Category   string        `json:"category"`
	Ratings    map[int64]int `json:"ratings"` // reviewer → rating (submitted, rated)
	Min        int           `json:"min"`
	Max        int           `json:"max"`
	Mean       float64       `json:"mean"`
	Range      int           `json:"range"`  // max − min: 0 means the reviewers agree
	Agreed     *int          `json:"agreed"` // the lead's rating
}

// CreateCalibration opens a session (managers).
func (s *Service) CreateCalibration(ctx context.Context, actor authz.Actor, in CalibrationInput) (Calibration, error) {
	if err := authz.Check(actor, authz.QAManage); err != nil {
		return Calibration{}, err
	}
	fe := apperr.FieldErrors{}
	if fe.MaxItems("ticket_ids", len(in.TicketIDs), 20) || fe.MaxItems("reviewer_ids", len(in.ReviewerIDs), 20) {
		return Calibration{}, fe.Err()
	}
	in.Name = text(fe, "name", in.Name, MaxName, true)
	slices.Sort(in.TicketIDs)
	in.TicketIDs = slices.Compact(in.TicketIDs)
	slices.Sort(in.ReviewerIDs)
	in.ReviewerIDs = slices.Compact(in.ReviewerIDs)
	if len(in.TicketIDs) == 0 || len(in.TicketIDs) > 20 {
		fe.Add("ticket_ids", "choose from 1 to 20 tickets")
	}
	if len(in.ReviewerIDs) < 2 || len(in.ReviewerIDs) > 20 {
		fe.Add("reviewer_ids", "choose from 2 to 20 reviewers")
	}
	if err := fe.Err(); err != nil {
		return Calibration{}, err
	}
	var id int64
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		card, err := s.scorecard(ctx, tx, in.ScorecardID)
		if err != nil || !card.Active {
			return apperr.InvalidField("scorecard_id", "is not an active scorecard")
		}
		for _, t := range in.TicketIDs {
			f, err := ticketOf(ctx, tx, t)
			if err != nil || f.Assignee == 0 {
				return apperr.InvalidField("ticket_ids", fmt.Sprintf("ticket %d is not an assigned ticket", t))
			}
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM agents WHERE active = TRUE AND role IN ('admin', 'manager', 'qa_reviewer') AND id IN (`+inList(len(in.ReviewerIDs))+`)`,
			anys(in.ReviewerIDs)...).Scan(&n); err != nil {
			return fmt.Errorf("qa: reviewers: %w", err)
		}
		if n != len(in.ReviewerIDs) {
			return apperr.InvalidField("reviewer_ids", "every reviewer must be an active QA reviewer, manager or admin")
		}
		id, err = tx.InsertID(ctx, `INSERT INTO qa_calibrations (name, scorecard_id, state, created_by, created_at) VALUES (?, ?, 'open', ?, ?)`,
			in.Name, in.ScorecardID, actor.ID, db.Millis(s.now()))
		if err != nil {
			return fmt.Errorf("qa: create calibration: %w", err)
		}
		for _, t := range in.TicketIDs {
			if _, err := tx.ExecContext(ctx, `INSERT INTO qa_calibration_tickets (calibration_id, ticket_id) VALUES (?, ?)`, id, t); err != nil {
				return fmt.Errorf("qa: calibration ticket: %w", err)
			}
		}
		for _, r := range in.ReviewerIDs {
			if _, err := tx.ExecContext(ctx, `INSERT INTO qa_calibration_reviewers (calibration_id, reviewer_id) VALUES (?, ?)`, id, r); err != nil {
				return fmt.Errorf("qa: calibration reviewer: %w", err)
			}
		}
		return audit.Record(ctx, tx, s.now(), actor, "qa.calibration.create", fmt.Sprintf("qa_calibration:%d", id), map[string]any{"name": in.Name})
	})
	if err != nil {
		return Calibration{}, err
	}
	return s.Calibration(ctx, actor, id)
}

func (s *Service) session(ctx context.Context, q db.Querier, id int64) (Calibration, error) {
	var c Calibration
	var created int64
	var closed sql.NullInt64
	err := q.QueryRowContext(ctx, `SELECT id, name, scorecard_id, state, created_by, created_at, closed_at FROM qa_calibrations WHERE id = ?`, id).
		Scan(&c.ID, &c.Name, &c.ScorecardID, &c.State, &c.CreatedBy, &created, &closed)
	if errors.Is(err, sql.ErrNoRows) {
		return c, apperr.NotFound("calibration", id)
	}
	if err != nil {
		return c, fmt.Errorf("qa: calibration %d: %w", id, err)
	}
	c.CreatedAt, c.ClosedAt = db.Time(created), nullTime(closed)
	if c.TicketIDs, err = ids(ctx, q, `SELECT ticket_id FROM qa_calibration_tickets WHERE calibration_id = ? ORDER BY ticket_id`, id); err != nil {
		return c, err
	}
	c.ReviewerIDs, err = ids(ctx, q, `SELECT reviewer_id FROM qa_calibration_reviewers WHERE calibration_id = ? ORDER BY reviewer_id`, id)
	return c, err
}

func ids(ctx context.Context, q db.Querier, query string, args ...any) ([]int64, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("qa: %w", err)
	}
	defer rows.Close()
	out := []int64{}
	for rows.Next() {
		var v int64
		if err := rows.Scan(&v); err != nil {
			return nil, fmt.Errorf("qa: %w", err)
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

func openSession(ctx context.Context, q db.Querier, id int64) error {
	var state string
	err := q.QueryRowContext(ctx, `SELECT state FROM qa_calibrations WHERE id = ?`, id).Scan(&state)
	if errors.Is(err, sql.ErrNoRows) {
		return apperr.NotFound("calibration", id)
	}
	if err != nil {
		return fmt.Errorf("qa: calibration %d: %w", id, err)
	}
	if state != "open" {
		return apperr.Conflict("state", "the calibration session is closed")
	}
	return nil
}

// seesSession says whether actor may see every score of the session:
// managers always, participants once it is closed.
func (s *Service) seesSession(ctx context.Context, actor authz.Actor, id int64) (bool, error) {
	if manages(actor) {
		return true, nil
	}
	c, err := s.session(ctx, s.db, id)
	if err != nil {
		return false, err
	}
	return c.State == "closed" && slices.Contains(c.ReviewerIDs, actor.ID), nil
}

// Calibration returns a session with the scores the actor may see.
func (s *Service) Calibration(ctx context.Context, actor authz.Actor, id int64) (Calibration, error) {
	if err := checkAny(actor, authz.QAReview, authz.QAManage); err != nil {
		return Calibration{}, err
	}
	c, err := s.session(ctx, s.db, id)
	if err != nil {
		return Calibration{}, err
	}
	participant := slices.Contains(c.ReviewerIDs, actor.ID)
	if !manages(actor) && !participant {
		return Calibration{}, apperr.NotFound("calibration", id)
	}
	c.Blind = !manages(actor) && c.State == "open"
	rows, err := s.db.QueryContext(ctx, `SELECT `+reviewCols+reviewFrom+` WHERE r.calibration_id = ? ORDER BY r.ticket_id, r.reviewer_id`, id)
	if err != nil {
		return Calibration{}, fmt.Errorf("qa: calibration reviews: %w", err)
	}
	var all []Review
	for rows.Next() {
		r, err := scanReview(rows)
		if err != nil {
			rows.Close()
			return Calibration{}, fmt.Errorf("qa: calibration reviews: %w", err)
		}
		all = append(all, r)
	}
	rows.Close()
	for _, r := range all {
		own := r.ReviewerID == actor.ID
		switch {
		case r.Kind == KindAgreed && (!c.Blind):
		case r.Kind == KindCalibration && (own || (!c.Blind && r.State != StateDraft)):
		default:
			continue
		}
		if r.Ratings, err = ratingsOf(ctx, s.db, r.ID); err != nil {
			return Calibration{}, err
		}
		if r.Kind == KindAgreed {
			c.Agreed = append(c.Agreed, r)
		} else {
			c.Reviews = append(c.Reviews, r)
		}
	}
	return c, nil
}

// Calibrations lists the sessions the actor takes part in (managers: all).
func (s *Service) Calibrations(ctx context.Context, actor authz.Actor) ([]Calibration, error) {
	if err := checkAny(actor, authz.QAReview, authz.QAManage); err != nil {
		return nil, err
	}
	q := `SELECT id FROM qa_calibrations ORDER BY created_at DESC, id DESC LIMIT 200`
	var args []any
	if !manages(actor) {
		q = `SELECT c.id FROM qa_calibrations c JOIN qa_calibration_reviewers r ON r.calibration_id = c.id AND r.reviewer_id = ? ORDER BY c.created_at DESC, c.id DESC LIMIT 200`
		args = append(args, actor.ID)
	}
	list, err := ids(ctx, s.db, q, args...)
	if err != nil {
		return nil, err
	}
	out := []Calibration{}
	for _, id := range list {
		c, err := s.session(ctx, s.db, id)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

// StartCalibrationReview opens the participant's blind draft of one of
// the session's tickets.
func (s *Service) StartCalibrationReview(ctx context.Context, actor authz.Actor, id, ticketID int64) (Review, error) {
	if err := authz.Check(actor, authz.QAReview); err != nil {
		return Review{}, err
	}
	var rid int64
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		c, err := s.session(ctx, tx, id)
		if err != nil {
			return err
		}
		if !slices.Contains(c.ReviewerIDs, actor.ID) {
			return apperr.NotFound("calibration", id)
		}
		if c.State != "open" {
			return apperr.Conflict("state", "the calibration session is closed")
		}
		if !slices.Contains(c.TicketIDs, ticketID) {
			return apperr.InvalidField("ticket_id", "is not in this session")
		}
		rid, err = s.startTx(ctx, tx, actor, KindCalibration, StartInput{TicketID: ticketID, ScorecardID: c.ScorecardID}, nil, &c.ID)
		return err
	})
	if err != nil {
		return Review{}, err
	}
	return s.review(ctx, s.db, rid)
}

// Spreads returns, per ticket and category, how the submitted blind
// scores differ and the agreed rating (managers, or participants once
// closed).
func (s *Service) Spreads(ctx context.Context, actor authz.Actor, id int64) ([]Spread, error) {
	c, err := s.Calibration(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	if c.Blind {
		return nil, apperr.Forbidden("the spread shows once the session is closed")
	}
	cats, err := categories(ctx, s.db, c.ScorecardID)
	if err != nil {
		return nil, err
	}
	var out []Spread
	for _, t := range c.TicketIDs {
		for _, cat := range cats {
			sp := Spread{TicketID: t, CategoryID: cat.ID, Category: cat.Name, Ratings: map[int64]int{}}
			sum := 0
			for _, r := range c.Reviews {
				if r.TicketID != t || r.State == StateDraft {
					continue
				}
				for _, g := range r.Ratings {
					if g.CategoryID == cat.ID && g.Rating != nil {
						v := *g.Rating
						if len(sp.Ratings) == 0 || v < sp.Min {
							sp.Min = v
						}
						if len(sp.Ratings) == 0 || v > sp.Max {
							sp.Max = v
						}
						sp.Ratings[r.ReviewerID] = v
						sum += v
					}
				}
			}
			if n := len(sp.Ratings); n > 0 {
				sp.Mean = math.Round(100*float64(sum)/float64(n)) / 100
				sp.Range = sp.Max - sp.Min
			}
			for _, a := range c.Agreed {
				if a.TicketID != t {
					continue
				}
				for _, g := range a.Ratings {
					if g.CategoryID == cat.ID {
						sp.Agreed = g.Rating
					}
				}
			}
			out = append(out, sp)
		}
	}
	return out, nil
}

// Agree records the lead's agreed score of one of the session's tickets
// (it replaces an earlier one while the session is open).
func (s *Service) Agree(ctx context.Context, actor authz.Actor, id, ticketID int64, in SaveInput) (Review, error) {
	if err := authz.Check(actor, authz.QAManage); err != nil {
		return Review{}, err
	}
	if err := checkRatings(in.Ratings); err != nil {
		return Review{}, err
	}
	var rid int64
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		c, err := s.session(ctx, tx, id)
		if err != nil {
			return err
		}
		if c.State != "open" {
			return apperr.Conflict("state", "the calibration session is closed")
		}
		if !slices.Contains(c.TicketIDs, ticketID) {
			return apperr.InvalidField("ticket_id", "is not in this session")
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM qa_reviews WHERE calibration_id = ? AND ticket_id = ? AND kind = 'agreed'`, id, ticketID); err != nil {
			return fmt.Errorf("qa: agree: %w", err)
		}
		rid, err = s.startTx(ctx, tx, actor, KindAgreed, StartInput{TicketID: ticketID, ScorecardID: c.ScorecardID}, nil, &c.ID)
		if err != nil {
			return err
		}
		r, err := s.review(ctx, tx, rid)
		if err != nil {
			return err
		}
		in.Submit = true
		return s.saveTx(ctx, tx, actor, r, in)
	})
	if err != nil {
		return Review{}, err
	}
	return s.review(ctx, s.db, rid)
}

// CloseCalibration ends a session: the scores are no longer blind.
// Drafts left unsubmitted stay out of the spread.
func (s *Service) CloseCalibration(ctx context.Context, actor authz.Actor, id int64) (Calibration, error) {
	if err := authz.Check(actor, authz.QAManage); err != nil {
		return Calibration{}, err
	}
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		if err := openSession(ctx, tx, id); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE qa_calibrations SET state = 'closed', closed_at = ? WHERE id = ?`, db.Millis(s.now()), id); err != nil {
			return fmt.Errorf("qa: close calibration: %w", err)
		}
		return audit.Record(ctx, tx, s.now(), actor, "qa.calibration.close", fmt.Sprintf("qa_calibration:%d", id), nil)
	})
	if err != nil {
		return Calibration{}, err
	}
	return s.Calibration(ctx, actor, id)
}
