package config

import (
	"flag"
	"fmt"
	"time"
)

// Session timeouts of the agent UI's browser sessions, enforced by the
// server on every request (auth.Options): a session unused for SessionIdle
// ends, and every session ends SessionMax after its sign-in.
const (
	DefaultSessionIdle = 12 * time.Hour
	DefaultSessionMax  = 30 * 24 * time.Hour
)

// bindSessions registers --session-idle and --session-max.
func (c *Config) bindSessions(fs *flag.FlagSet, getenv func(string) string, envErr *error) {
	for _, d := range []struct {
		p          *time.Duration
		name, help string
	}{
		{&c.SessionIdle, "session-idle", "a browser session unused this long ends (idle timeout)"},
		{&c.SessionMax, "session-max", "a browser session ends this long after sign-in, however much it is used (absolute timeout)"},
	} {
		if v := getenv(envName(d.name)); v != "" {
			x, err := time.ParseDuration(v)
			if err != nil {
				*envErr = fmt.Errorf("%s: want a duration such as 12h, got %q", envName(d.name), v)
			}
			*d.p = x
		}
		fs.DurationVar(d.p, d.name, *d.p, d.help)
	}
}

func (c *Config) validateSessions() []error {
	var errs []error
	if c.SessionIdle < time.Minute {
		errs = append(errs, fmt.Errorf("--session-idle must be at least 1m, not %s", c.SessionIdle))
	}
	if c.SessionMax < c.SessionIdle {
		errs = append(errs, fmt.Errorf("--session-max (%s) must be at least --session-idle (%s)", c.SessionMax, c.SessionIdle))
	}
	return errs
}
