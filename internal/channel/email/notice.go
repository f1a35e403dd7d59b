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

	"github.com/ombud/ombud/internal/automation"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/jobs"
)

// JobNotice is the job kind that sends one notification email.
const JobNotice = "email.notice"

type noticePayload struct {
	TicketID int64    `json:"ticket_id"`
	To       []string `json:"to"`
	Subject  string   `json:"subject"`
	Body     string   `json:"body"`
}

// QueueNotice queues a rule's notification email inside the rule run's
// transaction (automation.Mailer).
func (s *Service) QueueNotice(ctx context.Context, tx *db.Tx, n automation.Notice) error {
	if _, err := jobs.Enqueue(ctx, tx, s.now(), jobs.New{Kind: JobNotice, Key: n.Key,
		Payload: noticePayload{TicketID: n.TicketID, To: n.To, Subject: truncate(n.Subject, 500), Body: truncate(n.Body, 64<<10)}}); err != nil {
		return err
	}
	tx.AfterCommit(s.opts.Wake)
	return nil
}

// SendNotice is the job handler for JobNotice: a plain-text email from the
// ticket's mailbox, marked as automatic so no responder answers it.
func (s *Service) SendNotice(ctx context.Context, j jobs.Job) error {
	var p noticePayload
	if err := json.Unmarshal(j.Payload, &p); err != nil || len(p.To) == 0 {
		return jobs.Permanent(fmt.Errorf("email: bad notice payload %q", j.Payload))
	}
	var mailboxID, teamID sql.NullInt64
	// A notice about no ticket (a webhook switched off) goes out from the
	// default mailbox.
	if p.TicketID != 0 {
		err := s.db.QueryRowContext(ctx, `SELECT e.mailbox_id, t.team_id FROM tickets t LEFT JOIN email_tickets e ON e.ticket_id = t.id WHERE t.id = ?`, p.TicketID).
			Scan(&mailboxID, &teamID)
		if errors.Is(err, sql.ErrNoRows) {
			return jobs.Permanent(fmt.Errorf("email: notice for missing ticket %d", p.TicketID))
		}
		if err != nil {
			return fmt.Errorf("email: notice ticket %d: %w", p.TicketID, err)
		}
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
		Subject(p.Subject).
		Date(s.now()).
		Header("Message-ID", fmt.Sprintf("<ombud.notice.%d.%d@%s>", p.TicketID, j.ID, domainOf(mb.Address))).
		Header("Auto-Submitted", "auto-generated").
		Text([]byte(p.Body))
	if p.TicketID != 0 {
		b = b.Header("X-Ombud-Ticket", strconv.FormatInt(p.TicketID, 10))
	}
	for _, to := range p.To {
		b = b.To("", to)
	}
	part, err := b.Build()
	if err != nil {
		return jobs.Permanent(fmt.Errorf("email: build notice: %w", err))
	}
	var raw bytes.Buffer
	if err := encodeMail(part, &raw); err != nil {
		return fmt.Errorf("email: encode notice: %w", err)
	}
	if err := s.deliver(ctx, mb, p.To, raw.Bytes()); err != nil {
		if isPermanentSMTP(err) {
			return jobs.Permanent(err)
		}
		return err
	}
	return nil
}
