package app

import (
	"strings"

	"github.com/ombud/ombud/internal/channel/email"
	"github.com/ombud/ombud/internal/csat"
)

// wireCSAT builds the satisfaction surveys: a solve schedules a survey
// job (ticket hook), the job queues the mail through the email outbox,
// links are signed with the secret Box and lead to --base-url.
func (s *System) wireCSAT() error {
	base := s.Config.BaseURL
	if base == "" {
		base = "http://" + s.Config.Addr // the documented default of --base-url
	}
	svc, err := csat.NewService(s.DB, s.Now, s.Tickets, people{s.Customers}, s.Secrets, strings.TrimRight(base, "/"), s.Log.With("component", "csat"))
	if err != nil {
		return err
	}
	svc.SetMailer(s.Email, s.Jobs.Wake)
	s.Tickets.AddHook(svc)
	svc.Register(s.Jobs)
	s.Jobs.Handle(email.JobSurvey, s.Email.SendSurvey)
	s.CSAT = svc
	return nil
}
