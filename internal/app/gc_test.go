package app

import (
	"io"
	"log/slog"
	"math"
	"runtime"
	"runtime/debug"
	"testing"
	"time"

	"github.com/ombud/ombud/internal/config"
)

// TestServeGC: serve sets --gc-percent (tuned under --gc-heap-goal) and
// --gc-memory-limit unless the operator's GOGC or GOMEMLIMIT is set, each
// on its own, and the undo puts back what was there and stops the tuning
// (tests serve in one process).
func TestServeGC(t *testing.T) {
	const before, beforeLimit = 77, int64(math.MaxInt64)
	for _, tc := range []struct {
		name        string
		gc          config.GC
		env         map[string]string
		wantPercent int
		wantLimit   int64
	}{
		// The test's own live heap is far under the goal: the largest
		// percent.
		{name: "defaults", gc: config.GC{Percent: config.DefaultGCPercent, HeapGoalMiB: config.DefaultGCHeapGoalMiB},
			wantPercent: config.DefaultGCPercent, wantLimit: beforeLimit},
		{name: "goal under the live heap", gc: config.GC{Percent: 400, HeapGoalMiB: 1, MemoryLimitMiB: 96},
			wantPercent: 100, wantLimit: 96 << 20},
		{name: "no limit", gc: config.GC{Percent: 200}, wantPercent: 200, wantLimit: beforeLimit},
		{name: "GOGC set by the operator", gc: config.GC{Percent: 400, HeapGoalMiB: 1, MemoryLimitMiB: 96}, env: map[string]string{"GOGC": "50"},
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
			runtime.GC() // a live heap to tune from
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

// TestGCTunerPercent: the percent keeps the heap goal at the tuner's goal
// while the live heap is small, is the largest percent below that, and Go's
// default 100 once half the goal or more is live.
func TestGCTunerPercent(t *testing.T) {
	const mib = 1 << 20
	for _, tc := range []struct {
		max        int
		goal, live uint64
		want       int
	}{
		{max: 400, goal: 52 * mib, live: 0, want: 400},
		{max: 400, goal: 52 * mib, live: 5 * mib, want: 400},     // 5 × 5 = 25 MiB, under the goal
		{max: 400, goal: 52 * mib, live: 20 * mib, want: 160},    // 20 × 2.6 = 52
		{max: 400, goal: 52 * mib, live: 26 * mib, want: 100},    // Go's default reaches the goal
		{max: 400, goal: 52 * mib, live: 40 * mib, want: 100},    // never under Go's default
		{max: 400, goal: 52 * mib, live: 80 * mib, want: 100},    // live over the goal
		{max: 50, goal: 52 * mib, live: 40 * mib, want: 50},      // a percent under 100 stays as set
		{max: 200, goal: 52 * mib, live: 10 * mib, want: 200},    // the largest percent caps it
		{max: 400, goal: 1024 * mib, live: 300 * mib, want: 241}, // a large goal
	} {
		if got := newGCTuner(tc.max, tc.goal).percent(tc.live); got != tc.want {
			t.Errorf("percent(max %d, goal %d MiB, live %d MiB) = %d, want %d", tc.max, tc.goal/mib, tc.live/mib, got, tc.want)
		}
	}
}

// TestGCTunerRuns: the running tuner sets the percent from the live heap and
// stops when told.
func TestGCTunerRuns(t *testing.T) {
	old := debug.SetGCPercent(77)
	defer debug.SetGCPercent(old)
	runtime.GC()
	stop := newGCTuner(400, 1).run(time.Millisecond) // any live heap is over a 1-byte goal
	deadline := time.Now().Add(5 * time.Second)
	for debug.SetGCPercent(77) != 100 {
		if time.Now().After(deadline) {
			stop()
			t.Fatal("the tuner did not set the percent")
		}
		time.Sleep(5 * time.Millisecond)
	}
	stop()
	debug.SetGCPercent(77)
	time.Sleep(20 * time.Millisecond)
	if got := debug.SetGCPercent(old); got != 77 {
		t.Fatalf("the tuner set %d after it was stopped", got)
	}
}
