package schedule

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
	"github.com/ombud/ombud/internal/sla"
	"github.com/ombud/ombud/internal/wfm"
)

// Calendars lists the business calendars (the SLA service): their holidays
// are days off for the agents whose pattern names them.
type Calendars interface {
	ListCalendars(ctx context.Context, actor authz.Actor) ([]sla.BusinessCalendar, error)
}

// Planner makes the staffing plan coverage is measured against (wfm.Service).
type Planner interface {
	Plan(ctx context.Context, actor authz.Actor, in wfm.PlanInput) (wfm.Plan, error)
}

// Service keeps schedules.
type Service struct {
	db   *db.DB
	now  func() time.Time
	cals Calendars
	plan Planner
}

// NewService returns the schedule service; cals and plan may be nil (no
// holidays; no coverage).
func NewService(d *db.DB, now func() time.Time, cals Calendars, plan Planner) *Service {
	return &Service{db: d, now: now, cals: cals, plan: plan}
}

// holidays gives each agent the holiday lookup of their pattern's calendar.
func (s *Service) holidays(ctx context.Context, agents []*Agent) error {
	if s.cals == nil {
		return nil
	}
	need := false
	for _, a := range agents {
		need = need || a.CalendarID != nil
	}
	if !need {
		return nil
	}
	// Holidays are not secret: everyone with a schedule sees their own.
	list, err := s.cals.ListCalendars(ctx, authz.System)
	if err != nil {
		return fmt.Errorf("schedule: calendars: %w", err)
	}
	byID := map[int64]func(time.Time) string{}
	for _, bc := range list {
		c, err := bc.Calendar()
		if err != nil {
			continue // a broken calendar gives no holidays rather than no schedule
		}
		hols := bc.Holidays
		byID[bc.ID] = func(d time.Time) string {
			if !c.IsHoliday(d.Year(), d.Month(), d.Day()) {
				return ""
			}
			ds := d.Format(time.DateOnly)
			for _, h := range hols {
				if h.Date == ds || (h.Yearly && len(h.Date) == 10 && h.Date[5:] == ds[5:]) {
					if h.Name != "" {
						return h.Name
					}
				}
			}
			return "holiday"
		}
	}
	for _, a := range agents {
		if a.CalendarID != nil {
			a.Holiday = byID[*a.CalendarID]
		}
	}
	return nil
}

// Pattern is an agent's weekly pattern as the API shows it.
type Pattern struct {
	AgentID    int64     `json:"agent_id"`
	AgentName  string    `json:"agent_name"`
	TimeZone   string    `json:"time_zone"`
	CalendarID *int64    `json:"calendar_id"`
	Days       [7]*Shift `json:"days"` // Sunday first (time.Weekday); null: off
	Scheduled  bool      `json:"scheduled"`
}

// PatternInput replaces an agent's weekly pattern.
type PatternInput struct {
	CalendarID *int64    `json:"calendar_id"`
	Days       [7]*Shift `json:"days"`
}

// GetPattern returns an agent's pattern (Scheduled false: no schedule yet).
func (s *Service) GetPattern(ctx context.Context, actor authz.Actor, agentID int64) (Pattern, error) {
	if err := authz.Check(actor, authz.ScheduleRead); err != nil {
		return Pattern{}, err
	}
	p := Pattern{AgentID: agentID}
	err := s.db.QueryRowContext(ctx, `SELECT name, time_zone FROM agents WHERE id = ?`, agentID).Scan(&p.AgentName, &p.TimeZone)
	if errors.Is(err, sql.ErrNoRows) {
		return Pattern{}, apperr.NotFound("agent", agentID)
	}
	if err != nil {
		return Pattern{}, fmt.Errorf("schedule: agent %d: %w", agentID, err)
	}
	err = s.db.QueryRowContext(ctx, `SELECT calendar_id FROM schedule_patterns WHERE agent_id = ?`, agentID).Scan(&p.CalendarID)
	if errors.Is(err, sql.ErrNoRows) {
		return p, nil
	}
	if err != nil {
		return Pattern{}, fmt.Errorf("schedule: pattern %d: %w", agentID, err)
	}
	p.Scheduled = true
	rows, err := s.db.QueryContext(ctx, `SELECT weekday, start_min, end_min, break_start_min, break_min FROM schedule_pattern_days WHERE agent_id = ?`, agentID)
	if err != nil {
		return Pattern{}, fmt.Errorf("schedule: pattern %d: %w", agentID, err)
	}
	defer rows.Close()
	for rows.Next() {
		var wd, st, en, bs, bm int
		if err := rows.Scan(&wd, &st, &en, &bs, &bm); err != nil {
			return Pattern{}, fmt.Errorf("schedule: pattern %d: %w", agentID, err)
		}
		if wd >= 0 && wd < 7 {
			p.Days[wd] = &Shift{Start: Clock(st), End: Clock(en % 1440), BreakStart: Clock(bs % 1440), BreakMinutes: bm}
		}
	}
	return p, rows.Err()
}

