package training

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/audit"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/textcheck"
)

// Owner roles of a checklist item besides a named agent: the new hire
// themselves, or any manager or admin.
var OwnerRoles = []string{"new_hire", "manager", "admin"}

// Checklist is an onboarding template.
type Checklist struct {
	ID        int64           `json:"id"`
	Name      string          `json:"name"`
	Items     []ChecklistItem `json:"items"`
	CreatedAt time.Time       `json:"created_at"`
}

// ChecklistItem is one step: who owns it (OwnerRole, or OwnerID an agent)
// and when it is due, OffsetDays after the start.
type ChecklistItem struct {
	Title      string `json:"title"`
	OwnerRole  string `json:"owner_role"`
	OwnerID    *int64 `json:"owner_id"`
	OffsetDays int    `json:"offset_days"`
}

// ChecklistInput creates a template.
type ChecklistInput struct {
	Name  string          `json:"name"`
	Items []ChecklistItem `json:"items"`
}

// OnboardInput starts a checklist for a new hire on Start (YYYY-MM-DD).
type OnboardInput struct {
	ChecklistID int64  `json:"checklist_id"`
	AgentID     int64  `json:"agent_id"`
	Start       string `json:"start"`
}

// Task is one checklist item of one new hire.
type Task struct {
	ID        int64  `json:"id"`
	AgentID   int64  `json:"agent_id"`
	AgentName string `json:"agent_name"`
	Checklist string `json:"checklist"`
	Title     string `json:"title"`
	OwnerRole string `json:"owner_role"`
	OwnerID   *int64 `json:"owner_id"`
	OwnerName string `json:"owner_name"`
	DueOn     string `json:"due_on"`
	DoneOn    string `json:"done_on"`
	Overdue   bool   `json:"overdue"`
	CanTick   bool   `json:"can_tick"`
}

const maxItems = 50

func line(fe apperr.FieldErrors, field, s string, max int) string {
	s = strings.TrimSpace(s)
	if s == "" || utf8.RuneCountInString(s) > max {
		fe.Add(field, fmt.Sprintf("must be 1 to %d characters", max))
	} else if msg := textcheck.Line(s); msg != "" {
		fe.Add(field, msg)
	}
	return s
}

// CreateChecklist adds a template (leads).
func (s *Service) CreateChecklist(ctx context.Context, actor authz.Actor, in ChecklistInput) (Checklist, error) {
	if err := authz.Check(actor, authz.TrainingManage); err != nil {
		return Checklist{}, err
	}
	if len(in.Items) == 0 || len(in.Items) > maxItems {
		return Checklist{}, apperr.InvalidField("items", "must have 1 to 50 items")
	}
	fe := apperr.FieldErrors{}
	in.Name = line(fe, "name", in.Name, 200)
	for i := range in.Items {
		it := &in.Items[i]
		it.Title = line(fe, fmt.Sprintf("items[%d].title", i), it.Title, 200)
		if (it.OwnerRole == "") == (it.OwnerID == nil) {
			fe.Add(fmt.Sprintf("items[%d].owner_role", i), "give either an owner role or an owner agent")
		} else if it.OwnerRole != "" && !contains(OwnerRoles, it.OwnerRole) {
			fe.Add(fmt.Sprintf("items[%d].owner_role", i), "must be new_hire, manager or admin")
		}
		if it.OffsetDays < 0 || it.OffsetDays > 365 {
			fe.Add(fmt.Sprintf("items[%d].offset_days", i), "must be between 0 and 365")
		}
	}
	if err := fe.Err(); err != nil {
		return Checklist{}, err
	}
	now := s.now()
	var id int64
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		var err error
		id, err = tx.InsertID(ctx, `INSERT INTO training_checklists (name, created_at) VALUES (?, ?)`, in.Name, db.Millis(now))
		if err != nil {
			return fmt.Errorf("training: checklist: %w", err)
		}
		for i, it := range in.Items {
			if it.OwnerID != nil {
				var n int
				if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM agents WHERE id = ?`, *it.OwnerID).Scan(&n); err != nil {
					return fmt.Errorf("training: checklist: %w", err)
				}
				if n == 0 {
					return apperr.InvalidField(fmt.Sprintf("items[%d].owner_id", i), "is not an agent")
				}
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO training_checklist_items (checklist_id, position, title, owner_role, owner_id, offset_days) VALUES (?, ?, ?, ?, ?, ?)`,
				id, i, it.Title, it.OwnerRole, it.OwnerID, it.OffsetDays); err != nil {
				return fmt.Errorf("training: checklist item: %w", err)
			}
		}
		return audit.Record(ctx, tx, now, actor, "training.checklist_create", fmt.Sprint(id), map[string]any{"name": in.Name, "items": len(in.Items)})
	})
	if err != nil {
		return Checklist{}, err
	}
	list, err := s.ListChecklists(ctx, actor)
	for _, c := range list {
		if c.ID == id {
			return c, err
		}
	}
	return Checklist{}, err
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// ListChecklists returns the templates with their items (leads).
func (s *Service) ListChecklists(ctx context.Context, actor authz.Actor) ([]Checklist, error) {
	if err := authz.Check(actor, authz.TrainingManage); err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, `SELECT id, name, created_at FROM training_checklists ORDER BY name, id`)
	if err != nil {
		return nil, fmt.Errorf("training: checklists: %w", err)
	}
	out := []Checklist{}
	by := map[int64]int{}
	for rows.Next() {
		var c Checklist
		var created int64
		if err := rows.Scan(&c.ID, &c.Name, &created); err != nil {
			rows.Close()
			return nil, fmt.Errorf("training: checklists: %w", err)
		}
		c.CreatedAt, c.Items = db.Time(created), []ChecklistItem{}
		by[c.ID] = len(out)
		out = append(out, c)
	}
	rows.Close()
	items, err := s.db.QueryContext(ctx, `SELECT checklist_id, title, owner_role, owner_id, offset_days FROM training_checklist_items ORDER BY checklist_id, position`)
	if err != nil {
		return nil, fmt.Errorf("training: checklist items: %w", err)
	}
	defer items.Close()
	for items.Next() {
		var cid int64
		var it ChecklistItem
		var owner sql.NullInt64
		if err := items.Scan(&cid, &it.Title, &it.OwnerRole, &owner, &it.OffsetDays); err != nil {
			return nil, fmt.Errorf("training: checklist items: %w", err)
		}
		if owner.Valid {
			it.OwnerID = &owner.Int64
		}
		if i, ok := by[cid]; ok {
			out[i].Items = append(out[i].Items, it)
		}
	}
	return out, items.Err()
}

