package config

import (
	"flag"
	"fmt"
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
	bindInts(fs, getenv, envErr, "a whole number of requests per minute",
		intFlag{&c.APIRateLimit, "api-rate-limit", "API requests per minute per token or agent (0: no limit)", nil},
		intFlag{&c.APIIPRateLimit, "api-ip-rate-limit", "API requests per minute per client address (0: no limit)", nil},
	)
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
