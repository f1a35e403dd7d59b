package agent

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/audit"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/page"
)

// CreateTeam adds a team.
func (s *Service) CreateTeam(ctx context.Context, actor authz.Actor, in TeamInput) (Team, error) {
	if err := authz.Check(actor, authz.TeamWrite); err != nil {
		return Team{}, err
	}
	if err := checkTeamSizes(&in.AgentIDs); err != nil {
		return Team{}, err
	}
	fe := apperr.FieldErrors{}
	in.Name = checkName(fe, in.Name)
	if len(in.Description) > 2000 {
		fe.Add("description", "must be at most 2000 characters")
	}
	if err := fe.Err(); err != nil {
		return Team{}, err
	}
	var t Team
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		now := s.now()
		id, err := tx.InsertID(ctx, `INSERT INTO teams (name, description, created_at, updated_at) VALUES (?, ?, ?, ?)`, in.Name, in.Description, db.Millis(now), db.Millis(now))
		if db.IsUniqueViolation(err) {
			return apperr.Conflict("name", "a team with this name exists")
		}
		if err != nil {
			return fmt.Errorf("agent: create team: %w", err)
		}
		if err := setMembers(ctx, tx, id, in.AgentIDs); err != nil {
			return err
		}
		if t, err = getTeam(ctx, tx, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, actor, "team.create", in.Name, audit.Change(nil, t))
	})
	return t, err
}

func setMembers(ctx context.Context, tx *db.Tx, teamID int64, agents []int64) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM team_members WHERE team_id = ?`, teamID); err != nil {
		return fmt.Errorf("agent: members: %w", err)
	}
	seen := map[int64]bool{}
	for i, a := range agents {
		if seen[a] {
			continue
		}
		seen[a] = true
		if _, err := get(ctx, tx, a); err != nil {
			return apperr.InvalidField(fmt.Sprintf("agent_ids[%d]", i), fmt.Sprintf("agent %d does not exist", a))
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO team_members (team_id, agent_id) VALUES (?, ?)`, teamID, a); err != nil {
			return fmt.Errorf("agent: members: %w", err)
		}
	}
	return nil
}

func getTeam(ctx context.Context, q db.Querier, id int64) (Team, error) {
	var t Team
	var c, u int64
	err := q.QueryRowContext(ctx, `SELECT id, name, description, created_at, updated_at FROM teams WHERE id = ?`, id).Scan(&t.ID, &t.Name, &t.Description, &c, &u)
	if errors.Is(err, sql.ErrNoRows) {
		return t, apperr.NotFound("team", id)
	}
	if err != nil {
		return t, fmt.Errorf("agent: team %d: %w", id, err)
	}
	t.CreatedAt, t.UpdatedAt = db.Time(c), db.Time(u)
	t.AgentIDs = []int64{}
	rows, err := q.QueryContext(ctx, `SELECT agent_id FROM team_members WHERE team_id = ? ORDER BY agent_id`, id)
	if err != nil {
		return t, fmt.Errorf("agent: team members: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var a int64
		if err := rows.Scan(&a); err != nil {
			return t, fmt.Errorf("agent: team members: %w", err)
		}
		t.AgentIDs = append(t.AgentIDs, a)
	}
	return t, rows.Err()
}

// GetTeam reads a team.
func (s *Service) GetTeam(ctx context.Context, actor authz.Actor, id int64) (Team, error) {
	if err := authz.Check(actor, authz.TeamRead); err != nil {
		return Team{}, err
	}
	return getTeam(ctx, s.db, id)
}

// TeamByName finds a team by name, case-insensitively (importer).
func (s *Service) TeamByName(ctx context.Context, name string) (Team, error) {
	var id int64
	err := s.db.QueryRowContext(ctx, `SELECT id FROM teams WHERE lower(name) = lower(?)`, strings.TrimSpace(name)).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return Team{}, apperr.NotFound("team", name)
	}
	if err != nil {
		return Team{}, fmt.Errorf("agent: team by name: %w", err)
	}
	return getTeam(ctx, s.db, id)
}

