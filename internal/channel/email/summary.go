package email

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/jhillyerd/enmime/v2"

	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/jobs"
	"github.com/ombud/ombud/internal/report"
)

// JobSummary is the job kind that sends one scheduled report summary.
const JobSummary = "email.summary"

type summaryPayload struct {
	To      string `json:"to"`
	Subject string `json:"subject"`
	Text    string `json:"text"`
	HTML    string `json:"html"`
	TeamID  int64  `json:"team_id"`
}

// QueueSummary queues a report summary inside the transaction that marks
// it sent (report.Mailer), through the same outbox as notices.
func (s *Service) QueueSummary(ctx context.Context, tx *db.Tx, m report.Mail) error {
	if _, err := jobs.Enqueue(ctx, tx, s.now(), jobs.New{Kind: JobSummary, Key: m.Key,
		Payload: summaryPayload{To: m.To, Subject: truncate(m.Subject, 500), Text: truncate(m.Text, 256<<10),
			HTML: truncate(m.HTML, 512<<10), TeamID: m.TeamID}}); err != nil {
		return err
	}
	tx.AfterCommit(s.opts.Wake)
	return nil
}

// BaseURL is where agents reach Ombud ("" when not configured), for links
// in mail other services write (report.Mailer).
func (s *Service) BaseURL() string { return strings.TrimRight(s.opts.BaseURL, "/") }

// SendSummary is the job handler for JobSummary: a text and HTML email
// from the team's mailbox (else the first active one), marked automatic.
func (s *Service) SendSummary(ctx context.Context, j jobs.Job) error {
	var p summaryPayload
	if err := json.Unmarshal(j.Payload, &p); err != nil || p.To == "" {
		return jobs.Permanent(fmt.Errorf("email: bad summary payload %q", j.Payload))
	}
	var team *int64
	if p.TeamID != 0 {
		team = &p.TeamID
	}
	mb, err := s.pickMailbox(ctx, s.db, sql.NullInt64{}, team)
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
		Header("Message-ID", fmt.Sprintf("<ombud.summary.%d@%s>", j.ID, domainOf(mb.Address))).
		Header("Auto-Submitted", "auto-generated").
		Text([]byte(p.Text))
	if p.HTML != "" {
		b = b.HTML([]byte(p.HTML))
	}
	part, err := b.Build()
	if err != nil {
		return jobs.Permanent(fmt.Errorf("email: build summary: %w", err))
	}
	var raw bytes.Buffer
	if err := encodeMail(part, &raw); err != nil {
		return fmt.Errorf("email: encode summary: %w", err)
	}
	if err := s.deliver(ctx, mb, []string{p.To}, raw.Bytes()); err != nil {
		if isPermanentSMTP(err) {
			return jobs.Permanent(err)
		}
		return err
	}
	return nil
}