var weekdayKeys = [7]string{"sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"}

// SetPattern replaces an agent's weekly pattern (leads); from then on the
// agent has a schedule and routing checks it.
func (s *Service) SetPattern(ctx context.Context, actor authz.Actor, agentID int64, in PatternInput) (Pattern, error) {
	if err := authz.Check(actor, authz.ScheduleManage); err != nil {
		return Pattern{}, err
	}
	fe := apperr.FieldErrors{}
	for wd, sh := range in.Days {
		if sh != nil {
			if p := sh.Problem(); p != "" {
				fe.Add(weekdayKeys[wd], p)
			}
		}
	}
	if err := fe.Err(); err != nil {
		return Pattern{}, err
	}
	now := s.now()
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		if err := agentExists(ctx, tx, agentID); err != nil {
			return err
		}
		if in.CalendarID != nil {
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM business_calendars WHERE id = ?`, *in.CalendarID).Scan(&n); err != nil {
				return fmt.Errorf("schedule: calendar: %w", err)
			}
			if n == 0 {
				return apperr.InvalidField("calendar_id", "is not a business calendar")
			}
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO schedule_patterns (agent_id, calendar_id, updated_by, updated_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (agent_id) DO UPDATE SET calendar_id = excluded.calendar_id, updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
			agentID, in.CalendarID, actor.ID, db.Millis(now)); err != nil {
			return fmt.Errorf("schedule: set pattern %d: %w", agentID, err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM schedule_pattern_days WHERE agent_id = ?`, agentID); err != nil {
			return fmt.Errorf("schedule: set pattern %d: %w", agentID, err)
		}
		for wd, sh := range in.Days {
			if sh == nil {
				continue
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO schedule_pattern_days (agent_id, weekday, start_min, end_min, break_start_min, break_min) VALUES (?, ?, ?, ?, ?, ?)`,
				agentID, wd, int(sh.Start), int(sh.Start)+sh.Length(), int(sh.BreakStart), sh.BreakMinutes); err != nil {
				return fmt.Errorf("schedule: set pattern %d: %w", agentID, err)
			}
		}
		return audit.Record(ctx, tx, now, actor, "schedule.pattern_set", fmt.Sprint(agentID), nil)
	})
	if err != nil {
		return Pattern{}, err
	}
	return s.GetPattern(ctx, actor, agentID)
}

// DeletePattern takes an agent off the schedule (leads): routing no longer
// checks their shifts.
func (s *Service) DeletePattern(ctx context.Context, actor authz.Actor, agentID int64) error {
	if err := authz.Check(actor, authz.ScheduleManage); err != nil {
		return err
	}
	return s.db.Write(ctx, func(tx *db.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM schedule_patterns WHERE agent_id = ?`, agentID)
		if err != nil {
			return fmt.Errorf("schedule: delete pattern %d: %w", agentID, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return apperr.NotFound("schedule", agentID)
		}
		return audit.Record(ctx, tx, s.now(), actor, "schedule.pattern_delete", fmt.Sprint(agentID), nil)
	})
}

func agentExists(ctx context.Context, q db.Querier, id int64) error {
	var n int
	if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM agents WHERE id = ?`, id).Scan(&n); err != nil {
		return fmt.Errorf("schedule: agent %d: %w", id, err)
	}
	if n == 0 {
		return apperr.NotFound("agent", id)
	}
	return nil
}

// ChangeInput is a one-off change of an agent's day: a different shift, or
// a day off.
type ChangeInput struct {
	Date  string `json:"date"`
	Off   bool   `json:"off"`
	Shift *Shift `json:"shift"`
	Note  string `json:"note"`
}

const maxNote = 200

// SetChange sets one day of an agent's schedule (leads).
func (s *Service) SetChange(ctx context.Context, actor authz.Actor, agentID int64, in ChangeInput) error {
	if err := authz.Check(actor, authz.ScheduleManage); err != nil {
		return err
	}
	fe := apperr.FieldErrors{}
	date, ok := parseDate(in.Date)
	if !ok {
		fe.Add("date", "must be a date (YYYY-MM-DD)")
	}
	if !in.Off {
		if in.Shift == nil {
			fe.Add("shift", "is required unless the day is off")
		} else if p := in.Shift.Problem(); p != "" {
			fe.Add("shift", p)
		}
	}
	in.Note = strings.TrimSpace(in.Note)
	if utf8.RuneCountInString(in.Note) > maxNote {
		fe.Add("note", "must be at most 200 characters")
	}
	if err := fe.Err(); err != nil {
		return err
	}
	return s.db.Write(ctx, func(tx *db.Tx) error {
		if err := hasPattern(ctx, tx, agentID); err != nil {
			return err
		}
		if err := putOverride(ctx, tx, agentID, date, in.Off, in.Shift, in.Note, "manual", actor.ID, s.now()); err != nil {
			return err
		}
		return audit.Record(ctx, tx, s.now(), actor, "schedule.change", fmt.Sprint(agentID), map[string]any{"date": in.Date, "off": in.Off})
	})
}

// ClearChange removes a day's change: the pattern applies again (leads).
func (s *Service) ClearChange(ctx context.Context, actor authz.Actor, agentID int64, date string) error {
	if err := authz.Check(actor, authz.ScheduleManage); err != nil {
		return err
	}
	return s.db.Write(ctx, func(tx *db.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM schedule_overrides WHERE agent_id = ? AND day = ?`, agentID, date); err != nil {
			return fmt.Errorf("schedule: clear change: %w", err)
		}
		return audit.Record(ctx, tx, s.now(), actor, "schedule.change_clear", fmt.Sprint(agentID), map[string]any{"date": date})
	})
}

