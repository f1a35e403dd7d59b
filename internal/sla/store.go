package sla

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/audit"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/jobs"
)

// BusinessCalendar is a stored business-hours calendar.
type BusinessCalendar struct {
	ID        int64     `json:"id"`
	Name      string    `json:"name"`
	TimeZone  string    `json:"time_zone"`
	Schedule  Schedule  `json:"schedule"`
	Holidays  []Holiday `json:"holidays"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Calendar builds the calendar the clocks use.
func (b BusinessCalendar) Calendar() (*Calendar, error) {
	return NewCalendar(b.TimeZone, b.Schedule, b.Holidays)
}

// CalendarInput creates a business calendar.
type CalendarInput struct {
	Name     string    `json:"name"`
	TimeZone string    `json:"time_zone"`
	Schedule Schedule  `json:"schedule"`
	Holidays []Holiday `json:"holidays"`
}

// CalendarPatch changes a business calendar; absent fields stay.
type CalendarPatch struct {
	Name     *string    `json:"name"`
	TimeZone *string    `json:"time_zone"`
	Schedule *Schedule  `json:"schedule"`
	Holidays *[]Holiday `json:"holidays"`
}

// PolicyInput creates an SLA policy; it goes last in the order.
type PolicyInput struct {
	Name        string            `json:"name"`
	Description string            `json:"description"`
	Active      *bool             `json:"active"` // default true
	Conditions  []Condition       `json:"conditions"`
	Targets     map[string]Target `json:"targets"`
}

// PolicyPatch changes an SLA policy; absent fields stay. Conditions and
// Targets replace the whole list or map.
type PolicyPatch struct {
	Name        *string            `json:"name"`
	Description *string            `json:"description"`
	Active      *bool              `json:"active"`
	Conditions  *[]Condition       `json:"conditions"`
	Targets     *map[string]Target `json:"targets"`
}

// ReorderInput lists every policy id in the new order.
type ReorderInput struct {
	IDs []int64 `json:"ids"`
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("sla: marshal %T: %v", v, err)) // only our own plain types reach here
	}
	return string(b)
}

// mergeFields copies the field errors of err (an invalid apperr) into fe.
func mergeFields(fe apperr.FieldErrors, err error) {
	var e *apperr.Error
	if errors.As(err, &e) {
		for k, v := range e.Fields {
			fe.Add(k, v)
		}
	}
}

// checkCalendar validates a whole calendar definition, normalising it.
func checkCalendar(fe apperr.FieldErrors, c *BusinessCalendar) {
	c.Name = checkName(fe, c.Name)
	c.TimeZone = strings.TrimSpace(c.TimeZone)
	if c.Holidays == nil {
		c.Holidays = []Holiday{}
	}
	for i := range c.Holidays {
		c.Holidays[i].Name = strings.TrimSpace(c.Holidays[i].Name)
	}
	c.Schedule.normalize()
	if _, err := c.Calendar(); err != nil {
		mergeFields(fe, err)
	}
}

const calendarCols = `id, name, time_zone, schedule, holidays, created_at, updated_at`

type scanner interface{ Scan(dest ...any) error }

func scanCalendar(s scanner) (BusinessCalendar, error) {
	var c BusinessCalendar
	var sched, hols string
	var created, updated int64
	if err := s.Scan(&c.ID, &c.Name, &c.TimeZone, &sched, &hols, &created, &updated); err != nil {
		return c, err
	}
	if err := json.Unmarshal([]byte(sched), &c.Schedule); err != nil {
		return c, fmt.Errorf("calendar %d schedule: %w", c.ID, err)
	}
	if err := json.Unmarshal([]byte(hols), &c.Holidays); err != nil {
		return c, fmt.Errorf("calendar %d holidays: %w", c.ID, err)
	}
	if c.Holidays == nil {
		c.Holidays = []Holiday{}
	}
	c.Schedule.normalize()
	c.CreatedAt, c.UpdatedAt = db.Time(created), db.Time(updated)
	return c, nil
}

func getCalendar(ctx context.Context, q db.Querier, id int64) (BusinessCalendar, error) {
	c, err := scanCalendar(q.QueryRowContext(ctx, `SELECT `+calendarCols+` FROM business_calendars WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return c, apperr.NotFound("business calendar", id)
	}
	if err != nil {
		return c, fmt.Errorf("sla: get calendar %d: %w", id, err)
	}
	return c, nil
}

