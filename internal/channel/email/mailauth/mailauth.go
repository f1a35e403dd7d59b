// Package mailauth decides whether an inbound email really comes from the
// address in its From header: DKIM or SPF that passes and aligns with the
// From domain in the DMARC sense, or an Authentication-Results header
// written by a mail server the operator trusts.
//
// The email channel trusts a From address (an agent's reply, a customer's
// [#id] token) only when Verify says so. Every DNS question goes through
// an injected Resolver; a DNS failure makes the message unverified, never
// an error.
package mailauth

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/mail"
	"net/netip"
	"strings"
	"time"

	"blitiri.com.ar/go/spf"
	"github.com/emersion/go-msgauth/authres"
	"github.com/emersion/go-msgauth/dkim"
	"github.com/emersion/go-msgauth/dmarc"
	"golang.org/x/net/publicsuffix"
)

// Resolver answers the DNS questions of DKIM, SPF and DMARC. *net.Resolver
// satisfies it. Errors should be *net.DNSError (IsNotFound for a missing
// name, IsTemporary or IsTimeout for a failure worth retrying): the
// libraries look at them to tell "no record" from "temperror".
type Resolver interface {
	LookupTXT(ctx context.Context, name string) ([]string, error)
	LookupMX(ctx context.Context, name string) ([]*net.MX, error)
	LookupIPAddr(ctx context.Context, host string) ([]net.IPAddr, error)
	LookupAddr(ctx context.Context, addr string) ([]string, error)
}

// Trust names the mail servers whose Authentication-Results headers count.
type Trust struct {
	// AuthServIDs are the authserv-ids the trusted MTA writes at the start
	// of its Authentication-Results headers (often its host name).
	AuthServIDs []string
	// Peers are the addresses the trusted MTA connects to the SMTP
	// listener from. Over SMTP a header counts only on a connection from
	// one of them; mail fetched by IMAP was delivered by the IMAP server's
	// own MTA, so there the authserv-id alone decides.
	Peers []netip.Prefix
}

