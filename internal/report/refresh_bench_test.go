package report_test

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/ticket"
)

// BenchmarkRefreshCreates measures the refresher's work for tickets just
// created through the service (what it does under create load): each
// iteration creates OMBUD_BENCH_REFRESH_N tickets (default 2,000) with the
// timer stopped, then refreshes their facts and roll-ups.
//
//	go test ./internal/report -run '^$' -bench RefreshCreates -benchtime 5x
func BenchmarkRefreshCreates(b *testing.B) {
	n := 2000
	if v, err := strconv.Atoi(os.Getenv("OMBUD_BENCH_REFRESH_N")); err == nil && v > 0 {
		n = v
	}
	ctx := context.Background()
	d, err := db.Open(ctx, db.Options{DataDir: b.TempDir()})
	if err != nil {
		b.Fatal(err)
	}
	defer d.Close()
	if _, err := d.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	f := setup(b, d)
	seq := 0
	var cpu time.Duration
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		for range n {
			seq++
			if _, err := f.tickets.Create(ctx, f.agent, ticket.CreateInput{Subject: "Bench", Description: "Hello",
				Channel: "web", TeamID: &f.team, Tags: []string{"bench"},
				Requester: &ticket.RequesterInput{Email: fmt.Sprintf("c%d@example.com", seq), Name: "C"}}); err != nil {
				b.Fatal(err)
			}
		}
		b.StartTimer()
		start := cpuTime()
		got, err := f.reports.Refresh(ctx)
		cpu += cpuTime() - start
		if err != nil {
			b.Fatal(err)
		}
		if got != n {
			b.Fatalf("refreshed %d tickets, want %d", got, n)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N*n), "µs/ticket")
	b.ReportMetric(float64(cpu.Microseconds())/float64(b.N*n), "cpu-µs/ticket")
}

// cpuTime is the process's CPU time so far (user and system): the
// refresher's cost without the neighbours' load on a shared machine.
func cpuTime() time.Duration {
	var u syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &u)
	return time.Duration(u.Utime.Nano() + u.Stime.Nano())
}
