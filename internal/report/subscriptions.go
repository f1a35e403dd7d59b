package report

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/audit"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/db"
)

// Summary frequencies.
const (
	Weekly  = "weekly"
	Monthly = "monthly"
)

// SummariesName is the hourly job that sends the scheduled summaries.
const SummariesName = "report.summaries"

// SendHour is the local hour (in the subscriber's time zone) from which a
// finished period's summary is sent: Monday 06:00 for the week before,
// the 1st at 06:00 for the month before.
const SendHour = 6

// Subscription asks for a summary mail every week or month, of one team
// or (TeamID 0) of every team. Agents subscribe themselves.
type Subscription struct {
	ID        int64  `json:"id"`
	AgentID   int64  `json:"agent_id"`
	Frequency string `json:"frequency"` // weekly or monthly
	TeamID    int64  `json:"team_id"`   // 0: all teams
	// LastPeriod names the latest period sent (2026-W42, 2026-10), or the
	// one already over when the agent subscribed, which is not sent.
	LastPeriod string    `json:"last_period"`
	CreatedAt  time.Time `json:"created_at"`
}

// SubscriptionInput subscribes the signed-in agent.
type SubscriptionInput struct {
	Frequency string `json:"frequency"`
	TeamID    int64  `json:"team_id"`
}

const subCols = `id, agent_id, frequency, team_id, last_period, created_at`

func scanSub(sc interface{ Scan(...any) error }) (Subscription, error) {
	var s Subscription
	var c int64
	if err := sc.Scan(&s.ID, &s.AgentID, &s.Frequency, &s.TeamID, &s.LastPeriod, &c); err != nil {
		return Subscription{}, err
	}
	s.CreatedAt = db.Time(c)
	return s, nil
}

// agentZone reads an agent's time zone (UTC when unknown or unreadable).
func agentZone(ctx context.Context, q db.Querier, id int64) (*time.Location, error) {
	var tz string
	err := q.QueryRowContext(ctx, `SELECT time_zone FROM agents WHERE id = ?`, id).Scan(&tz)
	if errors.Is(err, sql.ErrNoRows) {
		return time.UTC, nil
	}
	if err != nil {
		return nil, fmt.Errorf("report: agent %d zone: %w", id, err)
	}
	return zone(tz), nil
}

func zone(tz string) *time.Location {
	if l, err := time.LoadLocation(tz); err == nil && tz != "" && tz != "Local" {
		return l
	}
	return time.UTC
}

// duePeriod returns the latest period of freq whose summary is due at now
// in loc: [from, to) and its name (2026-W42 for an ISO week, 2026-10 for a
// month). A period's summary is due from SendHour on the day after it.
func duePeriod(now time.Time, loc *time.Location, freq string) (from, to time.Time, key string) {
	l := now.In(loc)
	if freq == Monthly {
		to = time.Date(l.Year(), l.Month(), 1, 0, 0, 0, 0, loc)
		if l.Before(time.Date(l.Year(), l.Month(), 1, SendHour, 0, 0, 0, loc)) {
			to = to.AddDate(0, -1, 0)
		}
		from = to.AddDate(0, -1, 0)
		return from, to, from.Format("2006-01")
	}
	to = bucketStart(now, loc, Week)
	if l.Before(time.Date(to.Year(), to.Month(), to.Day(), SendHour, 0, 0, 0, loc)) {
		to = to.AddDate(0, 0, -7)
	}
	from = to.AddDate(0, 0, -7)
	y, w := from.ISOWeek()
	return from, to, fmt.Sprintf("%04d-W%02d", y, w)
}

// previousPeriod is the period of freq just before [from, to).
func previousPeriod(from time.Time, freq string) time.Time {
	if freq == Monthly {
		return from.AddDate(0, -1, 0)
	}
	return from.AddDate(0, 0, -7)
}

