package web_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/ombud/ombud/internal/app/apptest"
	"github.com/ombud/ombud/internal/config"
	"github.com/ombud/ombud/internal/db"
)

// TestHSTS: Strict-Transport-Security goes out on every answer when the
// public base URL is https, and never otherwise (over plain HTTP it would
// be ignored at best, and would break a site that later drops TLS).
func TestHSTS(t *testing.T) {
	const want = "max-age=31536000; includeSubDomains"
	for _, tt := range []struct {
		base string
		hsts bool
	}{
		{"https://help.example.com", true},
		{"http://help.example.com", false},
		{"", false},
	} {
		t.Run("base "+tt.base, func(t *testing.T) {
			e := apptest.NewWith(t, db.SQLite, func(c *config.Config) { c.BaseURL = tt.base })
			for _, path := range []string{"/healthz", "/login", "/api/v1/tickets", "/no-such-page"} {
				resp, err := e.Client.Get(e.URL + path)
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				got := resp.Header.Get("Strict-Transport-Security")
				if (tt.hsts && got != want) || (!tt.hsts && got != "") {
					t.Errorf("%s: Strict-Transport-Security %q (want it: %v)", path, got, tt.hsts)
				}
			}
		})
	}
}

// TestMetricsAccess: /metrics on the HTTP address needs the configured
// bearer token; without one, or when metrics have their own address, it
// is not there at all.
func TestMetricsAccess(t *testing.T) {
	const token = "scrape-0123456789abcdef"
	for _, tt := range []struct {
		name      string
		cfg       func(*config.Config)
		auth      string
		status    int
		challenge bool
	}{
		{name: "no token configured: not served", cfg: func(*config.Config) {}, status: 404},
		{name: "no token configured, one sent", cfg: func(*config.Config) {}, auth: "Bearer " + token, status: 404},
		{name: "token required, none sent", cfg: func(c *config.Config) { c.MetricsToken = token }, status: 401, challenge: true},
		{name: "wrong token", cfg: func(c *config.Config) { c.MetricsToken = token }, auth: "Bearer " + token + "x", status: 401, challenge: true},
		{name: "a prefix of the token", cfg: func(c *config.Config) { c.MetricsToken = token }, auth: "Bearer " + token[:10], status: 401, challenge: true},
		{name: "not a bearer token", cfg: func(c *config.Config) { c.MetricsToken = token }, auth: "Basic " + token, status: 401, challenge: true},
		{name: "right token", cfg: func(c *config.Config) { c.MetricsToken = token }, auth: "Bearer " + token, status: 200},
		{name: "scheme in any case", cfg: func(c *config.Config) { c.MetricsToken = token }, auth: "bearer " + token, status: 200},
		{name: "own address: not on the HTTP one", cfg: func(c *config.Config) { c.MetricsToken, c.MetricsAddr = token, "127.0.0.1:0" },
			auth: "Bearer " + token, status: 404},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := apptest.NewWith(t, db.SQLite, tt.cfg)
			req, _ := http.NewRequest("GET", e.URL+"/metrics", nil)
			if tt.auth != "" {
				req.Header.Set("Authorization", tt.auth)
			}
			resp, err := e.Client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tt.status {
				t.Fatalf("status %d, want %d: %.200s", resp.StatusCode, tt.status, body)
			}
			if got := resp.Header.Get("WWW-Authenticate"); tt.challenge != strings.HasPrefix(got, "Bearer") {
				t.Errorf("WWW-Authenticate %q", got)
			}
			if isMetrics := strings.Contains(string(body), "ombud_http_requests_total"); isMetrics != (tt.status == 200) {
				t.Errorf("metrics in the body: %v, status %d", isMetrics, resp.StatusCode)
			}
		})
	}
}