func listCalendars(ctx context.Context, q db.Querier) ([]BusinessCalendar, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+calendarCols+` FROM business_calendars ORDER BY name, id`)
	if err != nil {
		return nil, fmt.Errorf("sla: list calendars: %w", err)
	}
	defer rows.Close()
	out := []BusinessCalendar{}
	for rows.Next() {
		c, err := scanCalendar(rows)
		if err != nil {
			return nil, fmt.Errorf("sla: scan calendar: %w", err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sla: list calendars: %w", err)
	}
	return out, nil
}

// ListCalendars returns every business calendar by name.
func (s *Service) ListCalendars(ctx context.Context, actor authz.Actor) ([]BusinessCalendar, error) {
	if err := authz.Check(actor, authz.SLARead); err != nil {
		return nil, err
	}
	return listCalendars(ctx, s.db)
}

// GetCalendar returns one business calendar.
func (s *Service) GetCalendar(ctx context.Context, actor authz.Actor, id int64) (BusinessCalendar, error) {
	if err := authz.Check(actor, authz.SLARead); err != nil {
		return BusinessCalendar{}, err
	}
	return getCalendar(ctx, s.db, id)
}

// CreateCalendar adds a business calendar.
func (s *Service) CreateCalendar(ctx context.Context, actor authz.Actor, in CalendarInput) (BusinessCalendar, error) {
	if err := authz.Check(actor, authz.SLAWrite); err != nil {
		return BusinessCalendar{}, err
	}
	if err := checkCalendarSizes(&in.Schedule, &in.Holidays); err != nil {
		return BusinessCalendar{}, err
	}
	c := BusinessCalendar{Name: in.Name, TimeZone: in.TimeZone, Schedule: in.Schedule, Holidays: in.Holidays}
	fe := apperr.FieldErrors{}
	checkCalendar(fe, &c)
	if err := fe.Err(); err != nil {
		return BusinessCalendar{}, err
	}
	var out BusinessCalendar
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		now := s.now()
		id, err := tx.InsertID(ctx, `INSERT INTO business_calendars (name, time_zone, schedule, holidays, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?)`, c.Name, c.TimeZone, mustJSON(c.Schedule), mustJSON(c.Holidays), db.Millis(now), db.Millis(now))
		if db.IsUniqueViolation(err) {
			return apperr.Conflict("name", "a business calendar with this name exists")
		}
		if err != nil {
			return fmt.Errorf("sla: create calendar: %w", err)
		}
		if out, err = getCalendar(ctx, tx, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, actor, "sla.calendar.create", c.Name, audit.Change(nil, out))
	})
	return out, err
}