// Subscribe asks for the actor's own weekly or monthly summary. The first
// mail covers the first period that ends after subscribing.
func (s *Service) Subscribe(ctx context.Context, actor authz.Actor, in SubscriptionInput) (Subscription, error) {
	if err := authz.Check(actor, authz.ReportRead); err != nil {
		return Subscription{}, err
	}
	if actor.Kind != authz.KindAgent {
		return Subscription{}, apperr.Forbidden("only agents receive summaries")
	}
	fe := apperr.FieldErrors{}
	switch in.Frequency {
	case Weekly, Monthly:
	case "":
		fe.Add("frequency", "is required: weekly or monthly")
	default:
		fe.Add("frequency", "must be weekly or monthly")
	}
	if in.TeamID < 0 {
		fe.Add("team_id", "must be a team id, or 0 for all teams")
	}
	if err := fe.Err(); err != nil {
		return Subscription{}, err
	}
	now := s.now()
	var out Subscription
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		ok, err := teamExists(ctx, tx, in.TeamID)
		if err != nil {
			return err
		}
		if !ok {
			return apperr.Unprocessable("team_id", "no such team")
		}
		var one int
		err = tx.QueryRowContext(ctx, `SELECT 1 FROM report_subscriptions WHERE agent_id = ? AND frequency = ? AND team_id = ?`,
			actor.ID, in.Frequency, in.TeamID).Scan(&one)
		if err == nil {
			return apperr.Conflict("frequency", "you already receive this summary")
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("report: subscription lookup: %w", err)
		}
		loc, err := agentZone(ctx, tx, actor.ID)
		if err != nil {
			return err
		}
		_, _, key := duePeriod(now, loc, in.Frequency)
		id, err := tx.InsertID(ctx, `INSERT INTO report_subscriptions (agent_id, frequency, team_id, last_period, created_at) VALUES (?, ?, ?, ?, ?)`,
			actor.ID, in.Frequency, in.TeamID, key, db.Millis(now))
		if db.IsUniqueViolation(err) {
			return apperr.Conflict("frequency", "you already receive this summary")
		}
		if err != nil {
			return fmt.Errorf("report: subscribe: %w", err)
		}
		out, err = scanSub(tx.QueryRowContext(ctx, `SELECT `+subCols+` FROM report_subscriptions WHERE id = ?`, id))
		if err != nil {
			return fmt.Errorf("report: subscription %d: %w", id, err)
		}
		return audit.Record(ctx, tx, now, actor, "report_subscription.create", subTarget(out), audit.Change(nil, out))
	})
	return out, err
}

// subTarget names a subscription in the audit log: id, whose, how often.
func subTarget(sub Subscription) string {
	return fmt.Sprintf("report_subscription:%d agent:%d %s", sub.ID, sub.AgentID, sub.Frequency)
}

// canSeeAll: admins see and remove everyone's subscriptions.
func canSeeAll(a authz.Actor) bool { return a.Kind == authz.KindSystem || a.Role == authz.Admin }

// ListSubscriptions lists the actor's own subscriptions, or with all (for
// admins only) everyone's.
func (s *Service) ListSubscriptions(ctx context.Context, actor authz.Actor, all bool) ([]Subscription, error) {
	if err := authz.Check(actor, authz.ReportRead); err != nil {
		return nil, err
	}
	if all && !canSeeAll(actor) {
		return nil, apperr.Forbidden("only admins list everyone's subscriptions")
	}
	q := `SELECT ` + subCols + ` FROM report_subscriptions`
	var args []any
	if !all {
		q += ` WHERE agent_id = ?`
		args = append(args, actor.ID)
	}
	rows, err := s.db.QueryContext(ctx, q+` ORDER BY agent_id, frequency DESC, team_id`, args...)
	if err != nil {
		return nil, fmt.Errorf("report: subscriptions: %w", err)
	}
	defer rows.Close()
	out := []Subscription{}
	for rows.Next() {
		sub, err := scanSub(rows)
		if err != nil {
			return nil, fmt.Errorf("report: subscriptions: %w", err)
		}
		out = append(out, sub)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("report: subscriptions: %w", err)
	}
	return out, nil
}

