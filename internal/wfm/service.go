package wfm

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/audit"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/sla"
)

// Channels are the ticket channels a forecast can be made for.
var Channels = []string{"phone", "chat", "email", "web", "social", "api"}

// Calendars lists the business calendars (the SLA service): the first one
// gives the forecast its time zone and holidays.
type Calendars interface {
	ListCalendars(ctx context.Context, actor authz.Actor) ([]sla.BusinessCalendar, error)
}

// Service makes staffing plans from the ticket history.
type Service struct {
	db   *db.DB
	now  func() time.Time
	cals Calendars
}

// NewService returns the workforce service; cals may be nil (UTC, no
// holidays).
func NewService(d *db.DB, now func() time.Time, cals Calendars) *Service {
	return &Service{db: d, now: now, cals: cals}
}

// History counts the tickets created on channel per local 30-minute
// interval for days days from the date from, in loc. The database groups by
// UTC interval; the shift to local time happens here, which is exact for
// zones whose offset is a whole number of half hours.
func (s *Service) History(ctx context.Context, channel string, loc *time.Location, from time.Time, days int) (Series, error) {
	start := time.Date(from.Year(), from.Month(), from.Day(), 0, 0, 0, 0, loc)
	end := time.Date(from.Year(), from.Month(), from.Day()+days, 0, 0, 0, 0, loc)
	ser := Series{Start: addDays(from, 0), Days: make([][Slots]float64, days)}
	rows, err := s.db.QueryContext(ctx, `SELECT e.at / 1800000, COUNT(*) FROM ticket_events e JOIN tickets t ON t.id = e.ticket_id
		WHERE e.type = 'created' AND t.channel = ? AND e.at >= ? AND e.at < ? GROUP BY e.at / 1800000`,
		channel, db.Millis(start), db.Millis(end))
	if err != nil {
		return ser, fmt.Errorf("wfm: history: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var slot, n int64
		if err := rows.Scan(&slot, &n); err != nil {
			return ser, fmt.Errorf("wfm: history: %w", err)
		}
		t := time.UnixMilli(slot * 1800000).In(loc)
		d := int(math.Round(addDays(time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC), 0).Sub(ser.Start).Hours() / 24))
		if d < 0 || d >= days {
			continue
		}
		ser.Days[d][t.Hour()*2+t.Minute()/30] += float64(n)
	}
	if err := rows.Err(); err != nil {
		return ser, fmt.Errorf("wfm: history: %w", err)
	}
	return ser, nil
}

// StoredAdjustment is a manual forecast adjustment as stored.
type StoredAdjustment struct {
	ID      int64  `json:"id"`
	Channel string `json:"channel"`
	From    string `json:"from"` // YYYY-MM-DD
	To      string `json:"to"`
	Percent int    `json:"percent"`
	Note    string `json:"note"`
}

// AdjustmentInput adds a manual adjustment.
type AdjustmentInput struct {
	Channel string `json:"channel"`
	From    string `json:"from"`
	To      string `json:"to"`
	Percent int    `json:"percent"`
	Note    string `json:"note"`
}

// Bounds of an adjustment.
const (
	minPercent  = -100
	maxPercent  = 1000
	maxNote     = 200
	maxSpanDays = 366
)

// AddAdjustment stores a manual adjustment (report.write: managers and
// admins), audited.
func (s *Service) AddAdjustment(ctx context.Context, actor authz.Actor, in AdjustmentInput) (StoredAdjustment, error) {
	if err := authz.Check(actor, authz.ReportWrite); err != nil {
		return StoredAdjustment{}, err
	}
	fe := apperr.FieldErrors{}
	if !slices.Contains(Channels, in.Channel) {
		fe.Add("channel", "is not a channel")
	}
	from, errF := time.Parse(time.DateOnly, strings.TrimSpace(in.From))
	to, errT := time.Parse(time.DateOnly, strings.TrimSpace(in.To))
	if errF != nil {
		fe.Add("from", "must be a date (YYYY-MM-DD)")
	}
	if errT != nil {
		fe.Add("to", "must be a date (YYYY-MM-DD)")
	}
	if errF == nil && errT == nil && (to.Before(from) || to.Sub(from) > maxSpanDays*24*time.Hour) {
		fe.Add("to", "must be on or after the start, within a year")
	}
	if in.Percent < minPercent || in.Percent > maxPercent || in.Percent == 0 {
		fe.Add("percent", "must be between -100 and 1000, not 0")
	}
	in.Note = strings.TrimSpace(in.Note)
	if utf8.RuneCountInString(in.Note) > maxNote {
		fe.Add("note", "must be at most 200 characters")
	}
	if err := fe.Err(); err != nil {
		return StoredAdjustment{}, err
	}
	a := StoredAdjustment{Channel: in.Channel, From: from.Format(time.DateOnly), To: to.Format(time.DateOnly), Percent: in.Percent, Note: in.Note}
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		id, err := tx.InsertID(ctx, `INSERT INTO wfm_adjustments (channel, from_date, to_date, percent, note, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			a.Channel, a.From, a.To, a.Percent, a.Note, actor.ID, db.Millis(s.now()))
		if err != nil {
			return fmt.Errorf("wfm: add adjustment: %w", err)
		}
		a.ID = id
		return audit.Record(ctx, tx, s.now(), actor, "wfm_adjustment.create", fmt.Sprint(id), audit.Change(nil, a))
	})
	return a, err
}

// Adjustments lists the channel's adjustments that end on or after since.
func (s *Service) Adjustments(ctx context.Context, actor authz.Actor, channel string, since time.Time) ([]StoredAdjustment, error) {
	if err := authz.Check(actor, authz.ReportRead); err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, `SELECT id, channel, from_date, to_date, percent, note FROM wfm_adjustments
		WHERE channel = ? AND to_date >= ? ORDER BY from_date, id LIMIT 500`, channel, since.Format(time.DateOnly))
	if err != nil {
		return nil, fmt.Errorf("wfm: adjustments: %w", err)
	}
	defer rows.Close()
	var out []StoredAdjustment
	for rows.Next() {
		var a StoredAdjustment
		if err := rows.Scan(&a.ID, &a.Channel, &a.From, &a.To, &a.Percent, &a.Note); err != nil {
			return nil, fmt.Errorf("wfm: adjustments: %w", err)
		}
		out = append(out, a)
	}
	return out, rows.Err()
}
