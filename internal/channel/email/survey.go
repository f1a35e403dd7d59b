package email

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"github.com/jhillyerd/enmime/v2"

	"github.com/ombud/ombud/internal/csat"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/jobs"
)

// JobSurvey is the job kind that mails one satisfaction survey.
const JobSurvey = "email.survey"

type surveyPayload struct {
	TicketID int64  `json:"ticket_id"`
	To       string `json:"to"`
	Subject  string `json:"subject"`
	Text     string `json:"text"`
	HTML     string `json:"html"`
}

// QueueSurvey queues a survey mail inside the transaction that records the
// request (csat.Mailer): the csat_requested event and the mail commit
// together.
func (s *Service) QueueSurvey(ctx context.Context, tx *db.Tx, m csat.Mail) error {
	if _, err := jobs.Enqueue(ctx, tx, s.now(), jobs.New{Kind: JobSurvey, Key: m.Key,
		Payload: surveyPayload{TicketID: m.TicketID, To: m.To, Subject: truncate(m.Subject, 500), Text: m.Text, HTML: m.HTML}}); err != nil {
		return err
	}
	tx.AfterCommit(s.opts.Wake)
	return nil
}

// SendSurvey is the job handler for JobSurvey: a text and HTML message
// from the ticket's mailbox (else its team's, else the first), in the
// ticket's thread, marked automatic so no responder answers it.
func (s *Service) SendSurvey(ctx context.Context, j jobs.Job) error {
	var p surveyPayload
	if err := json.Unmarshal(j.Payload, &p); err != nil || p.To == "" {
		return jobs.Permanent(fmt.Errorf("email: bad survey payload %q", j.Payload))
	}
	var mailboxID, teamID sql.NullInt64
	err := s.db.QueryRowContext(ctx, `SELECT e.mailbox_id, t.team_id FROM tickets t LEFT JOIN email_tickets e ON e.ticket_id = t.id WHERE t.id = ?`, p.TicketID).
		Scan(&mailboxID, &teamID)
	if errors.Is(err, sql.ErrNoRows) {
		return jobs.Permanent(fmt.Errorf("email: survey for missing ticket %d", p.TicketID))
	}
	if err != nil {
		return fmt.Errorf("email: survey ticket %d: %w", p.TicketID, err)
	}
	var team *int64
	if teamID.Valid {
		team = &teamID.Int64
	}
	mb, err := s.pickMailbox(ctx, s.db, mailboxID, team)
	if err != nil {
		return err
	}
	if mb.ID == 0 {
		return jobs.Permanent(errors.New("no mailbox is configured to send email from"))
	}
	b := enmime.Builder().
		From(mb.Name, mb.Address).
		To("", p.To).
		Subject(p.Subject).
		Date(s.now()).
		Header("Message-ID", fmt.Sprintf("<ombud.survey.%d.%d@%s>", p.TicketID, j.ID, domainOf(mb.Address))).
		Header("Auto-Submitted", "auto-generated").
		Header("X-Ombud-Ticket", strconv.FormatInt(p.TicketID, 10)).
		Text([]byte(p.Text)).
		HTML([]byte(p.HTML))
	if refs := s.threadRefs(ctx, p.TicketID); refs != "" {
		b = b.Header("In-Reply-To", refs).Header("References", refs)
	}
	part, err := b.Build()
	if err != nil {
		return jobs.Permanent(fmt.Errorf("email: build survey: %w", err))
	}
	var raw bytes.Buffer
	if err := encodeMail(part, &raw); err != nil {
		return fmt.Errorf("email: encode survey: %w", err)
	}
	if err := s.deliver(ctx, mb, []string{p.To}, raw.Bytes()); err != nil {
		if isPermanentSMTP(err) {
			return jobs.Permanent(err)
		}
		return err
	}
	return nil
}

// threadRefs is the newest message id of the ticket's thread in <…>, so
// the survey lands in the customer's conversation ("" when none).
func (s *Service) threadRefs(ctx context.Context, ticketID int64) string {
	var id string
	err := s.db.QueryRowContext(ctx, `SELECT message_id FROM email_threads WHERE ticket_id = ? ORDER BY COALESCE(comment_id, 0) DESC LIMIT 1`, ticketID).Scan(&id)
	if err != nil || id == "" {
		return ""
	}
	return "<" + id + ">"
}
