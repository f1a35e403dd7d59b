package email

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/jhillyerd/enmime/v2"

	"github.com/ombud/ombud/internal/auth"
	"github.com/ombud/ombud/internal/i18n"
	"github.com/ombud/ombud/internal/jobs"
)

// AccountMailer writes mail about an agent's own account (password reset
// links) in the agent's language and sends it at once from the first
// active mailbox through its outbound relay (auth.ResetMailer). The caller
// runs it from a job, which retries what fails.
type AccountMailer struct {
	Email *Service
	Tr    *i18n.Translator
	// BaseURL is where agents reach Ombud; the link is BaseURL/password/reset?token=….
	BaseURL string
}

// SendPasswordReset mails a reset link (auth.ResetMailer).
func (m AccountMailer) SendPasswordReset(ctx context.Context, r auth.ResetMail) error {
	lang := m.Tr.Match(r.Locale)
	loc, err := time.LoadLocation(r.TimeZone)
	if err != nil || r.TimeZone == "" {
		loc = time.UTC
	}
	link := strings.TrimRight(m.BaseURL, "/") + "/password/reset?token=" + url.QueryEscape(r.Token)
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n\n", m.Tr.T(lang, "Hello %s,", r.Name))
	fmt.Fprintf(&b, "%s\n\n", m.Tr.T(lang, "Someone asked to reset the password of your Ombud account %s. To choose a new password, open this link:", r.To))
	fmt.Fprintf(&b, "%s\n\n", link)
	fmt.Fprintf(&b, "%s\n\n", m.Tr.T(lang, "The link works once and expires at %s.", r.Expires.In(loc).Format("2006-01-02 15:04 MST")))
	fmt.Fprintf(&b, "%s\n", m.Tr.T(lang, "If you did not ask for this, ignore this email: your password stays as it is."))
	return m.Email.sendAccountMail(ctx, r.To, m.Tr.T(lang, "Reset your Ombud password"), b.String())
}

// sendAccountMail sends a plain-text message to one agent now, from the
// first active mailbox, marked automatic so no responder answers it.
func (s *Service) sendAccountMail(ctx context.Context, to, subject, text string) error {
	mb, err := s.pickMailbox(ctx, s.db, sql.NullInt64{}, nil)
	if err != nil {
		return err
	}
	if mb.ID == 0 {
		return jobs.Permanent(errors.New("no mailbox is configured to send email from"))
	}
	part, err := enmime.Builder().
		From(mb.Name, mb.Address).
		To("", to).
		Subject(subject).
		Date(s.now()).
		Header("Message-ID", fmt.Sprintf("<ombud.account.%s@%s>", strings.ToLower(rand.Text()), domainOf(mb.Address))).
		Header("Auto-Submitted", "auto-generated").
		Text([]byte(text)).
		Build()
	if err != nil {
		return jobs.Permanent(fmt.Errorf("email: build account mail: %w", err))
	}
	var raw bytes.Buffer
	if err := encodeMail(part, &raw); err != nil {
		return fmt.Errorf("email: encode account mail: %w", err)
	}
	if err := s.deliver(ctx, mb, []string{to}, raw.Bytes()); err != nil {
		if isPermanentSMTP(err) {
			return jobs.Permanent(err)
		}
		return err
	}
	return nil
}
