package app

import (
	"context"
	"fmt"
	"strings"

	"github.com/ombud/ombud/internal/channel/email"
	"github.com/ombud/ombud/internal/i18n"
)

// wirePasswords connects agent access changes to auth (sessions and cached
// token roles end at once) and has the job runner mail reset links in each
// agent's language through the email service.
func (s *System) wirePasswords() error {
	s.Agents.OnAccessChange = s.Auth.AccessChanged
	s.Agents.OnPasswordSet = s.Auth.PasswordSet
	tr, err := i18n.New()
	if err != nil {
		return fmt.Errorf("password mail: %w", err)
	}
	base := s.Config.BaseURL
	if base == "" {
		base = "http://" + s.Config.Addr // the documented default of --base-url
	}
	s.Auth.Register(s.Jobs, email.AccountMailer{Email: s.Email, Tr: tr, BaseURL: strings.TrimRight(base, "/")})
	return nil
}

// followAccessChanges evicts cached API token roles that another instance
// changed (PostgreSQL LISTEN/NOTIFY), until ctx ends.
func (s *System) followAccessChanges(ctx context.Context) {
	_ = s.Auth.FollowChanges(ctx, func(err error) {
		s.Log.Warn("agent access notifications lost; listening again", "err", err)
	})
}
