package csat

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"strconv"
	"strings"
	"time"

	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/jobs"
	"github.com/ombud/ombud/internal/ticket"
)

// JobSurvey is the job kind that decides, after the delay, whether to
// survey a solved ticket and queues the message.
const JobSurvey = "csat.survey"

type surveyJob struct {
	TicketID int64 `json:"ticket_id"`
	SolveID  int64 `json:"solve_event_id"` // the solve that scheduled it
}

// Register handles the survey jobs on r.
func (s *Service) Register(r *jobs.Runner) { r.Handle(JobSurvey, s.RunSurvey) }

// TicketEvents schedules a survey when a ticket becomes solved, inside the
// solving transaction (ticket.EventHook): the job runs after the delay and
// decides then whether the survey still applies.
func (s *Service) TicketEvents(ctx context.Context, tx *db.Tx, ticketID int64, events []ticket.Event) error {
	var solve *ticket.Event
	for i, e := range events {
		// In the hook the value is still Go's (a ticket.Status); read as text.
		if e.Type == ticket.EvStatusChanged && fmt.Sprint(e.Data["to"]) == string(ticket.StatusSolved) {
			solve = &events[i]
		}
	}
	if solve == nil {
		return nil
	}
	st, err := loadSettings(ctx, tx)
	if err != nil || !st.Enabled {
		return err
	}
	if _, err := jobs.Enqueue(ctx, tx, s.now(), jobs.New{Kind: JobSurvey,
		Key:     fmt.Sprintf("%d:%d", ticketID, solve.ID),
		Payload: surveyJob{TicketID: ticketID, SolveID: solve.ID},
		RunAt:   s.now().Add(time.Duration(st.DelayMinutes) * time.Minute)}); err != nil {
		return fmt.Errorf("csat: schedule survey of ticket %d: %w", ticketID, err)
	}
	if s.wake != nil && st.DelayMinutes == 0 {
		tx.AfterCommit(s.wake)
	}
	return nil
}

// skip reasons, logged.
const (
	skipOff       = "surveys are off"
	skipReopened  = "the ticket is no longer solved since that solve"
	skipMerged    = "the ticket was merged into another"
	skipSurveyed  = "the ticket was surveyed before"
	skipThrottled = "the customer was surveyed recently"
	skipNoAddress = "the customer has no email address"
	skipNoMailer  = "no outbound mail path"
)

// RunSurvey is the JobSurvey handler: it surveys the ticket unless it was
// reopened (or solved again later) or merged away since the solve, already
// surveyed, or its customer was surveyed within the throttle interval;
// otherwise it records csat_requested and queues the mail in one
// transaction.
func (s *Service) RunSurvey(ctx context.Context, j jobs.Job) error {
	var p surveyJob
	if err := json.Unmarshal(j.Payload, &p); err != nil || p.TicketID <= 0 {
		return jobs.Permanent(fmt.Errorf("csat: bad survey payload %q", j.Payload))
	}
	var skipped string
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		skipped = ""
		why, err := s.survey(ctx, tx, p)
		skipped = why
		return err
	})
	if err != nil {
		return err
	}
	if skipped != "" && s.log != nil {
		s.log.Info("survey not sent", "ticket", p.TicketID, "reason", skipped)
	}
	return nil
}

