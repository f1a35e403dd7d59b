package automation_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"testing"
	"time"

	"github.com/ombud/ombud/internal/automation"
	"github.com/ombud/ombud/internal/jobs"
)

func TestWebhookRefusesPrivateAddresses(t *testing.T) {
	hits := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits++ }))
	defer srv.Close()
	ctx := context.Background()
	err := automation.NewHTTPPoster(5*time.Second, false).Post(ctx, srv.URL, nil, []byte(`{}`))
	if err == nil || !jobs.IsPermanent(err) || hits != 0 {
		t.Fatalf("loopback target: err %v (permanent %v), %d requests reached it", err, jobs.IsPermanent(err), hits)
	}
	if err := automation.NewHTTPPoster(5*time.Second, true).Post(ctx, srv.URL, nil, []byte(`{}`)); err != nil || hits != 1 {
		t.Fatalf("allowed private target: %v, %d requests", err, hits)
	}
}

// TestPublicAddr: a webhook may reach only globally routable unicast
// addresses, however a private one is spelled (IPv4 embedded in the IPv6
// translation and transition forms, special-purpose ranges of both).
func TestPublicAddr(t *testing.T) {
	for _, tt := range []struct {
		ip     string
		public bool
	}{
		// IPv4 special-purpose ranges (IANA registry)
		{"0.0.0.0", false}, {"0.1.2.3", false}, {"10.1.2.3", false}, {"100.64.0.1", false}, {"100.127.255.254", false},
		{"127.0.0.1", false}, {"127.255.0.9", false}, {"169.254.169.254", false}, {"172.16.0.1", false}, {"172.31.255.1", false},
		{"192.0.0.8", false}, {"192.0.2.10", false}, {"192.88.99.1", false}, {"192.168.1.1", false}, {"198.18.0.1", false},
		{"198.19.255.1", false}, {"198.51.100.7", false}, {"203.0.113.9", false}, {"224.0.0.1", false}, {"239.255.255.250", false},
		{"240.0.0.1", false}, {"255.255.255.255", false},
		// IPv6 special-purpose ranges
		{"::", false}, {"::1", false}, {"fe80::1", false}, {"febf::1", false}, {"fec0::1", false}, {"fc00::1", false}, {"fd00::1", false},
		{"ff02::1", false}, {"ff0e::1", false}, {"100::1", false}, {"2001:db8::1", false}, {"2001::1", false}, {"2001:2::1", false},
		{"2001:10::1", false}, {"3fff::1", false}, {"5f00::1", false}, {"64:ff9b:1::a00:1", false}, {"fe80::1%eth0", false},
		// IPv4-mapped
		{"::ffff:127.0.0.1", false}, {"::ffff:10.0.0.1", false}, {"::ffff:169.254.169.254", false}, {"::ffff:0.0.0.0", false},
		// IPv4-compatible (deprecated, RFC 4291): never a destination
		{"::127.0.0.1", false}, {"::10.0.0.1", false}, {"::192.168.0.1", false}, {"::169.254.169.254", false}, {"::93.184.216.34", false},
		// NAT64 (RFC 6052) of private addresses
		{"64:ff9b::127.0.0.1", false}, {"64:ff9b::10.0.0.1", false}, {"64:ff9b::a9fe:a9fe", false}, {"64:ff9b::192.168.1.1", false},
		// 6to4 (2002::/16) embedding private addresses
		{"2002:7f00:1::1", false}, {"2002:0a00:0001::", false}, {"2002:a9fe:a9fe::1", false}, {"2002:c0a8:0101:1::1", false}, {"2002::1", false},
		// public
		{"93.184.216.34", true}, {"8.8.8.8", true}, {"1.1.1.1", true}, {"100.128.0.1", true}, {"172.32.0.1", true}, {"192.0.3.1", true},
		{"::ffff:93.184.216.34", true}, {"64:ff9b::93.184.216.34", true}, {"2002:5db8:d822::1", true},
		{"2606:4700:4700::1111", true}, {"2a00:1450:4001:82a::200e", true}, {"2001:4860:4860::8888", true},
	} {
		if got := automation.PublicAddr(netip.MustParseAddr(tt.ip)); got != tt.public {
			t.Errorf("%s public = %v, want %v", tt.ip, got, tt.public)
		}
	}
}
