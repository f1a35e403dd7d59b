package training

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/audit"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/db"
)

// Assignment states.
const (
	Assigned   = "assigned"
	InProgress = "in_progress"
	Completed  = "completed"
	Expired    = "expired"
)

var skillRE = regexp.MustCompile(SkillPattern)

func validSkill(s string) bool { return len(s) <= 64 && skillRE.MatchString(s) }

// Assignment is a course assigned to an agent.
type Assignment struct {
	ID             int64     `json:"id"`
	CourseID       int64     `json:"course_id"`
	Course         string    `json:"course"`
	Link           string    `json:"link"`
	Skill          string    `json:"skill"`
	ValidityMonths int       `json:"validity_months"`
	AgentID        int64     `json:"agent_id"`
	AgentName      string    `json:"agent_name"`
	DueOn          string    `json:"due_on"`
	Status         string    `json:"status"`
	CompletedOn    string    `json:"completed_on"`
	ExpiresOn      string    `json:"expires_on"`
	Overdue        bool      `json:"overdue"` // open and past its due date in the agent's zone
	CreatedAt      time.Time `json:"created_at"`
}

// AssignInput assigns a course to an agent.
type AssignInput struct {
	CourseID int64  `json:"course_id"`
	AgentID  int64  `json:"agent_id"`
	DueOn    string `json:"due_on"` // YYYY-MM-DD
}

// StatusInput moves an assignment: in_progress or completed.
type StatusInput struct {
	Status string `json:"status"`
}

// Filter narrows the assignment list. A lead may ask for any agent or
// team; an agent sees their own only.
type Filter struct {
	AgentID int64
	TeamID  int64
	Status  string // one state, or "open" (assigned or in progress), or "" for all
}

// Assign assigns a course (leads).
func (s *Service) Assign(ctx context.Context, actor authz.Actor, in AssignInput) (Assignment, error) {
	if err := authz.Check(actor, authz.TrainingManage); err != nil {
		return Assignment{}, err
	}
	fe := apperr.FieldErrors{}
	if in.CourseID <= 0 {
		fe.Add("course_id", "is required")
	}
	if in.AgentID <= 0 {
		fe.Add("agent_id", "is required")
	}
	due, ok := parseDate(in.DueOn)
	if !ok {
		fe.Add("due_on", "must be a date (YYYY-MM-DD)")
	}
	if err := fe.Err(); err != nil {
		return Assignment{}, err
	}
	now := s.now()
	var id int64
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM training_courses WHERE id = ?`, in.CourseID).Scan(&n); err != nil {
			return fmt.Errorf("training: assign: %w", err)
		}
		if n == 0 {
			return apperr.InvalidField("course_id", "is not a course")
		}
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM agents WHERE id = ? AND active`, in.AgentID).Scan(&n); err != nil {
			return fmt.Errorf("training: assign: %w", err)
		}
		if n == 0 {
			return apperr.InvalidField("agent_id", "is not an active agent")
		}
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM training_assignments WHERE course_id = ? AND agent_id = ? AND status IN ('assigned','in_progress')`, in.CourseID, in.AgentID).Scan(&n); err != nil {
			return fmt.Errorf("training: assign: %w", err)
		}
		if n > 0 {
			return apperr.Conflict("course_id", "is already assigned to the agent")
		}
		var err error
		id, err = tx.InsertID(ctx, `INSERT INTO training_assignments (course_id, agent_id, due_on, status, assigned_by, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
			in.CourseID, in.AgentID, due.Format(time.DateOnly), Assigned, db.NullInt(actor.ID), db.Millis(now))
		if err != nil {
			return fmt.Errorf("training: assign: %w", err)
		}
		return audit.Record(ctx, tx, now, actor, "training.assign", fmt.Sprint(id), map[string]any{"course_id": in.CourseID, "agent_id": in.AgentID, "due_on": in.DueOn})
	})
	if err != nil {
		return Assignment{}, err
	}
	return s.GetAssignment(ctx, actor, id)
}

