package qa

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/audit"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/db"
)

// Category is one criterion of a scorecard.
type Category struct {
	ID          int64  `json:"id"`
	Name        string `json:"name"`
	Description string `json:"description"`
	Weight      int    `json:"weight"`
	Scale       string `json:"scale"`    // binary, three, five
	Critical    bool   `json:"critical"` // rated at its lowest, it fails the review
}

// Scorecard is a set of weighted categories. Once a review has used it,
// it is frozen: saving changes makes a new version and retires this one.
type Scorecard struct {
	ID          int64      `json:"id"`
	Name        string     `json:"name"`
	Description string     `json:"description"`
	TeamID      *int64     `json:"team_id"` // nil: every team
	Channel     string     `json:"channel"` // "": every channel
	Version     int        `json:"version"`
	PreviousID  *int64     `json:"previous_id"`
	Active      bool       `json:"active"`
	Used        bool       `json:"used"` // a review uses it: frozen
	Categories  []Category `json:"categories"`
	CreatedAt   time.Time  `json:"created_at"`
	UpdatedAt   time.Time  `json:"updated_at"`
}

// ScorecardInput creates or changes a scorecard.
type ScorecardInput struct {
	Name        string     `json:"name"`
	Description string     `json:"description"`
	TeamID      *int64     `json:"team_id"`
	Channel     string     `json:"channel"`
	Active      *bool      `json:"active"`
	Categories  []Category `json:"categories"`
}

// Channels a scorecard can be limited to (the tickets' channels).
var Channels = []string{"email", "chat", "web", "phone", "social", "api"}

// Applies reports whether the scorecard may score a ticket of that team
// and channel.
func (c Scorecard) Applies(teamID *int64, channel string) bool {
	if c.Channel != "" && c.Channel != channel {
		return false
	}
	if c.TeamID != nil && (teamID == nil || *teamID != *c.TeamID) {
		return false
	}
	return true
}