// StartOnboarding instantiates a checklist for a new hire: one task per
// item, due OffsetDays after the start (leads).
func (s *Service) StartOnboarding(ctx context.Context, actor authz.Actor, in OnboardInput) ([]Task, error) {
	if err := authz.Check(actor, authz.TrainingManage); err != nil {
		return nil, err
	}
	fe := apperr.FieldErrors{}
	if in.ChecklistID <= 0 {
		fe.Add("checklist_id", "is required")
	}
	if in.AgentID <= 0 {
		fe.Add("agent_id", "is required")
	}
	start, ok := parseDate(in.Start)
	if !ok {
		fe.Add("start", "must be a date (YYYY-MM-DD)")
	}
	if err := fe.Err(); err != nil {
		return nil, err
	}
	now := s.now()
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		if _, err := agentZone(ctx, tx, in.AgentID); err != nil {
			return apperr.InvalidField("agent_id", "is not an agent")
		}
		var name string
		err := tx.QueryRowContext(ctx, `SELECT name FROM training_checklists WHERE id = ?`, in.ChecklistID).Scan(&name)
		if errors.Is(err, sql.ErrNoRows) {
			return apperr.InvalidField("checklist_id", "is not a checklist")
		}
		if err != nil {
			return fmt.Errorf("training: onboarding: %w", err)
		}
		rows, err := tx.QueryContext(ctx, `SELECT title, owner_role, owner_id, offset_days FROM training_checklist_items WHERE checklist_id = ? ORDER BY position`, in.ChecklistID)
		if err != nil {
			return fmt.Errorf("training: onboarding: %w", err)
		}
		type item struct {
			title, role string
			owner       sql.NullInt64
			days        int
		}
		var items []item
		for rows.Next() {
			var it item
			if err := rows.Scan(&it.title, &it.role, &it.owner, &it.days); err != nil {
				rows.Close()
				return fmt.Errorf("training: onboarding: %w", err)
			}
			items = append(items, it)
		}
		rows.Close()
		for _, it := range items {
			if _, err := tx.ExecContext(ctx, `INSERT INTO training_onboarding (agent_id, checklist, title, owner_role, owner_id, due_on, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
				in.AgentID, name, it.title, it.role, it.owner, start.AddDate(0, 0, it.days).Format(time.DateOnly), db.Millis(now)); err != nil {
				return fmt.Errorf("training: onboarding: %w", err)
			}
		}
		return audit.Record(ctx, tx, now, actor, "training.onboarding_start", fmt.Sprint(in.AgentID), map[string]any{"checklist_id": in.ChecklistID, "start": in.Start})
	})
	if err != nil {
		return nil, err
	}
	return s.ListTasks(ctx, actor, in.AgentID)
}

const taskSelect = `SELECT o.id, o.agent_id, g.name, g.time_zone, o.checklist, o.title, o.owner_role, o.owner_id, COALESCE(w.name, ''), o.due_on, o.done_on
FROM training_onboarding o JOIN agents g ON g.id = o.agent_id LEFT JOIN agents w ON w.id = o.owner_id`

func (s *Service) tasks(ctx context.Context, actor authz.Actor, where string, args ...any) ([]Task, error) {
	rows, err := s.db.QueryContext(ctx, taskSelect+` WHERE `+where+` ORDER BY o.due_on, o.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("training: tasks: %w", err)
	}
	defer rows.Close()
	out := []Task{}
	for rows.Next() {
		var t Task
		var zone string
		var owner sql.NullInt64
		if err := rows.Scan(&t.ID, &t.AgentID, &t.AgentName, &zone, &t.Checklist, &t.Title, &t.OwnerRole, &owner, &t.OwnerName, &t.DueOn, &t.DoneOn); err != nil {
			return nil, fmt.Errorf("training: tasks: %w", err)
		}
		if owner.Valid {
			t.OwnerID = &owner.Int64
		}
		t.Overdue = t.DoneOn == "" && dayIn(s.now(), zoneOf(zone)) > t.DueOn
		t.CanTick = t.DoneOn == "" && mayTick(actor, t)
		out = append(out, t)
	}
	return out, rows.Err()
}

// mayTick: the item's owner (the agent named, anyone in the role, the new
// hire for new_hire items) or a lead.
func mayTick(actor authz.Actor, t Task) bool {
	if actor.Kind != authz.KindAgent {
		return authz.Can(actor, authz.TrainingManage)
	}
	switch {
	case t.OwnerID != nil && *t.OwnerID == actor.ID:
	case t.OwnerRole == "new_hire" && t.AgentID == actor.ID:
	case t.OwnerRole != "" && t.OwnerRole == string(actor.Role):
	default:
		return authz.Can(actor, authz.TrainingManage)
	}
	return true
}

// ListTasks returns a new hire's checklist: their own, or anyone's for a lead.
func (s *Service) ListTasks(ctx context.Context, actor authz.Actor, agentID int64) ([]Task, error) {
	if err := mayRead(actor, agentID); err != nil {
		return nil, err
	}
	return s.tasks(ctx, actor, `o.agent_id = ?`, agentID)
}

// OwnedTasks returns the open items others' onboarding has given the actor.
func (s *Service) OwnedTasks(ctx context.Context, actor authz.Actor) ([]Task, error) {
	if err := authz.Check(actor, authz.TrainingRead); err != nil {
		return nil, err
	}
	return s.tasks(ctx, actor, `o.done_on = '' AND o.agent_id <> ? AND (o.owner_id = ? OR o.owner_role = ?)`, actor.ID, actor.ID, string(actor.Role))
}

// TickTask marks an item done (its owner or a lead).
func (s *Service) TickTask(ctx context.Context, actor authz.Actor, id int64) (Task, error) {
	if err := authz.Check(actor, authz.TrainingRead); err != nil {
		return Task{}, err
	}
	list, err := s.tasks(ctx, actor, `o.id = ?`, id)
	if err != nil {
		return Task{}, err
	}
	if len(list) == 0 {
		return Task{}, apperr.NotFound("onboarding item", id)
	}
	t := list[0]
	if !mayTick(actor, t) {
		if mayRead(actor, t.AgentID) != nil {
			return Task{}, apperr.NotFound("onboarding item", id)
		}
		return Task{}, apperr.Forbidden("only the item's owner or a lead may tick it")
	}
	if t.DoneOn != "" {
		return t, nil
	}
	now := s.now()
	err = s.db.Write(ctx, func(tx *db.Tx) error {
		loc, err := agentZone(ctx, tx, t.AgentID)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE training_onboarding SET done_on = ?, done_by = ? WHERE id = ?`, dayIn(now, loc), db.NullInt(actor.ID), id); err != nil {
			return fmt.Errorf("training: tick %d: %w", id, err)
		}
		return audit.Record(ctx, tx, now, actor, "training.onboarding_tick", fmt.Sprint(id), map[string]any{"agent_id": t.AgentID, "title": t.Title})
	})
	if err != nil {
		return Task{}, err
	}
	list, err = s.tasks(ctx, actor, `o.id = ?`, id)
	if err != nil || len(list) == 0 {
		return Task{}, err
	}
	return list[0], nil
}
