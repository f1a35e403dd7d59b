package email

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"regexp"
	"strings"

	"github.com/ombud/ombud/internal/channel/email/mailauth"
	"github.com/ombud/ombud/internal/channel/email/message"
)

// verdict is what sender verification said of one message.
type verdict struct {
	state  string // AuthVerified, AuthUnverified, "" (nothing to check)
	detail string // "DKIM fail, SPF softfail, DMARC none"
	from   string // the From address that was checked
}

// verifies reports whether the message's sender address is proven.
func (v verdict) verifies(sender string) bool {
	return v.state == AuthVerified && strings.EqualFold(v.from, sender)
}

// verify checks the message's From address (DKIM, SPF, DMARC alignment,
// trusted Authentication-Results). It asks DNS, so it runs outside any
// transaction; it never fails.
func (s *Service) verify(ctx context.Context, in Inbound, m *message.Message) verdict {
	if m == nil || m.From.Email == "" {
		return verdict{}
	}
	r := s.auth().Verify(ctx, mailauth.Input{Raw: in.Raw, Source: in.Source, ClientIP: in.ClientIP, Helo: in.Helo, MailFrom: in.EnvelopeFrom})
	v := verdict{state: AuthUnverified, detail: r.Detail, from: r.From}
	if r.Verified {
		v.state = AuthVerified
	}
	if r.From != "" && !strings.EqualFold(r.From, m.From.Email) {
		// The parser read another address than the check did (a broken
		// header): trust neither.
		v.state = AuthUnverified
		v.detail = "From address read two ways"
	}
	return v
}

func (s *Service) auth() *mailauth.Verifier {
	s.authMu.RLock()
	defer s.authMu.RUnlock()
	return s.authV
}

// UseResolver makes sender verification ask dns (tests answer DNS from a
// zone of their own).
func (s *Service) UseResolver(dns mailauth.Resolver) {
	s.authMu.Lock()
	defer s.authMu.Unlock()
	s.authV = s.authV.WithResolver(dns)
}

// guessableID matches the Message-IDs Ombud sent before they had a random
// part (ombud.<ticket>.<comment>@domain): anyone could write one, so they
// do not thread an unverified sender's mail.
var guessableID = regexp.MustCompile(`^ombud\.[0-9]+\.[0-9]+@`)

// randomPart is the unguessable part of an outbound Message-ID.
func randomPart() string {
	b := make([]byte, 10)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+)
	return strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b))
}