func (s *Service) validate(ctx context.Context, in *ScorecardInput) error {
	fe := apperr.FieldErrors{}
	in.Name = text(fe, "name", in.Name, MaxName, true)
	in.Description = text(fe, "description", in.Description, MaxText, false)
	if in.Channel != "" && !slices.Contains(Channels, in.Channel) {
		fe.Add("channel", "is not a channel")
	}
	if in.TeamID != nil {
		var n int
		if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM teams WHERE id = ?`, *in.TeamID).Scan(&n); err != nil {
			return fmt.Errorf("qa: team: %w", err)
		}
		if n == 0 {
			fe.Add("team_id", "is not a team")
		}
	}
	if fe.MaxItems("categories", len(in.Categories), MaxCategories) {
		return fe.Err() // refused before any work on the list
	}
	if len(in.Categories) == 0 {
		fe.Add("categories", "at least one category is required")
	}
	for i := range in.Categories {
		c := &in.Categories[i]
		k := fmt.Sprintf("categories.%d.", i)
		c.Name = text(fe, k+"name", c.Name, MaxName, true)
		c.Description = text(fe, k+"description", c.Description, MaxText, false)
		if c.Weight < 1 || c.Weight > MaxWeight {
			fe.Add(k+"weight", fmt.Sprintf("must be from 1 to %d", MaxWeight))
		}
		if !slices.Contains(Scales, c.Scale) {
			fe.Add(k+"scale", "must be binary, three or five")
		}
	}
	return fe.Err()
}

// CreateScorecard adds a scorecard (managers).
func (s *Service) CreateScorecard(ctx context.Context, actor authz.Actor, in ScorecardInput) (Scorecard, error) {
	if err := authz.Check(actor, authz.QAManage); err != nil {
		return Scorecard{}, err
	}
	if err := s.validate(ctx, &in); err != nil {
		return Scorecard{}, err
	}
	var id int64
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		var err error
		id, err = s.insertScorecard(ctx, tx, actor, in, 1, nil)
		if err != nil {
			return err
		}
		return audit.Record(ctx, tx, s.now(), actor, "qa.scorecard.create", fmt.Sprintf("qa_scorecard:%d", id), map[string]any{"name": in.Name})
	})
	if err != nil {
		return Scorecard{}, err
	}
	return s.scorecard(ctx, s.db, id)
}

func (s *Service) insertScorecard(ctx context.Context, tx *db.Tx, actor authz.Actor, in ScorecardInput, version int, prev *int64) (int64, error) {
	now := db.Millis(s.now())
	active := in.Active == nil || *in.Active
	id, err := tx.InsertID(ctx, `INSERT INTO qa_scorecards (name, description, team_id, channel, version, previous_id, active, created_by, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, in.Name, in.Description, in.TeamID, in.Channel, version, prev, active, actor.ID, now, now)
	if err != nil {
		return 0, fmt.Errorf("qa: create scorecard: %w", err)
	}
	if err := insertCategories(ctx, tx, id, in.Categories); err != nil {
		return 0, err
	}
	return id, nil
}

func insertCategories(ctx context.Context, tx *db.Tx, id int64, cats []Category) error {
	for i, c := range cats {
		if _, err := tx.ExecContext(ctx, `INSERT INTO qa_categories (scorecard_id, position, name, description, weight, scale, critical) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			id, i, c.Name, c.Description, c.Weight, c.Scale, c.Critical); err != nil {
			return fmt.Errorf("qa: category: %w", err)
		}
	}
	return nil
}

// UpdateScorecard changes a scorecard. One that no review has used is
// changed in place; a used one is frozen, so the change becomes a new
// version (returned) and the old one is retired: old reviews keep the
// categories they were scored with.
func (s *Service) UpdateScorecard(ctx context.Context, actor authz.Actor, id int64, in ScorecardInput) (Scorecard, error) {
	if err := authz.Check(actor, authz.QAManage); err != nil {
		return Scorecard{}, err
	}
	if err := s.validate(ctx, &in); err != nil {
		return Scorecard{}, err
	}
	newID := id
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		cur, err := s.scorecard(ctx, tx, id)
		if err != nil {
			return err
		}
		if cur.Used {
			if !cur.Active {
				return apperr.Conflict("id", "this version was replaced by a newer one; edit the newest version")
			}
			newID, err = s.insertScorecard(ctx, tx, actor, in, cur.Version+1, &cur.ID)
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `UPDATE qa_scorecards SET active = FALSE, updated_at = ? WHERE id = ?`, db.Millis(s.now()), id); err != nil {
				return fmt.Errorf("qa: retire scorecard: %w", err)
			}
		} else {
			active := in.Active == nil || *in.Active
			if _, err := tx.ExecContext(ctx, `UPDATE qa_scorecards SET name = ?, description = ?, team_id = ?, channel = ?, active = ?, updated_at = ? WHERE id = ?`,
				in.Name, in.Description, in.TeamID, in.Channel, active, db.Millis(s.now()), id); err != nil {
				return fmt.Errorf("qa: update scorecard: %w", err)
			}
			if _, err := tx.ExecContext(ctx, `DELETE FROM qa_categories WHERE scorecard_id = ?`, id); err != nil {
				return fmt.Errorf("qa: update scorecard: %w", err)
			}
			if err := insertCategories(ctx, tx, id, in.Categories); err != nil {
				return err
			}
		}
		return audit.Record(ctx, tx, s.now(), actor, "qa.scorecard.update", fmt.Sprintf("qa_scorecard:%d", newID), map[string]any{"name": in.Name, "from": id})
	})
	if err != nil {
		return Scorecard{}, err
	}
	return s.scorecard(ctx, s.db, newID)
}

// Scorecard returns one scorecard with its categories (anyone in QA).
func (s *Service) Scorecard(ctx context.Context, actor authz.Actor, id int64) (Scorecard, error) {
	if err := checkAny(actor, authz.QAReview, authz.QAManage, authz.QAOwn); err != nil {
		return Scorecard{}, err
	}
	return s.scorecard(ctx, s.db, id)
}

const scorecardCols = `id, name, description, team_id, channel, version, previous_id, active, created_at, updated_at,
	EXISTS (SELECT 1 FROM qa_reviews r WHERE r.scorecard_id = qa_scorecards.id)`

func scanScorecard(sc scanner) (Scorecard, error) {
	var c Scorecard
	var team, prev sql.NullInt64
	var created, updated int64
	if err := sc.Scan(&c.ID, &c.Name, &c.Description, &team, &c.Channel, &c.Version, &prev, &c.Active, &created, &updated, &c.Used); err != nil {
		return Scorecard{}, err
	}
	if team.Valid {
		c.TeamID = &team.Int64
	}
	if prev.Valid {
		c.PreviousID = &prev.Int64
	}
	c.CreatedAt, c.UpdatedAt = db.Time(created), db.Time(updated)
	return c, nil
}

func (s *Service) scorecard(ctx context.Context, q db.Querier, id int64) (Scorecard, error) {
	c, err := scanScorecard(q.QueryRowContext(ctx, `SELECT `+scorecardCols+` FROM qa_scorecards WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Scorecard{}, apperr.NotFound("scorecard", id)
	}
	if err != nil {
		return Scorecard{}, fmt.Errorf("qa: scorecard %d: %w", id, err)
	}
	c.Categories, err = categories(ctx, q, id)
	return c, err
}

func categories(ctx context.Context, q db.Querier, id int64) ([]Category, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, name, description, weight, scale, critical FROM qa_categories WHERE scorecard_id = ? ORDER BY position`, id)
	if err != nil {
		return nil, fmt.Errorf("qa: categories: %w", err)
	}
	defer rows.Close()
	var out []Category
	for rows.Next() {
		var c Category
		if err := rows.Scan(&c.ID, &c.Name, &c.Description, &c.Weight, &c.Scale, &c.Critical); err != nil {
			return nil, fmt.Errorf("qa: categories: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// Scorecards lists the scorecards, newest versions first; all=false keeps
// only the active ones.
func (s *Service) Scorecards(ctx context.Context, actor authz.Actor, all bool) ([]Scorecard, error) {
	if err := checkAny(actor, authz.QAReview, authz.QAManage, authz.QAOwn); err != nil {
		return nil, err
	}
	where := ""
	if !all {
		where = ` WHERE active = TRUE`
	}
	rows, err := s.db.QueryContext(ctx, `SELECT `+scorecardCols+` FROM qa_scorecards`+where+` ORDER BY name, version DESC, id`)
	if err != nil {
		return nil, fmt.Errorf("qa: scorecards: %w", err)
	}
	var out []Scorecard
	for rows.Next() {
		c, err := scanScorecard(rows)
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("qa: scorecards: %w", err)
		}
		out = append(out, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("qa: scorecards: %w", err)
	}
	for i := range out {
		if out[i].Categories, err = categories(ctx, s.db, out[i].ID); err != nil {
			return nil, err
		}
	}
	return out, nil
}