const assignSelect = `SELECT a.id, a.course_id, c.title, c.link, c.skill, c.validity_months, a.agent_id, g.name, g.time_zone, a.due_on, a.status, a.completed_on, a.expires_on, a.created_at
FROM training_assignments a JOIN training_courses c ON c.id = a.course_id JOIN agents g ON g.id = a.agent_id`

func (s *Service) scanAssignment(sc interface{ Scan(...any) error }) (Assignment, error) {
	var a Assignment
	var zone string
	var created int64
	if err := sc.Scan(&a.ID, &a.CourseID, &a.Course, &a.Link, &a.Skill, &a.ValidityMonths, &a.AgentID, &a.AgentName, &zone, &a.DueOn, &a.Status, &a.CompletedOn, &a.ExpiresOn, &created); err != nil {
		return a, err
	}
	a.CreatedAt = db.Time(created)
	loc, err := time.LoadLocation(zone)
	if err != nil {
		loc = time.UTC
	}
	a.Overdue = open(a.Status) && dayIn(s.now(), loc) > a.DueOn
	return a, nil
}

func open(status string) bool { return status == Assigned || status == InProgress }

// mayRead checks that actor may see agentID's training.
func mayRead(actor authz.Actor, agentID int64) error {
	if err := authz.Check(actor, authz.TrainingRead); err != nil {
		return err
	}
	if (agentID != actor.ID || actor.Kind != authz.KindAgent) && !authz.Can(actor, authz.TrainingManage) {
		return apperr.NotFound("agent", agentID) // others' training is not yours to see
	}
	return nil
}

