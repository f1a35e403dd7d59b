package ticket_test

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/customer"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/page"
	"github.com/ombud/ombud/internal/richtext"
	"github.com/ombud/ombud/internal/search"
	"github.com/ombud/ombud/internal/ticket"
)

// TestSearchProfile times searches against an existing database
// (OMBUD_SEARCH_DB: a data directory or a postgres:// URL; OMBUD_SEARCH_Q:
// queries separated by "|"), in process: a development aid for profiling
// with -cpuprofile, skipped otherwise.
func TestSearchProfile(t *testing.T) {
	src := os.Getenv("OMBUD_SEARCH_DB")
	if src == "" {
		t.Skip("OMBUD_SEARCH_DB not set")
	}
	ctx := context.Background()
	opts := db.Options{DataDir: src}
	if strings.HasPrefix(src, "postgres") {
		opts = db.Options{URL: src}
	}
	d, err := db.Open(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	s := ticket.NewService(d, time.Now, requesters{customer.NewService(d, time.Now)}, richtext.New())
	for _, qs := range strings.Split(os.Getenv("OMBUD_SEARCH_Q"), "|") {
		q, err := search.Parse(qs)
		if err != nil {
			t.Fatal(err)
		}
		var best, total time.Duration
		n := 20
		var l page.List[ticket.Ticket]
		for i := range n {
			t0 := time.Now()
			if l, err = s.Search(ctx, authz.System, q, page.Request{Limit: 25}); err != nil {
				t.Fatal(err)
			}
			el := time.Since(t0)
			total += el
			if i == 0 || el < best {
				best = el
			}
		}
		if par, _ := strconv.Atoi(os.Getenv("OMBUD_SEARCH_PAR")); par > 0 {
			// Throughput of par goroutines for 5 s.
			var done atomic.Int64
			var wg sync.WaitGroup
			end := time.Now().Add(5 * time.Second)
			for range par {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for time.Now().Before(end) {
						if _, err := s.Search(ctx, authz.System, q, page.Request{Limit: 25}); err != nil {
							t.Error(err)
							return
						}
						done.Add(1)
					}
				}()
			}
			wg.Wait()
			fmt.Printf("%-30q %d goroutines: %.0f/s\n", qs, par, float64(done.Load())/5)
		}
		fmt.Printf("%-30q best %8s mean %8s rows %d total %d estimated %v\n", qs, best.Round(time.Microsecond), (total / time.Duration(n)).Round(time.Microsecond), len(l.Data), total64(l.Total), l.TotalEstimated)
	}
}

func total64(p *int64) int64 {
	if p == nil {
		return -1
	}
	return *p
}