// ListTeams lists every team by name.
func (s *Service) ListTeams(ctx context.Context, actor authz.Actor) (page.List[Team], error) {
	if err := authz.Check(actor, authz.TeamRead); err != nil {
		return page.List[Team]{}, err
	}
	rows, err := s.db.QueryContext(ctx, `SELECT id FROM teams ORDER BY name`)
	if err != nil {
		return page.List[Team]{}, fmt.Errorf("agent: list teams: %w", err)
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return page.List[Team]{}, fmt.Errorf("agent: list teams: %w", err)
		}
		ids = append(ids, id)
	}
	rows.Close()
	out := page.List[Team]{Data: []Team{}}
	for _, id := range ids {
		t, err := getTeam(ctx, s.db, id)
		if err != nil {
			return page.List[Team]{}, err
		}
		out.Data = append(out.Data, t)
	}
	return out, nil
}

// UpdateTeam changes a team.
func (s *Service) UpdateTeam(ctx context.Context, actor authz.Actor, id int64, p TeamPatch) (Team, error) {
	if err := authz.Check(actor, authz.TeamWrite); err != nil {
		return Team{}, err
	}
	if err := checkTeamSizes(p.AgentIDs); err != nil {
		return Team{}, err
	}
	fe := apperr.FieldErrors{}
	if p.Name != nil {
		n := checkName(fe, *p.Name)
		p.Name = &n
	}
	if p.Description != nil && len(*p.Description) > 2000 {
		fe.Add("description", "must be at most 2000 characters")
	}
	if p.Name == nil && p.Description == nil && p.AgentIDs == nil {
		fe.Add("body", "changes nothing; name at least one field")
	}
	if err := fe.Err(); err != nil {
		return Team{}, err
	}
	var t Team
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		cur, err := getTeam(ctx, tx, id)
		if err != nil {
			return err
		}
		before := cur
		if p.Name != nil {
			cur.Name = *p.Name
		}
		if p.Description != nil {
			cur.Description = *p.Description
		}
		_, err = tx.ExecContext(ctx, `UPDATE teams SET name = ?, description = ?, updated_at = ? WHERE id = ?`, cur.Name, cur.Description, db.Millis(s.now()), id)
		if db.IsUniqueViolation(err) {
			return apperr.Conflict("name", "a team with this name exists")
		}
		if err != nil {
			return fmt.Errorf("agent: update team: %w", err)
		}
		if p.AgentIDs != nil {
			if err := setMembers(ctx, tx, id, *p.AgentIDs); err != nil {
				return err
			}
		}
		if t, err = getTeam(ctx, tx, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, s.now(), actor, "team.update", t.Name, audit.Change(before, t))
	})
	return t, err
}

// DeleteTeam removes a team that has no tickets.
func (s *Service) DeleteTeam(ctx context.Context, actor authz.Actor, id int64) error {
	if err := authz.Check(actor, authz.TeamWrite); err != nil {
		return err
	}
	return s.db.Write(ctx, func(tx *db.Tx) error {
		t, err := getTeam(ctx, tx, id)
		if err != nil {
			return err
		}
		// Tickets keep their team so history stays explainable; move them first.
		var n int
		err = tx.QueryRowContext(ctx, `SELECT 1 FROM tickets WHERE team_id = ? LIMIT 1`, id).Scan(&n)
		if err == nil {
			return apperr.Conflict("", "the team still has tickets; reassign them to another team first")
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("agent: team tickets: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM teams WHERE id = ?`, id); err != nil {
			return fmt.Errorf("agent: delete team: %w", err)
		}
		return audit.Record(ctx, tx, s.now(), actor, "team.delete", t.Name, audit.Change(t, nil))
	})
}
