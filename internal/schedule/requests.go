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
)

// Request states.
const (
	Pending   = "pending"
	Approved  = "approved"
	Declined  = "declined"
	Cancelled = "cancelled"
)

// TimeOff is a time-off request.
type TimeOff struct {
	ID        int64      `json:"id"`
	AgentID   int64      `json:"agent_id"`
	AgentName string     `json:"agent_name"`
	From      string     `json:"from"` // YYYY-MM-DD, the agent's zone, inclusive
	To        string     `json:"to"`
	Reason    string     `json:"reason"`
	Status    string     `json:"status"`
	DecidedBy *int64     `json:"decided_by"`
	DecidedAt *time.Time `json:"decided_at"`
	CreatedAt time.Time  `json:"created_at"`
}

// TimeOffInput asks for time off; AgentID 0 is yourself (a lead may ask
// for someone else).
type TimeOffInput struct {
	AgentID int64  `json:"agent_id"`
	From    string `json:"from"`
	To      string `json:"to"`
	Reason  string `json:"reason"`
}

// Decision approves or declines a request.
type Decision struct {
	Status string `json:"status"` // approved or declined
}

const maxTimeOffDays = 92

// self resolves "0 means me" and checks that acting for someone else is a lead's.
func self(actor authz.Actor, id int64) (int64, error) {
	if id == 0 || id == actor.ID {
		if actor.Kind != authz.KindAgent {
			return 0, apperr.InvalidField("agent_id", "is required")
		}
		return actor.ID, nil
	}
	if err := authz.Check(actor, authz.ScheduleManage); err != nil {
		return 0, err
	}
	return id, nil
}

