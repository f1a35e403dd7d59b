package training

import (
	"context"
	"fmt"
	"time"

	"github.com/ombud/ombud/internal/audit"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/db"
)

// Sweep is the periodic job (hourly): certifications whose validity ended
// expire and take their skill away, and agents get a reminder RemindDays
// before a due date and once overdue, each stage once per assignment
// (training_reminders), in their own zone.
func (s *Service) Sweep(ctx context.Context, now time.Time) error {
	if err := s.expire(ctx, now); err != nil {
		return err
	}
	return s.remind(ctx, now)
}

func zoneOf(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		return time.UTC
	}
	return loc
}

type expiring struct {
	id, agentID int64
	skill, zone string
	expires     string
}

func (s *Service) expire(ctx context.Context, now time.Time) error {
	// Any zone's today is at most a day past UTC's.
	horizon := now.UTC().AddDate(0, 0, 1).Format(time.DateOnly)
	return s.db.Write(ctx, func(tx *db.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT a.id, a.agent_id, c.skill, g.time_zone, a.expires_on FROM training_assignments a
JOIN training_courses c ON c.id = a.course_id JOIN agents g ON g.id = a.agent_id
WHERE a.status = 'completed' AND a.expires_on <> '' AND a.expires_on <= ? ORDER BY a.id`, horizon)
		if err != nil {
			return fmt.Errorf("training: expiring: %w", err)
		}
		var due []expiring
		for rows.Next() {
			var e expiring
			if err := rows.Scan(&e.id, &e.agentID, &e.skill, &e.zone, &e.expires); err != nil {
				rows.Close()
				return fmt.Errorf("training: expiring: %w", err)
			}
			if dayIn(now, zoneOf(e.zone)) >= e.expires {
				due = append(due, e)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("training: expiring: %w", err)
		}
		for _, e := range due {
			if _, err := tx.ExecContext(ctx, `UPDATE training_assignments SET status = 'expired' WHERE id = ?`, e.id); err != nil {
				return fmt.Errorf("training: expire %d: %w", e.id, err)
			}
			if err := audit.Record(ctx, tx, now, authz.System, "training.expire", fmt.Sprint(e.id), map[string]any{"agent_id": e.agentID, "expires_on": e.expires}); err != nil {
				return err
			}
			if e.skill == "" {
				continue
			}
			// Another valid completion of a course with the same skill keeps it.
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM training_assignments a JOIN training_courses c ON c.id = a.course_id
WHERE a.agent_id = ? AND c.skill = ? AND a.status = 'completed' AND a.id <> ?`, e.agentID, e.skill, e.id).Scan(&n); err != nil {
				return fmt.Errorf("training: expire %d: %w", e.id, err)
			}
			if n > 0 {
				continue
			}
			removed, err := revokeSkill(ctx, tx, e.agentID, e.skill)
			if err != nil {
				return err
			}
			if removed {
				if err := audit.Record(ctx, tx, now, authz.System, "training.skill_expire", fmt.Sprint(e.agentID), map[string]any{"skill": e.skill, "assignment_id": e.id}); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

func (s *Service) remind(ctx context.Context, now time.Time) error {
	if s.mailer == nil {
		return nil
	}
	horizon := now.UTC().AddDate(0, 0, s.RemindDays+1).Format(time.DateOnly)
	return s.db.Write(ctx, func(tx *db.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT a.id, a.agent_id, g.email, g.time_zone, c.title, c.link, a.due_on FROM training_assignments a
JOIN training_courses c ON c.id = a.course_id JOIN agents g ON g.id = a.agent_id
WHERE a.status IN ('assigned','in_progress') AND g.active AND a.due_on <= ? ORDER BY a.id`, horizon)
		if err != nil {
			return fmt.Errorf("training: reminders: %w", err)
		}
		var list []Reminder
		for rows.Next() {
			var r Reminder
			var zone string
			if err := rows.Scan(&r.AssignmentID, &r.AgentID, &r.Email, &zone, &r.Course, &r.Link, &r.Due); err != nil {
				rows.Close()
				return fmt.Errorf("training: reminders: %w", err)
			}
			today, _ := parseDate(dayIn(now, zoneOf(zone)))
			due, ok := parseDate(r.Due)
			if !ok {
				continue
			}
			switch {
			case today.After(due):
				r.Overdue = true
			case due.Sub(today) <= time.Duration(s.RemindDays)*24*time.Hour:
			default:
				continue
			}
			list = append(list, r)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("training: reminders: %w", err)
		}
		for _, r := range list {
			stage := "soon:" + r.Due
			if r.Overdue {
				stage = "overdue:" + r.Due
			}
			res, err := tx.ExecContext(ctx, `INSERT INTO training_reminders (assignment_id, stage, sent_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`, r.AssignmentID, stage, db.Millis(now))
			if err != nil {
				return fmt.Errorf("training: reminder %d: %w", r.AssignmentID, err)
			}
			if n, _ := res.RowsAffected(); n == 0 {
				continue // sent before
			}
			r.Key = fmt.Sprintf("training.reminder.%d.%s", r.AssignmentID, stage)
			if err := s.mailer.QueueTrainingReminder(ctx, tx, r); err != nil {
				return err
			}
		}
		return nil
	})
}
