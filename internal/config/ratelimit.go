package config

import (
	"flag"
	"fmt"
	"strconv"
)

// Default API rate limits, in requests per minute. A script syncing a CRM or
// an importer stays well under them; a runaway loop does not. Per instance:
// with N instances behind a balancer a client may get up to N times as many.
const (
	DefaultAPIRateLimit   = 1200 // per API token or signed-in agent
	DefaultAPIIPRateLimit = 3000 // per client address, all API requests
)

// bindRateLimits registers --api-rate-limit and --api-ip-rate-limit.
func (c *Config) bindRateLimits(fs *flag.FlagSet, getenv func(string) string, envErr *error) {
	for _, d := range []struct {
		p          *int
		name, help string
	}{
		{&c.APIRateLimit, "api-rate-limit", "API requests per minute per token or agent (0: no limit)"},
		{&c.APIIPRateLimit, "api-ip-rate-limit", "API requests per minute per client address (0: no limit)"},
	} {
		if v := getenv(envName(d.name)); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil {
				*envErr = fmt.Errorf("%s: want a whole number of requests per minute, got %q", envName(d.name), v)
			}
			*d.p = n
		}
		fs.IntVar(d.p, d.name, *d.p, d.help)
	}
}

func (c *Config) validateRateLimits() []error {
	var errs []error
	for _, d := range []struct {
		n    int
		name string
	}{{c.APIRateLimit, "api-rate-limit"}, {c.APIIPRateLimit, "api-ip-rate-limit"}} {
		if d.n < 0 || d.n > 1_000_000 {
			errs = append(errs, fmt.Errorf("--%s must be between 0 (no limit) and 1000000 requests per minute, not %d", d.name, d.n))
		}
	}
	return errs
}