// RequestTimeOff files a pending request.
func (s *Service) RequestTimeOff(ctx context.Context, actor authz.Actor, in TimeOffInput) (TimeOff, error) {
	if err := authz.Check(actor, authz.ScheduleRead); err != nil {
		return TimeOff{}, err
	}
	agentID, err := self(actor, in.AgentID)
	if err != nil {
		return TimeOff{}, err
	}
	fe := apperr.FieldErrors{}
	from, okF := parseDate(in.From)
	to, okT := parseDate(in.To)
	if !okF {
		fe.Add("from", "must be a date (YYYY-MM-DD)")
	}
	if !okT {
		fe.Add("to", "must be a date (YYYY-MM-DD)")
	}
	if okF && okT && (to.Before(from) || to.Sub(from) > maxTimeOffDays*24*time.Hour) {
		fe.Add("to", "must be on or after the start, within 92 days")
	}
	in.Reason = strings.TrimSpace(in.Reason)
	if utf8.RuneCountInString(in.Reason) > maxNote {
		fe.Add("reason", "must be at most 200 characters")
	}
	if err := fe.Err(); err != nil {
		return TimeOff{}, err
	}
	now := s.now()
	var id int64
	err = s.db.Write(ctx, func(tx *db.Tx) error {
		if err := agentExists(ctx, tx, agentID); err != nil {
			return err
		}
		id, err = tx.InsertID(ctx, `INSERT INTO schedule_time_off (agent_id, from_day, to_day, reason, status, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
			agentID, from.Format(time.DateOnly), to.Format(time.DateOnly), in.Reason, Pending, db.Millis(now))
		if err != nil {
			return fmt.Errorf("schedule: request time off: %w", err)
		}
		return audit.Record(ctx, tx, now, actor, "schedule.time_off_request", fmt.Sprint(id), map[string]any{"agent_id": agentID, "from": in.From, "to": in.To})
	})
	if err != nil {
		return TimeOff{}, err
	}
	return s.getTimeOff(ctx, s.db, id)
}

const timeOffCols = `r.id, r.agent_id, a.name, r.from_day, r.to_day, r.reason, r.status, r.decided_by, r.decided_at, r.created_at`

func scanTimeOff(sc interface{ Scan(...any) error }) (TimeOff, error) {
	var t TimeOff
	var at sql.NullInt64
	var created int64
	if err := sc.Scan(&t.ID, &t.AgentID, &t.AgentName, &t.From, &t.To, &t.Reason, &t.Status, &t.DecidedBy, &at, &created); err != nil {
		return t, err
	}
	if at.Valid {
		d := db.Time(at.Int64)
		t.DecidedAt = &d
	}
	t.CreatedAt = db.Time(created)
	return t, nil
}

func (s *Service) getTimeOff(ctx context.Context, q db.Querier, id int64) (TimeOff, error) {
	t, err := scanTimeOff(q.QueryRowContext(ctx, `SELECT `+timeOffCols+` FROM schedule_time_off r JOIN agents a ON a.id = r.agent_id WHERE r.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return t, apperr.NotFound("time_off", id)
	}
	if err != nil {
		return t, fmt.Errorf("schedule: time off %d: %w", id, err)
	}
	return t, nil
}

// ListTimeOff lists requests, newest first: a lead sees everyone's, an
// agent their own. status "" is every state.
func (s *Service) ListTimeOff(ctx context.Context, actor authz.Actor, status string) ([]TimeOff, error) {
	if err := authz.Check(actor, authz.ScheduleRead); err != nil {
		return nil, err
	}
	if status != "" && status != Pending && status != Approved && status != Declined && status != Cancelled {
		return nil, apperr.InvalidField("status", "must be pending, approved, declined or cancelled")
	}
	q := `SELECT ` + timeOffCols + ` FROM schedule_time_off r JOIN agents a ON a.id = r.agent_id WHERE (? = '' OR r.status = ?)`
	args := []any{status, status}
	if !authz.Can(actor, authz.ScheduleManage) {
		q += ` AND r.agent_id = ?`
		args = append(args, actor.ID)
	}
	rows, err := s.db.QueryContext(ctx, q+` ORDER BY r.id DESC LIMIT 500`, args...)
	if err != nil {
		return nil, fmt.Errorf("schedule: time off: %w", err)
	}
	defer rows.Close()
	out := []TimeOff{}
	for rows.Next() {
		t, err := scanTimeOff(rows)
		if err != nil {
			return nil, fmt.Errorf("schedule: time off: %w", err)
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// DecideTimeOff approves or declines a pending request (leads). Approved
// time off takes the agent off their shifts on those days, so coverage and
// routing see the absence at once.
func (s *Service) DecideTimeOff(ctx context.Context, actor authz.Actor, id int64, d Decision) (TimeOff, error) {
	if err := authz.Check(actor, authz.ScheduleManage); err != nil {
		return TimeOff{}, err
	}
	if d.Status != Approved && d.Status != Declined {
		return TimeOff{}, apperr.InvalidField("status", "must be approved or declined")
	}
	err := s.decide(ctx, actor, "schedule_time_off", id, d.Status, "schedule.time_off_"+d.Status)
	if err != nil {
		return TimeOff{}, err
	}
	return s.getTimeOff(ctx, s.db, id)
}

// CancelTimeOff withdraws your own pending or approved request (a lead may
// withdraw anyone's).
func (s *Service) CancelTimeOff(ctx context.Context, actor authz.Actor, id int64) (TimeOff, error) {
	if err := authz.Check(actor, authz.ScheduleRead); err != nil {
		return TimeOff{}, err
	}
	t, err := s.getTimeOff(ctx, s.db, id)
	if err != nil {
		return t, err
	}
	if t.AgentID != actor.ID && !authz.Can(actor, authz.ScheduleManage) {
		return t, apperr.NotFound("time_off", id)
	}
	if err := s.decide(ctx, actor, "schedule_time_off", id, Cancelled, "schedule.time_off_cancel"); err != nil {
		return TimeOff{}, err
	}
	return s.getTimeOff(ctx, s.db, id)
}

// decide moves a request from pending (or, for a cancel, approved) to status.
func (s *Service) decide(ctx context.Context, actor authz.Actor, table string, id int64, status, action string) error {
	now := s.now()
	return s.db.Write(ctx, func(tx *db.Tx) error {
		var cur string
		err := tx.QueryRowContext(ctx, `SELECT status FROM `+table+` WHERE id = ?`, id).Scan(&cur)
		if errors.Is(err, sql.ErrNoRows) {
			return apperr.NotFound(strings.TrimPrefix(table, "schedule_"), id)
		}
		if err != nil {
			return fmt.Errorf("schedule: decide %d: %w", id, err)
		}
		if cur != Pending && (status != Cancelled || cur != Approved) {
			return apperr.Conflict("status", "is already "+cur)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE `+table+` SET status = ?, decided_by = ?, decided_at = ? WHERE id = ?`,
			status, actor.ID, db.Millis(now), id); err != nil {
			return fmt.Errorf("schedule: decide %d: %w", id, err)
		}
		return audit.Record(ctx, tx, now, actor, action, fmt.Sprint(id), nil)
	})
}

// SwapRequest is a proposed trade of two agents' shifts on one date.
type SwapRequest struct {
	ID            int64      `json:"id"`
	Date          string     `json:"date"`
	RequesterID   int64      `json:"requester_id"`
	RequesterName string     `json:"requester_name"`
	PartnerID     int64      `json:"partner_id"`
	PartnerName   string     `json:"partner_name"`
	Note          string     `json:"note"`
	Status        string     `json:"status"`
	DecidedBy     *int64     `json:"decided_by"`
	DecidedAt     *time.Time `json:"decided_at"`
	CreatedAt     time.Time  `json:"created_at"`
}

// SwapInput proposes a swap; RequesterID 0 is yourself.
type SwapInput struct {
	RequesterID int64  `json:"requester_id"`
	PartnerID   int64  `json:"partner_id"`
	Date        string `json:"date"`
	Note        string `json:"note"`
}

// RequestSwap files a pending swap: both agents must have a schedule.
func (s *Service) RequestSwap(ctx context.Context, actor authz.Actor, in SwapInput) (SwapRequest, error) {
	if err := authz.Check(actor, authz.ScheduleRead); err != nil {
		return SwapRequest{}, err
	}
	req, err := self(actor, in.RequesterID)
	if err != nil {
		return SwapRequest{}, err
	}
	fe := apperr.FieldErrors{}
	date, ok := parseDate(in.Date)
	if !ok {
		fe.Add("date", "must be a date (YYYY-MM-DD)")
	}
	if in.PartnerID <= 0 || in.PartnerID == req {
		fe.Add("partner_id", "must be another agent")
	}
	in.Note = strings.TrimSpace(in.Note)
	if utf8.RuneCountInString(in.Note) > maxNote {
		fe.Add("note", "must be at most 200 characters")
	}
	if err := fe.Err(); err != nil {
		return SwapRequest{}, err
	}
	now := s.now()
	var id int64
	err = s.db.Write(ctx, func(tx *db.Tx) error {
		if err := hasPattern(ctx, tx, req); err != nil {
			return err
		}
		if err := hasPattern(ctx, tx, in.PartnerID); err != nil {
			return apperr.InvalidField("partner_id", "has no schedule")
		}
		id, err = tx.InsertID(ctx, `INSERT INTO schedule_swaps (day, requester_id, partner_id, note, status, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
			date.Format(time.DateOnly), req, in.PartnerID, in.Note, Pending, db.Millis(now))
		if err != nil {
			return fmt.Errorf("schedule: request swap: %w", err)
		}
		return audit.Record(ctx, tx, now, actor, "schedule.swap_request", fmt.Sprint(id), map[string]any{"requester_id": req, "partner_id": in.PartnerID, "date": in.Date})
	})
	if err != nil {
		return SwapRequest{}, err
	}
	return s.getSwap(ctx, id)
}

const swapCols = `w.id, w.day, w.requester_id, ra.name, w.partner_id, pa.name, w.note, w.status, w.decided_by, w.decided_at, w.created_at`
const swapFrom = ` FROM schedule_swaps w JOIN agents ra ON ra.id = w.requester_id JOIN agents pa ON pa.id = w.partner_id`

func scanSwap(sc interface{ Scan(...any) error }) (SwapRequest, error) {
	var w SwapRequest
	var at sql.NullInt64
	var created int64
	if err := sc.Scan(&w.ID, &w.Date, &w.RequesterID, &w.RequesterName, &w.PartnerID, &w.PartnerName, &w.Note, &w.Status, &w.DecidedBy, &at, &created); err != nil {
		return w, err
	}
	if at.Valid {
		d := db.Time(at.Int64)
		w.DecidedAt = &d
	}
	w.CreatedAt = db.Time(created)
	return w, nil
}

func (s *Service) getSwap(ctx context.Context, id int64) (SwapRequest, error) {
	w, err := scanSwap(s.db.QueryRowContext(ctx, `SELECT `+swapCols+swapFrom+` WHERE w.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return w, apperr.NotFound("swap", id)
	}
	if err != nil {
		return w, fmt.Errorf("schedule: swap %d: %w", id, err)
	}
	return w, nil
}

// ListSwaps lists swaps, newest first: a lead sees all, an agent the ones
// they are in.
func (s *Service) ListSwaps(ctx context.Context, actor authz.Actor) ([]SwapRequest, error) {
	if err := authz.Check(actor, authz.ScheduleRead); err != nil {
		return nil, err
	}
	q, args := `SELECT `+swapCols+swapFrom, []any{}
	if !authz.Can(actor, authz.ScheduleManage) {
		q += ` WHERE w.requester_id = ? OR w.partner_id = ?`
		args = append(args, actor.ID, actor.ID)
	}
	rows, err := s.db.QueryContext(ctx, q+` ORDER BY w.id DESC LIMIT 500`, args...)
	if err != nil {
		return nil, fmt.Errorf("schedule: swaps: %w", err)
	}
	defer rows.Close()
	out := []SwapRequest{}
	for rows.Next() {
		w, err := scanSwap(rows)
		if err != nil {
			return nil, fmt.Errorf("schedule: swaps: %w", err)
		}
		out = append(out, w)
	}
	return out, rows.Err()
}

// DecideSwap approves or declines a pending swap (leads).
func (s *Service) DecideSwap(ctx context.Context, actor authz.Actor, id int64, d Decision) (SwapRequest, error) {
	if err := authz.Check(actor, authz.ScheduleManage); err != nil {
		return SwapRequest{}, err
	}
	if d.Status != Approved && d.Status != Declined {
		return SwapRequest{}, apperr.InvalidField("status", "must be approved or declined")
	}
	if err := s.decide(ctx, actor, "schedule_swaps", id, d.Status, "schedule.swap_"+d.Status); err != nil {
		return SwapRequest{}, err
	}
	return s.getSwap(ctx, id)
}
