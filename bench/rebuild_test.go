package bench

import (
	"context"
	"io"
	"log/slog"
	"os"
	"testing"
	"time"

	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/report"
	"github.com/ombud/ombud/internal/sla"
)

// BenchmarkReportRebuild times `Rebuild` (the facts and every roll-up from
// the event log) over the SQLite history BenchmarkReportScale keeps in
// OMBUD_BENCH_REPORT_DIR, and reports its CPU per ticket:
//
//	OMBUD_BENCH_REPORT_DIR=/tmp/ombud-reportscale-20000 go test ./bench/ -run '^$' -bench ReportRebuild -benchtime 1x -cpuprofile cpu.out
func BenchmarkReportRebuild(b *testing.B) {
	dir := os.Getenv("OMBUD_BENCH_REPORT_DIR")
	if dir == "" {
		b.Fatal("OMBUD_BENCH_REPORT_DIR names the kept history (BenchmarkReportScale makes one)")
	}
	ctx := context.Background()
	d, err := db.Open(ctx, db.Options{DataDir: dir})
	if err != nil {
		b.Fatal(err)
	}
	defer d.Close()
	if _, err := d.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	var tickets int
	if err := d.QueryRowContext(ctx, `SELECT COUNT(*) FROM tickets`).Scan(&tickets); err != nil || tickets == 0 {
		b.Fatalf("no tickets in %s (%v)", dir, err)
	}
	now := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	slas := sla.NewService(d, func() time.Time { return now }, nil)
	reports := report.NewService(d, func() time.Time { return now }, slas, slog.New(slog.NewTextHandler(io.Discard, nil)))
	stop := envInt("OMBUD_BENCH_REBUILD_TICKETS", 0)
	var cpu time.Duration
	rebuilt := 0
	b.ResetTimer()
	for range b.N {
		c0 := processCPU()
		rctx, cancel := context.WithCancel(ctx)
		done := 0
		err := reports.Rebuild(rctx, func(n int) {
			done = n
			if stop > 0 && n >= stop {
				cancel()
			}
		})
		cancel()
		if err != nil && !(stop > 0 && done >= stop) {
			b.Fatal(err)
		}
		if err == nil {
			done = tickets
		}
		rebuilt += done
		cpu += processCPU() - c0
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(rebuilt), "µs/ticket")
	b.ReportMetric(float64(cpu.Microseconds())/float64(rebuilt), "cpu-µs/ticket")
	b.ReportMetric(float64(rebuilt)/float64(b.N), "tickets")
	b.Logf("load %s", loadavg())
}
