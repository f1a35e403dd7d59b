package app_test

import (
	"context"
	"flag"
	"io"
	"log/slog"
	"os"
	"runtime"
	"runtime/pprof"
	"testing"
	"time"

	"github.com/ombud/ombud/internal/app"
	"github.com/ombud/ombud/internal/config"
)

var heapProfile = flag.String("heapprofile", "", "TestServerFixedHeap: write a heap profile of the started server to this file")

// maxFixedHeap bounds the live Go heap of a started server (the System
// and its HTTP handler, before any request): the templates, catalogs,
// metric series and compiled expressions every server holds whatever its
// load. Measured here: 32.2 MiB before the layout was shared by the pages,
// the route metrics made on first use and the i18n formats compiled on
// first use, 12.1 MiB after (docs/benchmarks.md, 2026-12-05 14:00 UTC).
// The garbage collector lets the heap grow to about twice the live heap
// before it collects, so every MiB here counts about twice in the peak RSS.
const maxFixedHeap = 16 << 20

// TestServerFixedHeap measures the live heap that opening the System and
// building its handler leave behind, and guards it.
func TestServerFixedHeap(t *testing.T) {
	ctx := context.Background()
	c := config.Defaults()
	c.DataDir = t.TempDir()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if *heapProfile != "" {
		runtime.MemProfileRate = 1 // every allocation, for a profile by component
	}
	before := liveHeap()
	sys, err := app.Open(ctx, c, log, time.Now)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	defer sys.Close()
	h, err := sys.Handler()
	if err != nil {
		t.Fatalf("handler: %v", err)
	}
	after := liveHeap()
	runtime.KeepAlive(h)
	runtime.KeepAlive(sys)
	if *heapProfile != "" {
		f, err := os.Create(*heapProfile)
		if err != nil {
			t.Fatal(err)
		}
		if err := pprof.Lookup("heap").WriteTo(f, 0); err != nil {
			t.Fatal(err)
		}
		f.Close()
	}
	grown := int64(after) - int64(before)
	t.Logf("live heap: %.1f MiB before Open, %.1f MiB with the server built (+%.1f MiB)",
		mib(before), mib(after), float64(grown)/(1<<20))
	if grown > maxFixedHeap {
		t.Errorf("the started server holds %.1f MiB of live heap, want ≤ %.1f MiB", float64(grown)/(1<<20), mib(maxFixedHeap))
	}
}

func liveHeap() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

func mib(b uint64) float64 { return float64(b) / (1 << 20) }
