package email

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"github.com/ombud/ombud/internal/i18n"
	"github.com/ombud/ombud/internal/portal"
)

// PortalMailer mails customer portal sign-in links in the customer's
// language, at once, from the first active mailbox (portal.Mailer). The
// caller runs it from a job, which retries what fails.
type PortalMailer struct {
	Email *Service
	Tr    *i18n.Translator
	// BaseURL is where customers reach Ombud; the link is
	// BaseURL/portal/sign-in?token=….
	BaseURL string
}

// SendPortalLink mails one sign-in link.
func (m PortalMailer) SendPortalLink(ctx context.Context, l portal.LinkMail) error {
	lang := m.Tr.Match(l.Lang)
	link := strings.TrimRight(m.BaseURL, "/") + "/portal/sign-in?token=" + url.QueryEscape(l.Token)
	var b strings.Builder
	if l.Name != "" {
		fmt.Fprintf(&b, "%s\n\n", m.Tr.T(lang, "Hello %s,", l.Name))
	}
	fmt.Fprintf(&b, "%s\n\n", m.Tr.T(lang, "To see your requests and write to us, open this link and sign in:"))
	fmt.Fprintf(&b, "%s\n\n", link)
	fmt.Fprintf(&b, "%s\n\n", m.Tr.T(lang, "The link works once and for %s minutes.", fmt.Sprint(int(portal.LinkTTL.Minutes()))))
	fmt.Fprintf(&b, "%s\n", m.Tr.T(lang, "If you did not ask for this, ignore this email."))
	return m.Email.sendAccountMail(ctx, l.To, m.Tr.T(lang, "Your sign-in link"), b.String())
}
