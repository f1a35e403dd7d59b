package config

import (
	"flag"
	"fmt"
)

// Defaults of the server's collector policy (docs/configuration.md, "The
// collector"), chosen by measurement (docs/benchmarks.md, issue 13 items 3
// and 7).
const (
	// DefaultGCPercent is the most the heap may grow over what is live
	// before the collector runs, while the live heap is small (Go's own
	// default is 100). The server keeps about 20 MB live, so at 100 the
	// collector ran several times a second under load, 10-33 % of the
	// server's CPU.
	DefaultGCPercent = 400
	// DefaultGCHeapGoalMiB is the heap the collector lets grow to, MiB:
	// the percent is lowered as the live heap grows so that the heap goal
	// stays here, never below Go's default of twice the live heap. At 44
	// the peak RSS grew by 3-7 MiB over Go's defaults (52, the goal a 72
	// MiB memory limit gave, took it up 13, too close to issue 13's 200
	// MB at 1M tickets); a memory limit instead made the collector run
	// more often than Go's defaults once about 26 MB was live.
	DefaultGCHeapGoalMiB = 44
	// DefaultGCHeapGoalPostgresMiB is the default heap goal on PostgreSQL,
	// whose caches are not in the process: the 48 MiB that SQLite's page
	// caches take by construction on 2 CPUs (16 for the writer, 4 readers
	// × 8) go to the heap instead. Against 44, measured on PostgreSQL
	// (docs/benchmarks.md, 2026-12-07 02:20 UTC): Ombud's CPU a search ×
	// 0.92 at 23,000 tickets and 8 clients, × 0.94 at 1M and 64 clients,
	// the peak RSS 108 → 145–148 MiB.
	DefaultGCHeapGoalPostgresMiB = 92
)

// GC is the Go collector's policy of ombud serve. The operator's GOGC and
// GOMEMLIMIT, where set, win over it (internal/app applies it).
type GC struct {
	// Percent is the collector's largest target heap growth, as GOGC.
	Percent int
	// HeapGoalMiB bounds the heap goal Percent gives: the percent used
	// is the lesser of Percent and what keeps the goal at HeapGoalMiB,
	// but at least 100 (0: Percent throughout).
	HeapGoalMiB int
	// MemoryLimitMiB is the runtime's soft memory limit, as GOMEMLIMIT
	// (0: none).
	MemoryLimitMiB int
}

// bindGC registers --gc-percent, --gc-heap-goal and --gc-memory-limit.
func (c *Config) bindGC(fs *flag.FlagSet, getenv func(string) string, envErr *error) {
	// The heap goal's default depends on the engine, known only once
	// every flag is read: whether it was given is kept (validateGC).
	bindInts(fs, getenv, envErr, "a whole number",
		intFlag{p: &c.GC.Percent, name: "gc-percent", help: "largest heap growth in percent before the Go collector runs, as GOGC (GOGC, when set, wins)"},
		intFlag{p: &c.GC.HeapGoalMiB, name: "gc-heap-goal", given: &c.gcHeapGoalSet, help: fmt.Sprintf("heap size in MiB (an `int`) that --gc-percent may grow to; beyond it the growth falls to Go's default 100 %% (0: --gc-percent throughout; GOGC, when set, wins; %d by default with --database-url, where SQLite's caches are not in the process)",
			DefaultGCHeapGoalPostgresMiB)},
		intFlag{p: &c.GC.MemoryLimitMiB, name: "gc-memory-limit", help: "soft limit of the Go runtime's memory in MiB, as GOMEMLIMIT (0: none; GOMEMLIMIT, when set, wins)"},
	)
}

func (c *Config) validateGC() []error {
	var errs []error
	if !c.gcHeapGoalSet && c.DatabaseURL != "" {
		c.GC.HeapGoalMiB = DefaultGCHeapGoalPostgresMiB
	}
	if c.GC.Percent < 10 || c.GC.Percent > 10000 {
		errs = append(errs, fmt.Errorf("--gc-percent must be between 10 and 10000, not %d", c.GC.Percent))
	}
	if c.GC.HeapGoalMiB < 0 || c.GC.HeapGoalMiB > 1<<20 {
		errs = append(errs, fmt.Errorf("--gc-heap-goal must be 0 (none) or between 1 and %d MiB, not %d", 1<<20, c.GC.HeapGoalMiB))
	}
	// Under 32 MiB the limit is below the server's fixed heap and caches:
	// the collector would run all the time.
	if c.GC.MemoryLimitMiB != 0 && (c.GC.MemoryLimitMiB < 32 || c.GC.MemoryLimitMiB > 1<<20) {
		errs = append(errs, fmt.Errorf("--gc-memory-limit must be 0 (none) or between 32 and %d MiB, not %d", 1<<20, c.GC.MemoryLimitMiB))
	}
	return errs
}
