package email

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/jhillyerd/enmime/v2"

	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/jobs"
	"github.com/ombud/ombud/internal/nps"
)

// JobNPS is the job kind that mails one NPS survey.
const JobNPS = "email.nps"

type npsPayload struct {
	SendID  int64  `json:"send_id"`
	To      string `json:"to"`
	Subject string `json:"subject"`
	Text    string `json:"text"`
	HTML    string `json:"html"`
}

// QueueNPS queues an NPS survey mail inside the transaction that records
// the send (nps.Mailer).
func (s *Service) QueueNPS(ctx context.Context, tx *db.Tx, m nps.Mail) error {
	if _, err := jobs.Enqueue(ctx, tx, s.now(), jobs.New{Kind: JobNPS, Key: m.Key,
		Payload: npsPayload{SendID: m.SendID, To: m.To, Subject: truncate(m.Subject, 500), Text: m.Text, HTML: m.HTML}}); err != nil {
		return err
	}
	tx.AfterCommit(s.opts.Wake)
	return nil
}

// SendNPS is the job handler for JobNPS: a text and HTML message from the
// first mailbox (an NPS survey belongs to no ticket), marked automatic so
// no responder answers it.
func (s *Service) SendNPS(ctx context.Context, j jobs.Job) error {
	var p npsPayload
	if err := json.Unmarshal(j.Payload, &p); err != nil || p.To == "" {
		return jobs.Permanent(fmt.Errorf("email: bad nps payload %q", j.Payload))
	}
	mb, err := s.pickMailbox(ctx, s.db, sql.NullInt64{}, nil)
	if err != nil {
		return err
	}
	if mb.ID == 0 {
		return jobs.Permanent(errors.New("no mailbox is configured to send email from"))
	}
	part, err := enmime.Builder().
		From(mb.Name, mb.Address).
		To("", p.To).
		Subject(p.Subject).
		Date(s.now()).
		Header("Message-ID", fmt.Sprintf("<ombud.nps.%d.%d@%s>", p.SendID, j.ID, domainOf(mb.Address))).
		Header("Auto-Submitted", "auto-generated").
		Text([]byte(p.Text)).
		HTML([]byte(p.HTML)).
		Build()
	if err != nil {
		return jobs.Permanent(fmt.Errorf("email: build nps survey: %w", err))
	}
	var raw bytes.Buffer
	if err := encodeMail(part, &raw); err != nil {
		return fmt.Errorf("email: encode nps survey: %w", err)
	}
	if err := s.deliver(ctx, mb, []string{p.To}, raw.Bytes()); err != nil {
		if isPermanentSMTP(err) {
			return jobs.Permanent(err)
		}
		return err
	}
	return nil
}