// UpdateCalendar changes a business calendar; the clocks of tickets under
// policies that use it are recomputed in the background.
func (s *Service) UpdateCalendar(ctx context.Context, actor authz.Actor, id int64, p CalendarPatch) (BusinessCalendar, error) {
	if err := authz.Check(actor, authz.SLAWrite); err != nil {
		return BusinessCalendar{}, err
	}
	if p.Name == nil && p.TimeZone == nil && p.Schedule == nil && p.Holidays == nil {
		return BusinessCalendar{}, apperr.InvalidField("body", "changes nothing; name at least one field")
	}
	if err := checkCalendarSizes(p.Schedule, p.Holidays); err != nil {
		return BusinessCalendar{}, err
	}
	var out BusinessCalendar
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		c, err := getCalendar(ctx, tx, id)
		if err != nil {
			return err
		}
		before := c
		if p.Name != nil {
			c.Name = *p.Name
		}
		if p.TimeZone != nil {
			c.TimeZone = *p.TimeZone
		}
		if p.Schedule != nil {
			c.Schedule = *p.Schedule
		}
		if p.Holidays != nil {
			c.Holidays = *p.Holidays
		}
		fe := apperr.FieldErrors{}
		checkCalendar(fe, &c)
		if err := fe.Err(); err != nil {
			return err
		}
		now := s.now()
		_, err = tx.ExecContext(ctx, `UPDATE business_calendars SET name = ?, time_zone = ?, schedule = ?, holidays = ?, updated_at = ? WHERE id = ?`,
			c.Name, c.TimeZone, mustJSON(c.Schedule), mustJSON(c.Holidays), db.Millis(now), id)
		if db.IsUniqueViolation(err) {
			return apperr.Conflict("name", "a business calendar with this name exists")
		}
		if err != nil {
			return fmt.Errorf("sla: update calendar %d: %w", id, err)
		}
		if err := audit.Record(ctx, tx, now, actor, "sla.calendar.update", c.Name, audit.Change(before, c)); err != nil {
			return err
		}
		used, err := calendarUsers(ctx, tx, id)
		if err != nil {
			return err
		}
		if len(used) > 0 && (p.TimeZone != nil || p.Schedule != nil || p.Holidays != nil) {
			if err := s.enqueueRecompute(ctx, tx, now); err != nil {
				return err
			}
		}
		out, err = getCalendar(ctx, tx, id)
		return err
	})
	return out, err
}

