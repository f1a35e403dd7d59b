package app

import (
	"time"

	"github.com/ombud/ombud/internal/channel/email/mailauth"
	"github.com/ombud/ombud/internal/config"
)

// senderAuth is the inbound sender verification the configuration asks
// for: DNS through the system resolver (or --mail-dns), with a short
// timeout per lookup, and the --trusted-mta's Authentication-Results.
func senderAuth(c config.Config) *mailauth.Verifier {
	ids, peers, _ := c.TrustedMTAs() // checked by Validate
	trust := mailauth.Trust{AuthServIDs: ids, Peers: peers}
	if c.MailDNS == "off" {
		return mailauth.New(nil, trust)
	}
	return mailauth.New(mailauth.NewNetResolver(c.MailDNS, 5*time.Second), trust)
}
