package app

import (
	"strings"

	"github.com/ombud/ombud/internal/channel/email"
	"github.com/ombud/ombud/internal/nps"
)

// wireNPS builds NPS campaigns and feedback analysis: the minute sweep and
// the run jobs send campaigns through the email outbox, links are signed
// with the secret Box and lead to --base-url, and CSAT comments are tagged
// by the topic rules as they arrive (ticket hook).
func (s *System) wireNPS() error {
	base := s.Config.BaseURL
	if base == "" {
		base = "http://" + s.Config.Addr // the documented default of --base-url
	}
	svc, err := nps.NewService(s.DB, s.Now, s.Secrets, strings.TrimRight(base, "/"), s.Log.With("component", "nps"))
	if err != nil {
		return err
	}
	svc.SetMailer(s.Email, s.Jobs.Wake)
	svc.SetFacts(s.Reports) // sends and answers become NPS report facts
	svc.Register(s.Jobs)
	s.Tickets.AddHook(svc)
	s.Jobs.Handle(email.JobNPS, s.Email.SendNPS)
	s.NPS = svc
	return nil
}