// calendarUsers names the policies whose targets use calendar id.
func calendarUsers(ctx context.Context, q db.Querier, id int64) ([]string, error) {
	rows, err := q.QueryContext(ctx, `SELECT p.name FROM sla_policy_calendars pc JOIN sla_policies p ON p.id = pc.policy_id
		WHERE pc.calendar_id = ? ORDER BY p.position, p.id`, id)
	if err != nil {
		return nil, fmt.Errorf("sla: calendar users: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, fmt.Errorf("sla: calendar users: %w", err)
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

// DeleteCalendar removes a business calendar no policy uses.
func (s *Service) DeleteCalendar(ctx context.Context, actor authz.Actor, id int64) error {
	if err := authz.Check(actor, authz.SLAWrite); err != nil {
		return err
	}
	return s.db.Write(ctx, func(tx *db.Tx) error {
		c, err := getCalendar(ctx, tx, id)
		if err != nil {
			return err
		}
		used, err := calendarUsers(ctx, tx, id)
		if err != nil {
			return err
		}
		if len(used) > 0 {
			return apperr.Conflict("", fmt.Sprintf("the calendar is used by SLA policy %q; change its targets first", used[0]))
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM business_calendars WHERE id = ?`, id); err != nil {
			return fmt.Errorf("sla: delete calendar %d: %w", id, err)
		}
		return audit.Record(ctx, tx, s.now(), actor, "sla.calendar.delete", c.Name, audit.Change(c, nil))
	})
}

const policyCols = `id, name, description, position, active, conditions, targets, created_at, updated_at`

func scanPolicy(s scanner) (Policy, error) {
	var p Policy
	var conds, targets string
	var created, updated int64
	if err := s.Scan(&p.ID, &p.Name, &p.Description, &p.Position, &p.Active, &conds, &targets, &created, &updated); err != nil {
		return p, err
	}
	if err := json.Unmarshal([]byte(conds), &p.Conditions); err != nil {
		return p, fmt.Errorf("policy %d conditions: %w", p.ID, err)
	}
	if err := json.Unmarshal([]byte(targets), &p.Targets); err != nil {
		return p, fmt.Errorf("policy %d targets: %w", p.ID, err)
	}
	if p.Conditions == nil {
		p.Conditions = []Condition{}
	}
	if p.Targets == nil {
		p.Targets = map[string]Target{}
	}
	p.CreatedAt, p.UpdatedAt = db.Time(created), db.Time(updated)
	return p, nil
}

func getPolicy(ctx context.Context, q db.Querier, id int64) (Policy, error) {
	p, err := scanPolicy(q.QueryRowContext(ctx, `SELECT `+policyCols+` FROM sla_policies WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return p, apperr.NotFound("SLA policy", id)
	}
	if err != nil {
		return p, fmt.Errorf("sla: get policy %d: %w", id, err)
	}
	return p, nil
}

func listPolicies(ctx context.Context, q db.Querier) ([]Policy, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+policyCols+` FROM sla_policies ORDER BY position, id`)
	if err != nil {
		return nil, fmt.Errorf("sla: list policies: %w", err)
	}
	defer rows.Close()
	out := []Policy{}
	for rows.Next() {
		p, err := scanPolicy(rows)
		if err != nil {
			return nil, fmt.Errorf("sla: scan policy: %w", err)
		}
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sla: list policies: %w", err)
	}
	return out, nil
}

// ListPolicies returns the SLA policies in the order they are tried.
func (s *Service) ListPolicies(ctx context.Context, actor authz.Actor) ([]Policy, error) {
	if err := authz.Check(actor, authz.SLARead); err != nil {
		return nil, err
	}
	return listPolicies(ctx, s.db)
}

// GetPolicy returns one SLA policy.
func (s *Service) GetPolicy(ctx context.Context, actor authz.Actor, id int64) (Policy, error) {
	if err := authz.Check(actor, authz.SLARead); err != nil {
		return Policy{}, err
	}
	return getPolicy(ctx, s.db, id)
}

// checkPolicy validates a whole policy inside tx, where the custom fields
// and calendars its conditions and targets name are looked up.
func checkPolicy(ctx context.Context, tx *db.Tx, fe apperr.FieldErrors, p *Policy) error {
	p.Name = checkName(fe, p.Name)
	if len(p.Description) > maxDesc {
		fe.Add("description", fmt.Sprintf("must be at most %d characters", maxDesc))
	}
	keys := map[string]bool{}
	rows, err := tx.QueryContext(ctx, `SELECT key FROM custom_fields`)
	if err != nil {
		return fmt.Errorf("sla: custom fields: %w", err)
	}
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			rows.Close()
			return fmt.Errorf("sla: custom fields: %w", err)
		}
		keys[k] = true
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("sla: custom fields: %w", err)
	}
	p.Conditions = validateConditions(fe, p.Conditions, keys)
	var lookupErr error
	p.Targets = validateTargets(fe, p.Targets, ChatOnly(p.Conditions), func(id int64) bool {
		var n int
		err := tx.QueryRowContext(ctx, `SELECT 1 FROM business_calendars WHERE id = ?`, id).Scan(&n)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			lookupErr = err
		}
		return err == nil
	})
	if lookupErr != nil {
		return fmt.Errorf("sla: check calendar: %w", lookupErr)
	}
	return nil
}

// savePolicyCalendars records which calendars p's targets use.
func savePolicyCalendars(ctx context.Context, tx *db.Tx, p Policy) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM sla_policy_calendars WHERE policy_id = ?`, p.ID); err != nil {
		return fmt.Errorf("sla: policy calendars: %w", err)
	}
	var ids []int64
	for _, t := range p.Targets {
		if t.CalendarID != nil && !slices.Contains(ids, *t.CalendarID) {
			ids = append(ids, *t.CalendarID)
		}
	}
	for _, id := range ids {
		if _, err := tx.ExecContext(ctx, `INSERT INTO sla_policy_calendars (policy_id, calendar_id) VALUES (?, ?)`, p.ID, id); err != nil {
			return fmt.Errorf("sla: policy calendars: %w", err)
		}
	}
	return nil
}

// CreatePolicy adds an SLA policy after the existing ones.
func (s *Service) CreatePolicy(ctx context.Context, actor authz.Actor, in PolicyInput) (Policy, error) {
	if err := authz.Check(actor, authz.SLAWrite); err != nil {
		return Policy{}, err
	}
	if err := checkPolicySizes(&in.Conditions, &in.Targets); err != nil {
		return Policy{}, err
	}
	p := Policy{Name: in.Name, Description: in.Description, Active: in.Active == nil || *in.Active,
		Conditions: in.Conditions, Targets: in.Targets}
	var out Policy
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		fe := apperr.FieldErrors{}
		if err := checkPolicy(ctx, tx, fe, &p); err != nil {
			return err
		}
		if err := fe.Err(); err != nil {
			return err
		}
		now := s.now()
		var pos int
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(position), 0) + 1 FROM sla_policies`).Scan(&pos); err != nil {
			return fmt.Errorf("sla: policy position: %w", err)
		}
		id, err := tx.InsertID(ctx, `INSERT INTO sla_policies (name, description, position, active, conditions, targets, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, p.Name, p.Description, pos, p.Active, mustJSON(p.Conditions), mustJSON(p.Targets), db.Millis(now), db.Millis(now))
		if db.IsUniqueViolation(err) {
			return apperr.Conflict("name", "an SLA policy with this name exists")
		}
		if err != nil {
			return fmt.Errorf("sla: create policy: %w", err)
		}
		p.ID = id
		if err := savePolicyCalendars(ctx, tx, p); err != nil {
			return err
		}
		if err := audit.Record(ctx, tx, now, actor, "sla.policy.create", p.Name, audit.Change(nil, p)); err != nil {
			return err
		}
		if err := s.enqueueRecompute(ctx, tx, now); err != nil {
			return err
		}
		out, err = getPolicy(ctx, tx, id)
		return err
	})
	return out, err
}

// UpdatePolicy changes an SLA policy; tickets' clocks are recomputed in the
// background.
func (s *Service) UpdatePolicy(ctx context.Context, actor authz.Actor, id int64, pt PolicyPatch) (Policy, error) {
	if err := authz.Check(actor, authz.SLAWrite); err != nil {
		return Policy{}, err
	}
	if pt.Name == nil && pt.Description == nil && pt.Active == nil && pt.Conditions == nil && pt.Targets == nil {
		return Policy{}, apperr.InvalidField("body", "changes nothing; name at least one field")
	}
	if err := checkPolicySizes(pt.Conditions, pt.Targets); err != nil {
		return Policy{}, err
	}
	var out Policy
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		p, err := getPolicy(ctx, tx, id)
		if err != nil {
			return err
		}
		before := p
		if pt.Name != nil {
			p.Name = *pt.Name
		}
		if pt.Description != nil {
			p.Description = *pt.Description
		}
		if pt.Active != nil {
			p.Active = *pt.Active
		}
		if pt.Conditions != nil {
			p.Conditions = *pt.Conditions
		}
		if pt.Targets != nil {
			p.Targets = *pt.Targets
		}
		fe := apperr.FieldErrors{}
		if err := checkPolicy(ctx, tx, fe, &p); err != nil {
			return err
		}
		if err := fe.Err(); err != nil {
			return err
		}
		now := s.now()
		_, err = tx.ExecContext(ctx, `UPDATE sla_policies SET name = ?, description = ?, active = ?, conditions = ?, targets = ?, updated_at = ? WHERE id = ?`,
			p.Name, p.Description, p.Active, mustJSON(p.Conditions), mustJSON(p.Targets), db.Millis(now), id)
		if db.IsUniqueViolation(err) {
			return apperr.Conflict("name", "an SLA policy with this name exists")
		}
		if err != nil {
			return fmt.Errorf("sla: update policy %d: %w", id, err)
		}
		if err := savePolicyCalendars(ctx, tx, p); err != nil {
			return err
		}
		if err := audit.Record(ctx, tx, now, actor, "sla.policy.update", p.Name, audit.Change(before, p)); err != nil {
			return err
		}
		if pt.Active != nil || pt.Conditions != nil || pt.Targets != nil {
			if err := s.enqueueRecompute(ctx, tx, now); err != nil {
				return err
			}
		}
		out, err = getPolicy(ctx, tx, id)
		return err
	})
	return out, err
}

// DeletePolicy removes an SLA policy; tickets it applied to fall to the
// next matching policy, or none.
func (s *Service) DeletePolicy(ctx context.Context, actor authz.Actor, id int64) error {
	if err := authz.Check(actor, authz.SLAWrite); err != nil {
		return err
	}
	return s.db.Write(ctx, func(tx *db.Tx) error {
		p, err := getPolicy(ctx, tx, id)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM sla_policies WHERE id = ?`, id); err != nil {
			return fmt.Errorf("sla: delete policy %d: %w", id, err)
		}
		now := s.now()
		if err := audit.Record(ctx, tx, now, actor, "sla.policy.delete", p.Name, audit.Change(p, nil)); err != nil {
			return err
		}
		return s.enqueueRecompute(ctx, tx, now)
	})
}

