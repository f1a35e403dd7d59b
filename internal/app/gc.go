package app

import (
	"log/slog"
	"math"
	"runtime/debug"
	"runtime/metrics"
	"strconv"
	"time"

	"github.com/ombud/ombud/internal/config"
)

// serveGC sets the collector policy of ombud serve (--gc-percent,
// --gc-heap-goal, --gc-memory-limit) and returns the undo, which also
// stops the tuning (tests serve in one process). GOGC and GOMEMLIMIT, when
// the operator sets them, win: the runtime has read them already, so each
// is then left as it is, and with GOGC set nothing is tuned.
//
// Why not Go's defaults: the server keeps about 20 MB live, so at GOGC=100
// the heap goal was about 40 MB and under load the collector ran several
// times a second, 10-33 % of the server's CPU. A higher percent runs it
// less often; a fixed one would let a larger live heap grow fivefold, and
// a memory limit to stop that made the collector run more often than Go's
// defaults once about 26 MB was live (docs/benchmarks.md, 2026-12-06
// 07:09). So the percent follows the live heap instead: as high as
// --gc-percent while the heap goal stays under --gc-heap-goal, never under
// Go's 100.
func serveGC(c config.GC, getenv func(string) string, log *slog.Logger) func() {
	oldPercent, oldLimit := -2, int64(-1)
	percent := getenv("GOGC")
	var tuner *gcTuner
	if percent == "" {
		if c.HeapGoalMiB > 0 {
			tuner = newGCTuner(c.Percent, uint64(c.HeapGoalMiB)<<20)
			oldPercent = debug.SetGCPercent(tuner.percent(liveHeap()))
		} else {
			oldPercent = debug.SetGCPercent(c.Percent)
		}
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
	log.Debug("collector policy", "gc_percent", percent, "heap_goal_mib", c.HeapGoalMiB, "tuned", tuner != nil, "memory_limit_mib", limitMiB)
	stop := func() {}
	if tuner != nil {
		stop = tuner.run(time.Second / 2)
	}
	return func() {
		stop()
		if oldPercent != -2 {
			debug.SetGCPercent(oldPercent)
		}
		if oldLimit >= 0 {
			debug.SetMemoryLimit(oldLimit)
		}
	}
}

// gcTuner sets the collector's percent from the live heap.
type gcTuner struct {
	max  int    // the largest percent (--gc-percent)
	goal uint64 // the heap goal it may reach, bytes (--gc-heap-goal)
}

func newGCTuner(most int, goal uint64) *gcTuner { return &gcTuner{max: most, goal: goal} }

// percent is the growth over live that puts the heap goal at t.goal,
// within [min(100, t.max), t.max]: Go's default where live is half the
// goal or more, so a larger heap is collected as Go would.
func (t *gcTuner) percent(live uint64) int {
	floor := min(100, t.max)
	if live == 0 {
		return t.max
	}
	if live >= t.goal {
		return floor
	}
	p := (t.goal - live) * 100 / live
	if p >= uint64(t.max) {
		return t.max
	}
	return max(int(p), floor)
}

// run sets the percent every interval until the returned stop is called.
// The live heap moves slowly (what a cycle found marked), so a tick per
// half second follows it; SetGCPercent only when the value changes.
func (t *gcTuner) run(every time.Duration) func() {
	done := make(chan struct{})
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		tick := time.NewTicker(every)
		defer tick.Stop()
		last := -1
		for {
			select {
			case <-done:
				return
			case <-tick.C:
				if p := t.percent(liveHeap()); p != last {
					debug.SetGCPercent(p)
					last = p
				}
			}
		}
	}()
	return func() {
		close(done)
		<-stopped
	}
}

// liveHeap is the heap the last collection found live, bytes (0 before
// the first).
func liveHeap() uint64 {
	s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return s[0].Value.Uint64()
}
