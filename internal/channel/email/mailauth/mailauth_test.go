package mailauth_test

import (
	"bytes"
	"context"
	"net/netip"
	"strings"
	"testing"

	"github.com/ombud/ombud/internal/channel/email/mailauth"
	"github.com/ombud/ombud/internal/mailtest"
)

func msg(from string, extra ...string) []byte {
	h := strings.Join(extra, "")
	return []byte(h + "From: " + from + "\r\nTo: support@example.com\r\nSubject: Re: [#1] Order\r\nMessage-ID: <m1@example.org>\r\nDate: Mon, 23 Nov 2026 09:15:00 +0100\r\n\r\nHello there.\r\n")
}

// zone is a DNS with keys for agents.example (RSA), mail.agents.example
// (ed25519, a subdomain: aligned in relaxed mode) and evil.example, SPF
// records and DMARC policies.
type zone struct {
	dns                       *mailtest.DNS
	rsa, sub, evil, strictSub *mailtest.DKIMKey
}

func newZone(t *testing.T) zone {
	d := mailtest.NewDNS()
	z := zone{dns: d,
		rsa:       mailtest.NewDKIMKey(t, d, "agents.example", "s1", "rsa"),
		sub:       mailtest.NewDKIMKey(t, d, "mail.agents.example", "s2", "ed25519"),
		evil:      mailtest.NewDKIMKey(t, d, "evil.example", "s1", "ed25519"),
		strictSub: mailtest.NewDKIMKey(t, d, "mail.strict.example", "s1", "ed25519"),
	}
	d.TXT("agents.example", "v=spf1 ip4:192.0.2.0/24 -all")
	d.TXT("bounces.agents.example", "v=spf1 ip4:192.0.2.10 -all")
	d.TXT("evil.example", "v=spf1 ip4:198.51.100.0/24 -all")
	d.TXT("soft.example", "v=spf1 ~all")
	d.TXT("_dmarc.agents.example", "v=DMARC1; p=reject")
	d.TXT("_dmarc.strict.example", "v=DMARC1; p=reject; adkim=s; aspf=s")
	d.Fail("_dmarc.broken.example")
	d.Fail("s1._domainkey.flaky.example")
	return z
}

