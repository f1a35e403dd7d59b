package training

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/audit"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/db"
)

// Matrix is agents × skills: the skills the agents have (what routing
// reads) and those the courses grant.
type Matrix struct {
	Skills []string    `json:"skills"`
	Rows   []MatrixRow `json:"rows"`
}

// MatrixRow is one agent's skills, in the order of Matrix.Skills.
type MatrixRow struct {
	AgentID int64  `json:"agent_id"`
	Name    string `json:"name"`
	Cells   []Cell `json:"cells"`
}

// Cell is one agent's one skill: Has (routing uses it) and Course (a
// completed course granted it).
type Cell struct {
	Skill  string `json:"skill"`
	Has    bool   `json:"has"`
	Course bool   `json:"course"`
}

// SkillInput gives an agent a skill or takes it away.
type SkillInput struct {
	Skill string `json:"skill"`
	Has   bool   `json:"has"`
}

// Matrix returns the skills matrix of the active agents (of a team when
// teamID is set): leads.
func (s *Service) Matrix(ctx context.Context, actor authz.Actor, teamID int64) (Matrix, error) {
	if err := authz.Check(actor, authz.TrainingManage); err != nil {
		return Matrix{}, err
	}
	q, args := `SELECT id, name FROM agents WHERE active`, []any{}
	if teamID != 0 {
		q += ` AND id IN (SELECT agent_id FROM team_members WHERE team_id = ?)`
		args = append(args, teamID)
	}
	rows, err := s.db.QueryContext(ctx, q+` ORDER BY name, id`, args...)
	if err != nil {
		return Matrix{}, fmt.Errorf("training: matrix: %w", err)
	}
	m := Matrix{Skills: []string{}, Rows: []MatrixRow{}}
	index := map[int64]int{}
	for rows.Next() {
		var r MatrixRow
		if err := rows.Scan(&r.AgentID, &r.Name); err != nil {
			rows.Close()
			return Matrix{}, fmt.Errorf("training: matrix: %w", err)
		}
		index[r.AgentID] = len(m.Rows)
		m.Rows = append(m.Rows, r)
	}
	rows.Close()
	has := map[int64]map[string]bool{}
	course := map[int64]map[string]bool{}
	add := func(set map[int64]map[string]bool, id int64, skill string) {
		if set[id] == nil {
			set[id] = map[string]bool{}
		}
		set[id][skill] = true
		if !slices.Contains(m.Skills, skill) {
			m.Skills = append(m.Skills, skill)
		}
	}
	pairs := func(q string, set map[int64]map[string]bool) error {
		rows, err := s.db.QueryContext(ctx, q)
		if err != nil {
			return fmt.Errorf("training: matrix: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			var skill string
			if err := rows.Scan(&id, &skill); err != nil {
				return fmt.Errorf("training: matrix: %w", err)
			}
			if _, ok := index[id]; ok {
				add(set, id, skill)
			}
		}
		return rows.Err()
	}
	if err := pairs(`SELECT agent_id, skill FROM agent_skills`, has); err != nil {
		return Matrix{}, err
	}
	if err := pairs(`SELECT a.agent_id, c.skill FROM training_assignments a JOIN training_courses c ON c.id = a.course_id WHERE a.status = 'completed' AND c.skill <> ''`, course); err != nil {
		return Matrix{}, err
	}
	// Skills the courses grant have a column even before anyone has them.
	crows, err := s.db.QueryContext(ctx, `SELECT DISTINCT skill FROM training_courses WHERE skill <> ''`)
	if err != nil {
		return Matrix{}, fmt.Errorf("training: matrix: %w", err)
	}
	for crows.Next() {
		var sk string
		if err := crows.Scan(&sk); err == nil && !slices.Contains(m.Skills, sk) {
			m.Skills = append(m.Skills, sk)
		}
	}
	crows.Close()
	slices.Sort(m.Skills)
	for i := range m.Rows {
		id := m.Rows[i].AgentID
		for _, sk := range m.Skills {
			m.Rows[i].Cells = append(m.Rows[i].Cells, Cell{Skill: sk, Has: has[id][sk], Course: course[id][sk]})
		}
	}
	return m, nil
}

// SetSkill gives an agent a skill or takes it away (leads); routing uses
// the agent's skills from the next assignment on.
func (s *Service) SetSkill(ctx context.Context, actor authz.Actor, agentID int64, in SkillInput) error {
	if err := authz.Check(actor, authz.TrainingManage); err != nil {
		return err
	}
	in.Skill = strings.ToLower(strings.TrimSpace(in.Skill))
	if !validSkill(in.Skill) {
		return apperr.InvalidField("skill", "must look like kind:value, e.g. lang:nb or product:billing")
	}
	now := s.now()
	return s.db.Write(ctx, func(tx *db.Tx) error {
		if _, err := agentZone(ctx, tx, agentID); err != nil {
			return err
		}
		var changed bool
		var err error
		action := "training.skill_add"
		if in.Has {
			changed, err = grantSkill(ctx, tx, agentID, in.Skill)
		} else {
			action = "training.skill_remove"
			changed, err = revokeSkill(ctx, tx, agentID, in.Skill)
		}
		if err != nil || !changed {
			return err
		}
		return audit.Record(ctx, tx, now, actor, action, fmt.Sprint(agentID), map[string]any{"skill": in.Skill})
	})
}

// AgentSkills returns an agent's skills (their own, or anyone's for a lead).
func (s *Service) AgentSkills(ctx context.Context, actor authz.Actor, agentID int64) ([]string, error) {
	if err := mayRead(actor, agentID); err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, `SELECT skill FROM agent_skills WHERE agent_id = ? ORDER BY skill`, agentID)
	if err != nil {
		return nil, fmt.Errorf("training: skills: %w", err)
	}
	defer rows.Close()
	out := []string{}
	for rows.Next() {
		var sk string
		if err := rows.Scan(&sk); err != nil {
			return nil, fmt.Errorf("training: skills: %w", err)
		}
		out = append(out, sk)
	}
	return out, rows.Err()
}
