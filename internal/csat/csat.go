// Package csat runs customer satisfaction surveys: after a ticket is
// solved (and a configured delay) the customer is asked to rate it, good
// or bad or 1–5, with an optional comment; one answer per ticket, which the
// customer may change until the ticket closes. Each request and answer is
// an event on the ticket (csat_requested, csat_rated, csat_commented), so
// history, triggers and report facts derive from the log like every other
// figure. Links are signed (token.go): answering needs no sign-in.
//
// The survey is channel-neutral: a survey row names its channel ("email"
// today); a portal or chat would create surveys the same way and render
// the same choices. docs/csat.md describes the behaviour.
package csat

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/audit"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/i18n"
	"github.com/ombud/ombud/internal/secret"
	"github.com/ombud/ombud/internal/ticket"
)

// Ticket events.
const (
	EvRequested = "csat_requested" // data: survey_id, channel, scale, to
	EvRated     = "csat_rated"     // data: score, previous_score, rating, previous_rating, scale, agent_id, comment, channel, survey_id
	EvCommented = "csat_commented" // data: comment, score, survey_id (the comment changed, the score did not)
)

// Scales.
const (
	ScaleGoodBad = "good_bad" // stored as 5 (good) or 1 (bad)
	ScaleFive    = "five"     // 1 … 5
)

// Channels a survey can be sent on. Only email exists today; the portal
// and chat reuse the same survey rows and choices.
const ChannelEmail = "email"

// Channels lists the survey channels the settings accept.
var Channels = []string{ChannelEmail}

// Limits.
const (
	MaxComment      = 2000
	MaxDelayMinutes = 30 * 24 * 60
	MaxThrottleDays = 365
)

// Good reports whether a score counts as a good rating: 4 or 5 on either
// scale (good is stored as 5, bad as 1).
func Good(score int) bool { return score >= 4 }

// Rating names a score "good" or "bad" ("" when unanswered).
func Rating(score int) string {
	switch {
	case score == 0:
		return ""
	case Good(score):
		return "good"
	}
	return "bad"
}

// Scores lists a scale's answers, best first.
func Scores(scale string) []int {
	if scale == ScaleFive {
		return []int{5, 4, 3, 2, 1}
	}
	return []int{5, 1}
}

// validScore reports whether score is an answer on scale.
func validScore(scale string, score int) bool {
	for _, s := range Scores(scale) {
		if s == score {
			return true
		}
	}
	return false
}

// ScoreLabel is the English catalog key naming a score on a scale.
func ScoreLabel(scale string, score int) string {
	if scale != ScaleFive {
		if Good(score) {
			return "Good, I'm satisfied"
		}
		return "Bad, I'm unsatisfied"
	}
	return [...]string{"", "1 – Very dissatisfied", "2 – Dissatisfied", "3 – Neither", "4 – Satisfied", "5 – Very satisfied"}[score]
}

// Settings are the survey settings (one row, edited by admins).
type Settings struct {
	Enabled      bool      `json:"enabled"`
	DelayMinutes int       `json:"delay_minutes"` // after the solve
	Scale        string    `json:"scale"`         // good_bad or five
	Channel      string    `json:"channel"`       // email
	ThrottleDays int       `json:"throttle_days"` // at most one survey per customer in this many days (0: no limit)
	UpdatedAt    time.Time `json:"updated_at"`
}

// Defaults are the settings before an admin saves any.
var Defaults = Settings{DelayMinutes: 24 * 60, Scale: ScaleGoodBad, Channel: ChannelEmail}

// Survey is one ticket's survey and its current answer.
type Survey struct {
	ID          int64      `json:"id"`
	TicketID    int64      `json:"ticket_id"`
	CustomerID  int64      `json:"customer_id"`
	Channel     string     `json:"channel"`
	Language    string     `json:"language"`
	Scale       string     `json:"scale"`
	RequestedAt time.Time  `json:"requested_at"`
	Score       int        `json:"score"` // 0: not answered
	Rating      string     `json:"rating"`
	Comment     string     `json:"comment"`
	RatedAt     *time.Time `json:"rated_at"`
	AgentID     int64      `json:"agent_id"` // the assignee when rated
}

// Tickets is what csat needs of the ticket service.
type Tickets interface {
	GetTx(ctx context.Context, tx *db.Tx, id int64) (ticket.Ticket, error)
	RecordTx(ctx context.Context, tx *db.Tx, actor authz.Actor, ticketID int64, typ string, data map[string]any) error
}

// People finds a customer's name and email address.
type People interface {
	CustomerEmail(ctx context.Context, q db.Querier, id int64) (name, email string, err error)
}

// Mail is one survey message for the outbound mail path.
type Mail struct {
	TicketID int64
	To       string
	Subject  string
	Text     string
	HTML     string
	Key      string // idempotency key
}

// Mailer queues a survey mail inside the transaction that records it.
type Mailer interface {
	QueueSurvey(ctx context.Context, tx *db.Tx, m Mail) error
}

// Service runs the surveys.
type Service struct {
	db      *db.DB
	now     func() time.Time
	tickets Tickets
	people  People
	mailer  Mailer
	box     *secret.Box
	tr      *i18n.Translator
	log     *slog.Logger
	baseURL string
	wake    func()
}

