package mailtest

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"net"
	"net/mail"
	"strings"
	"sync"
	"testing"

	"github.com/emersion/go-msgauth/dkim"
)

// DNS is a DNS zone held in memory: the DNS peer of the sender checks
// (DKIM keys, SPF and DMARC records) in tests, so no test asks a real name
// server. A name without records answers "no such host"; a name marked
// with Fail answers a temporary failure. It is safe for concurrent use.
type DNS struct {
	mu   sync.Mutex
	txt  map[string][]string
	ips  map[string][]net.IPAddr
	mx   map[string][]*net.MX
	fail map[string]bool
	asks []string
}

// NewDNS returns an empty zone.
func NewDNS() *DNS {
	return &DNS{txt: map[string][]string{}, ips: map[string][]net.IPAddr{}, mx: map[string][]*net.MX{}, fail: map[string]bool{}}
}

func fqdn(name string) string { return strings.ToLower(strings.TrimSuffix(name, ".")) }

// TXT adds TXT records to name.
func (d *DNS) TXT(name string, values ...string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.txt[fqdn(name)] = append(d.txt[fqdn(name)], values...)
}

// IP adds A/AAAA records to name.
func (d *DNS) IP(name string, ips ...string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, s := range ips {
		d.ips[fqdn(name)] = append(d.ips[fqdn(name)], net.IPAddr{IP: net.ParseIP(s)})
	}
}

// Fail makes every question about name a temporary failure (SERVFAIL).
func (d *DNS) Fail(name string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.fail[fqdn(name)] = true
}

// Asked returns the names asked about so far, in order.
func (d *DNS) Asked() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]string(nil), d.asks...)
}

func (d *DNS) ask(name string) (string, error) {
	n := fqdn(name)
	d.mu.Lock()
	defer d.mu.Unlock()
	d.asks = append(d.asks, n)
	if d.fail[n] {
		return n, &net.DNSError{Err: "server misbehaving", Name: name, IsTemporary: true}
	}
	return n, nil
}

func notFound(name string) error {
	return &net.DNSError{Err: "no such host", Name: name, IsNotFound: true}
}

// LookupTXT answers TXT questions.
func (d *DNS) LookupTXT(_ context.Context, name string) ([]string, error) {
	n, err := d.ask(name)
	if err != nil {
		return nil, err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if v, ok := d.txt[n]; ok {
		return append([]string(nil), v...), nil
	}
	return nil, notFound(name)
}

// LookupMX answers MX questions.
func (d *DNS) LookupMX(_ context.Context, name string) ([]*net.MX, error) {
	n, err := d.ask(name)
	if err != nil {
		return nil, err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if v, ok := d.mx[n]; ok {
		return append([]*net.MX(nil), v...), nil
	}
	return nil, notFound(name)
}

// LookupIPAddr answers A and AAAA questions.
func (d *DNS) LookupIPAddr(_ context.Context, host string) ([]net.IPAddr, error) {
	n, err := d.ask(host)
	if err != nil {
		return nil, err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if v, ok := d.ips[n]; ok {
		return append([]net.IPAddr(nil), v...), nil
	}
	return nil, notFound(host)
}

// LookupAddr answers PTR questions (none are published).
func (d *DNS) LookupAddr(_ context.Context, addr string) ([]string, error) {
	if _, err := d.ask(addr); err != nil {
		return nil, err
	}
	return nil, notFound(addr)
}

// DKIMKey is a signing key whose public half is published in a DNS zone.
type DKIMKey struct {
	Domain, Selector string
	signer           crypto.Signer
}

// NewDKIMKey generates a key ("rsa" or "ed25519") for domain and publishes
// it as selector._domainkey.domain in d.
func NewDKIMKey(t testing.TB, d *DNS, domain, selector, alg string) *DKIMKey {
	t.Helper()
	var signer crypto.Signer
	var record string
	switch alg {
	case "rsa":
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			t.Fatal(err)
		}
		der, err := x509.MarshalPKIXPublicKey(&k.PublicKey)
		if err != nil {
			t.Fatal(err)
		}
		signer, record = k, "v=DKIM1; k=rsa; p="+base64.StdEncoding.EncodeToString(der)
	case "ed25519":
		pub, k, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		signer, record = k, "v=DKIM1; k=ed25519; p="+base64.StdEncoding.EncodeToString(pub)
	default:
		t.Fatalf("mailtest: unknown DKIM key type %q", alg)
	}
	d.TXT(selector+"._domainkey."+domain, record)
	return &DKIMKey{Domain: domain, Selector: selector, signer: signer}
}

// Sign returns raw with a DKIM-Signature of the key's domain on top
// (relaxed canonicalization, as most signers use).
func (k *DKIMKey) Sign(t testing.TB, raw []byte) []byte {
	t.Helper()
	var out bytes.Buffer
	err := dkim.Sign(&out, bytes.NewReader(raw), &dkim.SignOptions{Domain: k.Domain, Selector: k.Selector, Signer: k.signer,
		HeaderCanonicalization: dkim.CanonicalizationRelaxed, BodyCanonicalization: dkim.CanonicalizationRelaxed})
	if err != nil {
		t.Fatalf("mailtest: DKIM sign: %v", err)
	}
	return out.Bytes()
}

// Signers keeps one DKIM key per domain in a zone, made on first use, so
// a test can have every sender sign their mail the way real mail servers
// do.
type Signers struct {
	DNS  *DNS
	mu   sync.Mutex
	keys map[string]*DKIMKey
}

// NewSigners returns signers publishing their keys in d.
func NewSigners(d *DNS) *Signers { return &Signers{DNS: d, keys: map[string]*DKIMKey{}} }

// Key returns domain's key, made and published on first use (ed25519:
// fast to make).
func (s *Signers) Key(t testing.TB, domain string) *DKIMKey {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	domain = fqdn(domain)
	if k, ok := s.keys[domain]; ok {
		return k
	}
	k := NewDKIMKey(t, s.DNS, domain, "test", "ed25519")
	s.keys[domain] = k
	return k
}

// Sign signs raw with the key of its From address's domain; a message
// without a readable From is returned as it is.
func (s *Signers) Sign(t testing.TB, raw []byte) []byte {
	t.Helper()
	m, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return raw
	}
	a, err := mail.ParseAddress(m.Header.Get("From"))
	if err != nil {
		return raw
	}
	i := strings.LastIndexByte(a.Address, '@')
	if i < 0 {
		return raw
	}
	return s.Key(t, a.Address[i+1:]).Sign(t, raw)
}