// ReorderPolicies sets the order in which policies are tried; ids must list
// every policy exactly once.
func (s *Service) ReorderPolicies(ctx context.Context, actor authz.Actor, in ReorderInput) ([]Policy, error) {
	if err := authz.Check(actor, authz.SLAWrite); err != nil {
		return nil, err
	}
	if len(in.IDs) == 0 {
		return nil, apperr.InvalidField("ids", "is required: every policy id in the new order")
	}
	if fe := (apperr.FieldErrors{}); fe.MaxItems("ids", len(in.IDs), MaxPolicies) {
		return nil, fe.Err()
	}
	var out []Policy
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		cur, err := listPolicies(ctx, tx)
		if err != nil {
			return err
		}
		known := map[int64]bool{}
		for _, p := range cur {
			known[p.ID] = true
		}
		fe := apperr.FieldErrors{}
		seen := map[int64]bool{}
		for i, id := range in.IDs {
			switch {
			case !known[id]:
				fe.Add(fmt.Sprintf("ids[%d]", i), fmt.Sprintf("SLA policy %d does not exist", id))
			case seen[id]:
				fe.Add(fmt.Sprintf("ids[%d]", i), "is repeated")
			}
			seen[id] = true
		}
		var missing []string
		for _, p := range cur {
			if !seen[p.ID] {
				missing = append(missing, strconv.FormatInt(p.ID, 10))
			}
		}
		if len(missing) > 0 {
			fe.Add("ids", "must list every policy exactly once; missing "+strings.Join(missing, ", "))
		}
		if err := fe.Err(); err != nil {
			return err
		}
		now := s.now()
		for i, id := range in.IDs {
			if _, err := tx.ExecContext(ctx, `UPDATE sla_policies SET position = ?, updated_at = ? WHERE id = ?`, i+1, db.Millis(now), id); err != nil {
				return fmt.Errorf("sla: reorder policies: %w", err)
			}
		}
		order := make([]int64, 0, len(cur))
		for _, p := range cur {
			order = append(order, p.ID)
		}
		if err := audit.Record(ctx, tx, now, actor, "sla.policy.reorder", "", audit.Change(map[string]any{"ids": order}, map[string]any{"ids": in.IDs})); err != nil {
			return err
		}
		if err := s.enqueueRecompute(ctx, tx, now); err != nil {
			return err
		}
		out, err = listPolicies(ctx, tx)
		return err
	})
	return out, err
}

// enqueueRecompute queues the background refresh of every ticket's clock
// state after a rule changed, in the rule change's transaction.
func (s *Service) enqueueRecompute(ctx context.Context, tx *db.Tx, now time.Time) error {
	if _, err := jobs.Enqueue(ctx, tx, now, jobs.New{Kind: JobRecompute, Payload: recomputePayload{}}); err != nil {
		return err
	}
	if s.wake != nil {
		tx.AfterCommit(s.wake)
	}
	return nil
}