// NewService returns the survey service. box signs the links; baseURL is
// where customers reach Ombud (the links' prefix).
func NewService(d *db.DB, now func() time.Time, tickets Tickets, people People, box *secret.Box, baseURL string, log *slog.Logger) (*Service, error) {
	tr, err := i18n.New()
	if err != nil {
		return nil, fmt.Errorf("csat: %w", err)
	}
	return &Service{db: d, now: now, tickets: tickets, people: people, box: box, tr: tr, log: log, baseURL: baseURL}, nil
}

// SetMailer sets the outbound path of survey mail; wake (may be nil)
// makes the job runner look for the scheduled survey jobs at once.
func (s *Service) SetMailer(m Mailer, wake func()) { s.mailer, s.wake = m, wake }

// Settings returns the survey settings.
func (s *Service) Settings(ctx context.Context, actor authz.Actor) (Settings, error) {
	if err := authz.Check(actor, authz.AutomationRead); err != nil {
		return Settings{}, err
	}
	return loadSettings(ctx, s.db)
}

func loadSettings(ctx context.Context, q db.Querier) (Settings, error) {
	st := Defaults
	var updated int64
	err := q.QueryRowContext(ctx, `SELECT enabled, delay_minutes, scale, channel, throttle_days, updated_at FROM csat_settings WHERE id = 1`).
		Scan(&st.Enabled, &st.DelayMinutes, &st.Scale, &st.Channel, &st.ThrottleDays, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return Defaults, nil
	}
	if err != nil {
		return Settings{}, fmt.Errorf("csat: settings: %w", err)
	}
	st.UpdatedAt = db.Time(updated)
	return st, nil
}

// auditSettings is what the audit row compares: the settings without the
// time they were saved, which always differs.
func auditSettings(st Settings) map[string]any {
	return map[string]any{"enabled": st.Enabled, "delay_minutes": st.DelayMinutes, "scale": st.Scale, "channel": st.Channel, "throttle_days": st.ThrottleDays}
}

// SaveSettings validates and stores the settings, with an audit row.
func (s *Service) SaveSettings(ctx context.Context, actor authz.Actor, in Settings) (Settings, error) {
	if err := authz.Check(actor, authz.AutomationWrite); err != nil {
		return Settings{}, err
	}
	fe := apperr.FieldErrors{}
	if in.DelayMinutes < 0 || in.DelayMinutes > MaxDelayMinutes {
		fe.Add("delay_minutes", fmt.Sprintf("must be from 0 to %d minutes", MaxDelayMinutes))
	}
	if in.Scale != ScaleGoodBad && in.Scale != ScaleFive {
		fe.Add("scale", "must be good_bad or five")
	}
	if in.Channel == "" {
		in.Channel = ChannelEmail
	}
	if in.Channel != ChannelEmail {
		fe.Add("channel", "must be email")
	}
	if in.ThrottleDays < 0 || in.ThrottleDays > MaxThrottleDays {
		fe.Add("throttle_days", fmt.Sprintf("must be from 0 to %d days", MaxThrottleDays))
	}
	if err := fe.Err(); err != nil {
		return Settings{}, err
	}
	in.UpdatedAt = db.Time(db.Millis(s.now()))
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		before, err := loadSettings(ctx, tx)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO csat_settings (id, enabled, delay_minutes, scale, channel, throttle_days, updated_at)
			VALUES (1, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (id) DO UPDATE SET enabled = excluded.enabled, delay_minutes = excluded.delay_minutes, scale = excluded.scale,
				channel = excluded.channel, throttle_days = excluded.throttle_days, updated_at = excluded.updated_at`,
			in.Enabled, in.DelayMinutes, in.Scale, in.Channel, in.ThrottleDays, db.Millis(in.UpdatedAt)); err != nil {
			return fmt.Errorf("csat: save settings: %w", err)
		}
		return audit.Record(ctx, tx, s.now(), actor, "csat.settings", "csat", audit.Change(auditSettings(before), auditSettings(in)))
	})
	if err != nil {
		return Settings{}, err
	}
	return in, nil
}

const surveyCols = `id, ticket_id, customer_id, channel, language, scale, requested_at, score, comment, rated_at, agent_id`

func scanSurvey(sc interface{ Scan(...any) error }) (Survey, error) {
	var v Survey
	var req int64
	var rated sql.NullInt64
	if err := sc.Scan(&v.ID, &v.TicketID, &v.CustomerID, &v.Channel, &v.Language, &v.Scale, &req, &v.Score, &v.Comment, &rated, &v.AgentID); err != nil {
		return Survey{}, err
	}
	v.RequestedAt = db.Time(req)
	if rated.Valid {
		t := db.Time(rated.Int64)
		v.RatedAt = &t
	}
	v.Rating = Rating(v.Score)
	return v, nil
}

func surveyWhere(ctx context.Context, q db.Querier, where string, arg int64) (Survey, error) {
	v, err := scanSurvey(q.QueryRowContext(ctx, `SELECT `+surveyCols+` FROM csat_surveys WHERE `+where, arg))
	if errors.Is(err, sql.ErrNoRows) {
		return Survey{}, apperr.NotFound("survey", arg)
	}
	if err != nil {
		return Survey{}, fmt.Errorf("csat: survey: %w", err)
	}
	return v, nil
}

// ForTicket returns a ticket's survey (apperr not_found when none was sent).
func (s *Service) ForTicket(ctx context.Context, actor authz.Actor, ticketID int64) (Survey, error) {
	if err := authz.Check(actor, authz.TicketRead); err != nil {
		return Survey{}, err
	}
	return surveyWhere(ctx, s.db, `ticket_id = ?`, ticketID)
}
