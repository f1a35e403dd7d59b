package httpx

import (
	"net/http/httptest"
	"net/netip"
	"testing"
)

func TestClientAddr(t *testing.T) {
	proxies := []netip.Prefix{
		netip.MustParsePrefix("10.0.0.0/8"),
		netip.MustParsePrefix("192.0.2.1/32"),
		netip.MustParsePrefix("2001:db8:ffff::/48"),
	}
	tests := []struct {
		name    string
		remote  string
		xff     []string // X-Forwarded-For headers, in order
		trusted []netip.Prefix
		want    string
	}{
		{"no proxies configured", "203.0.113.9:5000", []string{"198.51.100.1"}, nil, "203.0.113.9"},
		{"untrusted peer's header ignored", "203.0.113.9:5000", []string{"198.51.100.1"}, proxies, "203.0.113.9"},
		{"trusted peer without header", "10.1.2.3:5000", nil, proxies, "10.1.2.3"},
		{"trusted peer", "10.1.2.3:5000", []string{"198.51.100.1"}, proxies, "198.51.100.1"},
		{"spoofed left part ignored", "10.1.2.3:5000", []string{"1.1.1.1, 8.8.8.8, 198.51.100.1"}, proxies, "198.51.100.1"},
		{"chain of trusted proxies", "10.1.2.3:5000", []string{"7.7.7.7, 198.51.100.1, 192.0.2.1, 10.9.9.9"}, proxies, "198.51.100.1"},
		{"spoofed trusted address left of client", "10.1.2.3:5000", []string{"10.0.0.1, 198.51.100.1"}, proxies, "198.51.100.1"},
		{"several headers in order", "10.1.2.3:5000", []string{"1.1.1.1", "198.51.100.1, 10.2.2.2"}, proxies, "198.51.100.1"},
		{"spaces and empty elements", "10.1.2.3:5000", []string{"  198.51.100.1  ,10.2.2.2 "}, proxies, "198.51.100.1"},
		{"all hops trusted", "10.1.2.3:5000", []string{"10.5.5.5, 192.0.2.1"}, proxies, "10.5.5.5"},
		{"hop with a port", "10.1.2.3:5000", []string{"198.51.100.1:4711"}, proxies, "198.51.100.1"},
		{"IPv6 peer and client", "[2001:db8:ffff::1]:443", []string{"2001:db8:1::42"}, proxies, "2001:db8:1::42"},
		{"IPv6 client in brackets with port", "10.1.2.3:5000", []string{"[2001:db8:1::42]:8080"}, proxies, "2001:db8:1::42"},
		{"IPv6 with zone", "10.1.2.3:5000", []string{"fe80::1%eth0"}, proxies, "fe80::1"},
		{"IPv4-mapped peer is trusted as IPv4", "[::ffff:10.1.2.3]:5000", []string{"198.51.100.1"}, proxies, "198.51.100.1"},
		{"IPv4-mapped client", "10.1.2.3:5000", []string{"::ffff:198.51.100.1"}, proxies, "198.51.100.1"},
		{"garbage from the proxy", "10.1.2.3:5000", []string{"not-an-address"}, proxies, "10.1.2.3"},
		{"garbage after a trusted hop", "10.1.2.3:5000", []string{"unknown, 10.4.4.4"}, proxies, "10.4.4.4"},
		{"garbage left of the client is never read", "10.1.2.3:5000", []string{"<script>, 198.51.100.1"}, proxies, "198.51.100.1"},
		{"empty header", "10.1.2.3:5000", []string{""}, proxies, "10.1.2.3"},
		{"obfuscated identifier", "10.1.2.3:5000", []string{"_hidden"}, proxies, "10.1.2.3"},
		{"remote without port", "203.0.113.9", nil, proxies, "203.0.113.9"},
		{"IPv6 remote", "[2001:db8::7]:5000", []string{"198.51.100.1"}, proxies, "2001:db8::7"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/", nil)
			r.RemoteAddr = tt.remote
			for _, v := range tt.xff {
				r.Header.Add("X-Forwarded-For", v)
			}
			if got := ClientAddr(r, tt.trusted); got != tt.want {
				t.Fatalf("ClientAddr = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestClientAddrFromContext(t *testing.T) {
	r := httptest.NewRequest("GET", "/", nil)
	r.RemoteAddr = "203.0.113.9:5000"
	if got := RequestClientAddr(r); got != "203.0.113.9" {
		t.Fatalf("without middleware: %q", got)
	}
	r = r.WithContext(WithClientAddr(r.Context(), "198.51.100.1"))
	if got := RequestClientAddr(r); got != "198.51.100.1" {
		t.Fatalf("from context: %q", got)
	}
}

func FuzzClientAddr(f *testing.F) {
	f.Add("10.1.2.3:5000", "198.51.100.1, [2001:db8::1]:80, unknown")
	f.Fuzz(func(t *testing.T, remote, xff string) {
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = remote
		r.Header.Set("X-Forwarded-For", xff)
		got := ClientAddr(r, []netip.Prefix{netip.MustParsePrefix("0.0.0.0/0"), netip.MustParsePrefix("::/0")})
		if len(got) > 64 {
			t.Fatalf("client address %q longer than 64", got)
		}
	})
}