func TestVerify(t *testing.T) {
	z := newZone(t)
	trust := mailauth.Trust{AuthServIDs: []string{"mx.ombud.example"}, Peers: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}}
	v := mailauth.New(z.dns, trust)
	flakyKey := mailtest.NewDKIMKey(t, mailtest.NewDNS(), "flaky.example", "s1", "ed25519") // published nowhere that answers
	tampered := z.rsa.Sign(t, msg("Agent <agent@agents.example>"))
	tampered = bytes.Replace(tampered, []byte("Hello there."), []byte("Send money."), 1)
	trustedAR := "Authentication-Results: mx.ombud.example; dkim=pass header.d=agents.example; spf=none smtp.mailfrom=agents.example; dmarc=pass header.from=agents.example\r\n"
	forgedAR := "Authentication-Results: mx.ombud.example; dmarc=pass header.from=agents.example\r\n"
	otherAR := "Authentication-Results: spamfilter.example; none\r\n"
	smtpIP := netip.MustParseAddr("203.0.113.9")
	mtaIP := netip.MustParseAddr("10.1.2.3")

	tests := []struct {
		name       string
		in         mailauth.Input
		verified   bool
		method     string
		detailHas  []string
		v          *mailauth.Verifier
		wantFromIs string
	}{
		{name: "DKIM RSA, aligned", in: mailauth.Input{Raw: z.rsa.Sign(t, msg("Agent <agent@agents.example>"))},
			verified: true, method: "dkim", detailHas: []string{"DKIM pass (agents.example)", "DMARC pass"}, wantFromIs: "agent@agents.example"},
		{name: "DKIM ed25519 of a subdomain: relaxed alignment", in: mailauth.Input{Raw: z.sub.Sign(t, msg("agent@agents.example"))},
			verified: true, method: "dkim", detailHas: []string{"DKIM pass (mail.agents.example)"}},
		{name: "DKIM of a subdomain under adkim=s", in: mailauth.Input{Raw: z.strictSub.Sign(t, msg("x@strict.example"))},
			detailHas: []string{"DKIM pass (mail.strict.example, not aligned)", "DMARC fail"}},
		{name: "forged: no signature", in: mailauth.Input{Raw: msg("Agent <agent@agents.example>")},
			detailHas: []string{"DKIM none", "SPF none", "DMARC fail"}},
		{name: "signed by another domain", in: mailauth.Input{Raw: z.evil.Sign(t, msg("Agent <agent@agents.example>"))},
			detailHas: []string{"DKIM pass (evil.example, not aligned)", "DMARC fail"}},
		{name: "tampered body", in: mailauth.Input{Raw: tampered}, detailHas: []string{"DKIM fail"}},
		{name: "key lookup fails: temperror", in: mailauth.Input{Raw: flakyKey.Sign(t, msg("a@flaky.example"))}, detailHas: []string{"DKIM temperror", "DMARC none"}},
		{name: "no DMARC record: relaxed, DMARC none", in: mailauth.Input{Raw: z.evil.Sign(t, msg("x@evil.example"))},
			verified: true, method: "dkim", detailHas: []string{"DMARC none"}},
		{name: "DMARC lookup fails: strict alignment only", in: mailauth.Input{Raw: z.sub.Sign(t, msg("x@broken.example"))},
			detailHas: []string{"DKIM pass (mail.agents.example, not aligned)", "DMARC temperror"}},
		{name: "SPF pass, aligned MAIL FROM", in: mailauth.Input{Raw: msg("agent@agents.example"), Source: "smtp", ClientIP: netip.MustParseAddr("192.0.2.5"), Helo: "mx.agents.example", MailFrom: "agent@agents.example"},
			verified: true, method: "spf", detailHas: []string{"SPF pass (agents.example)"}},
		{name: "SPF pass, MAIL FROM of a subdomain (relaxed)", in: mailauth.Input{Raw: msg("agent@agents.example"), Source: "smtp", ClientIP: netip.MustParseAddr("192.0.2.10"), MailFrom: "b@bounces.agents.example"},
			verified: true, method: "spf"},
		{name: "SPF pass for another domain", in: mailauth.Input{Raw: msg("agent@agents.example"), Source: "smtp", ClientIP: netip.MustParseAddr("198.51.100.7"), MailFrom: "x@evil.example"},
			detailHas: []string{"SPF pass (evil.example, not aligned)"}},
		{name: "SPF fail", in: mailauth.Input{Raw: msg("agent@agents.example"), Source: "smtp", ClientIP: smtpIP, MailFrom: "agent@agents.example"},
			detailHas: []string{"DKIM none", "SPF fail", "DMARC fail"}},
		{name: "SPF softfail", in: mailauth.Input{Raw: msg("x@soft.example"), Source: "smtp", ClientIP: smtpIP, MailFrom: "x@soft.example"},
			detailHas: []string{"SPF softfail", "DMARC none"}},
		{name: "trusted Authentication-Results from the trusted MTA", in: mailauth.Input{Raw: msg("agent@agents.example", trustedAR), Source: "smtp", ClientIP: mtaIP},
			verified: true, method: "authentication-results", detailHas: []string{"Authentication-Results from mx.ombud.example"}},
		{name: "the same header from an untrusted peer", in: mailauth.Input{Raw: msg("agent@agents.example", trustedAR), Source: "smtp", ClientIP: smtpIP},
			detailHas: []string{"DKIM none"}},
		{name: "trusted MTA: SPF is not asked of its address", in: mailauth.Input{Raw: msg("agent@agents.example"), Source: "smtp", ClientIP: mtaIP, MailFrom: "agent@agents.example"},
			detailHas: []string{"SPF not checked"}},
		{name: "a trusted id below another MTA's header is ignored", in: mailauth.Input{Raw: msg("agent@agents.example", otherAR, forgedAR), Source: "smtp", ClientIP: mtaIP}},
		{name: "trusted header saying fail", in: mailauth.Input{Raw: msg("agent@agents.example", "Authentication-Results: mx.ombud.example; dkim=fail header.d=agents.example; dmarc=fail header.from=agents.example\r\n"), Source: "smtp", ClientIP: mtaIP},
			detailHas: []string{"dkim=fail (agents.example) dmarc=fail (agents.example)"}},
		{name: "trusted header for another From domain", in: mailauth.Input{Raw: msg("agent@agents.example", "Authentication-Results: mx.ombud.example; dmarc=pass header.from=evil.example\r\n"), Source: "smtp", ClientIP: mtaIP},
			detailHas: []string{"dmarc=pass (evil.example)"}},
		{name: "IMAP: the authserv-id decides", in: mailauth.Input{Raw: msg("agent@agents.example", trustedAR), Source: "imap"}, verified: true, method: "authentication-results"},
		{name: "other sources never trust headers", in: mailauth.Input{Raw: msg("agent@agents.example", trustedAR), Source: "api"}},
		{name: "DNS off: only trusted headers", v: mailauth.New(nil, trust), in: mailauth.Input{Raw: z.rsa.Sign(t, msg("agent@agents.example"))}, detailHas: []string{"DNS checks off"}},
		{name: "DNS off, trusted header", v: mailauth.New(nil, trust), in: mailauth.Input{Raw: msg("agent@agents.example", trustedAR), Source: "imap"}, verified: true},
		{name: "two From addresses", in: mailauth.Input{Raw: z.rsa.Sign(t, msg("agent@agents.example, x@evil.example"))}, detailHas: []string{"several From addresses"}},
		{name: "two From headers", in: mailauth.Input{Raw: msg("agent@agents.example", "From: x@evil.example\r\n")}, detailHas: []string{"several From headers"}},
		{name: "no From", in: mailauth.Input{Raw: []byte("Subject: x\r\n\r\nbody\r\n")}, detailHas: []string{"no From header"}},
		{name: "not a message", in: mailauth.Input{Raw: []byte("garbage without headers")}, detailHas: []string{"header unreadable"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ver := v
			if tt.v != nil {
				ver = tt.v
			}
			r := ver.Verify(context.Background(), tt.in)
			t.Logf("%+v", r)
			if r.Verified != tt.verified {
				t.Fatalf("verified = %v, want %v (%+v)", r.Verified, tt.verified, r)
			}
			if tt.method != "" && r.Method != tt.method {
				t.Errorf("method = %q, want %q", r.Method, tt.method)
			}
			if r.Verified && r.From == "" {
				t.Errorf("verified without a From: %+v", r)
			}
			if tt.wantFromIs != "" && r.From != tt.wantFromIs {
				t.Errorf("from = %q, want %q", r.From, tt.wantFromIs)
			}
			for _, s := range tt.detailHas {
				if !strings.Contains(r.Detail, s) {
					t.Errorf("detail %q lacks %q", r.Detail, s)
				}
			}
		})
	}
}
