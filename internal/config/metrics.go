package config

import (
	"errors"
	"flag"
	"fmt"
	"net"
	"net/url"
	"strings"
)

// minMetricsToken is the shortest --metrics-token accepted: a token is a
// secret a scraper sends with every request, not a password to remember.
const minMetricsToken = 16

// bindMetrics registers --metrics-addr and --metrics-token.
func (c *Config) bindMetrics(fs *flag.FlagSet, getenv func(string) string) {
	for _, f := range []struct {
		p           *string
		name, usage string
	}{
		{&c.MetricsAddr, "metrics-addr", "serve /metrics on this address only (e.g. 127.0.0.1:9100), not on --addr"},
		{&c.MetricsToken, "metrics-token", "bearer token a scraper must send for /metrics (at least 16 characters; prefer the environment variable)"},
	} {
		if v := getenv(envName(f.name)); v != "" {
			*f.p = v
		}
		fs.StringVar(f.p, f.name, *f.p, f.usage)
	}
}

// validateMetrics checks the metrics settings.
func (c *Config) validateMetrics() []error {
	var errs []error
	if c.MetricsAddr != "" {
		if _, _, err := net.SplitHostPort(c.MetricsAddr); err != nil {
			errs = append(errs, fmt.Errorf("--metrics-addr %q: %v", c.MetricsAddr, err))
		} else if c.MetricsAddr == c.Addr {
			errs = append(errs, errors.New("--metrics-addr must differ from --addr (leave it empty to serve /metrics on --addr with --metrics-token)"))
		}
	}
	if c.MetricsToken != "" && (len(c.MetricsToken) < minMetricsToken || strings.ContainsFunc(c.MetricsToken, func(r rune) bool { return r <= ' ' || r == 0x7f })) {
		errs = append(errs, fmt.Errorf("--metrics-token must be at least %d characters without spaces or control characters (e.g. openssl rand -hex 32)", minMetricsToken))
	}
	return errs
}

// HTTPS reports whether the public base URL is https: browsers reach
// Ombud over TLS only, so it may tell them to keep to it (HSTS).
func (c Config) HTTPS() bool {
	u, err := url.Parse(c.BaseURL)
	return err == nil && u.Scheme == "https" && u.Host != ""
}
