package bench

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"syscall"
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

// BenchmarkSearchInProcess calls ticket.Service.Search directly (no HTTP,
// no JSON) on the SQLite corpus BenchmarkSearchScale keeps in
// OMBUD_BENCH_SEARCH_DIR (run that first with the same
// OMBUD_BENCH_TICKETS): each query class for OMBUD_BENCH_SECONDS from one
// goroutine, then from OMBUD_BENCH_CLIENTS goroutines (default 8). It is
// OMBUD_BENCH_CLASS runs only the classes whose name holds it. It is
// the server's own cost of a search, and how that cost scales with
// concurrent searches over the read pool; the CPU time per search (the
// process's user and system time over the searches done) is printed
// beside each rate, since on a shared machine it varies less.
//
//	OMBUD_BENCH_SEARCH_DIR=/tmp/corpus OMBUD_BENCH_TICKETS=30000 \
//	  go test ./bench/ -run '^$' -bench SearchInProcess -benchtime 1x
func BenchmarkSearchInProcess(b *testing.B) {
	keep := os.Getenv("OMBUD_BENCH_SEARCH_DIR")
	if keep == "" {
		b.Fatal("OMBUD_BENCH_SEARCH_DIR names the corpus BenchmarkSearchScale kept")
	}
	tickets := envInt("OMBUD_BENCH_TICKETS", 100000)
	seconds := envInt("OMBUD_BENCH_SECONDS", 3)
	clients := envInt("OMBUD_BENCH_CLIENTS", 8)
	work := filepath.Join(keep, fmt.Sprintf("sqlite-%d", tickets))
	qs := keptQueries(b, work)
	ctx := context.Background()
	d, err := db.Open(ctx, db.Options{DataDir: filepath.Join(work, "data")})
	if err != nil {
		b.Fatal(err)
	}
	defer d.Close()
	now := time.Now
	svc := ticket.NewService(d, now, benchRequesters{customer.NewService(d, now)}, richtext.New())
	actor := authz.Actor{ID: 1, Kind: authz.KindAgent, Role: authz.Admin}
	fmt.Printf("\nin process, SQLite, %d tickets, %ds per class\n", qs.Tickets, seconds)
	fmt.Printf("%-34s %12s %12s %9s %9s %12s %12s %9s %9s %10s\n", "class", "1 client/s", "CPU ms/op", "p50", "p95",
		fmt.Sprintf("%d clients/s", clients), "CPU ms/op", "p50", "p95", "scaling")
	only := os.Getenv("OMBUD_BENCH_CLASS") // a substring of the class names to run, e.g. "common"
	for _, c := range qs.classes() {
		if only != "" && !strings.Contains(c.name, only) {
			continue
		}
		cpu0 := cpuTime()
		one := drive(c.name, 1, time.Duration(seconds)*time.Second, searchOnce(ctx, svc, actor, c))
		cpu1 := cpuTime()
		many := drive(c.name, clients, time.Duration(seconds)*time.Second, searchOnce(ctx, svc, actor, c))
		cpu2 := cpuTime()
		if one.errs+many.errs > 0 {
			b.Errorf("%s: %d errors", c.name, one.errs+many.errs)
		}
		perOp := func(d time.Duration, r result) float64 {
			return float64(d) / 1e6 / float64(max(r.n, 1))
		}
		ms := func(d time.Duration) string { return fmt.Sprintf("%.2f", float64(d)/1e6) }
		fmt.Printf("%-34s %12.0f %12.2f %9s %9s %12.0f %12.2f %9s %9s %9.2fx\n", c.name, one.rate, perOp(cpu1-cpu0, one), ms(one.p50), ms(one.p95),
			many.rate, perOp(cpu2-cpu1, many), ms(many.p50), ms(many.p95), many.rate/max(one.rate, 1e-9))
	}
}

// cpuTime is the CPU time (user and system) this process has used: on a
// shared machine a search's CPU cost varies less than its rate.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func searchOnce(ctx context.Context, svc *ticket.Service, actor authz.Actor, c queryClass) func(r *rand.Rand, _ int64) error {
	return func(r *rand.Rand, _ int64) error {
		q, err := search.Parse(c.pick(r))
		if err != nil {
			return err
		}
		_, err = svc.Search(ctx, actor, q, page.Request{Limit: 25})
		return err
	}
}

// benchRequesters is what app wires: customers name the requesters.
type benchRequesters struct{ c *customer.Service }

func (r benchRequesters) ResolveRequester(ctx context.Context, tx *db.Tx, email, name string) (int64, int64, error) {
	return r.c.ResolveRequester(ctx, tx, email, name)
}

func (r benchRequesters) Brief(ctx context.Context, ids []int64) (map[int64]ticket.CustomerBrief, error) {
	bs, err := r.c.Brief(ctx, ids)
	out := map[int64]ticket.CustomerBrief{}
	for id, b := range bs {
		out[id] = ticket.CustomerBrief{ID: b.ID, Name: b.Name, Email: b.Email}
	}
	return out, err
}
