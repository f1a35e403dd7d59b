package config

import (
	"flag"
	"fmt"
	"time"
)

// bindAccessLog registers --access-log and --slow-request.
func (c *Config) bindAccessLog(fs *flag.FlagSet, getenv func(string) string, envErr *error) {
	if v := getenv("OMBUD_ACCESS_LOG"); v != "" {
		c.AccessLog = v
	}
	fs.StringVar(&c.AccessLog, "access-log", c.AccessLog, "which requests to log: off, sampled (server errors and 1 in 100 others) or full; slow requests are always logged")
	if v := getenv("OMBUD_SLOW_REQUEST"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			*envErr = fmt.Errorf("OMBUD_SLOW_REQUEST: want a duration such as 1s, got %q", v)
		}
		c.SlowRequest = d
	}
	fs.DurationVar(&c.SlowRequest, "slow-request", c.SlowRequest, "a request taking at least this long is always logged, at WARN")
}

func (c *Config) validateAccessLog() []error {
	var errs []error
	switch c.AccessLog {
	case "off", "sampled", "full":
	default:
		errs = append(errs, fmt.Errorf("--access-log must be off, sampled or full, not %q", c.AccessLog))
	}
	if c.SlowRequest <= 0 {
		errs = append(errs, fmt.Errorf("--slow-request must be positive, not %s", c.SlowRequest))
	}
	return errs
}
