package mailauth_test

import (
	"context"
	"net/netip"
	"testing"

	"github.com/ombud/ombud/internal/channel/email/mailauth"
	"github.com/ombud/ombud/internal/mailtest"
)

// FuzzVerify feeds arbitrary headers (Authentication-Results above all,
// read with authres.Parse) and messages to the verifier: it must never
// panic, and never call a message verified without naming its From.
func FuzzVerify(f *testing.F) {
	f.Add("mx.ombud.example; dkim=pass header.d=agents.example; dmarc=pass header.from=agents.example", "agent@agents.example", "body")
	f.Add("mx.ombud.example; spf=pass smtp.mailfrom=x@agents.example", "Agent <agent@agents.example>", "")
	f.Add("mx.ombud.example 1; none", "a@b", "x")
	f.Add("mx.ombud.example; dkim=pass (comment) header.d=\"agents.example\" reason=\"x;y\"", "=?utf-8?q?A?= <agent@agents.example>", "")
	f.Add(";;;=", "", "")
	f.Add("mx.ombud.example; dmarc=pass header.from=", "@", "\r\n.\r\n")
	d := mailtest.NewDNS()
	d.TXT("_dmarc.agents.example", "v=DMARC1; p=reject; adkim=s")
	v := mailauth.New(d, mailauth.Trust{AuthServIDs: []string{"mx.ombud.example"}, Peers: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}})
	f.Fuzz(func(t *testing.T, ar, from, body string) {
		raw := []byte("Authentication-Results: " + ar + "\r\nDKIM-Signature: v=1; a=rsa-sha256; d=agents.example; s=x; h=from; bh=" + body + "; b=AA==\r\nFrom: " + from + "\r\nSubject: x\r\n\r\n" + body)
		for _, src := range []string{"imap", "smtp"} {
			r := v.Verify(context.Background(), mailauth.Input{Raw: raw, Source: src, ClientIP: netip.MustParseAddr("127.0.0.1"), MailFrom: from, Helo: ar})
			if r.Verified && (r.From == "" || r.Method == "") {
				t.Fatalf("verified without From or method: %+v", r)
			}
		}
	})
}
