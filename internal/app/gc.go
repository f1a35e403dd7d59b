package app

import (
	"log/slog"
	"math"
	"runtime/debug"
	"strconv"

	"github.com/ombud/ombud/internal/config"
)

// serveGC sets the collector policy of ombud serve (--gc-percent,
// --gc-memory-limit) and returns the undo (tests serve in one process).
// GOGC and GOMEMLIMIT, when the operator sets them, win: the runtime has
// read them already, so each is then left as it is.
//
// Why not Go's defaults: the server keeps about 20 MB live, so at GOGC=100
// the heap goal was about 40 MB and under load the collector ran several
// times a second, 10-33 % of the server's CPU; a higher GOGC under a soft
// limit runs it less often, while the limit keeps the peak within issue
// 13's memory target (docs/benchmarks.md, 2026-12-06 07:09).
func serveGC(c config.GC, getenv func(string) string, log *slog.Logger) func() {
	oldPercent, oldLimit := -2, int64(-1)
	percent := getenv("GOGC")
	if percent == "" {
		oldPercent = debug.SetGCPercent(c.Percent)
		percent = strconv.Itoa(c.Percent)
	}
	if getenv("GOMEMLIMIT") == "" && c.MemoryLimitMiB > 0 {
		oldLimit = debug.SetMemoryLimit(int64(c.MemoryLimitMiB) << 20)
	}
	// A negative limit reads the current one without changing it; none is
	// the largest int64.
	limitMiB := debug.SetMemoryLimit(-1) >> 20
	if limitMiB == math.MaxInt64>>20 {
		limitMiB = 0
	}
	log.Debug("collector policy", "gc_percent", percent, "memory_limit_mib", limitMiB)
	return func() {
		if oldPercent != -2 {
			debug.SetGCPercent(oldPercent)
		}
		if oldLimit >= 0 {
			debug.SetMemoryLimit(oldLimit)
		}
	}
}
