package app

import (
	"context"
	"strings"

	"github.com/ombud/ombud/internal/automation"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/pulse"
)

// wirePulse builds team pulse surveys; invitations go out through the
// email outbox as notices, in the same transaction as the survey.
func (s *System) wirePulse() error {
	base := s.Config.BaseURL
	if base == "" {
		base = "http://" + s.Config.Addr // the documented default of --base-url
	}
	svc, err := pulse.NewService(s.DB, s.Now, strings.TrimRight(base, "/"), s.Log.With("component", "pulse"))
	if err != nil {
		return err
	}
	svc.SetMailer(pulseMail{s})
	s.Pulse = svc
	return nil
}

// pulseMail queues invitations as notice emails (no ticket).
type pulseMail struct{ s *System }

func (m pulseMail) QueuePulse(ctx context.Context, tx *db.Tx, p pulse.Mail) error {
	return m.s.Email.QueueNotice(ctx, tx, automation.Notice{To: []string{p.To}, Subject: p.Subject, Body: p.Body, Key: p.Key})
}