func (t Trust) peer(ip netip.Addr) bool {
	if !ip.IsValid() {
		return false
	}
	ip = ip.Unmap()
	for _, p := range t.Peers {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

func (t Trust) id(id string) bool {
	for _, x := range t.AuthServIDs {
		if strings.EqualFold(x, id) {
			return true
		}
	}
	return false
}

// Input is one message with what its delivery told about the sender.
type Input struct {
	Raw      []byte
	Source   string     // "smtp" (the listener), "imap", anything else
	ClientIP netip.Addr // the connecting SMTP client; zero when unknown
	Helo     string     // its HELO/EHLO name
	MailFrom string     // the envelope sender (MAIL FROM), "" for bounces
}

// Result is the verdict on one message.
type Result struct {
	// Verified says the From address is authentic.
	Verified bool
	// From is the single address of the From header that was checked
	// ("" when the header is missing, unreadable or names several).
	From string
	// Method is what verified it: "dkim", "spf" or "authentication-results".
	Method string
	// Detail sums up every check for people, like
	// "DKIM fail, SPF softfail, DMARC none".
	Detail string
}

// Verifier checks inbound mail. The zero value is not usable; use New.
type Verifier struct {
	dns     Resolver // nil: no DNS checks, only trusted headers verify
	trust   Trust
	timeout time.Duration
}

// New returns a Verifier asking dns (nil turns DNS checks off, so only
// trusted Authentication-Results headers verify anything).
func New(dns Resolver, trust Trust) *Verifier {
	return &Verifier{dns: dns, trust: trust, timeout: 20 * time.Second}
}

// WithResolver returns a copy of v that asks dns instead.
func (v *Verifier) WithResolver(dns Resolver) *Verifier {
	c := *v
	c.dns = dns
	return &c
}

// maxSignatures bounds the DKIM signatures checked per message (each may
// cost a DNS query and an RSA verification).
const maxSignatures = 5

// Verify checks one message. It never fails: what cannot be checked is
// unverified, with the reason in Detail.
func (v *Verifier) Verify(ctx context.Context, in Input) Result {
	ctx, cancel := context.WithTimeout(ctx, v.timeout)
	defer cancel()
	h, err := readHeader(in.Raw)
	if err != nil {
		return Result{Detail: "header unreadable"}
	}
	from, why := singleFrom(h)
	if from == "" {
		return Result{Detail: why}
	}
	res := Result{From: from}
	domain := domainOf(from)
	if domain == "" {
		res.Detail = "From address has no domain"
		return res
	}
	pol := v.policy(ctx, domain)

	var notes []string
	trusted := false
	switch in.Source {
	case "imap":
		trusted = len(v.trust.AuthServIDs) > 0
	case "smtp":
		trusted = len(v.trust.AuthServIDs) > 0 && v.trust.peer(in.ClientIP)
	}
	if trusted {
		ok, note := trustedResults(h, v.trust, domain, pol)
		if note != "" {
			notes = append(notes, note)
		}
		if ok {
			res.Verified, res.Method = true, "authentication-results"
			res.Detail = strings.Join(notes, ", ")
			return res
		}
	}
	if v.dns == nil {
		res.Detail = strings.Join(append(notes, "DNS checks off"), ", ")
		return res
	}

	dkimOK, dkimNote := v.checkDKIM(ctx, in.Raw, domain, pol)
	spfOK, spfNote := false, "SPF none"
	switch {
	case in.Source == "smtp" && v.trust.peer(in.ClientIP):
		// The client is the trusted MTA, not the sender's server: SPF
		// would judge the MTA's address.
		spfNote = "SPF not checked (trusted relay)"
	case in.ClientIP.IsValid():
		spfOK, spfNote = v.checkSPF(ctx, in, domain, pol)
	}
	dmarcNote := "DMARC " + pol.result(dkimOK || spfOK)
	res.Detail = strings.Join(append(notes, dkimNote, spfNote, dmarcNote), ", ")
	switch {
	case dkimOK:
		res.Verified, res.Method = true, "dkim"
	case spfOK:
		res.Verified, res.Method = true, "spf"
	}
	return res
}

// readHeader reads the header block only (the body is DKIM's business).
func readHeader(raw []byte) (mail.Header, error) {
	m, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return nil, err
	}
	return m.Header, nil
}

// singleFrom returns the one From address, lower-cased. DMARC and this
// check are defined for a single author: several From fields or addresses
// are not verified (RFC 7489 §6.6.1).
func singleFrom(h mail.Header) (string, string) {
	vs := h["From"]
	switch len(vs) {
	case 0:
		return "", "no From header"
	case 1:
	default:
		return "", "several From headers"
	}
	// Display names in any charset: only the address matters here.
	p := mail.AddressParser{WordDecoder: &mime.WordDecoder{CharsetReader: func(_ string, r io.Reader) (io.Reader, error) { return r, nil }}}
	list, err := p.ParseList(vs[0])
	if err != nil || len(list) == 0 {
		return "", "From header unreadable"
	}
	if len(list) > 1 {
		return "", "several From addresses"
	}
	return strings.ToLower(list[0].Address), ""
}

func domainOf(addr string) string {
	i := strings.LastIndexByte(addr, '@')
	if i < 0 {
		return ""
	}
	return strings.TrimSuffix(strings.ToLower(addr[i+1:]), ".")
}

// policy is the From domain's DMARC record as far as alignment needs it.
type policy struct {
	state string // "found", "none" (no record), "temperror", "permerror", "unchecked"
	dkim  dmarc.AlignmentMode
	spf   dmarc.AlignmentMode
}

// result is the DMARC result to show: pass when an aligned check passed.
func (p policy) result(aligned bool) string {
	switch {
	case p.state == "found" && aligned:
		return "pass"
	case p.state == "found":
		return "fail"
	case p.state == "none" || p.state == "unchecked":
		return "none"
	}
	return p.state
}

// policy looks up the DMARC record of domain, then of its organizational
// domain (RFC 7489 §6.6.3). Without a record alignment is relaxed, the
// DMARC default; when the record cannot be read it is strict, the safe side.
func (v *Verifier) policy(ctx context.Context, domain string) policy {
	if v.dns == nil {
		return policy{state: "unchecked", dkim: dmarc.AlignmentStrict, spf: dmarc.AlignmentStrict}
	}
	lookup := func(d string) (*dmarc.Record, error) {
		return dmarc.LookupWithOptions(d, &dmarc.LookupOptions{LookupTXT: v.txt(ctx)})
	}
	rec, err := lookup(domain)
	if errors.Is(err, dmarc.ErrNoPolicy) {
		if org := orgDomain(domain); org != domain {
			rec, err = lookup(org)
		}
	}
	switch {
	case err == nil:
		p := policy{state: "found", dkim: rec.DKIMAlignment, spf: rec.SPFAlignment}
		if p.dkim == "" {
			p.dkim = dmarc.AlignmentRelaxed
		}
		if p.spf == "" {
			p.spf = dmarc.AlignmentRelaxed
		}
		return p
	case errors.Is(err, dmarc.ErrNoPolicy):
		return policy{state: "none", dkim: dmarc.AlignmentRelaxed, spf: dmarc.AlignmentRelaxed}
	case dmarc.IsTempFail(err):
		return policy{state: "temperror", dkim: dmarc.AlignmentStrict, spf: dmarc.AlignmentStrict}
	default:
		return policy{state: "permerror", dkim: dmarc.AlignmentStrict, spf: dmarc.AlignmentStrict}
	}
}

// txt adapts the resolver to the libraries' context-free TXT lookup. The
// error is passed on unwrapped: they type-assert net.Error.
func (v *Verifier) txt(ctx context.Context) func(string) ([]string, error) {
	return func(name string) ([]string, error) { return v.dns.LookupTXT(ctx, name) }
}

// orgDomain is the registrable domain (example.co.uk for mail.example.co.uk).
func orgDomain(d string) string {
	org, err := publicsuffix.EffectiveTLDPlusOne(d)
	if err != nil {
		return d
	}
	return org
}

// aligned reports whether an authenticated domain matches the From domain
// in the given mode.
func aligned(authDomain, fromDomain string, mode dmarc.AlignmentMode) bool {
	a := strings.TrimSuffix(strings.ToLower(authDomain), ".")
	if a == "" {
		return false
	}
	if a == fromDomain {
		return true
	}
	return mode == dmarc.AlignmentRelaxed && orgDomain(a) == orgDomain(fromDomain)
}

// checkDKIM verifies the message's signatures: one valid signature of an
// aligned domain verifies the sender.
func (v *Verifier) checkDKIM(ctx context.Context, raw []byte, domain string, pol policy) (bool, string) {
	verifs, err := dkim.VerifyWithOptions(bytes.NewReader(raw), &dkim.VerifyOptions{LookupTXT: v.txt(ctx), MaxVerifications: maxSignatures})
	if err != nil && !errors.Is(err, dkim.ErrTooManySignatures) {
		// The library clears the error of the signature that failed
		// unexpectedly, so none of these verifications can be trusted.
		return false, "DKIM permerror"
	}
	if len(verifs) == 0 {
		return false, "DKIM none"
	}
	var passed []string
	temp := false
	for _, vf := range verifs {
		switch {
		case vf.Err == nil && aligned(vf.Domain, domain, pol.dkim):
			return true, fmt.Sprintf("DKIM pass (%s)", vf.Domain)
		case vf.Err == nil:
			passed = append(passed, vf.Domain)
		case dkim.IsTempFail(vf.Err):
			temp = true
		}
	}
	switch {
	case len(passed) > 0:
		return false, fmt.Sprintf("DKIM pass (%s, not aligned)", strings.Join(passed, ", "))
	case temp:
		return false, "DKIM temperror"
	}
	return false, "DKIM fail"
}

// checkSPF asks whether the client may send for the envelope sender's
// domain (the HELO name for a bounce's empty sender), and whether that
// domain aligns with From.
func (v *Verifier) checkSPF(ctx context.Context, in Input, domain string, pol policy) (bool, string) {
	ip := net.IP(in.ClientIP.Unmap().AsSlice())
	sender := in.MailFrom
	spfDomain := domainOf(sender)
	if sender == "" {
		spfDomain = strings.ToLower(strings.TrimSuffix(in.Helo, "."))
		sender = "postmaster@" + spfDomain
	}
	if spfDomain == "" {
		return false, "SPF none"
	}
	r, _ := spf.CheckHostWithSender(ip, in.Helo, sender, spf.WithContext(ctx), spf.WithResolver(v.dns))
	if r == spf.Pass && aligned(spfDomain, domain, pol.spf) {
		return true, fmt.Sprintf("SPF pass (%s)", spfDomain)
	}
	if r == spf.Pass {
		return false, fmt.Sprintf("SPF pass (%s, not aligned)", spfDomain)
	}
	return false, "SPF " + string(r)
}

// trustedResults reads the Authentication-Results headers the trusted MTA
// added: the topmost ones, as long as each carries a trusted authserv-id.
// Below the first header from anyone else, a header may have come with the
// message itself, whatever id it claims. The MTA must remove headers with
// its own id from incoming mail (RFC 8601 §5); OpenDKIM, OpenDMARC and
// rspamd do.
func trustedResults(h mail.Header, trust Trust, domain string, pol policy) (bool, string) {
	var seen []string
	headers := 0
	for _, v := range h["Authentication-Results"] {
		id, results, err := authres.Parse(v)
		if err != nil || !trust.id(id) {
			break
		}
		headers++
		for _, r := range results {
			switch r := r.(type) {
			case *authres.DMARCResult:
				seen = append(seen, note("dmarc", r.Value, r.From))
				if r.Value == authres.ResultPass && strings.EqualFold(strings.TrimSuffix(r.From, "."), domain) {
					return true, resultsNote(id, seen)
				}
			case *authres.DKIMResult:
				seen = append(seen, note("dkim", r.Value, r.Domain))
				if r.Value == authres.ResultPass && aligned(r.Domain, domain, pol.dkim) {
					return true, resultsNote(id, seen)
				}
			case *authres.SPFResult:
				seen = append(seen, note("spf", r.Value, r.From))
				d := r.From
				if strings.Contains(d, "@") {
					d = domainOf(d)
				}
				if d == "" && r.Helo != "" {
					d = r.Helo
				}
				if r.Value == authres.ResultPass && aligned(d, domain, pol.spf) {
					return true, resultsNote(id, seen)
				}
			}
		}
	}
	if headers == 0 {
		return false, ""
	}
	if len(seen) == 0 {
		seen = append(seen, "none")
	}
	return false, resultsNote("", seen)
}

// note is one method's result as shown, with the domain it is about.
func note(method string, v authres.ResultValue, domain string) string {
	if domain == "" {
		return method + "=" + string(v)
	}
	return method + "=" + string(v) + " (" + domain + ")"
}

func resultsNote(id string, seen []string) string {
	if id == "" {
		return "trusted Authentication-Results: " + strings.Join(seen, " ")
	}
	return "Authentication-Results from " + id + ": " + strings.Join(seen, " ")
}