// GetAssignment returns one assignment (your own, or any for a lead).
func (s *Service) GetAssignment(ctx context.Context, actor authz.Actor, id int64) (Assignment, error) {
	if err := authz.Check(actor, authz.TrainingRead); err != nil {
		return Assignment{}, err
	}
	a, err := s.scanAssignment(s.db.QueryRowContext(ctx, assignSelect+` WHERE a.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Assignment{}, apperr.NotFound("assignment", id)
	}
	if err != nil {
		return Assignment{}, fmt.Errorf("training: assignment %d: %w", id, err)
	}
	if mayRead(actor, a.AgentID) != nil {
		return Assignment{}, apperr.NotFound("assignment", id) // others' training is not yours to see
	}
	return a, nil
}

// ListAssignments lists assignments: overdue first, then by due date. An
// agent without training.manage gets their own only.
func (s *Service) ListAssignments(ctx context.Context, actor authz.Actor, f Filter) ([]Assignment, error) {
	if err := authz.Check(actor, authz.TrainingRead); err != nil {
		return nil, err
	}
	if !authz.Can(actor, authz.TrainingManage) {
		if f.AgentID != 0 && f.AgentID != actor.ID {
			return nil, authz.Check(actor, authz.TrainingManage)
		}
		if f.TeamID != 0 {
			return nil, authz.Check(actor, authz.TrainingManage)
		}
		f.AgentID = actor.ID
	}
	q := assignSelect + ` WHERE 1=1`
	var args []any
	if f.AgentID != 0 {
		q += ` AND a.agent_id = ?`
		args = append(args, f.AgentID)
	}
	if f.TeamID != 0 {
		q += ` AND a.agent_id IN (SELECT agent_id FROM team_members WHERE team_id = ?)`
		args = append(args, f.TeamID)
	}
	switch f.Status {
	case "":
	case "open":
		q += ` AND a.status IN ('assigned','in_progress')`
	case Assigned, InProgress, Completed, Expired:
		q += ` AND a.status = ?`
		args = append(args, f.Status)
	default:
		return nil, apperr.InvalidField("status", "must be open, assigned, in_progress, completed or expired")
	}
	rows, err := s.db.QueryContext(ctx, q+` ORDER BY a.due_on, g.name, a.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("training: assignments: %w", err)
	}
	defer rows.Close()
	var overdue, rest []Assignment
	for rows.Next() {
		a, err := s.scanAssignment(rows)
		if err != nil {
			return nil, fmt.Errorf("training: assignments: %w", err)
		}
		if a.Overdue {
			overdue = append(overdue, a)
		} else {
			rest = append(rest, a)
		}
	}
	return append(append([]Assignment{}, overdue...), rest...), rows.Err()
}

// SetStatus moves an assignment to in_progress or completed: the agent
// themselves or a lead. Completing a course that grants a skill adds the
// skill to the agent; a certification gets its expiry date.
func (s *Service) SetStatus(ctx context.Context, actor authz.Actor, id int64, in StatusInput) (Assignment, error) {
	a, err := s.GetAssignment(ctx, actor, id)
	if err != nil {
		return Assignment{}, err
	}
	in.Status = strings.TrimSpace(in.Status)
	if in.Status != InProgress && in.Status != Completed {
		return Assignment{}, apperr.InvalidField("status", "must be in_progress or completed")
	}
	if !open(a.Status) {
		return Assignment{}, apperr.Conflict("status", "the assignment is no longer open")
	}
	now := s.now()
	err = s.db.Write(ctx, func(tx *db.Tx) error {
		if in.Status == InProgress {
			if _, err := tx.ExecContext(ctx, `UPDATE training_assignments SET status = ? WHERE id = ?`, InProgress, id); err != nil {
				return fmt.Errorf("training: status %d: %w", id, err)
			}
			return audit.Record(ctx, tx, now, actor, "training.start", fmt.Sprint(id), map[string]any{"agent_id": a.AgentID, "course_id": a.CourseID})
		}
		loc, err := agentZone(ctx, tx, a.AgentID)
		if err != nil {
			return err
		}
		doneDay := now.In(loc)
		done, expires := doneDay.Format(time.DateOnly), ""
		if a.ValidityMonths > 0 {
			d := time.Date(doneDay.Year(), doneDay.Month(), doneDay.Day(), 0, 0, 0, 0, time.UTC)
			expires = d.AddDate(0, a.ValidityMonths, 0).Format(time.DateOnly)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE training_assignments SET status = ?, completed_on = ?, expires_on = ? WHERE id = ?`, Completed, done, expires, id); err != nil {
			return fmt.Errorf("training: complete %d: %w", id, err)
		}
		if err := audit.Record(ctx, tx, now, actor, "training.complete", fmt.Sprint(id), map[string]any{"agent_id": a.AgentID, "course_id": a.CourseID, "expires_on": expires}); err != nil {
			return err
		}
		if a.Skill == "" {
			return nil
		}
		added, err := grantSkill(ctx, tx, a.AgentID, a.Skill)
		if err != nil || !added {
			return err
		}
		return audit.Record(ctx, tx, now, actor, "training.skill_grant", fmt.Sprint(a.AgentID), map[string]any{"skill": a.Skill, "assignment_id": id})
	})
	if err != nil {
		return Assignment{}, err
	}
	return s.GetAssignment(ctx, actor, id)
}

// grantSkill adds skill to the agent unless they have it; added says it was new.
func grantSkill(ctx context.Context, tx *db.Tx, agentID int64, skill string) (bool, error) {
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM agent_skills WHERE agent_id = ? AND skill = ?`, agentID, skill).Scan(&n); err != nil {
		return false, fmt.Errorf("training: skill: %w", err)
	}
	if n > 0 {
		return false, nil
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO agent_skills (agent_id, skill) VALUES (?, ?)`, agentID, skill); err != nil {
		return false, fmt.Errorf("training: grant skill: %w", err)
	}
	return true, nil
}

// revokeSkill removes skill from the agent; removed says they had it.
func revokeSkill(ctx context.Context, tx *db.Tx, agentID int64, skill string) (bool, error) {
	res, err := tx.ExecContext(ctx, `DELETE FROM agent_skills WHERE agent_id = ? AND skill = ?`, agentID, skill)
	if err != nil {
		return false, fmt.Errorf("training: revoke skill: %w", err)
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}