// Unsubscribe deletes one of the actor's subscriptions (admins: anyone's).
// Another agent's subscription is not found.
func (s *Service) Unsubscribe(ctx context.Context, actor authz.Actor, id int64) error {
	if err := authz.Check(actor, authz.ReportRead); err != nil {
		return err
	}
	return s.db.Write(ctx, func(tx *db.Tx) error {
		q, args := `SELECT `+subCols+` FROM report_subscriptions WHERE id = ?`, []any{id}
		if !canSeeAll(actor) {
			q += ` AND agent_id = ?`
			args = append(args, actor.ID)
		}
		before, err := scanSub(tx.QueryRowContext(ctx, q, args...))
		if errors.Is(err, sql.ErrNoRows) {
			return apperr.NotFound("subscription", id)
		}
		if err != nil {
			return fmt.Errorf("report: unsubscribe %d: %w", id, err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM report_subscriptions WHERE id = ?`, id); err != nil {
			return fmt.Errorf("report: unsubscribe %d: %w", id, err)
		}
		return audit.Record(ctx, tx, s.now(), actor, "report_subscription.delete", subTarget(before), audit.Change(before, nil))
	})
}

// Mail is one summary email.
type Mail struct {
	To      string
	Subject string
	Text    string // plain-text body
	HTML    string // the same as a simple, escaped HTML page
	TeamID  int64  // the team it covers (0: all), which picks the sending mailbox
	Key     string // idempotency: one mail per subscription and period
}

// Mailer queues summary mail inside the caller's transaction (the email
// channel implements it with its outbox) and says where agents reach
// Ombud, for links.
type Mailer interface {
	QueueSummary(ctx context.Context, tx *db.Tx, m Mail) error
	BaseURL() string
}

// SetMailer connects the scheduled summaries to the email channel; without
// one no summary is sent (and none is marked sent).
func (s *Service) SetMailer(m Mailer) { s.mailer = m }

// dueSub is a subscription with what sending it needs.
type dueSub struct {
	Subscription
	email, name, tz string
	locale          string // the summary's language
	role            authz.Role
}

// SendSummaries queues the summaries due at now: for each subscription of
// an active agent whose role still reads reports, the latest finished week or month in the agent's time
// zone (from SendHour on the day after), if it was not sent yet. Periods
// missed while nothing ran are not sent late. Each mail is queued in the
// transaction that advances the subscription's last_period, conditional
// on its old value, so a retry or a second instance never sends twice.
func (s *Service) SendSummaries(ctx context.Context, now time.Time) error {
	if s.mailer == nil {
		return nil
	}
	rows, err := s.db.QueryContext(ctx, `SELECT s.id, s.agent_id, s.frequency, s.team_id, s.last_period, s.created_at, a.email, a.name, a.time_zone, a.role, a.locale
		FROM report_subscriptions s JOIN agents a ON a.id = s.agent_id WHERE a.active ORDER BY s.id`)
	if err != nil {
		return fmt.Errorf("report: due summaries: %w", err)
	}
	var subs []dueSub
	for rows.Next() {
		var d dueSub
		var c int64
		if err := rows.Scan(&d.ID, &d.AgentID, &d.Frequency, &d.TeamID, &d.LastPeriod, &c, &d.email, &d.name, &d.tz, &d.role, &d.locale); err != nil {
			rows.Close()
			return fmt.Errorf("report: due summaries: %w", err)
		}
		d.CreatedAt = db.Time(c)
		subs = append(subs, d)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("report: due summaries: %w", err)
	}
	var errs []error
	for _, d := range subs {
		loc := zone(d.tz)
		from, to, key := duePeriod(now, loc, d.Frequency)
		if key <= d.LastPeriod || d.email == "" {
			continue
		}
		if !authz.Can(authz.Actor{Kind: authz.KindAgent, ID: d.AgentID, Role: d.role}, authz.ReportRead) {
			continue // the agent's role no longer reads reports
		}
		m, err := s.summaryMail(ctx, d, loc, from, to, key)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		err = s.db.Write(ctx, func(tx *db.Tx) error {
			res, err := tx.ExecContext(ctx, `UPDATE report_subscriptions SET last_period = ? WHERE id = ? AND last_period = ?`, key, d.ID, d.LastPeriod)
			if err != nil {
				return fmt.Errorf("report: mark summary %d sent: %w", d.ID, err)
			}
			if n, _ := res.RowsAffected(); n == 0 {
				return nil // sent meanwhile, or unsubscribed
			}
			return s.mailer.QueueSummary(ctx, tx, m)
		})
		if err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
