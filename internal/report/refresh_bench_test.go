package report_test

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"testing"

	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/ticket"
)

// BenchmarkRefreshCreates measures the refresher's work for tickets just
// created through the service (what it does under create load): each
// iteration creates OMBUD_BENCH_REFRESH_N tickets (default 2,000) with the
// timer stopped, then refreshes their facts and roll-ups.
//
//	go test ./internal/report -run '^$' -bench RefreshCreates -benchtime 5x -cpuprofile /tmp/refresh.prof
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
		got, err := f.reports.Refresh(ctx)
		if err != nil {
			b.Fatal(err)
		}
		if got != n {
			b.Fatalf("refreshed %d tickets, want %d", got, n)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N*n), "µs/ticket")
}
