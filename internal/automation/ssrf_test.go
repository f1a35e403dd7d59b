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

func TestPublicAddr(t *testing.T) {
	for _, tt := range []struct {
		ip     string
		public bool
	}{
		{"127.0.0.1", false}, {"10.1.2.3", false}, {"172.16.0.1", false}, {"192.168.1.1", false}, {"169.254.169.254", false},
		{"100.64.0.1", false}, {"0.0.0.0", false}, {"::1", false}, {"fe80::1", false}, {"fd00::1", false},
		{"93.184.216.34", true}, {"2606:4700:4700::1111", true},
	} {
		if got := automation.PublicAddr(netip.MustParseAddr(tt.ip)); got != tt.public {
			t.Errorf("%s public = %v, want %v", tt.ip, got, tt.public)
		}
	}
}