func hasPattern(ctx context.Context, q db.Querier, agentID int64) error {
	var n int
	if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM schedule_patterns WHERE agent_id = ?`, agentID).Scan(&n); err != nil {
		return fmt.Errorf("schedule: pattern %d: %w", agentID, err)
	}
	if n == 0 {
		return apperr.InvalidField("agent_id", "has no schedule yet: give them a weekly pattern first")
	}
	return nil
}

func putOverride(ctx context.Context, tx *db.Tx, agentID int64, date time.Time, off bool, sh *Shift, note, source string, by int64, now time.Time) error {
	var st, en, bs, bm int
	if !off && sh != nil {
		st, en, bs, bm = int(sh.Start), int(sh.Start)+sh.Length(), int(sh.BreakStart), sh.BreakMinutes
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO schedule_overrides (agent_id, day, off, start_min, end_min, break_start_min, break_min, note, source, updated_by, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (agent_id, day) DO UPDATE SET off = excluded.off, start_min = excluded.start_min, end_min = excluded.end_min,
		break_start_min = excluded.break_start_min, break_min = excluded.break_min, note = excluded.note, source = excluded.source,
		updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
		agentID, date.Format(time.DateOnly), off, st, en, bs, bm, note, source, by, db.Millis(now)); err != nil {
		return fmt.Errorf("schedule: change %d: %w", agentID, err)
	}
	return nil
}

// Roster is the team schedule for some days.
type Roster struct {
	From   string        `json:"from"`
	Dates  []string      `json:"dates"`
	Agents []RosterAgent `json:"agents"`
}

// RosterAgent is one agent's row of the roster.
type RosterAgent struct {
	ID       int64   `json:"agent_id"`
	Name     string  `json:"name"`
	TimeZone string  `json:"time_zone"`
	Days     []Day   `json:"days"`
	Hours    float64 `json:"hours"` // working hours, breaks excluded
}

const maxRosterDays = 42

// Roster resolves everyone's schedule for days days from from (everyone who
// works tickets may see it).
func (s *Service) Roster(ctx context.Context, actor authz.Actor, from string, days int) (Roster, error) {
	if err := authz.Check(actor, authz.ScheduleRead); err != nil {
		return Roster{}, err
	}
	f, ok := parseDate(from)
	if !ok {
		return Roster{}, apperr.InvalidField("from", "must be a date (YYYY-MM-DD)")
	}
	if days < 1 || days > maxRosterDays {
		return Roster{}, apperr.InvalidField("days", "must be between 1 and 42")
	}
	to := addDays(f, days-1)
	agents, res, err := s.resolve(ctx, s.db, f, to)
	if err != nil {
		return Roster{}, err
	}
	r := Roster{From: f.Format(time.DateOnly)}
	for d := f; !d.After(to); d = addDays(d, 1) {
		r.Dates = append(r.Dates, d.Format(time.DateOnly))
	}
	for _, a := range agents {
		ra := RosterAgent{ID: a.ID, Name: a.Name, TimeZone: a.Zone, Days: res[a.ID]}
		for _, d := range ra.Days {
			ra.Hours += d.WorkMinutes() / 60
		}
		r.Agents = append(r.Agents, ra)
	}
	return r, nil
}

// WeekStart is the Monday on or before date.
func WeekStart(date time.Time) time.Time {
	d := civil(date)
	return addDays(d, -((int(d.Weekday()) + 6) % 7))
}

// Today is today's date in loc, as UTC midnight.
func (s *Service) Today(loc *time.Location) time.Time { return civil(s.now().In(loc)) }

// Now is the service's clock (pages mark who is on shift now).
func (s *Service) Now() time.Time { return s.now() }
