package app

import (
	"fmt"
	"strings"
	"time"

	"github.com/ombud/ombud/internal/automation"
	"github.com/ombud/ombud/internal/channel/email"
	"github.com/ombud/ombud/internal/i18n"
	"github.com/ombud/ombud/internal/portal"
)

// wirePortal builds the customer portal's service and has the job runner
// mail its sign-in links in the customer's language.
func (s *System) wirePortal() error {
	s.Portal = portal.New(s.DB, s.Now, s.Tickets)
	s.Portal.UseGuards(s.Secrets, automation.NewHTTPClient(10*time.Second, s.Config.WebhookAllowPrivate))
	tr, err := i18n.New()
	if err != nil {
		return fmt.Errorf("portal mail: %w", err)
	}
	base := s.Config.BaseURL
	if base == "" {
		base = "http://" + s.Config.Addr // the documented default of --base-url
	}
	s.Portal.Register(s.Jobs, email.PortalMailer{Email: s.Email, Tr: tr, BaseURL: strings.TrimRight(base, "/")})
	return nil
}
