package config

import (
	"flag"
	"fmt"
	"strconv"
)

// Defaults of the server's collector policy (docs/configuration.md, "The
// collector"), chosen by measurement (docs/benchmarks.md, issue 13 items 3
// and 7).
const (
	// DefaultGCPercent lets the heap grow to this many percent over what
	// is live before the collector runs (Go's own default is 100). The
	// server keeps about 20 MB live, so at 100 the collector ran several
	// times a second under load, 10-33 % of the server's CPU.
	DefaultGCPercent = 400
	// DefaultGCMemoryLimitMiB is the soft limit of the Go runtime's
	// memory, MiB. It, not DefaultGCPercent, sets the heap goal under
	// load (≈ 52 MB against 40 at Go's defaults): the process's peak
	// grows by about what the limit allows, and 96 MiB already took it
	// over issue 13's 200 MB. SQLite's caches are outside it.
	DefaultGCMemoryLimitMiB = 72
)

// GC is the Go collector's policy of ombud serve. The operator's GOGC and
// GOMEMLIMIT, where set, win over it (internal/app applies it).
type GC struct {
	// Percent is the collector's target heap growth, as GOGC.
	Percent int
	// MemoryLimitMiB is the runtime's soft memory limit, as GOMEMLIMIT
	// (0: none).
	MemoryLimitMiB int
}

// bindGC registers --gc-percent and --gc-memory-limit.
func (c *Config) bindGC(fs *flag.FlagSet, getenv func(string) string, envErr *error) {
	for _, d := range []struct {
		p          *int
		name, help string
	}{
		{&c.GC.Percent, "gc-percent", "heap growth in percent before the Go collector runs, as GOGC (GOGC, when set, wins)"},
		{&c.GC.MemoryLimitMiB, "gc-memory-limit", "soft limit of the Go runtime's memory in MiB, as GOMEMLIMIT (0: none; GOMEMLIMIT, when set, wins)"},
	} {
		if v := getenv(envName(d.name)); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil {
				*envErr = fmt.Errorf("%s: want a whole number, got %q", envName(d.name), v)
			}
			*d.p = n
		}
		fs.IntVar(d.p, d.name, *d.p, d.help)
	}
}

func (c *Config) validateGC() []error {
	var errs []error
	if c.GC.Percent < 10 || c.GC.Percent > 10000 {
		errs = append(errs, fmt.Errorf("--gc-percent must be between 10 and 10000, not %d", c.GC.Percent))
	}
	// Under 32 MiB the limit is below the server's fixed heap and caches:
	// the collector would run all the time.
	if c.GC.MemoryLimitMiB != 0 && (c.GC.MemoryLimitMiB < 32 || c.GC.MemoryLimitMiB > 1<<20) {
		errs = append(errs, fmt.Errorf("--gc-memory-limit must be 0 (none) or between 32 and %d MiB, not %d", 1<<20, c.GC.MemoryLimitMiB))
	}
	return errs
}
