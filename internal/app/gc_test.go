package app

import (
	"io"
	"log/slog"
	"math"
	"runtime/debug"
	"testing"

	"github.com/ombud/ombud/internal/config"
)

// TestServeGC: serve sets --gc-percent and --gc-memory-limit unless the
// operator's GOGC or GOMEMLIMIT is set, each on its own, and the undo puts
// back what was there (tests serve in one process).
func TestServeGC(t *testing.T) {
	const before, beforeLimit = 77, int64(math.MaxInt64)
	for _, tc := range []struct {
		name        string
		gc          config.GC
		env         map[string]string
		wantPercent int
		wantLimit   int64
	}{
		{name: "defaults", gc: config.GC{Percent: config.DefaultGCPercent, MemoryLimitMiB: config.DefaultGCMemoryLimitMiB},
			wantPercent: config.DefaultGCPercent, wantLimit: config.DefaultGCMemoryLimitMiB << 20},
		{name: "no limit", gc: config.GC{Percent: 200}, wantPercent: 200, wantLimit: beforeLimit},
		{name: "GOGC set by the operator", gc: config.GC{Percent: 400, MemoryLimitMiB: 96}, env: map[string]string{"GOGC": "50"},
			wantPercent: before, wantLimit: 96 << 20},
		{name: "GOMEMLIMIT set by the operator", gc: config.GC{Percent: 400, MemoryLimitMiB: 96}, env: map[string]string{"GOMEMLIMIT": "1GiB"},
			wantPercent: 400, wantLimit: beforeLimit},
		{name: "both set by the operator", gc: config.GC{Percent: 400, MemoryLimitMiB: 96}, env: map[string]string{"GOGC": "off", "GOMEMLIMIT": "1GiB"},
			wantPercent: before, wantLimit: beforeLimit},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// The runtime read the real GOGC and GOMEMLIMIT at start; the
			// test stands in for them with values of its own.
			oldPercent := debug.SetGCPercent(before)
			oldLimit := debug.SetMemoryLimit(beforeLimit)
			defer func() {
				debug.SetGCPercent(oldPercent)
				debug.SetMemoryLimit(oldLimit)
			}()
			undo := serveGC(tc.gc, func(k string) string { return tc.env[k] }, slog.New(slog.NewTextHandler(io.Discard, nil)))
			gotPercent := debug.SetGCPercent(tc.wantPercent) // reading it means setting it
			if gotPercent != tc.wantPercent {
				t.Errorf("GOGC while serving %d, want %d", gotPercent, tc.wantPercent)
			}
			if got := debug.SetMemoryLimit(-1); got != tc.wantLimit {
				t.Errorf("memory limit while serving %d, want %d", got, tc.wantLimit)
			}
			undo()
			if got := debug.SetGCPercent(before); got != before {
				t.Errorf("GOGC after serving %d, want %d", got, before)
			}
			if got := debug.SetMemoryLimit(-1); got != beforeLimit {
				t.Errorf("memory limit after serving %d, want %d", got, beforeLimit)
			}
		})
	}
}
