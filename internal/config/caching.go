package config

import (
	"flag"
	"fmt"
	"time"
)

// Defaults of the in-process caches and buffers.
const (
	// DefaultOrdersCacheTTL is how long a shop's answer for a customer is
	// reused by the ticket page's orders panel (docs/orders.md).
	DefaultOrdersCacheTTL = 60 * time.Second
	// DefaultKBCounterFlush is how often the knowledge base's view and
	// search counters are written (docs/knowledge.md).
	DefaultKBCounterFlush = 10 * time.Second
)

// bindCaching registers --orders-cache-ttl and --kb-counter-flush.
func (c *Config) bindCaching(fs *flag.FlagSet, getenv func(string) string, envErr *error) {
	for _, d := range []struct {
		p          *time.Duration
		name, help string
	}{
		{&c.OrdersCacheTTL, "orders-cache-ttl", "how long a shop's answer of a customer's orders is reused (0 asks the shop every time)"},
		{&c.KBCounterFlush, "kb-counter-flush", "how often knowledge base view and search counts held in memory are written"},
	} {
		if v := getenv(envName(d.name)); v != "" {
			x, err := time.ParseDuration(v)
			if err != nil {
				*envErr = fmt.Errorf("%s: want a duration such as 60s, got %q", envName(d.name), v)
			}
			*d.p = x
		}
		fs.DurationVar(d.p, d.name, *d.p, d.help)
	}
}

func (c *Config) validateCaching() []error {
	var errs []error
	if c.OrdersCacheTTL < 0 || c.OrdersCacheTTL > time.Hour {
		errs = append(errs, fmt.Errorf("--orders-cache-ttl must be between 0 and 1h, not %s", c.OrdersCacheTTL))
	}
	if c.KBCounterFlush < time.Second || c.KBCounterFlush > 10*time.Minute {
		errs = append(errs, fmt.Errorf("--kb-counter-flush must be between 1s and 10m, not %s", c.KBCounterFlush))
	}
	return errs
}