func (s *Service) survey(ctx context.Context, tx *db.Tx, p surveyJob) (string, error) {
	st, err := loadSettings(ctx, tx)
	if err != nil {
		return "", err
	}
	if !st.Enabled {
		return skipOff, nil
	}
	if s.mailer == nil {
		return skipNoMailer, nil
	}
	t, err := s.tickets.GetTx(ctx, tx, p.TicketID)
	if err != nil {
		return "", jobs.Permanent(err)
	}
	if t.MergedIntoID != nil {
		return skipMerged, nil
	}
	if t.Status != ticket.StatusSolved {
		return skipReopened, nil
	}
	var last int64
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) FROM ticket_events WHERE ticket_id = ? AND type = ?`,
		t.ID, ticket.EvStatusChanged).Scan(&last); err != nil {
		return "", fmt.Errorf("csat: last status change: %w", err)
	}
	if last != p.SolveID {
		return skipReopened, nil // reopened since; a later solve has its own job
	}
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM csat_surveys WHERE ticket_id = ?`, t.ID).Scan(&n); err != nil {
		return "", fmt.Errorf("csat: surveyed: %w", err)
	}
	if n > 0 {
		return skipSurveyed, nil
	}
	if st.ThrottleDays > 0 {
		since := s.now().Add(-time.Duration(st.ThrottleDays) * 24 * time.Hour)
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM csat_surveys WHERE customer_id = ? AND requested_at > ?`,
			t.RequesterID, db.Millis(since)).Scan(&n); err != nil {
			return "", fmt.Errorf("csat: throttle: %w", err)
		}
		if n > 0 {
			return skipThrottled, nil
		}
	}
	name, to, err := s.people.CustomerEmail(ctx, tx, t.RequesterID)
	if err != nil {
		return "", err
	}
	if to == "" {
		return skipNoAddress, nil
	}
	lang, err := s.customerLang(ctx, tx, t)
	if err != nil {
		return "", err
	}
	now := s.now()
	id, err := tx.InsertID(ctx, `INSERT INTO csat_surveys (ticket_id, customer_id, channel, language, scale, requested_at) VALUES (?, ?, ?, ?, ?, ?)`,
		t.ID, t.RequesterID, st.Channel, lang, st.Scale, db.Millis(now))
	if err != nil {
		return "", fmt.Errorf("csat: create survey: %w", err)
	}
	if err := s.tickets.RecordTx(ctx, tx, authz.System, t.ID, EvRequested, map[string]any{
		"survey_id": id, "channel": st.Channel, "scale": st.Scale, "to": to}); err != nil {
		return "", err
	}
	m := s.compose(lang, t, name, to, id, st.Scale, now.Add(LinkTTL))
	m.Key = "survey:" + strconv.FormatInt(id, 10)
	return "", s.mailer.QueueSurvey(ctx, tx, m)
}

// customerLang is the language the customer reads: the ticket's, else
// the customer's own locale, else English.
func (s *Service) customerLang(ctx context.Context, q db.Querier, t ticket.Ticket) (string, error) {
	if t.Language != "" {
		return s.tr.Match(t.Language), nil
	}
	var locale string
	err := q.QueryRowContext(ctx, `SELECT locale FROM customers WHERE id = ?`, t.RequesterID).Scan(&locale)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("csat: customer locale: %w", err)
	}
	return s.tr.Match(locale), nil
}

// Choice is one answer on a survey: its label and link.
type Choice struct {
	Score int
	Label string
	Link  string
	Good  bool
}

var mailHTML = template.Must(template.New("survey").Parse(`<!doctype html>
<html lang="{{.Lang}}"><body style="font-family: sans-serif; line-height: 1.5">
<p>{{.Hello}}</p>
<p>{{.Intro}}</p>
<p>{{range .Choices}}<a href="{{.Link}}" style="display: inline-block; margin: 0 8px 8px 0; padding: 8px 14px; border-radius: 6px; text-decoration: none; color: #fff; background: {{if .Good}}#1f7a3d{{else}}#9a2a2a{{end}}">{{.Label}}</a> {{end}}</p>
<p style="color: #555">{{.Outro}}</p>
</body></html>`))

// compose writes the survey mail in lang.
func (s *Service) compose(lang string, t ticket.Ticket, name, to string, surveyID int64, scale string, expires time.Time) Mail {
	T := func(key string, args ...any) string { return s.tr.T(lang, key, args...) }
	var choices []Choice
	for _, sc := range Scores(scale) {
		choices = append(choices, Choice{Score: sc, Label: s.tr.String(lang, ScoreLabel(scale, sc)), Link: s.Link(s.Sign(surveyID, sc, expires)), Good: Good(sc)})
	}
	hello := T("Hello %s,", name)
	if name == "" {
		hello = T("Hello,")
	}
	intro := T("Your request “%s” (#%d) is solved. How would you rate the help you got?", t.Subject, t.ID)
	outro := T("One click records your answer. You can add a comment or change your answer until the request is closed.")
	var text strings.Builder
	fmt.Fprintf(&text, "%s\n\n%s\n\n", hello, intro)
	for _, c := range choices {
		fmt.Fprintf(&text, "%s:\n%s\n\n", c.Label, c.Link)
	}
	fmt.Fprintf(&text, "%s\n", outro)
	var html bytes.Buffer
	_ = mailHTML.Execute(&html, map[string]any{"Lang": lang, "Hello": hello, "Intro": intro, "Choices": choices, "Outro": outro})
	return Mail{TicketID: t.ID, To: to, Subject: T("How did we do? Request #%d", t.ID), Text: text.String(), HTML: html.String()}
}

// Preview is the survey mail as a customer reading lang would get it for
// a sample ticket, for the settings page (the links lead nowhere).
func (s *Service) Preview(lang, scale string) Mail {
	t := ticket.Ticket{ID: 1234, Subject: s.tr.T(lang, "My order has not arrived")}
	m := s.compose(s.tr.Match(lang), t, "Kari Nordmann", "kari@example.com", 0, scale, s.now().Add(LinkTTL))
	return m
}
